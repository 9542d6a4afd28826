//! The stage a scene is played on: real [`Priest`]s writing real ledgers
//! ([`LedgerFile`], synced, `ledgers/<priest>.csv`) and real messagebook pages
//! (`messagebooks/<to>/<from>.csv`, one row per message, [`book_row`]), in an order the scene
//! scripts. Each step goes through [`carry_out`], so a priest's ledger rows are on disk before
//! the messages they allow are written in anyone's page (§2.3: "written in his ledger before he
//! sends"). Nothing moves unless the scene says so: a message is read by its receiver, held back
//! or lost; a priest ticks, is handed a petition, leaves the Chamber, or leaves between writing
//! his ledger and the messenger setting out. Time is the scene's own clock: each step is one
//! millisecond after the last, so a scene leaves the same files every time it is played.
//!
//! Every row written is checked by the shared [`Rules`] (agreement, B1, promises kept, B3,
//! validity) as it is written. A heartbeat is presence, not a book row, in the Chamber: here it
//! travels in the queue and is written nowhere.

use std::collections::{BTreeSet, VecDeque};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use anyhow::{Context, bail};
use chrono::{DateTime, TimeDelta, Utc};

use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::layout::{book_dir, ledger_path, page_path};
use crate::books::ledger_read::{LedgerError, read_ledger};
use crate::chamber::ledger_file::LedgerFile;
use crate::priest::{
    Config, Decree, DecreeNo, Envelope, Input, Message, Messenger, Petition, Priest, PriestId, Step,
    carry_out,
};
use crate::rules::Rules;

/// The `at` of the scene's first step.
pub fn epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T21:00:00Z").expect("a valid time").with_timezone(&Utc)
}

/// How many steps a scene may take before it is called stuck.
const STEPS_MAX: u64 = 100_000;

/// The Chamber a scene plays in.
pub struct Stage {
    /// The Chamber's folder.
    pub dir: PathBuf,
    /// The roll.
    pub roll: Roll,
    /// The constants the priests share.
    pub config: Config,
    priests: Vec<Option<Priest>>,
    ledgers: Vec<Option<LedgerFile>>,
    /// Messages written in a page and not yet read by their receiver, oldest first.
    pub queue: VecDeque<Envelope>,
    held: BTreeSet<(usize, usize)>,
    crash_armed: BTreeSet<usize>,
    clock: Arc<AtomicI64>,
    /// The shared rules, fed every row as it is written.
    pub rules: Rules,
    /// Ticks played so far.
    pub ticks: u64,
    steps: u64,
    /// What the scene has told, in order.
    pub told: Vec<String>,
    /// Whether a message takes a tick to travel: each tick reads only what was written before it
    /// began (otherwise a tick reads every message, answers included, until none is left).
    pub hop_per_tick: bool,
    /// Whether a messenger finds no one at home when the receiver is away, and writes nothing
    /// (otherwise the row waits in his messagebook and he reads it on his return, as on files).
    pub lose_to_absent: bool,
}

/// The scene's messenger: writes each message as a row in the receiver's page, then queues it
/// until the receiver reads it; or loses them all, when the sender leaves before it sets out.
struct Pages<'a> {
    dir: &'a Path,
    absent: Vec<usize>,
    roll: &'a Roll,
    at: DateTime<Utc>,
    queue: &'a mut VecDeque<Envelope>,
    lost: bool,
    failed: Option<io::Error>,
}

impl Messenger for Pages<'_> {
    fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
        if self.lost {
            envelopes.clear();
            return;
        }
        for e in envelopes.drain(..) {
            if self.absent.contains(&e.to.index()) {
                continue;
            }
            if !matches!(e.message, Message::Heartbeat { .. })
                && let Err(err) = write_page(self.dir, self.roll, self.at, e.from, e.to, &e.message)
            {
                self.failed.get_or_insert(err);
            }
            self.queue.push_back(e);
        }
    }
}

/// Appends one message row to `messagebooks/<to>/<from>.csv`, with its header if new.
fn write_page(
    dir: &Path,
    roll: &Roll,
    at: DateTime<Utc>,
    from: PriestId,
    to: PriestId,
    m: &Message,
) -> io::Result<()> {
    let (from, to) = (roll.name(from), roll.name(to));
    append_row(&page_path(dir, to, from), &book_row(roll, at, from, m))
}

fn append_row(path: &Path, row: &str) -> io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    if file.metadata()?.len() == 0 {
        file.write_all(format!("{BOOK_HEADER}\n").as_bytes())?;
    }
    file.write_all(row.as_bytes())
}

impl Stage {
    /// Lays out a new Chamber of these priests in `dir` (which must hold none yet), every
    /// ledger new, every priest in the Chamber.
    pub fn new(dir: &Path, names: &[&str], config: Config) -> anyhow::Result<Stage> {
        Stage::growing(dir, names, &[], config)
    }

    /// [`Stage::new`], for a scene that will seat the priests `later` by decree (§3.3.6): the
    /// rules know their places from the start.
    /// A scene plays the paper's basic protocol (§2.3, §3.1: Voted to the president, Success from
    /// him), which its story tells step by step; the light-load path
    /// (`Config::votes_to_all`) is the Chamber's, and is off on the stage.
    pub fn growing(dir: &Path, names: &[&str], later: &[&str], config: Config) -> anyhow::Result<Stage> {
        let config = Config { votes_to_all: 0, ..config };
        let roll = Roll::new(names.iter().map(|n| n.to_string()).collect()).map_err(anyhow::Error::msg)?;
        let mut everyone = roll.names().to_vec();
        everyone.extend(later.iter().map(|n| n.to_string()));
        if Roll::read(dir).ok().flatten().is_some() || dir.join("ledgers").exists() {
            bail!("{} already holds a Chamber; play a scene into a new folder", dir.display());
        }
        fs::create_dir_all(dir.join("ledgers")).with_context(|| format!("creating {}", dir.display()))?;
        let clock = Arc::new(AtomicI64::new(0));
        let mut stage = Stage {
            dir: dir.to_path_buf(),
            config: config.clone(),
            priests: (0..roll.len()).map(|i| Some(Priest::new(PriestId(i as u16), config.clone()))).collect(),
            ledgers: Vec::new(),
            queue: VecDeque::new(),
            held: BTreeSet::new(),
            crash_armed: BTreeSet::new(),
            clock,
            rules: Rules::new(everyone.len()).with_names(everyone),
            ticks: 0,
            steps: 0,
            told: Vec::new(),
            hop_per_tick: false,
            lose_to_absent: false,
            roll,
        };
        for name in stage.roll.names().to_vec() {
            fs::create_dir_all(book_dir(dir, &name))?;
            let ledger = stage.open_ledger(&name, false)?;
            stage.ledgers.push(Some(ledger));
        }
        crate::books::settings::Settings { alpha: stage.config.alpha }.write_new(dir)?;
        stage.roll.write_new(dir)?;
        Ok(stage)
    }

    /// Gives `name` a place at the end of the roll (`roll.csv`, weight 0) and his files, as
    /// `parliament admit` does, and seats him: a new priest, in the Chamber, who learns the decrees
    /// and votes once a decree makes him a legislator (§3.3.6). Returns his place.
    pub fn seat(&mut self, name: &str) -> anyhow::Result<usize> {
        let (roll, _) = Roll::seat(&self.dir, name)?;
        fs::create_dir_all(book_dir(&self.dir, name))?;
        // Every ledger writes ballots by name: his among them from now on.
        for ledger in self.ledgers.iter_mut().flatten() {
            ledger.set_roll(&roll);
        }
        self.roll = roll;
        let p = self.roll.len() - 1;
        self.ledgers.push(Some(self.open_ledger(name, false)?));
        self.priests.push(Some(Priest::new(PriestId(p as u16), self.config.clone())));
        Ok(p)
    }

    fn open_ledger(&self, name: &str, torn: bool) -> io::Result<LedgerFile> {
        let mut ledger = LedgerFile::open(&ledger_path(&self.dir, name), &self.roll, torn)?;
        let clock = self.clock.clone();
        ledger.clock = Box::new(move || epoch() + TimeDelta::milliseconds(clock.load(Ordering::SeqCst)));
        Ok(ledger)
    }

    /// The scene's time now.
    pub fn now(&self) -> DateTime<Utc> {
        epoch() + TimeDelta::milliseconds(self.clock.load(Ordering::SeqCst))
    }

    /// Priest `name`'s place on the roll.
    pub fn id(&self, name: &str) -> usize {
        self.roll.id(name).unwrap_or_else(|| panic!("{name} is not on the roll")).index()
    }

    /// Tells one line of the story.
    pub fn say(&mut self, line: impl Into<String>) {
        self.told.push(line.into());
    }

    /// Priest `p`, if he is in the Chamber.
    pub fn priest(&self, p: usize) -> Option<&Priest> {
        self.priests[p].as_ref()
    }

    /// Priest `p`'s statute book, from his ledger as he holds it (empty while he is away).
    pub fn book(&self, p: usize) -> Vec<(DecreeNo, Decree)> {
        self.priest(p)
            .map(|q| q.durable().decrees.iter().map(|(n, d)| (*n, d.clone())).collect())
            .unwrap_or_default()
    }

    /// Priest `p` answers one input: his rows are written, synced and checked, then his messages
    /// are written in their receivers' pages (or lost, if he was armed to leave).
    pub fn handle(&mut self, p: usize, input: Input) -> anyhow::Result<()> {
        self.steps += 1;
        if self.steps > STEPS_MAX {
            bail!("the scene took {STEPS_MAX} steps and did not end");
        }
        let absent = match self.lose_to_absent {
            true => (0..self.priests.len()).filter(|q| self.priests[*q].is_none() && *q != p).collect(),
            false => Vec::new(),
        };
        let (Some(priest), Some(ledger)) = (self.priests[p].as_mut(), self.ledgers[p].as_mut()) else {
            return Ok(());
        };
        self.clock.fetch_add(1, Ordering::SeqCst);
        let mut step = Step::default();
        priest.handle(input, &mut step);
        for record in &step.records {
            if let Err(v) = self.rules.observe(PriestId(p as u16), record) {
                bail!(
                    "{} broken by {} at ledger row {}: {}",
                    v.rule,
                    self.roll.name(PriestId(p as u16)),
                    v.row,
                    v.detail
                );
            }
        }
        let crash = !step.records.is_empty() && self.crash_armed.remove(&p);
        let at = epoch() + TimeDelta::milliseconds(self.clock.load(Ordering::SeqCst));
        let mut pages = Pages {
            dir: &self.dir,
            absent,
            roll: &self.roll,
            at,
            queue: &mut self.queue,
            lost: crash,
            failed: None,
        };
        carry_out(&mut step, ledger, &mut pages)?;
        if let Some(e) = pages.failed {
            return Err(e.into());
        }
        if crash {
            self.leave(p);
            self.come_back(p)??;
        }
        Ok(())
    }

    /// One tick for every priest in the Chamber, in name order.
    pub fn tick_all(&mut self) -> anyhow::Result<()> {
        self.ticks += 1;
        (0..self.priests.len()).try_for_each(|p| self.handle(p, Input::Tick))
    }

    /// A citizen hands priest `p` a petition: the row he would write in `messagebooks/<p>/citizen.csv`.
    pub fn petition(&mut self, p: usize, petition: &Petition) -> anyhow::Result<()> {
        let name = self.roll.name(PriestId(p as u16)).to_string();
        let row = book_row(&self.roll, self.now(), "citizen", &Message::Petition(petition.clone()));
        append_row(&page_path(&self.dir, &name, "citizen"), &row)?;
        self.rules.petition_made(petition);
        self.handle(p, Input::Petition(petition.clone()))
    }

    /// Whether `e` may be read now: its receiver sits and its link is not held.
    fn readable(&self, e: &Envelope) -> bool {
        self.priests[e.to.index()].is_some() && !self.held.contains(&(e.from.index(), e.to.index()))
    }

    /// The receiver reads the oldest readable message `pick` accepts; returns it.
    pub fn deliver(&mut self, pick: impl Fn(&Envelope) -> bool) -> anyhow::Result<Option<Envelope>> {
        let Some(i) = self.queue.iter().position(|e| pick(e) && self.readable(e)) else { return Ok(None) };
        let envelope = self.queue.remove(i).expect("found");
        let Envelope { from, to, message } = envelope.clone();
        self.handle(to.index(), Input::Message { from, message })?;
        Ok(Some(envelope))
    }

    /// Every readable message is read, oldest first, until none is left.
    pub fn deliver_all(&mut self) -> anyhow::Result<()> {
        while self.deliver(|_| true)?.is_some() {}
        Ok(())
    }

    /// Messages `pick` accepts are never read (the reader skips them); returns how many.
    pub fn drop_where(&mut self, pick: impl Fn(&Envelope) -> bool) -> usize {
        let before = self.queue.len();
        self.queue.retain(|e| !pick(e));
        before - self.queue.len()
    }

    /// Messages between `a` and `b`, both ways, wait until released.
    pub fn cut(&mut self, a: usize, b: usize) {
        self.held.extend([(a, b), (b, a)]);
    }

    /// Every held message may be read again.
    pub fn release_all(&mut self) {
        self.held.clear();
    }

    /// Priest `p` leaves the Chamber: his slip of paper is lost, his ledger stays.
    pub fn leave(&mut self, p: usize) {
        self.priests[p] = None;
        self.ledgers[p] = None;
    }

    /// Priest `p` comes back, rebuilt from his ledger file alone. A priest whose ledger is
    /// missing or damaged refuses to vote and stays out; the error says why.
    pub fn come_back(&mut self, p: usize) -> anyhow::Result<Result<(), LedgerError>> {
        let name = self.roll.name(PriestId(p as u16)).to_string();
        let read = match read_ledger(&ledger_path(&self.dir, &name), &self.roll) {
            Ok(read) => read,
            Err(e) => return Ok(Err(e)),
        };
        let rows: Vec<_> = read.rows.iter().map(|(_, r)| r.record.clone()).collect();
        let priest = Priest::restore(PriestId(p as u16), self.config.clone(), &rows)
            .map_err(|e| anyhow::anyhow!("{name}'s ledger is damaged: {e}"))?;
        self.ledgers[p] = Some(self.open_ledger(&name, read.torn_at_end)?);
        self.priests[p] = Some(priest);
        Ok(Ok(()))
    }

    /// Priest `p` will leave right after his next step that writes a row, before his messenger
    /// sets out, and come straight back.
    pub fn crash_after_record(&mut self, p: usize) {
        self.crash_armed.insert(p);
    }

    /// Ticks every priest and reads every readable message, `ticks` times.
    pub fn run(&mut self, ticks: u64) -> anyhow::Result<()> {
        for _ in 0..ticks {
            self.tick_all()?;
            if self.hop_per_tick {
                let mut travelling: VecDeque<Envelope> = std::mem::take(&mut self.queue);
                while let Some(e) = travelling.pop_front() {
                    if self.readable(&e) {
                        self.handle(e.to.index(), Input::Message { from: e.from, message: e.message })?;
                    } else {
                        self.queue.push_back(e);
                    }
                }
            } else {
                self.deliver_all()?;
            }
        }
        Ok(())
    }

    /// Runs tick by tick until `done` holds; fails past `ticks_max`. Returns the ticks taken.
    pub fn run_until(&mut self, done: impl Fn(&Stage) -> bool, ticks_max: u64) -> anyhow::Result<u64> {
        for ticks in 0..=ticks_max {
            if done(self) {
                return Ok(ticks);
            }
            self.run(1)?;
        }
        bail!("not done after {ticks_max} ticks")
    }

    /// Runs until priest `p` presides with a ballot a majority set has promised.
    pub fn elect(&mut self, p: usize) -> anyhow::Result<()> {
        self.run_until(|s| s.priest(p).is_some_and(|q| q.presidency().is_some()), 100)?;
        self.deliver_all()
    }

    /// Hands priest `p` each petition, then runs until every sitting priest's book holds them.
    pub fn pass(&mut self, p: usize, petitions: &[Petition]) -> anyhow::Result<u64> {
        for petition in petitions {
            self.petition(p, petition)?;
        }
        let all_in = |s: &Stage| {
            let mut sitting = s.priests.iter().flatten().peekable();
            sitting.peek().is_some()
                && sitting.all(|q| petitions.iter().all(|x| q.durable().passed.contains_key(&x.id)))
        };
        self.run_until(all_in, 200)
    }
}
