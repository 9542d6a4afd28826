//! `parliament simulate`: one seed told as a story, or thousands of seeds checked in silence.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

use super::options::{count_of, planted_bug, probability, progress, ticks};
use parliament::priest::PlantedBug;
use parliament::sim::telling::cast;
use parliament::sim::{self, At, Failure, Level, Narrator, Outcome, SimConfig, Stats, count};

/// Options of `parliament simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The seed, 0 to 2^64-1; the same seed and options replay the same run byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run this many seeds, 1 to 10^9, from --seed on, and print a summary (no narrative).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    seeds: u64,
    /// Priests in the Chamber, 1 to 64.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    priests: u16,
    /// Petitions the citizens make, 0 to 100000; each must become exactly one decree.
    #[arg(long, alias = "decrees", default_value_t = 20, value_parser = count_of(0, 100_000))]
    petitions: usize,
    /// Chance that the messenger loses a message, 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    lose: f64,
    /// Chance that the messenger delivers a message twice, 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    duplicate: f64,
    /// Chance per tick, and per step that writes the ledger, that a priest leaves the Chamber,
    /// 0 to 1; after a write, he leaves before his messages go out.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    crash: f64,
    /// A message takes MIN..MAX ticks of virtual time, 1 to 1000, so messages overtake each other.
    #[arg(long, default_value = "1..3", value_parser = ticks, value_name = "MIN..MAX")]
    delay_ticks: (u64, u64),
    /// The old spelling of --delay-ticks 1..N.
    #[arg(long, hide = true, conflicts_with = "delay_ticks", value_parser = clap::value_parser!(u64).range(1..=1000))]
    delay_max: Option<u64>,
    /// Faults stop after this many ticks, 0 to 10^9 [default: 300 + 4 per petition].
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=1_000_000_000), value_name = "TICKS")]
    fault_ticks: Option<u64>,
    /// Plant a bug in every priest, to watch the checkers catch it: forget-promise,
    /// forget-vote, reuse-ballot, ignore-highest-vote, vote-below-promise, count-old-last-vote,
    /// report-current-vote, early-roll (with --membership or --grow-to).
    #[arg(long, value_parser = planted_bug, value_name = "BUG")]
    plant: Option<PlantedBug>,
    /// Crashes keep the `Decree` rows not yet synced (as runs found before they were left
    /// unsynced) [default: a crash loses part of them, as a machine's would].
    #[arg(long)]
    keep_unsynced: bool,
    /// Decrees each priest keeps in the back of his ledger before closing a volume into his law
    /// book (§3.3.2), 0 (never, the default) to 10^6; a priest lacking more copies a law book.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000), value_name = "DECREES")]
    volume_decrees: u64,
    /// Grow the Chamber by membership decrees (§3.3.6) from --priests legislators to N, 2 to 64,
    /// admitting the places laid out with weight 0 one at a time, then dismiss them again
    /// [default: no growing].
    #[arg(long, value_parser = count_of(2, 64), value_name = "N", conflicts_with = "membership")]
    grow_to: Option<usize>,
    /// Petition this many membership decrees (§3.3.6), 0 to 1000, one at a time, each at random:
    /// admit a priest of weight 0 (with weight 1 or 2) or dismiss a legislator while another remains.
    #[arg(long, default_value_t = 0, value_parser = count_of(0, 1000), value_name = "DECREES")]
    membership: usize,
    /// Places laid out with weight 0 beside --priests, for --membership to admit, 0 to 63
    /// [default: 2 with --membership, else 0].
    #[arg(long, value_parser = count_of(0, 63))]
    spares: Option<usize>,
    /// α of §3.3.6, 1 to 10^6: a membership decree at m is in force from m + α on, and a president
    /// begins no ballot for n before he knows every decree through n − α [default: 3 with
    /// --membership or --grow-to, else 256].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    alpha: Option<u64>,
    /// Write the run (one seed) as a Chamber's ledgers and messagebooks into this folder, to be
    /// read with `parliament laws --dir`, `status`, or a spreadsheet.
    #[arg(long, conflicts_with = "seeds")]
    dir: Option<std::path::PathBuf>,
    /// Threads for a run of many seeds, 1 to 1024 [default: one per core].
    #[arg(long, value_parser = count_of(1, 1024))]
    jobs: Option<usize>,
    /// Tell only what went wrong, and the result.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Tell every ledger row and every message, the lost and the duplicated too.
    #[arg(long, short)]
    verbose: bool,
}

impl SimulateArgs {
    fn config(&self, seed: u64) -> SimConfig {
        let mut c = SimConfig::new(seed, usize::from(self.priests), self.petitions);
        c.lose = self.lose;
        c.duplicate = self.duplicate;
        c.crash = self.crash;
        c.keep_unsynced = self.keep_unsynced;
        c.volume_decrees = self.volume_decrees;
        (c.delay_min, c.delay_max) = self.delay_max.map_or(self.delay_ticks, |max| (1, max));
        if let Some(t) = self.fault_ticks {
            c.fault_ticks = t;
        }
        c.planted = self.plant;
        c.keep_books = self.dir.is_some();
        if let Some(n) = self.grow_to {
            c.spares = n.saturating_sub(c.priests);
            c.membership = sim::Membership::Grow;
        } else if self.membership > 0 {
            c.spares = self.spares.unwrap_or(2);
            c.membership = sim::Membership::Random(self.membership);
        } else {
            c.spares = self.spares.unwrap_or(0);
        }
        let changing = c.membership != sim::Membership::Off;
        c.alpha = self.alpha.unwrap_or(if changing { 3 } else { parliament::priest::DEFAULT_ALPHA });
        c
    }
}

/// Runs `parliament simulate`; returns the exit code.
pub fn run(args: SimulateArgs) -> anyhow::Result<i32> {
    if args.seeds == 1 {
        return run_one(&args);
    }
    run_many(&args)
}

fn run_one(args: &SimulateArgs) -> anyhow::Result<i32> {
    let config = args.config(args.seed);
    let names = config.names();
    let level = Level::from_flags(args.quiet, args.verbose);
    let mut narrator = Narrator::new(&names, level, Box::new(std::io::stdout())).with_alpha(config.alpha);
    if level > Level::Quiet {
        let weights = config.weights();
        let (sitting, spare): (Vec<_>, Vec<_>) = (0..names.len()).partition(|&i| weights[i] > 0);
        let pick = |is: &[usize]| is.iter().map(|&i| names[i].clone()).collect::<Vec<_>>();
        let laid_out = match spare.len() {
            0 => String::new(),
            _ => {
                format!("; {} are laid out with weight 0 (§3.3.6, α = {})", cast(&pick(&spare)), config.alpha)
            }
        };
        let line = format!(
            "Seed {}: {} sit{laid_out}; citizens will make {}.",
            config.seed,
            cast(&pick(&sitting)),
            count(config.decrees, "petition")
        );
        narrator.note(At::Tick(0), line);
    }
    let started = Instant::now();
    let outcome = sim::run(&config, (level > Level::Quiet).then_some(&mut narrator));
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
        "seed {}: {} became {} in all {} in {}; every check held.",
        config.seed,
        count(config.decrees, "petition"),
        count(s.decrees, "decree"),
        count(config.places(), "ledger"),
        count(s.ticks, "tick")
    );
    print_faults(s);
    println!("{}", rate(s.delivered, elapsed));
    Ok(0)
}

fn print_faults(s: &Stats) {
    println!(
        "{}: {} delivered, {} lost, {} duplicated, {} to priests away; {} ({} between ledger and send, {} unsent, {} lost unsynced); {} read again by priests back in the Chamber; {}",
        count(s.sent, "message"),
        s.delivered,
        s.lost,
        s.duplicated,
        s.missed,
        count(s.crashes, "crash"),
        s.crashes_before_send,
        count(s.unsent, "message"),
        count(s.unsynced_lost, "Decree row"),
        count(s.petitions_read_again, "petition"),
        count(s.repeats, "void repeat")
    );
    if s.membership.0 > 0 {
        println!(
            "membership (§3.3.6): {} passed; rolls of {} to {} legislators",
            count(s.membership.0, "membership decree"),
            s.membership.1,
            s.membership.2
        );
    }
    if s.volumes != (0, 0, 0) {
        println!(
            "law books (§3.3.2): {} closed, {} between a law page and its new volume, {} copied by priests who lacked more than the back",
            count(s.volumes.0, "volume"),
            count(s.volumes.1, "crash"),
            count(s.volumes.2, "law book")
        );
    }
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
        Failure::Framing { detail } => eprintln!("seed {seed}: a messagebook row bent a message: {detail}"),
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
    let bar = progress(args.seeds, "seeds", false);
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
                    bar.set_position(t.seeds);
                    if t.seeds % 100 == 0 {
                        bar.set_message(rate(t.stats.delivered, started.elapsed()));
                    }
                }
            });
        }
    });
    bar.finish_and_clear();
    let mut t = totals.into_inner().context("a worker panicked")?;
    let elapsed = started.elapsed();
    let names = args.config(args.seed).names();
    t.failures.sort_by_key(|o| o.config.seed);
    if let Some(first) = t.failures.first() {
        report_failure(first, first.failure.as_ref().expect("failed"), &names);
        return Ok(1);
    }
    let s = &t.stats;
    println!(
        "{} ({}..={}): every check held; {} passed in {}.",
        count(t.seeds, "seed"),
        args.seed,
        args.seed + t.seeds - 1,
        count(s.decrees, "decree"),
        count(s.ticks, "tick")
    );
    print_faults(s);
    println!("{} on {}", rate(s.delivered, elapsed), count(jobs, "thread"));
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
    total.unsynced_lost += s.unsynced_lost;
    total.petitions_read_again += s.petitions_read_again;
    total.rows += s.rows;
    total.decrees += s.decrees;
    total.repeats += s.repeats;
    total.volumes.0 += s.volumes.0;
    total.volumes.1 += s.volumes.1;
    total.volumes.2 += s.volumes.2;
    total.membership.0 += s.membership.0;
    total.membership.1 =
        if total.membership.2 == 0 { s.membership.1 } else { total.membership.1.min(s.membership.1) };
    total.membership.2 = total.membership.2.max(s.membership.2);
}
