//! A priest's ledger open for writing (`ledgers/<priest>.csv`): rows appended with one `write`
//! per step and synced before anything they allow is relayed (§2.3's indelible ink). Reading a
//! ledger is [`crate::books::ledger_read`]'s work.
//!
//! A ledger is never truncated or rewritten. It is opened without following symbolic links, and
//! every sync checks that the path still names the file the priest writes: a ledger deleted or
//! replaced under a sitting priest is noticed before his next message leaves, and he leaves the
//! Chamber, as a priest whose ledger is missing must not vote.
//!
//! He is also its only writer, so he knows its exact length: every sync checks that the file is
//! as long as what he wrote. Longer means a second writer (a second sitting as him on another
//! computer, where the lock did not reach, or a hand), shorter means rows he counted as his are
//! gone: either way the ledger is no longer his alone, so he relays nothing more and leaves,
//! refusing to vote ([`is_not_his`], exit 3) until a person has looked (`parliament audit`).
//! The check reads the size from the `stat` the in-place check makes anyway: it costs nothing.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::books::Roll;
use crate::books::ledger_read::torn_closure;
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::files::AppendFile;
use crate::priest::{LedgerBook, Record};

/// Syncs issued by every ledger of this process, for `bench`'s syncs per decree.
pub static SYNCS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A ledger open for appending.
pub struct LedgerFile {
    file: AppendFile,
    roll: Roll,
    buffer: String,
    identity: (u64, u64),
    /// The length the file has if he is its only writer.
    written: u64,
    /// The length it had when he last found it his alone: bytes another wrote come after it.
    verified: u64,
    /// Where the `at` column's time comes from (the wall clock, or the simulator's virtual time).
    pub clock: Box<dyn FnMut() -> DateTime<Utc> + Send>,
}

/// The error a sync returns when the ledger is no longer at its path.
#[derive(Debug)]
pub struct LedgerVanished(pub PathBuf);

impl std::fmt::Display for LedgerVanished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the ledger was deleted or replaced while its priest sat; what he wrote since is on no disk a reader sees, so he leaves the Chamber and must not vote",
            self.0.display()
        )
    }
}

impl std::error::Error for LedgerVanished {}

impl LedgerFile {
    /// Opens (creating with its header if new) a ledger for appending; closes off a torn last
    /// row first if `torn_at_end`.
    pub fn open(path: &Path, roll: &Roll, torn_at_end: bool) -> io::Result<LedgerFile> {
        let mut file = AppendFile::open_with_header(path, LEDGER_HEADER)?;
        if torn_at_end {
            let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            file.append_rows_synced(torn_closure(&now).as_bytes())?;
        }
        let held = std::fs::metadata(path)?;
        Ok(LedgerFile {
            file,
            roll: roll.clone(),
            buffer: String::new(),
            identity: (held.dev(), held.ino()),
            written: held.len(),
            verified: held.len(),
            clock: Box::new(Utc::now),
        })
    }

    /// Writes ballots with a roll grown by places seated since (§3.3.6).
    pub fn set_roll(&mut self, roll: &Roll) {
        self.roll = roll.clone();
    }

    /// Whether the path still names the file this ledger writes.
    fn in_place(&mut self) -> io::Result<()> {
        let path = self.file.path();
        match std::fs::symlink_metadata(path) {
            Ok(m) if (m.dev(), m.ino()) == self.identity && m.len() == self.written => {
                self.verified = self.written;
                Ok(())
            }
            Ok(m) if (m.dev(), m.ino()) == self.identity => Err(io::Error::other(LedgerNotHis {
                path: path.to_path_buf(),
                written: self.written,
                found: m.len(),
                from_line: line_after(path, self.verified),
            })),
            Ok(_) => Err(io::Error::other(LedgerVanished(path.to_path_buf()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(io::Error::other(LedgerVanished(path.to_path_buf())))
            }
            Err(e) => Err(e),
        }
    }
}

/// The error a sync returns when the ledger is not as long as what its priest wrote.
#[derive(Debug)]
pub struct LedgerNotHis {
    path: PathBuf,
    written: u64,
    found: u64,
    /// The line his ledger was last found his alone through (the rows after it are his last
    /// step's, which nothing was relayed for but a BeginBallot, and another's), if readable.
    from_line: Option<u64>,
}

/// The line of `path` that begins at byte `offset` (1 for the first).
fn line_after(path: &Path, offset: u64) -> Option<u64> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path).ok()?.take(offset).read_to_end(&mut head).ok()?;
    Some(head.iter().filter(|&&b| b == b'\n').count() as u64 + 1)
}

impl std::fmt::Display for LedgerNotHis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (p, w, n) = (self.path.display(), self.written, self.found);
        if n > w {
            let from = self.from_line.map_or(String::new(), |l| format!(" from line {l} on"));
            return write!(
                f,
                "{p} is {n} bytes long, but its priest wrote {w}: another process writes in it too (a second sitting as him on another computer, or a hand); a ledger that is not his alone cannot be trusted, so he relays nothing more, leaves the Chamber and refuses to vote. Run parliament audit before he sits again: among the rows{from}, those a hand wrote are not his memory and must go (by hand: the Chamber never rewrites a ledger), and those a second sitting wrote are promises he made and must stay"
            );
        }
        write!(
            f,
            "{p} is {n} bytes long, but its priest wrote {w}: rows he wrote are gone from it; a ledger that is not his alone cannot be trusted, so he relays nothing more, leaves the Chamber and refuses to vote (run parliament audit, then start him again on one computer)"
        )
    }
}

impl std::error::Error for LedgerNotHis {}

/// Whether an error from carrying out a step is a ledger written by someone else too.
pub fn is_not_his(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<LedgerNotHis>())
}

/// Whether an error from carrying out a step is a ledger that vanished under its priest.
pub fn is_vanished(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<LedgerVanished>())
}

impl LedgerBook for LedgerFile {
    type Error = io::Error;

    /// All of a step's rows in one `write`, so no other writer can come between them.
    fn append(&mut self, records: &[Record]) -> io::Result<()> {
        self.buffer.clear();
        let at = (self.clock)();
        for r in records {
            self.buffer.push_str(&ledger_row(&self.roll, at, r));
        }
        super::counters::count(&super::counters::ROWS, records.len() as u64);
        self.file.append_rows(self.buffer.as_bytes())?;
        self.written += self.buffer.len() as u64;
        Ok(())
    }

    /// Syncs, then checks the ledger is still where readers look, before anything is relayed.
    fn sync(&mut self) -> io::Result<()> {
        SYNCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let started = std::time::Instant::now();
        self.file.sync()?;
        super::counters::sync_took(started.elapsed().as_nanos() as u64);
        self.in_place()
    }

    /// No sync (only `Decree` rows were written), but the ledger must still be where readers
    /// look before anything is relayed.
    fn spare_sync(&mut self) -> io::Result<()> {
        super::counters::count(&super::counters::SYNCS_SPARED, 1);
        self.in_place()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::ledger_read::read_ledger;
    use crate::priest::{BallotNumber, PriestId};

    fn roll() -> Roll {
        Roll::new(crate::names::chamber_names(3)).unwrap()
    }

    #[test]
    fn rows_written_are_read_back_and_a_torn_row_is_voided_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Lynch.csv");
        let b = BallotNumber::new(1, PriestId(1));
        let mut ledger = LedgerFile::open(&path, &roll(), false).unwrap();
        ledger.append(&[Record::Tried { ballot: b }, Record::Promised { ballot: b }]).unwrap();
        ledger.sync().unwrap();
        drop(ledger);
        // A crash mid-write: half a row, no newline.
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        io::Write::write_all(&mut f, b"2026-11-23T00:00:00.000Z,Decree,,1,Lamps must").unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert!(read.rows.len() == 2 && read.torn_at_end && read.warnings.len() == 1);
        let mut ledger = LedgerFile::open(&path, &roll(), true).unwrap();
        ledger.append(&[Record::Promised { ballot: BallotNumber::new(2, PriestId(0)) }]).unwrap();
        let read = read_ledger(&path, &roll()).unwrap();
        assert_eq!(read.rows.len(), 3, "the torn row is void, the new one counts");
        assert!(!read.torn_at_end && read.warnings[0].contains("torn"), "{:?}", read.warnings);
    }

    #[test]
    fn a_ledger_deleted_under_its_priest_fails_his_next_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        let b = BallotNumber::new(1, PriestId(2));
        let mut ledger = LedgerFile::open(&path, &roll(), false).unwrap();
        ledger.append(&[Record::Promised { ballot: b }]).unwrap();
        ledger.sync().unwrap();
        std::fs::remove_file(&path).unwrap();
        ledger.append(&[Record::Tried { ballot: b }]).unwrap();
        let e = ledger.sync().unwrap_err();
        assert!(is_vanished(&e) && e.to_string().contains("must not vote"), "{e}");
        // Replaced by another file of the same name: the same.
        std::fs::write(&path, format!("{LEDGER_HEADER}\n")).unwrap();
        assert!(is_vanished(&ledger.sync().unwrap_err()));
    }

    /// A second writer (a second sitting on another computer, where `flock` did not reach) is
    /// seen at the first sync after his rows land: the step's messages are not relayed.
    #[test]
    fn a_second_writer_stops_the_priest_before_he_relays() {
        use crate::priest::{Envelope, Message, Messenger, Step, carry_out};
        #[derive(Default)]
        struct Relayed(usize);
        impl Messenger for Relayed {
            fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
                self.0 += envelopes.len();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        let mut ledger = LedgerFile::open(&path, &roll(), false).unwrap();
        let mut relayed = Relayed::default();
        let step = |n| {
            let ballot = BallotNumber::new(n, PriestId(2));
            let mut s = Step::default();
            s.records.push(Record::Tried { ballot });
            s.messages.push(Envelope {
                from: PriestId(2),
                to: PriestId(0),
                message: Message::NextBallot { ballot, decree_no: 0 },
            });
            s
        };
        carry_out(&mut step(1), &mut ledger, &mut relayed).unwrap();
        assert_eq!(relayed.0, 1);
        // The other sitting appends through its own handle.
        let mut other = crate::files::AppendFile::open(&path).unwrap();
        other.append_rows(b"2026-12-01T07:00:00.000Z,Tried,1.Oki,,,,,,,\n").unwrap();
        let e = carry_out(&mut step(2), &mut ledger, &mut relayed).unwrap_err();
        assert!(is_not_his(&e) && e.to_string().contains("another process writes in it too"), "{e}");
        assert!(e.to_string().contains("Oki.csv"), "names the file: {e}");
        assert!(e.to_string().contains("rows from line 3 on"), "names where the rows not his begin: {e}");
        assert_eq!(relayed.0, 1, "nothing the second step allows leaves");
    }

    #[test]
    fn a_ledger_that_is_a_symbolic_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.csv");
        std::fs::write(&outside, "").unwrap();
        let path = dir.path().join("Evil.csv");
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        let e = LedgerFile::open(&path, &roll(), false).err().expect("refused");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read(&outside).unwrap(), b"", "nothing written through the link");
    }
}
