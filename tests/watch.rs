//! `parliament watch`: its data source read against a Chamber written by `parliament simulate
//! --dir` (the statute book and ballots it derives must be the ones `laws --json` prints), its
//! replay, and one run of the real binary in tmux: convene, pause, kill a priest, petition, see the
//! decree pass in every ledger, quit with the terminal as it was.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use parliament::books::statute::{Chamber, discover_roll};
use parliament::priest::PriestId;
use parliament::watch::WatchState;
use parliament::watch::replay::Timeline;
use parliament::watch::source::Source;

use common::{assert_no_torn_rows, parliament, running, stay, wait_until};

/// The statute book as `laws --json` prints it: (decree_no, petition id, holders).
fn laws_json(dir: &Path) -> Vec<(u64, Option<String>, Vec<String>)> {
    let out = parliament(dir, &["laws", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["laws"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let held = l["held_by"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string());
            (l["decree_no"].as_u64().unwrap(), l["petition"].as_str().map(String::from), held.collect())
        })
        .collect()
}

/// The statute book as the watch derives it (newest first), in the same shape, oldest first.
fn watched(state: &WatchState) -> Vec<(u64, Option<String>, Vec<String>)> {
    let roll = state.roll();
    let mut laws: Vec<_> = state
        .flight()
        .statute()
        .map(|(no, s)| {
            let held = (0..roll.len() as u16).map(PriestId).filter(|p| s.holders.contains(*p));
            (
                no,
                s.decree.petition().map(|p| p.id.to_string()),
                held.map(|p| roll.name(p).to_string()).collect(),
            )
        })
        .collect();
    laws.sort_by_key(|l| l.0);
    laws
}

fn simulated(seed: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["simulate", "--seed", seed, "-q"];
    args.extend_from_slice(extra);
    let out = parliament(dir.path(), &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

#[test]
fn the_watch_derives_the_statute_book_laws_prints_and_breaks_no_rule() {
    for (seed, extra) in [("7", &[][..]), ("11", &["--lose", "0.2", "--duplicate", "0.2"][..])] {
        let dir = simulated(seed, extra);
        let roll = discover_roll(dir.path()).unwrap().unwrap();
        let mut state = WatchState::new(roll.clone(), "sim");
        let mut source = Source::open(dir.path(), &roll);
        assert!(source.refresh(&mut state) > 0, "rows were read");
        let laws = laws_json(dir.path());
        assert!(!laws.is_empty(), "seed {seed}: the simulation passed decrees");
        assert_eq!(watched(&state), laws, "seed {seed}");
        assert!(state.broken().is_empty(), "seed {seed}: {:?}", state.broken());
        for (no, ..) in &laws {
            let ballot = state.flight().ballot(*no);
            assert!(ballot.is_none_or(|b| b.passed.is_some()), "seed {seed}: decree {no} passed: {ballot:?}");
        }
        assert!(state.deliveries().count() > 0, "seed {seed}: the messagebooks' rows were delivered");
        assert_eq!(source.refresh(&mut state), 0, "a second refresh reads only what is new: nothing");
    }
}

#[test]
fn replay_ends_where_the_chamber_ended_and_steps_back_to_the_start() {
    let dir = simulated("7", &[]);
    let roll = discover_roll(dir.path()).unwrap().unwrap();
    let timeline = Timeline::read(dir.path(), &roll);
    let n = timeline.events.len();
    assert!(n > 10);
    assert!(timeline.events.windows(2).all(|w| w[0].0 <= w[1].0), "rows in the order of their times");
    let end = timeline.state_at(n);
    assert_eq!(watched(&end), laws_json(dir.path()));
    assert!(end.broken().is_empty(), "{:?}", end.broken());
    assert_eq!(timeline.state_at(0).flight().statute().count(), 0, "the start: nothing passed");
    let half = timeline.state_at(n / 2).flight().statute().count();
    assert!(half <= watched(&end).len());
}

/// tmux, or None with the reason the test is skipped.
fn tmux() -> Option<()> {
    match Command::new("tmux").arg("-V").output() {
        Ok(o) if o.status.success() => Some(()),
        _ => {
            eprintln!("SKIPPED: tmux is missing (apt-get install tmux); the end-to-end watch test needs it");
            None
        }
    }
}

struct Tmux(String);

impl Tmux {
    fn keys(&self, keys: &[&str]) {
        let ok = Command::new("tmux").args(["send-keys", "-t", &self.0]).args(keys).status().unwrap();
        assert!(ok.success());
    }
    fn screen(&self) -> String {
        let out = Command::new("tmux").args(["capture-pane", "-p", "-t", &self.0]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    /// Waits until the screen shows `what` (deadline 8 s): the screen.
    fn until(&self, what: &str, deadline: Duration) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(start.elapsed() < deadline, "the screen never showed {what:?}:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.0]).status();
    }
}

/// `parliament watch --dir DIR --priests 3` in a new tmux session named after `what`, after a line
/// the test looks for once the watch has left; then the watch's exit code, and whether the
/// terminal is in cooked mode again.
fn watch_in_tmux(dir: &Path, what: &str) -> Tmux {
    let session = Tmux(format!("watch-{what}-{}", std::process::id()));
    let exe = env!("CARGO_BIN_EXE_parliament");
    let command = format!(
        "printf 'before the watch\\n'; {exe} watch --dir {} --priests 3; echo watch-exit-$?; stty -a | tr ' ;' '\\n\\n' | grep -qx icanon && echo cooked-mode",
        dir.display()
    );
    let ok = Command::new("tmux")
        .args(["new-session", "-d", "-x", "100", "-y", "30", "-s", &session.0, "bash", "--norc", "-c"])
        .arg(format!("{command}; sleep 30"))
        .status()
        .unwrap();
    assert!(ok.success());
    session
}

/// The shell's screen is back, in cooked mode, after the watch left with `exit`.
fn terminal_restored(session: &Tmux, exit: &str) {
    let long = Duration::from_secs(8);
    let s = session.until(&format!("watch-exit-{exit}"), long);
    assert!(s.contains("before the watch"), "the screen is the shell's again:\n{s}");
    assert!(!s.contains("parliament watch ·"), "the alternate screen is gone:\n{s}");
    let s = session.until("cooked-mode", long);
    assert!(s.contains("cooked-mode"), "raw mode is off again:\n{s}");
}

/// Ctrl-C in raw mode reaches the watch as a key, and SIGTERM as a signal: either way the
/// terminal is left as it was found and no priest outlives the watch.
#[test]
fn ctrl_c_or_sigterm_leaves_the_terminal_as_it_was_and_no_priest_behind() {
    if tmux().is_none() {
        return;
    }
    let long = Duration::from_secs(8);
    let dir = tempfile::tempdir().unwrap();
    let session = watch_in_tmux(dir.path(), "ctrl-c");
    session.until("present", long);
    session.keys(&["C-c"]);
    terminal_restored(&session, "0");
    assert!(!running(&format!("--dir {} --tick-ms", dir.path().display())), "no priest outlives the watch");
    let dir = tempfile::tempdir().unwrap();
    let session = watch_in_tmux(dir.path(), "sigterm");
    session.until("present", long);
    // Anchored to the program, so the shell running it (whose command line holds the same words)
    // is not the one signalled.
    let pattern =
        format!("^{} watch --dir {} --priests", env!("CARGO_BIN_EXE_parliament"), dir.path().display());
    let ok = Command::new("pkill").args(["-TERM", "-f", &pattern]).status().unwrap();
    assert!(ok.success(), "the watch was found to be sent SIGTERM");
    terminal_restored(&session, "");
    assert!(!running(&format!("--dir {} --tick-ms", dir.path().display())), "no priest outlives the watch");
}

#[test]
fn watch_convenes_pauses_kills_petitions_and_leaves_the_terminal_as_it_was() {
    if tmux().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let session = watch_in_tmux(dir.path(), "keys");
    let long = Duration::from_secs(8);
    session.until("parliament watch", long);
    session.until("present", long);
    // Pause: every messenger holds his messages; the control file says so.
    session.keys(&["p"]);
    session.until("PAUSED", long);
    let control = std::fs::read_to_string(dir.path().join("messengers.csv")).unwrap();
    assert!(control.contains(",true,"), "{control}");
    session.keys(&["p"]);
    session.until("paused = false", long);
    // Kill the third priest: SIGKILL; he is away until brought back.
    session.keys(&["k", "3"]);
    let s = session.until("SIGKILL", long);
    assert!(s.contains("away"), "{s}");
    // A petition typed on the keyboard, into the watch's own page.
    session.keys(&["n"]);
    session.keys(&["-l", "Wine may not be watered"]);
    session.keys(&["Enter"]);
    session.until("messagebooks/", long);
    let roll = discover_roll(dir.path()).unwrap().unwrap();
    // Passed: a Decree row carrying the petition in each of these priests' ledgers.
    let passed_in = |which: &[usize]| {
        let mut chamber = Chamber::open(dir.path(), &roll);
        chamber.refresh().unwrap();
        which.iter().all(|&i| {
            let decrees = chamber.ledgers[i].durable.decrees.values();
            decrees.into_iter().any(|d| d.petition().is_some_and(|p| &*p.text == "Wine may not be watered"))
        })
    };
    wait_until(8, "the decree passes into the two present priests' ledgers", || passed_in(&[0, 1]));
    assert!(!passed_in(&[2]), "the killed priest's ledger cannot hold it yet");
    session.until("Wine may not be watered", long);
    // Bring him back: he learns the decree too, so it is in every ledger.
    session.keys(&["b", "3"]);
    session.until("is back", long);
    wait_until(8, "the decree reaches every ledger, the returned priest's too", || passed_in(&[0, 1, 2]));
    session.keys(&["q"]);
    let left = session.until("watch-exit-0", long);
    assert!(left.contains("refreshes"));
    // The leaving line tells the truth about the log: a newcomer found it empty where the line
    // said what the priests said was in it.
    let said = std::fs::metadata(dir.path().join("watch.log")).map_or(0, |m| m.len()) > 0;
    let joined = left.replace('\n', "");
    let told = if said { "what the priests said is in" } else { "the priests said nothing" };
    assert!(joined.contains(told), "{left}");
    terminal_restored(&session, "0");
    assert!(!running(&format!("--dir {} --tick-ms", dir.path().display())), "no priest outlives the watch");
    assert_no_torn_rows(dir.path());
}

/// Without a terminal the watch says so and convenes nothing: no priest left behind, no file made.
#[test]
fn without_a_terminal_the_watch_says_so_and_leaves_no_priest_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = parliament(dir.path(), &["watch", "--priests", "3"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(!running(&format!("--dir {} --tick-ms", dir.path().display())), "no priest outlives the watch");
    assert!(!dir.path().join("roll.csv").exists(), "nothing was convened");
}

/// A newcomer watched a Chamber convened in another terminal and pressed `k 1`: its priests were
/// threads of that one `convene`, so the SIGKILL ended every priest and God too. On such a
/// Chamber `k` kills nobody and says why; with `convene --processes` it kills the one priest.
#[test]
fn k_on_a_chamber_whose_priests_share_one_process_kills_nobody_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut god = stay(dir.path(), &[]);
    wait_until(20, "every priest sits", || {
        discover_roll(dir.path()).ok().flatten().is_some_and(|roll| {
            parliament::watch::source::sitting_now(dir.path(), &roll)
                .is_some_and(|s| s.iter().all(|p| p.is_some()))
        })
    });
    let roll = discover_roll(dir.path()).unwrap().unwrap();
    let pid = god.0.id();
    let mut hands = parliament::watch::hands::Hands::new(dir.path(), &roll, None);
    let said = hands.kill(1);
    assert!(
        said.contains("not available") && said.contains(&format!("kill -9 {pid} would end them all")),
        "{said}"
    );
    assert!(god.0.try_wait().unwrap().is_none(), "the sitting goes on");
    common::sigterm(&mut god);
}
