//! The folder layout of a Chamber, written out in this one place:
//!
//! ```text
//! roll.csv                      the roll: `priest,weight`, one place a line; the first names
//!                               sorted, written by God at layout, later places appended
//! chamber.csv                   `setting,value`: the Chamber's α (§3.3.6), fixed at layout
//! .roll.lock                    held (flock) while a place is appended to the roll, or the
//!                               Chamber laid out
//! .god.sitting                  held (flock) by the one `convene` sitting the Chamber: its pid
//! ledgers/<priest>.csv          a priest's ledger, written only by him
//! ledgers/.<priest>.sitting     held (flock) by the one process sitting as him
//! ledgers/.<priest>.lease       made (O_EXCL) and renewed by him: holds across computers
//! messagebooks/<priest>/        his messagebook: a folder of pages, one per writer
//! messagebooks/<priest>/<from>.csv    the page written only by priest <from>'s messenger
//! messagebooks/<priest>/<you>.csv     a page of your own, for rows written by hand
//! messagebooks/<priest>/.<page>.read  how far he has read that page
//! presence/<priest>.csv         "I am here" (§2.4), rewritten in place, never growing
//! lawbooks/<priest>/<first>-<last>.csv   his law book (§3.3.2): pages of decrees first..=last,
//!                               each written whole, synced, then named; never changed after
//! lawbooks/<priest>/roll.csv    the membership decrees his law book holds (§3.3.6), rewritten
//!                               whole before the page that adds one is named
//! volumes/<priest>/<through>.csv          a closed volume of his ledger (read-only), closed
//!                               when his law book came to run through decree <through>
//! ledgers/.<priest>.next.csv    his next volume while it is written, before it takes the
//!                               ledger's name
//! ```
//!
//! Numbers in those names are written with ten digits, so they sort as they count.
//!
//! Every file has one writer, so nothing depends on appends from two writers staying whole
//! (they tear at 4 KiB on a network folder, and a person's half-typed row would glue onto a
//! messenger's). The names in paths are checked by [`crate::names::check_name`], so no path
//! leaves the Chamber's folder.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The folder of ledgers.
pub const LEDGERS: &str = "ledgers";
/// The folder of messagebooks.
pub const MESSAGEBOOKS: &str = "messagebooks";
/// The folder of presence files.
pub const PRESENCE: &str = "presence";
/// The folder of law books.
pub const LAWBOOKS: &str = "lawbooks";
/// The folder of closed ledger volumes.
pub const VOLUMES: &str = "volumes";
/// The roll's file name.
pub const ROLL: &str = "roll.csv";
/// The Chamber's settings file (α).
pub const CHAMBER: &str = "chamber.csv";
/// A law book's roll page: `lawbooks/<priest>/roll.csv`, its membership decrees.
pub const ROLL_PAGE: &str = "roll.csv";
/// The lock held while a place is appended to the roll.
pub const ROLL_LOCK: &str = ".roll.lock";

/// `ledgers/<name>.csv` under `dir`.
pub fn ledger_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(LEDGERS).join(format!("{name}.csv"))
}

/// A ledger's name relative to the Chamber, for messages to people: `ledgers/<name>.csv`.
pub fn ledger_file(name: &str) -> String {
    format!("{LEDGERS}/{name}.csv")
}

/// `ledgers/.<name>.sitting`: the lock the priest sitting as `name` holds.
pub fn sitting_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(LEDGERS).join(format!(".{name}.sitting"))
}

/// `ledgers/.<name>.lease`: the lease the priest sitting as `name` renews (across computers).
pub fn lease_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(LEDGERS).join(format!(".{name}.lease"))
}

/// `messagebooks/<to>/` under `dir`: his messagebook, a folder of pages.
pub fn book_dir(dir: &Path, to: &str) -> PathBuf {
    dir.join(MESSAGEBOOKS).join(to)
}

/// `messagebooks/<to>/<page>.csv`: the page of `to`'s messagebook written by `page`.
pub fn page_path(dir: &Path, to: &str, page: &str) -> PathBuf {
    book_dir(dir, to).join(format!("{page}.csv"))
}

/// A page's name relative to the Chamber: `messagebooks/<to>/<page>.csv`.
pub fn page_file(to: &str, page: &str) -> String {
    format!("{MESSAGEBOOKS}/{to}/{page}.csv")
}

/// `messagebooks/<to>/.<page>.read`: how far `to` has read that page.
pub fn read_position_path(dir: &Path, to: &str, page: &str) -> PathBuf {
    book_dir(dir, to).join(format!(".{page}.read"))
}

/// `volumes/<to>/pages/`: the closed pages of `to`'s messagebook (§3.3.2), read-only.
pub fn closed_pages_dir(dir: &Path, to: &str) -> PathBuf {
    dir.join(VOLUMES).join(to).join("pages")
}

/// `volumes/<to>/pages/<page>-<n>.csv`: the `n`th page `page` wrote in `to`'s messagebook and
/// closed.
pub fn closed_page_path(dir: &Path, to: &str, page: &str, n: u64) -> PathBuf {
    closed_pages_dir(dir, to).join(format!("{page}-{n:06}.csv"))
}

/// `presence/<name>.csv` under `dir`.
pub fn presence_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(PRESENCE).join(format!("{name}.csv"))
}

/// `lawbooks/<name>/` under `dir`: his law book, a folder of pages.
pub fn lawbook_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join(LAWBOOKS).join(name)
}

/// `lawbooks/<name>/<first>-<last>.csv`: the page of his law book holding decrees first..=last.
pub fn law_page_path(dir: &Path, name: &str, first: u64, last: u64) -> PathBuf {
    lawbook_dir(dir, name).join(format!("{first:010}-{last:010}.csv"))
}

/// The decrees a law page holds, from its file name: `(first, last)`; None for anything else.
pub fn law_page_range(file_name: &str) -> Option<(u64, u64)> {
    let (first, last) = file_name.strip_suffix(".csv")?.split_once('-')?;
    let number = |s: &str| (s.len() == 10).then(|| s.parse::<u64>().ok()).flatten();
    Some((number(first)?, number(last)?)).filter(|(f, l)| f <= l)
}

/// `volumes/<name>/` under `dir`: the closed volumes of his ledger.
pub fn volume_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join(VOLUMES).join(name)
}

/// `volumes/<name>/<through>.csv`: the volume closed when his law book came to run through
/// decree `through`.
pub fn volume_path(dir: &Path, name: &str, through: u64) -> PathBuf {
    volume_dir(dir, name).join(format!("{through:010}.csv"))
}

/// The law book's end at which a volume was closed, from its file name.
pub fn volume_through(file_name: &str) -> Option<u64> {
    let stem = file_name.strip_suffix(".csv")?;
    (stem.len() == 10).then(|| stem.parse().ok()).flatten()
}

/// `ledgers/.<name>.next.csv`: his next volume while it is being written.
pub fn next_volume_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(LEDGERS).join(format!(".{name}.next.csv"))
}

/// The numbered files of a folder (plain files only), by the number `parse` reads from each name,
/// sorted; none if the folder is missing.
pub fn numbered<T: Ord>(folder: &Path, parse: impl Fn(&str) -> Option<T>) -> io::Result<Vec<(T, PathBuf)>> {
    let mut found: Vec<(T, PathBuf)> = match fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| parse(&e.file_name().to_string_lossy()).map(|n| (n, e.path())))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// `roll.csv` under `dir`.
pub fn roll_path(dir: &Path) -> PathBuf {
    dir.join(ROLL)
}

/// The page name of a file in a messagebook folder: `Toueg` for `Toueg.csv`; None for side files
/// (`.Toueg.read`) and anything that is not a `.csv`.
pub fn page_name(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".csv")?;
    (!stem.is_empty() && !stem.starts_with('.')).then_some(stem)
}

/// The pages of `messagebooks/<name>/` (plain files only, no links), sorted; none if the folder
/// is missing.
pub fn pages(dir: &Path, name: &str) -> io::Result<Vec<String>> {
    let mut pages: Vec<String> = match fs::read_dir(book_dir(dir, name)) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| page_name(&e.file_name().to_string_lossy()).map(str::to_string))
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    pages.sort();
    Ok(pages)
}

/// Every page of `messagebooks/<name>/`, closed ones included, in the order they were written:
/// for each page (sorted), its closed pages (`volumes/<name>/pages/<page>-<n>.csv`, by `n`), then
/// the live one. Each as (page, file relative to the Chamber).
pub fn page_files(dir: &Path, name: &str) -> io::Result<Vec<(String, String)>> {
    let mut closed: Vec<(String, u64)> = match fs::read_dir(closed_pages_dir(dir, name)) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                let (page, n) = file.strip_suffix(".csv")?.rsplit_once('-')?;
                Some((page.to_string(), n.parse::<u64>().ok()?))
            })
            .collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e),
    };
    closed.sort();
    let live = pages(dir, name)?;
    let mut names: Vec<&String> = live.iter().chain(closed.iter().map(|(p, _)| p)).collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for page in names {
        for (_, n) in closed.iter().filter(|(p, _)| p == page) {
            out.push((page.clone(), format!("{VOLUMES}/{name}/pages/{page}-{n:06}.csv")));
        }
        if live.contains(page) {
            out.push((page.clone(), page_file(name, page)));
        }
    }
    Ok(out)
}
