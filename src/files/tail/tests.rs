//! Tests of following a file through appends, truncation and replacement.

use super::*;
use std::fs::OpenOptions;
use std::io::Write;

fn append(path: &Path, bytes: &[u8]) {
    let mut file = OpenOptions::new().append(true).create(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
}

/// The texts of the lines among `events`, with `Replaced` and `Truncated` shown as markers.
fn texts(events: &[TailEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            TailEvent::Line(line) => line.text.clone(),
            TailEvent::Replaced => "<replaced>".to_string(),
            TailEvent::Truncated => "<truncated>".to_string(),
        })
        .collect()
}

/// Each event as (line number, offset, text); only lines are expected.
fn numbered(events: Vec<TailEvent>) -> Vec<(u64, u64, String)> {
    events
        .into_iter()
        .map(|e| match e {
            TailEvent::Line(l) => (l.number, l.offset, l.text),
            other => panic!("expected only lines, got {other:?}"),
        })
        .collect()
}

fn at(offset: u64, lines_read: u64) -> LinePosition {
    LinePosition { offset, lines_read }
}

fn texts_of(reader: &mut TailReader) -> Vec<String> {
    texts(&reader.read_new_lines().unwrap())
}

#[test]
fn half_written_crlf_line_after_a_bom_is_held_then_completed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"\xEF\xBB\xBFkind,ballot\r\nVoted,");
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader), ["kind,ballot"]);
    assert_eq!(reader.pending_bytes(), 6);
    assert_eq!(reader.read_new_lines().unwrap(), []);
    append(&path, b"7\r\n");
    let got = numbered(reader.read_new_lines().unwrap());
    assert_eq!(got, [(2, 16, "Voted,7".into())]);
    assert_eq!(reader.position(), at(25, 2));
}

#[test]
fn rename_over_reads_old_rest_then_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"h\na\n");
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader), ["h", "a"]);
    // A priest appends a row and a half to the old file, then an editor saves over it.
    append(&path, b"b\nhalf");
    let temp = dir.path().join("book.csv.swp");
    fs::write(&temp, "h\na\nedited\n").unwrap();
    fs::rename(&temp, &path).unwrap();
    let events = reader.read_new_lines().unwrap();
    assert_eq!(texts(&events), ["b", "<replaced>", "h", "a", "edited"]);
    let TailEvent::Line(first_new) = &events[2] else { panic!() };
    assert_eq!((first_new.number, first_new.offset), (1, 0));
    append(&path, b"c\n");
    let got = numbered(reader.read_new_lines().unwrap());
    assert_eq!(got, [(4, 11, "c".into())]);
}

#[test]
fn a_rename_over_that_keeps_the_inode_is_found_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"header,of,the,page\nVoted,1\nVoted,2\n");
    let mut reader = TailReader::new(&path);
    // As on sshfs: the inode number stays the same across another computer's rename-over.
    reader.inode_blind = true;
    assert_eq!(texts_of(&mut reader).len(), 3);
    append(&path, b"Voted,3\n");
    // Saved over with a longer file starting with other bytes: only the first bytes tell.
    let temp = dir.path().join("book.csv.new");
    fs::write(&temp, "HEADER,OF,THE,PAGE\nVoted,1\nVoted,2\nVoted,3\nSuccess,4\n").unwrap();
    fs::rename(&temp, &path).unwrap();
    let events = reader.read_new_lines().unwrap();
    assert_eq!(
        texts(&events),
        ["Voted,3", "<replaced>", "HEADER,OF,THE,PAGE", "Voted,1", "Voted,2", "Voted,3", "Success,4"]
    );
    // Saved over with a shorter file: its size tells.
    fs::write(&temp, "HEADER,OF,THE,PAGE\n").unwrap();
    fs::rename(&temp, &path).unwrap();
    assert_eq!(texts_of(&mut reader), ["<replaced>", "HEADER,OF,THE,PAGE"]);
    // Plain appends to the same file are no replacement, though the path's size runs ahead
    // of what was read.
    append(&path, b"a\n");
    assert_eq!(texts_of(&mut reader), ["a"]);
}

#[test]
fn truncation_is_reported_and_file_reread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"h\nlong row one\nlong row two\n");
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader).len(), 3);
    // Shorter than what was read: the length gives it away.
    fs::write(&path, "h\nx\n").unwrap();
    assert_eq!(texts_of(&mut reader), ["<truncated>", "h", "x"]);
    // Truncated and rewritten longer than what was read: the last bytes read changed.
    fs::write(&path, "h\nsomething else entirely\n").unwrap();
    assert_eq!(texts_of(&mut reader), ["<truncated>", "h", "something else entirely"]);
    // Plain appends after that are read normally.
    append(&path, b"y\n");
    assert_eq!(texts_of(&mut reader), ["y"]);
}

/// A file whose `stat` has not changed is not read again (`settled`); a rewrite in place that
/// keeps its size still changes its change time, so it is found at once, not a quarter of a
/// second later.
#[test]
fn a_rewrite_of_the_same_size_after_the_file_settled_is_found_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"h\nrow one\n");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !super::settled(&fs::metadata(&path).unwrap()) {
        assert!(std::time::Instant::now() < deadline, "the file never settled");
        std::thread::yield_now();
    }
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader), ["h", "row one"]);
    assert!(reader.seen.is_some(), "a settled file's stat is kept");
    assert_eq!(texts_of(&mut reader), Vec::<String>::new());
    fs::write(&path, "h\nrow two\n").unwrap();
    assert_eq!(texts_of(&mut reader), ["<truncated>", "h", "row two"]);
}

#[test]
fn missing_file_is_not_an_error_until_it_appears() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("later.csv");
    let mut reader = TailReader::new(&path);
    assert_eq!(reader.read_new_lines().unwrap(), []);
    append(&path, b"h\n");
    assert_eq!(texts_of(&mut reader), ["h"]);
}

#[test]
fn removed_then_recreated_file_is_a_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"h\na\n");
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader), ["h", "a"]);
    fs::remove_file(&path).unwrap();
    assert_eq!(reader.read_new_lines().unwrap(), []);
    append(&path, b"h\n");
    assert_eq!(texts_of(&mut reader), ["<replaced>", "h"]);
}

#[test]
fn resume_from_a_saved_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    append(&path, b"h\na\nb");
    let mut first = TailReader::new(&path);
    assert_eq!(texts_of(&mut first), ["h", "a"]);
    let saved = first.position();
    assert_eq!(saved, at(4, 2));
    drop(first);

    append(&path, b"\nc\n");
    let mut resumed = TailReader::resume(&path, saved);
    let got = numbered(resumed.read_new_lines().unwrap());
    assert_eq!(got, [(3, 4, "b".into()), (4, 6, "c".into()),]);

    // A saved position past the end of the file means it was truncated meanwhile.
    let mut stale = TailReader::resume(&path, at(999, 50));
    assert_eq!(texts_of(&mut stale), ["<truncated>", "h", "a", "b", "c"]);
}

#[test]
fn reads_only_new_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.csv");
    let early = "early row\n".repeat(100);
    append(&path, early.as_bytes());
    let mut reader = TailReader::new(&path);
    assert_eq!(texts_of(&mut reader).len(), 100);
    // Scribble over bytes far before the offset, in place, leaving the last 64 alone. A
    // reader that re-read the file would see them; this one reads from its offset only.
    let file = OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all_at(b"EARLY", 0).unwrap();
    append(&path, b"late\n");
    assert_eq!(texts_of(&mut reader), ["late"]);
}
