//! The narrative through the built binary, in temporary folders: the three levels (`-q`, the
//! default, `-v`) measured in lines per decree for `convene` and `simulate`, the priests named as
//! the files name them, counts with their plurals, one clock with its unit, and `convene` saying
//! at once that the Chamber sits and how to stop it, even with `--pace`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const GREEK: [&str; 5] = ["∆φωρκ", "Φισ∂ρ", "Λῐνχ∂", "Ωκι", "Tωυγ"];

fn parliament(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

/// The narrative's lines: those stamped with a time.
fn told(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('[')).collect()
}

/// Convenes a new Chamber (the paper's five decrees) at the level `flag` asks for.
fn convene(flag: Option<&str>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ["convene"].into_iter().chain(flag).collect();
    let text = stdout(&parliament(dir.path(), &args));
    assert!(text.contains("The statute book (5 decrees)"), "{text}");
    text
}

#[test]
fn convene_tells_each_ballot_in_a_few_lines_at_the_default_and_every_message_with_v() {
    let (quiet, default, verbose) = (convene(Some("-q")), convene(None), convene(Some("-v")));
    let per_decree = |t: &str| told(t).len() as f64 / 5.0;
    println!(
        "convene, lines per decree: -q {}, default {}, -v {}",
        0.0,
        per_decree(&default),
        per_decree(&verbose)
    );
    assert!(told(&quiet).is_empty(), "-q tells no story:\n{quiet}");
    assert!(per_decree(&default) <= 5.0, "the default is a few lines per decree:\n{default}");
    for step in [
        "The Chamber sits in",
        "Ctrl-C",
        "A citizen petitions",
        "begins ballot 1.Toueg for decree",
        "A majority voted in ballot 1.Toueg: decree",
    ] {
        assert!(default.contains(step), "the default tells {step:?}:\n{default}");
    }
    assert!(default.contains("in all 5 ledgers"), "{default}");
    assert!(per_decree(&verbose) > 2.0 * per_decree(&default), "-v tells more:\n{verbose}");
    for message in
        ["BeginBallot(1.Toueg, decree", "Voted(1.Toueg, decree", "Success(decree", "NextBallot(1.Toueg"]
    {
        assert!(verbose.contains(message), "-v tells every message, {message:?} among them:\n{verbose}");
    }
    for text in [&default, &verbose] {
        let lines = told(text);
        let greek_lines = lines.iter().filter(|l| GREEK.iter().any(|g| l.contains(g))).count();
        assert_eq!(greek_lines, 1, "the paper's Greek appears once, as the cast list:\n{text}");
        assert!(lines[0].contains("Toueg (Tωυγ)"), "the cast list comes first: {}", lines[0]);
    }
}

#[test]
fn one_clock_with_its_unit_runs_forward_for_every_priest() {
    let text = convene(None);
    let times: Vec<f64> = told(&text)
        .iter()
        .map(|l| {
            let stamp = l[1..].split(']').next().unwrap();
            assert!(stamp.ends_with(" s"), "a time carries its unit: {l}");
            stamp.trim_end_matches(" s").trim().parse::<f64>().unwrap()
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "times run forward: {times:?}\n{text}");
    assert!(times[0] < 0.5, "the clock starts when the sitting does: {times:?}");
}

fn simulate(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<&str> = ["simulate", "--seed", "7"].iter().chain(args).copied().collect();
    stdout(&parliament(dir.path(), &all))
}

#[test]
fn simulate_tells_the_same_levels_in_ticks_and_v_shows_the_lost_and_the_duplicated() {
    let (quiet, default, verbose) = (simulate(&["-q"]), simulate(&[]), simulate(&["-v"]));
    let per_decree = |t: &str| told(t).len() as f64 / 20.0;
    println!(
        "simulate --seed 7, lines per decree: -q {}, default {}, -v {}",
        per_decree(&quiet),
        per_decree(&default),
        per_decree(&verbose)
    );
    assert!(told(&quiet).is_empty() && quiet.contains("20 petitions became 20 decrees"), "{quiet}");
    assert!(per_decree(&default) <= 5.0, "{default}");
    assert!(per_decree(&verbose) > 3.0 * per_decree(&default), "{verbose}");
    assert!(told(&default).iter().all(|l| l.starts_with("[tick ")), "ticks carry their unit:\n{default}");
    let faulty = simulate(&["--lose", "0.2", "--duplicate", "0.2", "--crash", "0.02", "-v"]);
    for what in [
        "the messenger loses it",
        "the messenger will deliver it twice",
        "he is away",
        "leaves the Chamber",
        "comes back and reads his ledger",
    ] {
        assert!(faulty.contains(what), "-v tells {what:?}");
    }
    let default_faulty = simulate(&["--lose", "0.2", "--duplicate", "0.2", "--crash", "0.02"]);
    assert!(!default_faulty.contains("the messenger loses it"), "single messages are for -v");
    assert!(default_faulty.contains("leaves the Chamber") && default_faulty.contains("comes back"));
}

/// A count of one followed by a plural noun, or "0 messages go out".
fn bad_plural(text: &str) -> Option<&str> {
    const NOUNS: [&str; 14] = [
        "rows",
        "decrees",
        "petitions",
        "violations",
        "messages",
        "warnings",
        "notices",
        "priests",
        "crashes",
        "trials",
        "ticks",
        "votes",
        "ledgers",
        "seeds",
    ];
    text.lines().find(|l| {
        let words: Vec<&str> = l.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        words.windows(2).any(|w| w[0] == "1" && NOUNS.contains(&w[1])) || l.contains("his 0 messages")
    })
}

#[test]
fn counts_take_their_plurals_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let one = stdout(&parliament(dir.path(), &["simulate", "--petitions", "1", "--seed", "3"]));
    assert!(one.contains("1 petition became 1 decree in all 5 ledgers"), "{one}");
    let convened = stdout(&parliament(dir.path(), &["convene", "--petition", "Wine may not be watered"]));
    assert!(convened.contains("The statute book (1 decree)"), "{convened}");
    let audited = stdout(&parliament(dir.path(), &["audit"]));
    let crashes = simulate(&["--crash", "0.05", "--petitions", "5"]);
    for text in [&one, &convened, &audited, &crashes] {
        assert_eq!(bad_plural(text), None, "in:\n{text}");
    }
}

#[test]
fn convene_says_at_once_that_the_chamber_sits_and_how_to_stop_it_even_with_pace() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(["convene", "--stay", "--pace", "1s"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let first = rx.recv_timeout(Duration::from_secs(5));
    let waited = started.elapsed();
    // The next line (a petition read) comes once the Chamber sits and Ctrl-C is caught.
    let second = rx.recv_timeout(Duration::from_secs(5));
    // SAFETY: kill(2) on a child we spawned; it stops on SIGTERM without a torn row.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
    let first = first.expect("a first line within 5 s");
    assert!(second.is_ok_and(|l| l.contains("petitions")), "the petitions are told next");
    assert!(waited < Duration::from_secs(2), "the first line took {waited:?}");
    for words in ["The Chamber sits", "Ctrl-C", "--pace", "Toueg (Tωυγ)"] {
        assert!(first.contains(words), "{words:?} in the first line: {first}");
    }
}
