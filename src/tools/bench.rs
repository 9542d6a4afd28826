//! `parliament bench`: a real Chamber on files, every promise synced before anything it allows is
//! relayed (§2.3's indelible ink), exactly as `convene` runs it, driven with petitions as fast as
//! it takes them.
//!
//! It measures this disk's own sync rate and this machine's wake-up latency; then, with a
//! president established, petition-to-decree latency one petition at a time (light load), with
//! the wake-ups, hops and syncs each decree costs; then throughput with `in_flight` petitions kept
//! outstanding (closed loop, like etcd's benchmark clients), with CPU time per decree. Petitions
//! go to the president, or with `spread` round the priests (who pass them on, §3.2). The bench
//! hears the ledgers through a folder watch and reads only their new rows; its own bookkeeping is
//! O(1) per row, so its figures do not depend on how many petitions it passes. The counters it
//! reads ([`crate::chamber::counters`]) are the process's: one bench at a time per process.

/// Disk, wake-up, restore and CPU measurements.
/// The long-ledger bench: restore time and live files after 10^4 to 10^6 decrees (§3.3.2).
pub mod long;
pub mod measure;
/// The bench's bookkeeping: petitions, pages, ledgers followed.
pub mod tally;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::chamber::counters::Counts;
use crate::chamber::god::{ConveneOptions, Sitting, lay_out_with};
use crate::files::FolderWatcher;
use crate::names::chamber_names;
use crate::priest::PetitionId;
use measure::{Cpu, disk_syncs_per_s, restore_time, this_thread, thread_ids, wake_latency_ms};
use tally::{Pages, Tally};

/// What a bench run measured. Latencies in milliseconds; "chosen" is petition row to a
/// majority's `Voted` rows, "majority" petition row to a majority's `Decree` rows.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BenchReport {
    /// Priests in the Chamber.
    pub priests: usize,
    /// Petitions passed at full load.
    pub decrees: usize,
    /// Petitions kept outstanding at full load.
    pub in_flight: usize,
    /// Whether petitions were spread over every priest (else all handed to the president).
    pub spread: bool,
    /// Decrees per second into a majority of ledgers, at full load.
    pub decrees_per_s_majority: f64,
    /// Decrees per second into every ledger, at full load.
    pub decrees_per_s_all: f64,
    /// Petition to majority, at full load: median, 99th percentile, worst.
    pub latency_p50_ms: f64,
    /// See `latency_p50_ms`.
    pub latency_p99_ms: f64,
    /// See `latency_p50_ms`.
    pub latency_max_ms: f64,
    /// Petition to majority, one petition at a time: median, 99th percentile.
    pub light_latency_p50_ms: f64,
    /// See `light_latency_p50_ms`.
    pub light_latency_p99_ms: f64,
    /// Petition to chosen, one at a time: median, 99th percentile.
    pub light_chosen_p50_ms: f64,
    /// See `light_chosen_p50_ms`.
    pub light_chosen_p99_ms: f64,
    /// One at a time, per decree (all priests): wake-ups, messenger page writes, syncs, rows.
    pub light_wakeups_per_decree: f64,
    /// See `light_wakeups_per_decree`.
    pub light_hops_per_decree: f64,
    /// See `light_wakeups_per_decree`.
    pub light_syncs_per_decree: f64,
    /// See `light_wakeups_per_decree`.
    pub light_rows_per_decree: f64,
    /// The light-load floor to chosen as the bench sees it (a row is seen once written, and
    /// synced right after): 1 sync (the president's `Voted` and a voter's, synced at once, for
    /// his BeginBallot leaves before his sync: `Step::ahead`) and 3 wake-ups (president, voter,
    /// bench), at the prices measured here: `light_sync_ms`, `wake_latency_ms`.
    pub floor_chosen_ms: f64,
    /// The floor to a majority's `Decree` rows on the light-load path (`Config::votes_to_all`),
    /// where a voter learns the decree from the Voted of a majority set, the president's among
    /// them: 1 sync (the president's `Voted` and the voters', synced at once) and 4 wake-ups
    /// (president, voter, each hearing the other's `Voted`, bench). `Decree` rows are not
    /// synced on their own.
    pub floor_majority_ms: f64,
    /// One ledger sync as the priests met it, one at a time (mean).
    pub light_sync_ms: f64,
    /// One ledger sync as the priests met it, one at a time: median and 99th percentile (to
    /// within a factor of two: the upper edge of a power-of-two bucket).
    pub light_sync_p50_ms: f64,
    /// See `light_sync_p50_ms`.
    pub light_sync_p99_ms: f64,
    /// The floor to a majority's `Decree` rows at the 99th percentile: the same path with its
    /// syncs at `light_sync_p99_ms` (a bound from above: two slow syncs in one decree are rarer).
    pub floor_majority_p99_ms: f64,
    /// One ledger sync as the priests met it at full load (mean).
    pub sync_ms: f64,
    /// One append heard through a folder watch, median.
    pub wake_latency_ms: f64,
    /// This disk's single append+fdatasync rate in the same folder.
    pub disk_syncs_per_s: f64,
    /// `decrees_per_s_majority` over `disk_syncs_per_s`.
    pub ratio_to_disk: f64,
    /// Ledger rows written per decree (every priest's), at full load.
    pub rows_per_decree: f64,
    /// Ledger syncs issued per decree (every priest's), at full load.
    pub syncs_per_decree: f64,
    /// Syncs left out per decree (steps of `Decree` rows alone), at full load.
    pub syncs_spared_per_decree: f64,
    /// Priest wake-ups per decree (all priests), at full load.
    pub wakeups_per_decree: f64,
    /// Messenger page writes per decree, at full load.
    pub hops_per_decree: f64,
    /// CPU per decree at full load, µs: every priest together.
    pub cpu_us_per_decree_priests: f64,
    /// The same, per priest.
    pub cpu_us_per_decree_per_priest: f64,
    /// The bench's own threads (its loop and its watcher).
    pub cpu_us_per_decree_bench: f64,
    /// The whole process (priests, bench, the Chamber's watcher).
    pub cpu_us_per_decree_process: f64,
    /// The bench's share of the process's CPU at full load.
    pub bench_cpu_share: f64,
    /// Rows in the ledger a priest was restored from (0: not measured).
    pub restore_rows: u64,
    /// Seconds to read that ledger and rebuild the priest from it.
    pub restore_s: f64,
}

/// How a bench run is set up.
pub struct BenchOptions {
    /// Priests in the Chamber.
    pub priests: usize,
    /// Petitions at full load.
    pub decrees: usize,
    /// Petitions kept outstanding at full load.
    pub in_flight: usize,
    /// Petitions passed one at a time for the light-load latency.
    pub light: usize,
    /// Hand petitions round every priest instead of to the president alone.
    pub spread: bool,
    /// Rows of the ledger to restore a priest from (0 to skip).
    pub restore_rows: u64,
    /// Whether to show progress on standard error.
    pub progress: bool,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The Chamber at work, the bench's watch on its ledgers, and the bench's pages.
struct Driver<'a> {
    sitting: Sitting,
    watcher: FolderWatcher,
    tally: Tally,
    pages: Pages,
    priests: usize,
    president: usize,
    spread: bool,
    stop: &'a AtomicBool,
    /// When the ledgers last brought a petition into a majority or into every ledger.
    progress_at: Instant,
}

impl Driver<'_> {
    /// Hands in petition `id`: to the president, or round the priests by its index.
    fn submit(&mut self, id: String) {
        let k = self.tally.tracks.len();
        let to = if self.spread { k % self.priests } else { self.president };
        self.pages.petition(to, &id);
        self.tally.submitted(PetitionId(id.into()));
    }

    /// Waits for the ledgers to change (up to a second), then reads their new rows.
    fn hear(&mut self, deadline: Instant) -> anyhow::Result<()> {
        anyhow::ensure!(Instant::now() < deadline, "the Chamber stopped passing petitions (timed out)");
        anyhow::ensure!(!self.stop.load(Ordering::Relaxed), "interrupted");
        let wakeups = self.watcher.wait(Duration::from_secs(1)).context("the ledgers' watch stopped")?;
        while self.sitting.wakes.try_recv().is_ok() {}
        let before = (self.tally.in_majority, self.tally.in_all);
        self.tally.read(&wakeups)?;
        if (self.tally.in_majority, self.tally.in_all) != before {
            self.progress_at = Instant::now();
        } else if self.progress_at.elapsed() >= Duration::from_secs(1) {
            // A priest who caught up from a law book holds decrees his ledger never will.
            self.tally.read_law_books()?;
            self.progress_at = Instant::now();
        }
        Ok(())
    }

    /// Passes one petition alone; its index.
    fn one(&mut self, id: String) -> anyhow::Result<usize> {
        let k = self.tally.tracks.len();
        self.submit(id);
        self.pages.flush()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.tally.tracks[k].majority.is_none() {
            self.hear(deadline)?;
        }
        Ok(k)
    }
}

/// α for the bench's Chamber: at least its petitions in flight and the priests' window of ballots.
pub fn bench_alpha(in_flight: usize) -> u64 {
    (in_flight as u64).max(crate::chamber::runtime::chamber_config(1).window as u64).max(3)
}

/// Runs the bench in `dir` (a fresh folder).
pub fn bench(dir: &Path, o: &BenchOptions, stop: &AtomicBool) -> anyhow::Result<BenchReport> {
    let names = chamber_names(o.priests);
    // The gap rule of §3.3.6 bounds the ballots a president has in flight by α: the bench's
    // Chamber is laid out with α at least its petitions in flight (and the priests' window), so
    // that it measures the files, not the gap rule.
    let alpha = bench_alpha(o.in_flight);
    // The disk and the wake-ups are measured before the Chamber is laid out, so that it sits
    // down at once: a `parliament watch --dir` finding a Chamber laid out and nobody sitting
    // waits only a moment before convening it itself.
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    let disk = disk_syncs_per_s(dir).context("measuring the disk's sync rate")?;
    let wake = wake_latency_ms(dir, 200).context("measuring the wake-up latency")?;
    let roll = lay_out_with(dir, &names, true, Some(alpha))?;
    let restore_s = if o.restore_rows > 0 { restore_time(dir, o.restore_rows)? } else { 0.0 };
    let opts = ConveneOptions {
        dir: dir.to_path_buf(),
        names,
        alpha: Some(alpha),
        names_given: true,
        petitions: Vec::new(),
        stay: true,
        processes: false,
        faults: Default::default(),
        narrate: false,
        timeout: Duration::from_secs(600),
        tick: Duration::from_millis(20),
        crash_after_sync: 0.0,
        exe: None,
    };
    let sitting = Sitting::open(&opts, &roll)?;
    let before = thread_ids();
    let mut watcher = FolderWatcher::new().context("starting the bench's watch")?;
    watcher.watch_folder(dir.join("ledgers"))?;
    let mut own: Vec<i32> = thread_ids().into_iter().filter(|t| !before.contains(t)).collect();
    own.push(this_thread());
    let mut d = Driver {
        sitting,
        watcher,
        tally: Tally::new(dir, &roll),
        pages: Pages::new(dir, &roll),
        priests: roll.len(),
        president: roll.len() - 1,
        spread: o.spread,
        stop,
        progress_at: Instant::now(),
    };
    let mut r =
        BenchReport { priests: o.priests, decrees: o.decrees, in_flight: o.in_flight, ..Default::default() };
    // Warm up: the first petition waits for the president to take office.
    d.one("warm-up".into())?;
    // Whoever passed it must be this bench's priests: a `parliament watch --dir` (or a second
    // `convene`) that found the Chamber laid out and nobody sitting may have convened it itself,
    // and the bench's priests were turned away (one priest, one sitting); it would measure another's.
    let me = format!("pid {},", std::process::id());
    for name in roll.names() {
        if let Some(holder) = crate::chamber::sitting::held_by(dir, name).filter(|h| !h.starts_with(&me)) {
            anyhow::bail!(
                "{name} sits in another process ({holder}), not in this bench: a bench measures a Chamber of its own. \
                 Stop that process (a `parliament watch --dir` attached before the bench's priests sat convenes the \
                 Chamber itself; attach it once ledgers/.{name}.sitting exists) and run the bench again in a fresh folder"
            );
        }
    }
    let counts0 = Counts::now();
    let (mut light, mut chosen) = (Vec::new(), Vec::new());
    for k in 0..o.light {
        let i = d.one(format!("light-{k}"))?;
        let t = &d.tally.tracks[i];
        light.push((t.majority.expect("passed") - t.submitted).as_secs_f64() * 1e3);
        chosen.extend(t.chosen.map(|c| (c - t.submitted).as_secs_f64() * 1e3));
    }
    let c = Counts::now().since(counts0);
    r.light_sync_ms = measure::sync_ms(&c);
    (r.light_sync_p50_ms, r.light_sync_p99_ms) = (c.sync_quantile_ms(0.5), c.sync_quantile_ms(0.99));
    let per_light = |x: u64| if o.light == 0 { f64::NAN } else { x as f64 / o.light as f64 };
    (r.light_wakeups_per_decree, r.light_hops_per_decree) = (per_light(c.wakeups), per_light(c.hops));
    (r.light_syncs_per_decree, r.light_rows_per_decree) = (per_light(c.syncs), per_light(c.rows));
    light.sort_by(f64::total_cmp);
    chosen.sort_by(f64::total_cmp);
    (r.light_latency_p50_ms, r.light_latency_p99_ms) = (percentile(&light, 0.5), percentile(&light, 0.99));
    (r.light_chosen_p50_ms, r.light_chosen_p99_ms) = (percentile(&chosen, 0.5), percentile(&chosen, 0.99));

    let bar = if o.progress {
        indicatif::ProgressBar::new(o.decrees as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} decrees {per_sec} ({elapsed})")
    {
        bar.set_style(style);
    }
    let first = d.tally.tracks.len();
    let (counts0, cpu0, started) = (Counts::now(), Cpu::now(&own), Instant::now());
    let deadline = started + Duration::from_secs(600);
    let mut handed = 0;
    while d.tally.in_majority - first < o.decrees {
        let done = d.tally.in_majority - first;
        while handed < o.decrees && handed - done < o.in_flight {
            d.submit(format!("full-{handed}"));
            handed += 1;
        }
        d.pages.flush()?;
        d.hear(deadline)?;
        bar.set_position((d.tally.in_majority - first) as u64);
    }
    let (counts, cpu, wall_majority) =
        (Counts::now().since(counts0), Cpu::now(&own).since(cpu0), started.elapsed());
    while d.tally.in_all < d.tally.tracks.len() {
        d.hear(deadline)?;
    }
    let wall_all = d.tally.tracks[first..].iter().filter_map(|t| t.all).max().map(|a| a - started);
    bar.finish_and_clear();
    d.sitting.dismiss();
    let mut full: Vec<f64> = d.tally.tracks[first..]
        .iter()
        .filter_map(|t| t.majority.map(|m| (m - t.submitted).as_secs_f64() * 1e3))
        .collect();
    full.sort_by(f64::total_cmp);
    let n = o.decrees as f64;
    r.spread = o.spread;
    r.decrees_per_s_majority = n / wall_majority.as_secs_f64();
    r.decrees_per_s_all = wall_all.map_or(0.0, |w| n / w.as_secs_f64());
    (r.latency_p50_ms, r.latency_p99_ms) = (percentile(&full, 0.5), percentile(&full, 0.99));
    r.latency_max_ms = full.last().copied().unwrap_or(f64::NAN);
    r.sync_ms = measure::sync_ms(&counts);
    let sync_ms = if r.light_sync_ms.is_nan() { 1e3 / disk } else { r.light_sync_ms };
    let (syncs, wakes) = (1.0, 4.0);
    (r.floor_chosen_ms, r.floor_majority_ms) = (sync_ms + 3.0 * wake, syncs * sync_ms + wakes * wake);
    r.floor_majority_p99_ms = syncs * r.light_sync_p99_ms + wakes * wake;
    (r.wake_latency_ms, r.disk_syncs_per_s, r.ratio_to_disk) = (wake, disk, r.decrees_per_s_majority / disk);
    (r.rows_per_decree, r.syncs_per_decree) = (counts.rows as f64 / n, counts.syncs as f64 / n);
    (r.syncs_spared_per_decree, r.wakeups_per_decree) = (counts.spared as f64 / n, counts.wakeups as f64 / n);
    r.hops_per_decree = counts.hops as f64 / n;
    r.cpu_us_per_decree_priests = cpu.priests * 1e6 / n;
    r.cpu_us_per_decree_per_priest = r.cpu_us_per_decree_priests / o.priests as f64;
    r.cpu_us_per_decree_bench = cpu.bench * 1e6 / n;
    r.cpu_us_per_decree_process = cpu.process * 1e6 / n;
    r.bench_cpu_share = if cpu.process > 0.0 { cpu.bench / cpu.process } else { f64::NAN };
    (r.restore_rows, r.restore_s) = (o.restore_rows, restore_s);
    Ok(r)
}
