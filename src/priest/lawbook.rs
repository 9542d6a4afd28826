//! Law books (§3.3.2): "ledgers became law books", holding the statute book through some decree
//! number, with recent decrees kept in the back of the ledger so that a priest away briefly can
//! still catch up from them.
//!
//! The priest's part is pure. When his statute book runs far enough past his law book
//! ([`Priest::volume_to_close`]), he names the decrees his law book should now cover and the rows
//! his next ledger volume must begin with: what he must never forget (lastTried, nextBal, his votes
//! not yet decreed, as the paper's prevVote, and what a LastVote for nextBal tells), and the decrees
//! kept in the back. Whoever keeps his books writes and syncs both before calling
//! [`Priest::closed_volume`]; only then does he forget those decrees. A priest who lacks more
//! decrees than the others keep in the back gets their law book ([`Priest::adopt_law_book`]).
//!
//! A priest never answers NextBallot(b, n) for n below his law book: his LastVote could not tell
//! the decrees numbered n+1 to his law book's end, and a president who does not know them must not
//! begin ballots there. He answers with how far his book runs, and the president catches up first
//! (the paper's lesson of Ωκι, §3.3.1).

use super::core::Priest;
use std::collections::BTreeMap;

use super::decree::{Decree, DecreeNo, PetitionId};
use super::ledger::{Durable, LedgerDamage, Record};
use super::roll::RollChange;
use super::{Config, PriestId};

/// A ledger volume ready to be closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    /// The law book will run through this decree.
    pub through: DecreeNo,
    /// The decrees the law book gains: every number after the old law book's end, up to `through`.
    pub laws: Vec<(DecreeNo, Decree)>,
    /// The rows the next volume begins with ([`Durable::restatement`] after the close).
    pub restated: Vec<Record>,
}

impl Durable {
    /// A durable state whose law book runs through `through` and whose ledger is empty.
    pub fn with_law_book(through: DecreeNo) -> Durable {
        Durable { law_through: through, known: through, ..Durable::default() }
    }

    /// His law book now covers every decree through `through`: those decrees, his votes on them and
    /// the petitions they passed leave his memory. `through` may run past what he knew (a law book
    /// from another priest, state transfer); decrees he holds aside above it stay.
    pub fn close_through(&mut self, through: DecreeNo) {
        if through <= self.law_through {
            return;
        }
        self.law_through = through;
        self.decrees = self.decrees.split_off(&(through + 1));
        self.prev_votes = self.prev_votes.split_off(&(through + 1));
        self.last_votes = self.last_votes.split_off(&(through + 1));
        // The petitions of membership decrees stay (a few): a void repeat of one above the law
        // book must still be known as a repeat, or it would change the roll again (§3.3.6).
        let membership = &self.roll_changes;
        self.passed.retain(|_, no| *no > through || membership.contains_key(no));
        self.known = self.known.max(through);
        while self.decrees.contains_key(&(self.known + 1)) {
            self.known += 1;
        }
    }

    /// The rows that, applied onto [`Durable::with_law_book`], rebuild this state exactly: his
    /// lastTried, the votes a LastVote for nextBal tells, nextBal, his later votes, then every
    /// decree he holds past his law book.
    pub fn restatement(&self) -> Vec<Record> {
        let mut rows = Vec::new();
        if let Some(ballot) = self.last_tried {
            rows.push(Record::Tried { ballot });
        }
        // Written before the promise, so the promise takes them in as what a LastVote tells.
        rows.extend(self.last_votes.values().cloned().map(Record::Voted));
        if let Some(ballot) = self.next_bal {
            rows.push(Record::Promised { ballot });
        }
        for (no, vote) in &self.prev_votes {
            if self.last_votes.get(no) != Some(vote) {
                rows.push(Record::Voted(vote.clone()));
            }
        }
        for (&decree_no, decree) in &self.decrees {
            rows.push(Record::Decree { decree_no, decree: decree.clone() });
        }
        rows
    }
}

impl Priest {
    /// A priest coming back from a crash: rebuilt from his law book (which runs through
    /// `law_through`, with the membership decrees it holds and the petitions they made law) and
    /// the live volume of his ledger.
    pub fn restore_with_law_book<'a>(
        id: PriestId,
        config: Config,
        law_through: DecreeNo,
        roll_changes: &BTreeMap<DecreeNo, (RollChange, PetitionId)>,
        rows: impl IntoIterator<Item = &'a Record>,
    ) -> Result<Priest, LedgerDamage> {
        let mut priest = Priest::restore(id, config, std::iter::empty())?;
        let mut start = Durable::with_law_book(law_through);
        for (&n, (c, petition)) in roll_changes.range(..=law_through) {
            start.roll_changes.insert(n, *c);
            start.passed.insert(petition.clone(), n);
        }
        let forgotten = |r: &&Record| match r {
            Record::Promised { .. } => priest.config.has(super::PlantedBug::ForgetPromise),
            Record::Voted(_) => priest.config.has(super::PlantedBug::ForgetVote),
            Record::Tried { .. } => priest.config.has(super::PlantedBug::ReuseBallot),
            Record::Decree { .. } => false,
        };
        priest.durable = Durable::restore_onto(start, id, rows.into_iter().filter(|r| !forgotten(r)))?;
        priest.roll_law = super::core::roll_law(&priest.config, &priest.durable);
        Ok(priest)
    }

    /// The volume to close now, if his statute book runs `2 × volume_decrees` past his law book:
    /// the law book then takes all but the last `volume_decrees` decrees, which stay in the back.
    pub fn volume_to_close(&self) -> Option<Volume> {
        let k = self.config.volume_decrees;
        let d = &self.durable;
        if k == 0 || d.known < d.law_through + 2 * k {
            return None;
        }
        let through = d.known - k;
        let laws = d.decrees.range(..=through).map(|(&no, dec)| (no, dec.clone())).collect();
        let mut after = d.clone();
        after.close_through(through);
        Some(Volume { through, laws, restated: after.restatement() })
    }

    /// His law book through `through` and his new volume are written and synced: he forgets what
    /// they now hold.
    pub fn closed_volume(&mut self, through: DecreeNo) {
        assert!(through <= self.durable.known, "a law book of his own holds only decrees he knows");
        self.durable.close_through(through);
    }

    /// A law book through `through` from another priest is written and synced as his own (state
    /// transfer): he knows every decree through it. `laws` are the decrees it gave him that his
    /// own law book lacked: the petitions they made law he stops holding, and the membership
    /// decrees among them he keeps (§3.3.6). A presidency begun below it is given up, to begin
    /// again above.
    pub fn adopt_law_book(&mut self, through: DecreeNo, laws: &[(DecreeNo, Decree)]) {
        if through <= self.durable.law_through {
            return;
        }
        for (decree_no, decree) in laws {
            let Some(p) = decree.petition() else { continue };
            if let Some(seq) = self.slip.petition_seqs.remove(&p.id) {
                self.slip.petitions.remove(&seq);
            }
            // Only the first decree carrying a membership petition changes the roll; a later one
            // is a void repeat (§3.3.6).
            if let Some(change) = p.change
                && self.durable.passed.get(&p.id).is_none_or(|first| first > decree_no)
            {
                if let Some(later) = self.durable.passed.insert(p.id.clone(), *decree_no) {
                    self.durable.roll_changes.remove(&later);
                }
                self.durable.roll_changes.insert(*decree_no, change);
            }
        }
        self.durable.close_through(through);
        self.roll_law = super::core::roll_law(&self.config, &self.durable);
        if self.slip.presidency.as_ref().is_some_and(|p| p.decree_no < through) {
            self.slip.presidency = None;
        }
    }

    /// How far his law book runs.
    pub fn law_through(&self) -> DecreeNo {
        self.durable.law_through
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, Input, Message, Petition, RollChange, Step, Vote};

    fn law(text: &str) -> Decree {
        Decree::Law(Petition::new(text, text))
    }

    /// The rows a new volume begins with rebuild exactly what he must never forget, including a
    /// vote below his promise that a later vote in the promised ballot replaced as prevVote (a
    /// LastVote for nextBal still tells the older one, issue 17).
    #[test]
    fn a_new_volume_restates_what_he_must_never_forget() {
        let me = PriestId(0);
        let (b1, b5) = (BallotNumber::new(1, PriestId(1)), BallotNumber::new(5, PriestId(2)));
        let mine = BallotNumber::new(3, me);
        let mut rows = vec![Record::Tried { ballot: mine }];
        for no in 1..=12 {
            rows.push(Record::Decree { decree_no: no, decree: law(&format!("d{no}")) });
        }
        rows.extend([
            Record::Decree { decree_no: 15, decree: law("aside") },
            Record::Promised { ballot: b1 },
            Record::Voted(Vote { decree_no: 13, ballot: b1, decree: law("old") }),
            Record::Voted(Vote { decree_no: 14, ballot: b1, decree: law("kept") }),
            Record::Promised { ballot: b5 },
            Record::Voted(Vote { decree_no: 13, ballot: b5, decree: law("new") }),
            Record::Voted(Vote { decree_no: 16, ballot: b5, decree: law("later") }),
        ]);
        let mut whole = Durable::restore(me, &rows).unwrap();
        whole.close_through(10);
        assert_eq!((whole.law_through, whole.known), (10, 12));
        let rebuilt = Durable::restore_onto(Durable::with_law_book(10), me, &whole.restatement()).unwrap();
        assert_eq!(rebuilt, whole);
        assert_eq!(rebuilt.last_votes[&13].ballot, b1, "the LastVote for 5 still tells the vote in 1");
        assert_eq!(rebuilt.decrees.keys().copied().collect::<Vec<_>>(), [11, 12, 15]);
        // Rows about decrees the law book holds change nothing.
        let mut again = rebuilt.clone();
        assert!(!again.apply(&Record::Decree { decree_no: 3, decree: law("other") }));
        assert!(!again.apply(&Record::Voted(Vote { decree_no: 9, ballot: b5, decree: law("x") })));
        assert_eq!(again, rebuilt);
    }

    #[test]
    fn a_volume_closes_when_his_book_runs_twice_the_back_past_his_law_book() {
        let mut config = Config::new(3);
        config.volume_decrees = 4;
        let rows: Vec<_> = (1..=7).map(|no| Record::Decree { decree_no: no, decree: law("d") }).collect();
        let mut priest = Priest::restore(PriestId(0), config, &rows).unwrap();
        assert_eq!(priest.volume_to_close(), None, "7 < 0 + 2 × 4");
        let mut step = Step::default();
        let decree = law("eighth");
        priest.handle(
            Input::Message { from: PriestId(1), message: Message::Success { decree_no: 8, decree } },
            &mut step,
        );
        let volume = priest.volume_to_close().expect("8 ≥ 2 × 4");
        assert_eq!((volume.through, volume.laws.len()), (4, 4));
        assert_eq!(volume.restated.len(), 4, "decrees 5 to 8 stay in the back");
        priest.closed_volume(volume.through);
        assert_eq!((priest.law_through(), priest.durable().known, priest.durable().decrees.len()), (4, 8, 4));
    }

    /// §3.3.6 with a law book: a membership decree repeated (void) above a law book that holds
    /// the first one changes no roll. His memory of passed petitions stops at his law book, so a
    /// priest who had closed a volume took the repeat for a new admission, undoing the dismissal
    /// between, while a priest who had not saw it void: two rolls in force for one number.
    #[test]
    fn a_membership_decree_repeated_above_a_law_book_changes_no_roll() {
        let me = PriestId(0);
        let admit = RollChange { priest: PriestId(3), weight: 1 };
        let dismiss = RollChange { priest: PriestId(3), weight: 0 };
        let admitted = Decree::Law(Petition::membership("m1", "Dwork is now a legislator", admit));
        let dismissed = Decree::Law(Petition::membership("m2", "Dwork is no longer a legislator", dismiss));
        let decree = |no: u64| match no {
            5 => admitted.clone(),
            8 => dismissed.clone(),
            _ => law(&format!("d{no}")),
        };
        let rows: Vec<_> = (1..=11).map(|no| Record::Decree { decree_no: no, decree: decree(no) }).collect();
        let repeat = Record::Decree { decree_no: 12, decree: admitted.clone() };
        let mut whole = Durable::restore(me, &rows).unwrap();
        let mut closed = whole.clone();
        closed.close_through(10);
        let mut book_roll = BTreeMap::new();
        book_roll.insert(5, (admit, admitted.petition().unwrap().id.clone()));
        book_roll.insert(8, (dismiss, dismissed.petition().unwrap().id.clone()));
        let mut restored =
            Priest::restore_with_law_book(me, Config::new(4), 10, &book_roll, &rows[10..]).unwrap().durable;
        let mut adopted = Priest::restore(me, Config::new(4), &rows[..2]).unwrap();
        let mut laws: Vec<_> = (3..=11).map(|no| (no, decree(no))).collect();
        laws.push((12, admitted.clone()));
        adopted.adopt_law_book(12, &laws);
        for d in [&mut whole, &mut closed, &mut restored] {
            d.apply(&repeat);
        }
        let expected: BTreeMap<_, _> = [(5, admit), (8, dismiss)].into();
        assert_eq!(whole.roll_changes, expected);
        assert_eq!(closed.roll_changes, expected, "after closing a volume");
        assert_eq!(restored.roll_changes, expected, "restored from his law book");
        assert_eq!(adopted.durable.roll_changes, expected, "from another priest's law book");
    }

    /// A LastVote cannot tell decrees that are only in his law book, so he does not promise a
    /// president who asks from below it; he tells him how far his book runs.
    #[test]
    fn a_priest_never_promises_below_his_law_book() {
        let config = Config::new(3);
        let mut priest =
            Priest::restore_with_law_book(PriestId(0), config, 10, &BTreeMap::new(), &[]).unwrap();
        let ballot = BallotNumber::new(1, PriestId(2));
        let mut step = Step::default();
        let asked = Message::NextBallot { ballot, decree_no: 5 };
        priest.handle(Input::Message { from: PriestId(2), message: asked }, &mut step);
        assert!(step.records.is_empty(), "no promise: {:?}", step.records);
        assert!(matches!(step.messages[..], [ref e] if e.message == Message::Heartbeat { known: 10 }));
        let mut step = Step::default();
        let begun = Message::BeginBallot { ballot, decree_no: 7, decree: Decree::OliveDay };
        priest.handle(Input::Message { from: PriestId(2), message: begun }, &mut step);
        assert!(step.records.is_empty(), "no vote on a decree his law book holds");
        let mut step = Step::default();
        let asked = Message::NextBallot { ballot, decree_no: 10 };
        priest.handle(Input::Message { from: PriestId(2), message: asked }, &mut step);
        assert_eq!(step.records, [Record::Promised { ballot }]);
    }

    /// Found by the audit of a simulated run: a president who closed a volume between his
    /// NextBallot and his majority set's answers began ballots again on decrees his law book
    /// already held (voting in none of them himself, so his BeginBallots were backed by nothing).
    #[test]
    fn a_president_never_begins_a_ballot_on_a_decree_in_his_law_book() {
        let me = PriestId(2);
        let rows: Vec<_> = (1..=3).map(|no| Record::Decree { decree_no: no, decree: law("d") }).collect();
        let mut priest = Priest::restore(me, Config::new(3), &rows).unwrap();
        let mut step = Step::default();
        while priest.presidency().is_none() {
            priest.handle(Input::Tick, &mut step);
        }
        let ballot = priest.presidency().expect("he presides");
        for no in 4..=6 {
            let success = Message::Success { decree_no: no, decree: law(&format!("d{no}")) };
            priest.handle(Input::Message { from: PriestId(1), message: success }, &mut step);
        }
        priest.closed_volume(4);
        let mut step = Step::default();
        let old = Vote { decree_no: 4, ballot: BallotNumber::new(1, PriestId(0)), decree: law("stale") };
        let answer = Message::LastVote { ballot, decree_no: 3, known: 3, votes: vec![old], decrees: vec![] };
        priest.handle(Input::Message { from: PriestId(1), message: answer }, &mut step);
        let begun: Vec<_> = step
            .messages
            .iter()
            .filter_map(|e| match &e.message {
                Message::BeginBallot { decree_no, .. } => Some(*decree_no),
                _ => None,
            })
            .collect();
        assert!(begun.iter().all(|&no| no > 6), "ballots begun on {begun:?}");
    }
}
