//! Books a person can read: every row read is answered or named, the read commands tell the truth
//! at a glance, presence keeps out of the messagebooks, and a plain `convene` passes what waits.

mod common;

use std::fs;

use common::{append, book, laws_with, parliament, sigterm, stay, wait_for_law, wait_until};

/// The sizes of every messagebook page, in order.
fn page_sizes(dir: &std::path::Path) -> Vec<(String, u64)> {
    let mut sizes = Vec::new();
    for folder in fs::read_dir(dir.join("messagebooks")).unwrap() {
        for page in fs::read_dir(folder.unwrap().path()).unwrap() {
            let page = page.unwrap();
            let name = page.file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") {
                sizes.push((page.path().display().to_string(), page.metadata().unwrap().len()));
            }
        }
    }
    sizes.sort();
    sizes
}

#[test]
fn an_idle_chamber_writes_no_row_while_its_priests_announce_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    // Every petition convene made, in every ledger: a machine under load once had the last one
    // still passing (its votes still being written) when the sizes were first taken.
    for text in [
        "Lamps must use only olive oil",
        "The olive tax is 3 drachmas per ton",
        "Painting on temple walls is forbidden",
        "Cheese inspectors are appointed by lot",
        "Merchants may sell goats on the agora",
    ] {
        wait_for_law(dir.path(), text);
    }
    let presence = dir.path().join("presence/Toueg.csv");
    let before = page_sizes(dir.path());
    // Twenty of Toueg's announcements: about four seconds of an idle Chamber.
    let mut seen = fs::read_to_string(&presence).unwrap_or_default();
    for _ in 0..20 {
        wait_until(5, "Toueg announces himself", || {
            let now = fs::read_to_string(&presence).unwrap_or_default();
            let changed = !now.is_empty() && now != seen;
            if changed {
                seen = now;
            }
            changed
        });
    }
    assert_eq!(page_sizes(dir.path()), before, "an idle Chamber's messagebooks did not grow");
    sigterm(&mut chamber);
}

#[test]
fn every_bad_row_is_named_with_its_file_and_line_and_a_repeat_is_already_law() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    let page = book(dir.path(), "Lynch");
    let mut rows = b",Ann,Petition,Caf\xe9 au lait\n".to_vec();
    rows.extend_from_slice(b",Ann,Petition,Wine, bread\n,Ann,Petition,Olives for all\n");
    fs::write(&page, rows).unwrap();
    wait_for_law(dir.path(), "Olives for all");
    append(&page, ",Ann,Petition,Olives for all\n");
    let err = dir.path().join("err.txt");
    wait_until(10, "the repeated petition is answered", || {
        fs::read_to_string(&err).unwrap_or_default().contains("is already law")
    });
    sigterm(&mut chamber);
    let err = fs::read_to_string(&err).unwrap();
    let said = |line: u32, what: &str| {
        let at = format!("messagebooks/Lynch/hand.csv line {line}: ");
        err.lines().any(|l| l.starts_with(&at) && l.contains(what))
    };
    assert!(said(1, "not UTF-8"), "a bad byte is named: {err}");
    assert!(said(2, "a comma in the text?"), "an extra column is named: {err}");
    assert!(said(4, "already law: decree"), "a repeat is answered: {err}");
    assert_eq!(laws_with(dir.path(), "Olives for all"), 1);
    let laws = String::from_utf8(parliament(dir.path(), &["laws"]).stdout).unwrap();
    assert!(!laws.contains("Caf") && !laws.contains("Wine, bread") && !laws.contains("\"Wine\""), "{laws}");
}

#[test]
fn status_shows_last_votes_and_who_must_refuse_and_why() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    fs::remove_file(dir.path().join("ledgers/Oki.csv")).unwrap();
    let lynch = dir.path().join("ledgers/Lynch.csv");
    let text = fs::read_to_string(&lynch).unwrap().replacen("at,entry", "when,what", 1);
    fs::write(&lynch, text).unwrap();
    let out = parliament(dir.path(), &["status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let priest = |name: &str| {
        status["priests"].as_array().unwrap().iter().find(|p| p["priest"] == name).unwrap().clone()
    };
    assert_eq!(priest("Dwork")["last_vote"]["decree_no"], 5, "the last vote, decided or not");
    assert_eq!(priest("Oki")["state"], "refuses");
    assert!(priest("Oki")["problem"].as_str().unwrap().contains("ledgers/Oki.csv is missing"));
    assert_eq!(priest("Lynch")["state"], "refuses");
    assert!(priest("Lynch")["problem"].as_str().unwrap().contains("expected the header"));
    assert_eq!(priest("Toueg")["state"], "away", "nobody sits now");
    assert_eq!(status["sitting_majority"], false);
    // A newcomer's trial: status named an absent president and said nothing of who sits.
    let out = parliament(dir.path(), &["status"]);
    let told = String::from_utf8_lossy(&out.stdout);
    assert!(told.contains("Toueg is not sitting now"), "{told}");
    assert!(told.contains("0 of 5 priests sit, not a majority set"), "{told}");
}

#[test]
fn the_audit_gives_one_finding_for_a_lost_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet", "--petition", "One", "--petition", "Two"]);
    assert!(out.status.success());
    fs::remove_file(dir.path().join("ledgers/Oki.csv")).unwrap();
    let out = parliament(dir.path(), &["audit", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "one fault, one finding: {findings:#?}");
    assert!(findings[0]["detail"].as_str().unwrap().contains("cannot be checked"), "{findings:#?}");
}

#[test]
fn a_plain_convene_passes_the_petitions_waiting_in_the_books() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet", "--priests", "3"]).status.success());
    append(&book(dir.path(), "Lynch"), ",Ann,Petition,Written while nobody sat\n");
    let out = parliament(dir.path(), &["petition", "Asked while nobody sat", "--from", "Bob"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nobody sits"), "petition says so");
    let out = parliament(dir.path(), &["convene", "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(laws_with(dir.path(), "Written while nobody sat"), 1);
    assert_eq!(laws_with(dir.path(), "Asked while nobody sat"), 1);
}
