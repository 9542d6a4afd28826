//! The rig of the network tests: a file server and three client "hosts" made of network
//! namespaces on this one machine (veth pairs, private addresses inside the namespaces only: no
//! traffic leaves the machine), sshd serving the Chamber's folder in the server's namespace, and
//! sshfs mounting it in each host's own mount namespace with `dir_cache=no,attr_timeout=0,
//! entry_timeout=0`. One `parliament priest` runs per host, brought back by a small shell loop
//! when he leaves because the folder could not be reached (exit 5), as a person would.
//!
//! Root only (namespaces, mounts): [`cannot_run`] says why not, or when `ip`, `sshd` or `sshfs`
//! is missing (unless `CI=true`: `.ci/run` installs them). Everything is torn down afterwards,
//! even on failure ([`Rig`]'s `Drop`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use parliament::books::ledger_read::read_ledger;
use parliament::books::statute::discover_roll;
use parliament::priest::{Decree, Record};

pub const PRIESTS: [&str; 3] = ["Dwork", "Lynch", "Toueg"];
pub const SSHFS_OPTIONS: &str = "dir_cache=no,attr_timeout=0,entry_timeout=0";

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Why the rig cannot be built here, if it cannot.
pub fn cannot_run() -> Option<String> {
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

pub fn run(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().expect("runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The server, three hosts, and what runs in them; all of it removed on drop.
pub struct Rig {
    tag: String,
    pub root: tempfile::TempDir,
    namespaces: Vec<String>,
    pub hosts: Vec<Child>,
    /// One rig at a time in a test binary: the machine has few cores, and the namespaces' names
    /// share the process id.
    _alone: std::sync::MutexGuard<'static, ()>,
}

static ONE_RIG: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Rig {
    pub fn server_ns(&self) -> String {
        format!("{}s", self.tag)
    }
    pub fn host_ns(&self, i: usize) -> String {
        format!("{}h{i}", self.tag)
    }
    /// The host's end of its link to the server.
    pub fn host_if(&self, i: usize) -> String {
        format!("{}v{i}h", self.tag)
    }
    pub fn srv(&self) -> PathBuf {
        self.root.path().join("srv")
    }
    pub fn mount(&self, i: usize) -> PathBuf {
        self.root.path().join(format!("host{i}"))
    }

    pub fn new() -> Rig {
        let alone = ONE_RIG.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tag = format!("pl{}", std::process::id() % 100_000);
        let root = tempfile::Builder::new().prefix("parliament-net").tempdir().unwrap();
        let mut rig = Rig { tag, root, namespaces: Vec::new(), hosts: Vec::new(), _alone: alone };
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

    pub fn start_sshd(&self) {
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

    /// Starts host `i`: its own mount, UTS (host name `host<i>`) and pid namespaces, so that, as
    /// on another computer, its pids mean nothing elsewhere; sshfs; and the
    /// priest in a loop that brings him back when he leaves for an unreachable folder (5) or
    /// cannot start (2).
    pub fn start_host(&mut self, i: usize) {
        self.start_host_as(i, PRIESTS[i], &format!("host{i}.err"));
    }

    /// Starts host `i` as [`Rig::start_host`] does, with priest `name`, its stderr in `err`;
    /// returns its place in [`Rig::hosts`].
    pub fn start_host_as(&mut self, i: usize, name: &str, err: &str) -> usize {
        let body = format!(
            r#"while :; do
  {exe} priest {name} --dir {mount} {poll} --quiet
  rc=$?
  echo "host {i}: {name} exited $rc" >&2
  case $rc in 2|5) sleep 0.3 ;; *) exit $rc ;; esac
done"#,
            mount = self.mount(i).display(),
            exe = env!("CARGO_BIN_EXE_parliament"),
            // The last host finds out by itself that the folder is a FUSE mount.
            poll = if i + 1 == PRIESTS.len() { "" } else { "--poll" },
        );
        self.start_host_with(i, &body, err)
    }

    /// Starts host `i` (its namespaces, host name `host<i>`, sshfs of the server's folder at
    /// [`Rig::mount`]) running the shell `body` there, its stderr in `err`; returns its place
    /// in [`Rig::hosts`].
    pub fn start_host_with(&mut self, i: usize, body: &str, err: &str) -> usize {
        let d = self.root.path();
        let mount = self.mount(i);
        std::fs::create_dir_all(&mount).unwrap();
        let script = format!(
            r#"set -u
hostname host{i}
sshfs -o IdentityFile={id},StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,LogLevel=ERROR,{SSHFS_OPTIONS},reconnect,ServerAliveInterval=1,ServerAliveCountMax=3,ConnectTimeout=2 root@10.77.{i}.1:{srv} {mount} || exit 97
{body}"#,
            id = d.join("id").display(),
            srv = self.srv().display(),
            mount = mount.display(),
        );
        let err = std::fs::File::create(d.join(err)).unwrap();
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.host_ns(i),
                "unshare",
                "--mount",
                "--uts",
                "--pid",
                "--fork",
                "--mount-proc",
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
        self.hosts.len() - 1
    }

    /// The priest processes running in host `i`'s namespace.
    pub fn priest_pids(&self, i: usize) -> Vec<i32> {
        self.pids(i, "priest")
    }

    /// The `parliament COMMAND` processes running in host `i`'s namespace (pids as this test
    /// sees them; [`ns_pid`] gives the one the process itself knows).
    pub fn pids(&self, i: usize, command: &str) -> Vec<i32> {
        let out = Command::new("ip").args(["netns", "pids", &self.host_ns(i)]).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
            .filter(|p| {
                let argv = std::fs::read(format!("/proc/{p}/cmdline")).unwrap_or_default();
                argv.split(|b| *b == 0).nth(1) == Some(command.as_bytes())
            })
            .collect()
    }

    /// Lays out the Chamber on the server and starts a priest on every host.
    pub fn sit(&mut self) {
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

    pub fn link(&self, i: usize, state: &str) {
        run(&["ip", "-n", &self.host_ns(i), "link", "set", &self.host_if(i), state]);
    }

    pub fn petition(&self, text: &str, to: &str) {
        let out = Command::new(env!("CARGO_BIN_EXE_parliament"))
            .args(["petition", text, "--to", to, "--from", "citizen", "--dir"])
            .arg(self.srv())
            .output()
            .unwrap();
        assert!(out.status.success(), "petition: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// What each host said, for a failure message.
    pub fn stderr(&self) -> String {
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

/// The pid a process knows itself by, in its host's pid namespace.
pub fn ns_pid(pid: i32) -> i32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("NSpid:")).unwrap_or_default();
    line.split_whitespace().last().and_then(|p| p.parse().ok()).unwrap_or(pid)
}

pub fn which(tool: &str) -> String {
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
pub fn decrees_per_ledger(srv: &Path, texts: &[String]) -> Vec<Vec<usize>> {
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

pub fn in_every_ledger(srv: &Path, texts: &[String]) -> bool {
    decrees_per_ledger(srv, texts).iter().all(|l| l.iter().all(|n| *n >= 1))
}

pub fn wait_for(rig: &Rig, secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {secs} s\n{}", rig.stderr());
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Reads every page of every messagebook on the server: every line must be a whole row (no
/// NUL, which voids a torn line; parsed as a messagebook row; the file ends in a newline).
/// Returns how many rows were read and the longest, in bytes.
pub fn every_row_whole(srv: &Path) -> Result<(usize, usize), String> {
    let roll = discover_roll(srv).map_err(|e| e.to_string())?.ok_or("no roll")?;
    let (mut rows, mut longest) = (0, 0);
    for to in PRIESTS {
        for page in parliament::books::layout::pages(srv, to).map_err(|e| e.to_string())? {
            let path = parliament::books::layout::page_path(srv, to, &page);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let text = String::from_utf8(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            if !text.is_empty() && !text.ends_with('\n') {
                return Err(format!("{}: ends inside a row", path.display()));
            }
            for (n, line) in text.lines().enumerate().skip(1) {
                if line.contains('\0') {
                    return Err(format!("{} line {}: a torn row (voided with NUL)", path.display(), n + 1));
                }
                parliament::books::book_rows::parse_book_row(&roll, line)
                    .map_err(|e| format!("{} line {}: {e}: {line:.120}", path.display(), n + 1))?;
                rows += 1;
                longest = longest.max(line.len() + 1);
            }
        }
    }
    Ok((rows, longest))
}
