//! Reading a messagebook as it grows: complete rows only, from a saved offset, through editor
//! saves (rename-over) and rewrites (truncate and write again) without answering an old row twice.
//!
//! The offset is kept in a small side file (`messagebooks/.<priest>.read`), so a priest who
//! returns to the Chamber goes on where he stopped. Losing it only means re-reading old rows, which
//! is harmless: every answer is a pure function of the ledger.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::books::book_rows::{BOOK_HEADER, BookEntry, parse_book_row};
use crate::books::csvrow::RowJoiner;
use crate::books::roll::Roll;
use crate::files::{LinePosition, TailEvent, TailReader};

/// One row read from a messagebook: the line it began on, and what it says or why it is bad.
pub type BookLine = (u64, Result<BookEntry, String>);

/// Follows one messagebook.
pub struct BookReader {
    tail: TailReader,
    joiner: RowJoiner,
    roll: Roll,
    seen_path: PathBuf,
    /// A fingerprint of each row answered, so that a rewritten book's old rows are recognised and
    /// not answered twice, even when the rewrite moved them to other lines.
    answered: std::collections::HashSet<u64>,
    rewritten: bool,
}

impl BookReader {
    /// Follows `messagebooks/<name>.csv` under `dir`, from where the side file says it stopped.
    pub fn open(dir: &Path, roll: &Roll, name: &str) -> BookReader {
        let books = dir.join("messagebooks");
        let seen_path = books.join(format!(".{name}.read"));
        let position = fs::read_to_string(&seen_path).ok().and_then(|s| {
            let (offset, lines) = s.trim().split_once(' ')?;
            Some(LinePosition { offset: offset.parse().ok()?, lines_read: lines.parse().ok()? })
        });
        let path = books.join(format!("{name}.csv"));
        let tail = match position {
            Some(p) => TailReader::resume(&path, p),
            None => TailReader::new(&path),
        };
        BookReader {
            tail,
            joiner: RowJoiner::default(),
            roll: roll.clone(),
            seen_path,
            answered: Default::default(),
            rewritten: false,
        }
    }

    /// The messagebook's path.
    pub fn path(&self) -> &Path {
        self.tail.path()
    }

    /// Every complete row added since the last call, skipping the header and rows already
    /// answered before the book was rewritten.
    pub fn read(&mut self) -> io::Result<Vec<BookLine>> {
        let mut out = Vec::new();
        for event in self.tail.read_new_lines()? {
            let line = match event {
                TailEvent::Line(line) => line,
                TailEvent::Replaced | TailEvent::Truncated => {
                    self.joiner.reset();
                    self.rewritten = true;
                    continue;
                }
            };
            let complete = self.joiner.push(line.number, &line.text);
            if let Some((first, cut)) = self.joiner.take_abandoned() {
                let why = format!(
                    "a quote opened here is never closed (row {cut:?}); expected a row whose quotes balance"
                );
                out.push((first, Err(why)));
            }
            let Some((first, row)) = complete else { continue };
            if row.trim().is_empty() || (first == 1 && row == BOOK_HEADER) {
                continue;
            }
            let print = fingerprint(&row);
            if !self.answered.insert(print) && self.rewritten {
                continue;
            }
            out.push((first, parse_book_row(&self.roll, &row)));
        }
        Ok(out)
    }

    /// Saves how far the book has been read, if no row is half-read.
    pub fn save_position(&self) {
        if self.joiner.is_waiting() || self.tail.pending_bytes() > 0 {
            return;
        }
        let p = self.tail.position();
        // The side file is a convenience; failing to write it costs only re-reading.
        let _ = fs::write(&self.seen_path, format!("{} {}\n", p.offset, p.lines_read));
    }
}

/// FNV-1a, 64 bits: ours, so a fingerprint never changes between builds.
pub fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewritten_book_is_not_answered_twice_and_new_rows_are() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("messagebooks")).unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let path = dir.path().join("messagebooks/Lynch.csv");
        let old =
            format!("{BOOK_HEADER}\n,Ann,Petition,Wine may not be watered\n,Bob,Petition,\"two\nlines\"\n");
        fs::write(&path, &old).unwrap();
        let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
        let rows = reader.read().unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
        // An editor saves the book by writing a new file and renaming it over the old one.
        let tmp = dir.path().join("messagebooks/.Lynch.csv.swp");
        fs::write(&tmp, format!("{old},Cy,Petition,Olives are free\n,Ann,Vote\n")).unwrap();
        fs::rename(&tmp, &path).unwrap();
        let rows = reader.read().unwrap();
        assert_eq!(rows.len(), 2, "only the new rows: {rows:?}");
        assert!(rows[0].1.is_ok() && rows[1].1.is_err());
        reader.save_position();
        let mut again = BookReader::open(dir.path(), &roll, "Lynch");
        assert!(again.read().unwrap().is_empty(), "a returning priest goes on where he stopped");
    }
}
