//! The file layer: appending rows durably, reading them back from a saved offset, and waking on
//! filesystem notifications. Nothing here knows Paxos; the Chamber builds on it.

/// Appending whole rows to a file with one `write()` each, and syncing them.
pub mod append;
/// Guarding text fields against CSV injection, reversibly.
pub mod guard;
/// Cutting bytes into complete, numbered lines as they arrive.
pub mod lines;
/// Following a file from a saved offset, through truncation and replacement.
pub mod tail;
/// Waking on changes in watched folders, with one watcher per process.
pub mod watch;

pub use append::AppendFile;
pub use guard::{guard_field, unguard_field};
pub use lines::{Line, LineBuffer, LinePosition};
pub use tail::{TailEvent, TailReader};
pub use watch::{FolderWatcher, Wake, Wakeups};
