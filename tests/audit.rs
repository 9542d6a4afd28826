//! `parliament audit` against golden Chambers in `tests/golden/` (small, hand-made, each broken in
//! one known way, listed in its README), against a real `convene` with two rows forged by hand,
//! and (ignored, for the figure) against a generated Chamber of 100,000 decrees.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use parliament::audit::{Check, Finding, Severity, audit};
use parliament::rules::Rule;

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn parliament(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("the binary runs")
}

fn violations(dir: &Path) -> Vec<Finding> {
    let report = audit(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    report.violations().cloned().collect()
}

/// The folder breaks exactly one rule, once, at this file and line.
fn assert_caught(folder: &str, check: Check, file: &str, line: u64, says: &str) {
    let found = violations(&golden(folder));
    let shown: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    assert_eq!(found.len(), 1, "{folder}: expected one violation, found {shown:#?}");
    let f = &found[0];
    assert_eq!((f.check, f.file.as_str(), f.line), (check, file, line), "{folder}: {f}");
    assert!(f.detail.contains(says), "{folder}: {f}\nshould say {says:?}");
}

#[test]
fn clean_chambers_pass() {
    for folder in ["clean", "clean-bound", "clean-torn", "clean-void-repeat"] {
        let report = audit(&golden(folder)).unwrap();
        let shown: Vec<String> = report.findings.iter().map(|f| f.to_string()).collect();
        assert!(report.holds(), "{folder}: {shown:#?}");
        assert_eq!(report.exit_code(), 0);
    }
    assert!(audit(&golden("clean")).unwrap().findings.is_empty());
}

#[test]
fn each_rule_broken_is_caught_and_named_with_its_file_and_line() {
    assert_caught(
        "agreement",
        Check::Rule(Rule::Agreement),
        "ledgers/Lynch.csv",
        4,
        "ledgers/Dwork.csv line 4",
    );
    assert_caught("b1", Check::Rule(Rule::B1), "ledgers/Lynch.csv", 2, "1.Toueg, which another priest owns");
    assert_caught(
        "promises-kept",
        Check::Rule(Rule::PromisesKept),
        "ledgers/Dwork.csv",
        4,
        "promising 2.Lynch",
    );
    assert_caught("b3", Check::Rule(Rule::B3), "ledgers/Toueg.csv", 4, "messagebooks/Toueg/Lynch.csv line 2");
    assert_caught("b3-no-majority", Check::Rule(Rule::B3), "ledgers/Toueg.csv", 4, "from Toueg only");
    assert_caught("validity", Check::Rule(Rule::Validity), "ledgers/Dwork.csv", 4, "no one made");
    assert_caught(
        "provenance",
        Check::Provenance,
        "messagebooks/Toueg/Dwork.csv",
        4,
        "written by hand or forged",
    );
    assert_caught("health-damaged", Check::Health, "ledgers/Dwork.csv", 3, "expected one of Tried");
    assert_caught("health-time", Check::Health, "ledgers/Lynch.csv", 4, "times never go backwards");
    assert_caught("health-promise", Check::Health, "ledgers/Dwork.csv", 3, "promises never go backwards");
    assert_caught("health-header", Check::Health, "ledgers/Lynch.csv", 1, "expected the header");
}

#[test]
fn torn_rows_and_void_repeats_are_warnings_and_notices_not_violations() {
    let report = audit(&golden("clean-torn")).unwrap();
    let at: Vec<_> = report.findings.iter().map(|f| (f.severity, f.file.as_str(), f.line)).collect();
    assert_eq!(
        at,
        [(Severity::Warning, "ledgers/Dwork.csv", 5), (Severity::Warning, "ledgers/Lynch.csv", 5)],
        "the row voided by a Torn row (its quote left open), and the cut-short last row"
    );
    let report = audit(&golden("clean-void-repeat")).unwrap();
    let notice = &report.findings[0];
    assert_eq!((report.findings.len(), notice.severity), (1, Severity::Notice), "{notice}");
    assert!(notice.detail.contains("void repeat") && notice.detail.contains("decree 1"), "{notice}");
}

#[test]
fn the_command_line_exits_0_1_or_2_and_speaks_json() {
    let out = parliament(&["audit"], &golden("clean"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = parliament(&["audit", "--json"], &golden("b3"));
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["holds"], false);
    let f = &json["findings"][0];
    assert_eq!(
        (f["rule"].as_str(), f["file"].as_str(), f["line"].as_u64()),
        (Some("B3"), Some("ledgers/Toueg.csv"), Some(4))
    );
    let empty = tempfile::tempdir().unwrap();
    let out = parliament(&["audit"], empty.path());
    assert_eq!(out.status.code(), Some(2), "no Chamber in an empty folder");
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no Chamber"));
    let out = parliament(&["audit"], &empty.path().join("nowhere"));
    assert_eq!(out.status.code(), Some(2), "a folder that is not there");
}

/// `audit -q` printed a blank line (and the verdict) when every promise held: quiet prints
/// nothing on success, even beside a notice, and only the violations and the verdict otherwise.
#[test]
fn audit_quiet_prints_nothing_when_every_promise_held() {
    for clean in ["clean", "clean-void-repeat"] {
        let out = parliament(&["audit", "-q"], &golden(clean));
        assert_eq!(out.status.code(), Some(0), "{clean}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "", "{clean}: quiet says nothing on success");
    }
    let out = parliament(&["audit", "--quiet"], &golden("b3"));
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("B3") && said.contains("1 violation"), "the violation and the verdict: {said}");
}

fn append(path: &Path, text: &str) {
    OpenOptions::new().append(true).create(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

fn lines(path: &Path) -> u64 {
    fs::read_to_string(path).unwrap().lines().count() as u64
}

#[test]
fn a_real_convene_audits_clean_and_two_forged_rows_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(&["convene", "--quiet"], dir.path());
    assert!(out.status.success(), "convene: {}", String::from_utf8_lossy(&out.stderr));
    let out = parliament(&["audit"], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a real convene should audit clean:\n{text}");
    assert!(text.contains("Every promise held"), "{text}");

    // A vote Fischer never cast, written into the president's messagebook by hand.
    let book = dir.path().join("messagebooks/Toueg/hand.csv");
    append(&book, ",Fischer,Voted,,9,1.Toueg\n");
    let voted_line = lines(&book);
    // A decree no ballot passed, appended to Oki's ledger by hand.
    let ledger = dir.path().join("ledgers/Oki.csv");
    append(&ledger, "2030-01-01T00:00:00.000Z,Decree,,1,Olive oil is forbidden,forged-1\n");
    let decree_line = lines(&ledger);

    let found = violations(dir.path());
    let shown: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    let at = |file: &str, line| found.iter().find(|f| f.file == file && f.line == line);
    let voted = at("messagebooks/Toueg/hand.csv", voted_line).unwrap_or_else(|| panic!("{shown:#?}"));
    assert_eq!(voted.check, Check::Provenance, "{voted}");
    assert!(voted.detail.contains("written by hand or forged"), "{voted}");
    let decree = at("ledgers/Oki.csv", decree_line).unwrap_or_else(|| panic!("{shown:#?}"));
    assert_eq!(decree.check, Check::Rule(Rule::Agreement), "{decree}");
    assert_eq!(found.len(), 2, "nothing else: {shown:#?}");
    let out = parliament(&["audit"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    // Not "2 violations (0 warnings, 0 notices)", read as two made of warnings and notices.
    let told = String::from_utf8_lossy(&out.stdout);
    assert!(told.trim_end().ends_with("2 violations, 0 warnings and 0 notices."), "{told}");
}

/// Issue 17 (§2.3 step 2), from the files: the simulator's run of a seed with the old
/// answer planted (`report-current-vote`), written out as a Chamber, breaks the last vote rule at
/// the line of Lynch's LastVote(10.Toueg) in Toueg's messagebook, and nothing else; the same
/// seed with the priest as he is audits clean.
#[test]
fn a_last_vote_telling_votes_in_its_own_ballot_is_caught_at_its_row() {
    use parliament::priest::PlantedBug;
    use parliament::sim::{self, SimConfig, files::write_chamber};
    let run = |planted| {
        // Seed 2: since a president asks only a majority set to vote, seed 1's run no longer
        // meets the old answer's harm; seed 2's does, at one row.
        let mut config = SimConfig::new(2, 3, 20);
        (config.lose, config.duplicate, config.crash, config.delay_max) = (0.2, 0.2, 0.05, 10);
        (config.planted, config.keep_books) = (planted, true);
        // The run as issue 17 found it, before crashes could take unsynced `Decree` rows.
        config.keep_unsynced = true;
        let dir = tempfile::tempdir().unwrap();
        write_chamber(&sim::run(&config, None), dir.path()).unwrap();
        dir
    };
    let clean = run(None);
    assert_eq!(violations(clean.path()), [], "the issue's seed, as the priest answers now");
    let planted = run(Some(PlantedBug::ReportCurrentVote));
    let found = violations(planted.path());
    let shown: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    assert_eq!(found.len(), 1, "{shown:#?}");
    let f = &found[0];
    // Since the books keep petitions until they pass, the seed's run takes another course than
    // the issue's; the old answer is still caught, at its row.
    assert_eq!(f.check, Check::Rule(Rule::LastVote), "{f}");
    let book = fs::read_to_string(planted.path().join(&f.file)).unwrap();
    let row = book.lines().nth(f.line as usize - 1).unwrap();
    assert!(row.contains(",LastVote,"), "{} line {} is {row:?}", f.file, f.line);
    assert!(f.detail.contains("reports his vote in ballot") && f.detail.contains("not below"), "{f}");
}

/// Writes a Chamber of `priests` priests that passed `decrees` petitions in the steady state of
/// §3.2 (one president, one ballot, every priest votes on every decree), with the real row writers.
fn write_steady_chamber(dir: &Path, priests: usize, decrees: u64) {
    use parliament::books::book_rows::{BOOK_HEADER, book_row};
    use parliament::books::layout::{book_dir, ledger_path, page_path};
    use parliament::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use parliament::chamber::Roll;
    use parliament::priest::{BallotNumber, Decree, Message, Petition, PriestId, Record, Vote};
    let roll = Roll::new(parliament::names::chamber_names(priests)).unwrap();
    roll.write_new(dir).unwrap();
    let president = PriestId(priests as u16 - 1);
    let ballot = BallotNumber::new(1, president);
    let open = |path: PathBuf, header: &str| {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
        writeln!(f, "{header}").unwrap();
        f
    };
    let mut ledgers: Vec<_> = roll.names().iter().map(|n| open(ledger_path(dir, n), LEDGER_HEADER)).collect();
    // One page per (recipient, sender): books[to][from], the citizen's page last.
    let mut books: Vec<Vec<_>> = roll
        .names()
        .iter()
        .map(|to| {
            fs::create_dir_all(book_dir(dir, to)).unwrap();
            let senders = roll.names().iter().map(String::as_str).chain(["citizen"]);
            senders.map(|from| open(page_path(dir, to, from), BOOK_HEADER)).collect()
        })
        .collect();
    let epoch = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
    let p = president.index();
    let boss = roll.name(president).to_string();
    ledgers[p].write_all(ledger_row(&roll, epoch, &Record::Tried { ballot }).as_bytes()).unwrap();
    for (q, ledger) in ledgers.iter_mut().enumerate() {
        ledger.write_all(ledger_row(&roll, epoch, &Record::Promised { ballot }).as_bytes()).unwrap();
        if q != p {
            let m = Message::NextBallot { ballot, decree_no: 0 };
            books[q][p].write_all(book_row(&roll, epoch, &boss, &m).as_bytes()).unwrap();
            let m = Message::LastVote { ballot, decree_no: 0, known: 0, votes: vec![], decrees: vec![] };
            books[p][q].write_all(book_row(&roll, epoch, &roll.names()[q], &m).as_bytes()).unwrap();
        }
    }
    for no in 1..=decrees {
        let at = epoch + chrono::TimeDelta::milliseconds(no as i64);
        let petition =
            Petition::new(&format!("citizen-{no}"), &format!("Petition number {no}, by a citizen"));
        books[p][priests]
            .write_all(book_row(&roll, at, "citizen", &Message::Petition(petition.clone())).as_bytes())
            .unwrap();
        let decree = Decree::Law(petition);
        let vote = Record::Voted(Vote { decree_no: no, ballot, decree: decree.clone() });
        let passed = Record::Decree { decree_no: no, decree: decree.clone() };
        let begin = Message::BeginBallot { ballot, decree_no: no, decree: decree.clone() };
        let success = Message::Success { decree_no: no, decree };
        for q in 0..priests {
            ledgers[q].write_all(ledger_row(&roll, at, &vote).as_bytes()).unwrap();
            ledgers[q].write_all(ledger_row(&roll, at, &passed).as_bytes()).unwrap();
            if q != p {
                books[q][p].write_all(book_row(&roll, at, &boss, &begin).as_bytes()).unwrap();
                let voted = Message::Voted { ballot, decree_no: no };
                books[p][q].write_all(book_row(&roll, at, &roll.names()[q], &voted).as_bytes()).unwrap();
                books[q][p].write_all(book_row(&roll, at, &boss, &success).as_bytes()).unwrap();
            }
        }
    }
    for mut f in ledgers.into_iter().chain(books.into_iter().flatten()) {
        f.flush().unwrap();
    }
}

#[test]
fn a_generated_steady_chamber_audits_clean() {
    let dir = tempfile::tempdir().unwrap();
    write_steady_chamber(dir.path(), 5, 200);
    let report = audit(dir.path()).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!((report.decrees, report.petitions), (200, 200));
}

/// The figure in README's Audit section: `cargo test --release --test audit -- --ignored --nocapture`.
#[test]
#[ignore]
fn hundred_thousand_decrees_audit_in_seconds() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let started = Instant::now();
    write_steady_chamber(dir.path(), 5, 100_000);
    let written = started.elapsed();
    let started = Instant::now();
    let report = audit(dir.path()).unwrap();
    let took = started.elapsed();
    assert!(report.holds(), "{:#?}", report.findings.iter().take(5).collect::<Vec<_>>());
    println!(
        "5 priests, {} decrees: {} ledger rows and {} messagebook rows audited in {:.2} s (written in {:.2} s)",
        report.decrees,
        report.ledger_rows,
        report.book_rows,
        took.as_secs_f64(),
        written.as_secs_f64()
    );
}

/// Found by the lost-ledger chaos trial (seed 101, now and then): a president whose majority set
/// needed the LastVote of a priest who later lost his ledger was called a breaker of B3, because
/// that LastVote could no longer be checked and was not heard. It is heard; the one finding is
/// the lost ledger.
#[test]
fn a_lost_ledger_does_not_make_its_presidents_breakers_of_b3() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| {
        for entry in walk(from) {
            let target = to.join(entry.strip_prefix(from).unwrap());
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&entry, &target).unwrap();
        }
    };
    copy(&golden("clean"), dir.path());
    // Dwork's LastVote never reached Toueg: his majority set was himself and Lynch.
    let dwork = dir.path().join("messagebooks/Toueg/Dwork.csv");
    let kept: String = fs::read_to_string(&dwork)
        .unwrap()
        .lines()
        .filter(|l| !l.contains(",LastVote,"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&dwork, kept).unwrap();
    assert_eq!(violations(dir.path()), [], "as it was, the Chamber is clean");
    fs::remove_file(dir.path().join("ledgers/Lynch.csv")).unwrap();
    let found = violations(dir.path());
    let shown: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    assert_eq!(found.len(), 1, "one fault, one finding: {shown:#?}");
    assert_eq!((found[0].file.as_str(), found[0].line), ("ledgers/Lynch.csv", 0), "{shown:#?}");
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A newcomer changed the text of one Decree row in one ledger by hand: the audit blamed the four
/// untouched ledgers (they disagreed with the first ledger read, the hand-edited Dwork's). The
/// ledger that disagrees with the others, whose Voted rows back the decree, is the one named, at
/// its line; the untouched ledgers are named only as where the decree stands.
#[test]
fn a_decree_row_edited_by_hand_is_blamed_on_its_own_ledger_not_on_the_ones_that_agree() {
    let chamber = tempfile::tempdir().unwrap();
    let out = parliament(&["convene", "--quiet"], chamber.path());
    assert!(out.status.success(), "convene: {}", String::from_utf8_lossy(&out.stderr));
    for edited in ["Dwork", "Lynch", "Toueg"] {
        let dir = tempfile::tempdir().unwrap();
        for entry in walk(chamber.path()) {
            let target = dir.path().join(entry.strip_prefix(chamber.path()).unwrap());
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&entry, &target).unwrap();
        }
        let file = format!("ledgers/{edited}.csv");
        let text = fs::read_to_string(dir.path().join(&file)).unwrap();
        let mut line = 0;
        let changed: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                let mut fields: Vec<&str> = l.split(',').collect();
                if fields.get(1..4) == Some(&["Decree", "", "3"][..]) {
                    line = i as u64 + 1;
                    fields[4] = "Cheese inspectors are appointed by hand";
                }
                format!("{}\n", fields.join(","))
            })
            .collect();
        assert_ne!(line, 0, "{file} holds decree 3:\n{text}");
        fs::write(dir.path().join(&file), changed).unwrap();
        let found = violations(dir.path());
        let shown: Vec<String> = found.iter().map(|f| f.to_string()).collect();
        let agreement: Vec<&Finding> =
            found.iter().filter(|f| f.check == Check::Rule(Rule::Agreement)).collect();
        assert_eq!(agreement.len(), 1, "{edited}: one row disagrees, one finding: {shown:#?}");
        assert_eq!((agreement[0].file.as_str(), agreement[0].line), (file.as_str(), line), "{shown:#?}");
        assert!(agreement[0].detail.contains("voted for"), "says what backs the others: {}", agreement[0]);
        // The president's Success rows no longer match his edited ledger: each says why that may be.
        for f in found.iter().filter(|f| f.check == Check::Provenance) {
            assert!(f.detail.contains("row for decree 3 was changed after he sent it"), "{f}");
        }
        let others: Vec<&Finding> =
            found.iter().filter(|f| f.file.starts_with("ledgers/") && f.file != file).collect();
        assert!(others.is_empty(), "{edited}: the untouched ledgers are blamed: {shown:#?}");
    }
}

/// A folder of a name not on the roll is a finding about the folder, not a line of it (the audit
/// said "messagebooks/Lynhc line 0"), and it offers the name meant.
#[test]
fn a_stray_messagebook_is_named_as_a_folder_with_the_name_meant() {
    let dir = tempfile::tempdir().unwrap();
    write_steady_chamber(dir.path(), 3, 2);
    fs::create_dir_all(dir.path().join("messagebooks/Lynhc")).unwrap();
    let report = audit(dir.path()).unwrap();
    let stray = report.findings.iter().find(|f| f.file == "messagebooks/Lynhc").expect("the stray is found");
    assert_eq!((stray.severity, stray.line), (Severity::Warning, 0));
    let told = stray.to_string();
    assert!(told.starts_with("messagebooks/Lynhc: ledger health"), "{told}");
    assert!(told.ends_with("did you mean Lynch?"), "{told}");
}
