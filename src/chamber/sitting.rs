//! One priest, one sitting. B1 and every promise hold only if one process at a time is a given
//! priest: two processes sitting as Oki would each try ballots and vote from their own memory of
//! his ledger, and break his promises between them. So a priest holds `ledgers/.<priest>.sitting`
//! (an `flock`, on a file people do not edit) for as long as he sits; a second process claiming
//! him is refused at once, and told which process holds him. The kernel drops the lock when the
//! holder dies, however he dies, so a priest killed with SIGKILL never blocks his return.
//!
//! `flock` does not cross computers on sshfs, so a sitting also holds a lease
//! (`ledgers/.<priest>.lease`, [`super::lease`]), made with `O_EXCL` on the file server and
//! renewed while he sits: the lock answers at once on one computer, the lease across them.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::Path;

use super::lease::{self, Lease, LeaseError};
use crate::books::layout::sitting_path;

/// The lock and lease of a sitting priest; dropping them ends the sitting.
#[derive(Debug)]
pub struct Sitting {
    name: String,
    lease: Lease,
    _file: File,
}

impl Sitting {
    /// Renews his lease once a second ([`lease::RENEW`]); an error if it was taken from him.
    pub fn renew_if_due(&mut self) -> Result<(), ClaimError> {
        let r = self.lease.renew_if_due();
        r.map_err(|e| self.lost(e))
    }

    /// Renews his lease if he has not for a while ([`lease::OVERDUE`]): before relaying.
    pub fn renew_if_overdue(&mut self) -> Result<(), ClaimError> {
        let r = self.lease.renew_if_overdue();
        r.map_err(|e| self.lost(e))
    }

    fn lost(&self, e: LeaseError) -> ClaimError {
        lease_error(&self.name, e, lease::lease_file(&self.name))
    }
}

/// His ledger, with his lease checked before anything a sync allows is relayed: a priest who
/// could not renew for a while (a partition, a pause) makes sure nobody took him over first.
pub struct Guarded<'a> {
    /// His ledger.
    pub ledger: &'a mut super::ledger_file::LedgerFile,
    /// His sitting.
    pub sitting: &'a mut Sitting,
}

impl crate::priest::LedgerBook for Guarded<'_> {
    type Error = io::Error;
    fn append(&mut self, records: &[crate::priest::Record]) -> io::Result<()> {
        self.ledger.append(records)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.ledger.sync()?;
        self.sitting.renew_if_overdue().map_err(claim_io)
    }
    fn spare_sync(&mut self) -> io::Result<()> {
        self.ledger.spare_sync()?;
        self.sitting.renew_if_overdue().map_err(claim_io)
    }
}

/// A claim error carried through a ledger's `io::Error` (the folder's own errors stay as they are).
fn claim_io(e: ClaimError) -> io::Error {
    match e {
        ClaimError::Io { source, .. } => source,
        e => io::Error::other(e),
    }
}

/// The sitting lost while he sat, if that is what a ledger error says.
pub fn taken_from_him(e: &mut io::Error) -> Option<ClaimError> {
    if !e.get_ref().is_some_and(|i| i.is::<ClaimError>()) {
        return None;
    }
    let inner = std::mem::replace(e, io::Error::other("taken")).into_inner()?;
    inner.downcast::<ClaimError>().ok().map(|b| *b)
}

fn lease_error(name: &str, e: LeaseError, path: String) -> ClaimError {
    match e {
        LeaseError::Held(holder) => ClaimError::Held { name: name.to_string(), holder },
        LeaseError::Io(source) => ClaimError::Io { path, source },
    }
}

/// Why a priest could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Another process sits as him.
    #[error(
        "{name} already sits in another process ({holder}); a priest sits once at a time, so stop that process first, or leave {name} to it"
    )]
    Held { name: String, holder: String },
    /// The lock file could not be opened.
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

/// Claims priest `name` of the Chamber in `dir` for this process, for as long as the returned
/// [`Sitting`] lives.
pub fn claim(dir: &Path, name: &str) -> Result<Sitting, ClaimError> {
    let path = sitting_path(dir, name);
    let mut file = lock(dir, name)?;
    let io_error = |source| ClaimError::Io { path: path.display().to_string(), source };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let me = format!("pid {}, on host {}, sitting since {at}\n", std::process::id(), lease::host_name());
    // The lock file says who holds it; it is not a ledger, so rewriting it is fine.
    file.set_len(0).and_then(|()| file.write_all(me.as_bytes())).map_err(io_error)?;
    let lease =
        lease::take(dir, name, lease::STALE).map_err(|e| lease_error(name, e, lease::lease_file(name)))?;
    Ok(Sitting { name: name.to_string(), lease, _file: file })
}

/// Takes the lock of priest `name`, writing nothing; refused if another process holds it.
fn lock(dir: &Path, name: &str) -> Result<File, ClaimError> {
    let path = sitting_path(dir, name);
    let io_error = |source| ClaimError::Io { path: path.display().to_string(), source };
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)
        .map_err(io_error)?;
    // SAFETY: flock(2) on a descriptor we own; no memory is involved.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(io_error(e));
        }
        let holder = fs::read_to_string(&path).unwrap_or_default();
        let holder = holder.trim();
        let holder = if holder.is_empty() {
            "a process that has not said which".to_string()
        } else {
            holder.to_string()
        };
        return Err(ClaimError::Held { name: name.to_string(), holder });
    }
    Ok(file)
}

/// Whether some process sits as `name` now (without claiming him): the holder, if so. The
/// kernel's list of locks answers for this computer; the lease for another one.
///
/// Asking never takes the lock, not even for a moment: a priest claiming his place at that very
/// moment (God seating a name `parliament admit` has just given a place, while `admit` asks who
/// sits) would be turned away as "already sitting", and gone for good. Only where the list
/// cannot be read (not Linux) is the lock tried.
pub fn held_by(dir: &Path, name: &str) -> Option<String> {
    let path = sitting_path(dir, name);
    let Some(locks) = flocks() else {
        return match lock(dir, name) {
            Err(ClaimError::Held { holder, .. }) => Some(holder),
            _ => lease::holder(dir, name),
        };
    };
    match flock_pid(&path, &locks) {
        Some(pid) => {
            let said = fs::read_to_string(&path).unwrap_or_default();
            let said = said.trim();
            Some(if said.is_empty() {
                format!("pid {pid}, which has not yet said more")
            } else {
                said.to_string()
            })
        }
        None => lease::holder(dir, name),
    }
}

/// Every `flock` held on this computer: the locked file's device (major, minor) and inode, to
/// the pid holding it, from the kernel's list (`/proc/locks`); None where that list cannot be
/// read (not Linux).
pub fn flocks() -> Option<BTreeMap<(u32, u32, u64), u32>> {
    let locks = read_at_once("/proc/locks")?;
    let mut held = BTreeMap::new();
    for line in locks.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        // "1: FLOCK  ADVISORY  WRITE 10023 fe:00:5440479 0 EOF"; "1: -> FLOCK ..." waits for one.
        if f.get(1) != Some(&"FLOCK") {
            continue;
        }
        let (Some(pid), Some(id)) = (f.get(4).and_then(|p| p.parse::<u32>().ok()), f.get(5)) else {
            continue;
        };
        let mut parts = id.split(':');
        let (Some(major), Some(minor), Some(ino)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(major), Ok(minor), Ok(ino)) =
            (u32::from_str_radix(major, 16), u32::from_str_radix(minor, 16), ino.parse::<u64>())
        else {
            continue;
        };
        held.insert((major, minor, ino), pid);
    }
    Some(held)
}

/// A file of the kernel's, read in reads as large as it gives: each read of such a list is one
/// look at it, and a lock released between two small reads shifts the rest, so that a lock still
/// held is skipped (`read_to_string` begins with a read of 32 bytes).
fn read_at_once(path: &str) -> Option<String> {
    let mut file = File::open(path).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize(2 * len, 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(String::from_utf8_lossy(&buf[..len]).into_owned())
}

/// The pid holding an `flock` on `path`, in `locks` (from [`flocks`]).
pub fn flock_pid(path: &Path, locks: &BTreeMap<(u32, u32, u64), u32>) -> Option<u32> {
    let meta = fs::metadata(path).ok()?;
    locks.get(&(libc::major(meta.dev()), libc::minor(meta.dev()), meta.ino())).copied()
}

/// The pid of the process sitting as a priest, `holder` as [`held_by`] tells it, if it runs on
/// this computer and the kernel shows it stopped (`kill -STOP`: state `T` in `/proc/PID/stat`).
/// Such a priest holds his lock, so he sits, yet answers nothing until `kill -CONT PID`. A holder
/// on another computer is never looked up here: his pid is not this computer's.
pub fn stopped(holder: &str) -> Option<u32> {
    let (pid, rest) = holder.strip_prefix("pid ")?.split_once(", on host ")?;
    if rest.split(',').next()? != lease::host_name() {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so read after the last ')'.
    let state = stat[stat.rfind(')')? + 1..].trim_start().chars().next()?;
    (state == 'T').then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_is_refused_and_names_the_holder_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("ledgers")).unwrap();
        let first = claim(dir.path(), "Oki").unwrap();
        let e = claim(dir.path(), "Oki").unwrap_err();
        let pid = format!("pid {}", std::process::id());
        assert!(matches!(&e, ClaimError::Held { holder, .. } if holder.contains(&pid)), "{e}");
        assert!(held_by(dir.path(), "Oki").is_some());
        assert!(claim(dir.path(), "Lynch").is_ok(), "another priest is another lock");
        drop(first);
        assert!(claim(dir.path(), "Oki").is_ok(), "the sitting ended with its lock");
    }

    /// The CI failure of 2026-12-02: `parliament admit` asked who sits (taking the lock for a
    /// moment) while God claimed the name it had just given a place; God's claim was refused and
    /// the new priest never sat, so his admission never reached the ledgers.
    #[test]
    fn asking_who_sits_never_turns_a_priest_away() {
        use std::sync::atomic::{AtomicBool, Ordering};
        /// Tells the asking thread to stop however the claims end, a failed assert too: the
        /// scope waits for it, and a test that failed must not hang (CI once waited 90 minutes).
        struct Done<'a>(&'a AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("ledgers")).unwrap();
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    let _ = held_by(dir.path(), "Strong");
                }
            });
            let _done = Done(&done);
            let me = format!("pid {},", std::process::id());
            for i in 0..2_000 {
                let claimed = claim(dir.path(), "Strong");
                if let Err(e) = &claimed {
                    panic!("claim {i} refused while another thread only asked who sits: {e}");
                }
                let holder = held_by(dir.path(), "Strong");
                assert!(holder.as_ref().is_some_and(|h| h.starts_with(&me)), "claim {i}: {holder:?}");
            }
        });
    }

    #[test]
    fn a_stopped_holder_on_this_computer_is_told_stopped_and_one_elsewhere_is_not_looked_up() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        let holder = |host: &str| format!("pid {pid}, on host {host}, sitting since 2026-12-02T00:00:00Z");
        let here = holder(&lease::host_name());
        assert_eq!(stopped(&here), None, "a running process is not stopped");
        // SAFETY: kill(2) on the child we spawned and still own.
        assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGSTOP) }, 0);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while stopped(&here).is_none() && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(stopped(&here), Some(pid), "SIGSTOP shows as state T");
        assert_eq!(stopped(&holder("another-host")), None, "another computer's pid is not ours");
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(stopped(&here), None, "a process gone is not stopped");
    }
}
