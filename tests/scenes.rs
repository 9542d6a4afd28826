//! Tests of `parliament scene`: every scene, played into a fresh folder, ends with the paper's
//! outcome read from the files it left; `parliament audit` finds those files clean (amnesia's
//! only findings are about the priest whose ledger was lost, as they must be); a scene leaves the
//! same files every time; and `chronicle` draws what a scene left.

mod common;

use std::path::Path;

use parliament::audit::{self, Severity};
use parliament::scene::{self, SCENES};

fn play(name: &str, dir: &Path) -> scene::Played {
    let played = (scene::find(name).expect("a scene").play)(dir).unwrap_or_else(|e| panic!("{name}: {e:#}"));
    for (what, held) in &played.checks {
        assert!(held, "{name}: {what}\n{}", played.told.join("\n"));
    }
    assert!(played.checks.len() >= 3, "{name} checks its outcome");
    played
}

/// Every scene's outcome is the paper's, and the audit finds its Chamber clean.
#[test]
fn every_scene_ends_as_the_paper_says_and_audits_clean() {
    for s in SCENES.iter().filter(|s| s.name != "amnesia") {
        let dir = tempfile::tempdir().unwrap();
        play(s.name, dir.path());
        let report = audit::audit(dir.path()).unwrap();
        let found: Vec<_> = report.findings.iter().filter(|f| f.severity != Severity::Notice).collect();
        assert!(found.is_empty(), "{}: {found:#?}", s.name);
    }
}

/// §3.3.6: Στρωνγ is given a place and seated by decree; the roll it makes is in force three
/// decrees on, the two numbers after it olive-day decrees; he learns every decree and votes.
#[test]
fn the_legislator_scene_seats_strong_by_decree_with_two_olive_days() {
    let dir = tempfile::tempdir().unwrap();
    play("legislator", dir.path());
    let report = audit::audit(dir.path()).unwrap();
    let found: Vec<_> = report.findings.iter().filter(|f| f.severity != Severity::Notice).collect();
    assert!(found.is_empty(), "{found:#?}");
    assert!(report.findings.iter().any(|f| f.detail.contains("Strong is now a legislator")));
}

/// The files side of the legislator scene, which holds already: Στρωνγ's place, his decree, every
/// decree in his ledger, and the audit clean.
#[test]
fn the_legislator_scene_gives_strong_a_place_and_his_decree() {
    let dir = tempfile::tempdir().unwrap();
    let played = scene::find("legislator").unwrap().play;
    let played = played(dir.path()).unwrap();
    let held = |what: &str| played.checks.iter().any(|(c, h)| c.contains(what) && *h);
    assert!(held("is \"Strong is now a legislator\""), "{:?}", played.checks);
    assert!(held("holds every decree"), "{:?}", played.checks);
    assert_eq!(std::fs::read_to_string(dir.path().join("chamber.csv")).unwrap(), "setting,value\nalpha,3\n");
    assert!(std::fs::read_to_string(dir.path().join("roll.csv")).unwrap().ends_with("Toueg,1\nStrong,0\n"));
    let report = audit::audit(dir.path()).unwrap();
    assert!(report.holds(), "{:#?}", report.findings);
}

/// Amnesia: the audit finds Tωυγ's ledger missing and cannot vouch for the rows he wrote; every
/// violation is about him, none about the priests who carried on.
#[test]
fn amnesia_is_audited_as_a_lost_ledger_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    play("amnesia", dir.path());
    let report = audit::audit(dir.path()).unwrap();
    let violations: Vec<_> = report.violations().collect();
    assert!(violations.iter().any(|f| f.file == "ledgers/Toueg.csv"), "{violations:#?}");
    assert!(violations.iter().all(|f| f.file.ends_with("/Toueg.csv")), "{violations:#?}");
}

/// The naive rule lets Ωκι lead before copying what he missed; with ours he catches up first.
#[test]
fn vacation_with_the_naive_rule_leads_before_catching_up() {
    let dir = tempfile::tempdir().unwrap();
    let played = scene::more::vacation_naive(dir.path()).unwrap();
    assert!(played.holds(), "{:?}", played.checks);
    assert!(played.checks[0].0.contains("led before he had copied"));
    assert!(audit::audit(dir.path()).unwrap().holds());
}

/// A scene is a script: played twice, it leaves the same ledgers and pages, byte for byte.
#[test]
fn a_scene_leaves_the_same_files_every_time() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    play("olive-day", a.path());
    play("olive-day", b.path());
    let mut files = 0;
    for entry in walk(a.path()) {
        let rel = entry.strip_prefix(a.path()).unwrap();
        assert_eq!(std::fs::read(&entry).unwrap(), std::fs::read(b.path().join(rel)).unwrap(), "{rel:?}");
        files += 1;
    }
    assert!(files >= 10, "roll, three ledgers and the pages: {files}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Through the binary: the list, a scene played and its chronicle, and a folder refused twice.
#[test]
fn the_command_lists_plays_and_draws() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_parliament")).arg("scene").output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert_eq!(list.lines().count(), SCENES.len(), "{list}");
    assert!(SCENES.iter().all(|s| list.lines().any(|l| l.starts_with(s.name))));

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("olive");
    let out = common::parliament(&folder, &["scene", "olive-day"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let told = String::from_utf8(out.stdout).unwrap();
    assert!(told.contains("✓") && !told.contains("✗"), "{told}");
    let out = common::parliament(&folder, &["chronicle", "--decree", "2"]);
    let drawn = String::from_utf8(out.stdout).unwrap();
    assert!(drawn.contains("★ decree 2 = olive day"), "{drawn}");
    assert!(drawn.contains("BeginBallot(2.Dwork, 2: olive day)"), "{drawn}");
    let again = common::parliament(&folder, &["scene", "olive-day"]);
    assert_eq!(again.status.code(), Some(2), "a folder holding a Chamber is refused");
}

/// The README's chronicle and `docs/` are what the commands it shows write today: the Chamber in
/// `docs/scene-olive-day` is a fresh play, byte for byte, and the README holds its decree 2.
#[test]
fn the_readme_chronicle_and_docs_are_what_the_commands_write() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = root.join("docs/scene-olive-day");
    let fresh = tempfile::tempdir().unwrap();
    play("olive-day", fresh.path());
    for entry in walk(fresh.path()) {
        let rel = entry.strip_prefix(fresh.path()).unwrap();
        let kept = std::fs::read(docs.join(rel)).unwrap_or_default();
        assert_eq!(
            std::fs::read(&entry).unwrap(),
            kept,
            "docs/scene-olive-day/{rel:?}: run the README's command again"
        );
    }
    let out = common::parliament(&docs, &["chronicle", "--decree", "2"]);
    let drawn = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains(&drawn), "README's chronicle is stale:\n{drawn}");
    let svg = std::fs::read_to_string(root.join("docs/olive-day.svg")).unwrap();
    let c = {
        let roll = parliament::books::Roll::read(&docs).unwrap().unwrap();
        parliament::chronicle::Chronicle::read(&docs, &roll).unwrap()
    };
    let events = parliament::chronicle::select(&c, &parliament::chronicle::Selection::Decree(1));
    assert_eq!(svg, parliament::chronicle::svg::render(&c.roll, &events), "docs/olive-day.svg is stale");
}
