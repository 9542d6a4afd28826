//! The README's figures for priests on several computers: decree latency across three sshfs
//! hosts ([`netns::Rig`]) against three priest processes on one machine, and decrees per second.
//! Run by hand: `sudo cargo test --release --test network_figures -- --ignored --nocapture`.

mod netns;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use netns::{PRIESTS, Rig, cannot_run, decrees_per_ledger, in_every_ledger, percentile, wait_for};

/// Passes `n` petitions one at a time (each handed to the next priest in turn), then `n` at once;
/// returns each decree's latency (petition written to decree in every ledger) and the decrees per
/// second of the second batch.
fn measure(
    srv: &Path,
    n: usize,
    mut petition: impl FnMut(&str, &str),
    mut wait: impl FnMut(&[String]),
) -> (Vec<Duration>, f64) {
    let mut latencies = Vec::new();
    for k in 0..n {
        let text = vec![format!("One at a time {k}")];
        let at = Instant::now();
        petition(&text[0], PRIESTS[k % 3]);
        wait(&text);
        latencies.push(at.elapsed());
    }
    latencies.sort();
    let batch: Vec<String> = (0..n).map(|k| format!("All at once {k}")).collect();
    let at = Instant::now();
    for (k, text) in batch.iter().enumerate() {
        petition(text, PRIESTS[k % 3]);
    }
    wait(&batch);
    assert!(decrees_per_ledger(srv, &batch).iter().all(|l| l.iter().all(|c| *c == 1)));
    (latencies, n as f64 / at.elapsed().as_secs_f64())
}

fn report(what: &str, (latencies, rate): (Vec<Duration>, f64)) {
    eprintln!(
        "{what}: decree latency p50 {:.1} ms, p99 {:.1} ms over {} decrees one at a time; {rate:.1} decrees/s for {} at once",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.len(),
        latencies.len()
    );
}

/// The README's figures across three hosts: `sudo cargo test --release --test network_figures -- --ignored --nocapture`.
#[test]
#[ignore = "measures for the README (about 40 s, root)"]
fn decree_latency_across_three_hosts() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: the network test needs {why}");
        return;
    }
    let mut rig = Rig::new();
    rig.sit();
    let srv = rig.srv();
    let figures = measure(
        &srv,
        100,
        |text, to| rig.petition(text, to),
        |texts| wait_for(&rig, 60, "decrees", || in_every_ledger(&srv, texts)),
    );
    report("three hosts over sshfs (--poll, tick 20 ms)", figures);
}

/// The same on one machine: three priest processes on a local folder, woken by inotify.
#[test]
#[ignore = "measures for the README (about 10 s)"]
fn decree_latency_on_one_machine() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = PRIESTS.map(String::from).to_vec();
    parliament::chamber::god::lay_out(dir.path(), &names, true).unwrap();
    let mut priests: Vec<Child> = PRIESTS
        .iter()
        .map(|name| {
            Command::new(env!("CARGO_BIN_EXE_parliament"))
                .args(["priest", name, "--quiet", "--dir"])
                .arg(dir.path())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let petition = |text: &str, to: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
            .args(["petition", text, "--to", to, "--from", "citizen", "--dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    let wait = |texts: &[String]| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !in_every_ledger(dir.path(), texts) {
            assert!(Instant::now() < deadline, "decrees did not pass");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let figures = measure(dir.path(), 100, petition, wait);
    for p in &mut priests {
        let _ = p.kill();
        let _ = p.wait();
    }
    report("one machine (inotify, tick 20 ms)", figures);
}
