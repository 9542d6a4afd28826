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

/// Ledger syncs by how long they took: bucket k counts syncs of 2^k to 2^(k+1) - 1 µs.
pub static SYNC_MICROS_LOG2: [AtomicU64; 24] = [const { AtomicU64::new(0) }; 24];

/// Notes one sync that took `nanos`.
pub(crate) fn sync_took(nanos: u64) {
    count(&SYNC_NANOS, nanos);
    let micros = (nanos / 1000).max(1);
    let k = (63 - micros.leading_zeros() as usize).min(SYNC_MICROS_LOG2.len() - 1);
    count(&SYNC_MICROS_LOG2[k], 1);
}

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
    /// See [`SYNC_MICROS_LOG2`].
    pub sync_log2: [u64; 24],
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
            sync_log2: std::array::from_fn(|k| SYNC_MICROS_LOG2[k].load(Ordering::Relaxed)),
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
            sync_log2: std::array::from_fn(|k| self.sync_log2[k] - earlier.sync_log2[k]),
        }
    }

    /// The sync time (ms) below which a fraction `q` of these syncs fell, to within a factor of
    /// two: the upper edge of the bucket that holds the quantile. NaN if there were none.
    pub fn sync_quantile_ms(&self, q: f64) -> f64 {
        let total: u64 = self.sync_log2.iter().sum();
        if total == 0 {
            return f64::NAN;
        }
        let want = (q * total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (k, n) in self.sync_log2.iter().enumerate() {
            seen += n;
            if seen >= want {
                return (1u64 << (k + 1)) as f64 / 1000.0;
            }
        }
        f64::NAN
    }
}

/// Adds n to a counter.
pub(crate) fn count(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_quantile_is_the_upper_edge_of_its_bucket() {
        let mut c = Counts::default();
        c.sync_log2[8] = 98; // 256-511 µs
        c.sync_log2[13] = 2; // 8.2-16.4 ms
        assert_eq!(c.sync_quantile_ms(0.5), 0.512);
        assert_eq!(c.sync_quantile_ms(0.99), 16.384);
        assert!(Counts::default().sync_quantile_ms(0.5).is_nan());
    }
}
