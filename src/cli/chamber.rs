//! `parliament convene`, `parliament priest` and `parliament petition`: the Chamber on files.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use parliament::books::Roll;
use parliament::books::layout::{book_dir, ledger_path};
use parliament::books::membership::{membership_text, membership_words, roll_change};
use parliament::books::statute::{Chamber, discover_roll};
use parliament::chamber::god::{self, ConveneOptions};
use parliament::chamber::messenger::Faults;
use parliament::chamber::runtime::{Runtime, RuntimeError, chamber_config};
use parliament::chamber::sitting::held_by;
use parliament::chamber::unreachable::says_unreachable;
use parliament::exit;
use parliament::files::{WakeSource, mount, poll};
use parliament::names::chamber_names;
use parliament::priest::{RollLaw, Weights};
use parliament::sim::DECREES;
use parliament::sim::telling::{At, Level, SITTING_VAR, cast, count, open_sitting, sitting_var, stamp};

use super::laws::print_laws;
use super::options::{alpha, delay, millis_range, pace, probability, show, tick, timeout};

/// How unreliable the messengers are, and how fast time passes; shared by `convene` and `priest`.
#[derive(Args, Debug, Clone)]
pub struct MessengerArgs {
    /// Chance that a messenger loses a message, 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    lose: f64,
    /// Chance that a messenger delivers a message twice, 0 to 1.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    duplicate: f64,
    /// Delay every delivery by a time drawn from MIN..MAX, each with its unit, up to 60s (e.g.
    /// 10ms..200ms) [default: none].
    #[arg(long, value_parser = delay, value_name = "MIN..MAX")]
    delay: Option<(Duration, Duration)>,
    /// The seed the messengers' chances are drawn from, 0 to 2^64-1.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Slow every delivery by this much, 0 to 60s, so a person can follow along (e.g. 500ms).
    #[arg(long, value_parser = pace, default_value = "0ms")]
    pace: Duration,
    /// One tick of the priests' time, 1ms to 10s; heartbeats go every 10 ticks [default: 20ms, or
    /// half the pace plus the longest delay if more].
    #[arg(long, value_parser = tick, value_name = "DURATION")]
    tick: Option<Duration>,
    /// Tell only what went wrong, and the result.
    #[arg(long, short, conflicts_with = "verbose")]
    quiet: bool,
    /// Tell every ledger row and every message.
    #[arg(long, short)]
    verbose: bool,
}

impl MessengerArgs {
    fn faults(&self) -> Faults {
        Faults {
            lose: self.lose,
            duplicate: self.duplicate,
            delay: self.delay,
            pace: self.pace,
            seed: self.seed,
        }
    }

    fn level(&self) -> Level {
        Level::from_flags(self.quiet, self.verbose)
    }

    fn tick(&self) -> Duration {
        let slowest = self.pace + self.delay.map_or(Duration::ZERO, |(_, b)| b);
        self.tick.unwrap_or_else(|| Duration::from_millis(20).max(slowest / 2))
    }
}

/// Options of `parliament convene`.
#[derive(Args, Debug)]
pub struct ConveneArgs {
    /// The Chamber's folder: its ledgers/ and messagebooks/ are made here.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// How many priests a new Chamber holds, 1 to 64; they take the paper's names [default: 5].
    #[arg(long, conflicts_with = "names", value_parser = clap::value_parser!(u16).range(1..=64))]
    priests: Option<u16>,
    /// The priests' names for a new Chamber (ASCII letters, digits, '-', '_': Lynch, not Λῐνχ∂; a
    /// name is a file name), comma-separated; a
    /// weight after a colon makes a fat priest (Ann:2 counts as two in a majority set, §2.2), and
    /// a '+' before a name lays him out with weight 0: he learns every decree but is no
    /// legislator until a decree says so (parliament admit).
    #[arg(long, value_delimiter = ',', value_name = "NAME[:WEIGHT],+NAME")]
    names: Vec<String>,
    /// α of a new Chamber, 1 to 1048576 (§3.3.6): a membership decree passed at n is in force
    /// from decree n + α on, and a president may have at most α ballots in flight past the
    /// decrees he knows. Fixed when the Chamber is laid out [default: 3, the paper's].
    #[arg(long, value_parser = alpha)]
    alpha: Option<u64>,
    /// A petition to pass (repeat for more) [default: five decrees from the paper].
    #[arg(long = "petition", value_name = "TEXT")]
    petitions: Vec<String>,
    /// Sit until stopped (Ctrl-C), answering petitions and hand-written rows.
    #[arg(long)]
    stay: bool,
    /// Run each priest as his own OS process; God brings back any that dies.
    #[arg(long)]
    processes: bool,
    /// Sit until q, watching the Chamber on one screen (parliament watch), keys in hand.
    #[arg(long)]
    watch: bool,
    /// Look at the messagebooks every tick instead of waiting for notifications (chosen by
    /// itself when the folder is on a FUSE, NFS or SMB mount, where other computers' writes are
    /// never notified).
    #[arg(long)]
    poll: bool,
    /// Give up, exit 1, if the petitions have not passed into every ledger by then (1s to 24h).
    #[arg(long, value_parser = timeout, default_value = "60s", value_name = "DURATION")]
    timeout: Duration,
    #[command(flatten)]
    messengers: MessengerArgs,
}

/// An id for a petition given to `convene`: the same text is the same petition, so convening
/// again does not pass it twice.
fn convene_id(text: &str) -> String {
    let h =
        text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("convene-{h:016x}")
}

/// Says at once that the Chamber sits (or that it need not), who sits in it and how to stop it,
/// and opens the sitting whose clock every line of the narrative counts from. Priest processes
/// inherit the sitting through the environment.
fn announce(args: &ConveneArgs, names: &[String], petitions: &[(String, String)]) {
    let m = &args.messengers;
    let sitting = open_sitting(m.level());
    if args.processes {
        // SAFETY: called before any thread of ours is started (the Ctrl-C handler comes after).
        unsafe { std::env::set_var(SITTING_VAR, sitting_var(&sitting)) };
    }
    if sitting.level == Level::Quiet {
        return;
    }
    let roll = discover_roll(&args.dir).ok().flatten();
    let names = roll.as_ref().map_or(names, |r| r.names());
    let mut ids: Vec<String> = petitions.iter().map(|(id, _)| id.clone()).collect();
    if let Some(roll) = &roll {
        // God waits for the petitions pending in the messagebooks too: so does this line.
        ids.extend(god::pending_petitions(&args.dir, roll).into_iter().map(|id| id.0.to_string()));
    }
    // What the ledgers there are hold already: a ledger removed by hand holds nothing, and its
    // priest will not sit (he may have forgotten a promise), so it is not waited for.
    let (mut done, mut law, mut missing) = (false, 0, Vec::new());
    if let Some(roll) = &roll {
        let mut chamber = Chamber::open(&args.dir, roll);
        if chamber.refresh().is_ok() {
            let present: Vec<bool> = chamber.ledgers.iter().map(|f| f.present).collect();
            done = present.iter().any(|p| *p) && chamber.holds_all(&ids, &present);
            law = petitions
                .iter()
                .filter(|(id, _)| {
                    let id = parliament::priest::PetitionId(id.as_str().into());
                    chamber.ledgers.iter().any(|f| f.durable.passed.contains_key(&id))
                })
                .count();
            missing =
                roll.names().iter().zip(&present).filter(|(_, p)| !**p).map(|(n, _)| n.clone()).collect();
        }
    }
    let missing = match missing.as_slice() {
        [] => String::new(),
        [one] => format!(" ({}: {one} may not vote again)", missing_ledgers(&missing)),
        _ => format!(" ({}: they may not vote again)", missing_ledgers(&missing)),
    };
    let dir = args.dir.display();
    let line = if done && !args.stay {
        let every = if missing.is_empty() { "every ledger" } else { "every ledger there is" };
        format!("Every petition is law in {every} in {dir} already{missing}: the Chamber need not sit.")
    } else {
        let until = if args.stay {
            format!("it sits until Ctrl-C{missing}")
        } else if law == petitions.len() {
            // A newcomer's trial: "0 petitions to pass", and then a petition passed.
            format!(
                "the {} asked for {} law already: it sits until every ledger holds {} (any petition waiting in \
                 the messagebooks passes too), then rises{missing}; Ctrl-C stops it sooner",
                count(law, "petition"),
                if law == 1 { "is" } else { "are" },
                if law == 1 { "it" } else { "them" }
            )
        } else if law > 0 {
            format!(
                "{} to pass ({law} of the {} asked for {} law already), then it rises{missing}; Ctrl-C stops it sooner",
                count(petitions.len() - law, "petition"),
                petitions.len(),
                if law == 1 { "is" } else { "are" }
            )
        } else {
            format!(
                "{} to pass, then it rises{missing}; Ctrl-C stops it sooner",
                count(petitions.len(), "petition")
            )
        };
        let pace = if m.pace > Duration::ZERO {
            let wait = m.tick() * chamber_config(names.len()).president_timeout_ticks as u32;
            format!(
                " Every delivery waits {} (--pace): a president steps forward after about {}.",
                show(m.pace),
                show(wait)
            )
        } else {
            String::new()
        };
        format!("The Chamber sits in {dir}: {}; {until}.{pace}", cast(names))
    };
    println!("{} {line}", stamp(At::Now, sitting.started));
}

/// Missing ledgers as a person finds them: `ledgers/Lynch.csv is missing`.
fn missing_ledgers(names: &[String]) -> String {
    let files: Vec<String> = names.iter().map(|n| format!("ledgers/{n}.csv")).collect();
    format!("{} {} missing", files.join(", "), if files.len() == 1 { "is" } else { "are" })
}

/// The flag Ctrl-C and SIGTERM set.
fn stop_on_signal() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::Relaxed)).context("catching Ctrl-C and SIGTERM")?;
    Ok(stop)
}

/// Runs `parliament convene`.
pub fn convene(args: ConveneArgs) -> anyhow::Result<i32> {
    let names_given = args.priests.is_some() || !args.names.is_empty();
    let names = if args.names.is_empty() {
        chamber_names(usize::from(args.priests.unwrap_or(5)))
    } else {
        args.names.clone()
    };
    let petitions: Vec<(String, String)> = if args.petitions.is_empty() {
        DECREES.iter().take(5).enumerate().map(|(i, t)| (format!("paper-{}", i + 1), t.to_string())).collect()
    } else {
        args.petitions.iter().map(|t| (convene_id(t), t.clone())).collect()
    };
    let m = &args.messengers;
    // Refuse bad names and folders, and a Chamber that sits already, before saying anything
    // sits, and before making anything.
    if names_given {
        parliament::books::Roll::from_seats(&names).map_err(anyhow::Error::msg)?;
    }
    if !args.dir.exists() {
        bail!(
            "{} does not exist; to lay out a new Chamber there, make the folder first (mkdir -p {})",
            args.dir.display(),
            args.dir.display()
        );
    }
    // Read under the roll's lock: a `convene` started with this one may be laying the folder out.
    let roll = god::read_roll(&args.dir)?;
    if roll.is_some() {
        god::check_no_convener(&args.dir)?;
    }
    if let Some(roll) = &roll
        && let Some((name, holder)) = roll.names().iter().find_map(|n| held_by(&args.dir, n).map(|h| (n, h)))
    {
        return Err(parliament::exit::Exit::new(
            exit::ALREADY_SITTING,
            format!(
                "{name} already sits in another process ({holder}): this Chamber is sitting; petition it (parliament petition --dir {}) or stop that sitting first",
                args.dir.display()
            ),
        )
        .into());
    }
    let names = match roll {
        Some(r) if !names_given => r.names().to_vec(),
        _ => names,
    };
    if args.poll {
        // SAFETY: called before any thread of ours is started; priest processes inherit it.
        unsafe { std::env::set_var(poll::POLL_VAR, "1") };
    }
    if !args.watch {
        let plain = parliament::books::Roll::from_seats(&names).map(|r| r.names().to_vec());
        announce(&args, &plain.unwrap_or_else(|_| names.clone()), &petitions);
    }
    let opts = ConveneOptions {
        dir: args.dir.clone(),
        names,
        alpha: args.alpha,
        names_given,
        petitions,
        stay: args.stay || args.watch,
        processes: args.processes,
        faults: m.faults(),
        narrate: !m.quiet && !args.watch,
        timeout: args.timeout,
        tick: m.tick(),
        crash_after_sync: 0.0,
        exe: None,
    };
    if args.watch {
        return super::watch::watch(opts);
    }
    let chamber = god::convene(&opts, stop_on_signal()?)?;
    print_laws(&chamber, false);
    Ok(0)
}

/// Options of `parliament priest`.
#[derive(Args, Debug)]
pub struct PriestArgs {
    /// The priest's name, as in ledgers/<NAME>.csv.
    name: String,
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Look at the messagebook's pages every tick instead of waiting for notifications (chosen by
    /// itself when the folder is on a FUSE, NFS or SMB mount).
    #[arg(long)]
    poll: bool,
    /// The tick in milliseconds (as God passes it).
    #[arg(long, hide = true)]
    tick_ms: Option<u64>,
    /// The pace in milliseconds (as God passes it).
    #[arg(long, hide = true)]
    pace_ms: Option<u64>,
    /// The delay range in milliseconds (as God passes it).
    #[arg(long, hide = true, value_parser = millis_range)]
    delay_ms: Option<(Duration, Duration)>,
    /// Chance of dying right after a ledger sync, before relaying (for chaos trials).
    #[arg(long, hide = true, default_value_t = 0.0, value_parser = probability)]
    crash_after_sync: f64,
    #[command(flatten)]
    messengers: MessengerArgs,
}

/// What a priest who has just sat down is told when too few of the others sit with him for any
/// decree to pass: a majority set must vote (§2.1), so he waits for them, and who to start.
fn short_of_a_majority(dir: &std::path::Path, roll: &Roll, me: &str) -> Option<String> {
    use parliament::priest::{PriestId, Quorum};
    let mut chamber = Chamber::open(dir, roll);
    chamber.refresh().ok()?;
    let law = chamber.roll_law(dir).ok()?;
    let weights = law.latest();
    let mut sitting = Quorum::default();
    let mut away = Vec::new();
    for (i, name) in roll.names().iter().enumerate() {
        let p = PriestId(i as u16);
        if name == me || held_by(dir, name).is_some() {
            sitting.insert(p);
        } else if weights.is_legislator(p) {
            away.push(name.as_str());
        }
    }
    if weights.is_majority(sitting) {
        return None;
    }
    let legislators = weights.legislators().count();
    let needed = if roll.weights().iter().all(|&w| w <= 1) {
        format!("{} of the {legislators} legislators", legislators / 2 + 1)
    } else {
        "legislators weighing more than half".to_string()
    };
    let with = match sitting.len() {
        1 => format!("{me} sits alone"),
        n => format!("{me} sits with {} other{}", n - 1, if n == 2 { "" } else { "s" }),
    };
    let start: Vec<String> = away.iter().map(|n| format!("parliament priest {n}")).collect();
    Some(format!(
        "{with}: nothing can pass until a majority set sits ({needed}; a decree needs their votes, §2.1). He \
         answers his messagebook and tries ballots meanwhile. Start the others, each in a terminal of his own: {}",
        start.join(", ")
    ))
}

/// Runs `parliament priest NAME`: one priest, in this process, until stopped.
pub fn priest(args: PriestArgs) -> anyhow::Result<i32> {
    let roll = match discover_roll(&args.dir) {
        Err(e) if says_unreachable(&e) => {
            eprintln!(
                "{} cannot enter: {}: {e}; the Chamber's folder cannot be reached",
                args.name,
                args.dir.display()
            );
            return Ok(exit::UNREACHABLE);
        }
        roll => roll?,
    };
    let Some(roll) = roll else {
        return Err(crate::cli::no_chamber(&args.dir));
    };
    let mut m = args.messengers.clone();
    open_sitting(m.level());
    if let Some(ms) = args.pace_ms {
        m.pace = Duration::from_millis(ms);
    }
    if args.delay_ms.is_some() {
        m.delay = args.delay_ms;
    }
    let tick = args.tick_ms.map_or_else(|| m.tick(), Duration::from_millis);
    let settings = parliament::chamber::runtime::PriestSettings {
        dir: args.dir.clone(),
        name: args.name.clone(),
        tick,
        faults: m.faults(),
        narrate: !m.quiet,
        crash_after_sync: args.crash_after_sync,
    };
    let runtime = match Runtime::enter(settings, &roll) {
        Ok(r) => r,
        Err(e @ (RuntimeError::Ledger(_) | RuntimeError::Damaged(_))) => {
            eprintln!("{} refuses to vote: {e}", args.name);
            return Ok(exit::REFUSES);
        }
        Err(e @ RuntimeError::AlreadySitting(_)) => {
            eprintln!("parliament: {e}");
            return Ok(exit::ALREADY_SITTING);
        }
        Err(e @ RuntimeError::Unreachable(_)) => {
            eprintln!("{} leaves the Chamber: {e}", args.name);
            return Ok(exit::UNREACHABLE);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(why) = short_of_a_majority(&args.dir, &roll, &args.name) {
        eprintln!("{why}");
    }
    let stop = stop_on_signal()?;
    let polling = poll::choose(&args.dir, args.poll);
    if let Some(why) = &polling {
        eprintln!(
            "{}: {why}: he looks at his pages each tick instead of waiting for notifications",
            args.name
        );
    }
    if let Some(warning) = mount::check(&args.dir) {
        eprintln!("{warning}");
    }
    let mut watcher = WakeSource::new(polling.map(|_| poll::interval_for(tick)))
        .context("starting the filesystem watcher")?;
    watcher.watch_folder(book_dir(&args.dir, &args.name))?;
    let (tx, rx) = mpsc::channel();
    let fan_stop = stop.clone();
    std::thread::spawn(move || {
        while let Ok(w) = watcher.wait(Duration::from_millis(100)) {
            if fan_stop.load(Ordering::Relaxed) || ((!w.paths.is_empty() || w.rescan) && tx.send(()).is_err())
            {
                break;
            }
        }
    });
    match runtime.run(&rx, &stop) {
        Ok(()) => Ok(exit::DONE),
        Err(e @ RuntimeError::Vanished(_)) => {
            eprintln!("{} leaves the Chamber and refuses to vote: {e}", args.name);
            Ok(exit::REFUSES)
        }
        Err(e @ RuntimeError::Unreachable(_)) => {
            eprintln!("{} leaves the Chamber: {e}", args.name);
            Ok(exit::UNREACHABLE)
        }
        // His lease was taken over while he could not renew it (paused, cut off): another
        // process sits as him now.
        Err(e @ RuntimeError::AlreadySitting(_)) => {
            eprintln!("{} leaves the Chamber: {e}", args.name);
            Ok(exit::ALREADY_SITTING)
        }
        Err(e) => Err(e.into()),
    }
}

/// Options of `parliament petition`.
#[derive(Args, Debug)]
pub struct PetitionArgs {
    /// The text of the decree asked for.
    text: String,
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The priest to hand it to [default: the president, as the ledgers show him].
    #[arg(long)]
    to: Option<String>,
    /// Who petitions.
    #[arg(long, default_value = "citizen")]
    from: String,
}

/// Runs `parliament petition`: appends the row a person could write by hand.
pub fn petition(args: PetitionArgs) -> anyhow::Result<i32> {
    if args.text.trim().is_empty() {
        bail!("a petition needs a text: parliament petition 'Wine may not be watered'");
    }
    let Some(roll) = discover_roll(&args.dir)? else {
        return Err(crate::cli::no_chamber(&args.dir));
    };
    if let Some(Err(why)) = membership_words(&args.text).map(|w| w.map(|_| ())) {
        bail!("{why}");
    }
    if let Err(why) = roll_change(&roll, &args.text) {
        bail!("{why}");
    }
    hand_in(&args.dir, &roll, args.to, &args.from, &args.text)?;
    Ok(exit::DONE)
}

/// Hands a petition to `to` (or the president, as the ledgers show him), as `parliament petition`
/// does; says where it went. Returns its id.
fn hand_in(
    dir: &std::path::Path,
    roll: &Roll,
    to: Option<String>,
    from: &str,
    text: &str,
) -> anyhow::Result<String> {
    let to = match to {
        Some(to) => {
            check_to(roll, &to)?;
            to
        }
        None => {
            let mut chamber = Chamber::open_live(dir, roll);
            chamber.refresh()?;
            chamber.president().map_or_else(|| roll.names()[0].clone(), |p| roll.name(p).to_string())
        }
    };
    if parliament::names::check_name(from).is_err() {
        // A newcomer's trial: `--from 'Ann Smith'` was refused as a "priest name".
        let page: String =
            from.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
        let page = page.trim_matches('-');
        let try_it = if parliament::names::check_name(page).is_ok() {
            format!("; try --from {page}")
        } else {
            String::new()
        };
        bail!(
            "--from {from:?}: who petitions names his page of the messagebook (messagebooks/{to}/<from>.csv), \
             so it may hold only ASCII letters, digits, '-' and '_', 1 to 64 of them{try_it}"
        );
    }
    let id = format!("{from}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"));
    god::petition(dir, roll, &to, from, &id, text)?;
    println!("petition {id} is in messagebooks/{to}/{from}.csv");
    if held_by(dir, &to).is_none() {
        println!(
            "nobody sits as {to} now: the petition waits in his messagebook until he does (parliament convene --dir {})",
            dir.display()
        );
    }
    Ok(id)
}

/// `--to`: a priest on the roll, or an error naming the roll and the nearest name.
fn check_to(roll: &Roll, to: &str) -> anyhow::Result<()> {
    if roll.id(to).is_none() {
        let guess = parliament::names::did_you_mean(to, roll.names().iter().map(String::as_str));
        bail!("{to} is not a priest of this Chamber ({}){guess}", roll.names().join(", "));
    }
    Ok(())
}

/// Options of `parliament admit`.
#[derive(Args, Debug)]
pub struct AdmitArgs {
    /// The priest to make a legislator: a name on the roll, or a new one (ASCII letters, digits,
    /// '-', '_': Strong, not Στρωνγ; a name is a file name), who is given the next place.
    name: String,
    /// His weight in majority sets, 1 to 1000 (§2.2: Ann of weight 2 counts as two priests).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    weight: u32,
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The priest to hand the petition to [default: the president, as the ledgers show him].
    #[arg(long)]
    to: Option<String>,
    /// Who petitions.
    #[arg(long, default_value = "citizen")]
    from: String,
}

/// Options of `parliament dismiss`.
#[derive(Args, Debug)]
pub struct DismissArgs {
    /// The legislator to dismiss: a name on the roll.
    name: String,
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// The priest to hand the petition to [default: the president, as the ledgers show him].
    #[arg(long)]
    to: Option<String>,
    /// Who petitions.
    #[arg(long, default_value = "citizen")]
    from: String,
}

/// The roll of the Chamber in `dir`, or an error saying how to lay one out.
fn chamber_roll(dir: &std::path::Path) -> anyhow::Result<Roll> {
    discover_roll(dir)?.ok_or_else(|| crate::cli::no_chamber(dir))
}

/// The roll the membership decrees in the ledgers make, once all are in force (§3.3.6).
fn latest_roll(dir: &std::path::Path, roll: &Roll) -> anyhow::Result<Weights> {
    let mut chamber = Chamber::open_live(dir, roll);
    chamber.refresh()?;
    let alpha = parliament::books::settings::Settings::read(dir)?.alpha;
    let mut law = RollLaw::new(Weights(roll.weights().to_vec()), alpha);
    for f in &chamber.ledgers {
        for (&n, &c) in &f.durable.roll_changes {
            law.note(n, c);
        }
    }
    Ok(law.latest().clone())
}

/// Runs `parliament admit NAME`: gives a new name a place on the roll (and his files), then
/// petitions for the decree that makes him a legislator.
pub fn admit(args: AdmitArgs) -> anyhow::Result<i32> {
    parliament::names::check_name(&args.name).map_err(anyhow::Error::msg)?;
    let roll = chamber_roll(&args.dir)?;
    if let Some(to) = &args.to {
        // Checked before he is seated: a typo in --to must not leave a place laid out for nothing.
        check_to(&roll, to)?;
    }
    let roll = match roll.id(&args.name) {
        Some(p) => {
            let ledger = ledger_path(&args.dir, &args.name);
            if !ledger.exists() {
                // He refuses to vote without it: a roll that needs him could pass nothing again.
                bail!(
                    "{} is missing: {} lost his ledger and refuses to vote, so a roll whose majority sets need him could never pass a decree again. Admit a new name instead (parliament admit {}2 --dir {})",
                    ledger.display(),
                    args.name,
                    args.name,
                    args.dir.display()
                );
            }
            let latest = latest_roll(&args.dir, &roll)?;
            match latest.weight(p) {
                0 => {}
                w if w == args.weight => {
                    println!(
                        "{} is a legislator of weight {w} already in the latest roll the ledgers show: nothing to petition",
                        args.name
                    );
                    return Ok(exit::DONE);
                }
                w => println!(
                    "{} is a legislator of weight {w} in the latest roll the ledgers show; the decree makes his weight {}",
                    args.name, args.weight
                ),
            }
            roll
        }
        None => {
            let (roll, new) = Roll::seat(&args.dir, &args.name).with_context(|| {
                format!("giving {} a place on {}", args.name, args.dir.join("roll.csv").display())
            })?;
            god::lay_out_priest(&args.dir, &args.name)?;
            if new {
                println!(
                    "{} has place {} on the roll (roll.csv), weight 0 until the decree passes; his ledger is ledgers/{}.csv",
                    args.name,
                    roll.len(),
                    args.name
                );
            }
            roll
        }
    };
    let text = membership_text(&args.name, args.weight);
    hand_in(&args.dir, &roll, args.to, &args.from, &text)?;
    let alpha = parliament::books::settings::Settings::read(&args.dir)?.alpha;
    println!("when \"{text}\" passes as decree n, {} votes from decree n + {alpha} on (§3.3.6)", args.name);
    if roll.names().iter().any(|n| held_by(&args.dir, n).is_some())
        && held_by(&args.dir, &args.name).is_none()
    {
        println!(
            "if the Chamber sits under parliament convene, God seats {} by himself; if its priests were started by hand, start him too: parliament priest {} --dir {}",
            args.name,
            args.name,
            args.dir.display()
        );
    }
    Ok(exit::DONE)
}

/// Runs `parliament dismiss NAME`: petitions for the decree that makes him no legislator. He keeps
/// his place and files, and goes on learning the decrees.
pub fn dismiss(args: DismissArgs) -> anyhow::Result<i32> {
    let roll = chamber_roll(&args.dir)?;
    let Some(p) = roll.id(&args.name) else {
        bail!(
            "{} is not on the roll of {} ({}){}; only a priest on the roll can be dismissed",
            args.name,
            args.dir.display(),
            roll.names().join(", "),
            parliament::names::did_you_mean(&args.name, roll.names().iter().map(String::as_str))
        );
    };
    let latest = latest_roll(&args.dir, &roll)?;
    if latest.is_legislator(p) && latest.legislators().all(|q| q == p) {
        bail!(
            "{} is the Chamber's only legislator: dismissed, no decree could ever pass again. Admit another first (parliament admit NAME --dir {})",
            args.name,
            args.dir.display()
        );
    }
    let text = membership_text(&args.name, 0);
    hand_in(&args.dir, &roll, args.to, &args.from, &text)?;
    if !latest.is_legislator(p) {
        println!(
            "{} is no legislator in the latest roll the ledgers show; the decree changes nothing if so",
            args.name
        );
    }
    let alpha = parliament::books::settings::Settings::read(&args.dir)?.alpha;
    println!(
        "when \"{text}\" passes as decree n, {} is no legislator from decree n + {alpha} on (§3.3.6): his vote counts for nothing there; he keeps his place and his files, and goes on learning the decrees",
        args.name
    );
    Ok(exit::DONE)
}
