//! A simulated run written out as a Chamber: the same roll, `ledgers/` and messagebook pages the
//! Chamber on files writes, so one reader (`laws`, `status`, the audit, a spreadsheet) serves
//! both. Virtual time becomes the `at` column: tick t is 20 ms × t after the run's epoch, as in the
//! Chamber. Heartbeats are presence, not messagebook rows, in the Chamber; they are left out here.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use super::Outcome;
use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::layout::{book_dir, ledger_path, page_path};
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::names::chamber_names;
use crate::priest::Message;

/// The `at` of tick 0.
fn epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("a valid time").with_timezone(&Utc)
}

fn at(tick: u64) -> DateTime<Utc> {
    epoch() + TimeDelta::milliseconds(20 * tick as i64)
}

/// Writes the run's ledgers and messagebooks into `dir` (which must not already hold a Chamber).
pub fn write_chamber(outcome: &Outcome, dir: &Path) -> io::Result<()> {
    let roll = Roll::new(chamber_names(outcome.config.priests)).map_err(io::Error::other)?;
    fs::create_dir_all(dir.join("ledgers"))?;
    if Roll::read(dir)?.is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already holds a Chamber; write the run into an empty folder", dir.display()),
        ));
    }
    for (i, name) in roll.names().iter().enumerate() {
        let mut text = format!("{LEDGER_HEADER}\n");
        for (record, tick) in outcome.ledgers[i].iter().zip(&outcome.ledger_ticks[i]) {
            text.push_str(&ledger_row(&roll, at(*tick), record));
        }
        fs::write(ledger_path(dir, name), text)?;
        fs::create_dir_all(book_dir(dir, name))?;
        let mut pages: std::collections::BTreeMap<&str, String> = std::collections::BTreeMap::new();
        for (tick, from, message) in &outcome.books[i] {
            if matches!(message, Message::Heartbeat { .. }) {
                continue;
            }
            let from = from.map_or("citizen", |p| roll.name(p));
            let page = pages.entry(from).or_insert_with(|| format!("{BOOK_HEADER}\n"));
            let _ = write!(page, "{}", book_row(&roll, at(*tick), from, message));
        }
        for (from, text) in pages {
            fs::write(page_path(dir, name, from), text)?;
        }
    }
    roll.write_new(dir)
}
