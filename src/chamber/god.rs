//! God: lays out the Chamber (the roll, `ledgers/`, `messagebooks/`, `presence/`), creates the
//! priests and their messengers, runs them (threads, or one OS process each, brought back when
//! one dies, and never outliving him), hands them the citizens' petitions, and stops them cleanly
//! when every petition has passed or when asked to (Ctrl-C, SIGTERM).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;

use super::messenger::Faults;
use super::revival::{Backoff, Reach};
use super::runtime::PriestSettings;
use super::sitting::held_by;
use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::layout::{MESSAGEBOOKS, PRESENCE, book_dir, ledger_path, page_path};
use crate::books::ledger_rows::LEDGER_HEADER;
use crate::books::settings::{NEW_CHAMBER_ALPHA, Settings, parse_alpha, settings_path};
use crate::books::statute::Chamber;
use crate::exit::{ALREADY_SITTING, Exit, NOT_DONE};
use crate::files::{AppendFile, WakeSource};
use crate::priest::{Message, Petition, PetitionId};

pub use crate::exit::REFUSES;

/// What `convene` was asked to do.
#[derive(Clone, Debug)]
pub struct ConveneOptions {
    /// The Chamber's folder.
    pub dir: PathBuf,
    /// The priests' names for a new Chamber (an existing one keeps its own), as `convene
    /// --names` takes them: `Ann:2`, `Bob`, `+Dan`.
    pub names: Vec<String>,
    /// α for a new Chamber (§3.3.6) [default: 3, the paper's]; an existing one keeps its own.
    pub alpha: Option<u64>,
    /// Whether the names were asked for (so a resumed Chamber must match them).
    pub names_given: bool,
    /// Petitions to pass: (id, text).
    pub petitions: Vec<(String, String)>,
    /// Sit until stopped instead of leaving when the petitions have passed.
    pub stay: bool,
    /// Run each priest as his own OS process.
    pub processes: bool,
    /// How unreliable the messengers are.
    pub faults: Faults,
    /// Print the narrative.
    pub narrate: bool,
    /// Give up (exit 1) if the petitions have not passed into every ledger by then.
    pub timeout: Duration,
    /// One tick of the priests' time.
    pub tick: Duration,
    /// Chance that a priest process kills itself (SIGKILL) right after a ledger sync, before his
    /// messenger relays what it allows: for the chaos trials.
    pub crash_after_sync: f64,
    /// The `parliament` binary to run priest processes with [default: this program].
    pub exe: Option<PathBuf>,
}

/// Lays out the Chamber in `dir` with α = 3 (the paper's) if it is new, and returns its roll: see
/// [`lay_out_with`].
pub fn lay_out(dir: &Path, names: &[String], names_given: bool) -> anyhow::Result<Roll> {
    lay_out_with(dir, names, names_given, None)
}

/// Lays out the Chamber in `dir` and returns its roll. A new Chamber gets its settings
/// (`chamber.csv`: α, [`NEW_CHAMBER_ALPHA`] unless asked), its roll (`roll.csv`), each priest's
/// ledger with its header, his messagebook folder, and `presence/`; names are checked before
/// anything is made. `names` are as `convene --names` takes them: `Ann:2` (weight 2), `Bob`
/// (weight 1), `+Dan` (laid out with weight 0). An existing Chamber keeps its roll and its α;
/// files that are not on the roll are named and ignored.
pub fn lay_out_with(
    dir: &Path,
    names: &[String],
    names_given: bool,
    alpha: Option<u64>,
) -> anyhow::Result<Roll> {
    if dir.exists() && !dir.is_dir() {
        bail!("{} is a file, not a folder; give --dir a folder for the Chamber", dir.display());
    }
    // One layout at a time: a second `convene` started with the first reads the folder only once
    // the first has laid it out whole (roll last), so it never finds ledgers without a roll.
    // Nothing is made for names that are refused.
    let asked = Roll::from_seats(names).map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let _layout = roll_lock(dir)?;
    if let Some(roll) = Roll::read(dir)? {
        let laid_out = roll.names().iter().zip(roll.weights()).take(asked.len());
        let same = asked.len() <= roll.len() && laid_out.eq(asked.names().iter().zip(asked.weights()));
        if names_given && !same {
            bail!(
                "{} already holds a Chamber of {} ({}); convene it without --priests/--names, or choose another --dir",
                dir.display(),
                roll.len(),
                seats(&roll)
            );
        }
        let settings = Settings::read(dir)?;
        if let Some(alpha) = alpha.filter(|a| *a != settings.alpha) {
            bail!(
                "{} holds a Chamber laid out with alpha {}; alpha is fixed when a Chamber is laid out, so convene it without --alpha {alpha}, or lay out a new one in another --dir",
                dir.display(),
                settings.alpha
            );
        }
        for n in roll.names() {
            std::fs::create_dir_all(book_dir(dir, n))?;
        }
        std::fs::create_dir_all(dir.join(PRESENCE))?;
        for stray in roll.strays(dir) {
            eprintln!("{}/{stray}", dir.display());
        }
        return Ok(roll);
    }
    let roll = asked;
    let alpha = alpha.unwrap_or(NEW_CHAMBER_ALPHA);
    parse_alpha(&alpha.to_string()).map_err(anyhow::Error::msg)?;
    for sub in ["ledgers", MESSAGEBOOKS, PRESENCE] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("creating {}", dir.join(sub).display()))?;
    }
    for n in roll.names() {
        AppendFile::open_with_header(ledger_path(dir, n), LEDGER_HEADER)?;
        std::fs::create_dir_all(book_dir(dir, n))?;
    }
    Settings { alpha }.write_new(dir).with_context(|| format!("writing {}", settings_path(dir).display()))?;
    // The roll last: a folder with a roll is a Chamber whose every ledger was laid out.
    roll.write_new(dir)
        .with_context(|| format!("writing {}", crate::books::layout::roll_path(dir).display()))?;
    Ok(roll)
}

/// Holds the roll's lock (`.roll.lock`, flock) until the returned file is dropped: kept by the
/// layout of a new Chamber as by [`Roll::seat`], so neither sees the other half done.
fn roll_lock(dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = dir.join(crate::books::layout::ROLL_LOCK);
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    // SAFETY: flock(2) on a descriptor we own; released when `lock` is closed.
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(anyhow::Error::new(e).context(format!("locking {}", path.display())));
    }
    Ok(lock)
}

/// The roll of the Chamber in `dir`, read under the roll's lock: never a Chamber half laid out
/// by a `convene` started at the same moment (its ledgers made, its roll not yet written).
pub fn read_roll(dir: &Path) -> anyhow::Result<Option<Roll>> {
    if !dir.is_dir() {
        return Ok(Roll::read(dir)?);
    }
    let _layout = roll_lock(dir)?;
    Ok(Roll::read(dir)?)
}

/// `.god.sitting`: held (flock) by the one `convene` that sits the Chamber, and saying which.
pub const CONVENER_LOCK: &str = ".god.sitting";

/// The lock of the one `convene` sitting the Chamber, held until dropped (saying this process
/// holds it); refused with exit 4, naming the process that holds it, if another holds it.
pub fn claim_convener(dir: &Path) -> anyhow::Result<std::fs::File> {
    convener_lock(dir, true)
}

/// Refused with exit 4, as [`claim_convener`], if another `convene` sits the Chamber; otherwise
/// nothing is held or written.
pub fn check_no_convener(dir: &Path) -> anyhow::Result<()> {
    convener_lock(dir, false).map(drop)
}

fn convener_lock(dir: &Path, say: bool) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::FileExt;
    let path = dir.join(CONVENER_LOCK);
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    // SAFETY: flock(2) on a descriptor we own; released when `lock` is closed.
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(Exit::new(ALREADY_SITTING, convener_sits(dir, &convener_holder(&path))).into());
    }
    if say {
        let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let me = format!(
            "pid {}, on host {}, sitting since {at}\n",
            std::process::id(),
            super::lease::host_name()
        );
        // Written over the last holder's line, then cut to length: a reader sees one line whole.
        lock.write_all_at(me.as_bytes(), 0)
            .and_then(|()| lock.set_len(me.len() as u64))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(lock)
}

/// Who holds the convener's lock, as its file says: a line naming a live process on this host,
/// waited for a moment (the holder writes it just after taking the lock).
fn convener_holder(path: &Path) -> String {
    let here = super::lease::host_name();
    let live = |line: &str| {
        let pid =
            line.strip_prefix("pid ").and_then(|r| r.split(',').next()).and_then(|p| p.parse::<i32>().ok());
        let elsewhere = !line.contains(&format!("on host {here},"));
        // SAFETY: kill(2) with signal 0 sends nothing; it only asks whether the process exists.
        let alive = pid.is_some_and(|p| unsafe { libc::kill(p, 0) } == 0);
        line.ends_with('\n') && (alive || elsewhere)
    };
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if live(&text) {
            return text.trim().to_string();
        }
        if Instant::now() > deadline {
            return "a process that has not said which".to_string();
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// What a second `convene` is told when another sits the Chamber (`holder`: its pid and host).
pub fn convener_sits(dir: &Path, holder: &str) -> String {
    let pid = holder.strip_prefix("pid ").and_then(|r| r.split(',').next()).unwrap_or("PID");
    format!(
        "this Chamber already sits in another process ({holder}: a parliament convene, holding {}); a Chamber \
         sits once at a time. Petition it (parliament petition --dir {} TEXT), or stop that sitting first \
         (Ctrl-C in its terminal, or kill -INT {pid}) and convene again",
        dir.join(CONVENER_LOCK).display(),
        dir.display()
    )
}

/// The roll as a person reads it: `Ann 2, Bob 1, Dan 0`.
pub fn seats(roll: &Roll) -> String {
    let seats = roll.names().iter().zip(roll.weights()).map(|(n, w)| format!("{n} {w}"));
    seats.collect::<Vec<_>>().join(", ")
}

/// Lays out the files of a priest given a new place on the roll (`parliament admit`): his ledger
/// with its header and his messagebook folder. His place is on the roll first (synced), so these
/// are never strays; laying them out again changes nothing.
pub fn lay_out_priest(dir: &Path, name: &str) -> anyhow::Result<()> {
    AppendFile::open_with_header(ledger_path(dir, name), LEDGER_HEADER)
        .with_context(|| format!("laying out {}", ledger_path(dir, name).display()))?;
    std::fs::create_dir_all(book_dir(dir, name))
        .with_context(|| format!("laying out {}", book_dir(dir, name).display()))?;
    Ok(())
}

/// Appends a petition row to a priest's messagebook, in the page of the one who asks (`from`,
/// who must not be a priest: a priest's page is his messenger's alone): exactly the row a person
/// could write.
pub fn petition(dir: &Path, roll: &Roll, to: &str, from: &str, id: &str, text: &str) -> anyhow::Result<()> {
    crate::names::check_name(from).map_err(|e| anyhow::anyhow!("--from {from:?}: {e}"))?;
    if roll.id(from).is_some() {
        bail!(
            "{from} is a priest, and his page of each messagebook is his messenger's alone; petition --from another name"
        );
    }
    let row = book_row(roll, Utc::now(), from, &Message::Petition(Petition::new(id, text)));
    let path = page_path(dir, to, from);
    let mut book = AppendFile::open_with_header(&path, BOOK_HEADER)
        .with_context(|| format!("opening {}", path.display()))?;
    book.append_rows_on_a_line_of_their_own(row.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The priests at work, as threads or as processes.
enum Priests {
    Threads(Vec<(String, thread::JoinHandle<()>, mpsc::Sender<()>)>),
    /// Each priest's process, `None` once he refused to vote (he is not brought back).
    Processes(Vec<(String, Option<Child>)>),
}

/// Convenes the Chamber; returns when the petitions, and every petition pending in the
/// messagebooks, have passed into every sitting priest's ledger (or, with `stay`, when `stop` is
/// set). Returns the Chamber as its ledgers leave it. Fails with exit code 4 if a priest already
/// sits in another process, and 1 if the petitions cannot pass (timeout, or too few priests able
/// to act to make a majority set).
pub fn convene(opts: &ConveneOptions, stop: Arc<AtomicBool>) -> anyhow::Result<Chamber> {
    let roll = lay_out_with(&opts.dir, &opts.names, opts.names_given, opts.alpha)?;
    let _convener = claim_convener(&opts.dir)?;
    for n in roll.names() {
        if let Some(holder) = held_by(&opts.dir, n) {
            return Err(Exit::new(
                ALREADY_SITTING,
                format!(
                    "{n} already sits in another process ({holder}): this Chamber is sitting; petition it (parliament petition --dir {}) or stop that sitting first",
                    opts.dir.display()
                ),
            )
            .into());
        }
    }
    let mut chamber = Chamber::open(&opts.dir, &roll);
    chamber.refresh()?;
    let mut ids: Vec<String> = opts.petitions.iter().map(|(id, _)| id.clone()).collect();
    ids.extend(pending_petitions(&opts.dir, &roll).into_iter().map(|id| id.0.to_string()));
    // A ledger removed by hand is not waited for: its priest will not sit again.
    let present: Vec<bool> = chamber.ledgers.iter().map(|f| f.present).collect();
    if !opts.stay && present.iter().any(|p| *p) && chamber.holds_all(&ids, &present) {
        return Ok(chamber);
    }
    let mut sitting = Sitting::open(opts, &roll)?;
    let mut roll = roll;
    let started = Instant::now();
    let mut asked_at = None::<Instant>;
    let mut asked = 0usize;
    let mut reach = Reach::default();
    let result = loop {
        if stop.load(Ordering::Relaxed) {
            if !opts.stay && !chamber.holds_all(&ids, &present) {
                // Ctrl-C before the petitions passed: not done (exit 1), and nothing is lost.
                break Err(Exit::new(
                    NOT_DONE,
                    format!(
                        "stopped before the petitions passed into every ledger; they wait in the messagebooks, and the next sitting passes them (parliament convene --dir {})",
                        opts.dir.display()
                    ),
                ));
            }
            break Ok(());
        }
        let _ = sitting.wakes.recv_timeout(Duration::from_millis(100));
        // A network folder cut off answers EIO, and every handle is dead after it: God waits,
        // and reads the Chamber through fresh handles once it answers again.
        if reach.is_lost() {
            chamber = Chamber::open(&opts.dir, &roll);
        }
        if !reach.is_lost()
            && let Some(grown) = sitting.seat_new(opts)?
        {
            chamber.grow(&opts.dir, &grown);
            roll = grown;
        }
        match chamber.refresh() {
            Ok(()) => reach.reached(&opts.dir),
            Err(e) => reach.failed(&opts.dir, e)?,
        }
        let alive = sitting.alive(opts, &stop);
        if let Some(why) = too_few(&roll, &alive)
            && !stop.load(Ordering::Relaxed)
        {
            break Err(Exit::new(NOT_DONE, why));
        }
        if !opts.stay && !reach.is_lost() && chamber.holds_all(&ids, &alive) {
            break Ok(());
        }
        if !reach.is_lost() && asked_at.is_none_or(|t| t.elapsed() > Duration::from_secs(1)) {
            asked_at = Some(Instant::now());
            for (id, text) in &opts.petitions {
                let id_ = PetitionId(id.as_str().into());
                if !chamber.ledgers.iter().any(|f| f.durable.passed.contains_key(&id_)) {
                    let to = &roll.names()[asked % roll.len()];
                    asked += 1;
                    if let Err(e) = petition(&opts.dir, &roll, to, "citizen", id, text) {
                        let unreachable = e.chain().any(|c| {
                            c.downcast_ref::<std::io::Error>()
                                .is_some_and(super::unreachable::says_unreachable)
                        });
                        if !unreachable {
                            return Err(e);
                        }
                    }
                }
            }
        }
        if !opts.stay && started.elapsed() > opts.timeout {
            break Err(Exit::new(
                NOT_DONE,
                format!(
                    "the petitions did not pass into every ledger within {:?}; the ledgers in {} show how far they got",
                    opts.timeout,
                    opts.dir.display()
                ),
            ));
        }
    };
    sitting.dismiss();
    chamber.refresh()?;
    result.map(|()| chamber).map_err(anyhow::Error::from)
}

/// Why no decree can pass, if the priests able to act weigh no more than half the roll as laid
/// out (§2.2).
fn too_few(roll: &Roll, alive: &[bool]) -> Option<String> {
    let weights = roll.weights();
    let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    let able: u64 = weights.iter().zip(alive).filter(|(_, a)| **a).map(|(&w, _)| u64::from(w)).sum();
    if able * 2 > total {
        return None;
    }
    let count = alive.iter().filter(|a| **a).count();
    Some(if weights.iter().all(|&w| w == 1) {
        format!(
            "only {count} of {} priests can act, and a majority set needs {}: no decree can pass (see why each left above)",
            roll.len(),
            roll.len() / 2 + 1
        )
    } else {
        format!(
            "only {count} of {} priests can act, weighing {able} of {total}, and a majority set weighs more than half: no decree can pass (see why each left above)",
            roll.len()
        )
    })
}

/// The ids of every petition written in the Chamber's messagebooks, as the priests reading them
/// name them: a plain `convene` waits for these too.
pub fn pending_petitions(dir: &Path, roll: &Roll) -> Vec<PetitionId> {
    let mut ids = Vec::new();
    for n in roll.names() {
        let mut reader = super::book_reader::BookReader::open_fresh(dir, roll, n);
        for row in reader.read().unwrap_or_default() {
            if let super::book_reader::Reading::Petition(p, _) = row.reading {
                ids.push(p.id);
            }
        }
    }
    ids
}

/// The priests at work, and the one watcher of the process routing wake-ups: a change to
/// `messagebooks/<name>.csv` wakes that priest, anything else (the ledgers) wakes God on `wakes`,
/// and a lost-events `Rescan` wakes everyone.
pub struct Sitting {
    priests: Priests,
    /// The roll as far as God has seated it.
    roll: Roll,
    /// `roll.csv`'s size and time when God last looked at it.
    roll_seen: Option<(u64, Option<std::time::SystemTime>)>,
    /// Hands the watcher a thread priest seated since: his name, his wake-up, his book's folder.
    seat_tx: mpsc::Sender<(std::ffi::OsString, mpsc::Sender<()>, PathBuf)>,
    /// When each priest who left is brought back.
    revival: Vec<Backoff>,
    fan: thread::JoinHandle<()>,
    stopping: Arc<AtomicBool>,
    /// Wakes when a ledger (or anything but a thread priest's messagebook) changes.
    pub wakes: mpsc::Receiver<()>,
}

impl Sitting {
    /// Starts the priests of `roll` as `opts` says (threads or processes), and the watcher.
    pub fn open(opts: &ConveneOptions, roll: &Roll) -> anyhow::Result<Sitting> {
        let poll = crate::files::poll::choose(&opts.dir, false);
        if let Some(why) = &poll {
            eprintln!(
                "{why}: every priest looks at his pages each tick instead of waiting for notifications"
            );
        }
        if let Some(warning) = crate::files::mount::check(&opts.dir) {
            eprintln!("{warning}");
        }
        let interval = poll.map(|_| crate::files::poll::interval_for(opts.tick));
        let mut watcher = WakeSource::new(interval).context("starting the filesystem watcher")?;
        watcher.watch_folder(opts.dir.join("ledgers"))?;
        if !opts.processes {
            for n in roll.names() {
                watcher.watch_folder(book_dir(&opts.dir, n))?;
            }
        }
        let stopping = Arc::new(AtomicBool::new(false));
        let (god_tx, wakes) = mpsc::channel();
        let priests = if opts.processes {
            let children = roll.names().iter().map(|n| Ok((n.clone(), Some(spawn(opts, n)?))));
            Priests::Processes(children.collect::<anyhow::Result<_>>()?)
        } else {
            Priests::Threads(start_threads(opts, roll, &stopping))
        };
        let mut books: Vec<(std::ffi::OsString, mpsc::Sender<()>)> = match &priests {
            Priests::Threads(t) => t.iter().map(|(n, _, tx)| (n.into(), tx.clone())).collect(),
            Priests::Processes(_) => Vec::new(),
        };
        let fan_stop = stopping.clone();
        let (seat_tx, seated) = mpsc::channel::<(std::ffi::OsString, mpsc::Sender<()>, PathBuf)>();
        let fan = thread::spawn(move || {
            let mut watcher = watcher;
            while let Ok(w) = watcher.wait(Duration::from_millis(100)) {
                if fan_stop.load(Ordering::Relaxed) {
                    break;
                }
                // A priest seated since (§3.3.6): his book is watched from now on (he reads it
                // whole when he enters, and every tick, so nothing written before is missed).
                while let Ok((name, tx, folder)) = seated.try_recv() {
                    if let Err(e) = watcher.watch_folder(&folder) {
                        eprintln!("{}: cannot watch: {e}; he looks at it every tick", folder.display());
                    }
                    books.push((name, tx));
                }
                let mut god = w.rescan;
                for (name, tx) in &books {
                    if w.rescan || w.paths.iter().any(|p| book_of(p) == Some(name)) {
                        let _ = tx.send(());
                    }
                }
                god |= w.paths.iter().any(|p| book_of(p).is_none());
                if god && god_tx.send(()).is_err() {
                    break;
                }
            }
        });
        let revival = roll.names().iter().map(|_| Backoff::default()).collect();
        let roll_seen = roll_stamp(&opts.dir);
        Ok(Sitting { priests, roll: roll.clone(), roll_seen, seat_tx, revival, fan, stopping, wakes })
    }

    /// The roll as far as God has seated it.
    pub fn roll(&self) -> &Roll {
        &self.roll
    }

    /// Seats the priests given a place on the roll since God last looked (`parliament admit`,
    /// §3.3.6): each starts as the others did (a thread, or a process God brings back), learns the
    /// decrees, and votes once a decree makes him a legislator. Looks at `roll.csv` only when it
    /// changed. Returns the roll if it grew.
    pub fn seat_new(&mut self, opts: &ConveneOptions) -> anyhow::Result<Option<Roll>> {
        let seen = roll_stamp(&opts.dir);
        if seen == self.roll_seen {
            return Ok(None);
        }
        let Some(roll) = Roll::read(&opts.dir).ok().flatten() else { return Ok(None) };
        self.roll_seen = seen;
        if roll.len() <= self.roll.len() || !roll.is_grown_from(&self.roll) {
            return Ok(None);
        }
        for name in &roll.names()[self.roll.len()..] {
            lay_out_priest(&opts.dir, name)?;
            match &mut self.priests {
                Priests::Threads(t) => {
                    let (n, handle, tx) = start_thread(opts, &roll, name, &self.stopping);
                    let _ = self.seat_tx.send((n.clone().into(), tx.clone(), book_dir(&opts.dir, name)));
                    t.push((n, handle, tx));
                }
                Priests::Processes(children) => children.push((name.clone(), Some(spawn(opts, name)?))),
            }
            self.revival.push(Backoff::default());
            if opts.narrate {
                println!(
                    "God seats {name} in the Chamber: he learns the decrees, and votes once a decree makes him a legislator"
                );
            }
        }
        self.roll = roll.clone();
        Ok(Some(roll))
    }

    /// Which priests are at work; a priest process that died is brought back into the Chamber.
    pub fn alive(&mut self, opts: &ConveneOptions, stop: &AtomicBool) -> Vec<bool> {
        alive(&mut self.priests, &mut self.revival, opts, stop)
    }

    /// Each priest's process id, when priests run as processes and this one is at work.
    pub fn pids(&self) -> Vec<Option<u32>> {
        match &self.priests {
            Priests::Threads(t) => vec![None; t.len()],
            Priests::Processes(children) => children.iter().map(|(_, c)| c.as_ref().map(Child::id)).collect(),
        }
    }

    /// Kills priest `i`'s process with SIGKILL, as a person could with `kill -9 PID`, and keeps
    /// him out of the Chamber until [`Sitting::bring_back`]: his pid, or None if priests are
    /// threads (a thread cannot be killed alone) or he is out already.
    pub fn kill(&mut self, i: usize) -> Option<u32> {
        let Priests::Processes(children) = &mut self.priests else { return None };
        let mut child = children.get_mut(i)?.1.take()?;
        let pid = child.id();
        let _ = child.kill();
        let _ = child.wait();
        Some(pid)
    }

    /// Brings priest `i` back into the Chamber if his process is out: his new pid.
    pub fn bring_back(&mut self, opts: &ConveneOptions, i: usize) -> anyhow::Result<Option<u32>> {
        let Priests::Processes(children) = &mut self.priests else { return Ok(None) };
        let Some((name, slot)) = children.get_mut(i) else { return Ok(None) };
        if slot.is_some() {
            return Ok(None);
        }
        let child = spawn(opts, name)?;
        let pid = child.id();
        *slot = Some(child);
        Ok(Some(pid))
    }

    /// Stops every priest and the watcher.
    pub fn dismiss(self) {
        self.stopping.store(true, Ordering::Relaxed);
        dismiss(self.priests);
        let _ = self.fan.join();
    }
}

/// Whose messagebook a changed path is in: `messagebooks/<priest>/<page>`.
fn book_of(path: &Path) -> Option<&std::ffi::OsStr> {
    let folder = path.parent()?;
    (folder.parent()?.file_name()? == MESSAGEBOOKS).then(|| folder.file_name()).flatten()
}

fn start_threads(
    opts: &ConveneOptions,
    roll: &Roll,
    stopping: &Arc<AtomicBool>,
) -> Vec<(String, thread::JoinHandle<()>, mpsc::Sender<()>)> {
    roll.names().iter().map(|name| start_thread(opts, roll, name, stopping)).collect()
}

fn start_thread(
    opts: &ConveneOptions,
    roll: &Roll,
    name: &str,
    stopping: &Arc<AtomicBool>,
) -> (String, thread::JoinHandle<()>, mpsc::Sender<()>) {
    let (tx, rx) = mpsc::channel();
    let settings = settings(opts, name);
    let (roll, stopping) = (roll.clone(), stopping.clone());
    // Named `priest <name>` (cut to 15 bytes by the kernel) so `bench` can tell the
    // priests' CPU time from its own in /proc/self/task.
    let body = move || super::revival::sit_in_thread(&settings, &roll, &rx, &stopping);
    let handle = thread::Builder::new()
        .name(format!("priest {name}"))
        .spawn(body)
        .expect("the system starts a thread for a priest");
    (name.to_string(), handle, tx)
}

/// `roll.csv`'s size and time: whether it changed since last looked at.
fn roll_stamp(dir: &Path) -> Option<(u64, Option<std::time::SystemTime>)> {
    let m = std::fs::metadata(crate::books::layout::roll_path(dir)).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// The settings God gives each priest.
pub fn settings(opts: &ConveneOptions, name: &str) -> PriestSettings {
    PriestSettings {
        dir: opts.dir.clone(),
        name: name.to_string(),
        tick: opts.tick,
        faults: opts.faults.clone(),
        narrate: opts.narrate,
        // A thread killing itself would take God and every priest with it.
        crash_after_sync: if opts.processes { opts.crash_after_sync } else { 0.0 },
    }
}

/// Which priests are at work; a priest process that died is brought back into the Chamber, after
/// a pause that grows while he keeps leaving ([`Backoff`]); he counts as at work meanwhile.
fn alive(
    priests: &mut Priests,
    revival: &mut [Backoff],
    opts: &ConveneOptions,
    stop: &AtomicBool,
) -> Vec<bool> {
    match priests {
        Priests::Threads(t) => t.iter().map(|(_, h, _)| !h.is_finished()).collect(),
        Priests::Processes(children) => children
            .iter_mut()
            .zip(revival)
            .map(|((name, slot), backoff)| {
                let Some(child) = slot.as_mut() else { return false };
                if let Ok(Some(status)) = child.try_wait()
                    && !stop.load(Ordering::Relaxed)
                {
                    if status.code() == Some(REFUSES) {
                        eprintln!("{name} stays out of the Chamber: he refuses to vote");
                        *slot = None;
                        return false;
                    }
                    if status.code() == Some(ALREADY_SITTING) {
                        // Another process sits as him: he is in the Chamber, not God's. God
                        // brings his own back once that sitting ends.
                        if held_by(&opts.dir, name).is_some() {
                            return true;
                        }
                    }
                    let now = Instant::now();
                    if let Some(pause) = backoff.left(now) {
                        let why = if status.code() == Some(ALREADY_SITTING) {
                            format!("{name}'s other sitting ended")
                        } else {
                            format!("{name} left the Chamber ({status})")
                        };
                        eprintln!("{why}; God brings him back in {:.2} s", pause.as_secs_f64());
                    }
                    if !backoff.due(now) {
                        return true;
                    }
                    match spawn(opts, name) {
                        Ok(c) => *child = c,
                        Err(e) => eprintln!("{name} could not be brought back: {e:#}"),
                    }
                    backoff.started(Instant::now());
                    return true;
                }
                true
            })
            .collect(),
    }
}

/// Starts `parliament priest NAME` as a process of its own.
fn spawn(opts: &ConveneOptions, name: &str) -> anyhow::Result<Child> {
    let exe = match &opts.exe {
        Some(exe) => exe.clone(),
        None => std::env::current_exe().context("finding the parliament binary")?,
    };
    let mut c = Command::new(exe);
    c.arg("priest").arg(name).arg("--dir").arg(&opts.dir);
    c.arg("--tick-ms").arg(opts.tick.as_millis().to_string());
    let f = &opts.faults;
    c.args(["--lose", &f.lose.to_string(), "--duplicate", &f.duplicate.to_string()]);
    c.args(["--seed", &f.seed.to_string(), "--pace-ms", &f.pace.as_millis().to_string()]);
    if let Some((a, b)) = f.delay {
        c.args(["--delay-ms", &format!("{}..{}", a.as_millis(), b.as_millis())]);
    }
    if opts.crash_after_sync > 0.0 {
        c.args(["--crash-after-sync", &opts.crash_after_sync.to_string()]);
    }
    if !opts.narrate {
        c.arg("--quiet");
    }
    // A priest never outlives God: the kernel sends him SIGTERM when God dies, however God dies
    // (SIGKILL included), and a priest whose God died before that was arranged leaves at once.
    let god = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs in the child between fork and exec and calls only prctl(2),
    // getppid(2) and _exit(2), which are async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut c, move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            if libc::getppid() != god {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    c.spawn().with_context(|| format!("starting priest {name}"))
}

/// Stops every priest: threads finish their wake-up and return; processes get SIGTERM, which
/// they answer the same way. Neither leaves a torn row.
fn dismiss(priests: Priests) {
    match priests {
        Priests::Threads(t) => {
            for (_, handle, tx) in t {
                drop(tx);
                let _ = handle.join();
            }
        }
        Priests::Processes(children) => {
            for child in children.iter().filter_map(|(_, c)| c.as_ref()) {
                // SAFETY: kill(2) with a pid we spawned and still own; no memory is involved.
                // SIGCONT too, in case it was paused: a stopped process cannot act on SIGTERM.
                unsafe {
                    libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
                    libc::kill(child.id() as libc::pid_t, libc::SIGCONT);
                }
            }
            for mut child in children.into_iter().filter_map(|(_, c)| c) {
                let _ = child.wait();
            }
        }
    }
}
