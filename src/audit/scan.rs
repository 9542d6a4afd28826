//! Reading a Chamber's files for the audit, row by row with the line each row is on, and the
//! health of each ledger (§2.3's indelible ink: appended, never rewritten).
//!
//! Unlike the priest's own reader, which stops at the first damaged row and refuses to vote, the
//! audit reads on and reports every bad row. Every line goes through the one reader of the format
//! ([`read_ledger_line`]). A ledger's health:
//! - line 1 is the header;
//! - every row parses;
//! - promises never go backwards, and the `at` times never go backwards;
//! - a row cut short by a crash is a warning, not damage: either the file's last line (no
//!   newline), or a line closed off with the torn-row mark by the priest on his return.
//!
//! Tried rows out of order are B1's business and are left to the rules.

use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{AuditError, Check, Finding, Severity};
use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, BookEntry, parse_book_row};
use crate::books::layout::{book_dir, page_files};
use crate::books::ledger_read::{LedgerLine, read_ledger_line};
use crate::books::ledger_rows::LEDGER_HEADER;
use crate::priest::{BallotNumber, Record};

/// One ledger, read for the audit.
#[derive(Debug, Default)]
pub struct LedgerScan {
    /// The rows that parse and are not void, with the line each is on.
    pub rows: Vec<(u64, Record)>,
    /// What was wrong with the file.
    pub findings: Vec<Finding>,
    /// Whether the ledger is missing (one finding says so; the rows said to be his cannot be
    /// checked, and are counted, not reported one by one).
    pub missing: bool,
    /// His law book's decrees as `Decree` records (§3.3.2): his written record too, so a LastVote
    /// may tell them (whether they are right is `lawbooks.rs`'s business).
    pub law_book: Vec<Record>,
    /// The volumes his rows come from (§3.3.2): the index of each volume's first row in `rows`,
    /// and its file; the live volume last.
    pub volumes: Vec<(usize, String)>,
}

impl LedgerScan {
    /// The file the row at `index` of `rows` is in.
    pub fn file_of(&self, index: usize) -> &str {
        let at = self.volumes.partition_point(|(first, _)| *first <= index);
        self.volumes.get(at.saturating_sub(1)).map_or("", |(_, file)| file.as_str())
    }
}

/// A file's complete lines (numbered from 1, without `\n` or a trailing `\r`), and whether an
/// unfinished last line follows them; None if the file is missing.
fn read_lines(path: &Path) -> Result<Option<(Vec<String>, bool)>, AuditError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(AuditError::Io { path: path.to_path_buf(), source }),
    };
    // A byte-order mark at the very start is not part of line 1, as every reader of a page sees it.
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |end| end + 1);
    let body = &bytes[..complete];
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let lines = if complete == 0 {
        Vec::new()
    } else {
        body.split(|&b| b == b'\n')
            .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
            .collect()
    };
    Ok(Some((lines, complete < bytes.len())))
}

/// Reads every volume of `name`'s ledger in order, closed ones then `ledgers/<name>.csv` (§3.3.2):
/// every row that parses, and every health finding. A later volume's restatement is left out.
pub fn scan_ledger(dir: &Path, roll: &Roll, name: &str) -> Result<LedgerScan, AuditError> {
    let io_error = |source| AuditError::Io { path: dir.to_path_buf(), source };
    let files = crate::books::volumes::ledger_volumes(dir, name).map_err(io_error)?;
    let mut scan = LedgerScan::default();
    let mut health = Health::default();
    for (i, (file, _)) in files.iter().enumerate() {
        scan.volumes.push((scan.rows.len(), file.clone()));
        scan_volume(dir, roll, name, file, i > 0, &mut health, &mut scan)?;
    }
    Ok(scan)
}

/// Reads one volume into `scan`.
fn scan_volume(
    dir: &Path,
    roll: &Roll,
    name: &str,
    file: &str,
    later: bool,
    health: &mut Health,
    scan: &mut LedgerScan,
) -> Result<(), AuditError> {
    let file = file.to_string();
    let start = scan.rows.len();
    let Some((lines, cut_short)) = read_lines(&dir.join(&file))? else {
        scan.missing = true;
        scan.findings.push(Finding {
            severity: Severity::Violation,
            check: Check::Health,
            file,
            line: 0,
            detail: format!(
                "{name} is on the roll but his ledger is missing; a priest who lost his ledger may have forgotten a promise"
            ),
        });
        return Ok(());
    };
    let mut found = Vec::new();
    for (i, text) in lines.iter().enumerate() {
        let line = i as u64 + 1;
        match read_ledger_line(roll, line, text) {
            LedgerLine::Header | LedgerLine::TornNote => {}
            // The rows above restate the volumes before (already read): not his rows twice.
            LedgerLine::Restated(_) if later => scan.rows.truncate(start),
            LedgerLine::Restated(_) => {}
            LedgerLine::Row(row) => health.row(roll, line, row.at, row.record, &mut scan.rows, &mut found),
            LedgerLine::Void => found.push((
                Severity::Warning,
                line,
                "this row was cut short by a crash and is void (the priest marked it so on his return); it was never synced, so nothing it allowed was relayed".to_string(),
            )),
            LedgerLine::Bad(why) if line == 1 => {
                found.push((Severity::Violation, 1, why));
                // A ledger that lost its header may still hold rows: read line 1 as one.
                if let Ok(row) = crate::books::ledger_rows::parse_ledger_row(roll, text) {
                    health.row(roll, line, row.at, row.record, &mut scan.rows, &mut found);
                }
            }
            LedgerLine::Bad(why) => {
                found.push((Severity::Violation, line, format!("{why}; the row is damaged, and so is the ledger")));
            }
        }
    }
    if cut_short {
        found.push((
            Severity::Warning,
            lines.len() as u64 + 1,
            "the last row was cut short by a crash and is ignored: it was never synced, so nothing it allowed was relayed".to_string(),
        ));
    }
    if lines.is_empty() && !cut_short {
        found.push((
            Severity::Warning,
            1,
            format!("the ledger is empty: not even its header {LEDGER_HEADER:?}"),
        ));
    }
    let finding = |(severity, line, detail)| Finding {
        severity,
        check: Check::Health,
        file: file.clone(),
        line,
        detail,
    };
    scan.findings.extend(found.into_iter().map(finding));
    Ok(())
}

/// What ledger health remembers from one row to the next.
#[derive(Default)]
struct Health {
    at: Option<(DateTime<Utc>, u64)>,
    promised: Option<(BallotNumber, u64)>,
}

impl Health {
    /// Checks one row's order against the rows above it.
    fn row(
        &mut self,
        roll: &Roll,
        line: u64,
        at: Option<DateTime<Utc>>,
        record: Record,
        rows: &mut Vec<(u64, Record)>,
        findings: &mut Vec<(Severity, u64, String)>,
    ) {
        if let Some(at) = at {
            if let Some((before, before_line)) = self.at.filter(|(before, _)| at < *before) {
                findings.push((
                    Severity::Violation,
                    line,
                    format!(
                        "written at {at:?}, before line {before_line}'s {before:?}; a ledger is only appended to, so its times never go backwards"
                    ),
                ));
            }
            self.at = self.at.max(Some((at, line)));
        }
        if let Record::Promised { ballot } = record {
            match self.promised {
                Some((before, before_line)) if ballot < before => findings.push((
                    Severity::Violation,
                    line,
                    format!(
                        "promise {} is below his promise {} on line {before_line}; promises never go backwards",
                        roll.ballot(ballot),
                        roll.ballot(before)
                    ),
                )),
                _ => self.promised = Some((ballot, line)),
            }
        }
        rows.push((line, record));
    }
}

/// One row of a messagebook page, as the audit reads it.
pub struct BookRow {
    /// The page's file, relative to the Chamber: `messagebooks/<priest>/<page>.csv`.
    pub file: String,
    /// The page's name (`Toueg` for `Toueg.csv`).
    pub page: String,
    /// The line.
    pub line: u64,
    /// The `at` column, if it holds a time.
    pub at: Option<DateTime<Utc>>,
    /// What it says.
    pub entry: BookEntry,
}

/// Reads every page of `messagebooks/<name>/`, calling `each` with every row that parses; returns
/// the warnings (the priest skips a bad row too) and how many rows it read.
pub fn scan_book(
    dir: &Path,
    roll: &Roll,
    name: &str,
    mut each: impl FnMut(BookRow),
) -> Result<(Vec<Finding>, u64), AuditError> {
    let pages =
        page_files(dir, name).map_err(|source| AuditError::Io { path: book_dir(dir, name), source })?;
    let mut warnings = Vec::new();
    let mut read = 0;
    for (page, file) in pages {
        let Some((lines, cut_short)) = read_lines(&dir.join(&file))? else { continue };
        for (i, text) in lines.iter().enumerate() {
            let line = i as u64 + 1;
            if text.trim().is_empty() || (line == 1 && text == BOOK_HEADER) {
                continue;
            }
            read += 1;
            if text.contains(['\u{fffd}', '\0']) {
                let why = "the row holds bytes that are no text (not UTF-8, or a NUL voiding it); the priest skips this row";
                warnings.push((file.clone(), line, why.to_string()));
                continue;
            }
            match parse_book_row(roll, text) {
                Ok(entry) => {
                    let at = text.split(',').next().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                    let at = at.map(|t| t.with_timezone(&Utc));
                    each(BookRow { file: file.clone(), page: page.clone(), line, at, entry })
                }
                Err(why) => warnings.push((file.clone(), line, format!("{why}; the priest skips this row"))),
            }
        }
        if cut_short {
            let why = "the last row is unfinished (no newline yet); the priest reads it when its line ends";
            warnings.push((file.clone(), lines.len() as u64 + 1, why.to_string()));
        }
    }
    let finding = |(file, line, detail)| Finding {
        severity: Severity::Warning,
        check: Check::Health,
        file,
        line,
        detail,
    };
    Ok((warnings.into_iter().map(finding).collect(), read))
}
