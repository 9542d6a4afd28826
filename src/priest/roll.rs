//! The roll in force (§3.3.6 and §2.2 of the paper): which priests are legislators for a decree
//! number, and with what weight.
//!
//! "The priests who may pass decree n are those named by the law as of decree n − 3"; Paxos Made
//! Simple generalises 3 to α. A membership decree passed at number m changes the roll from decree
//! m + α on. A priest of weight 0 is not a legislator: he learns decrees but his vote counts for
//! nothing, and he never presides. A set of priests is a majority set of a roll when its weight is
//! more than half the roll's total weight (the paper's "fat priests", §2.2): any two such sets of
//! one roll share a priest, which is all B2 asks.
//!
//! Pure: the Chamber, the simulator, the model checker and the audit all compute the roll in
//! force with [`RollLaw`].

use std::collections::{BTreeMap, BTreeSet};

use super::ballot::{PriestId, Quorum};
use super::decree::DecreeNo;

/// The most places a Chamber can have (a [`Quorum`] is a 64-bit set).
pub const MAX_PLACES: usize = 64;

/// What a membership decree does: gives `priest` this weight (0 dismisses him).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollChange {
    /// The priest whose seat changes, by place.
    pub priest: PriestId,
    /// His weight from the change on; 0: no longer a legislator.
    pub weight: u32,
}

/// A roll: each place's weight (0 for a priest who is not a legislator).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Weights(pub Vec<u32>);

impl Weights {
    /// Every one of `places` priests a legislator of weight 1.
    pub fn equal(places: usize) -> Weights {
        Weights(vec![1; places])
    }

    /// A priest's weight (0 for a place the roll does not name).
    pub fn weight(&self, p: PriestId) -> u32 {
        self.0.get(p.index()).copied().unwrap_or(0)
    }

    /// Whether he is a legislator (weight above 0).
    pub fn is_legislator(&self, p: PriestId) -> bool {
        self.weight(p) > 0
    }

    /// The legislators, in place order.
    pub fn legislators(&self) -> impl Iterator<Item = PriestId> + '_ {
        (0..self.0.len()).map(|i| PriestId(i as u16)).filter(|&p| self.is_legislator(p))
    }

    /// The roll's total weight.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|&w| u64::from(w)).sum()
    }

    /// The weight of the legislators in `q`.
    pub fn weight_of(&self, q: Quorum) -> u64 {
        (0..self.0.len().min(MAX_PLACES))
            .map(|i| PriestId(i as u16))
            .filter(|&p| q.contains(p))
            .map(|p| u64::from(self.weight(p)))
            .sum()
    }

    /// Whether `q` is a majority set of this roll: more than half its total weight (B2). A roll
    /// with no weight at all has no majority set.
    pub fn is_majority(&self, q: Quorum) -> bool {
        let total = self.total();
        total > 0 && self.weight_of(q) * 2 > total
    }

    /// The roll after a membership decree.
    pub fn changed(&self, change: RollChange) -> Weights {
        let mut w = self.0.clone();
        let i = change.priest.index();
        if w.len() <= i {
            w.resize(i + 1, 0);
        }
        w[i] = change.weight;
        Weights(w)
    }
}

/// The law of the roll: the roll a Chamber was laid out with, the window α, and every membership
/// decree known; from them, the roll in force for any decree number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RollLaw {
    alpha: u64,
    /// Each roll with the first decree number it is in force for, in order; the first from 1.
    rolls: Vec<(DecreeNo, Weights)>,
    changes: BTreeMap<DecreeNo, RollChange>,
    /// Membership decrees that change nothing: applied, they would leave the roll no legislator,
    /// and a Parliament of no one can never pass a decree again (not even one undoing it).
    void: BTreeSet<DecreeNo>,
}

impl RollLaw {
    /// The law of a Chamber laid out with `initial` and window `alpha` (at least 1).
    pub fn new(initial: Weights, alpha: u64) -> RollLaw {
        assert!(alpha >= 1, "α is at least 1");
        RollLaw { alpha, rolls: vec![(1, initial)], changes: BTreeMap::new(), void: BTreeSet::new() }
    }

    /// α: a membership decree at m is in force from m + α on.
    pub fn alpha(&self) -> u64 {
        self.alpha
    }

    /// Notes the membership decree passed at `decree_no`; returns false if it was already known.
    pub fn note(&mut self, decree_no: DecreeNo, change: RollChange) -> bool {
        if self.changes.insert(decree_no, change) == Some(change) {
            return false;
        }
        let initial = self.rolls[0].1.clone();
        let mut roll = initial.clone();
        let mut rolls = vec![(1, initial)];
        self.void.clear();
        for (&m, &c) in &self.changes {
            let next = roll.changed(c);
            if next.total() == 0 {
                // It would leave no legislator: void, as every priest and the rules judge alike,
                // since they judge it from the same decrees in the same order.
                self.void.insert(m);
                continue;
            }
            roll = next;
            rolls.push((m + self.alpha, roll.clone()));
        }
        self.rolls = rolls;
        true
    }

    /// Whether the membership decree at `decree_no` is void: it would have left no legislator.
    pub fn is_void(&self, decree_no: DecreeNo) -> bool {
        self.void.contains(&decree_no)
    }

    /// The membership decrees known, by number.
    pub fn changes(&self) -> &BTreeMap<DecreeNo, RollChange> {
        &self.changes
    }

    /// The roll in force for decree `decree_no`: the law as of decree `decree_no − α`. Exact only
    /// to one who knows every decree through `decree_no − α`.
    pub fn in_force(&self, decree_no: DecreeNo) -> &Weights {
        let i = self.rolls.partition_point(|(from, _)| *from <= decree_no);
        &self.rolls[i.saturating_sub(1)].1
    }

    /// The roll as the membership decrees known make it, once all are in force.
    pub fn latest(&self) -> &Weights {
        &self.rolls[self.rolls.len() - 1].1
    }

    /// How many places the law names: those laid out and any a decree seated since.
    pub fn places(&self) -> usize {
        self.rolls.iter().map(|(_, w)| w.0.len()).max().unwrap_or(0)
    }

    /// Every place, in order.
    pub fn priests(&self) -> impl DoubleEndedIterator<Item = PriestId> + use<> {
        (0..self.places() as u16).map(PriestId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(ps: &[u16]) -> Quorum {
        let mut q = Quorum::default();
        for &p in ps {
            q.insert(PriestId(p));
        }
        q
    }

    #[test]
    fn a_fat_priest_and_one_more_are_a_majority_set() {
        let w = Weights(vec![2, 1, 1]);
        assert!(w.is_majority(q(&[0, 1])));
        assert!(!w.is_majority(q(&[1, 2])), "weight 2 of 4 is not more than half");
        assert!(!w.is_majority(q(&[0])));
    }

    #[test]
    fn a_membership_decree_is_in_force_alpha_decrees_later() {
        let mut law = RollLaw::new(Weights::equal(3), 3);
        law.note(10, RollChange { priest: PriestId(3), weight: 1 });
        assert_eq!(law.in_force(12).0, vec![1, 1, 1], "decree 12 is passed by the law as of 9");
        assert_eq!(law.in_force(13).0, vec![1, 1, 1, 1], "decree 13 by the law as of 10");
        law.note(11, RollChange { priest: PriestId(0), weight: 0 });
        assert_eq!(law.in_force(14).0, vec![0, 1, 1, 1]);
        assert!(!law.in_force(14).is_legislator(PriestId(0)));
        assert_eq!(law.places(), 4);
        assert_eq!(law.latest(), law.in_force(1000));
    }

    /// A newcomer dismissed every legislator by decrees in quick succession (each `dismiss` saw
    /// the others not yet passed) and the Chamber could never pass a decree again, not even an
    /// admission. The dismissal that would leave no legislator is void.
    #[test]
    fn a_membership_decree_that_would_leave_no_legislator_is_void() {
        let mut law = RollLaw::new(Weights::equal(2), 3);
        law.note(5, RollChange { priest: PriestId(0), weight: 0 });
        law.note(6, RollChange { priest: PriestId(1), weight: 0 });
        assert_eq!(law.in_force(9).0, vec![0, 1], "the last legislator stays");
        assert!(law.is_void(6) && !law.is_void(5));
        law.note(7, RollChange { priest: PriestId(2), weight: 1 });
        assert_eq!(law.latest().0, vec![0, 1, 1]);
        assert!(law.is_void(6), "void for good: it was void when it passed");
    }
}
