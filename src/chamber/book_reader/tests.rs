//! Tests of reading a messagebook's pages through people's edits.

use super::*;
use crate::books::layout::page_path;
use std::time::SystemTime;

fn chamber() -> (tempfile::TempDir, Roll) {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("messagebooks/Lynch")).unwrap();
    (dir, Roll::new(crate::names::chamber_names(3)).unwrap())
}

fn petitions(rows: &[BookLine]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| match &r.reading {
            Reading::Petition(p, _) => Some(p.text.to_string()),
            _ => None,
        })
        .collect()
}

/// An editor saves by writing a new file and renaming it over the old one.
fn editor_save(path: &Path, text: &str) {
    let tmp = path.with_extension("swp");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

#[test]
fn an_editors_save_answers_only_the_rows_it_added() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    let old = format!("{BOOK_HEADER}\n,Ann,Petition,Wine may not be watered\n,Ann,Petition,two\\nlines\n");
    fs::write(&path, &old).unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    assert_eq!(petitions(&reader.read().unwrap()), ["Wine may not be watered", "two\nlines"]);
    editor_save(&path, &format!("{old},Cy,Petition,Olives are free\n,Ann,Vote\n"));
    let rows = reader.read().unwrap();
    assert_eq!(rows.len(), 2, "only the new rows: {rows:?}");
    assert!(matches!(rows[1].reading, Reading::Bad(_)));
    editor_save(&path, &format!("{old},Cy,Petition,Olives are free\n,Ann,Vote\n"));
    assert!(reader.read().unwrap().is_empty(), "saving again unchanged is a no-op");
}

#[test]
fn a_page_whose_history_changed_is_read_again_and_said_so() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    fs::write(&path, format!("{BOOK_HEADER}\n,Ann,Petition,one\n,Ann,Petition,two\n")).unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    assert_eq!(reader.read().unwrap().len(), 2);
    editor_save(&path, &format!("{BOOK_HEADER}\n,Ann,Petition,ONE\n"));
    let rows = reader.read().unwrap();
    assert!(matches!(&rows[0].reading, Reading::Note(n) if n.contains("read again")), "{rows:?}");
    assert_eq!(petitions(&rows), ["ONE"]);
}

#[test]
fn a_petition_not_yet_passed_is_read_again_by_a_priest_who_returns() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    fs::write(&path, format!("{BOOK_HEADER}\n,Ann,Petition,one\n,Ann,Petition,two\n,Toueg,Petition,three\n"))
        .unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    let rows = reader.read().unwrap();
    let ids: Vec<PetitionId> = rows
        .iter()
        .filter_map(|r| match &r.reading {
            Reading::Petition(p, _) => Some(p.id.clone()),
            _ => None,
        })
        .collect();
    // "one" passed; "two" did not before he was killed.
    reader.save_positions(|id| *id == ids[0]);
    let mut back = BookReader::open(dir.path(), &roll, "Lynch");
    let again = back.read().unwrap();
    assert_eq!(petitions(&again), ["two", "three"]);
    let again_ids: Vec<_> = again
        .iter()
        .filter_map(|r| match &r.reading {
            Reading::Petition(p, _) => Some(p.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(again_ids, ids[1..], "read again, the same petitions");
    back.save_positions(|_| true);
    assert!(BookReader::open(dir.path(), &roll, "Lynch").read().unwrap().is_empty());
}

/// Chaos trial 101 lost "Hand petition 101.105": an editor saved its page (adding a row) while
/// it waited for its decree, the saved position moved past it, and its priest was then killed.
#[test]
fn a_petition_waiting_through_an_editors_save_is_read_again_by_a_priest_who_returns() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    let old = format!("{BOOK_HEADER}\n,Ann,Petition,one\n,Ann,Petition,two\n");
    fs::write(&path, &old).unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    let rows = reader.read().unwrap();
    let one = match &rows[0].reading {
        Reading::Petition(p, _) => p.id.clone(),
        r => panic!("{r:?}"),
    };
    editor_save(&path, &format!("{old},Cy,Petition,three\n"));
    assert_eq!(petitions(&reader.read().unwrap()), ["three"]);
    // "one" passed; "two" and "three" did not before he was killed.
    reader.save_positions(|id| *id == one);
    let again = BookReader::open(dir.path(), &roll, "Lynch").read().unwrap();
    assert_eq!(petitions(&again), ["two", "three"]);
}

#[test]
fn a_page_replaced_while_its_priest_was_away_is_checked_not_trusted() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    let old = format!("{BOOK_HEADER}\n,Ann,Petition,one\n");
    fs::write(&path, &old).unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    reader.read().unwrap();
    reader.save_positions(|_| true);
    editor_save(&path, &format!("{old},Ann,Petition,two\n"));
    assert_eq!(petitions(&BookReader::open(dir.path(), &roll, "Lynch").read().unwrap()), ["two"]);
    editor_save(&path, &format!("{BOOK_HEADER}\n,Ann,Petition,other\n,Ann,Petition,three\n"));
    let rows = BookReader::open(dir.path(), &roll, "Lynch").read().unwrap();
    assert_eq!(petitions(&rows), ["other", "three"], "a different file is read whole: {rows:?}");
}

#[test]
fn a_row_in_a_priests_page_must_be_his() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Toueg");
    fs::write(&path, format!("{BOOK_HEADER}\n2026-11-23T21:48:24.133Z,Fischer,Voted,,1,1.Toueg\n")).unwrap();
    let rows = BookReader::open(dir.path(), &roll, "Lynch").read().unwrap();
    assert!(
        matches!(&rows[0].reading, Reading::Bad(why) if why.contains("only Toueg's messenger")),
        "{rows:?}"
    );
}

#[test]
fn a_row_typed_in_pieces_is_read_whole_when_its_line_ends() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    fs::write(&path, ",Ann,Petition,Tor").unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    assert!(reader.read().unwrap().is_empty());
    assert_eq!(reader.unfinished(), [("Ann".to_string(), 1, 17)]);
    let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
    io::Write::write_all(&mut f, b"toises are sacred\n").unwrap();
    assert_eq!(petitions(&reader.read().unwrap()), ["Tortoises are sacred"]);
}

/// Sets a file's modification time, as a filesystem with coarse times would leave it.
fn set_mtime(path: &Path, to: SystemTime) {
    fs::File::open(path).unwrap().set_modified(to).unwrap();
}

#[test]
fn a_page_created_within_the_folders_mtime_grain_is_found() {
    let (dir, roll) = chamber();
    let folder = dir.path().join("messagebooks/Lynch");
    fs::write(page_path(dir.path(), "Lynch", "Ann"), format!("{BOOK_HEADER}\n,Ann,Petition,one\n")).unwrap();
    // Over sshfs the folder's mtime is in whole seconds: it reads the same before and after a
    // page is created within that second.
    let second = SystemTime::now();
    set_mtime(&folder, second);
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    assert_eq!(petitions(&reader.read().unwrap()), ["one"]);
    fs::write(page_path(dir.path(), "Lynch", "Bob"), format!("{BOOK_HEADER}\n,Bob,Petition,two\n")).unwrap();
    set_mtime(&folder, second);
    assert_eq!(petitions(&reader.read().unwrap()), ["two"], "the new page was never listed");
}

#[test]
fn an_idle_priest_writes_no_side_file_again() {
    let (dir, roll) = chamber();
    let path = page_path(dir.path(), "Lynch", "Ann");
    fs::write(&path, format!("{BOOK_HEADER}\n,Ann,Petition,one\n")).unwrap();
    let mut reader = BookReader::open(dir.path(), &roll, "Lynch");
    reader.read().unwrap();
    reader.save_positions(|_| true);
    let side = crate::books::layout::read_position_path(dir.path(), "Lynch", "Ann");
    assert!(side.exists());
    fs::remove_file(&side).unwrap();
    reader.read().unwrap();
    reader.save_positions(|_| true);
    assert!(!side.exists(), "nothing moved, so nothing was written");
    io::Write::write_all(
        &mut fs::OpenOptions::new().append(true).open(&path).unwrap(),
        b",Ann,Petition,two\n",
    )
    .unwrap();
    reader.read().unwrap();
    reader.save_positions(|_| true);
    assert!(side.exists(), "a new row read moves the position");
}
