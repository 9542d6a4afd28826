//! Priests on several computers (§1: the priests are not in one room), made on this one machine
//! ([`netns::Rig`]: a file server and three sshfs hosts from network namespaces). Twenty
//! petitions pass while one host is cut off for 2 s and another for 8 s; every petition must pass
//! exactly once into every ledger, the host cut off long enough for `EIO` must have left with
//! exit 5 and come back, and `parliament audit` of the server's folder must be clean. Between the
//! two, a burst of long petitions (rows near 3 KB, which tore when two hosts appended to one
//! file) passes, and every row of every page on the server must read whole: one writer a page.
//! Root only; skipped with a message otherwise.

mod netns;

use std::process::Command;
use std::time::{Duration, Instant};

use netns::{
    PRIESTS, Rig, SSHFS_OPTIONS, cannot_run, decrees_per_ledger, every_row_whole, in_every_ledger,
    percentile, wait_for,
};

#[test]
fn three_hosts_on_sshfs_pass_every_petition_once_through_partitions() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: the network test needs {why}");
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::new();
    rig.sit();
    let srv = rig.srv();
    let texts: Vec<String> = (1..=20).map(|n| format!("Network petition {n}")).collect();

    // Ten petitions one at a time: how long a decree takes to be in all three ledgers.
    let mut latencies = Vec::new();
    for (n, text) in texts[..10].iter().enumerate() {
        let at = Instant::now();
        rig.petition(text, PRIESTS[n % 3]);
        wait_for(&rig, 15, text, || in_every_ledger(&srv, std::slice::from_ref(text)));
        latencies.push(at.elapsed());
    }

    // A burst of long petitions at once: the three hosts' messengers write into each other's
    // messagebooks at the same time, in rows of about 3 KB.
    let long: Vec<String> =
        (1..=24).map(|n| format!("Long petition {n}: {}", "wine and oil ".repeat(220))).collect();
    for (n, text) in long.iter().enumerate() {
        rig.petition(text, PRIESTS[n % 3]);
    }
    wait_for(&rig, 30, "the long petitions in every ledger", || in_every_ledger(&srv, &long));

    // Host 0 cut off for 2 s while five petitions go to the others.
    rig.link(0, "down");
    let cut = Instant::now();
    for (n, text) in texts[10..15].iter().enumerate() {
        rig.petition(text, PRIESTS[1 + n % 2]);
    }
    std::thread::sleep(Duration::from_secs(2).saturating_sub(cut.elapsed()));
    rig.link(0, "up");

    // Host 1 cut off for 8 s: long enough for ssh to give up and the mount to answer EIO.
    rig.link(1, "down");
    let cut = Instant::now();
    for (n, text) in texts[15..].iter().enumerate() {
        rig.petition(text, PRIESTS[[0, 2][n % 2]]);
    }
    std::thread::sleep(Duration::from_secs(8).saturating_sub(cut.elapsed()));
    rig.link(1, "up");

    wait_for(&rig, 30, "all twenty petitions in every ledger", || in_every_ledger(&srv, &texts));
    let counts = decrees_per_ledger(&srv, &texts);
    for (name, ledger) in PRIESTS.iter().zip(&counts) {
        for (text, n) in texts.iter().zip(ledger) {
            assert_eq!(*n, 1, "{name}'s ledger holds {text:?} as {n} decrees\n{}", rig.stderr());
        }
    }

    // The priests leave (SIGTERM), their loops end, and the audit reads the server's folder.
    for i in 0..PRIESTS.len() {
        for pid in rig.priest_pids(i) {
            // SAFETY: kill(2) on a priest process this rig started, found by its namespace.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
    for (i, host) in rig.hosts.iter_mut().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(10);
        while host.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "host {i}'s priest did not leave on SIGTERM");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let found = std::fs::read_to_string(rig.root.path().join("host2.err")).unwrap_or_default();
    assert!(found.contains("is on a FUSE mount"), "Toueg, without --poll, polls by himself: {found}");
    assert!(!found.contains("warning"), "mounted with {SSHFS_OPTIONS}: no warning: {found}");
    let cut_off = std::fs::read_to_string(rig.root.path().join("host1.err")).unwrap_or_default();
    assert!(
        cut_off.contains("Lynch exited 5") && !cut_off.contains("Lynch exited 2"),
        "Lynch, cut off for 8 s, leaves with EIO (exit 5) and is brought back: {cut_off}"
    );
    let (rows, longest) = every_row_whole(&srv).unwrap_or_else(|e| panic!("a row torn: {e}"));
    assert!(longest > 2800, "the burst wrote rows of about 3 KB: longest {longest} bytes of {rows}");
    let audit =
        Command::new(env!("CARGO_BIN_EXE_parliament")).args(["audit", "--dir"]).arg(&srv).output().unwrap();
    assert!(
        audit.status.success(),
        "audit: {}{}\n{}",
        String::from_utf8_lossy(&audit.stdout),
        String::from_utf8_lossy(&audit.stderr),
        rig.stderr()
    );
    latencies.sort();
    eprintln!(
        "three hosts over sshfs: decree latency p50 {:?}, max {:?} (10 decrees one at a time); whole test {:?}",
        percentile(&latencies, 0.5),
        latencies[latencies.len() - 1],
        started.elapsed()
    );
}
