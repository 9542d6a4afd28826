//! `parliament watch` (and `convene --watch`): the Chamber on one screen. Watches the Chamber in
//! `--dir` if a priest sits there; otherwise convenes one as God does and watches it, with the keys
//! in hand; `--replay DIR` steps through a finished one.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use parliament::books::statute::discover_roll;
use parliament::chamber::god::{self, ConveneOptions, Sitting};
use parliament::chamber::messenger::Faults;
use parliament::chamber::sitting::held_by;
use parliament::exit;
use parliament::names::chamber_names;
use parliament::watch::hands::Hands;
use parliament::watch::{replay, term};

use super::options::{pace, tick};

/// The log a watch keeps of what its priests (and it) said while the screen was up.
pub const WATCH_LOG: &str = "watch.log";

/// Options of `parliament watch`.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// The Chamber's folder; if no priest sits there, the watch convenes the Chamber itself.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Step through the finished Chamber in DIR, forward and backward by its rows' times.
    #[arg(long, value_name = "DIR", conflicts_with = "dir")]
    replay: Option<PathBuf>,
    /// How many priests a Chamber the watch convenes holds, 1 to 9 (keys 1-9 name them) [default: 5].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=9))]
    priests: Option<u16>,
    /// Convene the priests as threads of this process instead of one process each (then k and b
    /// cannot act: a thread cannot be killed alone).
    #[arg(long)]
    threads: bool,
    /// Slow every delivery by this much, 0 to 60s (+ and - change it while watching).
    #[arg(long, value_parser = pace, default_value = "0ms")]
    pace: Duration,
    /// One tick of the priests' time, 1ms to 10s [default: 20ms].
    #[arg(long, value_parser = tick, value_name = "DURATION")]
    tick: Option<Duration>,
}

/// Refuses at once, before convening anything, when the screen would go nowhere.
fn need_a_terminal() -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!(
            "parliament watch needs a terminal: its standard output is not one (try `parliament status` or `laws` in scripts)"
        );
    }
    Ok(())
}

/// Runs `parliament watch`.
pub fn run(args: WatchArgs) -> anyhow::Result<i32> {
    if args.replay.is_none() && !args.dir.exists() {
        // A typo in --dir laid out and convened a new Chamber, told only in the title bar.
        bail!(
            "{} does not exist; to convene a new Chamber there and watch it, make the folder first (mkdir -p {})",
            args.dir.display(),
            args.dir.display()
        );
    }
    need_a_terminal()?;
    if let Some(dir) = &args.replay {
        let Some(roll) = discover_roll(dir)? else {
            bail!("{} holds no Chamber (no roll.csv, no ledgers/*.csv) to replay", dir.display());
        };
        let timeline = replay::Timeline::read(dir, &roll);
        let stop = stop_on_signal()?;
        replay::run(&timeline, &stop, &dir.join(WATCH_LOG))?;
        return Ok(exit::DONE);
    }
    let names = chamber_names(usize::from(args.priests.unwrap_or(5)));
    let opts = ConveneOptions {
        dir: args.dir.clone(),
        names,
        alpha: None,
        names_given: args.priests.is_some(),
        petitions: Vec::new(),
        stay: true,
        processes: !args.threads,
        faults: Faults { pace: args.pace, seed: 1, ..Faults::default() },
        narrate: false,
        timeout: Duration::from_secs(24 * 3600),
        tick: args.tick.unwrap_or(Duration::from_millis(20)),
        crash_after_sync: 0.0,
        exe: None,
    };
    watch(opts)
}

/// How long a Chamber laid out a moment ago is given to sit down before the watch convenes it.
const SITTING_DOWN: Duration = Duration::from_secs(3);

/// Whether the Chamber in `dir` was laid out within [`SITTING_DOWN`] (its roll's age).
fn just_laid_out(dir: &Path) -> bool {
    std::fs::metadata(parliament::books::layout::roll_path(dir))
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age < SITTING_DOWN))
}

/// Watches the Chamber `opts.dir` names: convened by this watch (as `convene --stay` would, with
/// `opts`) unless a priest already sits there. Petitions in `opts` are handed in once.
pub fn watch(opts: ConveneOptions) -> anyhow::Result<i32> {
    need_a_terminal()?;
    let dir = opts.dir.clone();
    let existing = discover_roll(&dir)?;
    let sits = |r: &parliament::books::Roll| r.names().iter().any(|n| held_by(&dir, n).is_some());
    let mut sitting = existing.as_ref().is_some_and(sits);
    if !sitting && let Some(roll) = existing.as_ref().filter(|_| just_laid_out(&dir)) {
        // A Chamber laid out a moment ago may be sitting down now (a `convene` or a `bench` that
        // lays out, then starts its priests): convened here too, it would turn them away.
        eprintln!(
            "watch: {} was laid out a moment ago; waiting up to {} s for its priests to sit",
            dir.display(),
            SITTING_DOWN.as_secs()
        );
        let deadline = std::time::Instant::now() + SITTING_DOWN;
        while !sitting && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            sitting = sits(roll);
        }
    }
    let stop = stop_on_signal()?;
    let (roll, god) = if sitting {
        (existing.expect("a roll"), None)
    } else {
        let roll = god::lay_out_with(&dir, &opts.names, opts.names_given, opts.alpha)?;
        // The priests God starts now say what they say into the log, as those he brings back
        // later do: written to the terminal, it went behind the screen (or onto it), and the
        // log said nothing.
        let to_log = term::StderrTo::open(&dir.join(WATCH_LOG))?;
        let sitting = Sitting::open(&opts, &roll);
        drop(to_log);
        let sitting = sitting?;
        for (i, (id, text)) in opts.petitions.iter().enumerate() {
            god::petition(&dir, &roll, &roll.names()[i % roll.len()], "citizen", id, text)?;
        }
        (roll, Some((sitting, opts)))
    };
    let mut hands = Hands::new(&dir, &roll, god);
    let log = dir.join(WATCH_LOG);
    let stats = term::live(&dir, &roll, &mut hands, &stop, &log);
    stop.store(true, Ordering::Relaxed);
    hands.dismiss();
    let stats = stats?;
    let said = if std::fs::metadata(&log).is_ok_and(|m| m.len() > 0) {
        format!("what the priests said is in {}", shown(&log))
    } else if sitting {
        "the priests of a Chamber this watch did not convene speak in its own terminal".to_string()
    } else {
        format!("the priests said nothing ({} is empty)", shown(&log))
    };
    eprintln!("{}; {said}", stats.line());
    Ok(exit::DONE)
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// The flag Ctrl-C (outside raw mode), SIGTERM and SIGHUP set.
fn stop_on_signal() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::Relaxed)).context("catching Ctrl-C and SIGTERM")?;
    Ok(stop)
}
