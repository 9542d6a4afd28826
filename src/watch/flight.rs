//! Ballots in flight and the statute book, as the watch derives them from ledger rows (§2.3 steps
//! 3-6 and §3.1): for each decree number, the latest ballot begun on it, the decree it proposes,
//! which priests have voted in it and how many more a majority set needs; the moment a majority
//! set has voted, the decree has passed (Theorem 1: no other decree can pass under that number).
//! Then the statute book, with which ledgers hold each decree.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use crate::priest::{BallotNumber, Decree, DecreeNo, PriestId, Quorum, Vote, Weights};

/// How many decree numbers the ballots panel remembers; older ones leave the view.
pub const BALLOTS_KEPT: usize = 64;

/// How many decree numbers the statute book panel remembers, the newest; older ones leave the
/// view (a panel shows a screenful, and a long sitting passes hundreds of thousands).
pub const STATUTE_KEPT: usize = 4_096;

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

/// Ballots in flight and the statute book; majority sets are counted by the weights of the roll
/// in force for each decree number (§2.2, §3.3.6), which the caller gives.
#[derive(Clone, Debug, Default)]
pub struct Flight {
    ballots: BTreeMap<DecreeNo, InFlight>,
    /// By number, the lowest first: decrees pass in order, so nearly always the numbers run
    /// without a hole and a number's place is found by subtraction ([`Flight::place`]).
    statute: VecDeque<(DecreeNo, Statute)>,
}

impl Flight {
    /// Nothing in flight, an empty statute book.
    pub fn new() -> Self {
        Flight::default()
    }

    /// The least weight of a majority set of a roll: more than half its total (one vote a
    /// priest, unless the roll gives weights).
    pub fn majority(roll: &Weights) -> u64 {
        roll.total() / 2 + 1
    }

    /// How much more weight of votes `ballot` needs, by `roll` (the roll in force for its
    /// number), before a majority set has voted in it (0 once it has).
    pub fn needs(ballot: &InFlight, roll: &Weights) -> u64 {
        Flight::majority(roll).saturating_sub(roll.weight_of(ballot.voters))
    }

    /// A BeginBallot seen: the ballot is in flight, with no votes yet unless rows said so.
    pub fn begun(&mut self, decree_no: DecreeNo, ballot: BallotNumber, decree: &Decree) {
        self.latest(decree_no, ballot, decree);
    }

    /// A Voted row in `priest`'s ledger; `roll` is the roll in force for its decree number.
    pub fn vote(&mut self, priest: PriestId, vote: &Vote, at: Option<DateTime<Utc>>, roll: &Weights) {
        if let Some(b) = self.latest(vote.decree_no, vote.ballot, &vote.decree) {
            b.voters.insert(priest);
            if b.passed.is_none() && roll.is_majority(b.voters) {
                b.passed = Some(at);
            }
        }
    }

    /// A Decree row in `priest`'s ledger: the decree passed, and he holds it. Returns whether
    /// it is news: the first row of this number the book shows, one of another decree than the
    /// book shows there, or one below the numbers it keeps.
    pub fn decree(
        &mut self,
        priest: PriestId,
        decree_no: DecreeNo,
        decree: &Decree,
        at: Option<DateTime<Utc>>,
    ) -> bool {
        if let Some(b) = self.ballots.get_mut(&decree_no)
            && b.passed.is_none()
        {
            b.passed = Some(at);
        }
        if self.statute.len() >= STATUTE_KEPT && self.statute.front().is_some_and(|(k, _)| decree_no < *k) {
            return true;
        }
        let news = match self.place(decree_no) {
            Ok(i) => {
                let entry = &mut self.statute[i].1;
                entry.holders.insert(priest);
                entry.decree != *decree
            }
            Err(i) => {
                let mut holders = Quorum::default();
                holders.insert(priest);
                self.statute
                    .insert(i, (decree_no, Statute { decree: decree.clone(), holders, first_at: at }));
                true
            }
        };
        if self.statute.len() > STATUTE_KEPT {
            self.statute.pop_front();
        }
        news
    }

    /// Where `decree_no` is in the statute book (Ok), or where it would go (Err).
    fn place(&self, decree_no: DecreeNo) -> Result<usize, usize> {
        let (Some((first, _)), Some((last, _))) = (self.statute.front(), self.statute.back()) else {
            return Err(0);
        };
        if decree_no > *last {
            return Err(self.statute.len());
        }
        if decree_no >= *first && (last - first) as usize == self.statute.len() - 1 {
            return Ok((decree_no - first) as usize);
        }
        self.statute.binary_search_by_key(&decree_no, |(no, _)| *no)
    }

    /// The ballots in flight, the highest decree number first.
    pub fn ballots(&self) -> impl Iterator<Item = &InFlight> {
        self.ballots.values().rev()
    }

    /// The ballot on one decree number.
    pub fn ballot(&self, decree_no: DecreeNo) -> Option<&InFlight> {
        self.ballots.get(&decree_no)
    }

    /// Whether a ballot begun on `decree_no` would change nothing shown: a ballot as late is in
    /// flight on it already, or the panel is full of higher numbers and would let it go at once.
    pub fn knows_begun(&self, decree_no: DecreeNo, ballot: BallotNumber) -> bool {
        let full_above = self.ballots.len() >= BALLOTS_KEPT
            && self.ballots.first_key_value().is_some_and(|(&k, _)| decree_no < k);
        full_above || self.ballots.get(&decree_no).is_some_and(|b| b.ballot >= ballot)
    }

    /// The statute book, newest decree first.
    pub fn statute(&self) -> impl Iterator<Item = (DecreeNo, &Statute)> {
        self.statute.iter().rev().map(|(no, s)| (*no, s))
    }

    /// Whether the statute book holds a decree under this number.
    pub fn holds(&self, decree_no: DecreeNo) -> bool {
        self.place(decree_no).is_ok()
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
        if self.ballots.len() >= BALLOTS_KEPT
            && self.ballots.first_key_value().is_some_and(|(&k, _)| decree_no < k)
        {
            // Below every number shown and the panel full: it would leave at once (the second
            // ledger read of a busy refresh brings thousands of these).
            return None;
        }
        let known = self.holds(decree_no);
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
        let five = Weights::equal(5);
        let mut f = Flight::new();
        f.vote(PriestId(0), &vote(3, 1, 0, "a"), None, &five);
        f.vote(PriestId(1), &vote(3, 1, 0, "a"), None, &five);
        assert_eq!(Flight::needs(f.ballot(3).unwrap(), &five), 1);
        f.vote(PriestId(4), &vote(3, 2, 4, "a"), None, &five);
        let b = f.ballot(3).unwrap();
        assert_eq!(
            (b.ballot.round, b.voters.len(), Flight::needs(b, &five)),
            (2, 1, 2),
            "the new ballot starts afresh"
        );
        f.vote(PriestId(2), &vote(3, 1, 0, "a"), None, &five);
        assert_eq!(f.ballot(3).unwrap().voters.len(), 1, "a vote in the older ballot does not count here");
    }

    /// Under load a hushed BeginBallot is skipped when [`Flight::knows_begun`] says so: that must
    /// be exactly when [`Flight::begun`] would change nothing.
    #[test]
    fn knows_begun_is_true_exactly_when_begun_changes_nothing() {
        let mut f = Flight::new();
        let b = |round: u64| BallotNumber::new(round, PriestId(1));
        for no in 10..10 + BALLOTS_KEPT as u64 {
            f.begun(no, b(2), &Decree::OliveDay);
        }
        for (no, round) in [(3, 1), (9, 9), (10, 1), (10, 2), (10, 3), (40, 2), (500, 1)] {
            let before = format!("{f:?}");
            let knows = f.knows_begun(no, b(round));
            let mut after = f.clone();
            after.begun(no, b(round), &Decree::OliveDay);
            assert_eq!(knows, format!("{after:?}") == before, "decree {no}, ballot {round}");
        }
        assert!(!Flight::new().knows_begun(3, b(1)), "a panel not yet full keeps a low number");
    }

    #[test]
    fn a_decree_row_marks_its_ballot_passed_and_fills_the_statute_book() {
        let mut f = Flight::new();
        f.begun(1, BallotNumber::new(1, PriestId(2)), &Decree::OliveDay);
        assert_eq!(f.ballot(1).unwrap().passed, None);
        assert!(f.decree(PriestId(1), 1, &Decree::OliveDay, None), "the first row of a number is news");
        assert!(!f.decree(PriestId(0), 1, &Decree::OliveDay, None), "another ledger's copy is not");
        f.decree(PriestId(0), 2, &Decree::OliveDay, None);
        assert_eq!(f.ballot(1).unwrap().passed, Some(None));
        let book: Vec<(DecreeNo, usize)> = f.statute().map(|(no, s)| (no, s.holders.len())).collect();
        assert_eq!(book, vec![(2, 1), (1, 2)], "newest first, with how many ledgers hold each");
        let other = Decree::Law(crate::priest::Petition::new("p", "Lamps"));
        assert!(f.decree(PriestId(2), 1, &other, None), "a ledger holding another decree is news");
    }

    /// A long sitting's statute book keeps its newest numbers only; a row below them is news
    /// (its petition is looked for), and leaves the book as it was.
    #[test]
    fn the_statute_book_keeps_its_newest_numbers() {
        let mut f = Flight::new();
        let last = STATUTE_KEPT as DecreeNo + 10;
        for no in 1..=last {
            f.decree(PriestId(0), no, &Decree::OliveDay, None);
        }
        assert_eq!(f.statute().count(), STATUTE_KEPT);
        assert_eq!(f.statute().next().map(|(no, _)| no), Some(last));
        assert_eq!(f.statute().last().map(|(no, _)| no), Some(11));
        assert!(f.decree(PriestId(1), 3, &Decree::OliveDay, None), "below the book: news");
        assert_eq!(f.statute().last().map(|(no, _)| no), Some(11), "and not kept");
    }

    /// The statute book keeps its newest numbers in a row, found by subtraction where they run
    /// without a hole: in any order, with holes, copies and numbers below the book, it holds
    /// what a map of the newest STATUTE_KEPT numbers would, and says news the same.
    #[test]
    fn the_statute_book_in_a_row_holds_what_a_map_of_the_newest_numbers_would() {
        let mut rng = crate::rng::Rng::new(7);
        let mut f = Flight::new();
        let mut map: BTreeMap<DecreeNo, (Quorum, Decree)> = BTreeMap::new();
        let mut next = 1;
        for _ in 0..40_000 {
            let no = match rng.below(10) {
                0 => next + rng.below(5),                          // ahead, leaving a hole
                1 => next.saturating_sub(rng.below(6_000)).max(1), // far behind
                _ => next.saturating_sub(rng.below(3)).max(1),     // a copy in another ledger
            };
            next = next.max(no + 1);
            let priest = PriestId(rng.below(5) as u16);
            let decree =
                if rng.chance(0.01) { Decree::OliveDay } else { Decree::Law(Petition::new("p", "t")) };
            let below = map.len() >= STATUTE_KEPT && map.first_key_value().is_some_and(|(&k, _)| no < k);
            let news = if below {
                true
            } else {
                let fresh = !map.contains_key(&no);
                let entry = map.entry(no).or_insert_with(|| (Quorum::default(), decree.clone()));
                entry.0.insert(priest);
                let news = fresh || entry.1 != decree;
                if map.len() > STATUTE_KEPT {
                    map.pop_first();
                }
                news
            };
            assert_eq!(f.decree(priest, no, &decree, None), news, "decree {no}");
            assert_eq!(f.holds(no), map.contains_key(&no));
        }
        let ours: Vec<_> = f.statute().map(|(no, s)| (no, s.holders, s.decree.clone())).collect();
        let theirs: Vec<_> = map.iter().rev().map(|(no, (h, d))| (*no, *h, d.clone())).collect();
        assert_eq!(ours, theirs);
    }
}
