//! One priest at work in the Chamber on files: he wakes when his messagebook grows (or a tick is
//! due), reads the new rows, checks each message against its sender's ledger, answers them all,
//! and carries the answers out with [`carry_out`]: one ledger write and one sync for the whole
//! wake-up (group commit), then the messenger relays.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::book_reader::BookReader;
use super::ledger_file::{LedgerError, LedgerFile, read_ledger, rows_not_torn};
use super::messenger::{Faults, FileMessenger};
use crate::books::backing::LedgerIndex;
use crate::books::book_rows::{BookEntry, petition_from};
use crate::books::csvrow::RowJoiner;
use crate::books::ledger_rows::parse_ledger_row;
use crate::books::roll::Roll;
use crate::files::{TailEvent, TailReader};
use crate::priest::{Config, Input, Message, Priest, PriestId, Step, carry_out};
use crate::sim::{At, Narrator};

/// How a priest in the Chamber is set up.
#[derive(Clone, Debug)]
pub struct PriestSettings {
    /// The Chamber's folder (holding `ledgers/` and `messagebooks/`).
    pub dir: PathBuf,
    /// The priest's name.
    pub name: String,
    /// How often time passes for him: one tick.
    pub tick: Duration,
    /// How unreliable his messenger is.
    pub faults: Faults,
    /// Whether to tell what he does on standard output.
    pub narrate: bool,
    /// Chance that he kills his own process (SIGKILL) right after a ledger sync, before his
    /// messenger relays what it allows: the chaos trials' sharpest moment to die.
    pub crash_after_sync: f64,
}

/// A messenger that may die before setting out, as a priest killed right after his sync.
struct Doomed<'a> {
    messenger: &'a mut FileMessenger,
    chance: f64,
    rng: &'a mut crate::rng::Rng,
}

impl crate::priest::Messenger for Doomed<'_> {
    fn relay(&mut self, envelopes: &mut Vec<crate::priest::Envelope>) {
        if self.rng.chance(self.chance) {
            // SAFETY: kill(2) on our own process; nothing after it runs.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
        }
        self.messenger.relay(envelopes);
    }
}

/// The priest's protocol settings in a Chamber: the paper's timeouts in ticks.
pub fn chamber_config(priests: usize) -> Config {
    let mut c = Config::new(priests);
    c.heartbeat_ticks = 10;
    c.president_timeout_ticks = 25;
    c.retry_ticks = 10;
    // Many ballots in flight (§3.2), and a lag allowed between announcements that a president
    // at full speed does not exceed between two heartbeats; a priest back from long away still does.
    c.window = 256;
    c.behind_max = 4096;
    c
}

/// What he knows of another priest's ledger, read as it grows.
struct Backer {
    tail: TailReader,
    joiner: RowJoiner,
    index: LedgerIndex,
}

/// A priest at work.
pub struct Runtime {
    settings: PriestSettings,
    roll: Roll,
    priest: Priest,
    ledger: LedgerFile,
    book: BookReader,
    backers: Vec<Backer>,
    messenger: FileMessenger,
    narrator: Option<Narrator>,
    step: Step,
    rng: crate::rng::Rng,
}

impl Runtime {
    /// Brings the priest into the Chamber: rebuilt from his ledger alone. A priest whose ledger is
    /// missing or damaged refuses, and the error says why.
    pub fn enter(settings: PriestSettings, roll: &Roll) -> Result<Runtime, RuntimeError> {
        let id = roll
            .id(&settings.name)
            .ok_or_else(|| RuntimeError::NotAPriest(settings.name.clone(), roll.names().join(", ")))?;
        let path = ledger_path(&settings.dir, &settings.name);
        let read = read_ledger(&path, roll)?;
        for w in &read.warnings {
            eprintln!("{w}");
        }
        let config = chamber_config(roll.len());
        let priest = Priest::restore(id, config, read.rows.iter().map(|(_, r)| &r.record))
            .map_err(|e| RuntimeError::Damaged(format!("{}: {e}", path.display())))?;
        let ledger = LedgerFile::open(&path, roll, read.torn_at_end).map_err(|e| io_error(&path, e))?;
        let messenger = FileMessenger::new(&settings.dir, roll, &settings.name, settings.faults.clone())
            .map_err(|e| io_error(&settings.dir, e))?;
        let backers = roll
            .names()
            .iter()
            .map(|n| Backer {
                tail: TailReader::new(ledger_path(&settings.dir, n)),
                joiner: RowJoiner::default(),
                index: LedgerIndex::default(),
            })
            .collect();
        let narrator = settings.narrate.then(|| Narrator::in_chamber(roll.names(), id, priest.durable()));
        Ok(Runtime {
            book: BookReader::open(&settings.dir, roll, &settings.name),
            roll: roll.clone(),
            priest,
            ledger,
            backers,
            messenger,
            narrator,
            step: Step::default(),
            rng: crate::rng::Rng::new(settings.faults.seed ^ u64::from(std::process::id())),
            settings,
        })
    }

    /// Works until `stop` is set or the wake-up channel closes. Every wake-up is answered whole:
    /// stopping never leaves a torn row.
    pub fn run(mut self, wakes: &Receiver<()>, stop: &AtomicBool) -> Result<(), RuntimeError> {
        let tick = self.settings.tick;
        let mut next_tick = Instant::now() + tick;
        let mut saved_at = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            let due = self.messenger.next_due().map_or(next_tick, |d| d.min(next_tick));
            let now = Instant::now();
            if due > now {
                match wakes.recv_timeout(due - now) {
                    Ok(()) => while wakes.try_recv().is_ok() {},
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            self.step.clear();
            self.read_book()?;
            let now = Instant::now();
            if now >= next_tick {
                self.priest.handle(Input::Tick, &mut self.step);
                next_tick = (next_tick + tick).max(now);
            }
            self.carry_out()?;
            self.messenger.deliver_due(Instant::now());
            if saved_at.elapsed() > Duration::from_millis(500) {
                self.book.save_position();
                saved_at = Instant::now();
            }
        }
        self.book.save_position();
        Ok(())
    }

    fn carry_out(&mut self) -> Result<(), RuntimeError> {
        if self.step.is_empty() {
            return Ok(());
        }
        if let Some(n) = self.narrator.as_mut() {
            n.step(At::Now, self.priest.id(), self.priest.durable(), &self.step);
        }
        let path = ledger_path(&self.settings.dir, &self.settings.name);
        let mut messenger = Doomed {
            messenger: &mut self.messenger,
            chance: self.settings.crash_after_sync,
            rng: &mut self.rng,
        };
        carry_out(&mut self.step, &mut self.ledger, &mut messenger).map_err(|e| io_error(&path, e))?;
        if let Some(e) = self.messenger.error.take() {
            eprintln!("{}: a messenger could not write a messagebook: {e}", self.settings.name);
        }
        Ok(())
    }

    /// Reads the new rows of his messagebook and answers each valid one.
    fn read_book(&mut self) -> Result<(), RuntimeError> {
        let rows = self.book.read().map_err(|e| io_error(self.book.path(), e))?;
        for (line, entry) in rows {
            let where_ = format!("{} line {line}", self.book.path().display());
            let input = match entry {
                Err(why) => {
                    eprintln!("{where_}: {why}; the row is left as it is and skipped");
                    continue;
                }
                Ok(BookEntry::Petition { text, id, print, from }) => {
                    let petition = petition_from(&self.settings.name, print, &text, &id);
                    if let Some(n) = self.narrator.as_mut() {
                        n.petition(At::Now, &from, self.priest.id(), &petition, true);
                    }
                    Input::Petition(petition)
                }
                Ok(BookEntry::Message { from, message }) => {
                    if let Err(why) = self.backed(from, &message) {
                        eprintln!(
                            "{where_}: refused {} said to be from {}: {why} ({}); written by hand or forged",
                            message.kind(),
                            self.roll.name(from),
                            ledger_path(&self.settings.dir, self.roll.name(from)).display()
                        );
                        continue;
                    }
                    Input::Message { from, message }
                }
            };
            self.priest.handle(input, &mut self.step);
        }
        Ok(())
    }

    /// Whether the sender's ledger backs the message, reading his ledger further if needed: he
    /// synced the row before his messenger set out, so it is there to be read.
    fn backed(&mut self, from: PriestId, message: &Message) -> Result<(), String> {
        if from == self.priest.id() {
            return Err("a priest's own messages never pass through his messagebook".to_string());
        }
        let backer = &mut self.backers[from.index()];
        if backer.index.backs(message).is_ok() {
            return Ok(());
        }
        let events = backer.tail.read_new_lines().map_err(|e| e.to_string())?;
        let lines = events.into_iter().filter_map(|e| match e {
            TailEvent::Line(line) => Some((line.number, line.text)),
            _ => None,
        });
        for (_, row) in rows_not_torn(&mut backer.joiner, lines) {
            if let Ok(row) = parse_ledger_row(&self.roll, &row) {
                backer.index.add(&row.record);
            }
        }
        backer.index.backs(message)
    }

    /// The priest's name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }
}

/// `ledgers/<name>.csv` under `dir`.
pub fn ledger_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("ledgers").join(format!("{name}.csv"))
}

/// Why a priest could not work.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The name is not on the roll.
    #[error("{0} is not a priest of this Chamber ({1})")]
    NotAPriest(String, String),
    /// His ledger cannot be trusted.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// His ledger breaks the rules a priest keeps.
    #[error("{0}; the ledger is damaged, so this priest refuses to vote")]
    Damaged(String),
    /// A file could not be written or read.
    #[error("{0}")]
    Io(String),
}

fn io_error(path: &Path, e: io::Error) -> RuntimeError {
    RuntimeError::Io(format!("{}: {e}", path.display()))
}
