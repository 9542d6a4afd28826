//! The lease's rules, on a local folder: a renewed lease turns a claimant away naming its
//! holder; a lease from a process gone from this machine is taken at once; one from another
//! machine after it stood unchanged; a holder taken over learns it at his next renewal.

use super::*;

fn chamber() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("ledgers")).unwrap();
    dir
}

/// A lease as another process would have left it.
fn left(dir: &Path, name: &str, pid: u32, machine: &str) {
    let h = Holder {
        host: "elsewhere".into(),
        pid,
        machine: machine.into(),
        since: now(),
        renewed: now(),
        count: 3,
    };
    fs::write(lease_path(dir, name), h.line()).unwrap();
}

/// The pid of a process that has ended (and was reaped).
fn gone_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn a_renewed_lease_turns_a_second_claimant_away_naming_its_holder() {
    let dir = chamber();
    let mut first = take(dir.path(), "Oki", STALE).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let renewing = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                first.renew().unwrap();
                std::thread::sleep(Duration::from_millis(100));
            }
            first
        })
    };
    let started = Instant::now();
    let e = take(dir.path(), "Oki", Duration::from_secs(30)).unwrap_err();
    let LeaseError::Held(holder) = e else { panic!("{e:?}") };
    assert!(holder.starts_with(&format!("pid {}, on host {}", std::process::id(), host_name())), "{holder}");
    assert!(started.elapsed() < Duration::from_secs(5), "refused as soon as a renewal is seen");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let first = renewing.join().unwrap();
    assert!(holder_of(dir.path(), "Oki").is_some());
    drop(first);
    assert!(!lease_path(dir.path(), "Oki").exists(), "giving up the sitting removes the lease");
    assert!(holder_of(dir.path(), "Oki").is_none());
}

fn holder_of(dir: &Path, name: &str) -> Option<String> {
    holder(dir, name)
}

#[test]
fn a_lease_left_by_a_process_gone_from_this_machine_is_taken_at_once() {
    let dir = chamber();
    left(dir.path(), "Oki", gone_pid(), &machine());
    assert!(holder_of(dir.path(), "Oki").is_none(), "nobody sits: his process is gone");
    let started = Instant::now();
    let lease = take(dir.path(), "Oki", Duration::from_secs(60)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "a priest back from a crash is not kept out");
    assert_eq!(lease.me.pid, std::process::id());
}

#[test]
fn a_lease_from_another_machine_is_taken_over_only_after_it_stood_unchanged() {
    let dir = chamber();
    left(dir.path(), "Oki", 1, "another-boot/4026531836");
    assert!(holder_of(dir.path(), "Oki").is_some_and(|h| h.contains("on host elsewhere")));
    let stale = Duration::from_millis(400);
    let started = Instant::now();
    let lease = take(dir.path(), "Oki", stale).unwrap();
    assert!(started.elapsed() >= stale, "watched for {stale:?} first: {:?}", started.elapsed());
    let text = fs::read_to_string(lease_path(dir.path(), "Oki")).unwrap();
    assert!(Holder::parse(&text).is_some_and(|h| h.same_sitting(&lease.me)), "{text}");
    let leftovers: Vec<_> =
        fs::read_dir(dir.path().join("ledgers")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "the stale lease moved aside is removed: {leftovers:?}");
}

#[test]
fn a_holder_taken_over_learns_it_at_his_next_renewal() {
    let dir = chamber();
    let mut lease = take(dir.path(), "Oki", STALE).unwrap();
    lease.renew().unwrap();
    // Another computer judged him stale (he was paused) and took over.
    let taken = lease_path(dir.path(), "Oki").with_extension("new");
    let other = Holder { host: "elsewhere".into(), pid: 77, ..lease.me.clone() };
    fs::write(&taken, other.line()).unwrap();
    fs::rename(&taken, lease_path(dir.path(), "Oki")).unwrap();
    let e = lease.renew().unwrap_err();
    assert!(matches!(&e, LeaseError::Held(h) if h.contains("pid 77, on host elsewhere")), "{e:?}");
    drop(lease);
    assert!(lease_path(dir.path(), "Oki").exists(), "a holder never removes a lease that is not his");
}

#[test]
fn a_lease_renewed_just_before_the_takeover_is_put_back() {
    let dir = chamber();
    left(dir.path(), "Oki", 1, "another-boot/1");
    let path = lease_path(dir.path(), "Oki");
    let judged = fs::read_to_string(&path).unwrap();
    // Renewed between the claimant's last look and his rename.
    let renewed = judged.replace("count=000000000003", "count=000000000004");
    fs::write(&path, &renewed).unwrap();
    let e = take_over(&path, &judged).unwrap_err();
    assert!(matches!(&e, LeaseError::Held(h) if h.contains("on host elsewhere")), "{e:?}");
    assert_eq!(fs::read_to_string(&path).unwrap(), renewed, "put back as it was");
}

#[test]
fn a_holder_whose_lease_was_deleted_makes_it_again() {
    let dir = chamber();
    let mut lease = take(dir.path(), "Oki", STALE).unwrap();
    fs::remove_file(lease_path(dir.path(), "Oki")).unwrap();
    lease.renew().unwrap();
    let text = fs::read_to_string(lease_path(dir.path(), "Oki")).unwrap();
    assert!(Holder::parse(&text).is_some_and(|h| h.same_sitting(&lease.me)), "{text}");
    lease.renew().unwrap();
    assert!(fs::read_to_string(lease_path(dir.path(), "Oki")).unwrap().contains("count=000000000002"));
}

/// A priest thread of God's that left on `EIO` could not remove his lease (the folder was out of
/// reach); entering again in the same process, he must not wait for his own lease to go stale.
#[test]
fn a_lease_this_process_left_behind_is_taken_at_once() {
    let dir = chamber();
    let lease = take(dir.path(), "Oki", STALE).unwrap();
    let text = fs::read_to_string(lease_path(dir.path(), "Oki")).unwrap();
    drop(lease);
    fs::write(lease_path(dir.path(), "Oki"), &text).unwrap(); // as if the drop could not remove it
    let started = Instant::now();
    let _again = take(dir.path(), "Oki", Duration::from_secs(60)).unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "taken at once: {:?}", started.elapsed());
}

/// God's priests share his pid and may sit down in the same millisecond: one leaving must not
/// make another's lease look left behind (then `status` says nobody sits as him, and a second
/// process takes his lease at once).
#[test]
fn one_of_gods_priests_leaving_leaves_another_sat_down_in_the_same_millisecond_sitting() {
    let dir = chamber();
    let since = now();
    let oki = take_since(dir.path(), "Oki", STALE, &since).unwrap();
    let _lynch = take_since(dir.path(), "Lynch", STALE, &since).unwrap();
    drop(oki);
    assert!(holder_of(dir.path(), "Lynch").is_some(), "Lynch still sits");
    let started = Instant::now();
    let _second = take(dir.path(), "Lynch", Duration::from_millis(300));
    assert!(started.elapsed() >= Duration::from_millis(300), "taken only after it stood unchanged");
}
