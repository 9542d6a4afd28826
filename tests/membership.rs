//! The Parliament changes its members by decree (§3.3.6), with weighted majority sets (§2.2): the
//! files side, through the built binary. `convene --names Ann:2,Bob,+Dan --alpha N` lays out
//! weights and α; `parliament admit` gives a new name a place and petitions for him, and God,
//! sitting, seats him; `parliament dismiss` petitions a legislator out; a membership petition
//! typed by hand is one too, and one naming nobody on the roll is refused where it was written.

mod common;

use std::fs;
use std::path::Path;

use common::{append, book, parliament, sigterm, stay, wait_for_law, wait_until};
use parliament::books::Roll;
use parliament::books::ledger_read::read_ledger;
use parliament::books::statute::Chamber;
use parliament::priest::{PriestId, Record, RollChange};

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The decree number at which `text` passed in `name`'s ledger, if it has.
fn decree_no(dir: &Path, name: &str, text: &str) -> Option<u64> {
    let roll = Roll::read(dir).unwrap().unwrap();
    let read = read_ledger(&dir.join("ledgers").join(format!("{name}.csv")), &roll).ok()?;
    read.rows.iter().find_map(|(_, r)| match &r.record {
        Record::Decree { decree_no, decree } if decree.petition().is_some_and(|p| &*p.text == text) => {
            Some(*decree_no)
        }
        _ => None,
    })
}

/// The decree numbers `name` voted on, with the ballot's president, from his ledger.
fn votes(dir: &Path, name: &str) -> Vec<(u64, String)> {
    let roll = Roll::read(dir).unwrap().unwrap();
    let read = read_ledger(&dir.join("ledgers").join(format!("{name}.csv")), &roll).unwrap();
    read.rows
        .iter()
        .filter_map(|(_, r)| match &r.record {
            Record::Voted(v) => Some((v.decree_no, roll.name(v.ballot.priest).to_string())),
            _ => None,
        })
        .collect()
}

fn petition(dir: &Path, text: &str) {
    let out = parliament(dir, &["petition", text]);
    assert!(out.status.success(), "{}", self::text(&out));
}

#[test]
fn convene_lays_out_weights_and_alpha_in_roll_and_chamber_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet", "--names", "Bob,Ann:2,+Dan", "--alpha", "5"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("roll.csv")).unwrap(),
        "priest,weight\nAnn,2\nBob,1\nDan,0\n"
    );
    assert_eq!(fs::read_to_string(dir.path().join("chamber.csv")).unwrap(), "setting,value\nalpha,5\n");
    assert!(dir.path().join("ledgers/Dan.csv").exists(), "a priest of weight 0 is laid out");
    assert!(text(&out).contains("The statute book (5 decrees)"), "{}", text(&out));
    // α is fixed at layout: asking for another is refused, saying why.
    let out = parliament(dir.path(), &["convene", "--quiet", "--alpha", "7"]);
    assert!(!out.status.success() && text(&out).contains("alpha is fixed"), "{}", text(&out));
    // A new Chamber's α is the paper's 3.
    let other = tempfile::tempdir().unwrap();
    assert!(parliament(other.path(), &["convene", "--quiet", "--priests", "3"]).status.success());
    assert_eq!(fs::read_to_string(other.path().join("chamber.csv")).unwrap(), "setting,value\nalpha,3\n");
    let bad = parliament(other.path(), &["convene", "--names", "Ann:x,Bob"]);
    assert!(!bad.status.success() && text(&bad).contains("weight \"x\""), "{}", text(&bad));
}

/// A Chamber laid out before weights (`priest` alone, no chamber.csv) still convenes: every
/// priest weight 1, α 256; admitting a name rewrites its roll with weights, places unchanged.
#[test]
fn an_old_roll_without_weights_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet", "--priests", "3"]);
    assert!(out.status.success(), "{}", text(&out));
    fs::write(dir.path().join("roll.csv"), "priest\nFischer\nLynch\nToueg\n").unwrap();
    fs::remove_file(dir.path().join("chamber.csv")).unwrap();
    let roll = Roll::read(dir.path()).unwrap().unwrap();
    assert_eq!(roll.weights(), [1, 1, 1]);
    assert_eq!(parliament::books::settings::Settings::read(dir.path()).unwrap().alpha, 256);
    let out = parliament(dir.path(), &["convene", "--quiet", "--petition", "Wine may not be watered"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = parliament(dir.path(), &["admit", "Strong"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        fs::read_to_string(dir.path().join("roll.csv")).unwrap(),
        "priest,weight\nFischer,1\nLynch,1\nToueg,1\nStrong,0\n"
    );
}

/// `parliament admit` while God sits: the new name gets the next place and his files, God seats
/// him without a restart, he learns the decrees, and his vote is asked for past n + α.
#[test]
fn a_name_admitted_while_god_sits_votes_past_n_plus_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    let out = parliament(dir.path(), &["admit", "Strong"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Strong has place 6 on the roll"), "{}", text(&out));
    assert!(fs::read_to_string(dir.path().join("roll.csv")).unwrap().ends_with("Toueg,1\nStrong,0\n"));
    wait_until(20, "Strong's ledger holds his admission", || {
        decree_no(dir.path(), "Strong", "Strong is now a legislator").is_some()
    });
    let n = decree_no(dir.path(), "Strong", "Strong is now a legislator").unwrap();
    wait_until(20, "Strong learns the decrees before his", || {
        decree_no(dir.path(), "Strong", "Lamps must use only olive oil").is_some()
    });
    for i in 0..4 {
        petition(dir.path(), &format!("Law {i} after Strong's admission"));
        wait_for_law(dir.path(), &format!("Law {i} after Strong's admission"));
    }
    wait_until(20, "Strong votes on a decree past n + α", || {
        votes(dir.path(), "Strong").iter().any(|(no, _)| *no > n + 3)
    });
    sigterm(&mut chamber);
    let audit = parliament(dir.path(), &["audit"]);
    assert!(audit.status.success(), "{}", text(&audit));
}

/// The narrative tells an admission with the Chamber's own α (a new Chamber's is 3), not the
/// default of a Chamber laid out before α was written down (256).
#[test]
fn the_narrative_tells_an_admission_with_the_chambers_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = common::stay_telling(dir.path());
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    let out = parliament(dir.path(), &["admit", "Strong"]);
    assert!(out.status.success(), "{}", text(&out));
    let mut n = None;
    wait_until(20, "every priest's ledger holds the admission", || {
        n = ["Toueg", "Lynch", "Dwork", "Oki", "Fischer"]
            .iter()
            .map(|p| decree_no(dir.path(), p, "Strong is now a legislator"))
            .collect::<Option<Vec<_>>>()
            .map(|v| v[0]);
        n.is_some()
    });
    let told = format!("From decree {} on, Strong is a legislator", n.unwrap() + 3);
    wait_until(20, "the narrative tells it", || {
        fs::read_to_string(dir.path().join("out.txt")).unwrap().contains(&told)
    });
    sigterm(&mut chamber);
    let out = fs::read_to_string(dir.path().join("out.txt")).unwrap();
    assert!(!out.contains(&format!("decree {} on, Strong", n.unwrap() + 256)), "{out}");
}

/// `parliament dismiss` of the president (the latest name, §2.4): once the decree is in force
/// another priest presides, and the dismissed one goes on learning the decrees.
#[test]
fn dismissing_the_president_hands_the_chair_to_another() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    let out = parliament(dir.path(), &["dismiss", "Toueg"]);
    assert!(out.status.success(), "{}", text(&out));
    wait_for_law(dir.path(), "Toueg is no longer a legislator");
    let n = decree_no(dir.path(), "Toueg", "Toueg is no longer a legislator").unwrap();
    for i in 0..5 {
        petition(dir.path(), &format!("Law {i} after Toueg's dismissal"));
        wait_for_law(dir.path(), &format!("Law {i} after Toueg's dismissal"));
    }
    // The new president asks a majority set of the four (§2.3 step 3), himself among them.
    let late: Vec<(u64, String)> = ["Lynch", "Dwork", "Oki", "Fischer"]
        .iter()
        .flat_map(|p| votes(dir.path(), p))
        .filter(|(no, _)| *no > n + 3)
        .collect();
    assert!(!late.is_empty(), "no priest voted past n + α");
    assert!(
        late.iter().all(|(_, president)| president != "Toueg"),
        "Toueg presided after his dismissal: {late:?}"
    );
    assert!(
        decree_no(dir.path(), "Toueg", "Law 4 after Toueg's dismissal").is_some(),
        "he learns the decrees"
    );
    sigterm(&mut chamber);
}

/// A person's petition row with a membership text is a membership petition: the decree it
/// becomes changes the roll, as one from `parliament admit` would.
#[test]
fn a_membership_petition_typed_by_hand_is_a_membership_decree() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    append(&book(dir.path(), "Lynch"), ",Ann,Petition,Oki is now a legislator of weight 2\n");
    wait_for_law(dir.path(), "Oki is now a legislator of weight 2");
    sigterm(&mut chamber);
    let roll = Roll::read(dir.path()).unwrap().unwrap();
    let mut chamber = Chamber::open(dir.path(), &roll);
    chamber.refresh().unwrap();
    for f in &chamber.ledgers {
        let changes: Vec<&RollChange> = f.durable.roll_changes.values().collect();
        assert_eq!(changes, [&RollChange { priest: PriestId(3), weight: 2 }]);
    }
}

/// A membership petition naming nobody on the roll is refused where it was written (file and
/// line), saying to use `parliament admit`; `parliament petition` refuses it before writing.
#[test]
fn a_membership_petition_naming_nobody_on_the_roll_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut chamber = stay(dir.path(), &[]);
    wait_for_law(dir.path(), "Lamps must use only olive oil");
    append(&book(dir.path(), "Lynch"), ",Ann,Petition,Zed is now a legislator\n");
    wait_until(20, "the refusal is written", || {
        let err = fs::read_to_string(dir.path().join("err.txt")).unwrap_or_default();
        err.contains("messagebooks/Lynch/hand.csv line 1") && err.contains("parliament admit Zed")
    });
    let out = parliament(dir.path(), &["petition", "Zed is now a legislator of weight 2"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("parliament admit Zed --weight 2"), "{}", text(&out));
    let out = parliament(dir.path(), &["dismiss", "Zed"]);
    assert!(!out.status.success() && text(&out).contains("not on the roll"), "{}", text(&out));
    sigterm(&mut chamber);
    assert!(!fs::read_to_string(dir.path().join("roll.csv")).unwrap().contains("Zed"));
}

/// A lost ledger takes its votes with it: the decrees its priest helped pass cannot be shown to
/// lack a majority set of the roll in force, so the audit warns instead of calling them
/// violations (found by the chaos trial that deletes Oki's ledger, once the audit counted
/// majority sets by the roll in force).
#[test]
fn a_lost_ledger_makes_decrees_it_voted_for_unprovable_not_violations() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet", "--priests", "3"]);
    assert!(out.status.success(), "{}", text(&out));
    for name in ["Fischer", "Lynch"] {
        fs::remove_file(dir.path().join("ledgers").join(format!("{name}.csv"))).unwrap();
    }
    let report = parliament::audit::audit(dir.path()).unwrap();
    let unprovable: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.detail.contains("no ballot on it was voted by a majority set"))
        .collect();
    assert!(!unprovable.is_empty(), "Toueg's decrees lack the lost votes: {:#?}", report.findings);
    assert!(
        unprovable.iter().all(|f| f.severity == parliament::audit::Severity::Warning
            && f.detail.contains("ledgers/Fischer.csv, ledgers/Lynch.csv missing")),
        "{unprovable:#?}"
    );
}
