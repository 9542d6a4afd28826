//! A priest's ledger on disk (`ledgers/<priest>.csv`): rows appended with one `write` per step
//! and synced before anything they allow is relayed (§2.3's indelible ink); read back whole when
//! the priest returns to the Chamber.
//!
//! A ledger is never truncated or rewritten. A crash in the middle of a write can leave a torn last
//! row (no newline). Reading ignores it with a warning: it was never synced, so nothing it allowed
//! was relayed. Before appending after one, the priest closes it off with a newline and a `Torn`
//! row, which tells every later reader that the row above it is void.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::books::csvrow::RowJoiner;
use crate::books::ledger_rows::{LEDGER_HEADER, LedgerRow, ledger_row, parse_ledger_row};
use crate::books::roll::Roll;
use crate::files::AppendFile;
use crate::priest::{LedgerBook, Record};

/// Whether a complete ledger row is the `Torn` row that voids the row above it.
pub fn is_torn_row(row: &str) -> bool {
    row.split(',').nth(1) == Some(TORN)
}

/// Cuts new ledger lines into rows, leaving out every row a `Torn` row voids (the row above it,
/// whose newline and the `Torn` row always arrive in one write) and the `Torn` rows themselves.
pub fn rows_not_torn(
    joiner: &mut RowJoiner,
    lines: impl IntoIterator<Item = (u64, String)>,
) -> Vec<(u64, String)> {
    let mut rows: Vec<(u64, String)> = Vec::new();
    for (number, text) in lines {
        let complete = joiner.push(number, &text);
        let cut_short = joiner.take_abandoned();
        if let Some((first, row)) = complete {
            if is_torn_row(&row) {
                if cut_short.is_none() {
                    rows.pop();
                }
                continue;
            }
            rows.push((first, row));
        }
    }
    rows
}

/// Syncs issued by every ledger of this process, for `bench`'s syncs per decree.
pub static SYNCS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The `entry` of the row that voids a torn row above it.
pub const TORN: &str = "Torn";

/// What reading a whole ledger found.
#[derive(Debug, Default)]
pub struct LedgerRead {
    /// The rows, in order, with the line each began on.
    pub rows: Vec<(u64, LedgerRow)>,
    /// Warnings a person should see (a torn row ignored).
    pub warnings: Vec<String>,
    /// Whether the file ends in a torn row that must be closed off before appending.
    pub torn_at_end: bool,
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
    /// A row in the middle does not parse.
    #[error("{path} line {line}: {why}; the ledger is damaged in the middle, so this priest refuses to vote")]
    Damaged { path: PathBuf, line: u64, why: String },
}

/// Reads every row of a ledger; a bad row in the middle is damage, a torn last row a warning.
pub fn read_ledger(path: &Path, roll: &Roll) -> Result<LedgerRead, LedgerError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(LedgerError::Missing(path.to_path_buf()));
        }
        Err(source) => return Err(LedgerError::Io { path: path.to_path_buf(), source }),
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut read = LedgerRead::default();
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    if complete.len() < text.len() {
        read.torn_at_end = true;
        read.warnings.push(format!(
            "{}: the last row was cut short by a crash and is ignored (it was never synced, so never relayed)",
            path.display()
        ));
    }
    let mut joiner = RowJoiner::default();
    let mut pending: Option<(u64, Result<LedgerRow, String>)> = None;
    for (i, line) in complete.lines().enumerate() {
        let number = i as u64 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if number == 1 && line == LEDGER_HEADER {
            continue;
        }
        let complete = joiner.push_borrowed(number, line);
        if let Some((first, _)) = joiner.take_abandoned() {
            // A row cut short by a crash and closed off by the `Torn` row below it is void.
            if complete.as_ref().is_some_and(|(_, row)| is_torn_row(row)) {
                read.warnings.push(format!("{} line {first}: a row torn by a crash, void", path.display()));
                continue;
            }
            let why = "a quote opened in this row never closes; a ledger row is written whole".to_string();
            return Err(LedgerError::Damaged { path: path.to_path_buf(), line: first, why });
        }
        let Some((first, row)) = complete else { continue };
        if is_torn_row(&row) {
            if let Some((line, _)) = pending.take() {
                read.warnings.push(format!("{} line {line}: a row torn by a crash, void", path.display()));
            }
            continue;
        }
        if let Some((line, parsed)) = pending.replace((first, parse_ledger_row(roll, &row))) {
            let row = parsed.map_err(|why| LedgerError::Damaged { path: path.to_path_buf(), line, why })?;
            read.rows.push((line, row));
        }
    }
    if let Some((line, parsed)) = pending {
        let row = parsed.map_err(|why| LedgerError::Damaged { path: path.to_path_buf(), line, why })?;
        read.rows.push((line, row));
    }
    if joiner.is_waiting() {
        read.torn_at_end = true;
    }
    Ok(read)
}

/// A ledger open for appending.
pub struct LedgerFile {
    file: AppendFile,
    roll: Roll,
    buffer: String,
    /// Where the `at` column's time comes from (the wall clock, or the simulator's virtual time).
    pub clock: Box<dyn FnMut() -> DateTime<Utc> + Send>,
}

impl LedgerFile {
    /// Opens (creating with its header if new) a ledger for appending; closes off a torn last
    /// row first if `torn_at_end`.
    pub fn open(path: &Path, roll: &Roll, torn_at_end: bool) -> io::Result<LedgerFile> {
        let mut file = AppendFile::open_with_header(path, LEDGER_HEADER)?;
        if torn_at_end {
            let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            file.append_rows_synced(format!("\n{now},{TORN},,,,\n").as_bytes())?;
        }
        Ok(LedgerFile { file, roll: roll.clone(), buffer: String::new(), clock: Box::new(Utc::now) })
    }
}

impl LedgerBook for LedgerFile {
    type Error = io::Error;

    /// All of a step's rows in one `write`, so no other writer can come between them.
    fn append(&mut self, records: &[Record]) -> io::Result<()> {
        self.buffer.clear();
        let at = (self.clock)();
        for r in records {
            self.buffer.push_str(&ledger_row(&self.roll, at, r));
        }
        self.file.append_rows(self.buffer.as_bytes())
    }

    fn sync(&mut self) -> io::Result<()> {
        SYNCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.file.sync()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, PriestId};

    fn roll() -> Roll {
        Roll::new(crate::names::chamber_names(3)).unwrap()
    }

    #[test]
    fn rows_written_are_read_back_and_a_torn_row_is_voided_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lynch.csv");
        let b = BallotNumber::new(1, PriestId(1));
        let mut ledger = LedgerFile::open(&path, &roll(), false).unwrap();
        ledger.append(&[Record::Tried { ballot: b }, Record::Promised { ballot: b }]).unwrap();
        ledger.sync().unwrap();
        drop(ledger);
        // A crash mid-write: half a row, no newline.
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        io::Write::write_all(&mut f, b"2026-11-23T00:00:00.000Z,Decree,,1,Lamps must").unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert_eq!(read.rows.len(), 2);
        assert!(read.torn_at_end && read.warnings.len() == 1);
        let mut ledger = LedgerFile::open(&path, &roll(), true).unwrap();
        ledger.append(&[Record::Promised { ballot: BallotNumber::new(2, PriestId(0)) }]).unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert_eq!(read.rows.len(), 3, "the torn row is void, the new one counts");
        assert!(!read.torn_at_end);
        assert!(read.warnings[0].contains("torn"), "{:?}", read.warnings);
    }

    /// Found in review: a torn row with a newline in its decree left an open quote, and once
    /// closed off by `Torn` the ledger read as damaged on every later restart.
    #[test]
    fn a_torn_row_with_a_newline_in_its_decree_is_void_not_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lynch.csv");
        let b = BallotNumber::new(1, PriestId(1));
        let mut ledger = LedgerFile::open(&path, &roll(), false).unwrap();
        ledger.append(&[Record::Promised { ballot: b }]).unwrap();
        drop(ledger);
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        io::Write::write_all(&mut f, b"2026-11-23T00:00:00.000Z,Decree,,1,\"two\nli").unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert!(read.torn_at_end);
        let mut ledger = LedgerFile::open(&path, &roll(), true).unwrap();
        ledger.append(&[Record::Promised { ballot: BallotNumber::new(2, PriestId(0)) }]).unwrap();
        let read = read_ledger(&path, &roll()).expect("the torn row is void, not damage");
        assert_eq!(read.rows.len(), 2);
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<(u64, String)> =
            text.lines().enumerate().skip(1).map(|(i, l)| (i as u64 + 1, l.to_string())).collect();
        let rows = rows_not_torn(&mut RowJoiner::default(), lines);
        assert_eq!(rows.len(), 2, "other priests' readers leave the torn row out too: {rows:?}");
    }

    #[test]
    fn a_bad_row_in_the_middle_is_damage_and_a_missing_ledger_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oki.csv");
        assert!(matches!(read_ledger(&path, &roll()), Err(LedgerError::Missing(_))));
        fs::write(
            &path,
            format!("{LEDGER_HEADER}\n,Promised,1.Lynch,,,\n,Scribble,,,,\n,Promised,2.Lynch,,,\n"),
        )
        .unwrap();
        let e = read_ledger(&path, &roll()).unwrap_err();
        assert!(matches!(e, LedgerError::Damaged { line: 3, .. }), "{e}");
        assert!(e.to_string().contains("refuses to vote"));
    }
}
