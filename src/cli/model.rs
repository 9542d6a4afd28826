//! `parliament model`: exhaustive model checking of the real priest (stateright), showing a
//! counterexample as a trace in the paper's words when a rule breaks.

use clap::Args;
use parliament::model::{self, Options};
use parliament::priest::PlantedBug;

use super::options::planted_bug;

/// Options of `parliament model`.
#[derive(Args, Debug)]
pub struct ModelArgs {
    /// Petitions citizens make (2 takes minutes; 1 takes seconds).
    #[arg(long, default_value_t = 1)]
    petitions: usize,
    /// Crashes allowed in a run (each: the priest leaves, and returns rebuilt from his ledger).
    #[arg(long, default_value_t = 0)]
    crashes: u8,
    /// Duplicate deliveries allowed in a run.
    #[arg(long, default_value_t = 0)]
    duplicates: u8,
    /// The highest ballot round explored.
    #[arg(long, default_value_t = 1)]
    rounds: u64,
    /// Plant a bug and watch the checker find a counterexample: forget-promise, forget-vote,
    /// reuse-ballot, ignore-highest-vote, vote-below-promise, count-old-last-vote,
    /// report-current-vote.
    #[arg(long, value_parser = planted_bug)]
    plant: Option<PlantedBug>,
    /// Checker threads (with a planted bug, one thread makes the counterexample the same each run).
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

/// Runs `parliament model`; exit 1 when a rule broke (the trace is printed).
pub fn run(args: ModelArgs) -> anyhow::Result<i32> {
    let o = Options {
        petitions: args.petitions,
        crashes: args.crashes,
        duplicates: args.duplicates,
        rounds_max: args.rounds.max(1),
        planted: args.plant,
        threads: if args.plant.is_some() { 1 } else { args.threads.max(1) },
        ..Options::default()
    };
    let report = model::check(&o);
    if let Some(trace) = &report.counterexample {
        println!("{trace}");
    }
    println!("{}", model::summary(&report));
    Ok(if report.counterexample.is_some() { 1 } else { 0 })
}
