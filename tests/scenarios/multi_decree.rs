//! Scenarios for the multi-decree Parliament (§3 of the paper, and the choice of president of
//! §2.4): the steady state, who presides, a priest far behind, decree order, olive-day gaps and a
//! priest catching up after many decrees.

use std::collections::BTreeSet;

use parliament::priest::{Config, Decree, DecreeNo, Envelope, Message, Record};

use crate::harness::{Parliament, id, kind_to, law, petition};

/// §3.2: once a president has his majority set, each decree costs only BeginBallot, Voted and
/// Success, with no NextBallot or LastVote, and several ballots are in flight at once. §2.3 step
/// 3: BeginBallot goes to the priests of a majority set Q (here the president and priest 0, the
/// next place after his), Success to every other priest.
#[test]
fn steady_state_is_begin_voted_success_with_several_decrees_in_flight() {
    let mut parl = Parliament::basic(3);
    parl.elect(2);
    parl.pass(2, &[petition("warm-up")]);
    let (sent, rows) = (parl.sent.len(), parl.ledgers.iter().map(Vec::len).collect::<Vec<_>>());

    let laws: Vec<_> = (2..=6).map(|i| petition(&format!("law {i}"))).collect();
    laws.iter().for_each(|l| parl.petition(2, l));
    let begun: BTreeSet<DecreeNo> = parl
        .queue
        .iter()
        .filter_map(|e| {
            if let Message::BeginBallot { decree_no, .. } = e.message { Some(decree_no) } else { None }
        })
        .collect();
    assert_eq!(begun, (2..=6).collect(), "five ballots in flight before a single vote came back");

    parl.deliver_all();
    for (kind, each) in [("BeginBallot", 1), ("Voted", 1), ("Success", 2)] {
        let count = parl.sent[sent..].iter().filter(|e| e.message.kind() == kind).count();
        assert_eq!(count, 5 * each, "{kind}: {each} per decree");
    }
    assert_eq!(parl.sent.len() - sent, 5 * 4, "nothing but the three steps of §3.2");
    for (q, ledger) in parl.ledgers.iter().enumerate() {
        let new = &ledger[rows[q]..];
        let asked = q != 1;
        assert_eq!(
            new.len(),
            if asked { 10 } else { 5 },
            "priest {q}: a vote if asked, and a decree per number"
        );
        assert!(new.iter().all(|r| matches!(r, Record::Voted(_) | Record::Decree { .. })));
        assert_eq!(new.iter().any(|r| matches!(r, Record::Voted(_))), asked, "priest {q}");
    }
    for q in 0..3 {
        let book: Vec<DecreeNo> = parl.statute_book(q).iter().map(|(n, _)| *n).collect();
        assert_eq!(book, (1..=6).collect::<Vec<_>>());
    }
}

/// §2.4: the president is the last name among the priests heard from lately; when he leaves the
/// next name takes over after the timeout, and hands back when he returns.
#[test]
fn the_president_is_the_last_name_heard_from() {
    let mut parl = Parliament::new(5);
    let everyone_says = |p: &Parliament, who: usize, present: usize| {
        (0..present).all(|q| p.priest(q).president() == Some(id(who)))
            && (0..present).all(|q| p.priest(q).presidency().is_some() == (q == who))
    };
    parl.run_until(|p| everyone_says(p, 4, 5), 30);
    parl.crash(4);
    let ticks = parl.run_until(|p| everyone_says(p, 3, 4), 30);
    assert!(ticks > parl.config.president_timeout_ticks, "priest 4 is given his timeout first");
    parl.pass(0, &[petition("under priest 3")]);

    parl.come_back(4);
    parl.run_until(|p| everyone_says(p, 4, 5), 30);
    parl.pass(1, &[petition("under priest 4")]);
    let passing = parl.sent.iter().rev().find(|e| e.message.kind() == "Success").expect("sent");
    assert_eq!(passing.from, id(4));
}

/// §3.3.1: Ωκι back from six months away must not lead while he copies them. A priest far
/// behind is passed over, catches up by inquiry, and only then takes his turn.
#[test]
fn a_priest_far_behind_does_not_lead_until_caught_up() {
    let mut config = Config::new(3);
    config.catch_up_batch = 4;
    let behind_max = config.behind_max;
    let mut parl = Parliament::with_config(config);
    parl.crash(2);
    parl.elect(1);
    let laws: Vec<_> = (1..=20).map(|i| petition(&format!("law {i}"))).collect();
    parl.pass(1, &laws);
    // Let every priest announce his full book before priest 2 returns.
    parl.run(parl.config.heartbeat_ticks);

    parl.come_back(2);
    parl.run_until(
        |p| {
            let known = p.priest(2).durable().known;
            for q in 0..3 {
                let leads = p.priest(q).president() == Some(id(2));
                assert!(!leads || known + behind_max >= 20, "priest {q} follows priest 2, {known} of 20");
            }
            p.priest(2).presidency().is_some()
        },
        60,
    );
    let ledger = &parl.ledgers[2];
    let tried = ledger.iter().position(|r| matches!(r, Record::Tried { .. })).expect("he leads");
    let copied = ledger[..tried].iter().filter(|r| matches!(r, Record::Decree { .. })).count();
    assert!(copied as u64 + behind_max >= 20, "he tried a ballot after copying only {copied} decrees");
    let inquiries = parl.sent.iter().filter(|e| e.from == id(2) && e.message.kind() == "Inquiry").count();
    assert!(inquiries >= 3, "20 decrees in batches of 4 take several inquiries, not {inquiries}");
    parl.pass(0, &[petition("under priest 2")]);
}

/// §3.2: if decree A passed before decree B was proposed, A has the lower number, even when B
/// goes to a new president who never heard of A, and the only trace of A left is a vote.
#[test]
fn a_decree_passed_before_another_was_proposed_has_the_lower_number() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    let (a, b) = (petition("A"), petition("B"));
    parl.hold(1);
    parl.petition(2, &a);
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes for A");
    parl.deliver(|e| kind_to(e, "Voted", 2)).expect("and A passes");
    assert_eq!(parl.numbers_of(2, &a), [1]);
    // The president leaves before any Success goes out; priest 1 never heard of A.
    parl.crash(2);
    parl.drop_where(|_| true);
    parl.release_all();
    parl.petition(1, &b);
    parl.run_until(|p| (0..2).all(|q| p.numbers_of(q, &b).len() == 1), 60);
    for q in 0..2 {
        assert!(parl.numbers_of(q, &a) < parl.numbers_of(q, &b), "priest {q}: {:?}", parl.statute_book(q));
    }
}

/// §3.1 (Δφωρκ and decree 125): a new president who finds a vote at n + 2 and nothing at n + 1
/// fills n + 1 with an olive-day decree, never with a new petition waiting on his slip.
#[test]
fn a_gap_is_filled_with_an_olive_day_decree() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    parl.pass(2, &[petition("a")]);
    let (b, c, d) = (petition("b"), petition("c"), petition("d"));
    parl.petition(2, &b);
    parl.petition(2, &c);
    let at_3 = |e: &Envelope| e.to == id(0) && matches!(e.message, Message::BeginBallot { decree_no: 3, .. });
    parl.deliver(at_3).expect("priest 0 votes for c at 3");
    parl.drop_where(|_| true);
    parl.crash(2);

    parl.petition(1, &d);
    parl.run_until(|p| (0..2).all(|q| p.statute_book(q).len() == 4), 60);
    let book = [(1, law("a")), (2, Decree::OliveDay), (3, law("c")), (4, law("d"))];
    (0..2).for_each(|q| assert_eq!(parl.statute_book(q), book));

    // Priest 2 comes back with his stale vote for b at 2, and learns olive day there instead.
    assert_eq!(
        parl.ledgers[2].iter().filter(|r| matches!(r, Record::Voted(v) if v.decree_no == 2)).count(),
        1
    );
    parl.come_back(2);
    parl.run_until(|p| p.statute_book(2).len() == 4, 30);
    assert_eq!(parl.statute_book(2), book);
}

/// §3.1 and §3.3.2: a priest away for 300 decrees (more than one catch-up batch) learns every
/// one he missed.
#[test]
fn a_priest_away_for_300_decrees_catches_up() {
    let mut parl = Parliament::new(3);
    parl.crash(0);
    parl.elect(2);
    let laws: Vec<_> = (1..=300).map(|i| petition(&format!("law {i}"))).collect();
    parl.pass(2, &laws);
    assert!(parl.config.catch_up_batch < 300);

    parl.come_back(0);
    let start = parl.steps.len();
    parl.run_until(|p| p.priest(0).durable().known == 300, 30);
    assert_eq!(parl.statute_book(0), parl.statute_book(2));
    for (q, step) in &parl.steps[start..] {
        let to_0 = step.messages.iter().filter(|e| kind_to(e, "Success", 0)).count();
        assert!(to_0 <= parl.config.catch_up_batch, "priest {q} sent {to_0} decrees in one batch");
    }
    parl.pass(0, &[petition("law 301")]);
}

/// §2.4 and §3.3.1: a president who passes many decrees between two of his heartbeats is still
/// caught up; the others must not take his last heartbeat's count for his book and elect
/// themselves. (Found by this test: the Success he sends is news of how far his book runs.)
#[test]
fn a_busy_president_is_not_taken_for_a_priest_behind() {
    let mut parl = Parliament::new(3);
    let ballot = parl.elect(2);
    let laws: Vec<_> = (1..=20).map(|i| petition(&format!("law {i}"))).collect();
    parl.pass(2, &laws);
    parl.run(10);
    let tried = |q: usize| parl.ledgers[q].iter().filter(|r| matches!(r, Record::Tried { .. })).count();
    assert_eq!((tried(0), tried(1)), (0, 0), "no one else tried a ballot");
    assert_eq!(parl.priest(2).presidency(), Some(ballot));
}

/// §3.2, the light-load path (`Config::votes_to_all`): with one ballot in flight the president
/// tells every priest his own vote with the BeginBallot, every voter tells his in turn, and every
/// priest who voted learns the decree from a majority set's Voted, with no Success at all; the
/// president sends Success only to the priests outside the majority set he counted.
#[test]
fn one_at_a_time_every_priest_learns_the_decree_from_a_majority_sets_voted() {
    let mut parl = Parliament::new(5);
    parl.elect(4);
    let sent = parl.sent.len();
    let a = petition("a");
    parl.petition(4, &a);
    while parl.deliver(|e| e.message.kind() != "Success").is_some() {}
    for q in 0..5 {
        assert_eq!(parl.numbers_of(q, &a), [1], "priest {q} learned it without Success");
    }
    let success: Vec<usize> =
        parl.sent[sent..].iter().filter(|e| e.message.kind() == "Success").map(|e| e.to.index()).collect();
    assert_eq!(success.len(), 2, "Success only to the two priests outside the majority set he counted");
    let voted = parl.sent[sent..].iter().filter(|e| e.message.kind() == "Voted").count();
    assert_eq!(voted, 4 + 4 * 4, "every priest's Voted to every other priest");
}

/// With three priests a voter who hears the president's Voted with the BeginBallot is, with
/// himself, a majority set: he learns the decree in the step in which he votes.
#[test]
fn with_three_priests_a_voter_learns_the_decree_as_he_votes() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    parl.petition(2, &petition("a"));
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("BeginBallot");
    assert!(parl.statute_book(0).is_empty(), "not before he hears the president's vote");
    parl.deliver(|e| kind_to(e, "Voted", 0)).expect("the president's Voted");
    let records = &parl.last_step(0).records;
    assert!(matches!(records.as_slice(), [Record::Decree { decree_no: 1, .. }]), "{records:?}");
}

/// Under load, with more ballots in flight than `votes_to_all`, votes go to the president alone
/// (N² Voted would cost more than they save) and the others learn from his Success.
#[test]
fn with_several_ballots_in_flight_votes_go_to_the_president_alone() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    parl.pass(2, &[petition("warm-up")]);
    let sent = parl.sent.len();
    let laws: Vec<_> = (2..=9).map(|i| petition(&format!("law {i}"))).collect();
    laws.iter().for_each(|l| parl.petition(2, l));
    parl.deliver_all();
    let voted_to_others = |from: DecreeNo| {
        parl.sent[sent..]
            .iter()
            .filter(|e| matches!(e.message, Message::Voted { decree_no, .. } if decree_no >= from))
            .filter(|e| e.to.index() != 2)
            .count()
    };
    assert!(voted_to_others(2) > 0, "decrees 2 to 5 were begun with fewer than 4 in flight");
    assert_eq!(voted_to_others(6), 0, "decrees 6 to 9 were begun with 4 ballots in flight");
    for q in 0..3 {
        assert_eq!(parl.statute_book(q).len(), 9);
    }
}

/// A voter the others' Voted never reach, and who is in the majority set the president counted,
/// gets no Success: he learns the decree by inquiry, from the president's next heartbeat.
#[test]
fn a_voter_whose_voted_were_lost_learns_the_decree_by_inquiry() {
    let mut parl = Parliament::new(3);
    parl.elect(2);
    let a = petition("a");
    parl.petition(2, &a);
    parl.drop_where(|e| kind_to(e, "Voted", 0));
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("BeginBallot");
    parl.drop_where(|e| kind_to(e, "BeginBallot", 1) || kind_to(e, "Voted", 1));
    parl.deliver_all();
    assert_eq!(parl.numbers_of(2, &a), [1], "the president counted priest 0 and himself");
    assert!(parl.statute_book(0).is_empty() && parl.sent_of("Success") == 1, "Success to priest 1 only");
    let ticks = parl.run_until(|p| (0..3).all(|q| p.numbers_of(q, &a) == [1]), 20);
    assert!(ticks <= 4, "a heartbeat or two: {ticks} ticks");
}

/// §2.3 step 3 and the light-load path: a president's BeginBallots tell none of his rows, so they
/// may leave before his own vote is synced (`Step::ahead`), and the voters' syncs run beside his.
/// With 5 priests they do; with 3, where he and any one voter are a majority set, they leave with
/// his Voted after the sync, so that a voter writes the decree with his own vote.
#[test]
fn begin_ballots_go_ahead_of_the_sync_unless_he_and_one_voter_are_a_majority_set() {
    for (n, ahead) in [(3, 0), (5, 4)] {
        let mut parl = Parliament::new(n);
        parl.elect(n - 1);
        parl.petition(n - 1, &petition("Lamps must use only olive oil"));
        let step = parl.last_step(n - 1);
        let begun = step.messages.iter().filter(|e| matches!(e.message, Message::BeginBallot { .. })).count();
        assert_eq!((begun, step.ahead), (n - 1, ahead), "{n} priests: {step:?}");
    }
    // Under load (votes to the president alone) they go ahead with 3 priests too, to the one
    // other priest of his majority set Q.
    let mut parl = Parliament::basic(3);
    parl.elect(2);
    parl.petition(2, &petition("Wine may not be watered"));
    assert_eq!(parl.last_step(2).ahead, 1);
}

/// §2.3 step 3: the president sends BeginBallot to the priests of a majority set Q, not to
/// every priest: with 5 priests, himself and the next two places (priests 0 and 1 after 4).
/// A priest of Q who leaves stalls the ballot only until the president's retry, when it goes
/// to every priest not known to be away; and once the absent priest is known to be away, Q is
/// chosen without him.
#[test]
fn begin_ballot_goes_to_a_majority_set_and_to_every_priest_on_retry() {
    let mut parl = Parliament::basic(5);
    parl.elect(4);
    let sent = parl.sent.len();
    let a = petition("Lamps must use only olive oil");
    parl.petition(4, &a);
    let asked = |parl: &Parliament, from: usize| -> BTreeSet<usize> {
        parl.sent[from..]
            .iter()
            .filter(|e| matches!(e.message, Message::BeginBallot { .. }))
            .map(|e| e.to.index())
            .collect()
    };
    assert_eq!(asked(&parl, sent), BTreeSet::from([0, 1]), "Q = {{4, 0, 1}}");
    parl.crash(0);
    parl.deliver_all();
    assert!(parl.statute_book(4).is_empty(), "two votes of five pass nothing");
    let retry = parl.config.retry_ticks;
    let sent = parl.sent.len();
    let ticks = parl.run_until(|p| p.numbers_of(4, &a) == [1], retry + 2);
    assert!(ticks <= retry + 1, "passed on the retry: {ticks} ticks");
    let unanswered = BTreeSet::from([0, 2, 3]);
    assert_eq!(
        asked(&parl, sent),
        unanswered,
        "every priest who has not voted (priest 0 not yet known away)"
    );
    // Priest 0 is known to be away after the president's timeout: the next Q passes him over.
    parl.run(parl.config.president_timeout_ticks + 1);
    let sent = parl.sent.len();
    let b = petition("Wine may not be watered");
    parl.petition(4, &b);
    assert_eq!(asked(&parl, sent), BTreeSet::from([1, 2]), "Q = {{4, 1, 2}}");
    parl.deliver_all();
    assert_eq!(parl.numbers_of(4, &b), [2]);
}
