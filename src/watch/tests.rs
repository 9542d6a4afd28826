//! Tests of the watch's state: a small Parliament of five priests (Dwork, Fischer, Lynch, Oki,
//! Toueg) fed the rows and messages of one ballot of §2.3, and the rules of §2.1 broken on purpose.
//! The fixtures here are shared with the rendering tests in [`super::render_tests`].

use chrono::{DateTime, TimeZone, Utc};

use super::model::{DELIVERIES_KEPT, Fate, Presence, WatchState};
use crate::books::Roll;
use crate::priest::{BallotNumber, Decree, Message, Petition, PriestId, Record, Vote};
use crate::rules::Rule;

pub const DWORK: PriestId = PriestId(0);
pub const FISCHER: PriestId = PriestId(1);
pub const LYNCH: PriestId = PriestId(2);
pub const OKI: PriestId = PriestId(3);
pub const TOUEG: PriestId = PriestId(4);

/// Milliseconds after 21:48:24 on the paper's day of the README's example.
pub fn at(ms: i64) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, 23, 21, 48, 24).unwrap() + chrono::Duration::milliseconds(ms))
}

pub fn roll() -> Roll {
    Roll::new(["Lynch", "Fischer", "Toueg", "Dwork", "Oki"].map(String::from).to_vec()).unwrap()
}

pub fn goats() -> Petition {
    Petition::new("paper-5", "Merchants may sell goats on the agora")
}

pub fn b1() -> BallotNumber {
    BallotNumber::new(1, TOUEG)
}

/// The ledgers' next lines, one per priest, so each test writes rows as a ledger would.
pub struct Feed {
    pub state: WatchState,
    lines: [u64; 5],
}

impl Feed {
    pub fn new() -> Self {
        Feed { state: WatchState::new(roll(), "/tmp/paxos"), lines: [0; 5] }
    }

    pub fn row(&mut self, p: PriestId, record: Record, ms: i64) {
        self.lines[p.index()] += 1;
        self.state.ledger_row(p, self.lines[p.index()], &record, at(ms));
    }

    pub fn vote(&mut self, p: PriestId, decree_no: u64, ballot: BallotNumber, decree: Decree, ms: i64) {
        self.row(p, Record::Voted(Vote { decree_no, ballot, decree }), ms);
    }
}

/// Toueg's ballot 1.Toueg passing decree 1 (goats) with Lynch, Oki and himself, Fischer's vote
/// still on its way; Dwork away; the messages of the ballot delivered.
pub fn one_ballot() -> Feed {
    let mut f = Feed::new();
    let law = Decree::Law(goats());
    f.state.petition("Ann", LYNCH, &goats(), at(0), "messagebooks/Lynch.csv", 1);
    f.row(TOUEG, Record::Tried { ballot: b1() }, 1);
    for (p, ms) in [(TOUEG, 2), (LYNCH, 3), (OKI, 3), (FISCHER, 4)] {
        f.row(p, Record::Promised { ballot: b1() }, ms);
    }
    let book = |p: PriestId| format!("messagebooks/{}.csv", roll().name(p));
    f.state.message(
        TOUEG,
        LYNCH,
        &Message::NextBallot { ballot: b1(), decree_no: 0 },
        at(1),
        &book(LYNCH),
        2,
    );
    let promise = Message::LastVote { ballot: b1(), decree_no: 0, known: 0, votes: vec![], decrees: vec![] };
    f.state.message(LYNCH, TOUEG, &promise, at(3), &book(TOUEG), 1);
    let begin = Message::BeginBallot { ballot: b1(), decree_no: 1, decree: law.clone() };
    f.state.message(TOUEG, OKI, &begin, at(5), &book(OKI), 1);
    f.state.message_fate(TOUEG, DWORK, &begin, at(5), &book(DWORK), 1, Fate::Lost);
    for (p, ms) in [(TOUEG, 5), (LYNCH, 6), (OKI, 7)] {
        f.vote(p, 1, b1(), law.clone(), ms);
    }
    f.state.message(OKI, TOUEG, &Message::Voted { ballot: b1(), decree_no: 1 }, at(7), &book(TOUEG), 2);
    f.row(TOUEG, Record::Decree { decree_no: 1, decree: law.clone() }, 8);
    f.row(LYNCH, Record::Decree { decree_no: 1, decree: law.clone() }, 9);
    f.state.message(TOUEG, LYNCH, &Message::Success { decree_no: 1, decree: law }, at(8), &book(LYNCH), 3);
    f.state.priest_status(DWORK, Presence::Away);
    f
}

#[test]
fn a_majority_set_of_voted_rows_marks_the_ballot_passed_at_the_third_vote() {
    let mut f = Feed::new();
    let law = Decree::Law(goats());
    f.state.petition("Ann", LYNCH, &goats(), at(0), "messagebooks/Lynch.csv", 1);
    f.vote(TOUEG, 1, b1(), law.clone(), 5);
    f.vote(LYNCH, 1, b1(), law.clone(), 6);
    let flight = f.state.flight();
    let b = flight.ballot(1).unwrap();
    assert_eq!((b.passed, f.state.needs(b)), (None, 1), "two of five are not a majority set");
    f.vote(OKI, 1, b1(), law.clone(), 7);
    let b = f.state.flight().ballot(1).unwrap();
    assert_eq!(b.passed, Some(at(7)), "passed the moment the third of five voted");
    assert_eq!(f.state.needs(b), 0);
    assert!(f.state.first_broken().is_none());
}

#[test]
fn the_president_is_the_owner_of_the_highest_ballot_promised() {
    let mut f = Feed::new();
    assert_eq!(f.state.president(), None);
    f.row(LYNCH, Record::Promised { ballot: b1() }, 1);
    assert_eq!(f.state.president(), Some(TOUEG));
    // Oki promised Lynch's ballot 2.Lynch, higher than 1.Toueg: rounds compare first (§2.2).
    f.row(OKI, Record::Promised { ballot: BallotNumber::new(2, LYNCH) }, 2);
    assert_eq!(f.state.president(), Some(LYNCH));
    // A higher Tried is not yet a promise: the president is whom priests promised.
    f.row(FISCHER, Record::Tried { ballot: BallotNumber::new(9, FISCHER) }, 3);
    assert_eq!(f.state.president(), Some(LYNCH));
}

#[test]
fn each_priest_shows_last_tried_next_bal_latest_vote_and_his_statute_book() {
    let f = one_ballot();
    let toueg = &f.state.priests()[TOUEG.index()];
    assert_eq!((toueg.durable.last_tried, toueg.durable.next_bal), (Some(b1()), Some(b1())));
    assert_eq!(toueg.latest_vote.as_ref().map(|v| (v.decree_no, v.ballot)), Some((1, b1())));
    assert_eq!((toueg.durable.known, toueg.last_decree(), toueg.rows), (1, 1, 4));
    let fischer = &f.state.priests()[FISCHER.index()];
    assert_eq!((fischer.latest_vote.clone(), fischer.durable.known), (None, 0));
    assert_eq!(f.state.priests()[DWORK.index()].presence, Presence::Away);
    let book: Vec<_> = f.state.flight().statute().map(|(no, s)| (no, s.holders.len())).collect();
    assert_eq!(book, vec![(1, 2)], "Toueg and Lynch hold decree 1");
}

/// The priests panel's fold keeps only lastTried, nextBal and how far the statute book runs; it
/// must say what the priest's whole durable state says of them, over holes, repeats, decrees out
/// of order and ballots going down.
#[test]
fn the_priests_panel_fold_agrees_with_the_durable_state_it_stands_in_for() {
    let law = |n: u64| Decree::Law(Petition::new(&format!("p{n}"), "text"));
    let b = |round: u64| BallotNumber::new(round, TOUEG);
    let mut records = vec![Record::Tried { ballot: b(3) }, Record::Promised { ballot: b(3) }];
    records.push(Record::Tried { ballot: b(2) });
    records.push(Record::Promised { ballot: b(1) });
    for n in [2, 1, 5, 3, 3, 7, 4, 6, 9] {
        records.push(Record::Voted(Vote { decree_no: n, ballot: b(3), decree: law(n) }));
        records.push(Record::Decree { decree_no: n, decree: law(n) });
    }
    let mut whole = crate::priest::Durable::default();
    let mut view = super::DurableView::default();
    for (i, record) in records.iter().enumerate() {
        whole.apply(record);
        view.apply(record);
        let last = whole.decrees.keys().next_back().copied().unwrap_or(0);
        assert_eq!(
            (view.last_tried, view.next_bal, view.known, view.last_decree()),
            (whole.last_tried, whole.next_bal, whole.known, last),
            "after row {i}: {record:?}"
        );
    }
    assert_eq!((view.known, view.last_decree()), (7, 9), "decree 8 is a hole");
}

#[test]
fn a_vote_against_a_chosen_decree_breaks_b3_and_names_the_file_and_line() {
    let mut f = one_ballot();
    let other = Petition::new("p2", "Wine may not be watered");
    f.state.petition("Ann", OKI, &other, at(10), "messagebooks/Oki.csv", 5);
    // Fischer votes in a later ballot for another decree under number 1, after 1.Toueg chose goats.
    f.row(FISCHER, Record::Promised { ballot: BallotNumber::new(2, FISCHER) }, 11);
    f.vote(FISCHER, 1, BallotNumber::new(2, FISCHER), Decree::Law(other), 12);
    let b = f.state.first_broken().expect("B3 is broken");
    assert_eq!((b.rule, b.file.as_str(), b.line), (Rule::B3, "ledgers/Fischer.csv", 3));
    assert!(b.detail.contains("1.Toueg"), "the detail names ballots as the roll does: {}", b.detail);
}

#[test]
fn a_decree_read_before_its_petition_is_not_a_violation_but_an_unmade_one_is() {
    let mut f = Feed::new();
    let wine = Petition::new("p2", "Wine may not be watered");
    f.row(OKI, Record::Decree { decree_no: 1, decree: Decree::Law(wine.clone()) }, 1);
    f.state.petition("Ann", OKI, &wine, at(0), "messagebooks/Oki.csv", 1);
    f.state.books_read();
    assert!(f.state.first_broken().is_none(), "the petition's row came late, that is all");
    let forged = Petition::new("p3", "Priests may drink the wine");
    f.row(OKI, Record::Decree { decree_no: 2, decree: Decree::Law(forged) }, 2);
    assert!(f.state.first_broken().is_none(), "not yet judged: the books may not be read through");
    f.state.books_read();
    let b = f.state.first_broken().expect("validity is broken");
    assert_eq!((b.rule, b.file.as_str(), b.line), (Rule::Validity, "ledgers/Oki.csv", 2));
}

/// A decree first seen restated by a new volume (the watch missed the volume that first wrote
/// it) and then in another ledger, before its petition's row is read, waits for the books like
/// any other: restating rows once skipped that, and every such decree broke validity at once.
/// A restated `Tried` row is no second try (B1).
#[test]
fn a_decree_first_seen_restated_waits_for_its_petition_and_a_restated_try_is_no_second_try() {
    let mut f = Feed::new();
    f.row(TOUEG, Record::Tried { ballot: b1() }, 1);
    f.state.restating_row(TOUEG, 2, &Record::Tried { ballot: b1() });
    let wine = Petition::new("p2", "Wine may not be watered");
    f.state.restating_row(OKI, 2, &Record::Decree { decree_no: 1, decree: Decree::Law(wine.clone()) });
    f.row(LYNCH, Record::Decree { decree_no: 1, decree: Decree::Law(wine.clone()) }, 1);
    assert!(f.state.first_broken().is_none(), "{:?}", f.state.first_broken());
    f.state.petition("Ann", OKI, &wine, at(0), "messagebooks/Oki.csv", 1);
    f.state.books_read();
    assert!(f.state.first_broken().is_none(), "{:?}", f.state.first_broken());
    assert_eq!(f.state.priests()[OKI.index()].durable.known, 1, "the restated decree is his");
}

#[test]
fn a_decree_that_changes_its_petitions_text_breaks_validity() {
    let mut f = Feed::new();
    let changed = Petition::new("p2", "Wine may be watered");
    f.row(LYNCH, Record::Decree { decree_no: 1, decree: Decree::Law(changed) }, 1);
    f.state.petition("Ann", LYNCH, &Petition::new("p2", "Wine may not be watered"), at(2), "x", 1);
    assert_eq!(f.state.first_broken().map(|b| b.rule), Some(Rule::Validity));
}

#[test]
fn deliveries_are_newest_first_and_bounded() {
    let mut f = one_ballot();
    let first = f.state.deliveries().next().unwrap().clone();
    assert_eq!((first.from.as_str(), first.to.as_str(), first.kind), ("Toueg", "Lynch", "Success"));
    let lost = f.state.deliveries().find(|d| d.fate == Fate::Lost).unwrap();
    assert_eq!((lost.to.as_str(), lost.kind), ("Dwork", "BeginBallot"));
    for i in 0..DELIVERIES_KEPT as u64 + 10 {
        f.state.message(OKI, TOUEG, &Message::Heartbeat { known: i }, at(20), "messagebooks/Toueg.csv", i);
    }
    assert_eq!(f.state.deliveries().count(), DELIVERIES_KEPT);
    assert_eq!(f.state.deliveries().next().unwrap().args, format!("known {}", DELIVERIES_KEPT + 9));
}

#[test]
fn a_tried_ballot_owned_by_another_breaks_b1() {
    let mut f = Feed::new();
    f.row(OKI, Record::Tried { ballot: b1() }, 1);
    let b = f.state.first_broken().unwrap();
    assert_eq!((b.rule, b.file.as_str(), b.line), (Rule::B1, "ledgers/Oki.csv", 1));
}

/// Fat priests (§2.2): in a Chamber laid out with Toueg of weight 2 beside three of weight 1,
/// Toueg's and Lynch's votes (3 of 5) are a majority set, though two of four priests are not.
#[test]
fn a_majority_set_is_counted_by_weight_when_the_roll_gives_weights() {
    let seats = [("Dwork", 1), ("Fischer", 1), ("Lynch", 1), ("Toueg", 2)];
    let roll = Roll::laid_out(seats.map(|(n, w)| (n.to_string(), w)).to_vec()).unwrap();
    let (toueg, lynch) = (roll.id("Toueg").unwrap(), roll.id("Lynch").unwrap());
    let mut state = WatchState::new(roll, "/tmp/fat").with_alpha(3);
    let law = Decree::Law(goats());
    state.petition("Ann", lynch, &goats(), at(0), "messagebooks/Lynch.csv", 1);
    let b = BallotNumber::new(1, toueg);
    state.ledger_row(toueg, 1, &Record::Voted(Vote { decree_no: 1, ballot: b, decree: law.clone() }), at(1));
    let ballot = state.flight().ballot(1).unwrap();
    assert_eq!((ballot.passed, state.needs(ballot)), (None, 1), "Toueg's 2 of 5 are not more than half");
    state.ledger_row(lynch, 1, &Record::Voted(Vote { decree_no: 1, ballot: b, decree: law.clone() }), at(2));
    let ballot = state.flight().ballot(1).unwrap();
    assert_eq!((ballot.passed, state.needs(ballot)), (Some(at(2)), 0), "3 of 5 are a majority set");
    assert_eq!(state.majority(), 3);
    state.ledger_row(toueg, 2, &Record::Decree { decree_no: 1, decree: law }, at(3));
    assert!(state.first_broken().is_none(), "{:?}", state.first_broken());
}
