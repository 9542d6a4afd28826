//! One priest, one sitting, across computers: the lease `ledgers/.<priest>.lease`. B1 and every
//! promise hold only if one process at a time is a given priest (§1.3: a priest is one man with
//! one ledger). The `flock` of [`super::sitting`] stops a second process on the same computer,
//! and on NFS (which forwards locks), but sshfs keeps locks on each computer: two computers both
//! get it. So a sitting priest also holds a lease, a file made with `O_CREAT | O_EXCL`, which
//! SFTP and NFSv3+ carry to the file server, where it is atomic: of two computers creating it,
//! one gets it. It names the holder (host, pid, his machine's boot id and pid namespace) and a
//! renewal count the holder bumps every second ([`RENEW`]) while he sits.
//!
//! A claimant who finds a lease already there takes it over only when it is stale:
//! - made on this very machine (same boot id and pid namespace) by a process that is gone: at
//!   once, so a priest back from a crash (`kill -9`, God bringing him back) is never kept out;
//! - otherwise when its content has not changed for [`STALE`] on the claimant's own clock (no
//!   clocks are compared across computers). A renewal seen meanwhile means someone sits: the
//!   claimant is refused, told who (exit 4).
//!
//! Takeover renames the stale lease aside (only one rename of a path succeeds on the server),
//! checks that what it moved is what it judged stale, and creates a lease of its own with
//! `O_EXCL` again. A holder renews by rewriting his own handle in place and reading the path back:
//! a lease replaced under him means someone took over, and he leaves before relaying anything
//! more; a lease gone he makes again with `O_EXCL`, racing any claimant fairly. The ledger's length check ([`super::ledger_file`]) stands behind all this.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::books::layout::lease_path;

/// How often a sitting priest renews his lease.
pub const RENEW: Duration = Duration::from_secs(1);
/// How long a lease from another machine must stand unchanged before it is taken over: longer
/// than a partition a sync survives without `EIO` (sshfs with `ServerAliveInterval=1,
/// ServerAliveCountMax=3` gives up after about 4 s).
pub const STALE: Duration = Duration::from_secs(6);
/// A holder who has not renewed for this long renews (and checks he still holds the lease)
/// before his messenger relays anything.
pub const OVERDUE: Duration = Duration::from_secs(2);

/// Who holds a lease, as its file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    /// The host name of his computer.
    pub host: String,
    /// His process id.
    pub pid: u32,
    /// His machine's boot id and pid namespace: the same on the same kernel.
    pub machine: String,
    /// When he sat down (his clock).
    pub since: String,
    /// When he last renewed (his clock), and how many times.
    pub renewed: String,
    pub count: u64,
}

impl Holder {
    fn me(count: u64, since: &str) -> Holder {
        Holder {
            host: host_name(),
            pid: std::process::id(),
            machine: machine(),
            since: since.to_string(),
            renewed: now(),
            count,
        }
    }

    fn line(&self) -> String {
        format!(
            "pid={} host={} machine={} since={} renewed={} count={:012}\n",
            self.pid, self.host, self.machine, self.since, self.renewed, self.count
        )
    }

    fn parse(text: &str) -> Option<Holder> {
        let field = |key: &str| {
            text.split_whitespace().find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')).map(str::to_string)
        };
        Some(Holder {
            pid: field("pid")?.parse().ok()?,
            host: field("host")?,
            machine: field("machine")?,
            since: field("since")?,
            renewed: field("renewed")?,
            count: field("count")?.parse().ok()?,
        })
    }

    /// The same sitting (renewals aside).
    fn same_sitting(&self, other: &Holder) -> bool {
        (self.pid, &self.host, &self.machine, &self.since)
            == (other.pid, &other.host, &other.machine, &other.since)
    }

    /// Whether he sat on this machine and his process is gone, or it is this very process and the
    /// sitting ended (a priest thread of God's back after `EIO`): his lease (at `path`) is stale
    /// at once.
    fn gone_from_here(&self, path: &Path) -> bool {
        if self.machine != machine() {
            return false;
        }
        if self.pid == std::process::id() {
            let held = HELD_HERE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            return !held.iter().any(|(p, h)| p == path && h.same_sitting(self));
        }
        !process_alive(self.pid)
    }

    /// How a person is told who sits: starts `pid N,` as the `flock`'s holder does.
    pub fn describe(&self) -> String {
        let ago = chrono::DateTime::parse_from_rfc3339(&self.renewed)
            .map(|t| (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0);
        let ago = ago.map_or(String::new(), |s| format!(", renewed {s:.1} s ago by this clock"));
        format!("pid {}, on host {}, sitting since {}{ago}", self.pid, self.host, self.since)
    }
}

/// The leases this process holds now, by path: God's priests share his pid and may sit down in
/// the same millisecond, so a holder alone does not tell one of his leases from another.
static HELD_HERE: std::sync::Mutex<Vec<(PathBuf, Holder)>> = std::sync::Mutex::new(Vec::new());

/// A lease held by this process; dropping it gives it up.
#[derive(Debug)]
pub struct Lease {
    path: PathBuf,
    file: File,
    me: Holder,
    renewed: Instant,
}

/// Why a lease could not be had or kept.
#[derive(Debug)]
pub enum LeaseError {
    /// Someone else holds it (what his lease says).
    Held(String),
    /// The file could not be made, read or written.
    Io(io::Error),
}

impl From<io::Error> for LeaseError {
    fn from(e: io::Error) -> Self {
        LeaseError::Io(e)
    }
}

/// Takes the lease of priest `name` in `dir`, waiting up to `stale` (see [`STALE`]) to judge
/// a lease someone else left there.
pub fn take(dir: &Path, name: &str, stale: Duration) -> Result<Lease, LeaseError> {
    take_since(dir, name, stale, &now())
}

/// [`take`], saying he sat down at `since`.
fn take_since(dir: &Path, name: &str, stale: Duration, since: &str) -> Result<Lease, LeaseError> {
    let path = lease_path(dir, name);
    loop {
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(file) => {
                let me = Holder::me(0, since);
                file.write_all_at(me.line().as_bytes(), 0)?;
                file.sync_data()?;
                HELD_HERE
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((path.clone(), me.clone()));
                return Ok(Lease { path, file, me, renewed: Instant::now() });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
        let Some(seen) = read(&path)? else { continue };
        if Holder::parse(&seen).is_some_and(|h| h.gone_from_here(&path)) {
            take_over(&path, &seen)?;
            continue;
        }
        // Watch it: a renewal means someone sits; no change for `stale` means nobody does.
        let watching = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(50));
            match read(&path)? {
                None => break,
                Some(now) if now != seen => return Err(held(&now)),
                Some(_) if watching.elapsed() >= stale => {
                    take_over(&path, &seen)?;
                    break;
                }
                Some(_) => {}
            }
        }
    }
}

fn held(text: &str) -> LeaseError {
    LeaseError::Held(
        Holder::parse(text)
            .map_or_else(|| format!("a process whose lease says {:?}", text.trim()), |h| h.describe()),
    )
}

/// Moves a stale lease aside, if it is still the one judged stale; puts back one renewed meanwhile.
fn take_over(path: &Path, judged: &str) -> Result<(), LeaseError> {
    let aside = path.with_extension(format!("stale-{}-{}", host_name(), std::process::id()));
    match fs::rename(path, &aside) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        r => r?,
    }
    let moved = read(&aside)?.unwrap_or_default();
    if moved != judged {
        // Renewed between the last look and the rename: its holder sits. Put it back (a link
        // never replaces a lease someone made meanwhile); he notices if it could not be.
        let _ = fs::hard_link(&aside, path);
        let _ = fs::remove_file(&aside);
        return Err(held(&moved));
    }
    fs::remove_file(&aside)?;
    Ok(())
}

impl Lease {
    /// Renews the lease if [`RENEW`] has passed, and checks it is still his.
    pub fn renew_if_due(&mut self) -> Result<(), LeaseError> {
        if self.renewed.elapsed() >= RENEW { self.renew() } else { Ok(()) }
    }

    /// Renews the lease if it is [`OVERDUE`]: called before anything is relayed.
    pub fn renew_if_overdue(&mut self) -> Result<(), LeaseError> {
        if self.renewed.elapsed() >= OVERDUE { self.renew() } else { Ok(()) }
    }

    /// Bumps the renewal count in place, then reads the path back: someone else's lease there
    /// means he was taken over; none, that he makes it again ([`Lease::make_again`]).
    pub fn renew(&mut self) -> Result<(), LeaseError> {
        let next = Holder::me(self.me.count + 1, &self.me.since);
        self.file.write_all_at(next.line().as_bytes(), 0)?;
        self.renewed = Instant::now();
        self.me = next;
        match read(&self.path)? {
            Some(text) if Holder::parse(&text).is_some_and(|h| h.same_sitting(&self.me)) => Ok(()),
            Some(text) => Err(held(&text)),
            None => self.make_again(),
        }
    }

    /// His lease is gone (deleted by hand, or moved aside by a claimant who judged it stale):
    /// he makes it again with `O_EXCL`, so of him and a claimant exactly one holds it.
    fn make_again(&mut self) -> Result<(), LeaseError> {
        let made = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&self.path);
        match made {
            Ok(file) => {
                file.write_all_at(self.me.line().as_bytes(), 0)?;
                self.file = file;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Err(held(&read(&self.path)?.unwrap_or_default()))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        HELD_HERE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|(p, h)| !(p == &self.path && h.same_sitting(&self.me)));
        if read(&self.path)
            .ok()
            .flatten()
            .and_then(|t| Holder::parse(&t))
            .is_some_and(|h| h.same_sitting(&self.me))
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Who holds the lease of `name`, if anyone seems to: a lease from a process gone from this
/// machine is nobody's; another machine's lease counts if renewed within [`STALE`] by this
/// machine's clock (for telling a person only; takeover never compares clocks).
pub fn holder(dir: &Path, name: &str) -> Option<String> {
    let path = lease_path(dir, name);
    let text = read(&path).ok()??;
    let h = Holder::parse(&text)?;
    if h.gone_from_here(&path) {
        return None;
    }
    let renewed = chrono::DateTime::parse_from_rfc3339(&h.renewed).ok()?;
    let age = chrono::Utc::now() - renewed.with_timezone(&chrono::Utc);
    (h.machine == machine() || age.num_milliseconds() < STALE.as_millis() as i64).then(|| h.describe())
}

/// The lease's text, read through a fresh handle (a network mount's cache is checked on open).
fn read(path: &Path) -> io::Result<Option<String>> {
    let mut text = String::new();
    match File::open(path) {
        Ok(mut f) => f.read_to_string(&mut text).map(|_| Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The lease's name relative to the Chamber, for messages to people.
pub fn lease_file(name: &str) -> String {
    format!("{}/.{name}.lease", crate::books::layout::LEDGERS)
}

/// This computer's host name.
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname(2) writes at most `buf.len()` bytes into a buffer we own.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|b| *b == 0).unwrap_or(0);
    let name = if ok { String::from_utf8_lossy(&buf[..end]).into_owned() } else { String::new() };
    let name: String = name.chars().filter(|c| !c.is_whitespace() && *c != '=').collect();
    if name.is_empty() { "unnamed".to_string() } else { name }
}

/// This kernel's boot and this process's pid namespace: pids mean the same where this matches.
fn machine() -> String {
    let boot = fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    let ns = fs::read_link("/proc/self/ns/pid").map(|p| p.display().to_string()).unwrap_or_default();
    let ns = ns.trim_start_matches("pid:[").trim_end_matches(']');
    format!("{}/{ns}", boot.trim())
}

/// Whether process `pid` is alive (a zombie is not).
fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit_once(") ").is_none_or(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

#[cfg(test)]
#[path = "lease_tests.rs"]
mod tests;
