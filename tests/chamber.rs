//! The Chamber on files, through the built binary in temporary folders (fd's `TestEnv` habit):
//! convene and read every ledger, resume without changing a byte, petitions by hand (`echo >>`,
//! an editor's rename-over save, a row in two halves), a garbage row, SIGTERM, and a priest
//! process killed with SIGKILL who is brought back and catches up.

mod common;

use std::fs;
use std::process::{Command, Stdio};

use common::{append, assert_no_torn_rows, book, parliament, sigterm, stay, wait_for_law};

const NAMES: [&str; 5] = ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"];

#[test]
fn convene_passes_the_papers_decrees_into_every_ledger_and_resuming_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("The statute book (5 decrees)"), "{stdout}");
    let mut before = Vec::new();
    for name in NAMES {
        let ledger = fs::read_to_string(dir.path().join("ledgers").join(format!("{name}.csv"))).unwrap();
        assert!(ledger.starts_with("at,entry,ballot,decree_no,decree,petition\n"));
        assert_eq!(ledger.lines().filter(|l| l.contains(",Decree,")).count(), 5, "{name}: {ledger}");
        assert!(ledger.contains("Lamps must use only olive oil"));
        before.push(ledger);
    }
    let out = parliament(dir.path(), &["convene", "--quiet"]);
    assert!(out.status.success());
    for (name, old) in NAMES.iter().zip(before) {
        let now = fs::read_to_string(dir.path().join("ledgers").join(format!("{name}.csv"))).unwrap();
        assert_eq!(now, old, "resuming changed {name}'s ledger");
    }
    let laws = parliament(dir.path(), &["laws", "--json"]);
    let laws: serde_json::Value = serde_json::from_slice(&laws.stdout).unwrap();
    assert_eq!(laws["laws"].as_array().unwrap().len(), 5);
    assert_eq!(laws["laws"][0]["held_by"].as_array().unwrap().len(), 5);
}

/// A newcomer rewrote one decree in Dwork's ledger with `sed -i`: `laws` printed the edited text
/// as held by every ledger, because it took the first ledger's text for the number and counted
/// everyone holding any text there.
#[test]
fn laws_shows_a_decree_edited_by_hand_as_a_disagreement_not_as_every_ledgers_law() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let path = dir.path().join("ledgers/Dwork.csv");
    let ledger = fs::read_to_string(&path).unwrap();
    fs::write(&path, ledger.replace("Lamps must use only olive oil", "Lamps may use any oil")).unwrap();
    let laws = parliament(dir.path(), &["laws", "--json"]);
    let laws: serde_json::Value = serde_json::from_slice(&laws.stdout).unwrap();
    let lamps =
        laws["laws"].as_array().unwrap().iter().find(|l| l["decree"] == "Lamps must use only olive oil");
    let lamps = lamps.expect("the text four ledgers hold is the statute book's");
    assert_eq!(lamps["held_by"], serde_json::json!(["Fischer", "Lynch", "Oki", "Toueg"]));
    assert_eq!(lamps["disagreeing"][0]["held_by"], serde_json::json!(["Dwork"]));
    let table = String::from_utf8(parliament(dir.path(), &["laws"]).stdout).unwrap();
    assert!(table.contains("but Dwork's ledger says: Lamps may use any oil"), "{table}");
    assert!(!table.contains("Lamps may use any oil  [every ledger]"), "{table}");
}

#[test]
fn hand_written_rows_pass_and_garbage_is_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    // echo >>
    append(&book(dir.path(), "Lynch"), ",Ann,Petition,Olives are free for priests\n");
    wait_for_law(dir.path(), "Olives are free for priests");
    // A garbage row, then a row written in two halves.
    append(&book(dir.path(), "Oki"), "garbage,,Vote,,x\n");
    append(&book(dir.path(), "Oki"), ",Bob,Petition,\"Wine, ");
    // Whether or not the priest woke between the halves, the row must pass once, whole.
    append(&book(dir.path(), "Oki"), "not water\"\n");
    wait_for_law(dir.path(), "Wine, not water");
    // An editor's save: the whole book written anew beside it, renamed over it.
    let path = book(dir.path(), "Fischer");
    append(&path, ",Cy,Petition,Saved before the editor opened it\n");
    wait_for_law(dir.path(), "Saved before the editor opened it");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str(",Cy,Petition,=1+1 is two\n");
    fs::write(dir.path().join("messagebooks/Fischer/.hand.csv.swp"), text).unwrap();
    fs::rename(dir.path().join("messagebooks/Fischer/.hand.csv.swp"), &path).unwrap();
    wait_for_law(dir.path(), "=1+1 is two");
    sigterm(&mut chamber);
    assert_no_torn_rows(dir.path());
    let err = fs::read_to_string(dir.path().join("err.txt")).unwrap();
    assert!(
        err.contains("messagebooks/Oki/hand.csv line 1") && err.contains("unknown message \"Vote\""),
        "{err}"
    );
    assert!(
        !err.contains("Saved before the editor opened it\" is already law"),
        "the editor's save re-answered history: {err}"
    );
    let ledger = fs::read_to_string(dir.path().join("ledgers/Lynch.csv")).unwrap();
    assert!(ledger.contains(",'=1+1 is two,"), "formulas are guarded in the file: {ledger}");
    let laws = String::from_utf8(parliament(dir.path(), &["laws"]).stdout).unwrap();
    assert_eq!(laws.matches("=1+1 is two").count(), 1, "the editor's save passed once: {laws}");
    assert_eq!(laws.matches("Olives are free for priests").count(), 1, "{laws}");
}

#[test]
fn a_priest_process_killed_is_brought_back_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &["--processes"]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    let found = Command::new("pkill")
        .args(["-9", "-f", &format!("priest Oki --dir {}", dir.path().display())])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(found.success(), "Oki's process was found and killed");
    append(&book(dir.path(), "Lynch"), ",Ann,Petition,Passed while Oki was away\n");
    wait_for_law(dir.path(), "Passed while Oki was away");
    sigterm(&mut chamber);
    let err = fs::read_to_string(dir.path().join("err.txt")).unwrap();
    assert!(err.contains("Oki left the Chamber") && err.contains("God brings him back"), "{err}");
    assert_no_torn_rows(dir.path());
}

#[test]
fn a_priest_without_his_ledger_refuses_to_vote() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    fs::rename(dir.path().join("ledgers/Oki.csv"), dir.path().join("Oki-lost.csv")).unwrap();
    let out = parliament(dir.path(), &["priest", "Oki", "--quiet"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Oki.csv: the ledger is missing") && err.contains("must not vote"), "{err}");
}

#[test]
fn a_simulated_run_is_written_as_a_chamber_that_laws_and_status_read() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(["simulate", "--seed", "3", "--lose", "0.2", "--crash", "0.01", "--quiet", "--dir"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let laws = parliament(&run, &["laws", "--json"]);
    let laws: serde_json::Value = serde_json::from_slice(&laws.stdout).unwrap();
    let laws = laws["laws"].as_array().unwrap();
    // Each of the 20 petitions passed once; beside them may stand olive days (§2.2) and void
    // repeats of a petition read again after a crash, which change nothing.
    let mut passed: Vec<&str> = laws
        .iter()
        .filter(|l| l["olive_day"] == false && l["void_repeat_of"].is_null())
        .map(|l| l["petition"].as_str().unwrap())
        .collect();
    assert_eq!(passed.len(), 20, "20 petitions, 20 decrees that count: {laws:?}");
    passed.sort();
    passed.dedup();
    assert_eq!(passed.len(), 20, "no petition passed twice: {laws:?}");
    assert!(laws.iter().all(|l| l["held_by"].as_array().unwrap().len() == 5));
    let book: String = fs::read_dir(run.join("messagebooks/Toueg"))
        .unwrap()
        .map(|page| fs::read_to_string(page.unwrap().path()).unwrap())
        .collect();
    assert!(book.contains(",Voted,") && book.contains(",LastVote,"), "the books hold the messages delivered");
    // Its petitions carry quotes, backslashes and lines that look like rows; all read back whole.
    assert!(
        laws.iter().any(|l| l["decree"].as_str().is_some_and(|d| d.contains("\n2026-01-01T00:00:00.000Z,")))
    );
    let audit = parliament(&run, &["audit"]);
    assert_eq!(audit.status.code(), Some(0), "{}", String::from_utf8_lossy(&audit.stdout));
    assert_no_torn_rows(&run);
}
