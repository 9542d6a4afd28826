//! The Chamber on files: the network is the file system. Each priest keeps a CSV ledger in
//! `ledgers/` and reads his messages from his messagebook in `messagebooks/<priest>/`, a folder of
//! pages, one per writer; messengers relay by appending rows to their own page; God lays out the
//! Chamber and runs the priests. The layout and the row formats are in [`crate::books`].

/// A ledger lost and begun again is not his: the proof that he spoke before.
pub mod amnesia;
/// Reading a messagebook as it grows, through editor saves.
pub mod book_reader;
/// Catching up from another priest's law book (§3.3.2).
pub mod catch_up;
/// The messengers' control file: pause, step, drop, duplicate, pace.
pub mod control;
/// Counters of wake-ups, hops and syncs, for `bench`.
pub mod counters;
/// God: lays out the Chamber, runs the priests, hands them petitions, stops them.
pub mod god;
/// Messages seen before the ledger row that backs them, held for a grace period.
pub mod held;
/// A ledger open for writing: appended, synced, checked in place.
/// Which petitions a priest's law book made law (§3.3.2).
pub mod law_index;
/// The lease a sitting priest renews: one sitting across computers (sshfs drops `flock`).
pub mod lease;
pub mod ledger_file;
/// The messenger: relays synced messages into messagebooks, as unreliably as asked.
pub mod messenger;
/// Closing a messenger's page of a messagebook once it has grown long (§3.3.2).
pub mod page_close;
/// Presence (§2.4's "I am here"), in files of its own, out of the messagebooks.
pub mod presence;
/// One priest at work on files: wake, read, check, answer, record, sync, relay.
/// Reading the law as of a decree, or fresh by a read decree (§3.3.4).
pub mod read_law;
/// God on a folder that comes and goes: waiting for it, bringing priests back with a backoff.
pub mod revival;
pub mod runtime;
/// One priest, one sitting: the lock a sitting priest holds.
pub mod sitting;
/// Where the Chamber's folder cannot be reached (EIO): the priest leaves, to come back.
pub mod unreachable;
/// Closing a volume of a priest's ledger into `volumes/` (§3.3.2).
pub mod volume;

pub use crate::books::Roll;
