//! Scenarios for membership by decree (§3.3.6) with weighted majority sets (§2.2): "the priests
//! who may pass decree n are those named by the law as of decree n − 3". Here α = 3, and the
//! Chamber lays out four places: priests 0, 1 and 2 are legislators of weight 1, priest 3 is laid
//! out with weight 0 (he learns every decree; his vote counts for nothing and he never presides).

use parliament::priest::{Config, Decree, DecreeNo, Message, Petition, Record, RollChange};

use crate::harness::{Parliament, id, kind_to, law, petition};

/// Three legislators and a fourth place of weight 0, α = 3.
fn chamber() -> Parliament {
    let mut config = Config::weighted(vec![1, 1, 1, 0]);
    config.alpha = 3;
    Parliament::with_config(config)
}

/// The petition that gives priest `p` this weight.
fn seat(p: usize, weight: u32) -> Petition {
    let text = match weight {
        0 => format!("Priest {p} is no longer a legislator"),
        _ => format!("Priest {p} is now a legislator"),
    };
    Petition::membership(&text, &text, RollChange { priest: id(p), weight })
}

/// The decree numbers at which priest `p`'s book holds olive day.
fn olive_days(parl: &Parliament, p: usize) -> Vec<DecreeNo> {
    parl.statute_book(p).into_iter().filter(|(_, d)| *d == Decree::OliveDay).map(|(n, _)| n).collect()
}

/// §3.3.6: priest 3 is admitted by decree 1. The roll in force for decrees 2 and 3 is still the
/// first three; from decree 4 on it is all four, and every priest computes the same.
#[test]
fn an_admitted_priest_is_a_legislator_from_decree_m_plus_alpha() {
    let mut parl = chamber();
    parl.elect(2);
    assert_eq!(parl.priest(3).president(), Some(id(2)), "a priest of weight 0 never presides");
    parl.pass(2, &[seat(3, 1)]);
    assert_eq!(parl.numbers_of(3, &seat(3, 1)), [1], "he learns his own admission");
    for q in 0..4 {
        let roll = |n| parl.priest(q).roll_for(n).clone();
        assert!(!roll(3).is_legislator(id(3)), "priest {q}: decree 3 is passed by the law as of 0");
        assert!(roll(4).is_legislator(id(3)), "priest {q}: decree 4 by the law as of 1");
    }
}

/// §3.3.6, the paper's decrees 3253 and 3254: after "3252: Στρωνγ is now a legislator" passes
/// and nothing waits, the president fills the next α − 1 numbers with olive day so the change
/// is in force at once; the new priest's vote counts from m + α. With priest 0 away, decree 4
/// needs three of the four: priests 1 and 2 are no longer enough, priest 3's vote is.
#[test]
fn the_gap_rule_forces_olive_day_decrees_after_an_admission_and_the_new_vote_counts_from_m_plus_alpha() {
    let mut parl = chamber();
    parl.elect(2);
    parl.pass(2, &[seat(3, 1)]);
    parl.run(5);
    for q in 0..4 {
        assert_eq!(olive_days(&parl, q), [2, 3], "priest {q}: decrees m + 1 and m + 2 are olive day");
    }
    parl.hold(0);
    parl.hold(3);
    parl.petition(2, &petition("after the admission"));
    parl.run(20);
    assert!(parl.numbers_of(2, &petition("after the admission")).is_empty(), "priests 1 and 2 weigh 2 of 4");
    parl.release_all();
    parl.hold(0);
    parl.run_until(|p| p.numbers_of(2, &petition("after the admission")) == [4], 50);
    let voted_4 = |q: usize| {
        parl.sent.iter().any(|e| e.from == id(q) && matches!(e.message, Message::Voted { decree_no: 4, .. }))
    };
    assert!(voted_4(3), "priest 3's vote made the majority set for decree 4");
}

/// §3.3.6 with §2.4: dismissing the president. Once he knows his dismissal he hands on: the next
/// legislator by name presides, and the dismissed priest goes on learning every decree. He begins
/// no ballot once he knows, so the olive-day fill is left to his successor, who has a petition
/// waiting instead. From decree m + α the roll is priests 0 and 1, both of whom must vote.
#[test]
fn a_dismissed_president_hands_on_and_goes_on_learning() {
    let mut parl = chamber();
    parl.elect(2);
    parl.pass(2, &[seat(2, 0)]);
    parl.run_until(|p| (0..4).all(|q| p.priest(q).president() == Some(id(1))), 50);
    assert_eq!(parl.priest(2).presidency(), None, "he stepped down");
    parl.pass(0, &[petition("under priest 1")]);
    let n = parl.numbers_of(2, &petition("under priest 1"));
    assert_eq!(n, [2], "the dismissed priest learns it too");
    let success = parl.sent.iter().find(|e| matches!(e.message, Message::Success { decree_no: 2, .. }));
    assert_eq!(success.map(|e| e.from), Some(id(1)), "priest 1 passed decree 2");
    assert_eq!(parl.priest(0).roll_for(4).legislators().collect::<Vec<_>>(), [id(0), id(1)]);
}

/// §3.3.6: "a president may not try decree n + 3 before he knows every decree through n". A
/// president who held older ballots (priest 2) leaves after one priest voted for admitting
/// priest 3 at decree 1; priest 1 takes over, is told that vote (B3) and proposes it again, and
/// with four petitions waiting begins decrees 2 and 3 at once, but decree 4, whose roll decree 1
/// may change, only once he knows decree 1.
#[test]
fn a_membership_decree_reported_by_an_older_ballot_holds_back_decree_m_plus_alpha() {
    let mut parl = chamber();
    parl.elect(2);
    parl.petition(2, &seat(3, 1));
    parl.deliver(|e| kind_to(e, "BeginBallot", 0)).expect("priest 0 votes for the admission");
    parl.drop_where(|_| true);
    parl.crash(2);
    let laws: Vec<Petition> = (1..=4).map(|i| petition(&format!("law {i}"))).collect();
    laws.iter().for_each(|l| parl.petition(1, l));
    parl.elect(1);
    parl.run_until(|p| p.present(1) && p.priest(1).durable().known >= 5, 50);
    // His ledger tells the order (the messages of one step leave in another: `Step::ahead`):
    // he learned decree 1 before he began decree 4's ballot and voted in it.
    let row = |pick: &dyn Fn(&Record) -> bool| parl.ledgers[1].iter().position(pick);
    let passed_1 = row(&|r| matches!(r, Record::Decree { decree_no: 1, .. }));
    let begun_4 = row(&|r| matches!(r, Record::Voted(v) if v.decree_no == 4 && v.ballot.priest == id(1)));
    assert!(
        passed_1.is_some() && begun_4 > passed_1,
        "decree 4 voted at row {begun_4:?}, decree 1 at {passed_1:?}"
    );
    let book = parl.statute_book(1);
    assert_eq!(book[0], (1, Decree::Law(seat(3, 1))), "B3: the vote reported is proposed again");
    assert_eq!(
        book[1..].iter().map(|(_, d)| d.clone()).collect::<Vec<_>>(),
        laws.iter().map(|l| law(&l.text)).collect::<Vec<_>>()
    );
    parl.come_back(2);
    parl.run_until(|p| p.priest(2).durable().known >= 5, 50);
}
