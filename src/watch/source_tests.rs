//! Tests of the watch's data source on a Chamber laid out by God: who is present, away or
//! refusing, as the sitting locks, presence files and ledgers say; only new rows read; and a watch
//! that never turns a returning priest away.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::model::{Presence, WatchState};
use super::source::{Source, sitting_now};
use crate::books::Roll;
use crate::books::layout::ledger_path;
use crate::chamber::god::{lay_out, petition};
use crate::chamber::presence::Announcer;
use crate::chamber::sitting::claim;

fn chamber() -> (tempfile::TempDir, Roll) {
    let dir = tempfile::tempdir().unwrap();
    let roll = lay_out(dir.path(), &crate::names::chamber_names(3), true).unwrap();
    (dir, roll)
}

fn presences(state: &WatchState) -> Vec<Presence> {
    state.priests().iter().map(|p| p.presence).collect()
}

#[test]
fn sitting_priests_are_present_one_not_sitting_while_others_do_is_away_one_without_a_ledger_refuses() {
    let (dir, roll) = chamber();
    let names = roll.names().to_vec();
    let _first = claim(dir.path(), &names[0]).unwrap();
    let _second = claim(dir.path(), &names[1]).unwrap();
    Announcer::new(dir.path(), &names[0], 1).unwrap().announce(0).unwrap();
    let pid = std::process::id();
    assert_eq!(sitting_now(dir.path(), &roll), Some(vec![Some(pid), Some(pid), None]));
    let mut state = WatchState::new(roll.clone(), "test");
    let mut source = Source::open(dir.path(), &roll);
    source.refresh(&mut state);
    assert_eq!(presences(&state), [Presence::Present, Presence::Present, Presence::Away]);
    fs::remove_file(ledger_path(dir.path(), &names[2])).unwrap();
    source.refresh(&mut state);
    assert_eq!(presences(&state)[2], Presence::Refusing, "a lost ledger: he must not vote");
}

/// A priest sitting on another computer over a network folder holds no lock this kernel knows of;
/// while others sit here, the watch once called him away though his heartbeats arrived. His lease
/// (issue 18) says he sits.
#[test]
fn a_priest_sitting_on_another_computer_is_present_by_his_lease() {
    let (dir, roll) = chamber();
    let names = roll.names().to_vec();
    let _here = claim(dir.path(), &names[0]).unwrap();
    Announcer::new(dir.path(), &names[2], 1).unwrap().announce(0).unwrap();
    let renewed = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let lease = format!(
        "pid=4711 host=elsewhere machine=another-boot-id:4026531836 since={renewed} renewed={renewed} count=000000000001\n"
    );
    fs::write(crate::books::layout::lease_path(dir.path(), &names[2]), lease).unwrap();
    let mut state = WatchState::new(roll.clone(), "test");
    let mut source = Source::open(dir.path(), &roll);
    source.refresh(&mut state);
    assert_eq!(presences(&state), [Presence::Present, Presence::Away, Presence::Present]);
}

#[test]
fn each_refresh_reads_only_the_rows_written_since_the_last() {
    let (dir, roll) = chamber();
    let mut state = WatchState::new(roll.clone(), "test");
    let mut source = Source::open(dir.path(), &roll);
    source.refresh(&mut state);
    petition(dir.path(), &roll, &roll.names()[1], "Ann", "ann-1", "Wine may not be watered").unwrap();
    assert_eq!(source.refresh(&mut state), 1);
    assert_eq!(source.refresh(&mut state), 0, "nothing new, nothing read");
    petition(dir.path(), &roll, &roll.names()[1], "Ann", "ann-2", "Lamps use olive oil").unwrap();
    assert_eq!(source.refresh(&mut state), 1);
    let latest = state.deliveries().next().unwrap();
    assert_eq!((latest.from.as_str(), latest.kind), ("Ann", "Petition"));
    assert_eq!(latest.file, format!("messagebooks/{}/Ann.csv", roll.names()[1]));
    assert_eq!(latest.line, 3, "the header is line 1");
}

/// Trying a priest's sitting lock to see who sits (as `held_by` does) would, now and then, hold
/// it at the moment the priest comes back, and he would be refused as already sitting. The watch
/// reads the kernel's list of locks instead, so a priest claiming his sitting while the watch
/// refreshes as fast as it can is never refused.
#[test]
fn watching_never_turns_a_returning_priest_away() {
    let (dir, roll) = chamber();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (dir, roll, stop) = (dir.path().to_path_buf(), roll.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut state = WatchState::new(roll.clone(), "test");
            let mut source = Source::open(&dir, &roll);
            while !stop.load(Ordering::Relaxed) {
                source.refresh(&mut state);
            }
            source.refreshes
        })
    };
    for i in 0..400 {
        let sitting = claim(dir.path(), &roll.names()[0]);
        assert!(sitting.is_ok(), "claim {i} was refused: {}", sitting.unwrap_err());
    }
    stop.store(true, Ordering::Relaxed);
    assert!(watcher.join().unwrap() > 0, "the watch refreshed meanwhile");
}

#[test]
fn a_refresh_within_a_budget_feeds_part_and_the_rest_waits_in_order() {
    let (dir, roll) = chamber();
    for i in 0..600 {
        petition(dir.path(), &roll, &roll.names()[0], "Ann", &format!("ann-{i}"), &format!("decree {i}"))
            .unwrap();
    }
    let mut state = WatchState::new(roll.clone(), "test");
    let mut source = Source::open(dir.path(), &roll);
    assert_eq!(source.refresh_within(&mut state, Some(std::time::Duration::ZERO)), 256);
    assert_eq!(source.behind(), 344, "the rest wait");
    let mut fed = 256;
    while source.behind() > 0 {
        fed += source.refresh_within(&mut state, Some(std::time::Duration::ZERO));
    }
    assert_eq!(fed, 600);
    let lines: Vec<u64> = state.deliveries().map(|d| d.line).collect();
    assert_eq!(lines, (346..=601).rev().collect::<Vec<u64>>(), "the newest, newest first, in the order read");
}

/// Under load most messagebook rows would scroll out of view before a screen shows them, and the
/// watch does not format (or even parse) those; what they tell the view must not be lost with
/// them: the watch fed a whole run in one refresh knows what one fed every row, one at a time,
/// knows (statute book, ballots in flight, broken rules, each priest) and shows the same newest
/// deliveries.
#[test]
fn rows_that_scroll_out_of_view_unread_still_tell_the_rules_and_the_ballots() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::sim::SimConfig {
        keep_books: true,
        ..crate::sim::SimConfig { lose: 0.05, duplicate: 0.05, ..crate::sim::SimConfig::new(7, 5, 300) }
    };
    let outcome = crate::sim::run(&config, None);
    crate::sim::files::write_chamber(&outcome, dir.path()).unwrap();
    let roll = Roll::read(dir.path()).unwrap().expect("the run wrote its roll");
    let mut hushed = WatchState::new(roll.clone(), "test");
    let mut source = Source::open(dir.path(), &roll);
    source.refresh(&mut hushed);
    let mut every = WatchState::new(roll.clone(), "test");
    use super::replay::{Moment, apply};
    let mut rows: Vec<(_, Moment)> = Vec::new();
    for (i, name) in roll.names().iter().enumerate() {
        let read = crate::books::ledger_read::read_ledger(&ledger_path(dir.path(), name), &roll).unwrap();
        for (line, row) in read.rows {
            rows.push((row.at, Moment::Ledger(crate::priest::PriestId(i as u16), line, row.record)));
        }
    }
    let books = Source::open(dir.path(), &roll).read_books();
    assert!(books.len() > 2 * super::model::DELIVERIES_KEPT, "a run long enough to hush rows");
    rows.extend(books.into_iter().map(|b| (b.at, Moment::Book(b))));
    for (at, row) in &rows {
        apply(&mut every, *at, row);
    }
    every.books_read();
    for (i, p) in hushed.priests().iter().enumerate() {
        every.priest_status(crate::priest::PriestId(i as u16), p.presence); // not in the rows
    }
    assert_eq!(hushed.flight().statute().count(), 300);
    assert!(
        format!("{:?}", hushed.flight()) == format!("{:?}", every.flight()),
        "the same ballots and statutes"
    );
    assert_eq!(hushed.broken(), every.broken());
    assert!(format!("{:?}", hushed.priests()) == format!("{:?}", every.priests()), "the same priests");
    let newest = |s: &WatchState| s.deliveries().map(|d| (d.file.clone(), d.line)).collect::<Vec<_>>();
    assert_eq!(newest(&hushed), newest(&every));
}

/// `parliament admit` seats a place while the watch looks on: the source says the roll grew, so
/// the view is built again with his lifeline; an unchanged roll costs one `stat` and says nothing.
#[test]
fn a_place_seated_while_the_watch_looks_on_grows_the_roll() {
    let (dir, roll) = chamber();
    let mut source = Source::open(dir.path(), &roll);
    assert!(source.grown_roll().is_none(), "nothing was seated");
    let (seated, new) = Roll::seat(dir.path(), "Strong").unwrap();
    assert!(new);
    let grown = source.grown_roll().expect("the roll grew");
    assert_eq!(grown.names(), seated.names());
    assert_eq!(grown.len(), roll.len() + 1);
    assert!(source.grown_roll().is_none(), "told once");
}

/// A hushed BeginBallot is skipped unparsed when its ballot is already in flight, its decree
/// number and ballot read by splitting at commas; a decree text holding a comma (quoted) would
/// shift the columns, so such a row is never read that way: it is parsed whole.
#[test]
fn a_begin_ballot_is_read_by_its_commas_only_when_it_holds_no_quote() {
    use super::source::begun_ballot;
    use crate::books::book_rows::book_row;
    use crate::priest::{BallotNumber, Decree, Message, Petition, PriestId};
    let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
    let ballot = BallotNumber::new(4, PriestId(1));
    let row = |text: &str| {
        let decree = Decree::Law(Petition::new("p-1", text));
        book_row(
            &roll,
            chrono::Utc::now(),
            &roll.names()[1],
            &Message::BeginBallot { ballot, decree_no: 12, decree },
        )
    };
    assert_eq!(begun_ballot(&roll, row("Lamps use olive oil").trim_end()), Some((12, ballot)));
    let comma = row("Lamps, and wicks");
    assert!(comma.contains('"'), "{comma}");
    assert_eq!(begun_ballot(&roll, comma.trim_end()), None, "{comma}");
    let olive = book_row(
        &roll,
        chrono::Utc::now(),
        &roll.names()[1],
        &Message::BeginBallot { ballot, decree_no: 3, decree: Decree::OliveDay },
    );
    assert_eq!(begun_ballot(&roll, olive.trim_end()), Some((3, ballot)), "{olive}");
}

/// A watch begun after a priest's first volume closed (§3.3.2) reads a live volume that opens
/// with `Restated`: his law book runs through that decree, and the rows after it follow on. It
/// once missed the `Restated` row, so he seemed to lack every decree below, and each later number
/// waited above the hole in a set that grew by every decree passed.
#[test]
fn a_watch_begun_after_a_volume_closed_counts_the_law_book_as_held() {
    use crate::books::ledger_read::restated_row;
    use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use crate::priest::{Decree, Petition, PriestId, Record};
    let (dir, roll) = chamber();
    let at = "2026-12-07T16:00:00.000Z";
    let mut volume = format!("{LEDGER_HEADER}\n{}", restated_row(at, 2_000));
    for no in 2_001..=2_003 {
        let decree = Decree::Law(Petition::new(&format!("p-{no}"), "Lamps"));
        volume.push_str(&ledger_row(&roll, chrono::Utc::now(), &Record::Decree { decree_no: no, decree }));
    }
    fs::write(ledger_path(dir.path(), &roll.names()[0]), volume).unwrap();
    let mut state = WatchState::new(roll.clone(), "test");
    Source::open(dir.path(), &roll).refresh(&mut state);
    let durable = &state.priests()[PriestId(0).index()].durable;
    assert_eq!((durable.known, durable.last_decree()), (2_003, 2_003), "{durable:?}");
}
