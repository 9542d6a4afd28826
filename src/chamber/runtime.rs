//! One priest at work in the Chamber on files: he claims his sitting (one process per priest),
//! wakes when a page of his messagebook grows (or a tick is due), reads the new rows, checks each
//! message against its sender's ledger, answers them all, and carries the answers out with
//! [`carry_out`]: one ledger write and one sync for the whole wake-up (group commit), then the
//! messenger relays. A ledger that vanishes under him ends his sitting before anything leaves.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::book_reader::{BookReader, Reading};
use super::held::{Held, HeldMessage};
use super::ledger_file::{LedgerFile, is_not_his, is_vanished};
use super::messenger::{Faults, FileMessenger};
use super::presence::Listener;
use super::sitting::{ClaimError, Guarded, Sitting, claim, taken_from_him};
use super::unreachable::{is_unreachable, ledger_unreachable};
use crate::books::Roll;
use crate::books::backing::LedgerIndex;
use crate::books::lawbook::law_book;
use crate::books::layout::{ledger_file, ledger_path};
use crate::books::ledger_read::{LedgerError, LedgerFollower};
use crate::books::ledger_rows::RowCache;
use crate::books::skim::LedgerSkim;
use crate::books::volumes::{RestoreError, restore_priest};
use crate::priest::{Config, DecreeNo, Input, Message, Priest, PriestId, Step, carry_out};
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

/// A messenger that may die before setting out, as a priest killed right after his sync; and
/// that has the story tell the step before its first message sets out.
struct Doomed<'a> {
    messenger: &'a mut FileMessenger,
    chance: f64,
    rng: &'a mut crate::rng::Rng,
    telling: Telling<'a>,
}

/// A step to be told once its rows are written and before any of its messages sets out: told
/// later, a priest who got one of them could be told acting on it first ("Dwork votes in ballot
/// 1.Toueg for decree 4" before "Toueg begins ballot 1.Toueg for decree 4"); told sooner, a row
/// that never reached the ledger (deleted under him) would be told as written.
struct Telling<'a> {
    narrator: Option<&'a mut Narrator>,
    priest: PriestId,
    after: &'a crate::priest::Durable,
    step: Option<Step>,
}

impl Telling<'_> {
    fn tell(&mut self) {
        if let (Some(n), Some(step)) = (self.narrator.as_mut(), self.step.take()) {
            n.step(At::Now, self.priest, self.after, &step);
        }
    }
}

impl crate::priest::Messenger for Doomed<'_> {
    fn relay(&mut self, envelopes: &mut Vec<crate::priest::Envelope>) {
        self.telling.tell();
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
    c.window = 1_024;
    // Votes to every priest (the light-load path) cost N(N-1) Voted rows a decree and a wake-up
    // of every priest for each; they spare the Success hop. Measured one at a time on two cores
    // (`parliament bench --in-flight 1`, alternating): 3 priests 1,435 -> 1,740 decrees/s with
    // them, 5 priests 1,195 without -> 1,085 with. So a Chamber of more than 3 priests votes
    // to the president alone, as in the paper's basic protocol.
    if priests > 3 {
        c.votes_to_all = 0;
    }
    c.behind_max = 4096;
    c.volume_decrees = super::volume::volume_decrees();
    c
}

/// The priest's settings in the Chamber laid out with `roll` and `settings`: the weights each
/// place was laid out with (a place seated since with weight 0) and the Chamber's α (§3.3.6).
pub fn chamber_config_for(roll: &Roll, settings: &crate::books::settings::Settings) -> Config {
    let mut c = chamber_config(roll.len());
    c.weights = roll.weights().to_vec();
    c.alpha = settings.alpha;
    c
}

/// How many decree numbers of another priest's votes a priest keeps to check messages against:
/// eight times the ballots a president may have in flight, so an honest message is never older.
pub const VOTES_KEPT: DecreeNo = 8_192;

/// What he knows of another priest's ledger, read as it grows: parsed and indexed only as far
/// as a message from him has needed, and skimmed for how far it runs for his heartbeats.
struct Backer {
    ledger: LedgerFollower,
    index: LedgerIndex,
    skim: LedgerSkim,
}

/// A priest at work.
pub struct Runtime {
    settings: PriestSettings,
    roll: Roll,
    priest: Priest,
    ledger: LedgerFile,
    book: BookReader,
    backers: Vec<Backer>,
    /// The decrees read lately in the other ledgers, shared by every backer: a decree is written
    /// twice in each ledger, so once read it is the same value for all of them.
    row_cache: RowCache,
    /// Messages set aside as long decided this sitting ([`Runtime::set_aside`]).
    set_aside: u64,
    messenger: FileMessenger,
    presence: Listener,
    narrator: Option<Narrator>,
    step: Step,
    rng: crate::rng::Rng,
    unfinished: HashMap<(String, u64), Instant>,
    held: Held,
    law_index: super::law_index::LawIndex,
    sitting: Sitting,
    /// `roll.csv`'s size and time when he last read it.
    roll_seen: Option<(u64, Option<std::time::SystemTime>)>,
}

/// How long a row may wait for its newline before the priest says so.
const UNFINISHED_AFTER: Duration = Duration::from_secs(10);

impl Runtime {
    /// Brings the priest into the Chamber: rebuilt from his ledger alone. A priest whose ledger is
    /// missing or damaged refuses, and the error says why.
    pub fn enter(settings: PriestSettings, roll: &Roll) -> Result<Runtime, RuntimeError> {
        let id = roll.id(&settings.name).ok_or_else(|| {
            let guess = crate::names::did_you_mean(&settings.name, roll.names().iter().map(String::as_str));
            RuntimeError::NotAPriest(settings.name.clone(), format!("{}){guess}", roll.names().join(", ")))
        })?;
        let sitting = claim(&settings.dir, &settings.name).map_err(claim_error)?;
        let path = ledger_path(&settings.dir, &settings.name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
            return Err(RuntimeError::Damaged(format!(
                "{}: not a plain file (a link?); a priest's ledger must be his own file",
                path.display()
            )));
        }
        super::volume::unlink_unfinished(&settings.dir, &settings.name).map_err(|e| io_error(&path, e))?;
        let settings_file = crate::books::settings::Settings::read(&settings.dir)
            .map_err(|e| RuntimeError::Io(e.to_string()))?;
        let config = chamber_config_for(roll, &settings_file);
        let restored = restore_priest(&settings.dir, roll, &settings.name, config).map_err(|e| match e {
            RestoreError::Ledger(e) if ledger_unreachable(&e) => RuntimeError::Unreachable(e.to_string()),
            RestoreError::Ledger(e) => e.into(),
            RestoreError::Damaged(why) => RuntimeError::Damaged(why),
        })?;
        let (priest, read) = (restored.priest, restored.live);
        let law_through = priest.law_through();
        for w in &read.warnings {
            eprintln!("{w}");
        }
        if read.rows.is_empty()
            && law_through == 0
            && let Some(page) = super::amnesia::spoke_before(&settings.dir, roll, &settings.name)
        {
            return Err(RuntimeError::Damaged(format!(
                "{} holds no rows, yet {page} holds messages he sent: his ledger was lost and this one \
                 begun again, without the promises he made",
                path.display()
            )));
        }
        let ledger = LedgerFile::open(&path, roll, read.torn_at_end).map_err(|e| io_error(&path, e))?;
        let messenger = FileMessenger::new(&settings.dir, roll, &settings.name, settings.faults.clone())
            .map_err(|e| io_error(&settings.dir, e))?;
        let backers = roll
            .names()
            .iter()
            .map(|n| Backer {
                ledger: LedgerFollower::new(ledger_path(&settings.dir, n)),
                index: LedgerIndex::keeping(VOTES_KEPT),
                skim: LedgerSkim::new(ledger_path(&settings.dir, n), roll),
            })
            .collect();
        let narrator = settings.narrate.then(|| {
            Narrator::in_chamber(roll.names(), id, priest.durable()).with_alpha(priest.roll_law().alpha())
        });
        Ok(Runtime {
            book: BookReader::open(&settings.dir, roll, &settings.name),
            presence: Listener::new(&settings.dir, roll, id),
            roll: roll.clone(),
            priest,
            ledger,
            backers,
            row_cache: RowCache::for_many_rows(),
            set_aside: 0,
            messenger,
            narrator,
            step: Step::default(),
            rng: crate::rng::Rng::new(settings.faults.seed ^ u64::from(std::process::id())),
            unfinished: HashMap::new(),
            held: Held::default(),
            law_index: super::law_index::LawIndex::start(&settings.dir, &settings.name, law_through),
            sitting,
            roll_seen: None,
            settings,
        })
    }

    /// Works until `stop` is set or the wake-up channel closes. Every wake-up is answered whole:
    /// stopping never leaves a torn row.
    pub fn run(mut self, wakes: &Receiver<()>, stop: &AtomicBool) -> Result<(), RuntimeError> {
        let tick = self.settings.tick;
        let mut next_tick = Instant::now() + tick;
        let mut saved_at = Instant::now();
        let mut ticks = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let due = self.messenger.next_due().map_or(next_tick, |d| d.min(next_tick));
            let now = Instant::now();
            if due > now {
                match wakes.recv_timeout(due - now) {
                    Ok(()) => {
                        super::counters::count(&super::counters::WAKEUPS, 1);
                        while wakes.try_recv().is_ok() {}
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            self.step.clear();
            self.sitting.renew_if_due().map_err(claim_error)?;
            self.grow_roll()?;
            self.read_book()?;
            let now = Instant::now();
            if now >= next_tick {
                ticks += 1;
                if ticks % 5 == 1 {
                    self.hear_presence();
                    let (dir, name) = (&self.settings.dir, &self.settings.name);
                    super::catch_up::catch_up_from_law_books(dir, &self.roll, name, &mut self.priest)
                        .map_err(|e| io_error(&crate::books::layout::lawbook_dir(dir, name), e))?;
                }
                self.priest.handle(Input::Tick, &mut self.step);
                next_tick = (next_tick + tick).max(now);
            }
            self.carry_out()?;
            self.messenger.deliver_due(Instant::now());
            if saved_at.elapsed() > Duration::from_millis(500) {
                self.save_positions();
                saved_at = Instant::now();
            }
        }
        self.save_positions();
        Ok(())
    }

    /// Takes the places seated since he entered (`parliament admit`, §3.3.6), before reading any
    /// row: a place is appended to `roll.csv` and synced before any row names him, so a priest
    /// who looks at the roll first never meets a name he cannot place. Looks only when the file
    /// changed (one `stat` a wake-up).
    fn grow_roll(&mut self) -> Result<(), RuntimeError> {
        let path = crate::books::layout::roll_path(&self.settings.dir);
        let seen = std::fs::metadata(&path).ok().map(|m| (m.len(), m.modified().ok()));
        if seen == self.roll_seen {
            return Ok(());
        }
        self.roll_seen = seen;
        let roll = match Roll::read(&self.settings.dir) {
            Ok(Some(roll)) => roll,
            // Being rewritten, or cut off: looked at again next time.
            Ok(None) | Err(_) => {
                self.roll_seen = None;
                return Ok(());
            }
        };
        if roll.len() == self.roll.len() {
            return Ok(());
        }
        if !roll.is_grown_from(&self.roll) {
            return Err(RuntimeError::Damaged(format!(
                "{}: the roll changed its places ({} before); places are never reordered or removed",
                path.display(),
                self.roll.names().join(", ")
            )));
        }
        let dir = &self.settings.dir;
        for n in &roll.names()[self.roll.len()..] {
            self.backers.push(Backer {
                ledger: LedgerFollower::new(ledger_path(dir, n)),
                index: LedgerIndex::keeping(VOTES_KEPT),
                skim: LedgerSkim::new(ledger_path(dir, n), &roll),
            });
        }
        self.book.set_roll(&roll);
        self.messenger.grow(&roll);
        self.presence.grow(dir, &roll, self.priest.id());
        self.ledger.set_roll(&roll);
        if self.narrator.is_some() {
            let none = crate::priest::Durable::default();
            self.narrator = Some(
                Narrator::in_chamber(roll.names(), self.priest.id(), &none)
                    .with_alpha(self.priest.roll_law().alpha()),
            );
        }
        self.roll = roll;
        Ok(())
    }

    /// Saves how far each page was read, and names rows that wait long for their newline.
    fn save_positions(&mut self) {
        let passed = &self.priest.durable().passed;
        self.book.save_positions(|id| passed.contains_key(id));
        let now = Instant::now();
        let unfinished = self.book.unfinished();
        self.unfinished.retain(|(page, line), _| unfinished.iter().any(|(p, l, _)| (p, l) == (page, line)));
        for (page, line, bytes) in unfinished {
            let since = *self.unfinished.entry((page.clone(), line)).or_insert(now);
            let waited = now.duration_since(since);
            if waited >= UNFINISHED_AFTER && waited < UNFINISHED_AFTER + Duration::from_millis(500) {
                eprintln!(
                    "{} line {line}: a row of {bytes} bytes has waited {} s for its newline; it is read when its line ends, and nothing is written onto it",
                    self.book.page_file(&page),
                    UNFINISHED_AFTER.as_secs()
                );
            }
        }
    }

    fn carry_out(&mut self) -> Result<(), RuntimeError> {
        if self.step.is_empty() {
            return Ok(());
        }
        // Told once its rows are written: a step whose rows never reached his ledger (deleted
        // under him, a newcomer's trial) must not be told as written ("Decree 11 is in all 6
        // ledgers"). Told before its messages leave ([`Telling`]).
        let told = self.narrator.is_some().then(|| self.step.clone());
        let path = ledger_path(&self.settings.dir, &self.settings.name);
        let mut messenger = Doomed {
            messenger: &mut self.messenger,
            chance: self.settings.crash_after_sync,
            rng: &mut self.rng,
            telling: Telling {
                narrator: self.narrator.as_mut(),
                priest: self.priest.id(),
                after: self.priest.durable(),
                step: told,
            },
        };
        let mut ledger = Guarded { ledger: &mut self.ledger, sitting: &mut self.sitting };
        carry_out(&mut self.step, &mut ledger, &mut messenger).map_err(|mut e| {
            if let Some(taken) = taken_from_him(&mut e) {
                return taken.into();
            }
            if is_vanished(&e) || is_not_his(&e) {
                RuntimeError::Vanished(e.to_string())
            } else {
                io_error(&path, e)
            }
        })?;
        messenger.telling.tell();
        let (dir, name) = (&self.settings.dir, &self.settings.name);
        super::volume::close_if_due(dir, name, &self.roll, &mut self.ledger, &mut self.priest)
            .map_err(|e| io_error(&path, e))?;
        if let Some(e) = self.messenger.error.take() {
            eprintln!("{}: a messenger could not write: {e}", self.settings.name);
        }
        Ok(())
    }

    /// Heartbeats from the presence files that changed: who is in the Chamber (§2.4). A
    /// heartbeat claims how far the sender's statute book runs; the claim is taken only as far as
    /// his ledger records a decree, read by skimming ([`LedgerSkim`]), never by parsing and
    /// indexing his every row, which cost a third of the Chamber's CPU under load when every
    /// priest did it for every other. A claim beyond his ledger (a forged presence file, or a
    /// network folder showing the ledger late) is cut down to it: he is heard, his claim is not.
    fn hear_presence(&mut self) {
        for (from, message) in self.presence.hear() {
            let message = match message {
                Message::Heartbeat { known } if from != self.priest.id() => {
                    Message::Heartbeat { known: self.backed_known(from, known) }
                }
                message if self.backed(from, &message).is_ok() => message,
                _ => continue,
            };
            self.priest.handle(Input::Message { from, message }, &mut self.step);
        }
    }

    /// As much of a heartbeat's claim, `known`, as `from`'s ledger backs.
    fn backed_known(&mut self, from: PriestId, known: DecreeNo) -> DecreeNo {
        let backer = &mut self.backers[from.index()];
        let indexed = backer.index.known();
        if known <= indexed {
            return known;
        }
        known.min(backer.skim.highest().unwrap_or(0).max(indexed))
    }

    /// Reads the new rows of his messagebook's pages and answers each valid one.
    fn read_book(&mut self) -> Result<(), RuntimeError> {
        let rows = self.book.read().map_err(|e| io_error(&self.book.folder(), e))?;
        for row in rows {
            let where_ = if row.line == 0 {
                self.book.page_file(&row.page)
            } else {
                format!("{} line {}", self.book.page_file(&row.page), row.line)
            };
            let input = match row.reading {
                Reading::Bad(why) => {
                    eprintln!("{where_}: {why}; the row is left as it is and skipped");
                    continue;
                }
                Reading::Note(what) => {
                    eprintln!("{where_}: {what}");
                    continue;
                }
                Reading::Petition(petition, from) => {
                    let passed = self.already_law(&petition.id)?;
                    if let Some(no) = passed.as_ref() {
                        // A person's row is answered; a petition a priest handed on is his business.
                        if self.roll.id(&row.page).is_some() {
                            continue;
                        }
                        eprintln!(
                            "{where_}: petition {:?} is already law: decree {no}; nothing to do",
                            petition.text
                        );
                        continue;
                    }
                    if let Some(n) = self.narrator.as_mut() {
                        n.petition(At::Now, &from, self.priest.id(), &petition, true);
                    }
                    Input::Petition(petition)
                }
                Reading::Message(from, message) => {
                    if let Message::Petition(p) = &message
                        && self.already_law(&p.id)?.is_some()
                    {
                        continue;
                    }
                    if let Err(why) = self.backed(from, &message) {
                        if from != self.priest.id() && self.backers[from.index()].index.long_decided(&message)
                        {
                            self.set_aside(&where_, from, &message);
                            continue;
                        }
                        // His ledger row may not be visible here yet (a network folder caches
                        // files apart): held, and checked again at each wake-up for a while.
                        if from == self.priest.id() {
                            self.refuse(&where_, from, &message, &why);
                        } else if let Some(spilled) = self.held.hold(from, message, where_, Instant::now()) {
                            self.refuse(
                                &spilled.place,
                                spilled.from,
                                &spilled.message,
                                "too many held messages",
                            );
                        }
                        continue;
                    }
                    Input::Message { from, message }
                }
            };
            self.priest.handle(input, &mut self.step);
        }
        self.recheck_held();
        Ok(())
    }

    /// The decree that made a petition law, from his memory or else his law book (§3.3.2).
    fn already_law(&mut self, id: &crate::priest::PetitionId) -> Result<Option<u64>, RuntimeError> {
        let (dir, name) = (&self.settings.dir, &self.settings.name);
        self.law_index.already_law(dir, name, &self.priest, id).map_err(|e| io_error(dir, e))
    }

    /// Checks the held messages again: answers those now backed, refuses those whose grace ran out.
    fn recheck_held(&mut self) {
        if self.held.is_empty() {
            return;
        }
        let mut held = std::mem::take(&mut self.held);
        let judged = held.recheck(Instant::now(), |from, message| self.backed(from, message));
        self.held = held;
        for (HeldMessage { place, from, message, .. }, why) in judged.refused {
            if self.backers[from.index()].index.long_decided(&message) {
                self.set_aside(&place, from, &message);
                continue;
            }
            self.refuse(&place, from, &message, &why);
        }
        for (from, message) in judged.backed {
            self.priest.handle(Input::Message { from, message }, &mut self.step);
        }
    }

    /// A message about a decree decided long ago, whose votes are no longer kept to check it: it
    /// could change nothing, so it is set aside (as a messenger may lose any message). The first
    /// of a sitting is named; the rest are only counted, as a priest back from a long absence
    /// may find many.
    fn set_aside(&mut self, place: &str, from: PriestId, message: &Message) {
        self.set_aside += 1;
        if self.set_aside == 1 {
            eprintln!(
                "{place}: set aside {} said to be from {}: it is about a decree decided more than {VOTES_KEPT} decrees ago, whose votes are no longer kept to check it, and could change nothing (later ones are set aside without a word)",
                message.kind(),
                self.roll.name(from)
            );
        }
    }

    fn refuse(&self, place: &str, from: PriestId, message: &Message, why: &str) {
        eprintln!(
            "{place}: refused {} said to be from {}: {why} ({}); written by hand or forged",
            message.kind(),
            self.roll.name(from),
            ledger_file(self.roll.name(from))
        );
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
        if let Message::Voted { ballot, decree_no } = message
            && ballot.priest != self.priest.id()
            && backer.skim.has_vote(*decree_no, *ballot).unwrap_or(false)
        {
            // His ledger holds that vote, found by skimming his latest rows: the light-load path
            // has every priest check every voter's Voted (`Config::votes_to_all`), and parsing
            // and indexing every row of every ledger for it would cost what the skim spared. A
            // president reads his voters' ledgers in full, as before: a ledger read only now and
            // then may have closed a volume unread (§3.3.2), and a vote in it is not found.
            return Ok(());
        }
        let index = &mut backer.index;
        backer
            .ledger
            .read_with(&self.roll, &mut self.row_cache, |_, row| index.add(&row.record))
            .map_err(|e| e.to_string())?;
        if matches!(message, Message::Heartbeat { .. }) && backer.index.backs(message).is_err() {
            // His book may run on in his law book, past what his live volume holds.
            let book = law_book(&self.settings.dir, self.roll.name(from)).map_err(|e| e.to_string())?;
            backer.index.law_book_through(book.through);
        }
        backer.index.backs(message)
    }

    /// The priest's name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }
}

/// Why a priest could not work.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The name is not on the roll.
    /// The name, and the roll with a guess at the name meant (its closing parenthesis inside).
    #[error("{0} is not a priest of this Chamber ({1}")]
    NotAPriest(String, String),
    /// His ledger cannot be trusted.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Another process sits as him.
    #[error(transparent)]
    AlreadySitting(#[from] ClaimError),
    /// His ledger was deleted or replaced while he sat.
    #[error("{0}")]
    Vanished(String),
    /// His ledger breaks the rules a priest keeps.
    #[error("{0}; the ledger is damaged, so this priest refuses to vote")]
    Damaged(String),
    /// A file could not be written or read.
    #[error("{0}")]
    Io(String),
    /// The Chamber's folder cannot be reached (EIO from a network mount): a crash, to come back from.
    #[error("{0}; the Chamber's folder cannot be reached, so he leaves, to be brought back")]
    Unreachable(String),
}

fn claim_error(e: ClaimError) -> RuntimeError {
    match e {
        ClaimError::Io { path, source } if is_unreachable(&source) => {
            RuntimeError::Unreachable(format!("{path}: {source}"))
        }
        e => e.into(),
    }
}

fn io_error(path: &Path, e: io::Error) -> RuntimeError {
    if is_unreachable(&e) {
        return RuntimeError::Unreachable(format!("{}: {e}", path.display()));
    }
    RuntimeError::Io(format!("{}: {e}", path.display()))
}
