//! The Chamber on files: the network is the file system. Each priest keeps a CSV ledger in
//! `ledgers/` and reads his messages from a CSV messagebook in `messagebooks/`; messengers relay
//! by appending rows; God lays out the Chamber and runs the priests.

/// Messagebook rows: one message, one row.
pub mod book_rows;
/// One CSV row as text, guarded and joined across lines.
pub mod csvrow;
/// Ledger rows: the priest's durable record.
pub mod ledger_rows;
/// The roll of priests' names and ballots written with names.
pub mod roll;

pub use roll::Roll;
