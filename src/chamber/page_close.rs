//! Closing a messagebook page (§3.3.2, applied to the messengers' pages): a messenger whose page
//! of another priest's messagebook has grown past [`page_bytes`] closes it. The page stays on
//! disk, whole and read-only, at `volumes/<to>/pages/<from>-<n>.csv` (a hard link: nothing is
//! copied or rewritten), and a new page takes its place under the old name, beginning with a
//! `Continued` row that names the closed one. So a Chamber that sits for a year keeps its live
//! messagebooks small, as the law books keep its live ledgers small.
//!
//! A priest reading the page as it is closed reads the old page to its end through the handle he
//! holds, then the new page from its start (`TailReader`); the `Continued` row tells him it is a
//! new page and not an old one changed (`book_reader`). Only messengers close pages, and only
//! their own: what a messenger wrote is a message, which the paper lets a messenger lose, so a
//! priest who was away when his page was closed loses nothing he needs (the petitions a person
//! wrote are in the person's own page, which is never closed, and a priest re-sends what he
//! handed on until it passes).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::books::book_rows::{BOOK_HEADER, continued_row};
use crate::books::layout::{VOLUMES, book_dir, closed_page_path, closed_pages_dir, page_path};

/// The size past which a messenger closes his page: `PARLIAMENT_PAGE_BYTES`, or 256 KiB.
pub fn page_bytes() -> u64 {
    std::env::var("PARLIAMENT_PAGE_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(256 * 1024)
}

/// Closes the page `from` writes in `to`'s messagebook in the Chamber at `dir`, and begins a new
/// one: returns the closed page's path. The writer must drop his handle on the old page.
pub fn close_page(dir: &Path, to: &str, from: &str) -> io::Result<PathBuf> {
    let live = page_path(dir, to, from);
    let folder = closed_pages_dir(dir, to);
    fs::create_dir_all(&folder)?;
    let prefix = format!("{from}-");
    let n = fs::read_dir(&folder)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(&prefix)?.strip_suffix(".csv")?.parse::<u64>().ok()
        })
        .max()
        .unwrap_or(0)
        + 1;
    let closed = closed_page_path(dir, to, from, n);
    fs::hard_link(&live, &closed)?;
    let relative = format!("{VOLUMES}/{to}/pages/{from}-{n:06}.csv");
    let next = book_dir(dir, to).join(format!(".{from}.csv.next"));
    fs::write(&next, format!("{BOOK_HEADER}\n{}", continued_row(Utc::now(), from, &relative)))?;
    fs::rename(&next, &live)?;
    let mut read_only = fs::metadata(&closed)?.permissions();
    read_only.set_readonly(true);
    fs::set_permissions(&closed, read_only)?;
    Ok(closed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::Roll;
    use crate::books::book_rows::book_row;
    use crate::chamber::book_reader::{BookReader, Reading};
    use crate::files::AppendFile;
    use crate::priest::{Message, PriestId};

    /// A page closed while its priest reads it loses no row, repeats none, and is not taken for
    /// a page whose history was changed (no note, no reading again).
    #[test]
    fn a_closed_page_is_read_to_its_end_and_the_new_page_from_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let (to, from) = ("Lynch", "Toueg");
        fs::create_dir_all(book_dir(dir.path(), to)).unwrap();
        let mut reader = BookReader::open(dir.path(), &roll, to);
        let path = page_path(dir.path(), to, from);
        let mut page = AppendFile::open_with_header(&path, BOOK_HEADER).unwrap();
        let row = |n: u64| book_row(&roll, Utc::now(), from, &Message::Inquiry { decree_no: n });
        let mut seen = Vec::new();
        let read = |reader: &mut BookReader, seen: &mut Vec<u64>| {
            for line in reader.read().unwrap() {
                match line.reading {
                    Reading::Message(PriestId(2), Message::Inquiry { decree_no }) => seen.push(decree_no),
                    other => panic!("line {} of {}: {other:?}", line.line, line.page),
                }
            }
        };
        page.append_rows(row(1).as_bytes()).unwrap();
        read(&mut reader, &mut seen);
        page.append_rows(row(2).as_bytes()).unwrap();
        let closed = close_page(dir.path(), to, from).unwrap();
        drop(page);
        let mut page = AppendFile::open_with_header(&path, BOOK_HEADER).unwrap();
        page.append_rows(row(3).as_bytes()).unwrap();
        read(&mut reader, &mut seen);
        assert_eq!(seen, [1, 2, 3], "every row once, in order");
        assert!(closed.ends_with("volumes/Lynch/pages/Toueg-000001.csv"), "{}", closed.display());
        assert!(fs::metadata(&closed).unwrap().permissions().readonly());
        let text = fs::read_to_string(&closed).unwrap();
        assert_eq!(text.lines().count(), 3, "the closed page holds its header and both rows: {text}");
        let live = fs::read_to_string(&path).unwrap();
        assert!(live.lines().nth(1).unwrap().contains(",Continued,volumes/Lynch/pages/Toueg-000001.csv"));
        let again = close_page(dir.path(), to, from).unwrap();
        assert!(again.ends_with("Toueg-000002.csv"), "the next closed page takes the next number");
    }
}
