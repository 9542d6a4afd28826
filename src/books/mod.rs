//! The on-disk format, written in one place: the folder layout of a Chamber, its roll, the rows of
//! ledgers and messagebooks, and the readers that turn them back into the priest's records and
//! messages. The Chamber, the simulator's `--dir`, the audit and the tools all read and write a
//! Chamber through this module; it depends only on the priest (priest ← books ← everything else).

/// What another priest's ledger holds, to check the messages said to be his.
pub mod backing;
/// Messagebook rows: one message, one row.
pub mod book_rows;
/// One CSV row as one line, guarded and escaped.
pub mod csvrow;
/// Law books: the statute book through some decree, in pages (§3.3.2).
pub mod lawbook;
/// The folder layout of a Chamber, in one place.
pub mod layout;
/// Reading a ledger: the one reader, with the torn-row rule.
pub mod ledger_read;
/// Ledger rows: the priest's durable record.
pub mod ledger_rows;
/// Membership decrees in words (§3.3.6): `Dan is now a legislator`.
pub mod membership;
/// The roll of priests' names and ballots written with names.
pub mod roll;
/// The Chamber's settings (`chamber.csv`): α.
pub mod settings;
/// A ledger skimmed for its highest decree number, to check heartbeats cheaply.
pub mod skim;
/// Reading a whole Chamber: ledgers followed, the statute book.
pub mod statute;
/// A ledger in volumes: restoring from the live one, reading all in order (§3.3.2).
pub mod volumes;

pub use roll::Roll;
