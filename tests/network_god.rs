//! God on a network folder (issue 18): `parliament convene --stay --processes` on one host whose
//! link to the file server is cut for 8 s, long enough for sshfs to answer `EIO`. God must not
//! end: he says he cannot reach the folder, brings back the priests who leave (exit 5) after
//! pauses that grow while they keep leaving, says when the folder answers again, and the
//! Chamber passes a petition made during the cut. Every petition passes once into every ledger
//! and the audit of the server's folder is clean (§1.3: priests leave and return with only
//! their ledgers). Root only ([`netns::Rig`]); skipped with a message otherwise.

mod netns;

use std::process::Command;
use std::time::{Duration, Instant};

use netns::{PRIESTS, Rig, cannot_run, decrees_per_ledger, in_every_ledger, wait_for};

#[test]
fn god_outlasts_an_eight_second_cut_and_brings_his_priests_back() {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: the network test needs {why}");
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::new();
    let names: Vec<String> = PRIESTS.map(String::from).to_vec();
    parliament::chamber::god::lay_out(&rig.srv(), &names, true).unwrap();
    let body = format!(
        "exec {exe} convene --dir {mount} --stay --processes --quiet",
        exe = env!("CARGO_BIN_EXE_parliament"),
        mount = rig.mount(0).display()
    );
    let god = rig.start_host_with(0, &body, "god.err");
    let srv = rig.srv();
    let said = |rig: &Rig| std::fs::read_to_string(rig.root.path().join("god.err")).unwrap_or_default();
    let texts = ["Before the cut".to_string(), "During the cut".to_string()];
    rig.petition(&texts[0], "Dwork");
    wait_for(&rig, 20, "the first petition in every ledger", || in_every_ledger(&srv, &texts[..1]));

    rig.link(0, "down");
    let cut = Instant::now();
    rig.petition(&texts[1], "Lynch");
    std::thread::sleep(Duration::from_secs(8).saturating_sub(cut.elapsed()));
    rig.link(0, "up");
    assert!(rig.hosts[god].try_wait().unwrap().is_none(), "God ended in the cut: {}", said(&rig));
    let up = Instant::now();
    wait_for(&rig, 30, "the petition made during the cut in every ledger", || in_every_ledger(&srv, &texts));
    let healed = up.elapsed();

    let god_said = said(&rig);
    assert!(god_said.contains("God cannot reach") && god_said.contains("answers again"), "{god_said}");
    let pauses: Vec<f64> = god_said
        .lines()
        .filter_map(|l| l.split("God brings him back in ").nth(1)?.strip_suffix(" s")?.parse().ok())
        .collect();
    assert!(!pauses.is_empty(), "priests left and were brought back: {god_said}");
    assert!(
        pauses.iter().any(|p| *p > 0.25),
        "a priest who kept leaving waited longer each time: {pauses:?}\n{god_said}"
    );
    for (name, ledger) in PRIESTS.iter().zip(decrees_per_ledger(&srv, &texts)) {
        assert!(ledger.iter().all(|n| *n == 1), "{name}'s ledger: {ledger:?}");
    }

    // God leaves on SIGTERM, taking his priests with him, and the audit reads the server's folder.
    for pid in rig.pids(0, "convene") {
        // SAFETY: kill(2) on the God process this rig started, found by its namespace.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = rig.hosts[god].try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "God did not leave on SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "God's exit: {status}\n{}", said(&rig));
    let audit =
        Command::new(env!("CARGO_BIN_EXE_parliament")).args(["audit", "--dir"]).arg(&srv).output().unwrap();
    assert!(audit.status.success(), "audit: {}", String::from_utf8_lossy(&audit.stdout));
    eprintln!(
        "God through an 8 s cut: pauses {pauses:?} s; the petition made in the cut passed {healed:?} after the link came back; whole test {:?}",
        started.elapsed()
    );
}
