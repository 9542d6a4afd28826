//! A priest's Messenger (§1.1, "the messengers"): relays the messages his synced ledger rows
//! allow by appending rows to his own page of each recipient's messagebook
//! (`messagebooks/<to>/<from>.csv`), one `write` per recipient; nobody else writes that page, and
//! a row is never appended onto a line someone left unfinished. Heartbeats ("I am here", §2.4) go
//! to his presence file instead, so the messagebooks show only petitions and the paper's messages.
//!
//! Messengers may be made as unreliable as the paper's: they lose, duplicate and delay messages,
//! seeded so a run can be repeated; `pace` slows every delivery so a person can follow along.
//!
//! It is only ever handed messages by [`crate::priest::carry_out`], after the ledger sync, so it
//! relays only rows known to be synced. A priest who dies before his messenger sets out loses those
//! messages like the paper's slip of paper; his ledger still holds what they said, and the priest
//! re-sends whatever goes unanswered.

use std::collections::BinaryHeap;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::control::Control;
use super::presence::Announcer;
use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::layout::page_path;
use crate::files::AppendFile;
use crate::priest::{Envelope, Message, Messenger};
use crate::rng::Rng;

/// How unreliable a messenger is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Chance that a message is lost.
    pub lose: f64,
    /// Chance that a message is delivered twice.
    pub duplicate: f64,
    /// Each delivery is delayed by a time drawn from this range.
    pub delay: Option<(Duration, Duration)>,
    /// Every delivery is delayed by at least this much.
    pub pace: Duration,
    /// The seed the chances are drawn from.
    pub seed: u64,
}

/// A message waiting for its delivery time.
#[derive(PartialEq, Eq)]
struct Delayed {
    due: Instant,
    order: u64,
    to: usize,
    row: String,
}

impl Ord for Delayed {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.due, other.order).cmp(&(self.due, self.order))
    }
}
impl PartialOrd for Delayed {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// One priest's messenger, writing into every other priest's messagebook.
pub struct FileMessenger {
    roll: Roll,
    from: String,
    dir: std::path::PathBuf,
    books: Vec<Option<AppendFile>>,
    presence: Announcer,
    faults: Faults,
    rng: Rng,
    delayed: BinaryHeap<Delayed>,
    order: u64,
    pending: Vec<String>,
    control: Control,
    /// He closes a page of his once it is this long (§3.3.2).
    page_bytes: u64,
    /// The first error writing a messagebook, kept for the runtime to report.
    pub error: Option<io::Error>,
}

impl FileMessenger {
    /// A messenger for priest `from`, writing into `messagebooks` under `dir`.
    pub fn new(dir: &Path, roll: &Roll, from: &str, faults: Faults) -> io::Result<FileMessenger> {
        let seed = faults.seed ^ (0x9E37_79B9 * (roll.id(from).map_or(0, |p| p.0) as u64 + 1));
        Ok(FileMessenger {
            roll: roll.clone(),
            from: from.to_string(),
            dir: dir.to_path_buf(),
            books: (0..roll.len()).map(|_| None).collect(),
            presence: Announcer::new(dir, from, seed ^ u64::from(std::process::id()))?,
            rng: Rng::new(seed),
            faults,
            delayed: BinaryHeap::new(),
            order: 0,
            pending: vec![String::new(); roll.len()],
            control: Control::new(dir),
            page_bytes: super::page_close::page_bytes(),
            error: None,
        })
    }

    /// Takes a roll grown by places seated since (§3.3.6): he writes into their messagebooks too.
    pub fn grow(&mut self, roll: &Roll) {
        self.roll = roll.clone();
        self.books.resize_with(roll.len(), || None);
        self.pending.resize(roll.len(), String::new());
    }

    /// When the next delayed message is due, if any.
    pub fn next_due(&self) -> Option<Instant> {
        let held = self.control.next_due();
        self.delayed.peek().map(|d| d.due).into_iter().chain(held).min()
    }

    /// Delivers every delayed message now due.
    pub fn deliver_due(&mut self, now: Instant) {
        while self.delayed.peek().is_some_and(|d| d.due <= now) {
            let d = self.delayed.pop().expect("peeked");
            self.pending[d.to].push_str(&d.row);
        }
        self.write_pending();
    }

    fn delay(&mut self) -> Duration {
        let extra = match self.faults.delay {
            Some((a, b)) if b > a => a + (b - a).mul_f64(self.rng.below(1_000_000) as f64 / 1e6),
            Some((a, _)) => a,
            None => Duration::ZERO,
        };
        self.faults.pace + extra
    }

    fn write_pending(&mut self) {
        // The control file (messengers.csv) may hold rows back, drop or double one, or pace them.
        self.control.pass(&mut self.pending, self.roll.names());
        for (to, rows) in self.pending.iter_mut().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let path = page_path(&self.dir, self.roll.names().get(to).map_or("", String::as_str), &self.from);
            let book = match &mut self.books[to] {
                Some(book) => book.follow_replacement().map(|_| book),
                slot => AppendFile::open_with_header(&path, BOOK_HEADER).map(|b| slot.insert(b)),
            };
            super::counters::count(&super::counters::HOPS, 1);
            if let Err(e) = book.and_then(|b| b.append_rows_on_a_line_of_their_own(rows.as_bytes())) {
                self.error.get_or_insert(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
            }
            rows.clear();
            if self.books[to].as_ref().and_then(AppendFile::end).is_some_and(|end| end >= self.page_bytes) {
                self.books[to] = None;
                let to = self.roll.names().get(to).map_or("", String::as_str);
                if let Err(e) = super::page_close::close_page(&self.dir, to, &self.from) {
                    self.error
                        .get_or_insert(io::Error::new(e.kind(), format!("closing {}: {e}", path.display())));
                }
            }
        }
    }
}

impl Messenger for FileMessenger {
    fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
        let now = Utc::now();
        let started = Instant::now();
        let mut present = None;
        for e in envelopes.drain(..) {
            if let Message::Heartbeat { known } = e.message {
                present = Some(known);
                continue;
            }
            if self.rng.chance(self.faults.lose) || e.to.index() >= self.roll.len() {
                continue;
            }
            let copies = if self.rng.chance(self.faults.duplicate) { 2 } else { 1 };
            let row = book_row(&self.roll, now, &self.from, &e.message);
            for _ in 0..copies {
                let delay = self.delay();
                if delay.is_zero() {
                    self.pending[e.to.index()].push_str(&row);
                } else {
                    self.order += 1;
                    let (due, order, to) = (started + delay, self.order, e.to.index());
                    self.delayed.push(Delayed { due, order, to, row: row.clone() });
                }
            }
        }
        if let Some(known) = present
            && let Err(e) = self.presence.announce(known)
        {
            self.error.get_or_insert(e);
        }
        self.write_pending();
    }
}
