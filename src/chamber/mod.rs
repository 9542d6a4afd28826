//! The Chamber on files: the network is the file system. Each priest keeps a CSV ledger in
//! `ledgers/` and reads his messages from a CSV messagebook in `messagebooks/`; messengers relay
//! by appending rows; God lays out the Chamber and runs the priests.

/// What another priest's ledger holds, to check the messages said to be his.
pub mod backing;
/// `parliament bench`: a real Chamber driven as fast as it takes petitions.
pub mod bench;
/// Reading a messagebook as it grows, through editor saves.
pub mod book_reader;
/// Messagebook rows: one message, one row.
pub mod book_rows;
/// One CSV row as text, guarded and joined across lines.
pub mod csvrow;
/// God: lays out the Chamber, runs the priests, hands them petitions, stops them.
pub mod god;
/// A ledger on disk: appended, synced, read back, torn rows voided.
pub mod ledger_file;
/// Ledger rows: the priest's durable record.
pub mod ledger_rows;
/// The messenger: relays synced messages into messagebooks, as unreliably as asked.
pub mod messenger;
/// The roll of priests' names and ballots written with names.
pub mod roll;
/// One priest at work on files: wake, read, check, answer, record, sync, relay.
pub mod runtime;

/// Reading a whole Chamber: roll, ledgers, statute book.
pub mod statute;

pub use roll::Roll;
