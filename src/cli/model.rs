//! `parliament model`: exhaustive model checking of the real priest (stateright), showing a
//! counterexample as a trace in the paper's words when a rule breaks.

use clap::Args;
use parliament::model::{self, Options};
use parliament::priest::PlantedBug;

use super::options::{count_of, planted_bug, progress};

/// Options of `parliament model`.
#[derive(Args, Debug)]
pub struct ModelArgs {
    /// Petitions citizens make, 1 to 3 (2 takes minutes; 1 takes seconds).
    #[arg(long, default_value_t = 1, value_parser = count_of(1, 3))]
    petitions: usize,
    /// Crashes allowed in a run, 0 to 3 (each: the priest leaves, and returns rebuilt from his
    /// ledger).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=3))]
    crashes: u8,
    /// Duplicate deliveries allowed in a run, 0 to 3.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=3))]
    duplicates: u8,
    /// The highest ballot round explored, 1 to 4.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=4))]
    rounds: u64,
    /// Plant a bug and watch the checker find a counterexample: forget-promise, forget-vote,
    /// reuse-ballot, ignore-highest-vote, vote-below-promise, count-old-last-vote,
    /// report-current-vote, early-roll (with early-roll, --admit 2 --alpha 2 unless given).
    #[arg(long, value_parser = planted_bug)]
    plant: Option<PlantedBug>,
    /// One membership change (§3.3.6): a fourth place, Dwork, is laid out with weight 0 and the
    /// first petition is "Dwork is now a legislator" of weight W, 1 to 2; Toueg alone leads
    /// (with --petitions 2: about 3 million states, minutes) [default: no admission].
    #[arg(long, value_name = "W", value_parser = clap::value_parser!(u32).range(1..=2))]
    admit: Option<u32>,
    /// α with --admit: the admission is in force from its decree number + α on, 1 to 3
    /// [default: 1, or 2 with --plant early-roll].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3), requires = "admit")]
    alpha: Option<u64>,
    /// Checker threads, 1 to 256 (with a planted bug, one thread makes the counterexample the
    /// same each run).
    #[arg(long, default_value_t = 2, value_parser = count_of(1, 256))]
    threads: usize,
    /// Print the summary as one JSON object (with the counterexample's trace, if any).
    #[arg(long)]
    json: bool,
}

/// Runs `parliament model`; exit 1 when a rule broke (the trace is printed).
pub fn run(args: ModelArgs) -> anyhow::Result<i32> {
    let early_roll = args.plant == Some(PlantedBug::EarlyRoll);
    let o = Options {
        petitions: args.petitions,
        crashes: args.crashes,
        duplicates: args.duplicates,
        rounds_max: args.rounds.max(1),
        admit: args.admit.or(early_roll.then_some(2)),
        alpha: args.alpha.unwrap_or(if early_roll { 2 } else { 1 }),
        presidents: if args.admit.is_some() && !early_roll { 1 } else { Options::default().presidents },
        planted: args.plant,
        threads: if args.plant.is_some() { 1 } else { args.threads.max(1) },
        ..Options::default()
    };
    let spinner = progress(0, "", args.json);
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} checking every state ({elapsed})")
            .expect("a valid template"),
    );
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let report = model::check(&o);
    spinner.finish_and_clear();
    if args.json {
        let out = serde_json::json!({
            "holds": report.counterexample.is_none(),
            "states": report.states,
            "unique_states": report.unique_states,
            "depth": report.depth,
            "seconds": report.seconds,
            "decree_can_pass": report.decree_can_pass,
            "every_petition_can_pass": report.every_petition_can_pass,
            "broken": report.broken,
            "counterexample_steps": report.counterexample_steps,
            "counterexample": report.counterexample,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(if report.counterexample.is_some() { 1 } else { 0 });
    }
    if let Some(trace) = &report.counterexample {
        println!("{trace}");
    }
    println!("{}", model::summary(&report));
    Ok(if report.counterexample.is_some() { 1 } else { 0 })
}
