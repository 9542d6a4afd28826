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
use crate::books::layout::{book_dir, ledger_path, page_path, volume_dir, volume_path};
use crate::books::ledger_read::restated_row;
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::priest::Message;

/// The `at` of tick 0.
fn epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("a valid time").with_timezone(&Utc)
}

fn at(tick: u64) -> DateTime<Utc> {
    epoch() + TimeDelta::milliseconds(20 * tick as i64)
}

/// One volume of a ledger: the header, its rows, and the `Restated` row after the rows it began
/// by restating.
fn volume_text(
    roll: &Roll,
    rows: &[crate::priest::Record],
    ticks: &[u64],
    restated: Option<(usize, u64)>,
) -> String {
    let mut text = format!("{LEDGER_HEADER}\n");
    for (k, (record, tick)) in rows.iter().zip(ticks).enumerate() {
        if let Some((n, through)) = restated
            && k == n
        {
            text.push_str(&restated_row(
                &at(*tick).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                through,
            ));
        }
        text.push_str(&ledger_row(roll, at(*tick), record));
    }
    if let Some((n, through)) = restated
        && n == rows.len()
    {
        let tick = ticks.last().copied().unwrap_or(0);
        text.push_str(&restated_row(&at(tick).to_rfc3339_opts(chrono::SecondsFormat::Millis, true), through));
    }
    text
}

/// Writes the run's ledgers and messagebooks into `dir` (which must not already hold a Chamber).
pub fn write_chamber(outcome: &Outcome, dir: &Path) -> io::Result<()> {
    let c = &outcome.config;
    let roll = Roll::laid_out(c.names().into_iter().zip(c.weights()).collect()).map_err(io::Error::other)?;
    fs::create_dir_all(dir.join("ledgers"))?;
    if Roll::read(dir)?.is_some() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already holds a Chamber; write the run into an empty folder", dir.display()),
        ));
    }
    for (i, name) in roll.names().iter().enumerate() {
        // His law book in one page, his closed volumes, then his live volume (§3.3.2).
        let v = &outcome.volumes;
        if !v.law_books[i].is_empty() {
            crate::books::lawbook::write_law_page(dir, name, &v.law_books[i])?;
        }
        for closed in &v.closed[i] {
            let text = volume_text(&roll, &closed.rows, &closed.ticks, closed.restated);
            fs::create_dir_all(volume_dir(dir, name))?;
            fs::write(volume_path(dir, name, closed.through), text)?;
        }
        let text = volume_text(&roll, &outcome.ledgers[i], &outcome.ledger_ticks[i], v.live_restated[i]);
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
    if c.alpha != crate::priest::DEFAULT_ALPHA {
        // The Chamber's α (§3.3.6), as God writes it when he lays out a Chamber.
        crate::books::settings::Settings { alpha: c.alpha }.write_new(dir)?;
    }
    roll.write_new(dir)
}
