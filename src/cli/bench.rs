//! `parliament bench`: decrees per second and latency through real files.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::bail;
use clap::Args;

use super::options::count_of;
use parliament::sim::count;
use parliament::tools::bench::{BenchOptions, bench};

/// Options of `parliament bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Priests in the Chamber, 1 to 64.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=64))]
    priests: u16,
    /// Petitions to pass at full load, 1 to 10^7.
    #[arg(long, alias = "decrees", default_value_t = 20_000, value_parser = count_of(1, 10_000_000))]
    petitions: usize,
    /// Petitions kept outstanding at full load, 1 to 4096.
    #[arg(long, default_value_t = 256, value_parser = count_of(1, 4096))]
    in_flight: usize,
    /// Petitions passed one at a time, for the light-load latency, 0 to 10^6.
    #[arg(long, default_value_t = 200, value_parser = count_of(0, 1_000_000))]
    light: usize,
    /// Rows of the ledger to restore a priest from, timed, 0 (skip) to 10^9.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(0..=1_000_000_000))]
    restore_rows: u64,
    /// Hand petitions round every priest (who pass them to the president), as etcd's client
    /// spreads puts over members [default: all to the president].
    #[arg(long)]
    spread: bool,
    /// Leave the Chamber in this (new) folder, for `laws` and `audit` [default: a temporary one].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Instead of the Chamber bench: lay out Chambers that have passed these many decrees (law
    /// books and live volumes written straight through the format code), and time restoring each
    /// priest, measure the live files, and time a priest away for all of them voting again; each
    /// count 4,000 to 10^8 [default: none, the Chamber bench].
    #[arg(long, value_delimiter = ',', value_name = "DECREES,...", value_parser = clap::value_parser!(u64).range(4_000..=100_000_000))]
    law_books: Vec<u64>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `parliament bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<i32> {
    let temp;
    let dir = match &args.dir {
        Some(d) => {
            if d.join("ledgers").exists() {
                bail!("{} already holds a Chamber; bench needs a fresh folder", d.display());
            }
            d.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("parliament-bench")
                .tempdir_in(".")
                .or_else(|_| tempfile::tempdir())?;
            temp.path().to_path_buf()
        }
    };
    if !args.law_books.is_empty() {
        return law_books(&dir, &args.law_books, args.json);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::Relaxed))?;
    let o = BenchOptions {
        priests: usize::from(args.priests),
        decrees: args.petitions,
        in_flight: args.in_flight,
        light: args.light,
        spread: args.spread,
        restore_rows: args.restore_rows,
        progress: std::io::stderr().is_terminal() && !args.json,
    };
    let r = bench(&dir, &o, &stop)?;
    if args.json {
        println!("{}", serde_json::to_string(&r)?);
        return Ok(0);
    }
    println!(
        "parliament bench: {}, {}, {} in flight, petitions {}, in {}",
        count(r.priests, "priest"),
        count(r.decrees, "decree"),
        r.in_flight,
        if r.spread { "spread over every priest" } else { "to the president" },
        dir.display()
    );
    println!("  this disk, one append + fdatasync:  {:>9.0} syncs/s", r.disk_syncs_per_s);
    println!(
        "  decrees into a majority of ledgers: {:>9.0} /s  ({:.2} x the disk's sync rate)",
        r.decrees_per_s_majority, r.ratio_to_disk
    );
    println!("  decrees into every ledger:          {:>9.0} /s", r.decrees_per_s_all);
    println!(
        "  full load, petition to majority:    p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.latency_p50_ms, r.latency_p99_ms, r.latency_max_ms
    );
    println!(
        "  light load (one at a time):         p50 {:.2} ms, p99 {:.2} ms (floor {:.2} ms)",
        r.light_latency_p50_ms, r.light_latency_p99_ms, r.floor_majority_ms
    );
    println!(
        "  light load, petition to chosen:     p50 {:.2} ms, p99 {:.2} ms (floor {:.2} ms)",
        r.light_chosen_p50_ms, r.light_chosen_p99_ms, r.floor_chosen_ms
    );
    println!(
        "  floors from: one sync {:.3} ms mean, p50 < {:.3} ms, p99 < {:.3} ms (as the priests met it one at a time; {:.3} ms mean at full load), one wake-up {:.3} ms; floor at p99 {:.2} ms",
        r.light_sync_ms,
        r.light_sync_p50_ms,
        r.light_sync_p99_ms,
        r.sync_ms,
        r.wake_latency_ms,
        r.floor_majority_p99_ms
    );
    println!(
        "  light load, per decree (all priests): {:.2} wake-ups, {:.2} hops, {:.2} syncs, {:.2} rows",
        r.light_wakeups_per_decree,
        r.light_hops_per_decree,
        r.light_syncs_per_decree,
        r.light_rows_per_decree
    );
    println!(
        "  full load, per decree (all priests):  {:.2} wake-ups, {:.2} hops, {:.2} syncs ({:.2} spared), {:.2} rows",
        r.wakeups_per_decree,
        r.hops_per_decree,
        r.syncs_per_decree,
        r.syncs_spared_per_decree,
        r.rows_per_decree
    );
    println!(
        "  CPU per decree at full load: {:.1} µs all priests ({:.1} µs each), {:.1} µs the bench ({:.1} % of the process), {:.1} µs the process",
        r.cpu_us_per_decree_priests,
        r.cpu_us_per_decree_per_priest,
        r.cpu_us_per_decree_bench,
        100.0 * r.bench_cpu_share,
        r.cpu_us_per_decree_process
    );
    if r.restore_rows > 0 {
        println!(
            "  restoring a priest from a ledger of {}: {:.2} s",
            count(r.restore_rows, "row"),
            r.restore_s
        );
    }
    Ok(0)
}

/// `bench --law-books`: one Chamber per count of decrees, each in its own folder under `dir`.
fn law_books(dir: &std::path::Path, counts: &[u64], json: bool) -> anyhow::Result<i32> {
    use parliament::tools::bench::long::long_ledgers;
    let mut all = Vec::new();
    for &decrees in counts {
        let here = dir.join(format!("law-books-{decrees}"));
        std::fs::create_dir_all(&here)?;
        let r = long_ledgers(&here, decrees)?;
        if !json {
            println!(
                "{:>9} decrees (back {}): restore p50 {:.1} ms, max {:.1} ms; live ledgers {:.2} MB (5 priests), law book {:.1} MB; away for all of them, voting again in {:.0} ms ({:.0} ms copying the law book); the law book's petitions read in {:.0} ms",
                r.decrees,
                r.back,
                1e3 * r.restore_p50_s,
                1e3 * r.restore_max_s,
                r.live_bytes as f64 / 1e6,
                r.law_book_bytes as f64 / 1e6,
                1e3 * r.away_voting_again_s,
                1e3 * r.away_copy_s,
                1e3 * r.law_index_s
            );
        }
        all.push(r);
    }
    if json {
        println!("{}", serde_json::to_string(&all)?);
    }
    Ok(0)
}
