//! What a crash may take from a ledger: rows written but not yet synced. Only `Decree` rows are
//! ever left unsynced ([`Record::needs_sync`]: every other row is synced before the step's
//! messages leave, and a sync makes everything written before it durable), so the simulator
//! crashes as a whole machine would: the priest's ledger loses a random part of its unsynced
//! tail, as the disk may not have written it yet. That he still keeps every promise, and that
//! everyone still agrees, is what the simulator's checks then show (§2.3: only what is synced is in
//! indelible ink).

use crate::priest::Record;
use crate::rng::Rng;

/// How far each priest's ledger is durable, and the losses a crash takes.
pub(super) struct Ink {
    /// Per priest: rows up to here are synced.
    synced: Vec<usize>,
    /// Its own generator, so that the run's other choices (the messenger's, the crashes') are the
    /// same draws as when no row was ever left unsynced.
    rng: Rng,
}

impl Ink {
    pub(super) fn new(priests: usize, seed: u64) -> Ink {
        Ink { synced: vec![0; priests], rng: Rng::new(seed ^ 0x001d_e11b_1e1c) }
    }

    /// A step's rows were carried out: if any needed a sync, the whole ledger is now durable.
    pub(super) fn carried_out(&mut self, priest: usize, records: &[Record], len: usize) {
        if records.iter().any(Record::needs_sync) {
            self.synced[priest] = len;
        }
    }

    /// A volume was closed: his ledger is the new volume, `len` rows, all synced (§3.3.2).
    pub(super) fn closed(&mut self, priest: usize, len: usize) {
        self.synced[priest] = len;
    }

    /// The priest's machine crashed: his ledger keeps its synced rows and a random prefix of the
    /// rest. Returns how many rows were lost.
    pub(super) fn crash(&mut self, priest: usize, ledger: &mut Vec<Record>, ticks: &mut Vec<u64>) -> usize {
        let synced = self.synced[priest].min(ledger.len());
        let unsynced = ledger.len() - synced;
        if unsynced == 0 {
            return 0;
        }
        debug_assert!(ledger[synced..].iter().all(|r| !r.needs_sync()), "a promise was left unsynced");
        let kept = self.rng.below(unsynced as u64 + 1) as usize;
        ledger.truncate(synced + kept);
        ticks.truncate(synced + kept);
        self.synced[priest] = ledger.len();
        unsynced - kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, Decree, Petition, PriestId};

    #[test]
    fn a_crash_takes_only_unsynced_decree_rows() {
        let mut ink = Ink::new(1, 7);
        let tried = Record::Tried { ballot: BallotNumber::new(1, PriestId(0)) };
        let law = |n| Record::Decree { decree_no: n, decree: Decree::Law(Petition::new("p", "Lamps")) };
        let mut ledger = vec![tried.clone()];
        ink.carried_out(0, &ledger.clone(), 1);
        let mut lost = 0;
        for round in 0..50 {
            ledger.extend([law(1), law(2)]);
            ink.carried_out(0, &[law(1), law(2)], ledger.len());
            let mut ticks = vec![0; ledger.len()];
            lost += ink.crash(0, &mut ledger, &mut ticks);
            assert_eq!(ledger[0], tried, "round {round}: the synced Tried row stays");
            assert_eq!(ticks.len(), ledger.len());
        }
        assert!(lost > 0 && lost < 100, "some crashes take something, and not always all");
    }
}
