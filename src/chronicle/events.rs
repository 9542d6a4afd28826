//! A Chamber's files read back as one ordered list of events, for the chronicle: every ledger row
//! (the priest's indelible ink, §2.3) and every messagebook row (the messengers' slips), each with
//! its time, its file and line, and, derived from the ledgers, the moment a majority set has voted
//! in a ballot (§2.2's "a ballot succeeds").
//!
//! Order is by the `at` column, and at the same millisecond a ledger row comes before a message
//! row: a priest writes in his ledger before he sends what the row allows ("ink before paper").
//! Rows without a time (a petition written by hand) come first. A message row that its sender's
//! whole ledger does not back ([`LedgerIndex::backs`]) is kept, marked refused, as the audit's
//! provenance rule does.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::books::Roll;
use crate::books::backing::LedgerIndex;
use crate::books::book_rows::{BOOK_HEADER, BookEntry, parse_book_row, petition_from};
use crate::books::layout::{ledger_file, page_files};
use crate::books::ledger_read::{LedgerLine, read_ledger_line};
use crate::priest::{
    BallotNumber, DecreeNo, Message, Petition, PetitionId, PriestId, Quorum, Record, RollLaw, Weights,
};

/// What happened, as one row of the Chamber's files says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A row written in `priest`'s ledger.
    Ledger { priest: PriestId, record: Record },
    /// A message row from priest `from` in `to`'s messagebook; `refused` says why it is forged.
    Message { from: PriestId, to: PriestId, message: Message, refused: Option<String> },
    /// A petition handed to priest `to` by a person.
    Petition { by: String, to: PriestId, petition: Petition },
    /// A majority set has voted in `ballot` on decree `decree_no`: the ballot succeeded.
    Majority { ballot: BallotNumber, decree_no: DecreeNo, voters: Vec<PriestId> },
}

/// One event of the chronicle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// The row's `at` (for a majority, the `at` of the vote that made it).
    pub at: Option<DateTime<Utc>>,
    /// The file, relative to the Chamber (`ledgers/Lynch.csv`, `messagebooks/Toueg/Lynch.csv`).
    pub file: String,
    /// The line in that file, from 1.
    pub line: u64,
    /// What the row says.
    pub what: What,
}

impl Event {
    /// Ledger rows first at one instant, then a majority they make, then messages.
    fn rank(&self) -> u8 {
        match self.what {
            What::Ledger { .. } => 0,
            What::Majority { .. } => 1,
            What::Petition { .. } | What::Message { .. } => 2,
        }
    }

    /// The priests whose lifelines this event touches.
    pub fn priests(&self) -> Vec<PriestId> {
        match &self.what {
            What::Ledger { priest, .. } => vec![*priest],
            What::Message { from, to, .. } => vec![*from, *to],
            What::Petition { to, .. } => vec![*to],
            What::Majority { voters, .. } => voters.clone(),
        }
    }
}

/// A Chamber read for the chronicle.
#[derive(Debug)]
pub struct Chronicle {
    /// The roll: one lifeline per priest.
    pub roll: Roll,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// Rows that could not be read, with file and line (a person should see them).
    pub skipped: Vec<String>,
}

/// A file's complete lines, numbered from 1, or None if it is missing.
fn lines(path: &Path) -> io::Result<Option<Vec<String>>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1);
    let body = &bytes[..complete];
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    if complete == 0 {
        return Ok(Some(Vec::new()));
    }
    let text = |l: &[u8]| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned();
    Ok(Some(body.split(|&b| b == b'\n').map(text).collect()))
}

/// The `at` at the start of a messagebook row, if it holds a time.
fn row_time(text: &str) -> Option<DateTime<Utc>> {
    let first = text.split(',').next()?;
    DateTime::parse_from_rfc3339(first).ok().map(|t| t.with_timezone(&Utc))
}

impl Chronicle {
    /// Reads the Chamber in `dir`: its roll, every ledger, every page of every messagebook.
    pub fn read(dir: &Path, roll: &Roll) -> io::Result<Chronicle> {
        let mut events = Vec::new();
        let mut skipped = Vec::new();
        let mut index: Vec<LedgerIndex> = roll.names().iter().map(|_| LedgerIndex::default()).collect();
        for (i, name) in roll.names().iter().enumerate() {
            let priest = PriestId(i as u16);
            // Every volume in order (§3.3.2); a later volume's restatement is not drawn twice.
            for (k, (file, path)) in crate::books::volumes::ledger_volumes(dir, name)?.into_iter().enumerate()
            {
                let start = events.len();
                for (n, text) in lines(&path)?.unwrap_or_default().iter().enumerate() {
                    let line = n as u64 + 1;
                    match read_ledger_line(roll, line, text) {
                        LedgerLine::Row(row) => {
                            index[i].add(&row.record);
                            let what = What::Ledger { priest, record: row.record };
                            events.push(Event { at: row.at, file: file.clone(), line, what });
                        }
                        LedgerLine::Restated(_) if k > 0 => events.truncate(start),
                        LedgerLine::Bad(why) => skipped.push(format!("{file} line {line}: {why}")),
                        _ => {}
                    }
                }
            }
        }
        for (i, name) in roll.names().iter().enumerate() {
            let to = PriestId(i as u16);
            for (page, file) in page_files(dir, name)? {
                for (n, text) in lines(&dir.join(&file))?.unwrap_or_default().iter().enumerate() {
                    let line = n as u64 + 1;
                    if text.trim().is_empty() || (line == 1 && text == BOOK_HEADER) {
                        continue;
                    }
                    let what = match parse_book_row(roll, text) {
                        Ok(BookEntry::Message { message: Message::Heartbeat { .. }, .. }) => continue,
                        Ok(BookEntry::Continued { .. }) => continue,
                        Ok(BookEntry::Message { from, message }) => {
                            let refused = refusal(roll, to, from, &page, &index, &message);
                            What::Message { from, to, message, refused }
                        }
                        Ok(BookEntry::Petition { from, text, id, print }) => {
                            let petition = petition_from(roll, &format!("{name}/{page}"), print, &text, &id);
                            What::Petition { by: from, to, petition }
                        }
                        Err(why) => {
                            skipped.push(format!("{file} line {line}: {why}"));
                            continue;
                        }
                    };
                    events.push(Event { at: row_time(text), file: file.clone(), line, what });
                }
            }
        }
        events.sort_by_key(|e| (e.at, e.rank()));
        let alpha = crate::books::settings::Settings::read(dir)?.alpha;
        let events = with_majorities(roll, alpha, events);
        Ok(Chronicle { roll: roll.clone(), events, skipped })
    }
}

/// Why a message row is refused: not in its sender's page, or not backed by his ledger.
fn refusal(
    roll: &Roll,
    to: PriestId,
    from: PriestId,
    page: &str,
    index: &[LedgerIndex],
    message: &Message,
) -> Option<String> {
    let sender = roll.name(from);
    if from == to {
        return Some(format!("{sender}'s own message in his own messagebook: forged"));
    }
    if page != sender {
        return Some(format!("said to be from {sender}, but written in the page {page}.csv"));
    }
    index[from.index()]
        .backs(message)
        .err()
        .map(|why| format!("not backed by {}: {why}", ledger_file(sender)))
}

/// Inserts, right after the Voted row that completes it, the moment a majority set has voted in
/// a ballot on a decree number (counted from the ledgers, which are what a vote is), by the
/// weights of the roll in force for that number (§2.2, §3.3.6): the Chamber's layout, its α, and
/// the membership decrees the ledgers hold.
fn with_majorities(roll: &Roll, alpha: u64, events: Vec<Event>) -> Vec<Event> {
    let mut law = RollLaw::new(Weights(roll.weights().to_vec()), alpha.max(1));
    let mut first: BTreeMap<&PetitionId, DecreeNo> = BTreeMap::new();
    for event in &events {
        if let What::Ledger { record: Record::Decree { decree_no, decree }, .. } = &event.what
            && let Some(p) = decree.petition()
            && p.change.is_some()
        {
            let at = first.entry(&p.id).or_insert(*decree_no);
            *at = (*at).min(*decree_no);
        }
    }
    for event in &events {
        if let What::Ledger { record: Record::Decree { decree_no, decree }, .. } = &event.what
            && let Some(p) = decree.petition()
            && let Some(change) = p.change
            && first.get(&p.id) == Some(decree_no)
        {
            law.note(*decree_no, change);
        }
    }
    drop(first);
    let mut voters: BTreeMap<(BallotNumber, DecreeNo), Quorum> = BTreeMap::new();
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        let mut majority = None;
        if let What::Ledger { priest, record: Record::Voted(v) } = &event.what {
            let set = voters.entry((v.ballot, v.decree_no)).or_default();
            let before = *set;
            set.insert(*priest);
            let weights = law.in_force(v.decree_no);
            if *set != before && weights.is_majority(*set) && !weights.is_majority(before) {
                majority = Some(Event {
                    at: event.at,
                    file: event.file.clone(),
                    line: event.line,
                    what: What::Majority {
                        ballot: v.ballot,
                        decree_no: v.decree_no,
                        voters: law.priests().filter(|p| set.contains(*p)).collect(),
                    },
                });
            }
        }
        out.push(event);
        out.extend(majority);
    }
    out
}
