//! Two of a network folder's traps, each on the rig of [`netns::Rig`] (a file server and three
//! sshfs hosts from network namespaces on this one machine), one rig at a time.
//!
//! **The lock that does not cross computers**: on sshfs, `flock` is granted to every host, so two
//! computers started as one priest would both sit, each voting from his own memory of one ledger,
//! and break B1 and his promises between them (§1.3: one priest, one ledger). The lease
//! (`ledgers/.<priest>.lease`, made with `O_EXCL` on the file server) seats him once: the second
//! host leaves with exit 4, naming the host and pid that sit; his ledger holds one sitting's rows.
//! When the sitting host dies (`kill -9`), the priest started again on the other host (its own
//! pid namespace, as on another computer) watches the lease stand unchanged for 6 s, then sits.
//! `parliament status` on the server, where none of the hosts' locks reach, names the pid that
//! sits (from the lease, judged by its renewal time, since the pid means nothing there).
//!
//! **God on a folder that goes away**: `parliament convene --stay --processes` on one host whose
//! link to the file server is cut for 8 s, long enough for sshfs to answer `EIO`. God must not
//! end: he says he cannot reach the folder, brings back the priests who leave (exit 5) after
//! pauses that grow while they keep leaving, says when the folder answers again, and the
//! Chamber passes a petition made during the cut; every petition passes once into every ledger
//! and the audit of the server's folder is clean (§1.3: priests leave and return with only
//! their ledgers).
//!
//! Root only (namespaces, mounts); skipped with a message otherwise.

mod netns;

use std::process::Command;
use std::time::{Duration, Instant};

use netns::{PRIESTS, Rig, cannot_run, decrees_per_ledger, in_every_ledger, ns_pid, wait_for};
use parliament::books::ledger_read::read_ledger;
use parliament::books::statute::discover_roll;
use parliament::priest::Record;

/// The ballots Dwork tried, in his ledger's order.
fn tried(rig: &Rig) -> Vec<parliament::priest::BallotNumber> {
    let srv = rig.srv();
    let roll = discover_roll(&srv).unwrap().unwrap();
    let read = read_ledger(&srv.join("ledgers/Dwork.csv"), &roll).unwrap();
    read.rows
        .iter()
        .filter_map(|(_, r)| match r.record {
            Record::Tried { ballot } => Some(ballot),
            _ => None,
        })
        .collect()
}

/// Both of Dwork's and Lynch's ledgers hold every text once.
fn passed_once(rig: &Rig, texts: &[String]) -> bool {
    decrees_per_ledger(&rig.srv(), texts)[..2].iter().all(|l| l.iter().all(|n| *n == 1))
}

/// The rig with a Chamber laid out on its server, and when the test began; None (said) where the
/// network test cannot run.
fn laid_out_rig() -> Option<(Instant, Rig)> {
    if let Some(why) = cannot_run() {
        eprintln!("skipped: the network test needs {why}");
        return None;
    }
    let started = Instant::now();
    let rig = Rig::new();
    let names: Vec<String> = PRIESTS.map(String::from).to_vec();
    parliament::chamber::god::lay_out(&rig.srv(), &names, true).unwrap();
    Some((started, rig))
}

#[test]
fn two_hosts_started_as_one_priest_seat_him_once() {
    let Some((started, mut rig)) = laid_out_rig() else { return };
    // Dwork on host 0 and on host 1 at once; Lynch on host 2 makes a majority set with him.
    let a = rig.start_host_as(0, "Dwork", "dwork0.err");
    let b = rig.start_host_as(1, "Dwork", "dwork1.err");
    rig.start_host_as(2, "Lynch", "lynch2.err");

    // Exactly one of the two leaves, with exit 4, naming the other's host and pid.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (out, sits) = loop {
        if let Some(status) = rig.hosts[a].try_wait().unwrap() {
            break ((0, a, status), 1);
        }
        if let Some(status) = rig.hosts[b].try_wait().unwrap() {
            break ((1, b, status), 0);
        }
        assert!(Instant::now() < deadline, "neither Dwork left: both sit\n{}", rig.stderr());
        std::thread::sleep(Duration::from_millis(20));
    };
    let ((host_out, _, status), host_in) = (out, sits);
    let said = std::fs::read_to_string(rig.root.path().join(format!("dwork{host_out}.err"))).unwrap();
    assert_eq!(status.code(), Some(4), "the second Dwork exits 4 (already sitting): {said}");
    let pids = rig.priest_pids(host_in);
    assert_eq!(pids.len(), 1, "one Dwork on host {host_in}");
    assert!(
        said.contains("Dwork already sits")
            && said.contains(&format!("pid {}, on host host{host_in}", ns_pid(pids[0]))),
        "he is told who sits (pid {} on host{host_in}): {said}",
        ns_pid(pids[0])
    );

    // `parliament status` on the server, where no lock of the hosts' reaches, tells who sits.
    let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(["status", "--json", "--dir"])
        .arg(rig.srv())
        .output()
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dwork = &status["priests"][0];
    assert_eq!(
        (dwork["priest"].as_str(), dwork["state"].as_str()),
        (Some("Dwork"), Some("sits")),
        "{status}"
    );
    assert_eq!(
        dwork["pid"].as_u64(),
        Some(ns_pid(pids[0]) as u64),
        "status names the pid that sits: {status}"
    );

    // The one who sits works: petitions pass into his ledger and Lynch's, once each.
    let texts: Vec<String> = (1..=4).map(|n| format!("Guarded petition {n}")).collect();
    for (n, text) in texts.iter().enumerate() {
        rig.petition(text, ["Dwork", "Lynch"][n % 2]);
    }
    wait_for(&rig, 20, "four petitions in Dwork's and Lynch's ledgers", || passed_once(&rig, &texts));
    let b1 = tried(&rig);
    assert!(b1.windows(2).all(|w| w[0] < w[1]), "one sitting's ballots, each above the last: {b1:?}");

    // His host dies with him (kill -9); Dwork started on the other host (another pid namespace:
    // he cannot tell the old pid is gone) watches the lease stand unchanged, then sits.
    for pid in rig.priest_pids(host_in) {
        // SAFETY: kill(2) on a priest process this rig started, found by its namespace.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let back = Instant::now();
    rig.start_host_as(host_out, "Dwork", "dwork-back.err");
    let more: Vec<String> = (5..=6).map(|n| format!("Guarded petition {n}")).collect();
    for text in &more {
        rig.petition(text, "Dwork");
    }
    wait_for(&rig, 20, "Dwork, back on the other host, passes two more", || passed_once(&rig, &more));
    let back = back.elapsed();
    let b1 = tried(&rig);
    assert!(b1.windows(2).all(|w| w[0] < w[1]), "each ballot above the last across both sittings: {b1:?}");
    let said = std::fs::read_to_string(rig.root.path().join("dwork-back.err")).unwrap();
    assert!(!said.contains("already sits"), "a priest back from a crash is not turned away: {said}");
    assert!(back >= parliament::chamber::lease::STALE, "the lease was watched before it was taken: {back:?}");
    eprintln!(
        "two hosts as one priest: one sat; back on the other host in {back:?}; whole test {:?}",
        started.elapsed()
    );
}

#[test]
fn god_outlasts_an_eight_second_cut_and_brings_his_priests_back() {
    let Some((started, mut rig)) = laid_out_rig() else { return };
    let body = format!(
        "{exe} convene --dir {mount} --stay --processes --quiet",
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
