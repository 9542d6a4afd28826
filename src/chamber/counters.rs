//! Cheap counters of what the Chamber on files does, for `bench`: how often a priest wakes, how
//! many messenger writes (hops: one page write carries every message to one recipient) and how
//! many ledger syncs (§2.3's indelible ink) a decree costs. Relaxed atomics, one add per event:
//! never read by a priest, only by whoever measures.

use std::sync::atomic::{AtomicU64, Ordering};

pub use super::ledger_file::SYNCS;

/// Times a priest woke (from his messagebook's wake-up, or a tick) and found something to read
/// or to do.
pub static WAKEUPS: AtomicU64 = AtomicU64::new(0);

/// Messenger page writes: one `write` to one recipient's page, however many rows it carries.
pub static HOPS: AtomicU64 = AtomicU64::new(0);

/// Nanoseconds spent in ledger syncs (the `fdatasync` alone), summed over every priest.
pub static SYNC_NANOS: AtomicU64 = AtomicU64::new(0);

/// Ledger rows appended by every priest of this process.
pub static ROWS: AtomicU64 = AtomicU64::new(0);

/// Ledger syncs left out because every row of the step was a `Decree` row (see
/// [`crate::priest::Record::needs_sync`]).
pub static SYNCS_SPARED: AtomicU64 = AtomicU64::new(0);

/// The counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// See [`WAKEUPS`].
    pub wakeups: u64,
    /// See [`HOPS`].
    pub hops: u64,
    /// See [`SYNCS`].
    pub syncs: u64,
    /// See [`ROWS`].
    pub rows: u64,
    /// See [`SYNCS_SPARED`].
    pub spared: u64,
    /// See [`SYNC_NANOS`].
    pub sync_nanos: u64,
}

impl Counts {
    /// Reads every counter now.
    pub fn now() -> Counts {
        Counts {
            wakeups: WAKEUPS.load(Ordering::Relaxed),
            hops: HOPS.load(Ordering::Relaxed),
            syncs: SYNCS.load(Ordering::Relaxed),
            rows: ROWS.load(Ordering::Relaxed),
            spared: SYNCS_SPARED.load(Ordering::Relaxed),
            sync_nanos: SYNC_NANOS.load(Ordering::Relaxed),
        }
    }

    /// What happened between `earlier` and `self`.
    pub fn since(self, earlier: Counts) -> Counts {
        Counts {
            wakeups: self.wakeups - earlier.wakeups,
            hops: self.hops - earlier.hops,
            syncs: self.syncs - earlier.syncs,
            rows: self.rows - earlier.rows,
            spared: self.spared - earlier.spared,
            sync_nanos: self.sync_nanos - earlier.sync_nanos,
        }
    }
}

/// Adds one to a counter.
pub(crate) fn count(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}
