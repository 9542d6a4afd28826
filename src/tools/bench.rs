//! `parliament bench`: a real Chamber on files, every ledger row synced before anything it allows
//! is relayed, exactly as `convene` runs it, driven with petitions as fast as it takes them.
//!
//! It measures this disk's own rate of single append+fdatasync in the same folder; then, with a
//! president established, petition-to-decree latency one petition at a time (light load); then
//! throughput with `in_flight` petitions kept outstanding (closed loop, like etcd's benchmark
//! clients). A decree counts as passed into a majority when a majority of ledgers hold its
//! `Decree` row, and into all when every ledger does.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::books::statute::Chamber;
use crate::chamber::god::{ConveneOptions, Sitting, lay_out, petition};
use crate::chamber::ledger_file::SYNCS;
use crate::names::chamber_names;
use crate::priest::{Decree, PetitionId};

/// What a bench run measured.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BenchReport {
    /// Priests in the Chamber.
    pub priests: usize,
    /// Petitions passed at full load.
    pub decrees: usize,
    /// Petitions kept outstanding at full load.
    pub in_flight: usize,
    /// Decrees per second into a majority of ledgers, at full load.
    pub decrees_per_s_majority: f64,
    /// Decrees per second into every ledger, at full load.
    pub decrees_per_s_all: f64,
    /// Petition to majority, at full load: median, 99th percentile, worst (ms).
    pub latency_p50_ms: f64,
    /// See `latency_p50_ms`.
    pub latency_p99_ms: f64,
    /// See `latency_p50_ms`.
    pub latency_max_ms: f64,
    /// Petition to majority, one petition at a time: median, 99th percentile (ms).
    pub light_latency_p50_ms: f64,
    /// See `light_latency_p50_ms`.
    pub light_latency_p99_ms: f64,
    /// This disk's single append+fdatasync rate in the same folder.
    pub disk_syncs_per_s: f64,
    /// `decrees_per_s_majority` over `disk_syncs_per_s`.
    pub ratio_to_disk: f64,
    /// Ledger rows written per decree (every priest's), at full load.
    pub rows_per_decree: f64,
    /// Ledger syncs issued per decree (every priest's), at full load.
    pub syncs_per_decree: f64,
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
    /// Rows of the ledger to restore a priest from (0 to skip).
    pub restore_rows: u64,
    /// Whether to show progress on standard error.
    pub progress: bool,
}

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

/// Follows the ledgers and notes when each petition's decree reaches a majority and all.
struct Tally {
    chamber: Chamber,
    seen: Vec<usize>,
    holders: HashMap<PetitionId, usize>,
    majority_at: HashMap<PetitionId, Instant>,
    all_at: HashMap<PetitionId, Instant>,
}

impl Tally {
    fn refresh(&mut self) -> anyhow::Result<()> {
        self.chamber.refresh()?;
        let now = Instant::now();
        let n = self.chamber.ledgers.len();
        for (i, f) in self.chamber.ledgers.iter().enumerate() {
            let count = f.durable.decrees.len();
            if count == self.seen[i] {
                continue;
            }
            // Decrees arrive nearly in order; look at the newest ones only.
            for d in f.durable.decrees.values().rev().take(count - self.seen[i]) {
                if let Decree::Law(p) = d {
                    let h = self.holders.entry(p.id.clone()).or_insert(0);
                    *h += 1;
                    if *h * 2 > n {
                        self.majority_at.entry(p.id.clone()).or_insert(now);
                    }
                    if *h == n {
                        self.all_at.insert(p.id.clone(), now);
                    }
                }
            }
            self.seen[i] = count;
        }
        Ok(())
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Runs the bench in `dir` (a fresh folder).
pub fn bench(dir: &Path, o: &BenchOptions, stop: &AtomicBool) -> anyhow::Result<BenchReport> {
    let names = chamber_names(o.priests);
    let roll = lay_out(dir, &names, true)?;
    let disk = disk_syncs_per_s(dir).context("measuring the disk's sync rate")?;
    let restore_s = if o.restore_rows > 0 { restore_time(dir, o.restore_rows)? } else { 0.0 };
    let opts = ConveneOptions {
        dir: dir.to_path_buf(),
        names,
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
    let president = roll.names().last().expect("a priest").clone();
    let mut tally = Tally {
        chamber: Chamber::open(dir, &roll),
        seen: vec![0; roll.len()],
        holders: HashMap::new(),
        majority_at: HashMap::new(),
        all_at: HashMap::new(),
    };
    let submit = |id: &str| petition(dir, &roll, &president, "bench", id, &format!("Bench decree {id}"));
    let wait = |tally: &mut Tally, id: &PetitionId| -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !tally.majority_at.contains_key(id) {
            anyhow::ensure!(Instant::now() < deadline, "petition {id} did not pass within 30 s");
            let _ = sitting.wakes.recv_timeout(Duration::from_millis(5));
            tally.refresh()?;
        }
        Ok(())
    };
    // Warm up: the first petition waits for the president to take office.
    submit("warm-up")?;
    wait(&mut tally, &PetitionId("warm-up".into()))?;
    let mut light = Vec::new();
    for k in 0..o.light {
        let id = format!("light-{k}");
        let t = Instant::now();
        submit(&id)?;
        wait(&mut tally, &PetitionId(id.as_str().into()))?;
        light.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (rows0, syncs0) = (total_rows(&tally), SYNCS.load(Ordering::Relaxed));
    let mut submitted: Vec<(PetitionId, Instant)> = Vec::with_capacity(o.decrees);
    let started = Instant::now();
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
    while tally.majority_at.len() < o.decrees + o.light + 1 && !stop.load(Ordering::Relaxed) {
        let done = submitted.iter().filter(|(id, _)| tally.majority_at.contains_key(id)).count();
        while submitted.len() < o.decrees && submitted.len() - done.min(submitted.len()) < o.in_flight {
            let id = format!("full-{}", submitted.len());
            submitted.push((PetitionId(id.as_str().into()), Instant::now()));
            submit(&id)?;
        }
        let _ = sitting.wakes.recv_timeout(Duration::from_millis(5));
        tally.refresh()?;
        anyhow::ensure!(started.elapsed() < Duration::from_secs(600), "the bench took over 10 minutes");
        bar.set_position(done as u64);
    }
    let wall_majority = submitted.iter().filter_map(|(id, _)| tally.majority_at.get(id)).max().copied();
    while submitted.iter().any(|(id, _)| !tally.all_at.contains_key(id))
        && started.elapsed() < Duration::from_secs(600)
    {
        let _ = sitting.wakes.recv_timeout(Duration::from_millis(5));
        tally.refresh()?;
    }
    let wall_all = submitted.iter().filter_map(|(id, _)| tally.all_at.get(id)).max().copied();
    bar.finish_and_clear();
    let (rows, syncs) = (total_rows(&tally) - rows0, SYNCS.load(Ordering::Relaxed) - syncs0);
    sitting.dismiss();
    let mut full: Vec<f64> = submitted
        .iter()
        .filter_map(|(id, t)| tally.majority_at.get(id).map(|m| (*m - *t).as_secs_f64() * 1e3))
        .collect();
    full.sort_by(f64::total_cmp);
    light.sort_by(f64::total_cmp);
    let per_s = |end: Option<Instant>| end.map_or(0.0, |e| o.decrees as f64 / (e - started).as_secs_f64());
    let majority = per_s(wall_majority);
    Ok(BenchReport {
        priests: o.priests,
        decrees: o.decrees,
        in_flight: o.in_flight,
        decrees_per_s_majority: majority,
        decrees_per_s_all: per_s(wall_all),
        latency_p50_ms: percentile(&full, 0.5),
        latency_p99_ms: percentile(&full, 0.99),
        latency_max_ms: full.last().copied().unwrap_or(f64::NAN),
        light_latency_p50_ms: percentile(&light, 0.5),
        light_latency_p99_ms: percentile(&light, 0.99),
        disk_syncs_per_s: disk,
        ratio_to_disk: majority / disk,
        rows_per_decree: rows as f64 / o.decrees as f64,
        syncs_per_decree: syncs as f64 / o.decrees as f64,
        restore_rows: o.restore_rows,
        restore_s,
    })
}

fn total_rows(tally: &Tally) -> u64 {
    tally.chamber.ledgers.iter().map(|f| f.rows).sum()
}
