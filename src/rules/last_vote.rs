//! The rule of §2.3 step 2 in the multi-decree form of §3.1: **a LastVote tells only what came
//! before its ballot.** A priest q who promises ballot b answers NextBallot(b, n) with LastVote(b, v),
//! "where v is the vote with the largest ballot number less than b that q has cast": for each decree
//! number above n, exactly his latest vote in a ballot below b (or the decree itself, once he has it),
//! and nothing voted in b or above. A vote in b reported to b's own president would be a message no
//! behaviour of Paxos sends; a vote left out would let a president break B3.
//!
//! The rule is checked against the sender's ledger rows, the only thing a message may be a function
//! of: the simulator and the model checker on every LastVote sent (his ledger as it stood, with the
//! rows of the step that sends it), the audit on every LastVote row of a messagebook (his whole
//! ledger). The two agree: a vote below b written after his Promised(b) row breaks "promises kept",
//! and a vote in b or above is never a LastVote's business, so the latest vote below b is the same
//! in either.

use std::collections::BTreeMap;

use super::{Rule, Violation};
use crate::priest::{BallotNumber, Decree, DecreeNo, Envelope, Message, PriestId, Record, Step, Vote};

/// Checks a message `sender` sent against his ledger rows `ledger`: if it is a LastVote(b, n), it
/// must report, for each decree number above n, exactly his latest vote in a ballot below b (or
/// that decree, held in his ledger), and no vote in b or above. Any other message passes.
///
/// `names` names the priests in id order for the violation's text (empty: by number). The
/// violation's row is his Promised(b) row, the promise the LastVote carries, or the number of rows
/// given if he never wrote one (which is the provenance check's business).
pub fn last_vote_told<'a>(
    sender: PriestId,
    ledger: impl IntoIterator<Item = &'a Record>,
    message: &Message,
    names: &[String],
) -> Result<(), Violation> {
    let Message::LastVote { ballot, decree_no: n, votes, decrees, .. } = message else { return Ok(()) };
    let (b, n) = (*ballot, *n);
    let show = |ballot: BallotNumber| match names.get(ballot.priest.index()) {
        Some(name) => format!("{}.{name}", ballot.round),
        None => ballot.to_string(),
    };
    let mut rows = 0;
    let mut promised_row = None;
    let mut latest: BTreeMap<DecreeNo, &Vote> = BTreeMap::new();
    let mut held: BTreeMap<DecreeNo, &Decree> = BTreeMap::new();
    for record in ledger {
        rows += 1;
        match record {
            Record::Promised { ballot } if *ballot == b => {
                promised_row.get_or_insert(rows);
            }
            Record::Voted(v) if v.decree_no > n && v.ballot < b => {
                let later = latest.get(&v.decree_no).is_none_or(|l| l.ballot <= v.ballot);
                if later {
                    latest.insert(v.decree_no, v);
                }
            }
            Record::Decree { decree_no, decree } if *decree_no > n => {
                held.entry(*decree_no).or_insert(decree);
            }
            _ => {}
        }
    }
    let broken = |detail: String| {
        let detail = format!("LastVote({}, {n}) {detail}", show(b));
        Err(Violation { rule: Rule::LastVote, priest: sender, row: promised_row.unwrap_or(rows), detail })
    };
    let mut reported: BTreeMap<DecreeNo, &Vote> = BTreeMap::new();
    for v in votes.iter().filter(|v| v.decree_no > n) {
        let k = v.decree_no;
        if v.ballot >= b {
            return broken(format!(
                "reports his vote in ballot {} on decree {k}, which is not below {}: a LastVote tells only \
                 what came before its ballot (§2.3 step 2)",
                show(v.ballot),
                show(b)
            ));
        }
        match latest.get(&k) {
            Some(l) if *l == v => {}
            Some(l) => {
                return broken(format!(
                    "reports his vote in ballot {} on decree {k} for {}, but his latest vote below {} on it \
                     is in ballot {} for {}",
                    show(v.ballot),
                    v.decree,
                    show(b),
                    show(l.ballot),
                    l.decree
                ));
            }
            None => {
                return broken(format!(
                    "reports a vote in ballot {} on decree {k}, but his ledger holds no vote on it below {}",
                    show(v.ballot),
                    show(b)
                ));
            }
        }
        reported.insert(k, v);
    }
    let mut told: BTreeMap<DecreeNo, &Decree> = BTreeMap::new();
    for (k, d) in decrees.iter().filter(|(k, _)| *k > n) {
        if held.get(k) != Some(&d) {
            return broken(format!("reports decree {k} as {d}, which his ledger does not hold"));
        }
        told.insert(*k, d);
    }
    if let Some((k, l)) = latest.iter().find(|(k, _)| !reported.contains_key(k) && !told.contains_key(k)) {
        return broken(format!(
            "says nothing of decree {k}, but his ledger holds his vote in ballot {} on it for {}: a \
             LastVote must tell his latest vote below {}",
            show(l.ballot),
            l.decree,
            show(b)
        ));
    }
    Ok(())
}

/// The first LastVote among the messages of `step` that breaks the rule, judged against the
/// sender's ledger with the step's own rows (written before its messages leave), and how: what the
/// simulator and the model checker ask of every step.
pub fn step_told<'s>(
    sender: PriestId,
    ledger: &[Record],
    step: &'s Step,
    names: &[String],
) -> Option<(&'s Envelope, Violation)> {
    let rows = ledger.iter().chain(&step.records);
    step.messages
        .iter()
        .find_map(|e| last_vote_told(sender, rows.clone(), &e.message, names).err().map(|v| (e, v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::Petition;

    fn law(id: &str) -> Decree {
        Decree::Law(Petition::new(id, id))
    }

    fn ballot(round: u64, priest: u16) -> BallotNumber {
        BallotNumber::new(round, PriestId(priest))
    }

    fn vote(decree_no: DecreeNo, ballot: BallotNumber, id: &str) -> Vote {
        Vote { decree_no, ballot, decree: law(id) }
    }

    fn last_vote(b: BallotNumber, votes: Vec<Vote>, decrees: Vec<(DecreeNo, Decree)>) -> Message {
        Message::LastVote { ballot: b, decree_no: 0, known: 0, votes, decrees }
    }

    /// Lynch's ledger from issue 17: a vote on decree 1 in an old ballot, then ballot 2.Toueg's
    /// BeginBallots before its NextBallot: promised and voted in 2.Toueg.
    fn lynch() -> Vec<Record> {
        let (old, b) = (ballot(1, 1), ballot(2, 2));
        vec![
            Record::Promised { ballot: old },
            Record::Voted(vote(1, old, "a")),
            Record::Promised { ballot: b },
            Record::Voted(vote(1, b, "b")),
            Record::Voted(vote(2, b, "c")),
        ]
    }

    fn told(message: &Message) -> Result<(), Violation> {
        last_vote_told(PriestId(0), &lynch(), message, &[])
    }

    #[test]
    fn a_last_vote_telling_the_latest_vote_below_its_ballot_keeps_the_rule() {
        assert_eq!(told(&last_vote(ballot(2, 2), vec![vote(1, ballot(1, 1), "a")], vec![])), Ok(()));
        // Before ballot 1.1 he had voted in nothing: an empty LastVote(1.1) is the truth.
        assert_eq!(told(&last_vote(ballot(1, 1), vec![], vec![])), Ok(()));
        // Above 2.2 his latest votes are those in 2.2.
        let both = vec![vote(1, ballot(2, 2), "b"), vote(2, ballot(2, 2), "c")];
        assert_eq!(told(&last_vote(ballot(3, 0), both, vec![])), Ok(()));
    }

    #[test]
    fn a_vote_in_the_ballot_itself_breaks_the_rule_at_the_promise() {
        let current = vec![vote(1, ballot(2, 2), "b"), vote(2, ballot(2, 2), "c")];
        let v = told(&last_vote(ballot(2, 2), current, vec![])).unwrap_err();
        assert_eq!((v.rule, v.row), (Rule::LastVote, 3), "row 3 is his Promised(2.2)");
        assert!(v.detail.contains("not below 2.2"), "{}", v.detail);
        let named: Vec<String> = ["Dwork", "Lynch", "Toueg"].map(String::from).to_vec();
        let v = last_vote_told(
            PriestId(1),
            &lynch(),
            &last_vote(ballot(2, 2), vec![vote(2, ballot(2, 2), "c")], vec![]),
            &named,
        );
        assert!(v.unwrap_err().detail.contains("ballot 2.Toueg on decree 2"));
    }

    #[test]
    fn a_vote_left_out_or_changed_breaks_the_rule() {
        let v = told(&last_vote(ballot(2, 2), vec![], vec![])).unwrap_err();
        assert!(v.detail.contains("says nothing of decree 1"), "{}", v.detail);
        let v = told(&last_vote(ballot(2, 2), vec![vote(1, ballot(1, 1), "z")], vec![])).unwrap_err();
        assert!(v.detail.contains("latest vote below 2.2 on it is in ballot 1.1"), "{}", v.detail);
        let v = told(&last_vote(
            ballot(2, 2),
            vec![vote(1, ballot(1, 1), "a"), vote(3, ballot(0, 1), "a")],
            vec![],
        ));
        assert!(v.unwrap_err().detail.contains("holds no vote on it"));
        // An older vote than his latest below b is not his last vote.
        let v = told(&last_vote(
            ballot(3, 0),
            vec![vote(1, ballot(1, 1), "a"), vote(2, ballot(2, 2), "c")],
            vec![],
        ));
        assert!(v.unwrap_err().detail.contains("is in ballot 2.2"));
    }

    #[test]
    fn a_decree_he_holds_stands_for_his_vote_and_one_he_does_not_is_refused() {
        let mut ledger = lynch();
        ledger.push(Record::Decree { decree_no: 1, decree: law("a") });
        let m = last_vote(ballot(2, 2), vec![], vec![(1, law("a"))]);
        assert_eq!(last_vote_told(PriestId(0), &ledger, &m, &[]), Ok(()));
        let m = last_vote(ballot(2, 2), vec![], vec![(1, law("b"))]);
        assert!(last_vote_told(PriestId(0), &ledger, &m, &[]).unwrap_err().detail.contains("does not hold"));
        let other = Message::NextBallot { ballot: ballot(2, 2), decree_no: 0 };
        assert_eq!(told(&other), Ok(()), "only LastVotes are this rule's business");
    }
}
