//! The Chamber on files: the network is the file system. Each priest keeps a CSV ledger in
//! `ledgers/` and reads his messages from a CSV messagebook in `messagebooks/`; messengers relay
//! by appending rows; God lays out the Chamber and runs the priests.

/// Reading a messagebook as it grows, through editor saves.
pub mod book_reader;
/// God: lays out the Chamber, runs the priests, hands them petitions, stops them.
pub mod god;
/// A ledger on disk: appended, synced, read back, torn rows voided.
pub mod ledger_file;
/// The messenger: relays synced messages into messagebooks, as unreliably as asked.
pub mod messenger;
/// One priest at work on files: wake, read, check, answer, record, sync, relay.
pub mod runtime;

pub use crate::books::Roll;
