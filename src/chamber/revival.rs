//! God on a folder that comes and goes (a network mount cut off, §1.3's priests who leave the
//! Chamber and return): he does not end when the folder answers `EIO`; he says so once, waits,
//! and says when it answers again. A priest who leaves is brought back after a pause that
//! doubles each time he leaves again soon ([`Backoff`]: 0.25 s, 0.5 s, 1 s, 2 s, then every
//! 4 s), so a priest who cannot reach his ledger is not restarted hundreds of times a second,
//! and one who sat a while comes back at once.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use super::runtime::{PriestSettings, Runtime, RuntimeError};
use super::unreachable::says_unreachable;
use crate::books::Roll;

/// The first pause before a priest is brought back.
pub const FIRST: Duration = Duration::from_millis(250);
/// The longest pause.
pub const LONGEST: Duration = Duration::from_secs(4);
/// A priest who sat this long before leaving is brought back after [`FIRST`] again.
pub const STEADY: Duration = Duration::from_secs(10);

/// When a priest who left is brought back.
#[derive(Debug)]
pub struct Backoff {
    quick: u32,
    started: Instant,
    due: Option<Instant>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { quick: 0, started: Instant::now(), due: None }
    }
}

impl Backoff {
    /// He was seen to have left, at `now`: the pause before he is brought back, or None if his
    /// leaving was seen already.
    pub fn left(&mut self, now: Instant) -> Option<Duration> {
        if self.due.is_some() {
            return None;
        }
        if now.duration_since(self.started) >= STEADY {
            self.quick = 0;
        }
        let pause = FIRST.saturating_mul(1 << self.quick.min(8)).min(LONGEST);
        self.quick += 1;
        self.due = Some(now + pause);
        Some(pause)
    }

    /// Whether his pause is over.
    pub fn due(&self, now: Instant) -> bool {
        self.due.is_some_and(|d| now >= d)
    }

    /// He was brought back at `now`.
    pub fn started(&mut self, now: Instant) {
        self.started = now;
        self.due = None;
    }
}

/// A priest in a thread of God's, until `stopping`: brought back after a [`Backoff`] pause when
/// he leaves because the folder cannot be reached; any other leaving is for good.
pub fn sit_in_thread(settings: &PriestSettings, roll: &Roll, wakes: &Receiver<()>, stopping: &AtomicBool) {
    let mut backoff = Backoff::default();
    loop {
        match Runtime::enter(settings.clone(), roll).and_then(|r| r.run(wakes, stopping)) {
            Err(e @ RuntimeError::Unreachable(_)) if !stopping.load(Ordering::Relaxed) => {
                let pause = backoff.left(Instant::now()).unwrap_or(FIRST);
                let (name, s) = (&settings.name, pause.as_secs_f64());
                eprintln!("{name} leaves the Chamber: {e}; God brings him back in {s:.2} s");
                let back = Instant::now() + pause;
                while Instant::now() < back && !stopping.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                backoff.started(Instant::now());
            }
            Err(e) => {
                eprintln!("{} leaves the Chamber: {e}", settings.name);
                return;
            }
            Ok(()) => return,
        }
    }
}

/// Whether God can reach the Chamber's folder, told to a person once each way.
#[derive(Debug, Default)]
pub struct Reach {
    lost: Option<Instant>,
}

impl Reach {
    /// An error from reading the Chamber: Ok (he waits) if it says the folder cannot be reached,
    /// the error otherwise.
    pub fn failed(&mut self, dir: &Path, e: io::Error) -> io::Result<()> {
        if !says_unreachable(&e) {
            return Err(e);
        }
        if self.lost.is_none() {
            self.lost = Some(Instant::now());
            eprintln!(
                "God cannot reach {} ({e}); he waits for it, and brings back the priests who leave, pausing longer each time",
                dir.display()
            );
        }
        Ok(())
    }

    /// The Chamber was read: says so if it had been out of reach.
    pub fn reached(&mut self, dir: &Path) {
        if let Some(lost) = self.lost.take() {
            eprintln!("{} answers again after {:.1} s", dir.display(), lost.elapsed().as_secs_f64());
        }
    }

    /// Whether the folder is out of reach now.
    pub fn is_lost(&self) -> bool {
        self.lost.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_priest_who_keeps_leaving_is_brought_back_after_longer_pauses_and_at_once_after_sitting_a_while() {
        let t0 = Instant::now();
        let mut b = Backoff::default();
        let mut now = t0;
        let mut pauses = Vec::new();
        for _ in 0..7 {
            let pause = b.left(now).unwrap();
            assert_eq!(b.left(now), None, "one leaving, one pause");
            assert!(!b.due(now + pause - Duration::from_millis(1)) && b.due(now + pause));
            now += pause;
            b.started(now);
            pauses.push(pause.as_millis());
        }
        assert_eq!(pauses, [250, 500, 1000, 2000, 4000, 4000, 4000]);
        b.started(now);
        assert_eq!(b.left(now + STEADY), Some(FIRST), "he sat a while: back soon");
    }

    #[test]
    fn god_waits_for_an_unreachable_folder_and_ends_on_any_other_error() {
        let dir = Path::new("/mnt/chamber");
        let mut reach = Reach::default();
        assert!(reach.failed(dir, io::Error::from_raw_os_error(libc::EIO)).is_ok());
        assert!(reach.is_lost());
        assert!(reach.failed(dir, io::Error::from_raw_os_error(libc::ENOTCONN)).is_ok());
        reach.reached(dir);
        assert!(!reach.is_lost());
        assert!(reach.failed(dir, io::Error::from_raw_os_error(libc::EACCES)).is_err());
    }
}
