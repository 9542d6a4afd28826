//! Priests on several computers (§1: the priests are not in one room), made on this one machine:
//! a file server and three client "hosts" from network namespaces joined by veth pairs (private
//! addresses inside the namespaces only: no traffic leaves the machine), sshd serving the
//! Chamber's folder in the server's namespace, and sshfs mounting it in each host's own mount
//! namespace with `dir_cache=no,attr_timeout=0,entry_timeout=0`. One `parliament priest NAME
//! --dir MOUNT --poll` runs per host, brought back by a small shell loop when he leaves because
//! the folder could not be reached (exit 5), as a person would. Twenty petitions pass while one
//! host is cut off for 2 s and another for 8 s; every petition must pass exactly once into every
//! ledger, and `parliament audit` of the server's folder must be clean.
//!
//! Runs as root only (namespaces, mounts); skipped with a message otherwise, or when `ip`, `sshd`
//! or `sshfs` is missing (unless `CI=true`: `.ci/run` installs them). Everything is torn down
//! afterwards, even on failure ([`Rig`]'s `Drop`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use parliament::books::ledger_read::read_ledger;
use parliament::books::statute::discover_roll;
use parliament::priest::{Decree, Record};

const PRIESTS: [&str; 3] = ["Dwork", "Lynch", "Toueg"];
const SSHFS_OPTIONS: &str = "dir_cache=no,attr_timeout=0,entry_timeout=0";

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why the rig cannot be built here, if it cannot.
fn cannot_run() -> Option<String> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root: network namespaces and mounts need root (sudo, or CI)".into());
    }
    let missing: Vec<&str> = ["ip", "sshd", "sshfs", "ssh-keygen", "unshare"]
        .into_iter()
        .filter(|t| !have(t) && !Path::new(&format!("/usr/sbin/{t}")).exists())
        .collect();
    if missing.is_empty() {
        return (!Path::new("/dev/fuse").exists())
            .then(|| "/dev/fuse, which this machine lacks (FUSE)".to_string());
    }
    let why = format!("{} missing (apt-get install openssh-server sshfs iproute2)", missing.join(", "));
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI must install what the network test needs: {why}"
    );
    Some(why)
}

fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().expect("runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The server, three hosts, and what runs in them; all of it removed on drop.
struct Rig {
    tag: String,
    root: tempfile::TempDir,
    namespaces: Vec<String>,
    hosts: Vec<Child>,
}

impl Rig {
    fn server_ns(&self) -> String {
        format!("{}s", self.tag)
    }
    fn host_ns(&self, i: usize) -> String {
        format!("{}h{i}", self.tag)
    }
    /// The host's end of its link to the server.
    fn host_if(&self, i: usize) -> String {
        format!("{}v{i}h", self.tag)
    }
    fn srv(&self) -> PathBuf {
        self.root.path().join("srv")
    }
    fn mount(&self, i: usize) -> PathBuf {
        self.root.path().join(format!("host{i}"))
    }

    fn new() -> Rig {
        let tag = format!("pl{}", std::process::id() % 100_000);
        let root = tempfile::Builder::new().prefix("parliament-net").tempdir().unwrap();
        let mut rig = Rig { tag, root, namespaces: Vec::new(), hosts: Vec::new() };
        let s = rig.server_ns();
        run(&["ip", "netns", "add", &s]);
        rig.namespaces.push(s.clone());
        run(&["ip", "-n", &s, "link", "set", "lo", "up"]);
        for i in 0..PRIESTS.len() {
            let h = rig.host_ns(i);
            run(&["ip", "netns", "add", &h]);
            rig.namespaces.push(h.clone());
            let (vs, vh) = (format!("{}v{i}s", rig.tag), rig.host_if(i));
            run(&["ip", "link", "add", &vs, "type", "veth", "peer", "name", &vh]);
            run(&["ip", "link", "set", &vs, "netns", &s]);
            run(&["ip", "link", "set", &vh, "netns", &h]);
            run(&["ip", "-n", &s, "addr", "add", &format!("10.77.{i}.1/24"), "dev", &vs]);
            run(&["ip", "-n", &s, "link", "set", &vs, "up"]);
            run(&["ip", "-n", &h, "addr", "add", &format!("10.77.{i}.2/24"), "dev", &vh]);
            run(&["ip", "-n", &h, "link", "set", &vh, "up"]);
            run(&["ip", "-n", &h, "link", "set", "lo", "up"]);
        }
        rig.start_sshd();
        rig
    }

    fn start_sshd(&self) {
        let d = self.root.path();
        std::fs::create_dir_all(self.srv()).unwrap();
        for key in ["hostkey", "id"] {
            run(&["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", d.join(key).to_str().unwrap()]);
        }
        std::fs::copy(d.join("id.pub"), d.join("authorized_keys")).unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        let config = format!(
            "Port 22\nHostKey {0}/hostkey\nAuthorizedKeysFile {0}/authorized_keys\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile none\nSubsystem sftp internal-sftp\n",
            d.display()
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        let sshd = if have("sshd") { "sshd".to_string() } else { "/usr/sbin/sshd".to_string() };
        let sshd = which(&sshd);
        let ns = self.server_ns();
        let conf = d.join("sshd_config");
        let log = d.join("sshd.log");
        run(&["ip", "netns", "exec", &ns, &sshd, "-f", conf.to_str().unwrap(), "-E", log.to_str().unwrap()]);
    }

    /// Starts host `i`: its own mount namespace, sshfs, and the priest in a loop that brings him
    /// back when he leaves for an unreachable folder (5) or cannot start (2).
    fn start_host(&mut self, i: usize) {
        let d = self.root.path();
        let mount = self.mount(i);
        std::fs::create_dir_all(&mount).unwrap();
        let script = format!(
            r#"set -u
sshfs -o IdentityFile={id},StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,LogLevel=ERROR,{SSHFS_OPTIONS},reconnect,ServerAliveInterval=1,ServerAliveCountMax=3,ConnectTimeout=2 root@10.77.{i}.1:{srv} {mount} || exit 97
while :; do
  {exe} priest {name} --dir {mount} {poll} --quiet
  rc=$?
  echo "host {i}: {name} exited $rc" >&2
  case $rc in 2|5) sleep 0.3 ;; *) exit $rc ;; esac
done"#,
            id = d.join("id").display(),
            srv = self.srv().display(),
            mount = mount.display(),
            exe = env!("CARGO_BIN_EXE_parliament"),
            name = PRIESTS[i],
            // The last host finds out by itself that the folder is a FUSE mount.
            poll = if i + 1 == PRIESTS.len() { "" } else { "--poll" },
        );
        let err = std::fs::File::create(d.join(format!("host{i}.err"))).unwrap();
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.host_ns(i),
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "bash",
                "-c",
            ])
            .arg(script)
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap();
        self.hosts.push(child);
    }

    /// The priest processes running in host `i`'s namespace.
    fn priest_pids(&self, i: usize) -> Vec<i32> {
        let out = Command::new("ip").args(["netns", "pids", &self.host_ns(i)]).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
            .filter(|p| {
                let argv = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
                argv.split(|b| *b == 0).nth(1) == Some(b"priest".as_slice())
            })
            .collect()
    }

    /// Lays out the Chamber on the server and starts a priest on every host.
    fn sit(&mut self) {
        let names: Vec<String> = PRIESTS.map(String::from).to_vec();
        parliament::chamber::god::lay_out(&self.srv(), &names, true).unwrap();
        for i in 0..PRIESTS.len() {
            self.start_host(i);
        }
        let srv = self.srv();
        wait_for(self, 15, "every priest in the Chamber", || {
            PRIESTS.iter().all(|n| srv.join("presence").join(format!("{n}.csv")).exists())
        });
    }

    fn link(&self, i: usize, state: &str) {
        run(&["ip", "-n", &self.host_ns(i), "link", "set", &self.host_if(i), state]);
    }

    fn petition(&self, text: &str, to: &str) {
        let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
            .args(["petition", text, "--to", to, "--from", "citizen", "--dir"])
            .arg(self.srv())
            .output()
            .unwrap();
        assert!(out.status.success(), "petition: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// What each host said, for a failure message.
    fn stderr(&self) -> String {
        (0..PRIESTS.len())
            .map(|i| {
                let text = std::fs::read_to_string(self.root.path().join(format!("host{i}.err")))
                    .unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(40).collect();
                format!(
                    "--- host {i} ({}):\n{}",
                    PRIESTS[i],
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .chain(PRIESTS.iter().map(|n| {
                let ledger = std::fs::read_to_string(self.srv().join("ledgers").join(format!("{n}.csv")))
                    .unwrap_or_default();
                let tail: Vec<&str> = ledger.lines().rev().take(6).collect();
                let book = std::fs::read_dir(self.srv().join("messagebooks").join(n))
                    .map(|d| {
                        d.flatten()
                            .map(|e| {
                                format!(
                                    "{}({})",
                                    e.file_name().to_string_lossy(),
                                    e.metadata().map(|m| m.len()).unwrap_or(0)
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                format!(
                    "--- ledger {n} ({} lines), last: {:?}\n    book: {book}",
                    ledger.lines().count(),
                    tail
                )
            }))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn which(tool: &str) -> String {
    if tool.starts_with('/') {
        return tool.to_string();
    }
    let out = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Drop for Rig {
    fn drop(&mut self) {
        // Every process in the namespaces (sshd, sshfs, priests, their loops), then the
        // namespaces themselves, which takes the veth pairs and the private mounts with them.
        for ns in &self.namespaces {
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    if let Ok(pid) = pid.parse::<i32>() {
                        // SAFETY: kill(2) on a process inside a namespace this rig made.
                        unsafe { libc::kill(pid, libc::SIGKILL) };
                    }
                }
            }
        }
        for child in &mut self.hosts {
            let _ = child.kill();
            let _ = child.wait();
        }
        for ns in &self.namespaces {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// For each priest's ledger (read on the server), how many decrees carry each text.
fn decrees_per_ledger(srv: &Path, texts: &[String]) -> Vec<Vec<usize>> {
    let Ok(Some(roll)) = discover_roll(srv) else { return vec![vec![0; texts.len()]; PRIESTS.len()] };
    PRIESTS
        .iter()
        .map(|name| {
            let rows = read_ledger(&srv.join("ledgers").join(format!("{name}.csv")), &roll)
                .map(|r| r.rows)
                .unwrap_or_default();
            texts
                .iter()
                .map(|t| {
                    let mut nos: Vec<u64> = rows
                        .iter()
                        .filter_map(|(_, row)| match &row.record {
                            Record::Decree { decree_no, decree: Decree::Law(p) }
                                if &*p.text == t.as_str() =>
                            {
                                Some(*decree_no)
                            }
                            _ => None,
                        })
                        .collect();
                    nos.dedup();
                    nos.len()
                })
                .collect()
        })
        .collect()
}

fn in_every_ledger(srv: &Path, texts: &[String]) -> bool {
    decrees_per_ledger(srv, texts).iter().all(|l| l.iter().all(|n| *n >= 1))
}

fn wait_for(rig: &Rig, secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s\n{}", rig.stderr());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

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

/// The README's figures across three hosts: `sudo cargo test --release --test network -- --ignored --nocapture`.
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
