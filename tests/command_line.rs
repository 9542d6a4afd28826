//! The command line through the built binary: number flags refuse nonsense with a line that
//! says what to write (and change nothing before refusing), old spellings still work, every
//! `--help` ends with examples, completions come out for the shells, and `laws` keeps its table
//! whole for any text, giving each decree whole with `--full` and in `--json`.

use std::path::Path;
use std::process::{Command, Output};

fn parliament(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

#[test]
fn number_flags_refuse_nonsense_and_say_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let refusals: [(&[&str], &str); 11] = [
        (&["convene", "--tick", "0ms"], "give 1ms to 10s"),
        (&["convene", "--delay", "10..200"], "write 10ms..200ms"),
        (&["convene", "--pace", "500"], "write 500ms or 500s"),
        (&["convene", "--priests", "0"], "1..=64"),
        (&["convene", "--timeout", "0s"], "give 1s to"),
        (&["simulate", "--seeds", "0"], "1..=1000000000"),
        (&["simulate", "--delay-ticks", "0..3"], "like 1..3"),
        (&["simulate", "--lose", "1.5"], "from 0 to 1"),
        (&["chaos", "--trials", "0"], "1..=1000000"),
        (&["model", "--petitions", "9"], "1..=3"),
        (&["bench", "--in-flight", "0"], "1..=4096"),
    ];
    for (args, says) in refusals {
        let out = parliament(dir.path(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} is refused: {err}");
        assert!(err.contains(says), "{args:?}: the refusal says {says:?}: {err}");
    }
    assert!(!dir.path().join("ledgers").exists(), "nothing is laid out before a refusal");
}

/// `model --admit` checks one membership change from the command line, and `--plant early-roll`
/// (which lays out the admission it needs) is caught breaking "roll in force" (§3.3.6).
#[test]
fn the_model_checks_an_admission_and_catches_the_early_roll_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let held = parliament(dir.path(), &["model", "--admit", "1", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&held.stdout).unwrap();
    assert_eq!(held.status.code(), Some(0), "{json}");
    assert_eq!(json["holds"], true, "{json}");
    let caught = parliament(dir.path(), &["model", "--plant", "early-roll", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&caught.stdout).unwrap();
    assert_eq!(caught.status.code(), Some(1), "{json}");
    assert_eq!(json["broken"], "roll in force", "{json}");
}

#[test]
fn one_name_for_one_idea_and_the_old_spellings_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let new = parliament(dir.path(), &["simulate", "--petitions", "3", "--delay-ticks", "1..5", "-q"]);
    let old = parliament(dir.path(), &["simulate", "--decrees", "3", "--delay-max", "5", "-q"]);
    assert!(new.status.success() && old.status.success(), "{}", text(&old.stderr));
    let first_line = |o: &Output| text(&o.stdout).lines().next().unwrap_or("").to_string();
    assert_eq!(first_line(&new), first_line(&old), "the old spelling runs the same run");
    assert!(first_line(&new).contains("3 petitions became 3 decrees"));
    let help = text(&parliament(dir.path(), &["simulate", "--help"]).stdout);
    assert!(help.contains("--petitions") && help.contains("--delay-ticks <MIN..MAX>"), "{help}");
    assert!(!help.contains("--decrees") && !help.contains("--delay-max"), "old spellings are hidden");
    let bench = text(&parliament(dir.path(), &["bench", "--help"]).stdout);
    assert!(bench.contains("--petitions <PETITIONS>") && bench.contains("[default: 20000]"), "{bench}");
    let convene = text(&parliament(dir.path(), &["convene", "--help"]).stdout);
    for shown in
        ["--petition <TEXT>", "1 to 64", "[default: 5]", "-v, --verbose", "-q, --quiet", "1ms to 10s"]
    {
        assert!(convene.contains(shown), "convene --help shows {shown:?}:\n{convene}");
    }
}

#[test]
fn every_help_ends_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        "",
        "convene",
        "petition",
        "priest",
        "laws",
        "status",
        "audit",
        "bench",
        "chaos",
        "model",
        "simulate",
        "completions",
    ];
    for command in commands {
        let args: Vec<&str> = [command].into_iter().filter(|c| !c.is_empty()).chain(["--help"]).collect();
        let help = text(&parliament(dir.path(), &args).stdout);
        let (_, examples) =
            help.split_once("Examples:").unwrap_or_else(|| panic!("{command}: no examples:\n{help}"));
        let n = examples.lines().filter(|l| l.trim_start().starts_with("parliament ")).count();
        assert!((2..=3).contains(&n), "{command}: {n} examples:\n{help}");
    }
}

#[test]
fn completions_come_out_for_the_shells() {
    let dir = tempfile::tempdir().unwrap();
    let bash = parliament(dir.path(), &["completions", "bash"]);
    let script = text(&bash.stdout);
    assert!(bash.status.success() && script.contains("_parliament()"), "{script}");
    for word in ["convene", "simulate", "--delay-ticks", "--petitions", "--full"] {
        assert!(script.contains(word), "bash completion knows {word}");
    }
    for shell in ["zsh", "fish"] {
        let out = parliament(dir.path(), &["completions", shell]);
        assert!(out.status.success() && text(&out.stdout).contains("convene"), "{shell}");
    }
    assert_eq!(parliament(dir.path(), &["completions", "cmd.exe"]).status.code(), Some(2));
}

#[test]
fn laws_keeps_its_table_whole_for_any_text() {
    let dir = tempfile::tempdir().unwrap();
    let long = "Ο ".repeat(5_000);
    let out = parliament(
        dir.path(),
        &[
            "convene",
            "-q",
            "--petition",
            "Wine may not be watered,\nnor sold after dark",
            "--petition",
            &long,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&parliament(dir.path(), &["laws"]).stdout);
    assert_eq!(table.lines().count(), 3, "a heading and one line per decree:\n{table}");
    assert!(table.lines().all(|l| l.chars().count() < 120), "{table}");
    assert!(table.contains("Wine may not be watered,…") && !table.contains("after dark"), "{table}");
    let full = text(&parliament(dir.path(), &["laws", "--full"]).stdout);
    assert!(full.contains("nor sold after dark") && full.contains(long.trim_end()), "--full is whole");
    let json: serde_json::Value =
        serde_json::from_slice(&parliament(dir.path(), &["laws", "--json"]).stdout).expect("JSON");
    let decrees: Vec<&str> =
        json["laws"].as_array().unwrap().iter().map(|l| l["decree"].as_str().unwrap()).collect();
    assert!(decrees.contains(&"Wine may not be watered,\nnor sold after dark"), "{decrees:?}");
    assert!(decrees.iter().any(|d| d.len() == long.len()), "the long decree is whole in JSON");
    for read in [&["status", "--json"][..], &["audit", "--json"][..]] {
        let out = parliament(dir.path(), read);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("every read command speaks JSON");
    }
}

/// A newcomer's trial: `--from 'Ann Smith'` was refused as a "priest name"; it names the page of
/// the messagebook, and the refusal says so and what to write.
#[test]
fn a_petitioner_with_a_space_in_his_name_is_told_what_to_write() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let out =
        parliament(dir.path(), &["petition", "Olives are cheap", "--from", "Ann Smith", "--to", "Lynch"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("names his page of the messagebook") && err.contains("try --from Ann-Smith"),
        "{err}"
    );
}

/// A newcomer's trial: a plain `convene` whose petitions were all law, but not yet in every
/// ledger, said "0 petitions to pass" and then passed one waiting in a messagebook. It says what
/// it sits for.
#[test]
fn a_convene_whose_petitions_are_law_says_what_it_sits_for() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    assert!(parliament(dir.path(), &["admit", "Strong"]).status.success());
    let header = std::fs::read_to_string(dir.path().join("ledgers/Toueg.csv")).unwrap();
    std::fs::write(dir.path().join("ledgers/Strong.csv"), format!("{}\n", header.lines().next().unwrap()))
        .unwrap();
    let out = parliament(dir.path(), &["convene"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = text(&out.stdout).lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains("the 5 petitions asked for are law already: it sits until every ledger holds them"),
        "{first}"
    );
    assert!(!first.contains("0 petitions to pass"), "{first}");
}
