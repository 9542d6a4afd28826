//! Ballots in flight and the statute book, as the watch derives them from ledger rows (§2.3 steps
//! 3-6 and §3.1): for each decree number, the latest ballot begun on it, the decree it proposes,
//! which priests have voted in it and how many more a majority set needs; the moment a majority
//! set has voted, the decree has passed (Theorem 1: no other decree can pass under that number).
//! Then the statute book, with which ledgers hold each decree.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::priest::{BallotNumber, Decree, DecreeNo, PriestId, Quorum, Vote};

/// How many decree numbers the ballots panel remembers; older ones leave the view.
pub const BALLOTS_KEPT: usize = 64;

/// The latest ballot on one decree number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    /// The decree number voted on.
    pub decree_no: DecreeNo,
    /// The latest ballot begun on it that the watch has seen.
    pub ballot: BallotNumber,
    /// The decree that ballot proposes.
    pub decree: Decree,
    /// The priests whose ledgers hold a Voted row for this ballot.
    pub voters: Quorum,
    /// When the ballot passed (a majority set voted, or a ledger wrote the decree); `Some(None)`
    /// when it passed in rows without times.
    pub passed: Option<Option<DateTime<Utc>>>,
}

/// One decree of the statute book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statute {
    /// The decree.
    pub decree: Decree,
    /// The priests whose ledgers hold it.
    pub holders: Quorum,
    /// When the first ledger wrote it.
    pub first_at: Option<DateTime<Utc>>,
}

/// Ballots in flight and the statute book of a Parliament of `priests` priests.
#[derive(Clone, Debug)]
pub struct Flight {
    priests: usize,
    ballots: BTreeMap<DecreeNo, InFlight>,
    statute: BTreeMap<DecreeNo, Statute>,
}

impl Flight {
    /// Nothing in flight, an empty statute book.
    pub fn new(priests: usize) -> Self {
        Flight { priests, ballots: BTreeMap::new(), statute: BTreeMap::new() }
    }

    /// How many votes a majority set holds in this Parliament.
    pub fn majority(&self) -> usize {
        self.priests / 2 + 1
    }

    /// How many more votes `ballot` needs before a majority set has voted in it (0 once it has).
    pub fn needs(&self, ballot: &InFlight) -> usize {
        self.majority().saturating_sub(ballot.voters.len())
    }

    /// A BeginBallot seen: the ballot is in flight, with no votes yet unless rows said so.
    pub fn begun(&mut self, decree_no: DecreeNo, ballot: BallotNumber, decree: &Decree) {
        self.latest(decree_no, ballot, decree);
    }

    /// A Voted row in `priest`'s ledger.
    pub fn vote(&mut self, priest: PriestId, vote: &Vote, at: Option<DateTime<Utc>>) {
        let priests = self.priests;
        if let Some(b) = self.latest(vote.decree_no, vote.ballot, &vote.decree) {
            b.voters.insert(priest);
            if b.passed.is_none() && b.voters.is_majority_of(priests) {
                b.passed = Some(at);
            }
        }
    }

    /// A Decree row in `priest`'s ledger: the decree passed, and he holds it.
    pub fn decree(
        &mut self,
        priest: PriestId,
        decree_no: DecreeNo,
        decree: &Decree,
        at: Option<DateTime<Utc>>,
    ) {
        let entry = self.statute.entry(decree_no).or_insert_with(|| Statute {
            decree: decree.clone(),
            holders: Quorum::default(),
            first_at: at,
        });
        entry.holders.insert(priest);
        if let Some(b) = self.ballots.get_mut(&decree_no)
            && b.passed.is_none()
        {
            b.passed = Some(at);
        }
    }

    /// The ballots in flight, the highest decree number first.
    pub fn ballots(&self) -> impl Iterator<Item = &InFlight> {
        self.ballots.values().rev()
    }

    /// The ballot on one decree number.
    pub fn ballot(&self, decree_no: DecreeNo) -> Option<&InFlight> {
        self.ballots.get(&decree_no)
    }

    /// The statute book, newest decree first.
    pub fn statute(&self) -> impl Iterator<Item = (DecreeNo, &Statute)> {
        self.statute.iter().rev().map(|(no, s)| (*no, s))
    }

    /// Whether the statute book holds a decree under this number.
    pub fn holds(&self, decree_no: DecreeNo) -> bool {
        self.statute.contains_key(&decree_no)
    }

    /// The entry for `decree_no`, replaced when `ballot` is later than the one shown; `None` when
    /// `ballot` is an earlier one (the rules still check it; the view shows the latest).
    fn latest(
        &mut self,
        decree_no: DecreeNo,
        ballot: BallotNumber,
        decree: &Decree,
    ) -> Option<&mut InFlight> {
        let fresh = || InFlight {
            decree_no,
            ballot,
            decree: decree.clone(),
            voters: Quorum::default(),
            passed: None,
        };
        let known = self.statute.contains_key(&decree_no);
        let entry = self.ballots.entry(decree_no).or_insert_with(fresh);
        if ballot > entry.ballot {
            // A later president's ballot: once the decree passed, it can only repeat it (B3).
            let passed = entry.passed.filter(|_| known);
            *entry = fresh();
            entry.passed = passed;
        } else if ballot < entry.ballot {
            return None;
        }
        if self.ballots.len() > BALLOTS_KEPT {
            self.ballots.pop_first();
        }
        self.ballots.get_mut(&decree_no)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::Petition;

    fn vote(decree_no: DecreeNo, round: u64, owner: u16, text: &str) -> Vote {
        let decree = Decree::Law(Petition::new(text, text));
        Vote { decree_no, ballot: BallotNumber::new(round, PriestId(owner)), decree }
    }

    #[test]
    fn a_later_ballot_takes_the_place_of_an_earlier_one_and_an_earlier_one_is_ignored() {
        let mut f = Flight::new(5);
        f.vote(PriestId(0), &vote(3, 1, 0, "a"), None);
        f.vote(PriestId(1), &vote(3, 1, 0, "a"), None);
        assert_eq!(f.needs(f.ballot(3).unwrap()), 1);
        f.vote(PriestId(4), &vote(3, 2, 4, "a"), None);
        let b = f.ballot(3).unwrap();
        assert_eq!((b.ballot.round, b.voters.len(), f.needs(b)), (2, 1, 2), "the new ballot starts afresh");
        f.vote(PriestId(2), &vote(3, 1, 0, "a"), None);
        assert_eq!(f.ballot(3).unwrap().voters.len(), 1, "a vote in the older ballot does not count here");
    }

    #[test]
    fn a_decree_row_marks_its_ballot_passed_and_fills_the_statute_book() {
        let mut f = Flight::new(3);
        f.begun(1, BallotNumber::new(1, PriestId(2)), &Decree::OliveDay);
        assert_eq!(f.ballot(1).unwrap().passed, None);
        f.decree(PriestId(1), 1, &Decree::OliveDay, None);
        f.decree(PriestId(0), 1, &Decree::OliveDay, None);
        f.decree(PriestId(0), 2, &Decree::OliveDay, None);
        assert_eq!(f.ballot(1).unwrap().passed, Some(None));
        let book: Vec<(DecreeNo, usize)> = f.statute().map(|(no, s)| (no, s.holders.len())).collect();
        assert_eq!(book, vec![(2, 1), (1, 2)], "newest first, with how many ledgers hold each");
    }
}
