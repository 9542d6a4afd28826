//! `cargo bench`: the priest core and the row formats, with no files or clock in the way.
//!
//! - `decree_through_three_priests`: one petition becomes one decree in every ledger of a
//!   three-priest Chamber held in memory (§3.2's steady state: BeginBallot, Voted, Success).
//! - the row writers and parsers of ledgers and messagebooks.
//! - the backing check (`LedgerIndex::backs`): a message from another priest checked against his
//!   ledger's rows as indexed (§2.3: every message is a pure function of its sender's ledger), and
//!   the cost of indexing one row of his ledger (`LedgerIndex::add`).

use divan::{Bencher, black_box};
use parliament::books::backing::LedgerIndex;
use parliament::books::book_rows::{book_row, parse_book_row};
use parliament::books::ledger_rows::{ledger_row, parse_ledger_row};
use parliament::chamber::Roll;
use parliament::names::chamber_names;
use parliament::priest::{
    BallotNumber, Config, Decree, Input, Message, Petition, Priest, PriestId, Record, Step, Vote,
};

fn main() {
    divan::main();
}

/// Three priests in memory, with Toueg (priest 2) already president.
fn chamber() -> Vec<Priest> {
    let config = Config::new(3);
    let mut priests: Vec<Priest> = (0..3).map(|i| Priest::new(PriestId(i), config.clone())).collect();
    let mut step = Step::default();
    for _ in 0..20 {
        for p in 0..3 {
            step.clear();
            priests[p].handle(Input::Tick, &mut step);
            deliver(&mut priests, &mut step, p);
        }
    }
    assert_eq!(priests[2].presidency().map(|b| b.priest), Some(PriestId(2)), "Toueg presides");
    priests
}

/// Delivers every message of `step` (from priest `from`) and what they cause, until quiet.
fn deliver(priests: &mut [Priest], step: &mut Step, from: usize) {
    let mut queue: Vec<(usize, usize, Message)> =
        step.messages.drain(..).map(|e| (from, e.to.index(), e.message)).collect();
    let mut next = Step::default();
    while let Some((from, to, message)) = queue.pop() {
        next.clear();
        priests[to].handle(Input::Message { from: PriestId(from as u16), message }, &mut next);
        queue.extend(next.messages.drain(..).map(|e| (to, e.to.index(), e.message)));
    }
}

#[divan::bench]
fn decree_through_three_priests(bencher: Bencher) {
    let mut priests = chamber();
    let mut step = Step::default();
    let mut k = 0u64;
    bencher.bench_local(|| {
        k += 1;
        step.clear();
        let petition = Petition::new(&format!("p{k}"), "Lamps must use only olive oil");
        priests[2].handle(Input::Petition(petition), &mut step);
        deliver(&mut priests, &mut step, 2);
        black_box(priests[0].durable().known)
    });
}

fn roll() -> Roll {
    Roll::new(chamber_names(5)).expect("a valid roll")
}

fn vote() -> Record {
    let decree = Decree::Law(Petition::new("paper-1", "Lamps must use only olive oil"));
    Record::Voted(Vote { decree_no: 7, ballot: BallotNumber::new(3, PriestId(4)), decree })
}

#[divan::bench]
fn write_ledger_row(bencher: Bencher) {
    let (roll, record, at) = (roll(), vote(), chrono::Utc::now());
    bencher.bench_local(|| ledger_row(&roll, at, black_box(&record)));
}

#[divan::bench]
fn parse_ledger_row_plain(bencher: Bencher) {
    let roll = roll();
    let row = ledger_row(&roll, chrono::Utc::now(), &vote());
    let row = row.trim_end();
    bencher.bench_local(|| parse_ledger_row(&roll, black_box(row)).expect("parses"));
}

#[divan::bench]
fn parse_ledger_row_quoted(bencher: Bencher) {
    let roll = roll();
    let decree = Decree::Law(Petition::new("p", "Wine, \"unwatered\", is law"));
    let record = Record::Decree { decree_no: 9, decree };
    let row = ledger_row(&roll, chrono::Utc::now(), &record);
    let row = row.trim_end();
    bencher.bench_local(|| parse_ledger_row(&roll, black_box(row)).expect("parses"));
}

#[divan::bench]
fn parse_book_row_begin_ballot(bencher: Bencher) {
    let roll = roll();
    let decree = Decree::Law(Petition::new("paper-1", "Lamps must use only olive oil"));
    let m = Message::BeginBallot { ballot: BallotNumber::new(3, PriestId(4)), decree_no: 7, decree };
    let row = book_row(&roll, chrono::Utc::now(), "Toueg", &m);
    let row = row.trim_end();
    bencher.bench_local(|| parse_book_row(&roll, black_box(row)).expect("parses"));
}

/// Toueg's ledger indexed as another priest reads it: 10,000 decrees, each with his vote.
fn indexed(decrees: u64) -> (LedgerIndex, BallotNumber) {
    let ballot = BallotNumber::new(3, PriestId(4));
    let mut index = LedgerIndex::default();
    index.add(&Record::Tried { ballot });
    index.add(&Record::Promised { ballot });
    for n in 1..=decrees {
        let decree = Decree::Law(Petition::new(&format!("p{n}"), "Lamps must use only olive oil"));
        index.add(&Record::Voted(Vote { decree_no: n, ballot, decree: decree.clone() }));
        index.add(&Record::Decree { decree_no: n, decree });
    }
    (index, ballot)
}

#[divan::bench]
fn backing_check_begin_ballot(bencher: Bencher) {
    let (index, ballot) = indexed(10_000);
    let decree = Decree::Law(Petition::new("p5000", "Lamps must use only olive oil"));
    let m = Message::BeginBallot { ballot, decree_no: 5000, decree };
    bencher.bench_local(|| index.backs(black_box(&m)).expect("backed"));
}

#[divan::bench]
fn backing_check_voted_and_success(bencher: Bencher) {
    let (index, ballot) = indexed(10_000);
    let decree = Decree::Law(Petition::new("p5000", "Lamps must use only olive oil"));
    let voted = Message::Voted { ballot, decree_no: 5000 };
    let success = Message::Success { decree_no: 5000, decree };
    bencher.bench_local(|| {
        index.backs(black_box(&voted)).expect("backed");
        index.backs(black_box(&success)).expect("backed")
    });
}

#[divan::bench]
fn backing_check_refuses_a_forgery(bencher: Bencher) {
    let (index, ballot) = indexed(10_000);
    let m = Message::BeginBallot { ballot, decree_no: 5000, decree: Decree::OliveDay };
    bencher.bench_local(|| index.backs(black_box(&m)).expect_err("forged"));
}

#[divan::bench]
fn backing_index_one_vote_and_decree(bencher: Bencher) {
    let (mut index, ballot) = indexed(10_000);
    let mut n = 10_000u64;
    bencher.bench_local(|| {
        n += 1;
        let decree = Decree::Law(Petition::new("p", "Lamps must use only olive oil"));
        index.add(&Record::Voted(Vote { decree_no: n, ballot, decree: decree.clone() }));
        index.add(&Record::Decree { decree_no: n, decree });
    });
}
