//! Scenarios for what the paper's world does to priests (§1, §2.3, §3): a priest leaving the
//! Chamber between writing his ledger and sending what it allows, messengers that duplicate and
//! reorder, two presidents at once, petitions sent twice, and a Parliament rebuilt from its ledgers.

use parliament::priest::Record;

use crate::harness::{Parliament, kind_to, law, petition};

/// How many of a priest's ledger rows are a vote on this decree number.
fn votes_on(parl: &Parliament, p: usize, decree_no: u64) -> usize {
    parl.ledgers[p].iter().filter(|r| matches!(r, Record::Voted(v) if v.decree_no == decree_no)).count()
}

/// §2.3 (the ledger is written before the messenger leaves) and §1 (the slip of paper is lost):
/// a priest who leaves right after writing his vote, before Voted leaves, comes back bound by
/// the vote; the president's retry reaches him and he answers without writing it again.
#[test]
fn a_crash_after_the_vote_is_written_and_before_voted_leaves() {
    let mut parl = Parliament::basic(3);
    parl.elect(2);
    let a = petition("a");
    parl.petition(2, &a);
    parl.drop_where(|e| kind_to(e, "BeginBallot", 1));
    parl.crash_after_record(0);
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("delivered");
    assert!(matches!(parl.ledgers[0].last(), Some(Record::Voted(v)) if v.decree == law("a")));
    assert!(parl.last_step(0).messages.iter().any(|e| e.message.kind() == "Voted"), "it would have left");
    assert!(parl.queue.is_empty(), "but it never did");
    assert!(parl.statute_book(2).is_empty());

    parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &a) == [1]), 40);
    assert_eq!(votes_on(&parl, 0, 1), 1, "the same vote is not written twice");
}

/// §2.3 step 5: a president who leaves right after writing a decree, before any Success leaves,
/// still has it in his ledger; the others learn it from him and no one writes another there.
#[test]
fn a_crash_after_the_decree_is_written_and_before_success_leaves() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    let a = petition("a");
    parl.petition(2, &a);
    parl.crash_after_record(2);
    parl.deliver_all();
    assert_eq!(parl.ledgers[2].last(), Some(&Record::Decree { decree_no: 1, decree: law("a") }));
    assert_eq!(parl.sent_of("Success"), 0);
    assert!(parl.priest(2).presidency().is_none(), "his slip of paper is gone");

    parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &a) == [1]), 60);
    parl.pass(0, &[petition("b")]);
}

/// §2.3 and the messenger of PAPER.md: a duplicated BeginBallot writes no second vote, a
/// duplicated Voted counts its priest once, a duplicated Success writes no second decree.
#[test]
fn a_duplicated_message_is_harmless() {
    let mut parl = Parliament::basic(5);
    parl.elect(4);
    parl.petition(4, &petition("a"));
    assert_eq!(parl.duplicate_where(|e| kind_to(e, "BeginBallot", 0)), 1);
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("first copy");
    let rows = parl.ledgers[0].len();
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("second copy");
    assert_eq!(parl.ledgers[0].len(), rows, "no extra ledger row for the same vote");
    assert_eq!(parl.last_step(0).messages[0].message.kind(), "Voted", "but he answers again");

    // Two Voted from priest 0 and the president's own vote are two priests, not a majority of 5.
    for _ in 0..2 {
        parl.deliver(|e| kind_to(e, "Voted", 4)).expect("a Voted from priest 0");
    }
    assert!(parl.statute_book(4).is_empty(), "priest 0 was counted twice");

    parl.deliver(|e| kind_to(e, "BeginBallot", 1)).expect("delivered");
    parl.deliver(|e| kind_to(e, "Voted", 4)).expect("priest 1's vote passes it");
    assert_eq!(parl.duplicate_where(|e| e.message.kind() == "Success"), 4);
    parl.deliver_all();
    for q in 0..5 {
        let decrees = parl.ledgers[q].iter().filter(|r| matches!(r, Record::Decree { .. })).count();
        assert_eq!(decrees, 1, "priest {q}");
    }
}

/// §3.3.2 and the messenger of PAPER.md: messages arriving out of order change nothing. A
/// decree learned before the one below it is kept aside until the gap fills; a BeginBallot
/// arriving after its Success is answered with the decree; ballots overtaking each other keep
/// the numbers the president gave them.
#[test]
fn a_reordered_message_is_harmless() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    parl.hold(0);
    parl.petition(2, &petition("a"));
    parl.petition(2, &petition("b"));
    parl.deliver_all();
    assert_eq!(parl.statute_book(2).len(), 2);
    parl.reverse_queue();
    parl.release_all();
    parl.deliver(|e| kind_to(e, "Success", 0)).expect("Success for 2 arrives first");
    assert_eq!(parl.statute_book(0), [(2, law("b"))]);
    assert_eq!(parl.priest(0).durable().known, 0, "decree 2 waits for decree 1");
    parl.deliver_all();
    assert_eq!(parl.priest(0).durable().known, 2);
    assert_eq!(votes_on(&parl, 0, 1) + votes_on(&parl, 0, 2), 0, "no vote on a decree he knows");

    parl.petition(2, &petition("c"));
    parl.petition(2, &petition("d"));
    parl.reverse_queue();
    parl.deliver_all();
    for q in 0..3 {
        assert_eq!(parl.statute_book(q)[2..], [(3, law("c")), (4, law("d"))], "priest {q}");
    }
}

/// §2.4: two priests may both believe they are president; that only slows the Parliament.
/// Priests 3 and 4 cannot hear each other, so both preside, outbidding each other's ballots.
#[test]
fn two_presidents_at_once_only_slow_things_down() {
    let mut parl = Parliament::new(5);
    parl.cut(3, 4);
    let mut both = false;
    let laws: Vec<_> = (1..=10).map(|i| petition(&format!("law {i}"))).collect();
    for tick in 0..60 {
        if let Some(law) = laws.get(tick / 3).filter(|_| tick % 3 == 0) {
            parl.petition(tick % 5, law);
        }
        parl.run(1);
        both |= parl.priest(3).presidency().is_some() && parl.priest(4).presidency().is_some();
    }
    assert!(both, "priests 3 and 4 should both have presided at once");
    parl.release_all();
    parl.run_until(|p| (0..5).all(|q| laws.iter().all(|l| p.numbers_of(q, l).len() == 1)), 200);
    assert_eq!(parl.rules.repeats(), 0);
}

/// §3 (each petition one decree): a petition handed to two priests, and twice to the same one,
/// becomes exactly one decree; so does one in flight when the president leaves.
#[test]
fn a_petition_sent_twice_becomes_one_decree() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    let twice = petition("twice");
    for p in [0, 1, 2, 2, 0] {
        parl.petition(p, &twice);
    }
    parl.run(20);
    parl.petition(1, &twice);
    parl.run(20);
    (0..3).for_each(|q| assert_eq!(parl.numbers_of(q, &twice).len(), 1, "priest {q}"));

    // Priest 0 votes for the next petition; the president leaves before it passes.
    let flight = petition("in flight");
    parl.petition(0, &flight);
    parl.deliver(|e| e.message.kind() == "Petition").expect("handed to the president");
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes");
    parl.crash(2);
    parl.drop_where(|_| true);
    parl.petition(1, &flight);
    parl.run_until(|p| (0..2).all(|q| p.numbers_of(q, &flight).len() == 1), 60);
    parl.run(20);
    (0..2).for_each(|q| assert_eq!(parl.numbers_of(q, &flight).len(), 1, "priest {q}"));
    assert_eq!(parl.rules.repeats(), 0);
}

/// §1 and Appendix A1: nothing but the ledger survives leaving the Chamber. Every priest rebuilt
/// from his rows alone has the durable state he had, and the whole Parliament, rebuilt at once
/// in mid-ballot, carries on with every decree it had.
#[test]
fn a_priest_rebuilt_from_his_ledger_alone_carries_on() {
    let mut parl = Parliament::new(5);
    let old = parl.elect(4);
    let laws: Vec<_> = (1..=3).map(|i| petition(&format!("law {i}"))).collect();
    parl.pass(4, &laws);
    parl.petition(4, &petition("mid-ballot"));
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes");
    let books: Vec<_> = (0..5).map(|q| parl.statute_book(q)).collect();
    for q in 0..5 {
        let durable = parl.priest(q).durable().clone();
        parl.crash(q);
        parl.come_back(q);
        assert_eq!(parl.priest(q).durable(), &durable, "priest {q}");
        assert_eq!(parl.priest(q).presidency(), None);
    }
    let new = parl.elect(4);
    assert!(new > old, "a new ballot above every one before the restart");
    parl.pass(2, &[petition("after")]);
    for (q, book) in books.iter().enumerate() {
        assert_eq!(parl.statute_book(q)[..book.len()], book[..], "priest {q} kept his book");
    }
    // Priest 0's vote survived in his ledger, so the new president re-proposed it (B3).
    assert_eq!(parl.numbers_of(0, &petition("mid-ballot")), [4]);
}
