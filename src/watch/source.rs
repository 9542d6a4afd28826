//! The watch's data source: follows a Chamber's files as they grow and feeds [`WatchState`]. Every
//! ledger (§2.3's indelible ink) through [`LedgerFollower`], every page of every messagebook
//! (`messagebooks/<to>/<from>.csv`, the paper's messengers' slips) through a [`TailReader`], and
//! who is in the Chamber (§1.2, §2.4): the sitting locks and the presence files.
//!
//! Each [`Source::refresh`] reads only the bytes appended since the last one, so it costs what
//! the Chamber wrote, not what it holds. It never writes anything: the priests' `.read` positions
//! are theirs.
//!
//! Who sits is read from `/proc/locks` (the kernel's list of `flock`s, matched by the lock file's
//! inode), never by trying the lock: a watch that tried it ten times a second would now and then
//! hold it at the very moment a priest comes back, and he would be turned away as "already
//! sitting".

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use super::model::{DELIVERIES_KEPT, Presence, WatchState};
use crate::books::Roll;
use crate::books::book_rows::{BookEntry, book_row_kind, parse_book_row, petition_from};
use crate::books::layout::{book_dir, ledger_path, page_file, page_name, presence_path, sitting_path};
use crate::books::ledger_read::{Followed, LedgerFollower};
use crate::books::ledger_rows::LedgerRow;
use crate::books::ledger_rows::RowCache;
use crate::chamber::lease;
use crate::chamber::sitting::{flock_pid, flocks};
use crate::files::{TailItem, TailReader};
use crate::priest::{BallotNumber, DecreeNo, Message, PriestId};

/// A presence file unchanged for longer than this is a priest who left (heartbeats go about
/// every 200 ms at the default tick).
pub const AWAY_AFTER: Duration = Duration::from_secs(1);

/// A presence file as last seen (modified time, inode), and when it last changed.
type Seen = (Option<(SystemTime, u64)>, Option<Instant>);

/// How often the sitting locks are looked at.
const SITTING_EVERY: Duration = Duration::from_millis(250);

/// A row read and not yet fed to the view. A messagebook row waits as its text (where it lies in
/// [`Source::waiting_text`]), and is parsed only if the view needs it (see
/// [`Source::refresh_within`]).
enum Row {
    /// A ledger row; `true` for a row a new volume restates ([`Followed::Restating`]).
    Ledger(PriestId, u64, LedgerRow, bool),
    /// A new volume's `Restated` row: his law book runs through this decree (§3.3.2).
    Restated(PriestId, DecreeNo),
    /// `seq`: how many messagebook rows had been read when this one was (itself included).
    Page { page: usize, line: u64, seq: u64, start: usize, end: usize },
}

/// One page of one messagebook, followed.
struct Page {
    to: PriestId,
    name: String,
    file: String,
    tail: TailReader,
}

/// A Chamber's files, followed.
pub struct Source {
    dir: PathBuf,
    roll: Roll,
    ledgers: Vec<LedgerFollower>,
    /// What the ledgers' rows read lately, shared by them all: each decree is read once and is
    /// then one value in every ledger (the rules compare it by pointer, not by text).
    row_cache: RowCache,
    pages: Vec<Page>,
    /// Where each page is in `pages`, by owner and name.
    page_index: BTreeMap<(PriestId, String), usize>,
    /// Each priest's presence file as last seen.
    presence: Vec<Seen>,
    /// Rows read from the files, waiting to be fed to the view, in the order read.
    backlog: VecDeque<Row>,
    /// How many messagebook rows have been read, all pages together.
    pages_read: u64,
    /// This refresh's new messagebook lines, end to end, and where each lies in it: kept from one
    /// refresh to the next so reading them allocates nothing.
    page_text: String,
    page_spans: Vec<(usize, u64, usize, usize)>,
    /// The text of the messagebook rows waiting in the backlog, end to end: emptied whenever the
    /// backlog is.
    waiting_text: String,
    /// `roll.csv`'s length and modification time when last looked.
    roll_seen: Option<(u64, Option<SystemTime>)>,
    /// Who sat when last looked, and when that was.
    sitting: (Option<Instant>, Option<Vec<Option<u32>>>),
    /// How many rows have been fed to the view, all files together.
    pub rows: u64,
    /// How many refreshes have been made.
    pub refreshes: u64,
}

/// One row read from a messagebook page.
#[derive(Clone, Debug)]
pub struct BookRow {
    /// The page's owner, who reads it.
    pub to: PriestId,
    /// The page's name: the writer.
    pub page: String,
    /// `messagebooks/<to>/<page>.csv`.
    pub file: String,
    /// The line in that file.
    pub line: u64,
    /// The row's `at`.
    pub at: Option<DateTime<Utc>>,
    /// What it says.
    pub entry: BookEntry,
}

impl Source {
    /// Follows the Chamber in `dir`, whose roll is `roll`, from the start of every file.
    pub fn open(dir: &Path, roll: &Roll) -> Source {
        Source {
            dir: dir.to_path_buf(),
            ledgers: roll.names().iter().map(|n| LedgerFollower::new(ledger_path(dir, n))).collect(),
            presence: vec![(None, None); roll.len()],
            row_cache: RowCache::for_many_rows(),
            roll: roll.clone(),
            pages: Vec::new(),
            page_index: BTreeMap::new(),
            backlog: VecDeque::new(),
            pages_read: 0,
            page_text: String::new(),
            page_spans: Vec::new(),
            waiting_text: String::new(),
            roll_seen: roll_seen(dir),
            sitting: (None, None),
            rows: 0,
            refreshes: 0,
        }
    }

    /// The roll, if places were seated since this source opened (`parliament admit`, §3.3.6):
    /// the view must be built again over it, one lifeline more. One `stat` when nothing changed.
    pub fn grown_roll(&mut self) -> Option<Roll> {
        let seen = roll_seen(&self.dir);
        if seen == self.roll_seen {
            return None;
        }
        let roll = Roll::read(&self.dir).ok().flatten()?;
        // Looked at again only once it reads whole (God appends a place, then syncs).
        self.roll_seen = seen;
        (roll.len() > self.roll.len() && roll.is_grown_from(&self.roll)).then_some(roll)
    }

    /// The folders whose changes matter: `ledgers/`, each messagebook, `presence/`.
    pub fn folders(&self) -> Vec<PathBuf> {
        let mut folders = vec![self.dir.join(crate::books::layout::LEDGERS)];
        folders.extend(self.roll.names().iter().map(|n| book_dir(&self.dir, n)));
        folders.push(self.dir.join(crate::books::layout::PRESENCE));
        folders
    }

    /// Reads whatever the files gained since the last call into `state`, then who is in the
    /// Chamber. Returns how many rows were fed.
    pub fn refresh(&mut self, state: &mut WatchState) -> usize {
        self.refresh_within(state, None)
    }

    /// As [`Source::refresh`], but feeds rows to `state` for no longer than `budget`; the rest
    /// wait for the next call ([`Source::behind`]), so a screen drawn between calls is never held
    /// up for long by a Chamber writing faster than the view can follow. The files are still read
    /// to their ends, only once each byte.
    pub fn refresh_within(&mut self, state: &mut WatchState, budget: Option<std::time::Duration>) -> usize {
        if self.backlog.is_empty() {
            self.waiting_text.clear();
        }
        let (roll, cache) = (&self.roll, &mut self.row_cache);
        for (i, ledger) in self.ledgers.iter_mut().enumerate() {
            let backlog = &mut self.backlog;
            let _ = ledger.read_restating(roll, cache, |line, row| {
                backlog.push_back(match row {
                    Followed::Row(row) => Row::Ledger(PriestId(i as u16), line, row, false),
                    Followed::Restating(row) => Row::Ledger(PriestId(i as u16), line, row, true),
                    Followed::LawBook(through) => Row::Restated(PriestId(i as u16), through),
                })
            });
        }
        // The books after the ledgers: a petition's row was written before any decree carrying it,
        // so every decree read so far has its petition among the rows read so far.
        let skipped = self.read_page_rows();
        let deadline = budget.map(|b| Instant::now() + b);
        let mut fed = 0;
        while let Some(row) = self.backlog.pop_front() {
            match row {
                Row::Ledger(p, line, row, false) => state.ledger_row(p, line, &row.record, row.at),
                Row::Ledger(p, line, row, true) => state.restating_row(p, line, &row.record),
                Row::Restated(p, through) => state.restated(p, through),
                Row::Page { page, line, seq, start, end } => {
                    let text = &self.waiting_text[start..end];
                    // A delivery with DELIVERIES_KEPT more behind it would scroll out of view
                    // before any screen showed it: only what it tells the rules and the ballots
                    // in flight (a petition made, a ballot begun) is taken, and a row that tells
                    // them nothing is not even parsed. Under load this is most rows.
                    // A BeginBallot to each acceptor tells the ballots in flight the same thing:
                    // once its ballot (or a later one) is in flight, another says nothing new,
                    // nor does one on a number below all the panel keeps.
                    let hushed = self.pages_read - seq >= DELIVERIES_KEPT as u64;
                    let told = |kind: &str| match kind {
                        "Petition" => false,
                        "BeginBallot" => begun_ballot(&self.roll, text)
                            .is_some_and(|(no, ballot)| state.flight().knows_begun(no, ballot)),
                        _ => true,
                    };
                    if !hushed {
                        if let Some(row) = self.pages[page].row(&self.roll, line, text) {
                            feed(state, &row)
                        }
                    } else if !book_row_kind(text).is_some_and(told)
                        && let Ok(entry) = parse_book_row(&self.roll, text)
                    {
                        let at = self.row_cache.at(text.split(',').next().unwrap_or_default()).ok();
                        feed_hushed(state, &self.pages[page].name, &entry, at)
                    }
                }
            }
            fed += 1;
            if fed % 256 == 0 && deadline.is_some_and(|d| Instant::now() > d) {
                break;
            }
        }
        if self.backlog.is_empty() {
            state.books_read();
        }
        self.presence(state);
        self.rows += (skipped + fed) as u64;
        self.refreshes += 1;
        skipped + fed
    }

    /// Reads every page's new rows into the backlog, but for those that would be hushed whatever
    /// comes after them (DELIVERIES_KEPT rows of this very read behind them) and that tell the
    /// rules and the ballots nothing by their kind: those are only counted, never copied. Under
    /// load that is most of them. Returns how many were skipped so.
    fn read_page_rows(&mut self) -> usize {
        let (mut text, mut spans) =
            (std::mem::take(&mut self.page_text), std::mem::take(&mut self.page_spans));
        text.clear();
        spans.clear();
        self.each_page_line(|page, line, row| {
            let start = text.len();
            text.push_str(row);
            spans.push((page, line, start, text.len()));
        });
        let mut skipped = 0;
        for (i, &(page, line, start, end)) in spans.iter().enumerate() {
            let row = &text[start..end];
            self.pages_read += 1;
            let behind = spans.len() - i - 1;
            if behind >= DELIVERIES_KEPT
                && book_row_kind(row).is_some_and(|k| k != "Petition" && k != "BeginBallot")
            {
                skipped += 1;
                continue;
            }
            let seq = self.pages_read;
            let start = self.waiting_text.len();
            self.waiting_text.push_str(row);
            self.backlog.push_back(Row::Page { page, line, seq, start, end: self.waiting_text.len() });
        }
        (self.page_text, self.page_spans) = (text, spans);
        skipped
    }

    /// How many rows have been read from the files but not yet fed to the view.
    pub fn behind(&self) -> usize {
        self.backlog.len()
    }

    /// The new rows of every page of every messagebook (pages found as they appear), parsed.
    pub fn read_books(&mut self) -> Vec<BookRow> {
        self.read_page_lines()
            .into_iter()
            .filter_map(|(page, line, text)| self.pages[page].row(&self.roll, line, &text))
            .collect()
    }

    /// Every new complete line of every page, as (page, line, text): not the header, not a half
    /// row voided by the page's next writer.
    fn read_page_lines(&mut self) -> Vec<(usize, u64, String)> {
        let mut lines = Vec::new();
        self.each_page_line(|page, line, text| lines.push((page, line, text.to_string())));
        lines
    }

    /// Hands every new complete line of every page to `each` as (page, line, text), borrowed.
    fn each_page_line(&mut self, mut each: impl FnMut(usize, u64, &str)) {
        for (i, to) in self.roll.names().iter().enumerate() {
            let Ok(entries) = fs::read_dir(book_dir(&self.dir, to)) else { continue };
            for entry in entries.flatten() {
                let file_name = entry.file_name();
                let Some(page) = file_name.to_str().and_then(page_name) else { continue };
                let key = (PriestId(i as u16), page.to_string());
                if !self.page_index.contains_key(&key) {
                    self.page_index.insert(key, self.pages.len());
                    self.pages.push(Page {
                        to: PriestId(i as u16),
                        name: page.to_string(),
                        file: page_file(to, page),
                        tail: TailReader::new(entry.path()),
                    });
                }
            }
        }
        for (i, page) in self.pages.iter_mut().enumerate() {
            let _ = page.tail.read_new_each(|item| {
                if let TailItem::Line { number, text, .. } = item
                    && number != 1
                    && !crate::books::csvrow::holds_nul(text)
                {
                    each(i, number, text);
                }
            });
        }
    }

    /// Who is in the Chamber: a priest whose ledger is gone refuses to vote; one who does not sit
    /// while others do, or whose presence file has stopped changing, is away.
    fn presence(&mut self, state: &mut WatchState) {
        // Reading the kernel's list of locks costs a few milliseconds on a busy machine: four
        // times a second is often enough to see a priest leave.
        if self.sitting.0.is_none_or(|at| at.elapsed() >= SITTING_EVERY) {
            let mut sitting = sitting_now(&self.dir, &self.roll);
            // A priest sitting on another computer holds no lock this kernel knows of; his lease
            // (ledgers/.<priest>.lease, issue 18) says he sits. His pid is not ours to signal,
            // so it is not taken, only the fact.
            for (i, name) in self.roll.names().iter().enumerate() {
                if let Some(s) = sitting.as_mut().filter(|s| s[i].is_none())
                    && lease::holder(&self.dir, name).is_some()
                {
                    s[i] = Some(0);
                }
            }
            self.sitting = (Some(Instant::now()), sitting);
        }
        let sitting = self.sitting.1.clone();
        let anyone = sitting.as_ref().is_some_and(|s| s.iter().any(Option::is_some));
        let now = Instant::now();
        for (i, name) in self.roll.names().iter().enumerate() {
            let stamp = fs::metadata(presence_path(&self.dir, name))
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.ino())));
            let (seen, changed) = &mut self.presence[i];
            if stamp.is_some() && stamp != *seen {
                *changed = Some(now);
            }
            *seen = stamp;
            let beating = changed.is_some_and(|c| now - c < AWAY_AFTER);
            let sits = sitting.as_ref().map(|s| s[i].is_some());
            let presence = if !self.ledgers[i].path().exists() {
                Presence::Refusing
            } else if sits == Some(false) && anyone {
                Presence::Away
            } else if beating || (sits == Some(true) && changed.is_none()) {
                Presence::Present
            } else {
                Presence::Away
            };
            state.priest_status(PriestId(i as u16), presence);
        }
    }
}

impl Page {
    /// Line `line` of this page, parsed; None for a row that is not a message (the priest who
    /// reads the page names those).
    fn row(&self, roll: &Roll, line: u64, text: &str) -> Option<BookRow> {
        let entry = parse_book_row(roll, text).ok()?;
        let at = text.split(',').next().and_then(|a| DateTime::parse_from_rfc3339(a).ok());
        Some(BookRow {
            to: self.to,
            page: self.name.clone(),
            file: self.file.clone(),
            line,
            at: at.map(|a| a.with_timezone(&Utc)),
            entry,
        })
    }
}

/// The decree number and ballot of a BeginBallot row, read without parsing the rest; None when
/// the row holds a quote anywhere (its decree's text may hold commas: only [`parse_book_row`]
/// can read it) or they do not read.
pub(super) fn begun_ballot(roll: &Roll, text: &str) -> Option<(DecreeNo, BallotNumber)> {
    if text.contains('"') {
        return None;
    }
    // at,from,message,decree,decree_no,ballot,...
    let mut fields = crate::books::csvrow::split_commas(text).skip(4);
    let decree_no = fields.next()?.parse().ok()?;
    let ballot = roll.parse_ballot(fields.next()?).ok()?;
    Some((decree_no, ballot))
}

/// Feeds one messagebook row to the state: a priest's message, or a petition (heartbeats live in
/// the presence files, not here).
pub fn feed(state: &mut WatchState, row: &BookRow) {
    match &row.entry {
        BookEntry::Message { message: Message::Heartbeat { .. }, .. } | BookEntry::Continued { .. } => {}
        BookEntry::Message { from, message } => {
            state.message(*from, row.to, message, row.at, &row.file, row.line)
        }
        BookEntry::Petition { from, text, id, print } => {
            let petition = petition_from(state.roll(), &row.page, *print, text, id);
            state.petition(from, row.to, &petition, row.at, &row.file, row.line);
        }
    }
}

fn roll_seen(dir: &Path) -> Option<(u64, Option<SystemTime>)> {
    let m = fs::metadata(crate::books::layout::roll_path(dir)).ok()?;
    Some((m.len(), m.modified().ok()))
}

/// As [`feed`], for a row of page `page` that would scroll out of view before it is drawn: what
/// it tells the rules and the ballots in flight, without a delivery.
pub fn feed_hushed(state: &mut WatchState, page: &str, entry: &BookEntry, at: Option<DateTime<Utc>>) {
    match entry {
        BookEntry::Message { message, .. } => state.heard(message, at),
        BookEntry::Continued { .. } => {}
        BookEntry::Petition { text, id, print, .. } => {
            let petition = petition_from(state.roll(), page, *print, text, id);
            state.heard(&Message::Petition(petition), at)
        }
    }
}

/// The pid sitting as each priest now, from the kernel's list of `flock`s (`/proc/locks`); None
/// where that list cannot be read (not Linux).
pub fn sitting_now(dir: &Path, roll: &Roll) -> Option<Vec<Option<u32>>> {
    let locks = flocks()?;
    Some(roll.names().iter().map(|n| flock_pid(&sitting_path(dir, n), &locks)).collect())
}
