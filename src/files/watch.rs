//! Waking when files change: one `notify` watcher per process, watching whole folders.
//!
//! The measured traps (`/work/shared/MEASURED.md`) decide the shape:
//!
//! - **Watch folders, not files** (point 3). After an editor's rename-over save, a watch on the
//!   file itself hears `Remove` and then nothing, forever. A folder watch hears every file in it
//!   being created, written, renamed and removed.
//! - **Ignore access events** (point 4). notify 8 reports opens and closes; a caller that reopens
//!   a file on each event would wake itself forever. Only creation, modification (data, name,
//!   metadata), removal and rescans wake the caller. Reading a file wakes nobody.
//! - **Keep the handler trivial** (point 5). It turns each event into [`Wake`]s and hands them
//!   to a bounded channel; the caller does the reading on its own thread. When the kernel's queue
//!   overflows notify sends one event with the `Rescan` flag and no paths, and the rest are lost;
//!   when our own channel is full we do the same. Both reach the caller as [`Wake::Rescan`]:
//!   re-read every file.
//! - **One watcher per process** (point 6): inotify instances are limited to 128 per user, shared
//!   by every process and every test running in parallel.
//!
//! A wake-up says only "look again": events merge and a write is heard before it is synced, so
//! the caller reads each file to its end from a saved offset ([`crate::files::tail`]). Paths in
//! wake-ups are absolute: notify joins a relative folder onto the current directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::time::Duration;

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How many wake-ups may wait in the channel before the next ones collapse into one
/// [`Wake::Rescan`]; the same as the kernel's default inotify queue.
const WAKES_MAX: usize = 16_384;

/// A reason to look at the files again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Wake {
    /// Something happened at this path: a file in a watched folder, or the folder itself.
    Path(PathBuf),
    /// Notifications were lost (a queue overflowed, or the watcher reported an error):
    /// re-read every file.
    Rescan,
}

/// Wake-ups collapsed into one set: what changed since the caller last looked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wakeups {
    /// True when every file should be re-read.
    pub rescan: bool,
    /// The paths that changed, each once.
    pub paths: BTreeSet<PathBuf>,
}

impl Wakeups {
    /// Adds one wake-up to the set.
    pub fn add(&mut self, wake: Wake) {
        match wake {
            Wake::Path(path) => {
                self.paths.insert(path);
            }
            Wake::Rescan => self.rescan = true,
        }
    }

    /// True when `path` should be read again: it changed, or everything should be re-read.
    pub fn touches(&self, path: &Path) -> bool {
        self.rescan || self.paths.contains(path)
    }
}

/// One filesystem watcher for the process, watching a set of folders (not recursively) and
/// handing wake-ups to whoever calls [`FolderWatcher::recv_timeout`] or [`FolderWatcher::wait`].
pub struct FolderWatcher {
    watcher: RecommendedWatcher,
    wakes: Receiver<Wake>,
    overflowed: Arc<AtomicBool>,
    folders: Vec<PathBuf>,
    /// The folders are not watched for now ([`FolderWatcher::go_deaf`]); they stay listed.
    deaf: bool,
}

impl std::fmt::Debug for FolderWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatcher").field("folders", &self.folders).finish_non_exhaustive()
    }
}

impl FolderWatcher {
    /// Starts a watcher with no folders yet. Uses one inotify instance and one thread.
    pub fn new() -> notify::Result<Self> {
        let (sender, wakes) = mpsc::sync_channel(WAKES_MAX);
        let overflowed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&overflowed);
        let watcher = notify::recommended_watcher(move |event| forward(&sender, &flag, event))?;
        Ok(Self { watcher, wakes, overflowed, folders: Vec::new(), deaf: false })
    }

    /// Starts watching the files directly inside `folder`, which must exist (while deaf, from
    /// the next [`FolderWatcher::hear`]).
    pub fn watch_folder(&mut self, folder: impl AsRef<Path>) -> notify::Result<()> {
        let folder = folder.as_ref();
        if !self.deaf {
            self.watcher.watch(folder, RecursiveMode::NonRecursive)?;
        }
        self.folders.push(folder.to_path_buf());
        Ok(())
    }

    /// Stops watching every folder until [`FolderWatcher::hear`], for a caller that reads the
    /// files on a clock anyway while they change faster than it looks at them. Every write into
    /// a watched folder costs its writer a kernel event and often wakes notify's thread; a
    /// Chamber writing thousands of rows a second pays that for wake-ups that only repeat "look
    /// again". Wake-ups already waiting are dropped.
    pub fn go_deaf(&mut self) {
        if self.deaf {
            return;
        }
        for folder in &self.folders {
            let _ = self.watcher.unwatch(folder);
        }
        self.deaf = true;
        let _ = self.drain();
    }

    /// Watches every listed folder again after [`FolderWatcher::go_deaf`]. What changed while
    /// deaf woke nobody: the caller should look at every file once more. A folder that cannot be
    /// watched (removed meanwhile) is skipped, as [`FolderWatcher::watch_folder`] would refuse it.
    pub fn hear(&mut self) {
        if !self.deaf {
            return;
        }
        for folder in &self.folders {
            let _ = self.watcher.watch(folder, RecursiveMode::NonRecursive);
        }
        self.deaf = false;
    }

    /// Whether the folders are unwatched for now ([`FolderWatcher::go_deaf`]).
    pub fn is_deaf(&self) -> bool {
        self.deaf
    }

    /// The folders being watched, as given to [`FolderWatcher::watch_folder`].
    pub fn folders(&self) -> &[PathBuf] {
        &self.folders
    }

    /// Waits up to `timeout` for the next wake-up. `Err(Timeout)` when none came;
    /// `Err(Disconnected)` only if notify's thread has stopped.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Wake, RecvTimeoutError> {
        if self.overflowed.swap(false, Ordering::AcqRel) {
            return Ok(Wake::Rescan);
        }
        self.wakes.recv_timeout(timeout)
    }

    /// The next wake-up if one is waiting, without blocking.
    pub fn try_recv(&self) -> Result<Wake, TryRecvError> {
        if self.overflowed.swap(false, Ordering::AcqRel) {
            return Ok(Wake::Rescan);
        }
        self.wakes.try_recv()
    }

    /// Every wake-up waiting now, collapsed into one set, without blocking.
    pub fn drain(&self) -> Wakeups {
        let mut wakeups = Wakeups::default();
        while let Ok(wake) = self.try_recv() {
            wakeups.add(wake);
        }
        wakeups
    }

    /// Waits up to `timeout` for a wake-up, then takes every other one already waiting, collapsed
    /// into one set. An empty set means the timeout passed quietly.
    pub fn wait(&self, timeout: Duration) -> Result<Wakeups, mpsc::RecvError> {
        match self.recv_timeout(timeout) {
            Ok(first) => {
                let mut wakeups = self.drain();
                wakeups.add(first);
                Ok(wakeups)
            }
            Err(RecvTimeoutError::Timeout) => Ok(Wakeups::default()),
            Err(RecvTimeoutError::Disconnected) => Err(mpsc::RecvError),
        }
    }
}

/// The whole event handler, run on notify's thread: turn the event into wake-ups and pass them
/// on without blocking. If the channel is full, raise `overflowed` so the receiver rescans.
fn forward(sender: &SyncSender<Wake>, overflowed: &AtomicBool, event: notify::Result<Event>) {
    for wake in wakes_for(event) {
        match sender.try_send(wake) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => overflowed.store(true, Ordering::Release),
        }
    }
}

/// The wake-ups one notify event calls for: none for an access (open, read, close), a rescan
/// for a lost-events notice, an error, or an event without paths, and its paths otherwise.
fn wakes_for(event: notify::Result<Event>) -> Vec<Wake> {
    let Ok(event) = event else {
        return vec![Wake::Rescan];
    };
    if event.need_rescan() {
        return vec![Wake::Rescan];
    }
    if matches!(event.kind, EventKind::Access(_)) {
        return Vec::new();
    }
    if event.paths.is_empty() {
        return vec![Wake::Rescan];
    }
    event.paths.into_iter().map(Wake::Path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, Flag, ModifyKind};
    use std::fs::{self, OpenOptions};
    use std::io::Write;
    use std::time::Instant;

    /// How long a test waits for a wake-up before failing; far above the ~40 µs measured p99.
    const DEADLINE: Duration = Duration::from_secs(2);

    /// Receives wake-ups until one for `path` arrives, failing after [`DEADLINE`]. Returns how
    /// long that took and the wake-ups that came before it.
    fn wait_for_path(watcher: &FolderWatcher, path: &Path) -> (Duration, Vec<Wake>) {
        let started = Instant::now();
        let mut before = Vec::new();
        loop {
            let left = DEADLINE.checked_sub(started.elapsed()).unwrap_or_default();
            match watcher.recv_timeout(left) {
                Ok(Wake::Path(p)) if p == path => return (started.elapsed(), before),
                Ok(other) => before.push(other),
                Err(e) => panic!("no wake-up for {} within {DEADLINE:?}: {e}", path.display()),
            }
        }
    }

    /// Creates the empty file `marker` and waits for its wake-up, so that every event before it
    /// is consumed: inotify delivers events in order. Creating an empty file makes one event that
    /// is not an access (`Create`), so nothing of the marker is left waiting either.
    fn settle(watcher: &FolderWatcher, marker: &Path) -> Vec<Wake> {
        fs::File::create(marker).unwrap();
        wait_for_path(watcher, marker).1
    }

    fn append(path: &Path, bytes: &[u8]) {
        let mut file = OpenOptions::new().append(true).create(true).open(path).unwrap();
        file.write_all(bytes).unwrap();
    }

    #[test]
    fn appends_in_a_watched_folder_wake_the_receiver() {
        const ROUNDS: usize = 50;
        let dir = tempfile::tempdir().unwrap();
        let books: Vec<PathBuf> = (0..ROUNDS).map(|i| dir.path().join(format!("{i}.csv"))).collect();
        for book in &books {
            fs::write(book, "kind,ballot\n").unwrap();
        }
        let mut watcher = FolderWatcher::new().unwrap();
        watcher.watch_folder(dir.path()).unwrap();
        assert_eq!(watcher.folders(), [dir.path()]);
        settle(&watcher, &dir.path().join("start.marker"));

        let mut latencies = Vec::with_capacity(ROUNDS);
        for book in &books {
            let started = Instant::now();
            append(book, b"Voted,7\n");
            wait_for_path(&watcher, book);
            latencies.push(started.elapsed());
        }
        latencies.sort();
        println!(
            "append -> wake-up over {ROUNDS} rounds: p50 {:?}, p90 {:?}, max {:?}",
            latencies[ROUNDS / 2],
            latencies[ROUNDS * 9 / 10],
            latencies[ROUNDS - 1]
        );
    }

    #[test]
    fn a_deaf_watcher_hears_nothing_and_hears_again_after_hear() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("lynch.csv");
        let mut watcher = FolderWatcher::new().unwrap();
        watcher.watch_folder(dir.path()).unwrap();
        settle(&watcher, &dir.path().join("start.marker"));
        watcher.go_deaf();
        assert!(watcher.is_deaf());
        append(&book, b"Voted,7\n");
        // inotify delivers in order: once the watcher hears again, a marker's wake-up comes after
        // any wake-up the deaf append could have made, so none in between means none was made.
        watcher.hear();
        let before = settle(&watcher, &dir.path().join("after.marker"));
        assert!(!before.contains(&Wake::Path(book.clone())), "a deaf watcher heard {before:?}");
        append(&book, b"Voted,8\n");
        wait_for_path(&watcher, &book);
        assert_eq!(watcher.folders(), [dir.path()], "deaf or not, the folders stay listed");
    }

    #[test]
    fn rename_over_wakes_for_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("lynch.csv");
        fs::write(&book, "kind,ballot\n").unwrap();
        let mut watcher = FolderWatcher::new().unwrap();
        watcher.watch_folder(dir.path()).unwrap();
        settle(&watcher, &dir.path().join("start.marker"));

        let swap = dir.path().join(".lynch.csv.swp");
        fs::write(&swap, "kind,ballot\nedited\n").unwrap();
        let started = Instant::now();
        fs::rename(&swap, &book).unwrap();
        wait_for_path(&watcher, &book);
        println!("rename-over -> wake-up for the target: {:?}", started.elapsed());
    }

    #[test]
    fn reading_a_file_wakes_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book.csv");
        fs::write(&book, "kind,ballot\nVoted,7\n").unwrap();
        let mut watcher = FolderWatcher::new().unwrap();
        watcher.watch_folder(dir.path()).unwrap();
        settle(&watcher, &dir.path().join("start.marker"));

        for _ in 0..10 {
            assert_eq!(fs::read_to_string(&book).unwrap().lines().count(), 2);
        }
        let before = settle(&watcher, &dir.path().join("end.marker"));
        assert!(!before.contains(&Wake::Path(book.clone())), "reading woke the watcher: {before:?}");
    }

    #[test]
    fn wait_collapses_wakeups_and_times_out_quietly() {
        let dir = tempfile::tempdir().unwrap();
        let mut watcher = FolderWatcher::new().unwrap();
        watcher.watch_folder(dir.path()).unwrap();
        let book = dir.path().join("book.csv");
        for _ in 0..20 {
            append(&book, b"row\n");
        }
        wait_for_path(&watcher, &book);
        let marker = dir.path().join("end.marker");
        settle(&watcher, &marker);
        assert_eq!(watcher.wait(Duration::ZERO).unwrap(), Wakeups::default());

        append(&book, b"row\n");
        append(&book, b"row\n");
        let started = Instant::now();
        let mut wakeups = Wakeups::default();
        while !wakeups.touches(&book) {
            assert!(started.elapsed() < DEADLINE, "no wake-up for the book");
            let got = watcher.wait(DEADLINE).unwrap();
            wakeups.paths.extend(got.paths);
            wakeups.rescan |= got.rescan;
        }
        assert!(!wakeups.rescan);
    }

    #[test]
    fn access_events_are_filtered_and_lost_events_mean_rescan() {
        let path = PathBuf::from("/books/lynch.csv");
        let open = Event::new(EventKind::Access(AccessKind::Open(AccessMode::Any))).add_path(path.clone());
        let close =
            Event::new(EventKind::Access(AccessKind::Close(AccessMode::Write))).add_path(path.clone());
        assert_eq!(wakes_for(Ok(open)), []);
        assert_eq!(wakes_for(Ok(close)), []);

        let create = Event::new(EventKind::Create(CreateKind::File)).add_path(path.clone());
        let write = Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Any))).add_path(path.clone());
        assert_eq!(wakes_for(Ok(create)), [Wake::Path(path.clone())]);
        assert_eq!(wakes_for(Ok(write)), [Wake::Path(path.clone())]);

        let overflow = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(wakes_for(Ok(overflow)), [Wake::Rescan]);
        assert_eq!(wakes_for(Ok(Event::new(EventKind::Any))), [Wake::Rescan]);
        assert_eq!(wakes_for(Err(notify::Error::generic("lost"))), [Wake::Rescan]);
    }

    #[test]
    fn a_full_channel_turns_into_one_rescan() {
        let (sender, receiver) = mpsc::sync_channel(1);
        let overflowed = AtomicBool::new(false);
        let write =
            |name: &str| Ok(Event::new(EventKind::Modify(ModifyKind::Any)).add_path(PathBuf::from(name)));
        forward(&sender, &overflowed, write("a"));
        assert!(!overflowed.load(Ordering::Acquire));
        forward(&sender, &overflowed, write("b"));
        assert!(overflowed.load(Ordering::Acquire));
        assert_eq!(receiver.try_recv(), Ok(Wake::Path(PathBuf::from("a"))));
    }
}
