//! What the integration tests share: running the built binary in a temporary folder, a Chamber
//! sitting in the background, waiting (with a deadline) for a decree to pass, writing by hand.

#![allow(dead_code)]

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use parliament::books::ledger_read::read_ledger;
use parliament::books::statute::{Chamber, discover_roll};

pub fn parliament(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("the binary runs")
}

/// A Chamber running in the background, stopped with SIGKILL if a test fails before it stops it.
pub struct Running(pub Child, pub PathBuf);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
            let pattern = format!("--dir {}", self.1.display());
            let _ = Command::new("pkill").args(["-9", "-f", "--", &pattern]).status();
        }
    }
}

/// Starts a Chamber that stays, its output going to files in the folder.
pub fn stay(dir: &Path, extra: &[&str]) -> Running {
    let mut args = vec!["--quiet"];
    args.extend_from_slice(extra);
    convene_staying(dir, &args)
}

/// `parliament convene --stay --dir DIR` telling its story (no `--quiet`): out in `out.txt`,
/// errors in `err.txt`.
pub fn stay_telling(dir: &Path) -> Running {
    convene_staying(dir, &[])
}

/// `parliament convene --stay --dir DIR ARGS…`, out in `out.txt`, errors in `err.txt`.
fn convene_staying(dir: &Path, args: &[&str]) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(["convene", "--stay", "--dir"])
        .arg(dir)
        .args(args)
        .stdout(fs::File::create(dir.join("out.txt")).unwrap())
        .stderr(fs::File::create(dir.join("err.txt")).unwrap())
        .spawn()
        .expect("the binary starts");
    Running(child, dir.to_path_buf())
}

/// Waits (with a deadline) until every ledger holds a decree with this text.
pub fn wait_for_law(dir: &Path, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let roll = loop {
        // While God lays the Chamber out, its ledgers may stand a moment before its roll.
        if let Ok(Some(roll)) = discover_roll(dir) {
            break roll;
        }
        assert!(Instant::now() < deadline, "no Chamber appeared in {}", dir.display());
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut chamber = Chamber::open(dir, &roll);
    loop {
        chamber.refresh().unwrap();
        let everywhere = chamber
            .ledgers
            .iter()
            .all(|f| f.durable.decrees.values().any(|d| d.petition().is_some_and(|p| &*p.text == text)));
        if everywhere {
            return;
        }
        assert!(Instant::now() < deadline, "{text:?} did not pass into every ledger within 20 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn sigterm(running: &mut Running) {
    let child = &mut running.0;
    // SAFETY: kill(2) on a child we spawned.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "convene --stay should exit 0 on SIGTERM, got {status}");
}

/// The page a person writes in, in a priest's messagebook.
pub fn book(dir: &Path, name: &str) -> PathBuf {
    dir.join("messagebooks").join(name).join("hand.csv")
}

pub fn append(path: &Path, text: &str) {
    OpenOptions::new().append(true).create(true).open(path).unwrap().write_all(text.as_bytes()).unwrap();
}

/// Every ledger ends in a newline and reads back whole: no torn row.
pub fn assert_no_torn_rows(dir: &Path) {
    let roll = discover_roll(dir).unwrap().unwrap();
    for name in roll.names() {
        let path = dir.join("ledgers").join(format!("{name}.csv"));
        let read = read_ledger(&path, &roll).unwrap();
        assert!(!read.torn_at_end && read.warnings.is_empty(), "{}: {:?}", path.display(), read.warnings);
    }
}

/// Waits (with a deadline of `secs` seconds) until `done` holds; panics naming `what` if not.
pub fn wait_until(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// How many decrees of the statute book (`laws --json`) carry this text.
pub fn laws_with(dir: &Path, text: &str) -> usize {
    let out = parliament(dir, &["laws", "--json"]);
    let laws: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("laws --json: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    laws["laws"].as_array().unwrap().iter().filter(|l| l["decree"].as_str() == Some(text)).count()
}

/// Whether a process whose command line holds `pattern` is running.
pub fn running(pattern: &str) -> bool {
    Command::new("pgrep").args(["-f", "--", pattern]).output().is_ok_and(|o| o.status.success())
}
