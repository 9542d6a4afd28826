//! What a newcomer trying the tool found, each kept fixed: the binary driven as a person would,
//! in a fresh folder, and what it says checked for what went wrong and what to do.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

fn parliament(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// The binary started in `dir`, its output where `out` and `err` say.
fn spawn(dir: &Path, args: &[&str], out: Stdio, err: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .current_dir(dir)
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Two `convene` started at once in an empty folder: the one that came second read the folder
/// while the first was laying it out, found ledgers and no roll, and was told to lay out a new
/// Chamber (exit 2). The layout is one step under the roll's lock: the second either finds the
/// first sitting (exit 4, naming its process and what to do) or, the first done, resumes.
#[test]
fn two_convenes_at_once_in_an_empty_folder_lay_out_one_chamber_and_the_second_is_told_who_sits() {
    for _ in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let start = || spawn(dir.path(), &["convene", "--quiet"], Stdio::piped(), Stdio::piped());
        let (a, b) = (start(), start());
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let shown: Vec<String> =
            outs.iter().map(|o| format!("exit {:?}: {}", o.status.code(), text(&o.stderr))).collect();
        assert!(outs.iter().any(|o| o.status.code() == Some(0)), "one sitting passes: {shown:#?}");
        for o in &outs {
            match o.status.code() {
                Some(0) => {}
                Some(4) => {
                    let err = text(&o.stderr);
                    assert!(err.contains("already sits") && err.contains("pid"), "names the other: {err}");
                    assert!(err.contains("petition") || err.contains("stop"), "says what to do: {err}");
                }
                _ => panic!("neither a raw error nor a misleading one: {shown:#?}"),
            }
        }
    }
}

fn convened() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--quiet"]);
    assert!(out.status.success(), "convene: {}", text(&out.stderr));
    dir
}

/// A Chamber whose roll.csv is gone (its ledgers still there) was told to "lay out a new Chamber":
/// it says the roll is missing, that the ledgers show a Chamber was laid out here, and how to
/// write the roll again from their names, not to lay out another over them.
#[test]
fn a_chamber_without_its_roll_is_told_to_restore_it_from_its_ledgers_not_to_lay_out_a_new_one() {
    let dir = convened();
    std::fs::remove_file(dir.path().join("roll.csv")).unwrap();
    for args in [&["status"][..], &["convene", "--quiet"][..]] {
        let out = parliament(dir.path(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("roll.csv: missing") && err.contains("was laid out here"), "{args:?}: {err}");
        assert!(err.contains("Dwork, Fischer, Lynch, Oki, Toueg"), "names the ledgers found: {err}");
        assert!(err.contains("priest,weight\\nDwork,1\\n"), "how to write it again: {err}");
        assert!(!err.contains("Lay out a new Chamber in an empty folder"), "{err}");
    }
    assert!(!dir.path().join("roll.csv").exists(), "nothing laid out over the ledgers");
}

/// `status --dir typo` beside a Chamber suggested convening one in `typo`: it says `typo` is not a
/// Chamber (no ledgers/, no roll.csv) and names the Chamber nearby, and nothing more.
#[test]
fn a_folder_that_is_not_a_chamber_is_named_so_with_the_chamber_nearby() {
    let dir = convened();
    let out = parliament(dir.path(), &["status", "--dir", "typo"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("typo is not a Chamber") && err.contains("no ledgers/ or roll.csv"), "{err}");
    assert!(err.contains("the Chamber nearby is .: give --dir ."), "{err}");
    assert!(!err.contains("convene"), "no advice to lay out a Chamber where none is wanted: {err}");
    assert!(!dir.path().join("typo").exists());
}

/// `--help` listed exit codes 0 to 4; `priest` exits 5 when the Chamber's folder cannot be
/// reached. Every code in `parliament::exit` is told.
#[test]
fn every_exit_code_is_listed_in_help() {
    use parliament::exit::*;
    let dir = tempfile::tempdir().unwrap();
    let help = text(&parliament(dir.path(), &["--help"]).stdout);
    let listed = help.split("Exit status:").nth(1).expect("--help lists exit codes").replace('\n', " ");
    for code in [DONE, NOT_DONE, CANNOT_RUN, REFUSES, ALREADY_SITTING, UNREACHABLE] {
        let told = if code == DONE { format!("{code} done") } else { format!("; {code} ") };
        assert!(listed.contains(&told), "exit {code} is not listed: {listed}");
    }
    assert!(listed.contains("could not be reached"), "{listed}");
}

/// `laws --fresh` with nobody sitting waited out its 10 s timeout before asking whether the
/// Chamber sat: it says at once that no priest sits and what to do, and hands no one a petition.
#[test]
fn laws_fresh_with_nobody_sitting_says_so_at_once() {
    let dir = convened();
    let started = std::time::Instant::now();
    let out = parliament(dir.path(), &["laws", "--fresh"]);
    let err = text(&out.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "took {:?}: {err}", started.elapsed());
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no priest sits"), "{err}");
    assert!(err.contains("parliament convene --stay"), "says what to do: {err}");
    let pages = std::fs::read_dir(dir.path().join("messagebooks/Toueg")).unwrap();
    let names: Vec<String> = pages.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with("laws")), "a read petition was left behind: {names:?}");
}

/// A lone `parliament priest Oki` tried ballots and never said that nothing could pass without a
/// majority set: he says so at once, and whom to start.
#[test]
fn a_lone_priest_says_he_needs_a_majority_set_and_whom_to_start() {
    let dir = convened();
    let mut oki = spawn(dir.path(), &["priest", "Oki"], Stdio::null(), Stdio::piped());
    let mut stderr = std::io::BufReader::new(oki.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut stderr, &mut line).is_ok_and(|n| n > 0) {
            if tx.send(std::mem::take(&mut line)).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut told = String::new();
    while !told.contains("majority set") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => told.push_str(&line),
            Err(_) => break,
        }
    }
    oki.kill().unwrap();
    oki.wait().unwrap();
    assert!(told.contains("Oki sits alone") && told.contains("majority set"), "{told}");
    assert!(told.contains("parliament priest Dwork") && !told.contains("parliament priest Oki"), "{told}");
}

/// After `rm ledgers/Lynch.csv`, `convene` announced "5 petitions to pass", sat, and passed
/// nothing without a word: they were law already in every ledger left. It says so, and which
/// ledger is missing; a new petition still passes into the four ledgers there are.
#[test]
fn convene_after_a_ledger_is_removed_says_the_petitions_are_law_already_and_which_ledger_is_missing() {
    let dir = convened();
    std::fs::remove_file(dir.path().join("ledgers/Lynch.csv")).unwrap();
    let out = parliament(dir.path(), &["convene"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}{}", text(&out.stderr));
    assert!(!said.contains("5 petitions to pass"), "{said}");
    assert!(said.contains("Every petition is law in every ledger there is"), "{said}");
    assert!(said.contains("ledgers/Lynch.csv is missing"), "{said}");
    assert!(!said.contains("[every ledger]"), "{said}");
    let out = parliament(dir.path(), &["convene", "--petition", "Wine may not be watered"]);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}{}", text(&out.stderr));
    assert!(said.contains("1 petition to pass") && said.contains("ledgers/Lynch.csv is missing"), "{said}");
    assert!(said.contains("Wine may not be watered  [Dwork, Fischer, Oki, Toueg]"), "{said}");
}

/// `admit lynch` beside Lynch gave a second priest a place whose ledger, on a case-insensitive
/// file system, is Lynch's own; `admit Zed --to Bad` seated Zed and then failed on the typo; and
/// admitting a legislator again changed his weight without a word. Each is now said, and the
/// first two leave the roll and the files as they were.
#[test]
fn admit_refuses_a_name_differing_only_in_case_and_a_bad_to_before_seating_anyone() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let roll = std::fs::read_to_string(dir.path().join("roll.csv")).unwrap();
    let out = parliament(dir.path(), &["admit", "lynch"]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("Did you mean Lynch?"), "{err}");
    let out = parliament(dir.path(), &["admit", "Zed", "--to", "Bad"]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("Bad is not a priest of this Chamber"), "{err}");
    let out = parliament(dir.path(), &["petition", "Wine", "--to", "Lync"]);
    assert!(text(&out.stderr).contains("did you mean Lynch?"), "{}", text(&out.stderr));
    let out = parliament(dir.path(), &["dismiss", "Lync"]);
    assert!(text(&out.stderr).contains("did you mean Lynch?"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("roll.csv")).unwrap(), roll, "nobody was seated");
    assert!(!dir.path().join("ledgers/lynch.csv").exists() && !dir.path().join("ledgers/Zed.csv").exists());
    let out = parliament(dir.path(), &["admit", "Lynch", "--weight", "2"]);
    let said = text(&out.stdout);
    assert!(out.status.success() && said.contains("Lynch is a legislator of weight 1"), "{said}");
    assert!(said.contains("makes his weight 2"), "{said}");
    // Admitting a legislator again at his weight petitioned a decree and two olive days for nothing.
    let out = parliament(dir.path(), &["admit", "Oki"]);
    let said = text(&out.stdout);
    assert!(
        out.status.success() && said.contains("nothing to petition") && !said.contains("petition "),
        "{said}"
    );
    // A priest whose ledger is lost refuses to vote: a roll needing him could pass nothing again.
    std::fs::remove_file(dir.path().join("ledgers/Oki.csv")).unwrap();
    let out = parliament(dir.path(), &["admit", "Oki"]);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("Oki lost his ledger") && err.contains("admit Oki2"),
        "{err}"
    );
}

/// The paper's Greek names (`convene --names Λῐνχ∂,...`, `admit Στρωνγ`) were refused as holding
/// a character that is not a letter, though Λ is one. A name is a file name: the refusal says
/// which characters a name may hold and why, and gives the Latin spelling of the paper's names.
#[test]
fn a_greek_name_is_refused_with_the_characters_a_name_may_hold_and_its_latin_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["convene", "--names", "Λῐνχ∂,Φισ∂ρ,Tωυγ"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("ASCII letters A-Z and a-z, digits 0-9, '-' and '_'"), "{err}");
    assert!(err.contains("file name") && err.contains("Give Lynch"), "{err}");
    assert!(!dir.path().join("roll.csv").exists(), "nothing laid out");
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let out = parliament(dir.path(), &["admit", "Στρωνγ"]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("Give Strong"), "{err}");
    assert!(err.contains("ASCII letters"), "{err}");
    let out = parliament(dir.path(), &["admit", "Zoë"]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("holds 'ë'") && err.contains("ASCII letters"), "{err}");
}

/// `dismiss Oki` said nothing of when the dismissal is in force; like `admit`, it says the decree
/// passed as n makes him no legislator from decree n + α on (§3.3.6).
#[test]
fn dismiss_says_from_which_decree_the_dismissal_is_in_force() {
    let dir = convened();
    let out = parliament(dir.path(), &["dismiss", "Oki"]);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("when \"Oki is no longer a legislator\" passes as decree n, Oki is no legislator from decree n + 3 on"),
        "{said}"
    );
}

/// The decree numbers a story's line names: "decree 4", "decrees 1 to 3", "decrees 2, 5 and 7".
fn numbers_named(line: &str) -> Vec<u64> {
    let line = line.to_lowercase();
    let named = line.split("decree").nth(1).unwrap_or("").trim_start_matches('s');
    let named = named.split([':', '"']).next().unwrap();
    let named =
        named.split(" in ").next().unwrap().split(" is ").next().unwrap().split(" are ").next().unwrap();
    let nums: Vec<u64> = named.split([' ', ',']).filter_map(|w| w.parse().ok()).collect();
    match (named.contains(" to "), nums.as_slice()) {
        (true, [a, b]) => (*a..=*b).collect(),
        _ => nums,
    }
}

/// Checks that a story of `convene` tells a ballot begun before any vote in it or a majority
/// voting in it, and a decree passed before any ledger is told to hold it; decrees through
/// `earlier` passed in an earlier sitting.
fn assert_causal(story: &str, earlier: u64) {
    let (mut begun, mut passed) = (std::collections::HashSet::new(), std::collections::HashSet::new());
    let ballot_of =
        |line: &str| line.split("ballot ").nth(1).unwrap().split([' ', ':']).next().unwrap().to_string();
    for line in story.lines().filter(|l| l.starts_with('[')) {
        let at = &line[line.find(']').unwrap() + 2..];
        if at.contains(" begins ballot ") {
            begun.insert((ballot_of(at), numbers_named(at)[0]));
        } else if at.contains(" votes in ballot ") || at.starts_with("A majority voted in ballot ") {
            let (b, n) = (ballot_of(at), numbers_named(at)[0]);
            assert!(
                begun.contains(&(b.clone(), n)),
                "told before ballot {b} for decree {n} was begun: {line}\n{story}"
            );
            if at.starts_with("A majority") {
                passed.insert(n);
            }
        } else if at.contains("in his ledger") || at.contains(" ledger") && at.starts_with("Decree") {
            for n in numbers_named(at).into_iter().filter(|&n| n > earlier) {
                assert!(
                    passed.contains(&n),
                    "a ledger holds decree {n} before it was told passed: {line}\n{story}"
                );
            }
        }
    }
    assert!(!passed.is_empty(), "the story tells decrees passing:\n{story}");
}

/// The story told "A majority voted" and "Decrees 11 to 12 are in all 5 ledgers" before, and a
/// president's vote before, the ballot's "begins ballot" line, and a Chamber of one priest told
/// neither ballot nor majority. A ballot is told begun before any vote in it, and a decree
/// passed before any ledger holds it, at the default level and with `-v`, for 5 priests and 1.
#[test]
fn the_story_tells_a_ballot_begun_before_any_vote_in_it_and_a_decree_passed_before_any_ledger_holds_it() {
    for args in [
        &["convene", "-v"][..],
        &["convene"],
        &["convene", "--priests", "1", "-v"],
        &["convene", "--priests", "1"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = parliament(dir.path(), args);
        let story = text(&out.stdout);
        assert!(out.status.success(), "{args:?}: {story}{}", text(&out.stderr));
        assert_causal(&story, 0);
        assert_eq!(
            story.matches("A majority voted in ballot").count(),
            5,
            "{args:?}: each decree once:\n{story}"
        );
    }
    assert_eq!(numbers_named("[ 1 s] Decrees 1 to 3 are in all 5 ledgers"), [1, 2, 3]);
    assert_eq!(numbers_named("[ 1 s] Lynch writes decrees 2, 4 and 6 in his ledger"), [2, 4, 6]);
}

/// Reads a sitting's story line by line, as a person watching the terminal.
struct Sitting {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    told: String,
}

impl Sitting {
    fn convene(dir: &Path) -> Sitting {
        let mut child = spawn(dir, &["convene", "--stay"], Stdio::piped(), Stdio::null());
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(out).map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Sitting { child, lines, told: String::new() }
    }

    /// Waits up to 20 s for a line holding `what`; whether it came.
    fn wait_for(&mut self, what: &str) -> bool {
        self.wait_until(|line| line.contains(what))
    }

    /// Waits up to 20 s for a line that `told` holds true of; whether it came.
    fn wait_until(&mut self, told: impl Fn(&str) -> bool) -> bool {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.told.push_str(&line);
                    self.told.push('\n');
                    if told(&line) {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }
}

impl Drop for Sitting {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// "Decree 9 is in all 5 ledgers" was told in a Chamber of 6 places once `admit Strong` had
/// given Strong his place and God had seated him: a decree is told in all the ledgers of the
/// places on the roll at that time, his among them.
#[test]
fn a_decree_is_told_in_all_the_ledgers_of_the_places_on_the_roll_a_priest_admitted_too() {
    let dir = convened();
    let mut sitting = Sitting::convene(dir.path());
    assert!(sitting.wait_for("acts as president"), "the Chamber sits:\n{}", sitting.told);
    let out = parliament(dir.path(), &["admit", "Strong"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(sitting.wait_for("From decree 9 on, Strong is a legislator"), "{}", sitting.told);
    let out = parliament(dir.path(), &["petition", "Wine may not be watered"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let in_all = |line: &str| line.contains(" in all ") && numbers_named(line).contains(&9);
    assert!(sitting.wait_until(in_all), "{}", sitting.told);
    let told = sitting.told.clone();
    let line = told.lines().find(|l| in_all(l)).unwrap();
    assert!(line.ends_with("in all 6 ledgers"), "Strong's ledger counts: {line}\n{told}");
    assert!(!told.contains("in all 5 ledgers"), "the roll had 6 places by then:\n{told}");
    assert_causal(&told, 5);
}

/// `parliament status` said a priest stopped with `kill -STOP` "sits" and nothing more: his lock
/// is held, but he answers nothing. It says he sits but is stopped, and how to continue him; once
/// continued, that he sits.
#[test]
fn status_says_a_stopped_priest_sits_but_is_stopped_and_how_to_continue_him() {
    let dir = convened();
    let mut oki = spawn(dir.path(), &["priest", "Oki"], Stdio::null(), Stdio::null());
    let pid = oki.id();
    let status = || text(&parliament(dir.path(), &["status"]).stdout);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let wait_until = |what: &dyn Fn(&str) -> bool| loop {
        let said = status();
        if what(&said) || std::time::Instant::now() > deadline {
            break said;
        }
    };
    let oki_sits = |s: &str| {
        s.lines().any(|l| l.starts_with("Oki ") && l.contains(" sits ") && l.contains(&pid.to_string()))
    };
    let said = wait_until(&oki_sits);
    assert!(oki_sits(&said) && !said.contains("stopped"), "{said}");
    // SAFETY: kill(2) on the child we spawned and still own.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGSTOP) }, 0);
    let told = format!("Oki: sits but is stopped (SIGSTOP; kill -CONT {pid})");
    let said = wait_until(&|s: &str| s.contains(&told));
    assert!(said.contains(&told), "{said}");
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGCONT) }, 0);
    let said = wait_until(&|s: &str| !s.contains("stopped"));
    assert!(oki_sits(&said) && !said.contains("stopped"), "continued, he sits: {said}");
    oki.kill().unwrap();
    oki.wait().unwrap();
}

/// Ctrl-C in a plain `convene` before its petitions passed said "The statute book is empty." and
/// exited 0, which `--help` keeps for "every petition passed". It is exit 1 now, saying the
/// petitions wait in the messagebooks for the next sitting.
#[test]
fn ctrl_c_before_the_petitions_pass_is_not_done() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(dir.path(), &["convene", "--pace", "2s"], Stdio::piped(), Stdio::piped());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let sits = || dir.path().join("ledgers/.Toueg.sitting").exists();
    while !sits() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(sits(), "Toueg never sat");
    // SAFETY: kill(2) on the child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("stopped before the petitions passed") && err.contains("wait in the messagebooks"),
        "{err}"
    );
}

/// `laws --fresh` on a Chamber whose sitting was stopped (SIGSTOP) said "is the Chamber sitting?
/// (parliament convene --stay)", and convening again is refused while the stopped process holds
/// the sitting locks. It names the stopped priests and how to continue them.
#[test]
fn laws_fresh_on_a_stopped_chamber_says_it_is_stopped_and_how_to_continue_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let mut god = spawn(dir.path(), &["convene", "--stay", "--quiet"], Stdio::null(), Stdio::null());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let leases = || {
        ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"]
            .iter()
            .all(|n| dir.path().join(format!("ledgers/.{n}.lease")).exists())
    };
    let all_sit =
        || leases() && text(&parliament(dir.path(), &["status"]).stdout).matches(" sits ").count() == 5;
    while !all_sit() && std::time::Instant::now() < deadline {}
    assert!(all_sit(), "the Chamber never sat");
    let pid = god.id();
    // SAFETY: kill(2) on the child we spawned and still own.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGSTOP) }, 0);
    let out = parliament(dir.path(), &["laws", "--fresh"]);
    let err = text(&out.stderr);
    // SAFETY: as above.
    unsafe { libc::kill(pid as i32, libc::SIGCONT) };
    god.kill().unwrap();
    god.wait().unwrap();
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("sit but stopped (SIGSTOP)") && err.contains(&format!("kill -CONT {pid}")), "{err}");
}

/// `parliament watch --dir` with a typo in the folder laid out and convened five new priests
/// there, told only by "(convened by this watch)" in the title bar; like `convene`, it now asks
/// for the folder to be made first.
#[test]
fn watch_with_a_folder_that_does_not_exist_convenes_nothing_there() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["watch", "--dir", "nope"]);
    let err = text(&out.stderr);
    assert!(
        !out.status.success() && err.contains("nope does not exist") && err.contains("mkdir -p nope"),
        "{err}"
    );
    assert!(!dir.path().join("nope").exists(), "nothing was laid out");
}

/// A newcomer typed `parliament priest Okki` and was told only that Okki is not a priest, where
/// `petition --to` and `dismiss` offer the name meant.
#[test]
fn a_priest_started_with_a_typo_is_offered_the_name_meant() {
    let dir = tempfile::tempdir().unwrap();
    assert!(parliament(dir.path(), &["convene", "--quiet"]).status.success());
    let out = parliament(dir.path(), &["priest", "Okki"]);
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("did you mean Oki?"), "{err}");
}
