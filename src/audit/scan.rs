//! Reading a Chamber's files for the audit, row by row with the line each row begins on, and the
//! health of each ledger (§2.3's indelible ink: appended, never rewritten).
//!
//! Unlike the priest's own reader, which stops at the first damaged row and refuses to vote, the
//! audit reads on and reports every bad row. A ledger's health:
//! - line 1 is the header;
//! - every row parses (`parse_ledger_row`, the one reader of the format);
//! - promises never go backwards, and the `at` times never go backwards;
//! - a row cut short by a crash is a warning, not damage: either the file's last row (no newline),
//!   or a row closed off by the `Torn` row the priest writes below it on his return, which voids
//!   it. A torn row may have cut a quoted decree in half, so a `Torn` line also ends an open quote.
//!
//! Tried rows out of order are B1's business and are left to the rules.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::{AuditError, Check, Finding, Severity, book_file, ledger_file};
use crate::books::book_rows::{BOOK_HEADER, BookEntry, parse_book_row};
use crate::books::csvrow::RowJoiner;
use crate::books::ledger_rows::{LEDGER_HEADER, parse_ledger_row};
use crate::chamber::Roll;
use crate::chamber::ledger_file::TORN;
use crate::priest::{BallotNumber, Record};

/// One ledger, read for the audit.
#[derive(Debug, Default)]
pub struct LedgerScan {
    /// The rows that parse and are not void, with the line each begins on.
    pub rows: Vec<(u64, Record)>,
    /// What was wrong with the file.
    pub findings: Vec<Finding>,
}

/// Reads a file as text, or None if it is missing.
fn read_text(dir: &Path, file: &str) -> Result<Option<String>, AuditError> {
    let path = dir.join(file);
    match fs::read(&path) {
        Ok(bytes) => {
            let mut text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(Some(text))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AuditError::Io { path, source }),
    }
}

/// Whether one physical line is a `Torn` row (which never holds a quote).
fn is_torn(line: &str) -> bool {
    !line.contains('"') && line.split(',').nth(1) == Some(TORN)
}

/// What reading a CSV file line by line meets.
enum Event<'a> {
    /// A complete row (joined across quoted newlines), with the line it begins on.
    Row(u64, Cow<'a, str>),
    /// A `Torn` row on `line`, ending the open row that began on `open`, if any.
    Torn { open: Option<u64>, line: u64 },
    /// Line 1 is not the header: what it is instead (it is then read as a row).
    BadHeader(String),
    /// The file ends in a row cut short (no newline, or a quote never closed) beginning here.
    CutShort(u64),
    /// A row whose quote never closes before a line that starts a new row (its first line).
    OpenQuote(u64),
}

/// The rows of a CSV file with the header `header`, as [`Event`]s.
struct Rows<'a> {
    text: &'a str,
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    header: &'a str,
    /// Line 1 when it is not the header: reported, then read as a row.
    first_line: Option<&'a str>,
    joiner: RowJoiner,
    open_since: u64,
    last: u64,
    done: bool,
    /// A complete row read on the same line that cut an open row short, reported next.
    queued: Option<Event<'a>>,
}

impl<'a> Rows<'a> {
    fn new(text: &'a str, header: &'a str) -> Self {
        let complete = text.rfind('\n').map_or("", |end| &text[..=end]);
        let lines = complete.lines().enumerate();
        let (joiner, first_line) = (RowJoiner::default(), None);
        Rows { text, lines, header, first_line, joiner, open_since: 0, last: 0, done: false, queued: None }
    }

    /// One physical line, numbered from 1.
    fn line(&mut self, number: u64, line: &'a str) -> Option<Event<'a>> {
        if is_torn(line) {
            let open = self.joiner.is_waiting().then_some(self.open_since);
            self.joiner.reset();
            return Some(Event::Torn { open, line: number });
        }
        if !self.joiner.is_waiting() {
            self.open_since = number;
        }
        let complete = self.joiner.push_borrowed(number, line);
        let row =
            complete.and_then(|(first, row)| (!row.trim().is_empty()).then_some(Event::Row(first, row)));
        if let Some((first, _)) = self.joiner.take_abandoned() {
            self.queued = row;
            return Some(Event::OpenQuote(first));
        }
        row
    }
}

impl<'a> Iterator for Rows<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.queued.take() {
            return Some(event);
        }
        if let Some(line) = self.first_line.take()
            && let Some(event) = self.line(1, line)
        {
            return Some(event);
        }
        while let Some((i, line)) = self.lines.next() {
            let number = i as u64 + 1;
            self.last = number;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if number == 1 {
                if line != self.header {
                    self.first_line = Some(line);
                    return Some(Event::BadHeader(line.to_string()));
                }
                continue;
            }
            if let Some(event) = self.line(number, line) {
                return Some(event);
            }
        }
        if self.done {
            return None;
        }
        self.done = true;
        if self.joiner.is_waiting() {
            return Some(Event::CutShort(self.open_since));
        }
        let complete = self.text.rfind('\n').map_or(0, |end| end + 1);
        (complete < self.text.len()).then_some(Event::CutShort(self.last + 1))
    }
}

/// Reads `ledgers/<name>.csv`: every row that parses, and every health finding.
pub fn scan_ledger(dir: &Path, roll: &Roll, name: &str) -> Result<LedgerScan, AuditError> {
    let file = ledger_file(name);
    let mut scan = LedgerScan::default();
    let Some(text) = read_text(dir, &file)? else {
        scan.findings.push(Finding {
            severity: Severity::Violation,
            check: Check::Health,
            file,
            line: 0,
            detail: format!(
                "{name} is on the roll (he has a messagebook) but his ledger is missing; a priest who lost his ledger may have forgotten a promise"
            ),
        });
        return Ok(scan);
    };
    let mut health = Health::default();
    let mut found = Vec::new();
    // A row is kept back until the next line shows it is not voided by a Torn row below it.
    let mut pending: Option<(u64, Cow<'_, str>)> = None;
    for event in Rows::new(&text, LEDGER_HEADER) {
        match event {
            Event::Row(line, row) => {
                if let Some((at, text)) = pending.replace((line, row)) {
                    health.row(roll, at, &text, &mut scan.rows, &mut found);
                }
            }
            Event::Torn { open, line: torn } => {
                let detail = match open.or_else(|| pending.take().map(|(line, _)| line)) {
                    Some(line) => (
                        line,
                        format!(
                            "this row was cut short by a crash and is void (the Torn row on line {torn} says so); it was never synced, so nothing it allowed was relayed"
                        ),
                    ),
                    None => (torn, "a Torn row with no row above it to void".to_string()),
                };
                found.push((Severity::Warning, detail.0, detail.1));
            }
            Event::BadHeader(got) => found.push((
                Severity::Violation,
                1,
                format!("the first line is {got:?}; expected the header {LEDGER_HEADER:?}"),
            )),
            Event::OpenQuote(line) => found.push((
                Severity::Violation,
                line,
                "a quote opened in this row never closes before the next row begins; a ledger row is written whole, so this one is damaged".to_string(),
            )),
            Event::CutShort(line) => found.push((
                Severity::Warning,
                line,
                "the last row was cut short by a crash and is ignored: it was never synced, so nothing it allowed was relayed".to_string(),
            )),
        }
    }
    if let Some((at, text)) = pending.take() {
        health.row(roll, at, &text, &mut scan.rows, &mut found);
    }
    if text.is_empty() {
        found.push((Severity::Warning, 1, "the ledger is empty: not even its header".to_string()));
    }
    let finding = |(severity, line, detail)| Finding {
        severity,
        check: Check::Health,
        file: file.clone(),
        line,
        detail,
    };
    scan.findings.extend(found.into_iter().map(finding));
    Ok(scan)
}

/// What ledger health remembers from one row to the next.
#[derive(Default)]
struct Health {
    at: Option<(DateTime<Utc>, u64)>,
    promised: Option<(BallotNumber, u64)>,
}

impl Health {
    /// Parses one row and checks its order against the rows above it.
    fn row(
        &mut self,
        roll: &Roll,
        line: u64,
        text: &str,
        rows: &mut Vec<(u64, Record)>,
        findings: &mut Vec<(Severity, u64, String)>,
    ) {
        let row = match parse_ledger_row(roll, text) {
            Ok(row) => row,
            Err(why) => {
                let detail = format!("{why}; the row is damaged, and so is the ledger");
                findings.push((Severity::Violation, line, detail));
                return;
            }
        };
        if let Some(at) = row.at {
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
        if let Record::Promised { ballot } = row.record {
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
        rows.push((line, row.record));
    }
}

/// Reads `messagebooks/<name>.csv`, calling `each` with every row that parses and its line;
/// returns the warnings (the priest skips a bad row too) and how many rows it read.
pub fn scan_book(
    dir: &Path,
    roll: &Roll,
    name: &str,
    mut each: impl FnMut(u64, BookEntry),
) -> Result<(Vec<Finding>, u64), AuditError> {
    let file = book_file(name);
    let Some(text) = read_text(dir, &file)? else { return Ok((Vec::new(), 0)) };
    let mut warnings = Vec::new();
    let mut read = 0;
    for event in Rows::new(&text, BOOK_HEADER) {
        match event {
            Event::Row(line, row) => {
                read += 1;
                match parse_book_row(roll, &row) {
                    Ok(entry) => each(line, entry),
                    Err(why) => warnings.push((line, format!("{why}; the priest skips this row"))),
                }
            }
            Event::Torn { line, .. } => {
                warnings.push((line, "a Torn row belongs in a ledger, not a messagebook".to_string()));
            }
            // A book begun by `echo >>` has no header: the priest reads it all the same.
            Event::BadHeader(_) => {}
            Event::CutShort(line) => {
                warnings
                    .push((line, "the last row is unfinished (no newline, or an open quote)".to_string()));
            }
            Event::OpenQuote(line) => warnings.push((
                line,
                "a quote opened in this row never closes before the next row begins; the priest skipped it"
                    .to_string(),
            )),
        }
    }
    let finding = |(line, detail)| Finding {
        severity: Severity::Warning,
        check: Check::Health,
        file: file.clone(),
        line,
        detail,
    };
    Ok((warnings.into_iter().map(finding).collect(), read))
}
