//! Waking without notifications: on a network folder (sshfs, NFS, SMB) inotify never hears what
//! another computer writes, so a priest there looks at his messagebook's pages himself, every
//! tick, instead of waiting to be told (§1: the priests are not in one room; the Chamber's
//! folder is the only thing they share).
//!
//! [`FolderPoller`] looks at the files in its folders at each interval and wakes its caller when
//! one appeared, went, or changed its size, modification time (to the nanosecond) or inode; the
//! caller then reads the new rows from the handles it holds ([`super::tail`]), as after a
//! notification. notify's own `PollWatcher` compares mtimes in whole seconds and ignores sizes, so
//! it missed most appends made 100 ms apart; this one compares both. Files whose names start with
//! `.` (a reader's saved positions, a priest's sitting lock) wake nobody: they are the reader's
//! own.
//!
//! [`WakeSource`] is the one interface the Chamber waits on: inotify ([`super::FolderWatcher`])
//! on a local folder, polling on a network one ([`choose`]) or when asked (`--poll`).

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::mount;
use super::watch::{FolderWatcher, Wakeups};

/// The environment variable that asks for polling in this process and the priests it starts
/// (`--poll` on `convene` sets it).
pub const POLL_VAR: &str = "PARLIAMENT_POLL";

/// What was seen of one file: size, modification time in nanoseconds, inode.
type Seen = (u64, i128, u64);

/// Looks at the files in a set of folders at each interval.
#[derive(Debug)]
pub struct FolderPoller {
    interval: Duration,
    folders: Vec<PathBuf>,
    seen: BTreeMap<PathBuf, Seen>,
    next: Instant,
}

impl FolderPoller {
    /// A poller looking every `interval`, with no folders yet.
    pub fn new(interval: Duration) -> FolderPoller {
        FolderPoller { interval, folders: Vec::new(), seen: BTreeMap::new(), next: Instant::now() }
    }

    /// Starts looking at the files directly inside `folder`, which must exist. What is there now
    /// is taken as already seen.
    pub fn watch_folder(&mut self, folder: impl AsRef<Path>) -> io::Result<()> {
        let folder = folder.as_ref().to_path_buf();
        std::fs::metadata(&folder)?;
        for (path, seen) in look(&folder) {
            self.seen.insert(path, seen);
        }
        self.folders.push(folder);
        Ok(())
    }

    /// Looks once: every file that appeared, went or changed since the last look.
    pub fn scan(&mut self) -> Wakeups {
        let mut wakeups = Wakeups::default();
        for folder in &self.folders {
            let now: BTreeMap<PathBuf, Seen> = look(folder).into_iter().collect();
            let gone: Vec<PathBuf> = self
                .seen
                .keys()
                .filter(|p| p.parent() == Some(folder) && !now.contains_key(*p))
                .cloned()
                .collect();
            for path in gone {
                self.seen.remove(&path);
                wakeups.paths.insert(path);
            }
            for (path, seen) in now {
                if self.seen.insert(path.clone(), seen) != Some(seen) {
                    wakeups.paths.insert(path);
                }
            }
        }
        wakeups
    }

    /// Waits until the next look is due, or `timeout` if sooner, then looks if due. An empty set
    /// means nothing changed.
    pub fn wait(&mut self, timeout: Duration) -> Wakeups {
        let now = Instant::now();
        if self.next > now {
            std::thread::sleep((self.next - now).min(timeout));
        }
        if Instant::now() < self.next {
            return Wakeups::default();
        }
        self.next = Instant::now() + self.interval;
        self.scan()
    }
}

/// The files directly in `folder` (not starting with `.`), as they are now. A folder that cannot
/// be listed holds nothing this time.
fn look(folder: &Path) -> Vec<(PathBuf, Seen)> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
        .filter_map(|e| {
            let path = e.path();
            let m = std::fs::metadata(&path).ok()?;
            m.is_file().then(|| {
                let mtime = i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec());
                (path, (m.len(), mtime, m.ino()))
            })
        })
        .collect()
}

/// Why the Chamber in `dir` is polled rather than notified, if it is: asked for (`forced`, or
/// [`POLL_VAR`] set), or a network mount.
pub fn choose(dir: &Path, forced: bool) -> Option<String> {
    if forced || std::env::var_os(POLL_VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        return Some("polling asked for (--poll)".to_string());
    }
    mount::network(dir).map(|n| format!("{} is on {n}", dir.display()))
}

/// How often a priest with ticks of `tick` looks at his pages.
pub fn interval_for(tick: Duration) -> Duration {
    tick.clamp(Duration::from_millis(5), Duration::from_millis(250))
}

/// What the Chamber waits on for wake-ups: notifications, or looking itself.
#[derive(Debug)]
pub enum WakeSource {
    /// inotify, through one notify watcher.
    Notify(FolderWatcher),
    /// Looking at the files every interval.
    Poll(FolderPoller),
}

impl WakeSource {
    /// Notifications, or polling every `poll` if given.
    pub fn new(poll: Option<Duration>) -> io::Result<WakeSource> {
        match poll {
            Some(interval) => Ok(WakeSource::Poll(FolderPoller::new(interval))),
            None => FolderWatcher::new().map(WakeSource::Notify).map_err(io::Error::other),
        }
    }

    /// Starts watching the files directly inside `folder`.
    pub fn watch_folder(&mut self, folder: impl AsRef<Path>) -> io::Result<()> {
        match self {
            WakeSource::Notify(w) => w.watch_folder(folder).map_err(io::Error::other),
            WakeSource::Poll(p) => p.watch_folder(folder),
        }
    }

    /// Waits up to `timeout` for wake-ups, collapsed into one set (empty: nothing changed).
    pub fn wait(&mut self, timeout: Duration) -> Result<Wakeups, mpsc::RecvError> {
        match self {
            WakeSource::Notify(w) => w.wait(timeout),
            WakeSource::Poll(p) => Ok(p.wait(timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new().append(true).create(true).open(path).unwrap();
        f.write_all(bytes).unwrap();
    }

    #[test]
    fn appends_within_the_same_second_each_wake_the_poller() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("Toueg.csv");
        append(&page, b"header\n");
        let mut poller = FolderPoller::new(Duration::from_millis(1));
        poller.watch_folder(dir.path()).unwrap();
        assert_eq!(poller.scan(), Wakeups::default(), "what was there at the start is seen");
        // Ten appends in a row, each well within one second of the last: whole-second mtimes
        // would miss most of them, sizes do not.
        for i in 0..10 {
            append(&page, format!("row {i}\n").as_bytes());
            assert!(poller.scan().paths.contains(&page), "append {i} unheard");
            assert_eq!(poller.scan(), Wakeups::default(), "nothing new after append {i}");
        }
    }

    #[test]
    fn new_replaced_and_removed_pages_wake_and_hidden_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut poller = FolderPoller::new(Duration::from_millis(1));
        poller.watch_folder(dir.path()).unwrap();
        let page = dir.path().join("Ann.csv");
        append(&page, b"h\n");
        assert!(poller.scan().paths.contains(&page), "a new page");
        // A rename-over save of the same size: the inode (or mtime) tells.
        std::fs::write(dir.path().join("tmp"), b"x\n").unwrap();
        let _ = poller.scan();
        std::fs::rename(dir.path().join("tmp"), &page).unwrap();
        assert!(poller.scan().paths.contains(&page), "a page saved over");
        append(&dir.path().join(".Ann.csv.read"), b"12,1\n");
        assert_eq!(poller.scan(), Wakeups::default(), "a saved position is the reader's own");
        std::fs::remove_file(&page).unwrap();
        assert!(poller.scan().paths.contains(&page), "a page removed");
    }

    #[test]
    fn wait_looks_no_more_often_than_its_interval() {
        let dir = tempfile::tempdir().unwrap();
        let mut poller = FolderPoller::new(Duration::from_secs(3600));
        poller.watch_folder(dir.path()).unwrap();
        let _ = poller.wait(Duration::ZERO);
        append(&dir.path().join("Oki.csv"), b"h\n");
        assert_eq!(poller.wait(Duration::from_millis(1)), Wakeups::default(), "not due for an hour");
        let mut quick = WakeSource::new(Some(Duration::from_millis(1))).unwrap();
        quick.watch_folder(dir.path()).unwrap();
        append(&dir.path().join("Oki.csv"), b"r\n");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !quick.wait(Duration::from_millis(10)).unwrap().paths.contains(&dir.path().join("Oki.csv")) {
            assert!(Instant::now() < deadline, "the append was never seen");
        }
    }

    #[test]
    fn polling_is_chosen_when_asked_and_not_on_a_local_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(choose(dir.path(), true).unwrap().contains("--poll"));
        if std::env::var_os(POLL_VAR).is_none() {
            assert_eq!(choose(dir.path(), false), None, "a local folder is notified");
        }
    }
}
