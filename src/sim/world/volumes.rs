//! Law books and ledger volumes in the simulator (§3.3.2), as the Chamber keeps them on files
//! (`chamber::volume`, `chamber::catch_up`): after a step, a priest whose statute book runs far
//! enough past his law book closes a volume; his law book gains the decrees, checked against the
//! decrees the ledgers hold, and his ledger becomes the new volume's restatement. A crash may fall
//! between the two, leaving the law book longer and the old volume live, as on files. A priest who
//! lacks decrees no one keeps in the back any more copies the furthest law book, every decree of
//! it checked by the rules' agreement. Closed volumes are kept for the run's outcome; restoring
//! never reads them.

use super::{Failure, World};
use crate::priest::{Decree, DecreeNo, PriestId, Record};
use crate::rules::{Rule, Violation};

/// One closed volume of a priest's ledger.
#[derive(Clone, Debug, Default)]
pub struct Closed {
    /// His law book ran through this decree when the volume was closed.
    pub through: DecreeNo,
    /// Its rows.
    pub rows: Vec<Record>,
    /// The tick each row was written at.
    pub ticks: Vec<u64>,
    /// The rows it began by restating, and where his law book ran then (None: his first volume).
    pub restated: Option<(usize, DecreeNo)>,
}

/// Every priest's law book and closed volumes.
#[derive(Clone, Debug, Default)]
pub struct Volumes {
    /// Per priest: his law book, decrees 1.. in order.
    pub law_books: Vec<Vec<(DecreeNo, Decree)>>,
    /// Per priest: his closed volumes, oldest first: where his law book ran when it was closed,
    /// its rows with the tick of each, and the rows it began by restating.
    pub closed: Vec<Vec<Closed>>,
    /// Per priest: the rows his live volume begins by restating, and where his law book then ran.
    pub live_restated: Vec<Option<(usize, DecreeNo)>>,
    /// Volumes closed, crashes between law book and volume, law books copied.
    pub counts: (u64, u64, u64),
    /// Per priest: the petitions his law book made law, as the Chamber's `LawIndex` finds them, so
    /// a petition read again or handed on is answered "already law", not passed twice.
    passed: Vec<std::collections::HashSet<crate::priest::PetitionId>>,
}

impl Volumes {
    /// No law book, no closed volume, for `priests` priests.
    pub fn new(priests: usize) -> Volumes {
        Volumes {
            law_books: vec![Vec::new(); priests],
            closed: vec![Vec::new(); priests],
            live_restated: vec![None; priests],
            counts: (0, 0, 0),
            passed: vec![Default::default(); priests],
        }
    }

    /// Whether `p`'s law book made this petition law.
    pub fn law(&self, p: PriestId, id: &crate::priest::PetitionId) -> bool {
        self.passed[p.index()].contains(id)
    }

    /// `p`'s law book gains these decrees.
    fn extend(&mut self, p: PriestId, laws: &[(DecreeNo, Decree)]) {
        let ids = laws.iter().filter_map(|(_, d)| d.petition().map(|p| p.id.clone()));
        self.passed[p.index()].extend(ids);
        self.law_books[p.index()].extend(laws.iter().cloned());
    }

    /// The membership decrees in `p`'s law book, each the first decree carrying its petition.
    pub fn roll_changes(
        &self,
        p: PriestId,
    ) -> std::collections::BTreeMap<DecreeNo, (crate::priest::RollChange, crate::priest::PetitionId)> {
        let mut first = std::collections::BTreeSet::new();
        let mut changes = std::collections::BTreeMap::new();
        for (no, decree) in &self.law_books[p.index()] {
            let Some(petition) = decree.petition() else { continue };
            if first.insert(petition.id.clone())
                && let Some(change) = petition.change
            {
                changes.insert(*no, (change, petition.id.clone()));
            }
        }
        changes
    }

    /// How far `p`'s law book runs.
    pub fn through(&self, p: PriestId) -> DecreeNo {
        self.law_books[p.index()].last().map_or(0, |(no, _)| *no)
    }
}

/// A law book that does not hold the decree the ledgers hold: agreement broken.
fn disagrees(p: PriestId, no: DecreeNo, decree: &Decree, held: Option<&Decree>) -> Failure {
    let held = held.map_or("nothing".to_string(), |d| d.to_string());
    Failure::Violation(Violation {
        rule: Rule::Agreement,
        priest: p,
        row: 0,
        detail: format!("his law book has decree {no} as {decree}, but the ledgers hold {held}"),
    })
}

impl World<'_> {
    /// After `p`'s step was carried out: closes a volume if one is due. Returns whether he
    /// crashed between writing his law book and starting the new volume.
    pub(super) fn close_volume(&mut self, p: PriestId) -> Result<bool, Failure> {
        let Some(priest) = self.priests[p.index()].as_ref() else { return Ok(false) };
        let Some(volume) = priest.volume_to_close() else { return Ok(false) };
        for (no, decree) in &volume.laws {
            let held = self.rules.decree_held(*no);
            if held != Some(decree) {
                return Err(disagrees(p, *no, decree, held));
            }
        }
        let next = self.volumes.law_books[p.index()].len() as u64 + 1;
        assert_eq!(volume.laws.first().map(|l| l.0), Some(next), "law books run on");
        self.volumes.extend(p, &volume.laws);
        if self.faulty() && self.rng.chance(self.config.crash) {
            // The law page is synced, the new volume never took the ledger's name.
            self.volumes.counts.1 += 1;
            self.leave(p, false);
            return Ok(true);
        }
        let restated = volume.restated.clone();
        let len = restated.len();
        let rows = std::mem::replace(&mut self.ledgers[p.index()], restated);
        let ticks = std::mem::replace(&mut self.ledger_ticks[p.index()], vec![self.now; len]);
        let before = self.volumes.live_restated[p.index()].replace((len, volume.through));
        self.volumes.closed[p.index()].push(Closed {
            through: volume.through,
            rows,
            ticks,
            restated: before,
        });
        self.ink.closed(p.index(), len);
        if let Some(priest) = self.priests[p.index()].as_mut() {
            priest.closed_volume(volume.through);
        }
        self.volumes.counts.0 += 1;
        Ok(false)
    }

    /// On `p`'s tick: if another law book runs past every decree he knows, he copies what his own
    /// lacks of the furthest one (state transfer), each decree checked against the ledgers'.
    pub(super) fn catch_up(&mut self, p: PriestId) -> Result<(), Failure> {
        let Some(priest) = self.priests[p.index()].as_ref() else { return Ok(()) };
        let known = priest.durable().known;
        let furthest = (0..self.config.places())
            .map(|q| PriestId(q as u16))
            .filter(|&q| q != p)
            .max_by_key(|&q| self.volumes.through(q))
            .filter(|&q| self.volumes.through(q) > known);
        let Some(q) = furthest else { return Ok(()) };
        let mine = self.volumes.through(p) as usize;
        let copied: Vec<_> = self.volumes.law_books[q.index()][mine..].to_vec();
        for (no, decree) in &copied {
            let held = self.rules.decree_held(*no);
            let his = priest.durable().decrees.get(no);
            if held != Some(decree) || his.is_some_and(|h| h != decree) {
                return Err(disagrees(p, *no, decree, held));
            }
        }
        let through = self.volumes.through(q);
        let passed: Vec<_> = copied.iter().filter_map(|(_, d)| d.petition().map(|p| p.id.clone())).collect();
        self.kept.forget(p, &passed);
        self.volumes.extend(p, &copied);
        self.volumes.counts.2 += 1;
        if let Some(priest) = self.priests[p.index()].as_mut() {
            priest.adopt_law_book(through, &copied);
        }
        Ok(())
    }
}
