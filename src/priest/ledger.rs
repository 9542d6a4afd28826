//! What a priest writes in his ledger, in indelible ink (§2.3, Appendix A1), and how he rebuilds
//! himself from it after leaving the Chamber.
//!
//! The ledger holds `lastTried`, `nextBal`, `prevVote` and the decrees he knows; everything else is
//! on the slip of paper and lost in a crash. A ledger is only ever appended to, so the durable state
//! is the fold of its rows in order.

use std::collections::BTreeMap;

use super::ballot::{BallotNumber, PriestId};
use super::decree::{Decree, DecreeNo, FixedMap, PetitionId};
use super::message::Vote;
use super::roll::RollChange;

/// One ledger row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    /// lastTried[p] := ballot: written before the NextBallot carrying it leaves (B1).
    Tried { ballot: BallotNumber },
    /// nextBal[p] := ballot: the promise, written before the LastVote carrying it leaves.
    Promised { ballot: BallotNumber },
    /// prevVote[p] := vote: written before the Voted message leaves.
    Voted(Vote),
    /// A decree passed: the statute book.
    Decree { decree_no: DecreeNo, decree: Decree },
}

impl Record {
    /// Whether a step writing this row must sync before its messages leave.
    ///
    /// `Tried`, `Promised` and `Voted` are promises (B1, B3, the votes a majority set counts):
    /// a message carrying one must never outlive the row, or a priest back from a crash could
    /// break the promise. A `Decree` row promises nothing: it writes down what a majority's synced
    /// `Voted` rows already fixed (§2.3 step 5-6: the decree is passed once they voted, whoever
    /// writes it down). A `Success` or a LastVote's known decrees is true whether or not the
    /// sender's `Decree` row survives; a priest who loses it in a crash of the machine still holds
    /// his synced `Voted` row for that decree, so he knows less, never something else, and learns
    /// it again (an Inquiry, the next Success). So a step whose rows are all `Decree` rows is not
    /// synced on its own; those rows become durable with the priest's next sync (a sync makes
    /// everything written before it durable). The simulator loses such rows at crashes to show it.
    /// On the light-load path a voter may learn a decree in the very step that writes his own
    /// vote, counted in its majority set (`voting.rs`): the `Decree` row follows the `Voted` row
    /// in the same append, the step is synced for the vote, and a crash takes only a tail of
    /// what was written since the last sync, so no ledger keeps that decree without that vote.
    pub fn needs_sync(&self) -> bool {
        !matches!(self, Record::Decree { .. })
    }
}

/// Why a ledger cannot be trusted: a priest with such a ledger refuses to vote.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerDamage {
    /// Two rows give one decree number two different decrees.
    #[error("row {row}: decree {decree_no} is written twice with different texts")]
    DecreeRewritten { row: usize, decree_no: DecreeNo },
    /// A ballot tried that the priest does not own, or not above his previous one.
    #[error("row {row}: ballot {ballot} tried out of order or by the wrong priest")]
    TriedOutOfOrder { row: usize, ballot: BallotNumber },
    /// A promise below an earlier promise.
    #[error("row {row}: promise {ballot} is below an earlier promise")]
    PromiseWentBack { row: usize, ballot: BallotNumber },
}

/// Which decree made each petition law ([`Durable::passed`]): looked up for every petition and
/// every decree row, so by hash with a fixed seed, not by comparing ids along a tree. Equal and
/// hashed alike whatever order it was filled in (the model checker hashes whole states).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Passed(pub FixedMap<PetitionId, DecreeNo>);

impl std::hash::Hash for Passed {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        use std::hash::BuildHasher;
        // A sum of each entry's own hash: the same for the same entries in any order.
        let each = foldhash::fast::FixedState::default();
        let sum = self.0.iter().fold(0u64, |sum, entry| sum.wrapping_add(each.hash_one(entry)));
        state.write_usize(self.0.len());
        state.write_u64(sum);
    }
}

impl std::ops::Deref for Passed {
    type Target = FixedMap<PetitionId, DecreeNo>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Passed {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The durable state: exactly what the ledger's rows say, nothing from the slip of paper.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Durable {
    /// lastTried: the latest ballot this priest tried.
    pub last_tried: Option<BallotNumber>,
    /// nextBal: the highest ballot this priest promised.
    pub next_bal: Option<BallotNumber>,
    /// prevVote, per decree number whose decree he does not yet know.
    pub prev_votes: BTreeMap<DecreeNo, Vote>,
    /// What every LastVote for nextBal reports (§2.3 step 2): per decree number he does not yet
    /// know, his latest vote in a ballot below nextBal. It is prevVote as it stood when he wrote
    /// his Promised(nextBal) row, so votes he cast in nextBal itself afterwards are not in it.
    pub last_votes: BTreeMap<DecreeNo, Vote>,
    /// The statute book: every decree he knows, by number (holes allowed, §3.3.2).
    pub decrees: BTreeMap<DecreeNo, Decree>,
    /// Every decree number up to this one is known (the statute book runs without a gap).
    pub known: DecreeNo,
    /// Which decree made each petition law: the lowest number carrying it. A petition can be
    /// carried by a second, later decree (a president is bound by B3 to repeat a stale vote for
    /// it); that later decree is a void repeat, kept for agreement, giving no new law.
    pub passed: Passed,
    /// His law book runs through this decree (§3.3.2): every decree up to it is in his law book,
    /// not in `decrees`, and rows about them change nothing (`lawbook.rs`).
    pub law_through: DecreeNo,
    /// Every membership decree he knows (§3.3.6), kept when his law book takes the decrees that
    /// carried them: the roll in force for later numbers depends on them.
    pub roll_changes: BTreeMap<DecreeNo, RollChange>,
}

impl Durable {
    /// Applies one row, as writing it does; returns false if the row changed nothing.
    pub fn apply(&mut self, record: &Record) -> bool {
        match record {
            Record::Tried { ballot } => {
                self.last_tried = self.last_tried.max(Some(*ballot));
            }
            Record::Promised { ballot } => {
                if Some(*ballot) > self.next_bal {
                    let below = self.prev_votes.iter().filter(|(_, v)| v.ballot < *ballot);
                    self.last_votes = below.map(|(&no, v)| (no, v.clone())).collect();
                    self.next_bal = Some(*ballot);
                }
            }
            Record::Voted(vote) => {
                if vote.decree_no <= self.law_through || self.decrees.contains_key(&vote.decree_no) {
                    return false;
                }
                self.prev_votes.insert(vote.decree_no, vote.clone());
                if Some(vote.ballot) < self.next_bal {
                    self.last_votes.insert(vote.decree_no, vote.clone());
                }
            }
            Record::Decree { decree_no, decree } => {
                if *decree_no <= self.law_through || self.decrees.contains_key(decree_no) {
                    return false;
                }
                self.prev_votes.remove(decree_no);
                self.last_votes.remove(decree_no);
                if let Decree::Law(p) = decree {
                    let earlier = self.passed.get(&p.id).copied();
                    let first = self.passed.entry(p.id.clone()).or_insert(*decree_no);
                    *first = (*first).min(*decree_no);
                    // A void repeat changes no roll; the first decree carrying it does.
                    if let Some(change) = p.change
                        && *first == *decree_no
                    {
                        if let Some(later) = earlier {
                            self.roll_changes.remove(&later);
                        }
                        self.roll_changes.insert(*decree_no, change);
                    }
                }
                self.decrees.insert(*decree_no, decree.clone());
                while self.decrees.contains_key(&(self.known + 1)) {
                    self.known += 1;
                }
            }
        }
        true
    }

    /// If decree `decree_no` repeats a petition that an earlier decree already made law, the
    /// earlier decree's number: this one is void.
    pub fn repeats(&self, decree_no: DecreeNo) -> Option<DecreeNo> {
        let petition = self.decrees.get(&decree_no)?.petition()?;
        self.passed.get(&petition.id).copied().filter(|&first| first < decree_no)
    }

    /// Rebuilds the durable state of `priest` from his ledger rows, checking that they could have
    /// been written by a priest keeping the rules (TigerStyle's paired assertion: the same rules
    /// the writer keeps are checked on load).
    pub fn restore<'a>(
        priest: PriestId,
        rows: impl IntoIterator<Item = &'a Record>,
    ) -> Result<Durable, LedgerDamage> {
        Durable::restore_onto(Durable::default(), priest, rows)
    }

    /// [`Durable::restore`] onto a state already read (his law book, §3.3.2).
    pub fn restore_onto<'a>(
        mut durable: Durable,
        priest: PriestId,
        rows: impl IntoIterator<Item = &'a Record>,
    ) -> Result<Durable, LedgerDamage> {
        for (i, record) in rows.into_iter().enumerate() {
            let row = i + 1;
            match record {
                Record::Tried { ballot } => {
                    if ballot.priest != priest || Some(*ballot) <= durable.last_tried {
                        return Err(LedgerDamage::TriedOutOfOrder { row, ballot: *ballot });
                    }
                }
                Record::Promised { ballot } => {
                    if Some(*ballot) < durable.next_bal {
                        return Err(LedgerDamage::PromiseWentBack { row, ballot: *ballot });
                    }
                }
                Record::Decree { decree_no, decree } => {
                    if durable.decrees.get(decree_no).is_some_and(|d| d != decree) {
                        return Err(LedgerDamage::DecreeRewritten { row, decree_no: *decree_no });
                    }
                }
                Record::Voted(_) => {}
            }
            durable.apply(record);
        }
        Ok(durable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::decree::Petition;

    fn law(text: &str) -> Decree {
        Decree::Law(Petition::new(text, text))
    }

    #[test]
    fn known_runs_to_the_first_gap_and_moves_when_it_fills() {
        let mut d = Durable::default();
        d.apply(&Record::Decree { decree_no: 1, decree: law("a") });
        d.apply(&Record::Decree { decree_no: 3, decree: law("c") });
        assert_eq!(d.known, 1, "decree 3 is kept aside until 2 arrives (§3.3.2)");
        d.apply(&Record::Decree { decree_no: 2, decree: Decree::OliveDay });
        assert_eq!(d.known, 3);
    }

    #[test]
    fn a_vote_is_forgotten_once_its_decree_is_known() {
        let me = PriestId(1);
        let b = BallotNumber::new(1, me);
        let rows = [
            Record::Promised { ballot: b },
            Record::Voted(Vote { decree_no: 1, ballot: b, decree: law("a") }),
            Record::Decree { decree_no: 1, decree: law("a") },
        ];
        let d = Durable::restore(me, &rows).unwrap();
        assert!(d.prev_votes.is_empty());
        assert_eq!(d.next_bal, Some(b));
    }

    /// Issue 17: votes cast in his promised ballot after promising it are no part of what a
    /// LastVote for that ballot tells; a vote below it is, until its decree is known.
    #[test]
    fn last_votes_hold_only_votes_below_the_promise() {
        let me = PriestId(0);
        let (old, b) = (BallotNumber::new(1, PriestId(1)), BallotNumber::new(2, PriestId(2)));
        let rows = [
            Record::Promised { ballot: old },
            Record::Voted(Vote { decree_no: 1, ballot: old, decree: law("a") }),
            Record::Promised { ballot: b },
            Record::Voted(Vote { decree_no: 1, ballot: b, decree: law("b") }),
            Record::Voted(Vote { decree_no: 2, ballot: b, decree: law("c") }),
        ];
        let d = Durable::restore(me, &rows).unwrap();
        assert_eq!(d.prev_votes[&1].ballot, b, "prevVote is his latest vote");
        let told: Vec<_> = d.last_votes.values().map(|v| (v.decree_no, v.ballot)).collect();
        assert_eq!(told, [(1, old)], "a LastVote(b) tells only his vote below b");
        let mut d = d;
        d.apply(&Record::Decree { decree_no: 1, decree: law("b") });
        assert!(d.last_votes.is_empty(), "a decree he knows stands for his vote");
    }

    #[test]
    fn restore_refuses_a_ledger_that_breaks_the_rules() {
        let me = PriestId(0);
        let rows = [Record::Tried { ballot: BallotNumber::new(1, PriestId(2)) }];
        assert!(matches!(Durable::restore(me, &rows), Err(LedgerDamage::TriedOutOfOrder { .. })));
        let rows = [
            Record::Promised { ballot: BallotNumber::new(3, me) },
            Record::Promised { ballot: BallotNumber::new(2, me) },
        ];
        assert!(matches!(Durable::restore(me, &rows), Err(LedgerDamage::PromiseWentBack { .. })));
        let rows = [
            Record::Decree { decree_no: 4, decree: law("a") },
            Record::Decree { decree_no: 4, decree: law("b") },
        ];
        assert!(matches!(Durable::restore(me, &rows), Err(LedgerDamage::DecreeRewritten { .. })));
    }
}
