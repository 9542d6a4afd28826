//! Reading a ledger (§2.3's indelible ink): the one reader of the format, with the torn-row rule,
//! shared by the priest restoring himself, the priests checking each other's messages, `laws`,
//! `status`, God and the audit.
//!
//! A ledger is only ever appended to, one row a line. A crash in the middle of a write can leave
//! a torn last row: a line without its newline. Every reader ignores it (it was never synced, so
//! nothing it allowed was relayed). Before writing again the priest closes it off with a NUL byte
//! and a newline, then a `Torn` row for the person reading:
//!
//! ```text
//! 2026-11-23T21:48:24.136Z,Decree,,1,Lamps must␀
//! 2026-11-23T21:48:25.010Z,Torn,,,,
//! ```
//!
//! Our writer never puts a NUL byte in a row (it escapes one as `\0`), and the NUL comes before
//! the newline in the same write, so no reader can ever see the torn line complete without its
//! mark: a line holding a NUL byte is void for every reader, whenever he reads it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::ledger_rows::{LEDGER_HEADER, LedgerRow, RowCache, parse_ledger_row_with};
use super::roll::Roll;
use crate::files::{TailItem, TailReader};
use crate::priest::DecreeNo;

/// The `entry` of the row that says the row above it was torn by a crash and is void.
pub const TORN: &str = "Torn";

/// The `entry` of the row that ends the restatement a new volume begins with (§3.3.2): the rows
/// above it restate what the priest must never forget, and its `decree_no` is where his law book
/// ran when the volume began. Restoring applies every row; a reader of all his volumes in order
/// skips the rows above it, which an earlier volume already holds.
pub const RESTATED: &str = "Restated";

/// The row that ends a new volume's restatement, at `at`, his law book running through `through`.
pub fn restated_row(at: &str, through: u64) -> String {
    format!("{at},{RESTATED},,{through},,\n")
}

/// What the priest appends before writing again after a torn last row: the mark that voids it,
/// its newline, and a `Torn` row at `at`.
pub fn torn_closure(at: &str) -> String {
    format!("\0\n{at},{TORN},,,,\n")
}

/// What one complete line of a ledger is.
#[derive(Debug, PartialEq, Eq)]
pub enum LedgerLine {
    /// Line 1, the header.
    Header,
    /// A row.
    Row(LedgerRow),
    /// A row torn by a crash and closed off: void.
    Void,
    /// A `Torn` row, there for people: it changes nothing.
    TornNote,
    /// A `Restated` row: the rows above it restate earlier volumes; his law book ran through this.
    Restated(u64),
    /// A line that is not a row; the reason.
    Bad(String),
}

/// Reads one complete ledger line (without its newline), numbered from 1.
pub fn read_ledger_line(roll: &Roll, number: u64, text: &str) -> LedgerLine {
    read_ledger_line_with(roll, number, text, &mut RowCache::default())
}

/// [`read_ledger_line`] for a reader of many lines, remembering what it read in `cache`.
pub fn read_ledger_line_with(roll: &Roll, number: u64, text: &str, cache: &mut RowCache) -> LedgerLine {
    // A plain row (most) is split at its commas once, for every look below.
    let mut columns = [""; 6];
    let plain = super::csvrow::plain_columns(text, &mut columns);
    if plain.is_none() && super::csvrow::holds_nul(text) {
        return LedgerLine::Void;
    }
    if number == 1 {
        return if text.trim_start_matches('\u{feff}') == LEDGER_HEADER {
            LedgerLine::Header
        } else {
            LedgerLine::Bad(format!("line 1 is {text:?}; expected the header {LEDGER_HEADER:?}"))
        };
    }
    if super::csvrow::holds_no_character(text) {
        return LedgerLine::Bad("the row is not UTF-8 text (a byte that is no character)".to_string());
    }
    let (entry, through) = match plain {
        Some(_) => (Some(columns[1]), Some(columns[3])),
        None => {
            let mut columns = super::csvrow::split_commas(text);
            (columns.nth(1), columns.nth(1))
        }
    };
    match entry {
        Some(TORN) => return LedgerLine::TornNote,
        Some(RESTATED) => {
            return match through.map(str::parse) {
                Some(Ok(through)) => LedgerLine::Restated(through),
                _ => LedgerLine::Bad("a Restated row needs the decree its law book runs through".to_string()),
            };
        }
        _ => {}
    }
    let row = match plain {
        Some(count) => super::ledger_rows::parse_columns(roll, &columns, count, cache),
        None => parse_ledger_row_with(roll, text, cache),
    };
    match row {
        Ok(row) => LedgerLine::Row(row),
        Err(why) => LedgerLine::Bad(why),
    }
}

/// What reading a whole ledger found.
#[derive(Debug, Default)]
pub struct LedgerRead {
    /// The rows, in order, with the line each is on.
    pub rows: Vec<(u64, LedgerRow)>,
    /// Warnings a person should see (a torn row ignored).
    pub warnings: Vec<String>,
    /// Whether the file ends in a torn row that must be closed off before appending.
    pub torn_at_end: bool,
    /// If this volume began with a restatement: how many rows restate, and where his law book ran.
    pub restated: Option<(usize, u64)>,
}

/// Why a ledger cannot be trusted; the priest refuses to vote.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The file is missing.
    #[error(
        "{0}: the ledger is missing; a priest who lost his ledger may have forgotten a promise, so he must not vote"
    )]
    Missing(PathBuf),
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    /// Line 1 is not the header.
    #[error(
        "{path} line 1: {why}; this is not a ledger as God lays them out, so this priest refuses to vote"
    )]
    Header { path: PathBuf, why: String },
    /// A row does not parse.
    #[error("{path} line {line}: {why}; the ledger is damaged, so this priest refuses to vote")]
    Damaged { path: PathBuf, line: u64, why: String },
}

/// Reads every row of a ledger: a bad row is damage, a torn row a warning.
pub fn read_ledger(path: &Path, roll: &Roll) -> Result<LedgerRead, LedgerError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(LedgerError::Missing(path.to_path_buf()));
        }
        Err(source) => return Err(LedgerError::Io { path: path.to_path_buf(), source }),
    };
    let mut read = LedgerRead::default();
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1);
    if complete < bytes.len() {
        read.torn_at_end = true;
        read.warnings.push(format!(
            "{}: the last row was cut short by a crash and is ignored (it was never synced, so never relayed)",
            path.display()
        ));
    }
    let body = &bytes[..complete];
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let lines = if complete == 0 { None } else { Some(body.split(|&b| b == b'\n')) };
    let mut cache = RowCache::for_many_rows();
    for (i, line) in lines.into_iter().flatten().enumerate() {
        let number = i as u64 + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = String::from_utf8_lossy(line);
        match read_ledger_line_with(roll, number, &text, &mut cache) {
            LedgerLine::Header | LedgerLine::TornNote => {}
            LedgerLine::Restated(through) => read.restated = Some((read.rows.len(), through)),
            LedgerLine::Row(row) => read.rows.push((number, row)),
            LedgerLine::Void => {
                read.warnings.push(format!("{} line {number}: a row torn by a crash, void", path.display()))
            }
            LedgerLine::Bad(why) if number == 1 => {
                return Err(LedgerError::Header { path: path.to_path_buf(), why });
            }
            LedgerLine::Bad(why) => {
                return Err(LedgerError::Damaged { path: path.to_path_buf(), line: number, why });
            }
        }
    }
    Ok(read)
}

/// What a [`LedgerFollower`] hands on from a ledger's lines.
#[derive(Debug)]
pub enum Followed {
    /// A row.
    Row(LedgerRow),
    /// A row a new volume restates, written before in an earlier one (§3.3.2): news of what he
    /// holds to a reader who missed that volume, not a new act (a restated `Tried` row is no
    /// second try of its ballot, B1; a restated vote below a later promise broke none).
    Restating(LedgerRow),
    /// The volume's `Restated` row: his law book runs through this decree.
    LawBook(DecreeNo),
}

/// One ledger followed as it grows, a complete line at a time, through the same rule.
pub struct LedgerFollower {
    tail: TailReader,
    /// Its own cache, made at its first [`LedgerFollower::read`] (a reader of every ledger shares one).
    cache: Option<RowCache>,
    /// Whether any row has been handed on: a file replacing one read begins by restating.
    read_any: bool,
    /// Lines that are not rows, with their number and why (a healthy ledger has none).
    pub bad: Vec<(u64, String)>,
}

impl LedgerFollower {
    /// Follows the ledger at `path` from its start.
    pub fn new(path: PathBuf) -> LedgerFollower {
        LedgerFollower { tail: TailReader::new(path), cache: None, read_any: false, bad: Vec::new() }
    }

    /// The ledger's path.
    pub fn path(&self) -> &Path {
        self.tail.path()
    }

    /// Calls `each` with every row appended since the last call, with its line. A ledger that
    /// was replaced under its path is read again from its start (its rows come again).
    pub fn read(&mut self, roll: &Roll, each: impl FnMut(u64, LedgerRow)) -> io::Result<()> {
        let mut cache = self.cache.take().unwrap_or_else(RowCache::for_many_rows);
        let read = self.read_with(roll, &mut cache, each);
        self.cache = Some(cache);
        read
    }

    /// As [`LedgerFollower::read`], remembering what it reads in `cache`, which a reader of every
    /// ledger shares between them: a decree read in one ledger is then the same value in all.
    pub fn read_with(
        &mut self,
        roll: &Roll,
        cache: &mut RowCache,
        mut each: impl FnMut(u64, LedgerRow),
    ) -> io::Result<()> {
        self.read_restating(roll, cache, |line, row| match row {
            Followed::Row(row) | Followed::Restating(row) => each(line, row),
            Followed::LawBook(_) => {}
        })
    }

    /// As [`LedgerFollower::read_with`], telling apart the rows a new volume restates and
    /// handing on its `Restated` row too ([`Followed`]).
    ///
    /// A new volume renamed over a ledger this follower has read begins by restating what he
    /// must never forget (his last ballot tried, his promise, his votes, the back of his
    /// statute book): rows he wrote before, read already in the volume before it unless two
    /// volumes closed between two reads. A file put there that has no `Restated` row is not a
    /// volume (a person's copy): its rows are rows.
    pub fn read_restating(
        &mut self,
        roll: &Roll,
        cache: &mut RowCache,
        mut each: impl FnMut(u64, Followed),
    ) -> io::Result<()> {
        let (bad, read_any) = (&mut self.bad, &mut self.read_any);
        // Rows of a replacing file, held until its Restated row says they restate.
        let mut held: Option<Vec<(u64, LedgerRow)>> = None;
        let read = self.tail.read_new_each(|item| {
            let (number, text) = match item {
                TailItem::Line { number, text, .. } => (number, text),
                TailItem::Replaced if *read_any => {
                    for (line, row) in held.replace(Vec::new()).into_iter().flatten() {
                        each(line, Followed::Row(row));
                    }
                    return;
                }
                TailItem::Replaced | TailItem::Truncated => return,
            };
            match read_ledger_line_with(roll, number, text, cache) {
                LedgerLine::Row(row) => match held.as_mut() {
                    Some(rows) => rows.push((number, row)),
                    None => {
                        *read_any = true;
                        each(number, Followed::Row(row))
                    }
                },
                LedgerLine::Restated(through) => {
                    for (line, row) in held.take().into_iter().flatten() {
                        each(line, Followed::Restating(row));
                    }
                    *read_any = true;
                    each(number, Followed::LawBook(through))
                }
                LedgerLine::Bad(why) => bad.push((number, why)),
                _ => {}
            }
        });
        for (line, row) in held.into_iter().flatten() {
            self.read_any = true;
            each(line, Followed::Row(row));
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, PriestId, Record};

    fn roll() -> Roll {
        Roll::new(crate::names::chamber_names(3)).unwrap()
    }

    /// A follower of a ledger whose volume closed (§3.3.2) tells the rows the new volume restates
    /// from its new rows; a file put in its place that is no volume is read as rows. The watch
    /// once told "tried ballot 1.Toueg after already trying 1.Toueg" (B1) at every volume of a
    /// busy Chamber, from the restated `Tried` row.
    #[test]
    fn a_new_volume_is_followed_from_its_restated_row_and_a_copy_that_is_no_volume_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Lynch.csv");
        let roll = roll();
        let at = chrono::Utc::now();
        let row = |r: &Record| super::super::ledger_rows::ledger_row(&roll, at, r);
        let tried = row(&Record::Tried { ballot: BallotNumber::new(1, PriestId(1)) });
        let decree = |no| row(&Record::Decree { decree_no: no, decree: crate::priest::Decree::OliveDay });
        fs::write(&path, format!("{LEDGER_HEADER}\n{tried}{}", decree(1))).unwrap();
        let mut follower = LedgerFollower::new(path.clone());
        let mut cache = RowCache::for_many_rows();
        let mut seen = Vec::new();
        let mut read = |f: &mut LedgerFollower, seen: &mut Vec<String>| {
            f.read_restating(&roll, &mut cache, |line, row| {
                let kind = |row: &LedgerRow| {
                    format!("{:?}", row.record).split('{').next().unwrap().trim().to_string()
                };
                seen.push(match row {
                    Followed::Row(row) => format!("{line}:{}", kind(&row)),
                    Followed::Restating(row) => format!("{line}:restating {}", kind(&row)),
                    Followed::LawBook(through) => format!("{line}:law book to {through}"),
                })
            })
            .unwrap()
        };
        read(&mut follower, &mut seen);
        assert_eq!(seen, ["2:Tried", "3:Decree"]);
        let next = dir.path().join("next.csv");
        let at_text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        fs::write(&next, format!("{LEDGER_HEADER}\n{tried}{}{}", restated_row(&at_text, 1), decree(2)))
            .unwrap();
        fs::rename(&next, &path).unwrap();
        seen.clear();
        read(&mut follower, &mut seen);
        assert_eq!(seen, ["2:restating Tried", "3:law book to 1", "4:Decree"], "the Tried row restates");
        fs::write(&next, format!("{LEDGER_HEADER}\n{tried}{}", decree(3))).unwrap();
        fs::rename(&next, &path).unwrap();
        seen.clear();
        read(&mut follower, &mut seen);
        assert_eq!(seen, ["2:Tried", "3:Decree"], "a copy that is no volume is read as rows");
    }

    #[test]
    fn a_torn_row_is_void_whenever_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Lynch.csv");
        let roll = roll();
        let row = |b: u64| {
            super::super::ledger_rows::ledger_row(
                &roll,
                chrono::Utc::now(),
                &Record::Promised { ballot: BallotNumber::new(b, PriestId(1)) },
            )
        };
        fs::write(&path, format!("{LEDGER_HEADER}\n{}2026-11-23T00:00:00.000Z,Decree,,1,Lamps must", row(1)))
            .unwrap();
        let mut follower = LedgerFollower::new(path.clone());
        let mut seen = Vec::new();
        follower.read(&roll, |n, _| seen.push(n)).unwrap();
        assert_eq!(seen, [2], "the torn fragment is not a row yet");
        let read = read_ledger(&path, &roll).unwrap();
        assert!(read.torn_at_end && read.rows.len() == 1);
        // The priest comes back and closes it off; a follower reading later sees it void.
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        io::Write::write_all(
            &mut f,
            format!("{}{}", torn_closure("2026-11-23T00:00:01.000Z"), row(2)).as_bytes(),
        )
        .unwrap();
        follower.read(&roll, |n, _| seen.push(n)).unwrap();
        assert_eq!(seen, [2, 5], "the void line 3 and the Torn note 4 are no rows");
        let read = read_ledger(&path, &roll).unwrap();
        assert_eq!(read.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 5]);
        assert!(!read.torn_at_end && read.warnings[0].contains("line 3"), "{:?}", read.warnings);
    }

    /// A decree whose cut-off petition column would read as an olive-day decree is void instead.
    #[test]
    fn a_torn_decree_never_reads_as_olive_day() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        let text = format!("{LEDGER_HEADER}\n2026-11-23T00:00:00.000Z,Decree,,1,Lamps,{}", torn_closure("x"));
        fs::write(&path, text).unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert!(read.rows.is_empty(), "{:?}", read.rows);
    }

    #[test]
    fn a_wrong_header_is_named_as_the_header_and_damage_by_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        assert!(matches!(read_ledger(&path, &roll()), Err(LedgerError::Missing(_))));
        fs::write(&path, "at,what\n").unwrap();
        let e = read_ledger(&path, &roll()).unwrap_err();
        assert!(matches!(e, LedgerError::Header { .. }) && e.to_string().contains("header"), "{e}");
        fs::write(&path, format!("{LEDGER_HEADER}\n,Promised,1.Lynch,,,\n,Scribble,,,,\n")).unwrap();
        let e = read_ledger(&path, &roll()).unwrap_err();
        assert!(matches!(e, LedgerError::Damaged { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("refuses to vote"));
    }

    #[test]
    fn a_line_that_looks_like_a_time_inside_a_decree_is_no_damage() {
        let roll = roll();
        let law = crate::priest::Decree::Law(crate::priest::Petition::new(
            "p",
            "first\n2026-01-01T00:00:00.000Z,Toueg,Voted,,1,1.Toueg",
        ));
        let row = super::super::ledger_rows::ledger_row(
            &roll,
            chrono::Utc::now(),
            &Record::Decree { decree_no: 1, decree: law.clone() },
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        fs::write(&path, format!("{LEDGER_HEADER}\n{row}")).unwrap();
        let read = read_ledger(&path, &roll).unwrap();
        assert_eq!(read.rows[0].1.record, Record::Decree { decree_no: 1, decree: law });
    }
}
