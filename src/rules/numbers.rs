//! What the rules remember of every decree number (§2.1's ballots, §3.1's numbered decrees),
//! kept so that the row of a decree or a vote finds its number at once: numbers from 1 on in a
//! vector, for a Chamber numbers its decrees without gaps, and a number far past them (a forged
//! or damaged row) in a map; the votes on one number, usually in one ballot, in a short vector
//! ordered by ballot. The rules read every ledger row of the simulator, the audit and the watch
//! through them.

use std::collections::BTreeMap;

use super::NumberSoFar;
use crate::priest::{BallotNumber, Decree, DecreeNo, Quorum};

/// How far past the numbers kept in order a new number may lie and still join them (the gap is
/// filled with empty numbers); a number further out is kept apart.
const REACH: DecreeNo = 65_536;

/// Every decree number the rows fed so far name, in number order.
#[derive(Clone, Debug, Default)]
pub(super) struct Numbers {
    /// Numbers 1 to `dense.len()`.
    dense: Vec<NumberSoFar>,
    /// Numbers outside them: 0, or beyond `dense.len() + REACH` when first named.
    far: BTreeMap<DecreeNo, NumberSoFar>,
}

impl Numbers {
    /// The number `no`, made (empty) if it was never named.
    pub fn entry(&mut self, no: DecreeNo) -> &mut NumberSoFar {
        let len = self.dense.len() as DecreeNo;
        if no == 0 || no > len.saturating_add(REACH) {
            return self.far.entry(no).or_default();
        }
        if no > len {
            self.dense.resize_with(no as usize, NumberSoFar::default);
            let caught: Vec<DecreeNo> = self.far.range(1..=no).map(|(&k, _)| k).collect();
            for k in caught {
                self.dense[(k - 1) as usize] = self.far.remove(&k).expect("listed");
            }
        }
        &mut self.dense[(no - 1) as usize]
    }

    /// The number `no`, if named (or lying among those named).
    pub fn get(&self, no: DecreeNo) -> Option<&NumberSoFar> {
        match no {
            1.. if no <= self.dense.len() as DecreeNo => self.dense.get((no - 1) as usize),
            _ => self.far.get(&no),
        }
    }

    /// As [`Numbers::get`], to change it.
    pub fn get_mut(&mut self, no: DecreeNo) -> Option<&mut NumberSoFar> {
        match no {
            1.. if no <= self.dense.len() as DecreeNo => self.dense.get_mut((no - 1) as usize),
            _ => self.far.get_mut(&no),
        }
    }

    /// Every number, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (DecreeNo, &NumberSoFar)> {
        let len = self.dense.len() as DecreeNo;
        let below = self.far.range(..1).map(|(&k, n)| (k, n));
        let dense = self.dense.iter().enumerate().map(|(i, n)| (i as DecreeNo + 1, n));
        let above = self.far.range(len + 1..).map(|(&k, n)| (k, n));
        below.chain(dense).chain(above)
    }
}

/// The votes on one decree number, by ballot, each with its decree and who voted.
#[derive(Clone, Debug, Default)]
pub(super) struct Votes(Vec<(BallotNumber, (Decree, Quorum))>);

impl Votes {
    /// The ballot's decree and voters, made with `fresh` if none voted in it yet.
    pub fn entry(
        &mut self,
        ballot: BallotNumber,
        fresh: impl FnOnce() -> (Decree, Quorum),
    ) -> &mut (Decree, Quorum) {
        let at = match self.0.binary_search_by_key(&ballot, |(b, _)| *b) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (ballot, fresh()));
                at
            }
        };
        &mut self.0[at].1
    }

    /// The ballot's decree and voters.
    pub fn get(&self, ballot: &BallotNumber) -> Option<&(Decree, Quorum)> {
        self.0.binary_search_by_key(ballot, |(b, _)| *b).ok().map(|at| &self.0[at].1)
    }

    /// The ballots from `ballot` on, in order.
    pub fn from(&self, ballot: BallotNumber) -> impl Iterator<Item = (&BallotNumber, &(Decree, Quorum))> {
        let at = self.0.partition_point(|(b, _)| *b < ballot);
        self.0[at..].iter().map(|(b, v)| (b, v))
    }

    /// Every ballot, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&BallotNumber, &(Decree, Quorum))> {
        self.0.iter().map(|(b, v)| (b, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_back_in_order_wherever_they_are_kept() {
        let mut numbers = Numbers::default();
        let mark = |numbers: &mut Numbers, no| {
            numbers.entry(no).chosen =
                Some((BallotNumber::new(no, crate::priest::PriestId(0)), Decree::OliveDay));
        };
        for no in [3, 1, 0, 100_000, 2] {
            mark(&mut numbers, no);
        }
        let named = |numbers: &Numbers| -> Vec<DecreeNo> {
            numbers.iter().filter(|(_, n)| n.chosen.is_some()).map(|(no, _)| no).collect()
        };
        assert_eq!(named(&numbers), [0, 1, 2, 3, 100_000]);
        assert!(numbers.get(100_000).is_some() && numbers.get(99_999).is_none(), "kept apart");
        // Once the numbers in order come within reach of it, the far one joins them.
        mark(&mut numbers, 60_000);
        numbers.entry(100_001);
        assert!(numbers.get(99_999).is_some(), "the gap is filled with empty numbers");
        assert_eq!(named(&numbers), [0, 1, 2, 3, 60_000, 100_000]);
        assert_eq!(numbers.iter().next_back().map(|(no, _)| no), Some(100_001));
    }

    #[test]
    fn votes_are_kept_in_ballot_order() {
        let b = |r| BallotNumber::new(r, crate::priest::PriestId(1));
        let mut votes = Votes::default();
        for r in [5, 2, 9, 2] {
            votes
                .entry(b(r), || (Decree::OliveDay, Quorum::default()))
                .1
                .insert(crate::priest::PriestId(r as u16));
        }
        let order: Vec<u64> = votes.iter().map(|(b, _)| b.round).collect();
        assert_eq!(order, [2, 5, 9]);
        assert_eq!(votes.from(b(3)).map(|(b, _)| b.round).collect::<Vec<_>>(), [5, 9]);
        assert!(votes.get(&b(9)).is_some() && votes.get(&b(4)).is_none());
    }
}
