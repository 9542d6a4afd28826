//! Priests and ballot numbers (§2.2 of the paper).
//!
//! Every priest owns an unbounded set of ballot numbers that no other priest uses: the pair
//! (round, priest), compared round first, then priest. Priests are numbered in the order of their
//! names, so "the later name" of §2.4 is simply the larger `PriestId`.

use std::fmt;

/// A priest, by his place in the alphabetical order of the Chamber's names (0 is the first name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PriestId(pub u16);

impl PriestId {
    /// The priest's place as an index into per-priest tables.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The bit standing for this priest in a [`Quorum`].
    fn bit(self) -> u64 {
        1u64 << self.0
    }
}

/// A ballot number: compared by `round` first, then by the priest who owns it (B1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BallotNumber {
    /// How many times round numbers have been raised; the significant part.
    pub round: u64,
    /// The only priest who may ever try this ballot.
    pub priest: PriestId,
}

impl BallotNumber {
    /// The ballot number `round` owned by `priest`.
    pub fn new(round: u64, priest: PriestId) -> Self {
        BallotNumber { round, priest }
    }
}

impl fmt::Display for BallotNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.round, self.priest.0)
    }
}

/// A set of priests (at most 64), such as those who answered a ballot; majority sets are quorums
/// in the sense of B2 (§2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Quorum(u64);

impl FromIterator<PriestId> for Quorum {
    fn from_iter<I: IntoIterator<Item = PriestId>>(priests: I) -> Self {
        let mut q = Quorum::default();
        for p in priests {
            q.insert(p);
        }
        q
    }
}

impl Quorum {
    /// Adds a priest; returns whether he was new.
    pub fn insert(&mut self, priest: PriestId) -> bool {
        let was = self.0 & priest.bit() != 0;
        self.0 |= priest.bit();
        !was
    }

    /// Whether the priest is in the set.
    pub fn contains(self, priest: PriestId) -> bool {
        self.0 & priest.bit() != 0
    }

    /// How many priests the set holds.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether the two sets share a priest (B2 asks it of any two majority sets).
    pub fn intersects(self, other: Quorum) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is a majority of `priests` priests: any two such sets share a priest (B2).
    pub fn is_majority_of(self, priests: usize) -> bool {
        self.len() * 2 > priests
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_compare_round_first_then_priest() {
        let a = BallotNumber::new(1, PriestId(4));
        let b = BallotNumber::new(2, PriestId(0));
        let c = BallotNumber::new(2, PriestId(3));
        assert!(a < b && b < c);
        assert_ne!(BallotNumber::new(2, PriestId(1)), b, "two priests never share a number");
    }

    #[test]
    fn majorities_of_five_need_three() {
        let mut q = Quorum::default();
        assert!(q.insert(PriestId(0)));
        assert!(!q.insert(PriestId(0)), "a priest counts once");
        q.insert(PriestId(4));
        assert!(!q.is_majority_of(5));
        q.insert(PriestId(2));
        assert!(q.is_majority_of(5) && q.contains(PriestId(2)) && !q.contains(PriestId(1)));
        assert_eq!(q.len(), 3);
    }
}
