//! What another priest's ledger holds, so that a message claiming to come from him can be checked
//! against it: every message is a pure function of its sender's ledger (§2.3), so a row in a
//! messagebook that his ledger does not back was written by someone else, and is refused.

use std::collections::{BTreeMap, BTreeSet};

use crate::priest::{BallotNumber, Decree, DecreeNo, FixedMap, Message, Record};

/// The rows of one priest's ledger, indexed for checking messages he is said to have sent: only
/// what a message can cite (his ballots tried and promised, his votes, his decrees and how far
/// his statute book runs without a gap), not his whole durable state, which the president would
/// otherwise rebuild for every voter on every row.
#[derive(Debug, Default)]
pub struct LedgerIndex {
    tried: BTreeSet<BallotNumber>,
    promised: BTreeSet<BallotNumber>,
    votes: FixedMap<(DecreeNo, BallotNumber), Decree>,
    /// His decrees past his law book, by number: the first row of each is his (a later one for
    /// the same number is never written by a priest keeping the rules, and changes nothing).
    decrees: BTreeMap<DecreeNo, Decree>,
    /// Every decree up to this one is known to him (in his law book or his ledger).
    known: DecreeNo,
    /// His law book runs through this decree (§3.3.2).
    law_through: DecreeNo,
    /// Keep only his votes on the last this many decree numbers he knows (None: every vote, as
    /// the audit needs): a priest at work would otherwise hold every vote of every other priest
    /// for as long as he sits.
    keep: Option<DecreeNo>,
    /// His votes on decree numbers below this one are no longer held.
    kept_from: DecreeNo,
}

impl LedgerIndex {
    /// An index that keeps his votes on only the last `keep` decree numbers he knows: a message
    /// citing an older vote is [`LedgerIndex::long_decided`], neither backed nor refused.
    pub fn keeping(keep: DecreeNo) -> LedgerIndex {
        LedgerIndex { keep: Some(keep), ..LedgerIndex::default() }
    }

    /// Whether this message cites only votes on decree numbers whose votes are no longer held:
    /// decided long ago (`keep` decrees before the last he knows), so it can change nothing, and
    /// it can no longer be checked.
    pub fn long_decided(&self, message: &Message) -> bool {
        let old = |no: &DecreeNo| *no < self.kept_from;
        match message {
            Message::Voted { decree_no, .. } | Message::BeginBallot { decree_no, .. } => old(decree_no),
            Message::LastVote { votes, .. } => !votes.is_empty() && votes.iter().all(|v| old(&v.decree_no)),
            _ => false,
        }
    }

    /// Drops his votes on numbers more than `keep` below the last he knows, once that many more
    /// have come (so the cost is a fraction of a step a row).
    fn forget_old_votes(&mut self) {
        let Some(keep) = self.keep else { return };
        if self.known < self.kept_from + 2 * keep {
            return;
        }
        self.kept_from = self.known + 1 - keep;
        let from = self.kept_from;
        self.votes.retain(|(no, _), _| *no >= from);
    }

    /// Adds the next row of his ledger.
    pub fn add(&mut self, record: &Record) {
        match record {
            Record::Tried { ballot } => {
                self.tried.insert(*ballot);
            }
            Record::Promised { ballot } => {
                self.promised.insert(*ballot);
            }
            Record::Voted(v) => {
                self.votes.insert((v.decree_no, v.ballot), v.decree.clone());
            }
            Record::Decree { decree_no, decree } => {
                if *decree_no <= self.law_through || self.decrees.contains_key(decree_no) {
                    return;
                }
                self.decrees.insert(*decree_no, decree.clone());
                self.run_on();
                self.forget_old_votes();
            }
        }
    }

    /// His law book runs through `through` (§3.3.2): he knows every decree up to it.
    pub fn law_book_through(&mut self, through: DecreeNo) {
        if through <= self.known || through <= self.law_through {
            return;
        }
        self.law_through = through;
        self.decrees = self.decrees.split_off(&(through + 1));
        self.known = through;
        self.run_on();
    }

    /// Moves `known` on over the decrees that follow it without a gap.
    fn run_on(&mut self) {
        while self.decrees.contains_key(&(self.known + 1)) {
            self.known += 1;
        }
    }

    /// Every decree up to this one is known to him, as his ledger and law book say.
    pub fn known(&self) -> DecreeNo {
        self.known
    }

    /// Whether his ledger backs this message; if not, what is missing.
    pub fn backs(&self, message: &Message) -> Result<(), String> {
        let vote = |no: DecreeNo, b: BallotNumber, d: Option<&Decree>| match self.votes.get(&(no, b)) {
            Some(v) if d.is_none_or(|d| d == v) => Ok(()),
            Some(v) => Err(format!(
                "his ledger has his vote in ballot {b:?} on decree {no} for {v}, not this decree"
            )),
            None => Err(format!("his ledger has no vote in that ballot on decree {no}")),
        };
        let decree = |no: DecreeNo, d: &Decree| match self.decrees.get(&no) {
            Some(known) if known == d => Ok(()),
            Some(known) => Err(format!("his ledger has decree {no} as {known}")),
            None => Err(format!("his ledger has no decree {no}")),
        };
        match message {
            Message::NextBallot { ballot, .. } if !self.tried.contains(ballot) => {
                Err("his ledger never tried that ballot".to_string())
            }
            Message::LastVote { ballot, votes, decrees, .. } => {
                if !self.promised.contains(ballot) {
                    return Err("his ledger never promised that ballot".to_string());
                }
                votes.iter().try_for_each(|v| vote(v.decree_no, v.ballot, Some(&v.decree)))?;
                decrees.iter().try_for_each(|(no, d)| decree(*no, d))
            }
            Message::BeginBallot { ballot, decree_no, decree: d } => {
                if !self.tried.contains(ballot) {
                    return Err("his ledger never tried that ballot".to_string());
                }
                vote(*decree_no, *ballot, Some(d))
            }
            Message::Voted { ballot, decree_no } => vote(*decree_no, *ballot, None),
            Message::Success { decree_no, decree: d } => decree(*decree_no, d),
            Message::Rejected { next_bal, .. } if !self.promised.contains(next_bal) => {
                Err("his ledger never promised the ballot he cites".to_string())
            }
            Message::Heartbeat { known } if *known > self.known => {
                Err(format!("his ledger runs only to decree {}", self.known))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{Petition, PriestId, Vote};

    #[test]
    fn only_what_the_ledger_holds_is_backed() {
        let b = BallotNumber::new(1, PriestId(0));
        let law = Decree::Law(Petition::new("p", "Lamps must use only olive oil"));
        let mut index = LedgerIndex::default();
        assert!(index.backs(&Message::Voted { ballot: b, decree_no: 1 }).is_err());
        index.add(&Record::Tried { ballot: b });
        index.add(&Record::Promised { ballot: b });
        index.add(&Record::Voted(Vote { decree_no: 1, ballot: b, decree: law.clone() }));
        assert!(index.backs(&Message::Voted { ballot: b, decree_no: 1 }).is_ok());
        assert!(index.backs(&Message::BeginBallot { ballot: b, decree_no: 1, decree: law.clone() }).is_ok());
        let forged = Message::BeginBallot { ballot: b, decree_no: 1, decree: Decree::OliveDay };
        assert!(index.backs(&forged).is_err(), "a BeginBallot must carry the decree he voted for");
        assert!(index.backs(&Message::Success { decree_no: 1, decree: law.clone() }).is_err());
        index.add(&Record::Decree { decree_no: 1, decree: law.clone() });
        assert!(index.backs(&Message::Success { decree_no: 1, decree: law }).is_ok());
        assert!(index.backs(&Message::Heartbeat { known: 2 }).is_err());
    }

    /// A priest at work keeps the votes of the last few thousand decrees of each other ledger,
    /// not every vote for as long as he sits; a message citing a vote older than that is long
    /// decided, set aside rather than called forged.
    #[test]
    fn a_working_index_holds_a_bounded_number_of_votes() {
        let b = BallotNumber::new(1, PriestId(0));
        let law = |n: u64| Decree::Law(Petition::new(&format!("p{n}"), "Lamps must use only olive oil"));
        let (mut kept, mut all) = (LedgerIndex::keeping(100), LedgerIndex::default());
        for n in 1..=1_000 {
            for index in [&mut kept, &mut all] {
                index.add(&Record::Voted(Vote { decree_no: n, ballot: b, decree: law(n) }));
                index.add(&Record::Decree { decree_no: n, decree: law(n) });
            }
        }
        assert!(
            kept.votes.len() <= 200 && all.votes.len() == 1_000,
            "{} {}",
            kept.votes.len(),
            all.votes.len()
        );
        let recent = Message::Voted { ballot: b, decree_no: 990 };
        assert!(kept.backs(&recent).is_ok() && !kept.long_decided(&recent));
        let old = Message::Voted { ballot: b, decree_no: 10 };
        assert!(kept.backs(&old).is_err() && kept.long_decided(&old), "set aside, not refused");
        assert!(all.backs(&old).is_ok() && !all.long_decided(&old), "the audit's index keeps every vote");
        let never = Message::Voted { ballot: BallotNumber::new(7, PriestId(0)), decree_no: 995 };
        assert!(kept.backs(&never).is_err() && !kept.long_decided(&never), "a recent forgery is refused");
    }
}
