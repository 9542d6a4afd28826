//! What the bench measures beside the Chamber: this disk's own sync rate, this machine's wake-up
//! latency (a write heard through a folder watch, as a priest hears his messagebook), the time to
//! restore a priest from a long ledger (§2.3: he rebuilds himself from his ledger alone), and CPU
//! time per thread, read from `/proc/self/task/*/schedstat` (nanoseconds on the CPU).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::files::FolderWatcher;
use crate::names::chamber_names;
use crate::priest::Decree;

/// Writes a ledger of `rows` rows (a priest's votes and decrees, two rows per decree) and times
/// reading it and rebuilding the priest from it, as a priest returning to the Chamber does.
pub fn restore_time(dir: &Path, rows: u64) -> anyhow::Result<f64> {
    use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use crate::priest::{BallotNumber, Petition, Priest, PriestId, Record, Vote};
    let roll = crate::books::Roll::new(chamber_names(5)).map_err(anyhow::Error::msg)?;
    let path = dir.join(".bench-restore.csv");
    let mut text = String::with_capacity(rows as usize * 90);
    text.push_str(LEDGER_HEADER);
    text.push('\n');
    let ballot = BallotNumber::new(1, PriestId(4));
    let at = chrono::Utc::now();
    text.push_str(&ledger_row(&roll, at, &Record::Promised { ballot }));
    for n in 1..rows / 2 {
        let decree = Decree::Law(Petition::new(&format!("p-{n}"), &format!("Bench decree {n}")));
        text.push_str(&ledger_row(
            &roll,
            at,
            &Record::Voted(Vote { decree_no: n, ballot, decree: decree.clone() }),
        ));
        text.push_str(&ledger_row(&roll, at, &Record::Decree { decree_no: n, decree }));
    }
    std::fs::write(&path, text)?;
    let started = Instant::now();
    let read = crate::books::ledger_read::read_ledger(&path, &roll)?;
    let config = crate::chamber::runtime::chamber_config(5);
    let priest = Priest::restore(PriestId(0), config, read.rows.iter().map(|(_, r)| &r.record))?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(priest.durable().known == rows / 2 - 1, "the restored priest lost decrees");
    std::fs::remove_file(&path)?;
    Ok(seconds)
}

/// Appends a 45-byte row and syncs, over and over for about a second: this disk's own pace.
pub fn disk_syncs_per_s(dir: &Path) -> anyhow::Result<f64> {
    let path = dir.join(".bench-sync.tmp");
    let mut f = OpenOptions::new().create(true).append(true).open(&path)?;
    let row = b"2026-11-23T21:48:24.127Z,Tried,1.Toueg,,,\n";
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(1) {
        f.write_all(row)?;
        f.sync_data()?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(&path)?;
    Ok(rate)
}

/// The median time from creating a file until a folder watch hears it, in milliseconds: the
/// price of one wake-up on this machine (`rounds` round trips, a new file each, so no event left
/// over from one round can answer the next).
pub fn wake_latency_ms(dir: &Path, rounds: usize) -> anyhow::Result<f64> {
    let folder = dir.join(".bench-wake");
    std::fs::create_dir_all(&folder)?;
    let mut watcher = FolderWatcher::new()?;
    watcher.watch_folder(&folder)?;
    let mut took = Vec::with_capacity(rounds);
    for k in 0..rounds {
        let path = std::fs::canonicalize(&folder)?.join(format!("page-{k}.csv"));
        let t = Instant::now();
        std::fs::write(&path, b"a row\n")?;
        loop {
            let heard = watcher.wait(Duration::from_secs(5))?;
            anyhow::ensure!(!heard.paths.is_empty() || heard.rescan, "a write went unheard for 5 s");
            if heard.rescan || heard.paths.contains(&path) {
                break;
            }
        }
        took.push(t.elapsed().as_secs_f64() * 1e3);
    }
    drop(watcher);
    std::fs::remove_dir_all(&folder)?;
    took.sort_by(f64::total_cmp);
    Ok(took.get(took.len() / 2).copied().unwrap_or(f64::NAN))
}

/// The mean time of one ledger sync as the priests met it, in milliseconds (NaN if none).
pub fn sync_ms(counts: &crate::chamber::counters::Counts) -> f64 {
    if counts.syncs == 0 { f64::NAN } else { counts.sync_nanos as f64 / counts.syncs as f64 / 1e6 }
}

/// CPU time of this process's threads at one moment, in seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu {
    /// The whole process (getrusage, user + system).
    pub process: f64,
    /// Threads named `priest <name>`.
    pub priests: f64,
    /// The bench's own threads (its main thread and its watcher's).
    pub bench: f64,
}

impl Cpu {
    /// Reads the CPU time now; `bench` are the thread ids of the bench's own threads.
    pub fn now(bench: &[i32]) -> Cpu {
        let mut cpu = Cpu { process: process_seconds(), ..Cpu::default() };
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return cpu };
        for task in tasks.flatten() {
            let tid: i32 = task.file_name().to_str().and_then(|t| t.parse().ok()).unwrap_or(-1);
            let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            let on_cpu = thread_seconds(tid);
            if comm.starts_with("priest ") {
                cpu.priests += on_cpu;
            } else if bench.contains(&tid) {
                cpu.bench += on_cpu;
            }
        }
        cpu
    }

    /// What was spent between `earlier` and `self`.
    pub fn since(self, earlier: Cpu) -> Cpu {
        Cpu {
            process: self.process - earlier.process,
            priests: self.priests - earlier.priests,
            bench: self.bench - earlier.bench,
        }
    }
}

/// User + system CPU seconds of the whole process.
fn process_seconds() -> f64 {
    // SAFETY: getrusage writes into the struct we hand it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Seconds on the CPU of one thread of this process (`schedstat`'s first field, nanoseconds).
fn thread_seconds(tid: i32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).unwrap_or_default();
    text.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()).map_or(0.0, |ns| ns / 1e9)
}

/// The ids of this process's threads now.
pub fn thread_ids() -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    tasks.flatten().filter_map(|t| t.file_name().to_str().and_then(|s| s.parse().ok())).collect()
}

/// The id of the calling thread.
pub fn this_thread() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}
