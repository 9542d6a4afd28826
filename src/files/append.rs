//! An append-only file of lines: the one way this crate writes a ledger or a messagebook.
//!
//! Every batch of rows goes out in one `write_all` on a handle opened with `O_APPEND`, so the
//! kernel places it at the end of the file in one piece, even while other threads or processes
//! append to the same file through their own handles. Writing a row in several pieces
//! (`writeln!` straight onto a `File`) or seeking to the end and then writing tears or loses rows
//! with several writers (measured: `/work/shared/MEASURED.md`, point 7).
//!
//! # The 4 KiB caveat
//!
//! On Linux a single `write()` to a regular file holds the inode's lock for the whole call, so
//! our batches do not interleave with each other at any size we use. POSIX promises nothing of
//! the sort for regular files, though (its `PIPE_BUF` guarantee is for pipes), and other writers
//! are not as careful: a person's `echo` or a tool that buffers output may issue a long row as
//! several `write()`s, typically at 4 KiB boundaries, and those pieces can interleave with ours.
//! Keep rows well under 4 KiB. A short write (disk nearly full, a signal) makes `write_all`
//! finish with a second `write()`, and another writer's row could land between the two: that is
//! the one way our own rows could tear.
//!
//! # Durability
//!
//! [`AppendFile::append_rows`] only hands the bytes to the kernel; a reader (and a watcher) sees
//! them before they are durable. [`AppendFile::sync`] makes them durable with `fdatasync`, which
//! on an append costs the same as `fsync` since every append changes the size. Write a batch,
//! sync once: the sync dominates (about 0.2 ms here), not the number of rows.
//!
//! # Headers
//!
//! [`AppendFile::open_with_header`] writes a header line when the file is new or empty, holding an
//! `flock` on a sidecar lock file `.<name>.lock` next to it so that two of our processes opening
//! the same new file write one header between them. `flock` is advisory: only our own processes
//! take it, and a person's `echo >>` ignores it. It locks a separate file because a lock on the
//! data file itself would stay with the old inode after an editor's rename-over save.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file opened for appending lines, with one long-lived handle.
#[derive(Debug)]
pub struct AppendFile {
    file: File,
    path: PathBuf,
    /// The length the file had after our last append, to notice another writer's bytes.
    ours_end: Option<u64>,
}

impl AppendFile {
    /// Opens `path` for appending, creating it (empty) if it does not exist. The parent folder
    /// must exist.
    pub fn open(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = open_appending(&path)?;
        Ok(Self { file, path, ours_end: None })
    }

    /// Opens `path` for appending and, if the file is new or empty, writes `header_line` (a
    /// newline is added if it lacks one) and syncs it and the parent folder. Safe against our own
    /// processes doing the same at once: they serialise on an `flock` of `.<name>.lock` in the
    /// same folder, so exactly one header is written. An existing header is not checked.
    pub fn open_with_header(path: impl AsRef<Path>, header_line: &str) -> io::Result<Self> {
        let path = path.as_ref();
        // Only a new or empty file needs the lock: a process paused while holding it (SIGSTOP)
        // would otherwise block every other process opening the same file.
        let appender = Self::open(path)?;
        if !appender.is_empty()? {
            return Ok(appender);
        }
        drop(appender);
        let lock = File::create(lock_path(path)?)?;
        lock.lock()?;
        let mut appender = Self::open(path)?;
        if appender.is_empty()? {
            let mut header = header_line.as_bytes().to_vec();
            if header.last() != Some(&b'\n') {
                header.push(b'\n');
            }
            appender.append_rows_synced(&header)?;
            sync_parent_folder(path)?;
        }
        // Dropping `lock` closes it, which releases the flock.
        drop(lock);
        Ok(appender)
    }

    /// Appends `rows`, one or more complete lines each ending in `\n`, with a single `write_all`.
    /// Does not sync. Empty `rows` is a no-op; `rows` not ending in `\n` is refused
    /// (`InvalidInput`), since its last line would run into the next writer's row.
    pub fn append_rows(&mut self, rows: &[u8]) -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if rows.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: refusing to append rows that do not end in a newline", self.path.display()),
            ));
        }
        self.file.write_all(rows)
    }

    /// Appends `rows` as [`AppendFile::append_rows`] does, but never onto a line someone else
    /// left unfinished: if another writer's bytes end the file without a newline (a person who
    /// typed half a row into a page that is not his), a NUL byte and a newline come first. The
    /// NUL voids his half row for every reader (a row never holds one; it cannot be read as a
    /// shorter row that nobody meant), and ours stays whole. Costs one `fstat` per call, and one
    /// `pread` only when someone else wrote since our last append.
    pub fn append_rows_on_a_line_of_their_own(&mut self, rows: &[u8]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let len = self.len()?;
        let mut fresh = true;
        if len > 0 && self.ours_end != Some(len) {
            let mut last = [0u8];
            self.file.read_exact_at(&mut last, len - 1)?;
            fresh = last[0] == b'\n';
        }
        if fresh {
            self.append_rows(rows)?;
        } else {
            let mut with_newline = Vec::with_capacity(rows.len() + 2);
            with_newline.extend_from_slice(b"\0\n");
            with_newline.extend_from_slice(rows);
            self.append_rows(&with_newline)?;
        }
        self.ours_end = Some(len + rows.len() as u64 + 2 * u64::from(!fresh));
        Ok(())
    }

    /// Makes everything appended so far durable (`fdatasync`).
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.sync_data()
    }

    /// Appends `rows` as [`AppendFile::append_rows`] does, then syncs: when this returns `Ok` the
    /// rows are durable.
    pub fn append_rows_synced(&mut self, rows: &[u8]) -> io::Result<()> {
        self.append_rows(rows)?;
        self.sync()
    }

    /// Reopens the file if the path now names another file than the handle: after an editor's
    /// rename-over save, or after the file was deleted (it is created anew, empty). Without this
    /// a long-lived handle goes on appending to the old, unlinked file, where no reader looks.
    /// Returns whether it reopened.
    pub fn follow_replacement(&mut self) -> io::Result<bool> {
        use std::os::unix::fs::MetadataExt;
        let held = self.file.metadata()?;
        let same = match std::fs::metadata(&self.path) {
            Ok(now) => (now.dev(), now.ino()) == (held.dev(), held.ino()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        if !same {
            self.ours_end = None;
            self.file = open_appending(&self.path)?;
        }
        Ok(!same)
    }

    /// The file's length after our last append, if nobody else's bytes were noticed since.
    pub fn end(&self) -> Option<u64> {
        self.ours_end
    }

    /// The file's current length in bytes, including other writers' appends.
    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// True when the file holds no bytes at all.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The path this file was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Opens `path` for appending, creating it if missing, never through a symbolic link: a link
/// where a Chamber's file should be could carry our writes out of the Chamber's folder.
fn open_appending(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().read(true).append(true).create(true).custom_flags(libc::O_NOFOLLOW).open(path).map_err(
        |e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "{} is a symbolic link; a Chamber's files must be files of its own, not links",
                        path.display()
                    ),
                )
            } else {
                e
            }
        },
    )
}

/// The sidecar lock file for `path`: `.<name>.lock` in the same folder.
fn lock_path(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not a file path", path.display()))
    })?;
    let mut lock_name = std::ffi::OsString::from(".");
    lock_name.push(name);
    lock_name.push(".lock");
    Ok(path.with_file_name(lock_name))
}

/// Syncs the folder holding `path`, so that a newly created file's name survives a crash.
fn sync_parent_folder(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `parliament chaos`: a priest paused (SIGSTOP) while holding the header lock froze
    /// God, who was opening the same messagebook to hand it a petition.
    #[test]
    fn opening_a_file_that_has_its_header_ignores_a_lock_held_by_a_paused_process() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dwork.csv");
        drop(AppendFile::open_with_header(&path, "at,from").unwrap());
        let held = File::create(lock_path(&path).unwrap()).unwrap();
        held.lock().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || tx.send(AppendFile::open_with_header(&p, "at,from").is_ok()));
        let opened = rx.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(opened, Ok(true), "opening an existing file waited on the lock");
        drop(held);
    }

    #[test]
    fn a_handle_follows_a_rename_over_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.csv");
        let mut book = AppendFile::open(&path).unwrap();
        book.append_rows(b"old\n").unwrap();
        assert!(!book.follow_replacement().unwrap());
        std::fs::write(dir.path().join("swap"), "old\nedited\n").unwrap();
        std::fs::rename(dir.path().join("swap"), &path).unwrap();
        assert!(book.follow_replacement().unwrap());
        book.append_rows(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nedited\nnew\n");
    }
    use std::collections::HashSet;
    use std::sync::{Arc, Barrier};
    use std::thread;
    use std::time::Instant;

    #[test]
    fn concurrent_appenders_never_tear_a_row() {
        const THREADS: usize = 4;
        const ROWS: usize = 2000;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.csv");
        let barrier = Arc::new(Barrier::new(THREADS));
        let started = Instant::now();
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let path = path.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    // Each thread has its own handle, as another process would.
                    let mut book = AppendFile::open(&path).unwrap();
                    barrier.wait();
                    for r in 0..ROWS {
                        // Rows of varying length, some near 1 KiB, make tearing likelier.
                        let padding = "x".repeat((r * 37) % 1000);
                        let row = format!("{t},{r},{padding},end\n");
                        book.append_rows(row.as_bytes()).unwrap();
                    }
                    book.sync().unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let elapsed = started.elapsed();

        let text = std::fs::read_to_string(&path).unwrap();
        let mut seen = HashSet::new();
        for line in text.lines() {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 4, "torn row: {line:.80}");
            assert_eq!(fields[3], "end", "torn row: {line:.80}");
            let (t, r): (usize, usize) = (fields[0].parse().unwrap(), fields[1].parse().unwrap());
            assert_eq!(fields[2].len(), (r * 37) % 1000, "torn row: {line:.80}");
            assert!(seen.insert((t, r)), "row {t},{r} appears twice");
        }
        assert_eq!(seen.len(), THREADS * ROWS);
        assert!(text.ends_with('\n'));
        println!(
            "{THREADS} threads x {ROWS} rows: {} rows intact, {} bytes, {elapsed:?}",
            seen.len(),
            text.len()
        );
    }

    #[test]
    fn batch_of_rows_then_sync_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.csv");
        let mut ledger = AppendFile::open(&path).unwrap();
        assert!(ledger.is_empty().unwrap());
        ledger.append_rows_synced(b"a,1\nb,2\n").unwrap();
        ledger.append_rows(b"").unwrap();
        ledger.append_rows(b"c,3\n").unwrap();
        ledger.sync().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,1\nb,2\nc,3\n");
        assert_eq!(ledger.len().unwrap(), 12);
        assert_eq!(ledger.path(), path);
    }

    #[test]
    fn rows_without_final_newline_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.csv");
        let mut ledger = AppendFile::open(&path).unwrap();
        let err = ledger.append_rows(b"a,1\nb,2").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(ledger.is_empty().unwrap(), "nothing of a refused batch is written");
    }

    #[test]
    fn header_written_once_for_new_or_empty_file_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lynch.csv");
        AppendFile::open_with_header(&path, "kind,ballot").unwrap();
        let mut again = AppendFile::open_with_header(&path, "kind,ballot\n").unwrap();
        again.append_rows_synced(b"Voted,7\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "kind,ballot\nVoted,7\n");
        assert!(dir.path().join(".lynch.csv.lock").exists());

        // An existing but empty file gets its header too.
        let empty = dir.path().join("empty.csv");
        File::create(&empty).unwrap();
        AppendFile::open_with_header(&empty, "kind,ballot").unwrap();
        assert_eq!(std::fs::read_to_string(&empty).unwrap(), "kind,ballot\n");
    }

    #[test]
    fn concurrent_header_openers_write_one_header() {
        const OPENERS: usize = 8;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.csv");
        let barrier = Arc::new(Barrier::new(OPENERS));
        let handles: Vec<_> = (0..OPENERS)
            .map(|i| {
                let path = path.clone();
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    let mut book = AppendFile::open_with_header(&path, "h1,h2").unwrap();
                    book.append_rows_synced(format!("{i},row\n").as_bytes()).unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "h1,h2");
        assert_eq!(lines.iter().filter(|l| **l == "h1,h2").count(), 1);
        assert_eq!(lines.len(), OPENERS + 1);
    }

    #[test]
    fn lock_path_is_a_hidden_sidecar() {
        assert_eq!(lock_path(Path::new("ledgers/lynch.csv")).unwrap(), Path::new("ledgers/.lynch.csv.lock"));
        assert!(lock_path(Path::new("/")).is_err());
    }

    /// Found by a person typing a petition in two pieces while a messenger appended: the
    /// messenger's row was glued onto the half row and passed as a decree nobody asked for.
    #[test]
    fn a_row_is_never_appended_onto_a_line_a_person_has_not_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.csv");
        let mut ours = AppendFile::open(&path).unwrap();
        ours.append_rows_on_a_line_of_their_own(b"first\n").unwrap();
        let mut person = OpenOptions::new().append(true).open(&path).unwrap();
        person.write_all(b",Ann,Petition,Tor").unwrap();
        ours.append_rows_on_a_line_of_their_own(b"second\n").unwrap();
        ours.append_rows_on_a_line_of_their_own(b"third\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "first\n,Ann,Petition,Tor\0\nsecond\nthird\n", "the half row is void, ours whole");
    }
}
