//! A simulated run written out as a Chamber: the same `ledgers/` and `messagebooks/` CSV files the
//! Chamber on files writes, so one reader (`laws`, `status`, a spreadsheet) serves both. Virtual
//! time becomes the `at` column: tick t is 20 ms × t after the run's epoch, as in the Chamber.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use super::Outcome;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::chamber::Roll;
use crate::names::chamber_names;

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
    for sub in ["ledgers", "messagebooks"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    for (i, name) in roll.names().iter().enumerate() {
        let path = dir.join("ledgers").join(format!("{name}.csv"));
        if path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists; write the run into an empty folder", path.display()),
            ));
        }
        let mut text = format!("{LEDGER_HEADER}\n");
        for (record, tick) in outcome.ledgers[i].iter().zip(&outcome.ledger_ticks[i]) {
            text.push_str(&ledger_row(&roll, at(*tick), record));
        }
        fs::write(path, text)?;
        let mut text = format!("{BOOK_HEADER}\n");
        for (tick, from, message) in &outcome.books[i] {
            let from = from.map_or("citizen", |p| roll.name(p));
            let _ = write!(text, "{}", book_row(&roll, at(*tick), from, message));
        }
        fs::write(dir.join("messagebooks").join(format!("{name}.csv")), text)?;
    }
    Ok(())
}
