//! The file layer: appending rows durably, reading them back from a saved offset, and waking on
//! filesystem notifications. Nothing here knows Paxos; the Chamber builds on it.

/// Appending whole rows to a file with one `write()` each, and syncing them.
pub mod append;
/// Guarding text fields against CSV injection, reversibly.
pub mod guard;
/// Cutting bytes into complete, numbered lines as they arrive.
pub mod lines;
/// What kind of filesystem holds a folder, and whether its caching is fit for a Chamber.
pub mod mount;
/// Waking by looking at files every interval, where notifications do not come (network folders).
pub mod poll;
/// Following a file from a saved offset, through truncation and replacement.
pub mod tail;
/// Waking on changes in watched folders, with one watcher per process.
pub mod watch;

pub use append::AppendFile;
pub use guard::{guard_field, unguard_field};
pub use lines::{Line, LineBuffer, LinePosition};
pub use poll::WakeSource;
pub use tail::{TailEvent, TailItem, TailReader, settled};
pub use watch::{FolderWatcher, Wake, Wakeups};
