//! Closing a volume of a priest's ledger (§3.3.2), on files. Nothing is ever truncated or
//! rewritten: the old volume keeps every byte, under a second name in `volumes/<priest>/`, made
//! read-only; the ledger's path comes to name a new volume that restates what he must never forget.
//! In this order, each step synced before the next relies on it:
//!
//! 1. the law book's new page, decrees up to the new end (`books::lawbook::write_law_page`);
//! 2. the new volume, whole, at `ledgers/.<priest>.next.csv`: the header, the restated rows, the
//!    `Restated` row naming where the law book now runs;
//! 3. the old volume linked as `volumes/<priest>/<through>.csv` (the same file; no byte copied);
//! 4. the new volume renamed over `ledgers/<priest>.csv`, the folder synced;
//! 5. the closed volume made read-only; the priest reopens his ledger and forgets what his law
//!    book now holds.
//!
//! A crash before 4 leaves the old volume live, every row in it: he restores from it and his law
//! book, and a volume name left linked to the live file is unlinked at his return
//! ([`unlink_unfinished`]: only a name goes, never a byte). At every moment the ledger's path
//! names a whole ledger.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use chrono::SecondsFormat;

use super::ledger_file::LedgerFile;
use crate::books::Roll;
use crate::books::lawbook::{sync_folder, write_law_page};
use crate::books::layout::{
    ledger_path, next_volume_path, numbered, volume_dir, volume_path, volume_through,
};
use crate::books::ledger_read::restated_row;
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::priest::{Priest, Volume};

/// Decrees a priest keeps in the back of his ledger before closing a volume (§3.3.2):
/// `PARLIAMENT_VOLUME_DECREES`, or 2,000. A priest lacking more than that gets a law book.
pub fn volume_decrees() -> u64 {
    std::env::var("PARLIAMENT_VOLUME_DECREES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

/// After a step is carried out: closes a volume if one is due, then tells the priest.
pub fn close_if_due(
    dir: &Path,
    name: &str,
    roll: &Roll,
    ledger: &mut LedgerFile,
    priest: &mut Priest,
) -> io::Result<()> {
    if let Some(volume) = priest.volume_to_close() {
        close_volume(dir, name, roll, ledger, &volume)?;
        priest.closed_volume(volume.through);
    }
    Ok(())
}

/// Closes `volume` for the priest `name`: on return his ledger is the new volume, open for
/// appending; the caller then tells the priest (`Priest::closed_volume`).
pub fn close_volume(
    dir: &Path,
    name: &str,
    roll: &Roll,
    ledger: &mut LedgerFile,
    volume: &Volume,
) -> io::Result<()> {
    if !volume.laws.is_empty() {
        write_law_page(dir, name, &volume.laws)?;
    }
    let at = (ledger.clock)();
    let stamp = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut text = String::with_capacity(volume.restated.len() * 80 + 128);
    text.push_str(LEDGER_HEADER);
    text.push('\n');
    for r in &volume.restated {
        text.push_str(&ledger_row(roll, at, r));
    }
    text.push_str(&restated_row(&stamp, volume.through));
    let next = next_volume_path(dir, name);
    let mut file = fs::File::create(&next)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    drop(file);

    let live = ledger_path(dir, name);
    let folder = volume_dir(dir, name);
    fs::create_dir_all(&folder)?;
    let closed = volume_path(dir, name, volume.through);
    fs::hard_link(&live, &closed)?;
    sync_folder(&folder)?;
    fs::rename(&next, &live)?;
    sync_folder(live.parent().unwrap_or(dir))?;
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o444))?;

    let clock = std::mem::replace(&mut ledger.clock, Box::new(chrono::Utc::now));
    *ledger = LedgerFile::open(&live, roll, false)?;
    ledger.clock = clock;
    Ok(())
}

/// A close interrupted between linking the old volume and renaming the new one over it leaves the
/// live ledger with a second name in `volumes/`: that name is taken away (the file keeps every
/// byte under the ledger's path). Returns the names unlinked.
pub fn unlink_unfinished(dir: &Path, name: &str) -> io::Result<Vec<std::path::PathBuf>> {
    let live = match fs::metadata(ledger_path(dir, name)) {
        Ok(m) => (m.dev(), m.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut unlinked = Vec::new();
    for (_, path) in numbered(&volume_dir(dir, name), volume_through)? {
        let m = fs::metadata(&path)?;
        if (m.dev(), m.ino()) == live {
            fs::remove_file(&path)?;
            unlinked.push(path);
        }
    }
    if !unlinked.is_empty() {
        sync_folder(&volume_dir(dir, name))?;
    }
    Ok(unlinked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::lawbook::{law_book, read_law_book};
    use crate::books::volumes::{read_whole_ledger, restore_priest};
    use crate::priest::{Config, Decree, Petition, PriestId, Record};
    use crate::priest::{LedgerBook, Vote};

    fn roll() -> Roll {
        Roll::new(crate::names::chamber_names(3)).unwrap()
    }

    fn law(no: u64) -> Decree {
        Decree::Law(Petition::new(&format!("p{no}"), &format!("Law {no}, \"quoted\"")))
    }

    /// The closed volume keeps every byte under its new name, read-only; the live volume and the
    /// law book restore the same priest; the whole ledger read across volumes is the rows written.
    #[test]
    fn closing_a_volume_keeps_every_row_and_restores_the_same_priest() {
        let dir = tempfile::tempdir().unwrap();
        let (roll, name) = (roll(), "Lynch");
        fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let mut config = Config::new(3);
        config.volume_decrees = 3;
        let me = PriestId(1);
        let b = crate::priest::BallotNumber::new(2, PriestId(2));
        let mut rows = vec![Record::Promised { ballot: b }];
        rows.extend((1..=7).map(|no| Record::Decree { decree_no: no, decree: law(no) }));
        rows.push(Record::Voted(Vote { decree_no: 8, ballot: b, decree: law(8) }));
        let mut ledger = LedgerFile::open(&ledger_path(dir.path(), name), &roll, false).unwrap();
        ledger.append(&rows).unwrap();
        ledger.sync().unwrap();
        let before = fs::read(ledger_path(dir.path(), name)).unwrap();
        let mut priest = Priest::restore(me, config.clone(), &rows).unwrap();
        let volume = priest.volume_to_close().expect("7 ≥ 2 × 3");
        close_volume(dir.path(), name, &roll, &mut ledger, &volume).unwrap();
        priest.closed_volume(volume.through);

        let closed = volume_path(dir.path(), name, 4);
        assert_eq!(fs::read(&closed).unwrap(), before, "not a byte of the old volume changed");
        assert!(fs::metadata(&closed).unwrap().permissions().readonly());
        let book = law_book(dir.path(), name).unwrap();
        assert_eq!(read_law_book(&roll, &book, 1).unwrap(), (1..=4).map(|n| (n, law(n))).collect::<Vec<_>>());
        let restored = restore_priest(dir.path(), &roll, name, config).unwrap();
        assert_eq!(restored.priest.durable(), priest.durable());
        // The ledger goes on in the new volume, and is read whole across both.
        ledger.append(&[Record::Decree { decree_no: 8, decree: law(8) }]).unwrap();
        ledger.sync().unwrap();
        let whole = read_whole_ledger(dir.path(), name, &roll).unwrap();
        let mut expected = rows.clone();
        expected.push(Record::Decree { decree_no: 8, decree: law(8) });
        let read: Vec<_> = whole.rows.iter().map(|(_, _, r)| r.record.clone()).collect();
        assert_eq!(read, expected, "the restatement is not read twice");
        assert!(unlink_unfinished(dir.path(), name).unwrap().is_empty());
    }

    /// A crash after the old volume got its second name and before the new volume took the
    /// ledger's path: the name is taken away at his return and the ledger is whole.
    #[test]
    fn a_close_interrupted_before_the_rename_leaves_a_whole_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let (roll, name) = (roll(), "Fischer");
        fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let rows: Vec<_> = (1..=4).map(|no| Record::Decree { decree_no: no, decree: law(no) }).collect();
        let mut ledger = LedgerFile::open(&ledger_path(dir.path(), name), &roll, false).unwrap();
        ledger.append(&rows).unwrap();
        ledger.sync().unwrap();
        write_law_page(
            dir.path(),
            name,
            &rows[..2]
                .iter()
                .map(|r| match r {
                    Record::Decree { decree_no, decree } => (*decree_no, decree.clone()),
                    _ => unreachable!(),
                })
                .collect::<Vec<_>>(),
        )
        .unwrap();
        fs::create_dir_all(volume_dir(dir.path(), name)).unwrap();
        fs::hard_link(ledger_path(dir.path(), name), volume_path(dir.path(), name, 2)).unwrap();
        let unlinked = unlink_unfinished(dir.path(), name).unwrap();
        assert_eq!(unlinked.len(), 1);
        let restored = restore_priest(dir.path(), &roll, name, Config::new(3)).unwrap();
        assert_eq!((restored.priest.law_through(), restored.priest.durable().known), (2, 4));
        let whole = read_whole_ledger(dir.path(), name, &roll).unwrap();
        assert_eq!(whole.rows.len(), 4);
    }
}
