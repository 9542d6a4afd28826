//! A priest's ledger in volumes (§3.3.2): the closed volumes in `volumes/<priest>/`, read-only, and
//! the live volume at `ledgers/<priest>.csv`, which begins by restating what he must never forget
//! and then a `Restated` row naming where his law book ran.
//!
//! Restoring a priest reads his law book's page names and his live volume only
//! ([`restore_priest`]): the time it takes does not grow with the decrees passed. A reader of his
//! whole history (the audit, the chronicle, the watch's replay) reads every volume in order and
//! skips each later volume's restatement, which the volumes before it already hold
//! ([`read_whole_ledger`]).

use std::io;
use std::path::{Path, PathBuf};

use super::lawbook::{LawBook, law_book};
use super::layout::{ledger_file, ledger_path, numbered, volume_dir, volume_through};
use super::ledger_read::{LedgerError, LedgerRead, read_ledger};
use super::ledger_rows::LedgerRow;
use super::roll::Roll;
use crate::priest::{Config, DecreeNo, Priest};

/// The files of `name`'s ledger in order: each closed volume, then the live one; with each file's
/// name relative to the Chamber.
pub fn ledger_volumes(dir: &Path, name: &str) -> io::Result<Vec<(String, PathBuf)>> {
    let mut files: Vec<(String, PathBuf)> = numbered(&volume_dir(dir, name), volume_through)?
        .into_iter()
        .map(|(through, path)| (volume_file(name, through), path))
        .collect();
    files.push((ledger_file(name), ledger_path(dir, name)));
    Ok(files)
}

/// A closed volume's name relative to the Chamber, for messages to people.
pub fn volume_file(name: &str, through: DecreeNo) -> String {
    format!("{}/{name}/{through:010}.csv", super::layout::VOLUMES)
}

/// Every row of a priest's ledger across its volumes, each with its file and line.
#[derive(Debug, Default)]
pub struct WholeLedger {
    /// The rows in the order he wrote them, restatements left out.
    pub rows: Vec<(String, u64, LedgerRow)>,
    /// Warnings a person should see.
    pub warnings: Vec<String>,
}

/// Reads every volume of `name`'s ledger in order, leaving out each later volume's restatement.
/// The live volume missing is [`LedgerError::Missing`], as for a ledger never split.
pub fn read_whole_ledger(dir: &Path, name: &str, roll: &Roll) -> Result<WholeLedger, LedgerError> {
    let files = ledger_volumes(dir, name)
        .map_err(|source| LedgerError::Io { path: volume_dir(dir, name), source })?;
    let mut whole = WholeLedger::default();
    let closed = files.len() - 1;
    for (i, (file, path)) in files.into_iter().enumerate() {
        let read = read_ledger(&path, roll)?;
        whole.warnings.extend(read.warnings.iter().cloned());
        let skip = if i > 0 { read.restated.map_or(0, |(rows, _)| rows) } else { 0 };
        if i > 0 && i <= closed && read.restated.is_none() {
            whole.warnings.push(format!("{file}: a volume after the first without its Restated row"));
        }
        whole.rows.extend(read.rows.into_iter().skip(skip).map(|(line, row)| (file.clone(), line, row)));
    }
    Ok(whole)
}

/// A priest rebuilt from his law book and his live volume.
pub struct Restored {
    /// The priest.
    pub priest: Priest,
    /// His live volume as read (its torn last row, its warnings).
    pub live: LedgerRead,
    /// His law book.
    pub law_book: LawBook,
}

/// Why a priest could not be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// His live volume cannot be read or trusted.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// His rows break the rules a priest keeps, or his law book ends before his live volume says.
    #[error("{0}; the ledger is damaged, so this priest refuses to vote")]
    Damaged(String),
}

/// Rebuilds `name` from his law book (its page names only) and his live volume.
pub fn restore_priest(dir: &Path, roll: &Roll, name: &str, config: Config) -> Result<Restored, RestoreError> {
    let id = roll.id(name).ok_or_else(|| RestoreError::Damaged(format!("{name} is not on the roll")))?;
    let path = ledger_path(dir, name);
    let law_book = law_book(dir, name).map_err(|source| LedgerError::Io { path: path.clone(), source })?;
    let live = read_ledger(&path, roll)?;
    if let Some((_, through)) = live.restated
        && through > law_book.through
    {
        return Err(RestoreError::Damaged(format!(
            "{}: the volume says his law book runs through decree {through}, but lawbooks/{name}/ runs only through {} (a page lost?); he may have forgotten a vote",
            path.display(),
            law_book.through
        )));
    }
    let rows = live.rows.iter().map(|(_, r)| &r.record);
    let priest = Priest::restore_with_law_book(id, config, law_book.through, &law_book.roll_changes, rows)
        .map_err(|e| RestoreError::Damaged(format!("{}: {e}", path.display())))?;
    Ok(Restored { priest, live, law_book })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::lawbook::write_law_page;
    use crate::books::ledger_read::restated_row;
    use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use crate::priest::{BallotNumber, Decree, PriestId, Record};

    /// A live volume that says his law book ran through decree 4 with a law book that does not:
    /// he may have forgotten a vote on a decree it stood for, so he refuses to vote.
    #[test]
    fn a_law_book_that_ends_before_the_volume_says_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        std::fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let laws: Vec<_> = (1..=4).map(|no| (no, Decree::OliveDay)).collect();
        let page = write_law_page(dir.path(), "Lynch", &laws).unwrap();
        let at = chrono::Utc::now();
        let promised = Record::Promised { ballot: BallotNumber::new(3, PriestId(2)) };
        let text = format!("{LEDGER_HEADER}\n{}{}", ledger_row(&roll, at, &promised), restated_row("x", 4));
        std::fs::write(ledger_path(dir.path(), "Lynch"), text).unwrap();
        let restored = restore_priest(dir.path(), &roll, "Lynch", Config::new(3)).unwrap();
        assert_eq!((restored.priest.law_through(), restored.live.restated), (4, Some((1, 4))));
        std::fs::remove_file(page).unwrap();
        let e = restore_priest(dir.path(), &roll, "Lynch", Config::new(3)).err().expect("refused");
        assert!(matches!(e, RestoreError::Damaged(_)) && e.to_string().contains("refuses to vote"), "{e}");
    }

    /// A priest restored from a law book past a membership decree counts with the new roll: the
    /// book's roll page carries the decree, and restoring reads no law page (§3.3.2, §3.3.6).
    #[test]
    fn a_priest_restored_from_a_law_book_past_a_membership_decree_counts_with_the_new_roll() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(vec!["Ann".into(), "Bob".into(), "Cy".into(), "Dan".into()]).unwrap();
        std::fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let law = |no: u64, id: &str, text: &str| {
            (no, Decree::Law(crate::books::membership::read_petition(&roll, id, text).unwrap()))
        };
        let first = vec![
            law(1, "p1", "Wine may not be watered"),
            law(2, "p2", "Dan is now a legislator of weight 2"),
        ];
        write_law_page(dir.path(), "Ann", &first).unwrap();
        let second = vec![
            law(3, "p3", "Cy is no longer a legislator"),
            (4, Decree::OliveDay),
            law(5, "p2", "Dan is now a legislator of weight 2"),
        ];
        write_law_page(dir.path(), "Ann", &second).unwrap();
        std::fs::write(ledger_path(dir.path(), "Ann"), format!("{LEDGER_HEADER}\n{}", restated_row("x", 5)))
            .unwrap();
        // The law pages are unreadable: restoring must not need them.
        for (_, _, page) in law_book(dir.path(), "Ann").unwrap().pages {
            std::fs::write(page, "garbage").unwrap();
        }
        let config = Config::weighted(vec![1, 1, 1, 0]);
        let restored = restore_priest(dir.path(), &roll, "Ann", Config { alpha: 3, ..config }).unwrap();
        let priest = restored.priest;
        assert_eq!(priest.law_through(), 5);
        assert_eq!(priest.roll_for(4).0, vec![1, 1, 1, 0], "decree 4 is passed by the law as of 1");
        assert_eq!(priest.roll_for(5).0, vec![1, 1, 1, 2], "Dan's admission at 2 is in force from 5");
        assert_eq!(
            priest.roll_for(6).0,
            vec![1, 1, 0, 2],
            "Cy's dismissal at 3 from 6; the repeat at 5 is void"
        );
        assert_eq!(priest.roll_for(9).0, vec![1, 1, 0, 2]);
        let page = std::fs::read_to_string(dir.path().join("lawbooks/Ann/roll.csv")).unwrap();
        assert_eq!(page.lines().count(), 3, "two membership decrees, the void repeat not among them: {page}");
    }
}
