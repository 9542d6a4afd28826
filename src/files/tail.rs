//! Following one file by path, like `tail -F`: each call returns the complete lines appended
//! since the last call, from a saved byte offset, reading only the new bytes.
//!
//! Events from a watcher are not rows (`/work/shared/MEASURED.md`, point 2): they merge, a reader
//! can see half a line, and truncation has no event of its own. So on every wake-up the caller
//! asks a [`TailReader`] for whatever is new, and the reader:
//!
//! - returns only complete lines, cut by a [`LineBuffer`] (which strips `\n`, a trailing `\r` and
//!   a byte-order mark at the start of the file); an incomplete last line is held until its
//!   newline arrives;
//! - keeps one long-lived read handle (reopening on every event makes notify report the open,
//!   which wakes the caller again: a loop, MEASURED.md point 4);
//! - compares the path's inode with the handle's on each call. A different inode means the file
//!   was replaced (an editor's rename-over save, or delete and re-create): the reader first reads
//!   what is left in the old file through the old handle, reports [`TailEvent::Replaced`], and
//!   reads the new file from its start. Holding the old handle also keeps its inode from being
//!   reused by the new file, so the comparison cannot be fooled that way;
//! - looks by path too: sshfs keeps a path's inode number across a rename-over made from another
//!   computer, and the old handle reads the old file for ever. When the path's size or mtime
//!   differs from the handle's, a fresh `open` of the path that is shorter than what was read
//!   (while the held file is not), or whose first bytes (up to 64) differ from the held file's,
//!   is a replacement too. Bytes rewritten in place are seen by both and are not;
//! - reports [`TailEvent::Truncated`] and re-reads from the start when the file is shorter than
//!   the offset already read, or when the last bytes read before that offset (up to 64) have
//!   changed: a truncate-and-rewrite in place, e.g. a shell's `>`, that grew past our offset.
//!   A rewrite that keeps those 64 bytes identical goes unnoticed.
//!
//! - reads nothing when the path's `stat` is the one it saw when it last read, if the file's
//!   change time was then already [`SETTLED`] old: every append, truncation and replacement
//!   changes the size, the inode or the change time, and a change made after a later tick of
//!   the file system's clock has a later change time. So a wake-up for another file costs one
//!   `stat` here. Whatever a clock between computers could hide is looked for at most
//!   [`STAMP_TRUSTED`] later.
//!
//! After `Replaced` or `Truncated` the caller sees rows it may have handled before; making that
//! harmless (deduplicating by content) is the caller's job. A missing file is not an error: the
//! reader returns nothing until it appears. When a path disappears, the reader keeps the old
//! handle and reads what is appended through it until a new file appears at the path.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::lines::{Line, LineBuffer, LinePosition};

/// How many of the last bytes read are kept to notice a file rewritten in place.
const RECENT_BYTES_MAX: usize = 64;

/// How long a path's unchanged `stat` is trusted to mean nothing changed.
pub const STAMP_TRUSTED: Duration = Duration::from_millis(250);

/// How old a file's change time must be for a later change to be sure of a later one: above
/// the file system clock's tick (a jiffy, at most 10 ms).
pub const SETTLED: Duration = Duration::from_millis(20);

/// As [`SETTLED`], on a file system that counts whole seconds (sshfs), with clocks a little apart.
pub const SETTLED_COARSE: Duration = Duration::from_secs(2);

/// The bytes read at most in one `read` (a busy file's new bytes come in few reads).
const CHUNK: usize = 64 * 1024;

/// What a path's `stat` says of the file there: identity, size, modification and change times.
type Stamp = (u64, u64, u64, i64, i64, i64, i64);

fn stamp(m: &fs::Metadata) -> Stamp {
    (m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec())
}

/// Whether the file's (or folder's) last change is [`SETTLED`] old by this computer's clock
/// ([`SETTLED_COARSE`] if its times are whole seconds): any change from now on is sure to
/// change its change time. A time ahead of this clock is not settled.
pub fn settled(m: &fs::Metadata) -> bool {
    let (secs, nanos) = (m.ctime().max(0) as u64, m.ctime_nsec().clamp(0, 999_999_999) as u32);
    let grain = if nanos == 0 { SETTLED_COARSE } else { SETTLED };
    (std::time::UNIX_EPOCH + Duration::new(secs, nanos)).elapsed().is_ok_and(|age| age > grain)
}

/// What a call to [`TailReader::read_new_lines`] found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailEvent {
    /// A complete line.
    Line(Line),
    /// The path now names a different file (rename-over save, or delete and re-create). Lines
    /// before this event came from the old file, lines after it from the start of the new one.
    /// An incomplete last line of the old file is dropped.
    Replaced,
    /// The file was truncated or rewritten in place; the lines after this event are read again
    /// from the start of the file.
    Truncated,
}

/// A [`TailEvent`] handed to [`TailReader::read_new_each`], its line borrowed, not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TailItem<'a> {
    /// A complete line: its 1-based number, byte offset and text (as [`Line`]).
    Line {
        /// 1-based line number in the file.
        number: u64,
        /// Byte offset of the line's first byte.
        offset: u64,
        /// The line without its `\n`, trailing `\r` or byte-order mark.
        text: &'a str,
    },
    /// As [`TailEvent::Replaced`].
    Replaced,
    /// As [`TailEvent::Truncated`].
    Truncated,
}

impl TailItem<'_> {
    /// The event, its line copied.
    pub fn to_event(self) -> TailEvent {
        match self {
            TailItem::Line { number, offset, text } => {
                TailEvent::Line(Line { number, offset, text: text.to_string() })
            }
            TailItem::Replaced => TailEvent::Replaced,
            TailItem::Truncated => TailEvent::Truncated,
        }
    }
}

/// The open file, with the identity it had when opened.
#[derive(Debug)]
struct OpenFile {
    file: File,
    dev: u64,
    ino: u64,
}

/// Follows one file by path, returning complete new lines on each call.
#[derive(Debug)]
pub struct TailReader {
    path: PathBuf,
    open: Option<OpenFile>,
    lines: LineBuffer,
    /// The last bytes read (up to [`RECENT_BYTES_MAX`]), ending at the read position.
    recent: Vec<u8>,
    /// Pretends every file has the same inode, as sshfs may: for tests of the by-path check.
    inode_blind: bool,
    /// The path's stat when it was last read through, and when.
    seen: Option<(Stamp, Instant)>,
    /// Where reads land, kept between calls.
    chunk: Vec<u8>,
}

impl TailReader {
    /// A reader of `path` from its start. The file need not exist yet.
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self::resume(path, LinePosition::default())
    }

    /// A reader of `path` that continues from `position`, saved earlier from
    /// [`TailReader::position`]. If the file turns out shorter than `position.offset`, the first
    /// call reports [`TailEvent::Truncated`] and reads from the start.
    pub fn resume(path: impl AsRef<Path>, position: LinePosition) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            open: None,
            lines: LineBuffer::new(position),
            recent: Vec::new(),
            inode_blind: false,
            seen: None,
            chunk: Vec::new(),
        }
    }

    /// The followed path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How far the reader has read, counting complete lines only.
    pub fn position(&self) -> LinePosition {
        self.lines.position()
    }

    /// How many bytes of an incomplete last line are held, waiting for their newline.
    pub fn pending_bytes(&self) -> usize {
        self.lines.pending_bytes()
    }

    /// Returns the complete lines appended since the last call, with a [`TailEvent::Replaced`] or
    /// [`TailEvent::Truncated`] among them when the file was replaced or rewritten. Reads only
    /// the bytes not read before (plus up to 64 to check for a rewrite). Returns nothing while
    /// the file does not exist.
    pub fn read_new_lines(&mut self) -> io::Result<Vec<TailEvent>> {
        let mut events = Vec::new();
        self.read_new_each(|item| events.push(item.to_event()))?;
        Ok(events)
    }

    /// As [`TailReader::read_new_lines`], handing each event to `each` as it is read, its line
    /// borrowed: for a reader that keeps few of the lines it reads.
    pub fn read_new_each(&mut self, mut each: impl FnMut(TailItem<'_>)) -> io::Result<()> {
        let on_disk = match fs::metadata(&self.path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let now = on_disk.as_ref().filter(|m| settled(m)).map(|m| (stamp(m), Instant::now()));
        if let (Some((was, at)), Some((is, t))) = (self.seen, now)
            && was == is
            && t.duration_since(at) < STAMP_TRUSTED
            && self.open.is_some()
        {
            return Ok(());
        }
        self.seen = None;
        let replaced = match (&self.open, &on_disk) {
            (None, None) => return Ok(()),
            (None, Some(_)) => {
                if !self.open_path()? {
                    return Ok(());
                }
                None
            }
            (Some(open), Some(meta))
                if (open.dev, open.ino) != (meta.dev(), meta.ino()) && !self.inode_blind =>
            {
                Some(None)
            }
            (Some(_), Some(meta)) => self.replaced_by_path(meta)?.map(Some),
            // The path is gone: keep reading through the handle we hold.
            (Some(_), None) => None,
        };
        if let Some(fresh) = replaced {
            // Finish the old file first: rows appended just before the replacement count.
            self.read_to_end(&mut each)?;
            each(TailItem::Replaced);
            self.restart();
            self.open = None;
            match fresh {
                Some(open) => self.open = Some(open),
                None if !self.open_path()? => return Ok(()),
                None => {}
            }
        }
        if self.was_truncated_or_rewritten()? {
            each(TailItem::Truncated);
            self.restart();
        }
        self.read_to_end(&mut each)?;
        if self.open.is_some() {
            self.seen = now;
        }
        Ok(())
    }

    /// The file at the path, opened afresh, when it is not the one the held handle reads though
    /// its inode says it is (sshfs keeps the inode number across a rename-over from another
    /// computer, and the old handle reads the old file for ever). Looked at only when the path's
    /// size or modification time differs from the handle's: then a fresh open that is shorter
    /// than what was read (while the handle's file is not), or whose first bytes differ from the
    /// handle's, is another file.
    fn replaced_by_path(&self, by_path: &fs::Metadata) -> io::Result<Option<OpenFile>> {
        let Some(open) = &self.open else { return Ok(None) };
        let held = open.file.metadata()?;
        let stamp = |m: &fs::Metadata| (m.len(), m.mtime(), m.mtime_nsec());
        if stamp(&held) == stamp(by_path) {
            return Ok(None);
        }
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let fresh = file.metadata()?;
        let offset = self.lines.stream_offset();
        let shorter = fresh.len() < offset && held.len() >= offset;
        let n = fresh.len().min(held.len()).min(RECENT_BYTES_MAX as u64) as usize;
        let (mut a, mut b) = (vec![0; n], vec![0; n]);
        let differ =
            file.read_exact_at(&mut a, 0).is_ok() && open.file.read_exact_at(&mut b, 0).is_ok() && a != b;
        Ok((shorter || differ).then(|| OpenFile { dev: fresh.dev(), ino: fresh.ino(), file }))
    }

    /// Opens the path and records its identity. Returns false if it vanished in the meantime.
    fn open_path(&mut self) -> io::Result<bool> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        // The handle's own identity, not the path's: the path may have changed since.
        let meta = file.metadata()?;
        self.open = Some(OpenFile { file, dev: meta.dev(), ino: meta.ino() });
        Ok(true)
    }

    /// Forgets everything read, to read the file again from its start.
    fn restart(&mut self) {
        self.lines.reset();
        self.recent.clear();
    }

    /// True when the open file is shorter than what was read, or the last bytes read changed.
    fn was_truncated_or_rewritten(&self) -> io::Result<bool> {
        let Some(open) = &self.open else {
            return Ok(false);
        };
        let read_offset = self.lines.stream_offset();
        if open.file.metadata()?.len() < read_offset {
            return Ok(true);
        }
        if self.recent.is_empty() {
            return Ok(false);
        }
        let mut now = vec![0; self.recent.len()];
        let start = read_offset - self.recent.len() as u64;
        match open.file.read_exact_at(&mut now, start) {
            Ok(()) => Ok(now != self.recent),
            // Shrank between the length check and the read.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Reads from the read offset to the end of the open file, handing on each complete line.
    fn read_to_end(&mut self, each: &mut impl FnMut(TailItem<'_>)) -> io::Result<()> {
        let Some(open) = &self.open else {
            return Ok(());
        };
        if self.chunk.len() < CHUNK {
            self.chunk = vec![0; CHUNK];
        }
        let chunk = &mut self.chunk;
        loop {
            let n = match open.file.read_at(chunk, self.lines.stream_offset()) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            remember_recent(&mut self.recent, &chunk[..n]);
            self.lines
                .push_each(&chunk[..n], |number, offset, text| each(TailItem::Line { number, offset, text }));
        }
    }
}

/// Appends `bytes` to `recent`, keeping only the last [`RECENT_BYTES_MAX`] bytes.
fn remember_recent(recent: &mut Vec<u8>, bytes: &[u8]) {
    let tail = &bytes[bytes.len().saturating_sub(RECENT_BYTES_MAX)..];
    recent.extend_from_slice(tail);
    let excess = recent.len().saturating_sub(RECENT_BYTES_MAX);
    recent.drain(..excess);
}

#[cfg(test)]
mod tests;
