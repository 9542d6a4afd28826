//! A second writer in a priest's ledger (issue 18): two sittings as one priest on two computers
//! (where the lock did not reach), or a hand appending to it. The priest is his ledger's only
//! writer, so he knows its exact length; at his next sync he sees it longer than what he wrote,
//! relays nothing that sync allows, and leaves refusing to vote (exit 3), naming the file
//! (§1.3: a priest's ledger is his own; one he cannot vouch for must not vote).

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use parliament::books::backing::LedgerIndex;
use parliament::books::book_rows::{BookEntry, parse_book_row};
use parliament::books::layout::{ledger_path, page_path};
use parliament::books::ledger_read::read_ledger;
use parliament::chamber::god::{lay_out, petition};

/// A priest process, killed when the test ends, however it ends.
struct Sits(std::process::Child);

impl Drop for Sits {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_second_writer_in_his_ledger_stops_the_priest_before_he_relays_and_he_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = ["Ann", "Bob", "Cy"].map(String::from).to_vec();
    let roll = lay_out(dir.path(), &names, true).unwrap();
    // Ann and Bob sit, a majority set: every decree needs a vote in Ann's ledger.
    let start = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_parliament"))
            .args(["priest", name, "--quiet", "--tick-ms", "10", "--dir"])
            .arg(dir.path())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut ann = Sits(start("Ann"));
    let _bob = Sits(start("Bob"));
    let ledger = ledger_path(dir.path(), "Ann");
    petition(dir.path(), &roll, "Ann", "Zoe", "zoe-0", "Lamps use olive oil").unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fs::read_to_string(&ledger).unwrap_or_default().contains("Lamps use olive oil") {
        assert!(Instant::now() < deadline, "the first decree did not pass");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Another sitting as Ann appends a row of its own: a whole, valid row.
    let text = fs::read_to_string(&ledger).unwrap();
    let last = text.lines().last().unwrap().to_string();
    let mut other = fs::OpenOptions::new().append(true).open(&ledger).unwrap();
    other.write_all(format!("{last}\n").as_bytes()).unwrap();
    let foreign_line = text.lines().count() as u64 + 1;
    petition(dir.path(), &roll, "Ann", "Zoe", "zoe-1", "Wine may not be watered").unwrap();

    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = ann.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "Ann sat on beside a second writer");
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(ann.0.stderr.as_mut().unwrap(), &mut said).unwrap();
    assert_eq!(status.code(), Some(3), "she refuses to vote (exit 3): {said}");
    assert!(said.contains("ledgers/Ann.csv") && said.contains("another process writes in it too"), "{said}");

    // Everything her messenger carried rests on rows written before the foreign one.
    let mut index = LedgerIndex::default();
    for (line, row) in read_ledger(&ledger, &roll).unwrap().rows {
        if line < foreign_line {
            index.add(&row.record);
        }
    }
    let mut carried = 0;
    for to in ["Bob", "Cy"] {
        let page = fs::read_to_string(page_path(dir.path(), to, "Ann")).unwrap_or_default();
        for row in page.lines().skip(1) {
            if let Ok(BookEntry::Message { message, .. }) = parse_book_row(&roll, row) {
                carried += 1;
                assert!(index.backs(&message).is_ok(), "relayed on a row after the second writer's: {row}");
            }
        }
    }
    assert!(carried > 0, "she relayed her ballots before the second writer came");
}
