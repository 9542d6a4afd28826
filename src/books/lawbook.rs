//! A priest's law book on disk (§3.3.2): "ledgers became law books holding the current state of the
//! law plus the number of the last decree reflected in it". Here the law is the statute book, so a
//! law book is the statute book through some decree, as pages a person can read:
//!
//! ```text
//! lawbooks/Lynch/0000000001-0000002000.csv
//! decree_no,decree,petition
//! 1,Lamps must use only olive oil,paper-1
//! 2,olive day,
//! ```
//!
//! Each page is written whole under a hidden name, synced, then given its name and its folder
//! synced: a page that has its name is complete, and is never changed again. The book runs from
//! decree 1 through the end of the last page that follows on without a gap.
//!
//! The book carries the roll (§3.3.6): `lawbooks/<priest>/roll.csv` lists every membership decree
//! its pages hold, so that a priest restored from the book knows the roll in force past it without
//! reading every decree again:
//!
//! ```text
//! decree_no,place,weight,petition,decree
//! 13,3,1,citizen-20261201T180000.000000,Dan is now a legislator
//! ```
//!
//! It is rewritten whole (hidden name, synced, renamed) before the page that adds a membership
//! decree takes its name, so it never lacks one the book holds; a row past the book's end (a page
//! that never got its name) is not in the book. Only the first decree carrying a petition counts:
//! a void repeat changes nothing.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::csvrow::{read_row, unguard, write_row};
use super::layout::{ROLL_PAGE, law_page_path, law_page_range, lawbook_dir, numbered};
use super::ledger_rows::{decree_fields, parse_decree};
use super::roll::Roll;
use crate::priest::{Decree, DecreeNo, PetitionId, RollChange};

/// A law page's header row.
pub const LAW_HEADER: &str = "decree_no,decree,petition";

/// Writes one row of a law page.
pub fn law_row(decree_no: DecreeNo, decree: &Decree) -> String {
    let (text, petition) = decree_fields(Some(decree));
    write_row(&[&decree_no.to_string(), text, petition], &[false, true, true])
}

/// Reads one row of a law page (a membership text through the roll).
pub fn parse_law_row(roll: &Roll, text: &str) -> Result<(DecreeNo, Decree), String> {
    let f = read_row(text)?;
    if f.len() > 3 {
        return Err(format!("the row has {} columns; a law page row has 3 ({LAW_HEADER})", f.len()));
    }
    let field = |i: usize| f.get(i).map_or("", |c| c.as_ref());
    let no =
        field(0).parse().map_err(|_| format!("'decree_no' is {:?}; expected a decree number", field(0)))?;
    Ok((no, parse_decree(roll, unguard(field(1)), unguard(field(2)))))
}

/// The pages of a priest's law book, as their names say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LawBook {
    /// Every decree from 1 through this one is in the book (0: no book yet).
    pub through: DecreeNo,
    /// The pages, in order: decrees first..=last, and the file.
    pub pages: Vec<(DecreeNo, DecreeNo, PathBuf)>,
    /// Pages that do not follow on from the ones before (a gap, or an overlap): not in the book.
    pub strays: Vec<PathBuf>,
    /// The membership decrees in the book (§3.3.6), with the petitions they made law: the roll
    /// in force past it depends on them, and a repeat of one past it is void.
    pub roll_changes: std::collections::BTreeMap<DecreeNo, (RollChange, PetitionId)>,
}

/// Finds the pages of `name`'s law book in the Chamber at `dir`, by their names alone, and the
/// membership decrees they hold from its roll page.
pub fn law_book(dir: &Path, name: &str) -> io::Result<LawBook> {
    let mut book = LawBook::default();
    for ((first, last), path) in numbered(&lawbook_dir(dir, name), law_page_range)? {
        if first == book.through + 1 && book.strays.is_empty() {
            book.through = last;
            book.pages.push((first, last, path));
        } else {
            book.strays.push(path);
        }
    }
    if book.through > 0 {
        let through = book.through;
        book.roll_changes = read_roll_page(dir, name)?
            .into_iter()
            .filter(|r| r.decree_no <= through)
            .map(|r| (r.decree_no, (r.change, PetitionId(r.petition.into()))))
            .collect();
    }
    Ok(book)
}

/// The header of a law book's roll page.
pub const ROLL_PAGE_HEADER: &str = "decree_no,place,weight,petition,decree";

/// One membership decree in a law book's roll page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollRow {
    /// Its number.
    pub decree_no: DecreeNo,
    /// What it does.
    pub change: RollChange,
    /// The petition it made law.
    pub petition: String,
    /// Its text.
    pub text: String,
}

/// `lawbooks/<name>/roll.csv`.
pub fn roll_page_path(dir: &Path, name: &str) -> PathBuf {
    lawbook_dir(dir, name).join(ROLL_PAGE)
}

/// Reads `name`'s law book's roll page (none if there is none).
pub fn read_roll_page(dir: &Path, name: &str) -> io::Result<Vec<RollRow>> {
    let path = roll_page_path(dir, name);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let bad = |line: usize, why: String| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{} line {line}: {why}", path.display()))
    };
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1).filter(|(_, l)| !l.is_empty()) {
        let f = read_row(line).map_err(|why| bad(i + 1, why))?;
        let field = |i: usize| f.get(i).map_or("", |c| c.as_ref());
        let number = |i: usize| {
            field(i).parse::<u64>().map_err(|_| bad(i + 1, format!("{:?} is not a number", field(i))))
        };
        let change = RollChange {
            priest: crate::priest::PriestId(
                u16::try_from(number(1)?).map_err(|_| bad(i + 1, "no such place".into()))?,
            ),
            weight: u32::try_from(number(2)?).map_err(|_| bad(i + 1, "weight too large".into()))?,
        };
        rows.push(RollRow {
            decree_no: number(0)?,
            change,
            petition: unguard(field(3)).to_string(),
            text: unguard(field(4)).to_string(),
        });
    }
    Ok(rows)
}

/// Adds the membership decrees among `laws` (each the first decree carrying its petition) to
/// `name`'s roll page, rewritten whole and synced; nothing is written if `laws` holds none new.
fn note_roll_changes(dir: &Path, name: &str, laws: &[(DecreeNo, Decree)]) -> io::Result<()> {
    if !laws.iter().any(|(_, d)| d.roll_change().is_some()) {
        return Ok(());
    }
    let mut rows = read_roll_page(dir, name)?;
    let mut changed = false;
    for (no, decree) in laws {
        let Some(p) = decree.petition() else { continue };
        let Some(change) = p.change else { continue };
        let row = RollRow { decree_no: *no, change, petition: p.id.0.to_string(), text: p.text.to_string() };
        match rows.iter_mut().find(|r| r.petition == row.petition) {
            // A void repeat, or a page written again after a crash.
            Some(r) if r.decree_no <= *no => continue,
            Some(r) => *r = row,
            None => rows.push(row),
        }
        changed = true;
    }
    if !changed {
        return Ok(());
    }
    rows.sort_by_key(|r| r.decree_no);
    let mut text = format!("{ROLL_PAGE_HEADER}\n");
    for r in &rows {
        text.push_str(&write_row(
            &[
                &r.decree_no.to_string(),
                &r.change.priest.0.to_string(),
                &r.change.weight.to_string(),
                &r.petition,
                &r.text,
            ],
            &[false, false, false, true, true],
        ));
    }
    let folder = lawbook_dir(dir, name);
    let hidden = folder.join(format!(".{ROLL_PAGE}.new"));
    let mut file = fs::File::create(&hidden)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs::rename(&hidden, roll_page_path(dir, name))?;
    sync_folder(&folder)
}

/// Reads one page, checking that it holds exactly the decrees its name says, in order.
pub fn read_law_page(
    roll: &Roll,
    path: &Path,
    first: DecreeNo,
    last: DecreeNo,
) -> Result<Vec<(DecreeNo, Decree)>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    if lines.next().map(|h| h.trim_start_matches('\u{feff}')) != Some(LAW_HEADER) {
        return Err(format!("{} line 1: expected the header {LAW_HEADER:?}", path.display()));
    }
    let mut laws = Vec::with_capacity((last - first + 1) as usize);
    for (i, line) in lines.enumerate() {
        let (no, decree) =
            parse_law_row(roll, line).map_err(|why| format!("{} line {}: {why}", path.display(), i + 2))?;
        let expected = first + laws.len() as u64;
        if no != expected {
            return Err(format!(
                "{} line {}: decree {no}; expected decree {expected}",
                path.display(),
                i + 2
            ));
        }
        laws.push((no, decree));
    }
    if laws.len() as u64 != last - first + 1 {
        return Err(format!(
            "{}: holds {} decrees; its name says {first} to {last}",
            path.display(),
            laws.len()
        ));
    }
    Ok(laws)
}

/// Reads the whole statute book a law book holds, from decree `from` on.
pub fn read_law_book(roll: &Roll, book: &LawBook, from: DecreeNo) -> Result<Vec<(DecreeNo, Decree)>, String> {
    let mut laws = Vec::new();
    for (first, last, path) in book.pages.iter().filter(|(_, last, _)| *last >= from) {
        laws.extend(read_law_page(roll, path, *first, *last)?.into_iter().filter(|(no, _)| *no >= from));
    }
    Ok(laws)
}

/// Syncs a folder, so that a name just given in it survives a crash.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

/// Writes a page of `name`'s law book holding `laws` (consecutive decrees): whole under a hidden
/// name, synced, then named, and the folder synced. Returns the page's path.
pub fn write_law_page(dir: &Path, name: &str, laws: &[(DecreeNo, Decree)]) -> io::Result<PathBuf> {
    let (Some((first, _)), Some((last, _))) = (laws.first(), laws.last()) else {
        return Err(io::Error::other("a law page holds at least one decree"));
    };
    if laws.iter().enumerate().any(|(i, (no, _))| *no != first + i as u64) {
        return Err(io::Error::other("a law page holds consecutive decrees"));
    }
    let folder = lawbook_dir(dir, name);
    fs::create_dir_all(&folder)?;
    note_roll_changes(dir, name, laws)?;
    let path = law_page_path(dir, name, *first, *last);
    let hidden = folder.join(format!(".{first:010}-{last:010}.csv.new"));
    let mut text = String::with_capacity(laws.len() * 48 + LAW_HEADER.len() + 1);
    text.push_str(LAW_HEADER);
    text.push('\n');
    for (no, decree) in laws {
        text.push_str(&law_row(*no, decree));
    }
    let mut file = fs::File::create(&hidden)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);
    fs::rename(&hidden, &path)?;
    sync_folder(&folder)?;
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::Petition;

    fn roll() -> Roll {
        Roll::new(crate::names::chamber_names(3)).unwrap()
    }

    fn laws(range: std::ops::RangeInclusive<u64>) -> Vec<(DecreeNo, Decree)> {
        range
            .map(|no| {
                let d = if no.is_multiple_of(3) {
                    Decree::OliveDay
                } else {
                    Decree::Law(Petition::new(&format!("p{no}"), "=a, \"b\"\nc"))
                };
                (no, d)
            })
            .collect()
    }

    #[test]
    fn a_law_book_reads_back_what_was_written_and_runs_to_its_first_gap() {
        let dir = tempfile::tempdir().unwrap();
        write_law_page(dir.path(), "Lynch", &laws(1..=4)).unwrap();
        write_law_page(dir.path(), "Lynch", &laws(5..=9)).unwrap();
        let book = law_book(dir.path(), "Lynch").unwrap();
        assert_eq!((book.through, book.pages.len()), (9, 2));
        assert_eq!(read_law_book(&roll(), &book, 1).unwrap(), laws(1..=9));
        assert_eq!(read_law_book(&roll(), &book, 6).unwrap(), laws(6..=9));
        write_law_page(dir.path(), "Lynch", &laws(12..=13)).unwrap();
        let book = law_book(dir.path(), "Lynch").unwrap();
        assert_eq!((book.through, book.strays.len()), (9, 1), "a page after a gap is not in the book");
        assert_eq!(law_book(dir.path(), "Oki").unwrap(), LawBook::default());
    }

    #[test]
    fn a_law_page_that_does_not_hold_what_its_name_says_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_law_page(dir.path(), "Lynch", &laws(1..=4)).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.lines().take(4).collect::<Vec<_>>().join("\n")).unwrap();
        let e = read_law_page(&roll(), &path, 1, 4).unwrap_err();
        assert!(e.contains("holds 3 decrees"), "{e}");
    }
}
