//! Scenario tests, one per protocol rule of "The Part-Time Parliament", each citing the paper's
//! section (as raft-rs's `test_raft_paper.rs` cites Raft's). They run real priests through a
//! harness whose messengers the test plays by hand; every row written is checked by the shared
//! rules (agreement, B1, promises kept, B3, validity), every message against the ledger row that
//! must precede it, and every crash against the ledger it leaves. This file holds the basic
//! protocol of §2; the multi-decree Parliament of §3 and the faults follow in their own files.

#[path = "scenarios/faults.rs"]
mod faults;
#[path = "scenarios/harness.rs"]
mod harness;
#[path = "scenarios/membership.rs"]
mod membership;
#[path = "scenarios/multi_decree.rs"]
mod multi_decree;

use harness::{Parliament, id, kind_to, law, petition};
use parliament::priest::{BallotNumber, Envelope, Message, Record, Vote};

/// The ballots a ledger says its priest tried, in order.
fn tried(ledger: &[Record]) -> Vec<BallotNumber> {
    ledger
        .iter()
        .filter_map(|r| if let Record::Tried { ballot } = r { Some(*ballot) } else { None })
        .collect()
}

/// §2.2, B1: each priest tries only ballots he owns, each above the last, and never reuses one
/// across a restart, even one he wrote in his ledger and left the Chamber before anyone heard of.
#[test]
fn b1_ballots_are_owned_and_rise_even_across_restarts() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    parl.crash(2);
    parl.come_back(2);
    // His next row is his next lastTried; he leaves before its NextBallot goes out.
    parl.crash_after_record(2);
    parl.run_until(|p| tried(&p.ledgers[2]).len() == 2, 50);
    let unheard = tried(&parl.ledgers[2])[1];
    assert!(parl.sent.iter().all(|e| e.message != Message::NextBallot { ballot: unheard, decree_no: 0 }));
    parl.run_until(|p| tried(&p.ledgers[2]).len() == 3, 50);
    let ballots = tried(&parl.ledgers[2]);
    assert!(ballots.windows(2).all(|w| w[0] < w[1]), "each ballot above the last: {ballots:?}");
    assert!(ballots.iter().all(|b| b.priest == id(2)), "only his own numbers: {ballots:?}");
    let mut everyone: Vec<BallotNumber> = parl.ledgers.iter().flat_map(|l| tried(l)).collect();
    let count = everyone.len();
    everyone.sort();
    everyone.dedup();
    assert_eq!(everyone.len(), count, "no ballot number is tried twice in the Parliament");
    parl.pass(0, &[petition("after the restarts")]);
}

/// §2.3 step 2 and §3.1: NextBallot(b, n) is promised in the ledger before LastVote leaves, and
/// the LastVote carries, for every number above n, the decree the priest has or his latest vote.
#[test]
fn next_ballot_is_promised_in_the_ledger_before_last_vote_leaves() {
    let mut parl = Parliament::new(3);
    let ballot = parl.elect(2);
    parl.pass(2, &[petition("a"), petition("b")]);
    parl.petition(2, &petition("c"));
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes for c");
    parl.drop_where(|_| true);
    let c = Vote { decree_no: 3, ballot, decree: law("c") };
    assert_eq!(parl.priest(0).durable().prev_votes.get(&3), Some(&c));

    let higher = BallotNumber::new(ballot.round + 1, id(1));
    let ask = Message::NextBallot { ballot: higher, decree_no: 1 };
    parl.inject(1, 0, ask.clone());
    let answer = Message::LastVote {
        ballot: higher,
        decree_no: 1,
        known: 2,
        votes: vec![c],
        decrees: vec![(2, law("b"))],
    };
    let step = parl.last_step(0).clone();
    assert_eq!(step.records, [Record::Promised { ballot: higher }]);
    assert_eq!(step.messages, [Envelope { from: id(0), to: id(1), message: answer.clone() }]);
    assert_eq!(parl.ledgers[0].last(), Some(&Record::Promised { ballot: higher }));

    // Asked again, he answers again from his ledger and writes nothing new.
    let rows = parl.ledgers[0].len();
    parl.inject(1, 0, ask);
    assert_eq!(parl.ledgers[0].len(), rows);
    assert_eq!(parl.last_step(0).messages[0].message, answer);
}

/// §2.3 step 2: a LastVote(b) tells his latest vote in a ballot below b, never one in b. Issue 17:
/// the messenger delays a president's NextBallot(b) to a priest past the BeginBallots of b, who
/// promises b by voting in it; when the NextBallot arrives at last, b is no longer above his
/// promise, and the paper would have him ignore it. He answers (his first answer may have been
/// lost), but with the LastVote he would have sent on promising b: his vote below b, not his votes
/// in b. A duplicate of the late NextBallot gets the same answer, and writes nothing.
#[test]
fn a_late_next_ballot_is_answered_with_votes_below_its_ballot_never_in_it() {
    let mut parl = Parliament::new(3);
    let (x, y) = (petition("x"), petition("y"));
    // While priest 2 is cut off, priest 1 leads, and only priest 0 hears his ballot for x.
    parl.hold(2);
    let low = parl.elect(1);
    parl.petition(1, &x);
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes for x");
    parl.drop_where(|_| true);
    parl.release_all();
    let below = Vote { decree_no: 1, ballot: low, decree: law("x") };
    assert_eq!(parl.priest(0).durable().prev_votes[&1], below);

    // Priest 2 took the chair while cut off; he asks again, and his NextBallot to priest 0 is
    // delayed while priest 1 answers.
    let asked = |p: &Parliament| p.queue.iter().any(|e| kind_to(e, "NextBallot", 1));
    for _ in 0..50 {
        if asked(&parl) {
            break;
        }
        parl.tick(2);
    }
    let b = parl.priest(2).presidency().expect("priest 2, the last name, takes the chair");
    assert!(b > low);
    parl.drop_where(|e| !matches!(e.message, Message::NextBallot { .. }));
    parl.deliver(|e| kind_to(e, "NextBallot", 1)).expect("priest 1 promises");
    parl.deliver(|e| kind_to(e, "LastVote", 2)).expect("a majority set has promised");
    parl.petition(2, &y);
    // B3: x at 1 (priest 1 reported his vote for it), then y at 2; priest 0 votes in b for both.
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("x in ballot b");
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("y in ballot b");
    assert_eq!(parl.priest(0).durable().next_bal, Some(b), "voting in b promised b");
    let in_b: Vec<_> =
        parl.priest(0).durable().prev_votes.values().map(|v| (v.decree_no, v.ballot)).collect();
    assert_eq!(in_b, [(1, b), (2, b)]);

    let rows = parl.ledgers[0].len();
    let late = parl.deliver(|e| kind_to(e, "NextBallot", 0)).expect("the late NextBallot");
    assert_eq!(late.message, Message::NextBallot { ballot: b, decree_no: 0 });
    let told = Message::LastVote { ballot: b, decree_no: 0, known: 0, votes: vec![below], decrees: vec![] };
    let answer = Envelope { from: id(0), to: id(2), message: told };
    assert_eq!(parl.last_step(0).messages, std::slice::from_ref(&answer), "his vote below b only");
    assert_eq!(parl.ledgers[0].len(), rows, "nothing new to promise");
    parl.inject(2, 0, late.message);
    assert_eq!(parl.last_step(0).messages, [answer], "a duplicate gets the same answer");

    parl.release_all();
    parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &y).len() == 1), 60);
    (0..3).for_each(|q| assert_eq!(parl.statute_book(q), [(1, law("x")), (2, law("y"))]));
}

/// §2.3 step 4: a priest votes in BeginBallot(b, d) only if b is not below his promise, writes
/// the vote before Voted leaves, and voting in a ballot above his promise promises it too.
#[test]
fn begin_ballot_is_voted_only_at_or_above_the_promise() {
    let mut parl = Parliament::new(3);
    let (low, promised, high) =
        (BallotNumber::new(1, id(1)), BallotNumber::new(2, id(2)), BallotNumber::new(3, id(1)));
    parl.inject(2, 0, Message::NextBallot { ballot: promised, decree_no: 0 });

    parl.inject(1, 0, Message::BeginBallot { ballot: low, decree_no: 1, decree: law("x") });
    let step = parl.last_step(0);
    assert!(step.records.is_empty(), "no vote below his promise");
    let refusal = Message::Rejected { ballot: low, next_bal: promised };
    assert_eq!(step.messages, [Envelope { from: id(0), to: id(1), message: refusal }]);

    parl.inject(2, 0, Message::BeginBallot { ballot: promised, decree_no: 1, decree: law("y") });
    let vote = Record::Voted(Vote { decree_no: 1, ballot: promised, decree: law("y") });
    let step = parl.last_step(0);
    assert_eq!(step.records, std::slice::from_ref(&vote));
    assert_eq!(step.messages[0].message, Message::Voted { ballot: promised, decree_no: 1 });
    assert_eq!(parl.ledgers[0].last(), Some(&vote), "the vote is in his ledger before Voted leaves");

    parl.inject(1, 0, Message::BeginBallot { ballot: high, decree_no: 2, decree: law("z") });
    let vote = Record::Voted(Vote { decree_no: 2, ballot: high, decree: law("z") });
    assert_eq!(parl.last_step(0).records, [Record::Promised { ballot: high }, vote]);

    parl.inject(2, 0, Message::BeginBallot { ballot: promised, decree_no: 3, decree: law("w") });
    assert!(parl.last_step(0).records.is_empty());
    assert_eq!(parl.last_step(0).messages[0].message, Message::Rejected { ballot: promised, next_bal: high });
}

/// §2.3 step 6: every priest who gets Success(d) writes d in his ledger, a priest who never voted
/// included; the president writes it before Success leaves him.
#[test]
fn success_is_written_by_every_priest() {
    let mut parl = Parliament::basic(5);
    parl.elect(4);
    parl.hold(0);
    parl.petition(4, &petition("a"));
    parl.run_until(|p| (1..5).all(|q| p.numbers_of(q, &petition("a")) == [1]), 20);
    // The president's Success leaves in the step that wrote the decree, so after the row.
    let (_, passing) = parl.steps.iter().find(|(q, s)| *q == 4 && s.records.contains(&decree_a())).unwrap();
    let told: Vec<usize> =
        passing.messages.iter().filter(|e| e.message.kind() == "Success").map(|e| e.to.index()).collect();
    assert_eq!(told, [0, 1, 2, 3]);

    parl.drop_where(|e| kind_to(e, "BeginBallot", 0));
    parl.release_all();
    parl.deliver_all();
    for q in 0..5 {
        assert_eq!(parl.ledgers[q].iter().filter(|r| **r == decree_a()).count(), 1, "priest {q}");
    }
    assert!(!parl.ledgers[0].iter().any(|r| matches!(r, Record::Voted(_))), "priest 0 never voted");
}

fn decree_a() -> Record {
    Record::Decree { decree_no: 1, decree: law("a") }
}

/// §2.4: a priest asked to promise or vote below his promise answers with his nextBal, and the
/// president, told so, tries a higher ballot at once instead of waiting out a timeout.
#[test]
fn a_rejection_names_next_bal_and_the_president_moves_higher_at_once() {
    let mut parl = Parliament::new(3);
    let old = parl.elect(2);
    // Priest 2 is cut off; the others take priest 1 for president, who outbids him.
    parl.hold(2);
    let new = parl.elect(1);
    assert!(new > old);
    parl.inject(2, 0, Message::NextBallot { ballot: old, decree_no: 0 });
    assert_eq!(parl.last_step(0).messages[0].message, Message::Rejected { ballot: old, next_bal: new });
    assert!(parl.last_step(0).records.is_empty());

    // Priest 2 heard none of it and still leads with his old ballot.
    parl.drop_where(|e| e.to == id(2) || e.from == id(2));
    assert_eq!(parl.priest(2).presidency(), Some(old));
    let late = petition("late");
    parl.petition(2, &late);
    parl.release_all();
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("proposed at the old ballot");
    let refusal = Message::Rejected { ballot: old, next_bal: new };
    assert_eq!(parl.last_step(0).messages, [Envelope { from: id(0), to: id(2), message: refusal }]);

    parl.deliver(|e| kind_to(e, "Rejected", 2)).expect("the refusal reaches him");
    let step = parl.last_step(2).clone();
    let Some(Record::Tried { ballot: higher }) = step.records.first() else {
        panic!("he should try a higher ballot in the same step: {step:?}");
    };
    assert!(*higher > new && higher.priest == id(2));
    assert!(step.messages.iter().any(|e| e.message == Message::NextBallot { ballot: *higher, decree_no: 0 }));
    parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &late).len() == 1), 50);
}

/// §2.1 (B3) and §3.1: a new president who hears of votes for a decree number proposes the
/// decree of the highest-numbered of them, even when a lower vote is reported to him last.
#[test]
fn b3_a_new_president_proposes_the_highest_reported_vote() {
    let mut parl = Parliament::new(5);
    let (z, a) = (petition("z"), petition("a"));
    // With priest 4 cut off, priest 3 leads; only priest 1 hears his ballot for z.
    parl.hold(4);
    let lo = parl.elect(3);
    parl.petition(3, &z);
    parl.deliver(|e| kind_to(e, "BeginBallot", 1)).expect("priest 1 votes for z");
    parl.drop_where(|e| matches!(e.message.kind(), "BeginBallot" | "Voted"));

    // Now priests 1 and 3 are cut off; priest 4 leads with 0 and 2; only priest 0 hears a.
    parl.release_all();
    parl.hold(1);
    parl.hold(3);
    parl.deliver_all();
    let hi = parl.priest(4).presidency().expect("priest 4 leads");
    assert!(hi > lo);
    parl.petition(4, &a);
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes for a");
    parl.drop_where(|e| matches!(e.message.kind(), "BeginBallot" | "Voted"));
    assert_eq!(parl.priest(0).durable().prev_votes[&1].ballot, hi);
    assert_eq!(parl.priest(1).durable().prev_votes[&1].ballot, lo);

    // Both presidents leave; priest 2 hears a@hi from priest 0, then z@lo from priest 1.
    parl.crash(3);
    parl.crash(4);
    parl.drop_where(|e| e.from.index() >= 3);
    parl.release_all();
    parl.run_until(|p| (0..3).all(|q| !p.statute_book(q).is_empty()), 60);
    let first = parl
        .sent
        .iter()
        .find(|e| e.from == id(2) && matches!(e.message, Message::BeginBallot { decree_no: 1, .. }));
    let Some(Message::BeginBallot { decree, .. }) = first.map(|e| &e.message) else { panic!("no ballot") };
    assert_eq!(decree, &law("a"));
    (0..3).for_each(|q| assert_eq!(parl.statute_book(q), [(1, law("a"))]));
}

/// §2.3 step 3: a president begins a ballot only with LastVotes for b = lastTried[p] from a
/// majority set. A late LastVote for an older ballot of his says nothing of votes cast since,
/// so it must not count.
#[test]
fn only_last_votes_for_the_current_ballot_count() {
    let mut parl = Parliament::new(3);
    let (x, y) = (petition("x"), petition("y"));
    parl.hold(1);
    let old = parl.elect(2);
    let stale = parl.sent.iter().find(|e| kind_to(e, "LastVote", 2)).expect("priest 0 promised").clone();

    // Cut off from priest 2, priests 0 and 1 pass x at decree 1 under a higher ballot.
    parl.release_all();
    parl.hold(2);
    let new = parl.elect(1);
    parl.petition(1, &x);
    parl.run_until(|p| (0..2).all(|q| p.numbers_of(q, &x) == [1]), 20);
    parl.drop_where(|e| e.to == id(2) || e.from == id(2));

    // Priest 2 proposes y at 1 with his old ballot, is refused, and tries a higher one.
    assert_eq!(parl.priest(2).presidency(), Some(old));
    parl.petition(2, &y);
    parl.release_all();
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("refused");
    parl.deliver(|e| kind_to(e, "Rejected", 2)).expect("the refusal reaches him");
    assert!(parl.priest(2).presidency().is_some_and(|b| b > new));
    // The messenger now brings priest 0's answer to the old ballot, late.
    parl.queue.push_front(stale);
    parl.deliver(|e| kind_to(e, "LastVote", 2)).expect("the stale LastVote");
    assert!(parl.last_step(2).messages.is_empty(), "he began a ballot on a stale promise");
    parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &y).len() == 1), 40);
    (0..3).for_each(|q| assert_eq!(parl.statute_book(q), [(1, law("x")), (2, law("y"))]));
}
