//! `parliament simulate`: one seed told as a story, or thousands of seeds checked in silence.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;

use super::options::{planted_bug, probability};
use parliament::names::chamber_names;
use parliament::priest::PlantedBug;
use parliament::sim::{self, Failure, Narrator, Outcome, SimConfig, Stats};

/// Options of `parliament simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The seed; the same seed and options replay the same run byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run this many seeds, from --seed on, and print a summary (no narrative).
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// Priests in the Chamber (1 to 64).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    priests: u16,
    /// Petitions the citizens make; each must become exactly one decree.
    #[arg(long, default_value_t = 20)]
    decrees: usize,
    /// Chance that the messenger loses a message (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    lose: f64,
    /// Chance that the messenger delivers a message twice (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    duplicate: f64,
    /// Chance per tick, and per step that writes the ledger, that a priest leaves the Chamber;
    /// after a write, he leaves before his messages go out (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    crash: f64,
    /// A message takes 1 to this many ticks, so messages overtake each other.
    #[arg(long, default_value_t = 3)]
    delay_max: u64,
    /// Faults stop after this many ticks [default: 300 + 4 per decree].
    #[arg(long)]
    fault_ticks: Option<u64>,
    /// Plant a bug in every priest, to watch the checkers catch it: forget-promise,
    /// forget-vote, reuse-ballot, ignore-highest-vote, vote-below-promise, count-old-last-vote,
    /// report-current-vote.
    #[arg(long, value_parser = planted_bug)]
    plant: Option<PlantedBug>,
    /// Write the run (one seed) as a Chamber's ledgers and messagebooks into this folder, to be
    /// read with `parliament laws --dir`, `status`, or a spreadsheet.
    #[arg(long, conflicts_with = "seeds")]
    dir: Option<std::path::PathBuf>,
    /// Threads for a run of many seeds [default: one per core].
    #[arg(long)]
    jobs: Option<usize>,
    /// Print only the summary, not the narrative.
    #[arg(long, short)]
    quiet: bool,
}

impl SimulateArgs {
    fn config(&self, seed: u64) -> SimConfig {
        let mut c = SimConfig::new(seed, usize::from(self.priests), self.decrees);
        c.lose = self.lose;
        c.duplicate = self.duplicate;
        c.crash = self.crash;
        c.delay_max = self.delay_max.max(1);
        if let Some(t) = self.fault_ticks {
            c.fault_ticks = t;
        }
        c.planted = self.plant;
        c.keep_books = self.dir.is_some();
        c
    }
}

/// Runs `parliament simulate`; returns the exit code.
pub fn run(args: SimulateArgs) -> anyhow::Result<i32> {
    if args.seeds == 0 {
        bail!("--seeds 0 runs nothing; give at least 1");
    }
    if args.seeds == 1 {
        return run_one(&args);
    }
    run_many(&args)
}

fn run_one(args: &SimulateArgs) -> anyhow::Result<i32> {
    let config = args.config(args.seed);
    let names = chamber_names(config.priests);
    let mut narrator = Narrator::new(&names, Box::new(std::io::stdout()));
    let started = Instant::now();
    let outcome = sim::run(&config, (!args.quiet).then_some(&mut narrator));
    let elapsed = started.elapsed();
    if let Some(dir) = &args.dir {
        sim::files::write_chamber(&outcome, dir)
            .with_context(|| format!("writing the run into {}", dir.display()))?;
        println!(
            "The run is written as a Chamber in {}: try `parliament laws --dir {}`.",
            dir.display(),
            dir.display()
        );
    }
    if let Some(failure) = &outcome.failure {
        report_failure(&outcome, failure, &names);
        return Ok(1);
    }
    let s = &outcome.stats;
    println!(
        "seed {}: {} petitions became {} decrees in all {} ledgers in {} ticks; every check held.",
        config.seed, config.decrees, s.decrees, config.priests, s.ticks
    );
    print_faults(s);
    println!("{}", rate(s.delivered, elapsed));
    Ok(0)
}

fn print_faults(s: &Stats) {
    println!(
        "messages: {} sent, {} delivered, {} lost, {} duplicated, {} to priests away; crashes: {} ({} between ledger and send, {} messages unsent); petitions made again: {}; void repeats: {}",
        s.sent,
        s.delivered,
        s.lost,
        s.duplicated,
        s.missed,
        s.crashes,
        s.crashes_before_send,
        s.unsent,
        s.petitions_again,
        s.repeats
    );
}

fn rate(delivered: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    format!("{:.2} s, {:.0} simulated messages per second", secs, delivered as f64 / secs)
}

fn report_failure(outcome: &Outcome, failure: &Failure, names: &[String]) {
    let seed = outcome.config.seed;
    match failure {
        Failure::Violation(v) if v.row == 0 => {
            eprintln!("seed {seed}: {} broken: {}", v.rule, v.detail);
        }
        Failure::Violation(v) => eprintln!(
            "seed {seed}: {} broken by {}'s ledger, row {}: {}",
            v.rule,
            names[v.priest.index()],
            v.row,
            v.detail
        ),
        Failure::Damaged { priest, detail } => {
            eprintln!("seed {seed}: {}'s ledger is damaged: {detail}", names[priest.index()]);
        }
    }
    eprintln!("replay: {}", outcome.config.replay_command());
}

/// Totals over many seeds.
#[derive(Default)]
struct Totals {
    seeds: u64,
    stats: Stats,
    failures: Vec<Outcome>,
}

fn run_many(args: &SimulateArgs) -> anyhow::Result<i32> {
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let totals = Mutex::new(Totals::default());
    let started = Instant::now();
    let progress = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= args.seeds {
                        break;
                    }
                    let outcome = sim::run(&args.config(args.seed + i), None);
                    let mut t = totals.lock().expect("a worker panicked");
                    add(&mut t.stats, &outcome.stats);
                    t.seeds += 1;
                    if outcome.failure.is_some() {
                        t.failures.push(outcome);
                        stop.store(true, Ordering::Relaxed);
                    }
                    if progress && t.seeds % 100 == 0 {
                        eprint!(
                            "\r{} of {} seeds, {}   ",
                            t.seeds,
                            args.seeds,
                            rate(t.stats.delivered, started.elapsed())
                        );
                    }
                }
            });
        }
    });
    if progress {
        eprintln!();
    }
    let mut t = totals.into_inner().context("a worker panicked")?;
    let elapsed = started.elapsed();
    let names = chamber_names(usize::from(args.priests));
    t.failures.sort_by_key(|o| o.config.seed);
    if let Some(first) = t.failures.first() {
        report_failure(first, first.failure.as_ref().expect("failed"), &names);
        return Ok(1);
    }
    let s = &t.stats;
    println!(
        "{} seeds ({}..={}): every check held; {} decrees passed in {} ticks.",
        t.seeds,
        args.seed,
        args.seed + t.seeds - 1,
        s.decrees,
        s.ticks
    );
    print_faults(s);
    println!("{} on {jobs} threads", rate(s.delivered, elapsed));
    std::io::stdout().flush()?;
    Ok(0)
}

fn add(total: &mut Stats, s: &Stats) {
    total.ticks += s.ticks;
    total.steps += s.steps;
    total.sent += s.sent;
    total.delivered += s.delivered;
    total.lost += s.lost;
    total.duplicated += s.duplicated;
    total.missed += s.missed;
    total.crashes += s.crashes;
    total.crashes_before_send += s.crashes_before_send;
    total.unsent += s.unsent;
    total.petitions_again += s.petitions_again;
    total.rows += s.rows;
    total.decrees += s.decrees;
    total.repeats += s.repeats;
}
