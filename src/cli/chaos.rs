//! `parliament chaos`: trials of the whole Parliament under a hostile world, each ended by the audit.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use parliament::tools::chaos::{TrialOptions, TrialReport, run_trial};

use super::options::{progress, trial_duration};
use parliament::sim::count;

/// Options of `parliament chaos`.
#[derive(Args, Debug)]
pub struct ChaosArgs {
    /// How many trials, 1 to 10^6.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    trials: u64,
    /// The seed of the first trial, 0 to 2^64-1; trial i uses seed + i.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How long each trial torments the Chamber before healing it, 1s to 1h.
    #[arg(long, value_parser = trial_duration, default_value = "8s")]
    duration: Duration,
    /// Make every trial the lost-ledger trial (by default only the first of two or more is): a
    /// priest's ledger is removed halfway, and he must refuse to vote.
    #[arg(long)]
    lost_ledger: bool,
    /// Keep the members as laid out: by default each trial admits a new name by decree a third of
    /// the way in and dismisses a priest two thirds of the way (§3.3.6), while priests are killed.
    #[arg(long)]
    no_membership: bool,
    /// Keep each trial's Chamber in DIR/trial-<seed> [default: temporary folders, removed].
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Print only the trials that failed, and the totals.
    #[arg(long, short)]
    quiet: bool,
    /// Print the totals as one JSON object.
    #[arg(long)]
    json: bool,
    /// Decrees each priest keeps in the back of his ledger before closing a volume (§3.3.2), 1 to
    /// 10^6, so a trial closes volumes under its faults [default: the Chamber's, 2,000, which a
    /// short trial never reaches].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000), value_name = "DECREES")]
    volume_decrees: Option<u64>,
}

/// Runs `parliament chaos`.
pub fn run(args: ChaosArgs) -> anyhow::Result<i32> {
    if let Some(k) = args.volume_decrees {
        // SAFETY: called before any thread of ours is started; the priests inherit it.
        unsafe { std::env::set_var("PARLIAMENT_VOLUME_DECREES", k.to_string()) };
    }
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || s.store(true, Ordering::Relaxed))?;
    let mut totals = TrialReport::default();
    let mut failed = Vec::new();
    let bar = progress(args.trials, "trials", args.json);
    let mut ran = 0u64;
    for i in 0..args.trials {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        ran += 1;
        let seed = args.seed + i;
        let lost_ledger = args.lost_ledger || (i == 0 && args.trials > 1);
        let temp = tempfile::tempdir()?;
        let dir = match &args.keep {
            Some(keep) => keep.join(format!("trial-{seed}")),
            None => temp.path().to_path_buf(),
        };
        let o = TrialOptions {
            seed,
            duration: args.duration,
            lost_ledger,
            membership: !args.no_membership,
            exe: None,
        };
        let r = run_trial(&dir, &o, &stop)?;
        let name = if lost_ledger { " (lost-ledger)" } else { "" };
        let outcome =
            if r.violations.is_empty() { "held".to_string() } else { count(r.violations.len(), "VIOLATION") };
        if !(args.json || args.quiet && r.violations.is_empty()) {
            bar.suspend(|| {
                println!(
                    "trial {seed}{name}: {}, {}, {}, {}; {}; {outcome}",
                    count(r.kills, "kill"),
                    count(r.pauses, "pause"),
                    count(r.petitions, "petition"),
                    count(r.decrees, "decree"),
                    r.mischief
                );
                for v in &r.violations {
                    println!("  {v}");
                }
            });
        }
        bar.inc(1);
        if !r.violations.is_empty() {
            let mut flag = if lost_ledger { " --lost-ledger" } else { "" }.to_string();
            if args.no_membership {
                flag.push_str(" --no-membership");
            }
            failed.push(format!(
                "parliament chaos --trials 1 --seed {seed} --duration {}ms{flag} --keep chaos-replay",
                args.duration.as_millis()
            ));
        }
        add(&mut totals, &r);
    }
    bar.finish_and_clear();
    if args.json {
        let out = serde_json::json!({
            "trials": ran,
            "held": failed.is_empty(),
            "kills": totals.kills,
            "pauses": totals.pauses,
            "petitions": totals.petitions,
            "decrees": totals.decrees,
            "void_repeats": totals.void_repeats,
            "membership_decrees": totals.membership.len(),
            "mischief": totals.mischief.to_string(),
            "violations": totals.violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "replays": failed,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(if failed.is_empty() { 0 } else { 1 });
    }
    println!(
        "{}: {}, {}, {}, {} ({} by decree), {}, {}; {}",
        count(ran, "trial"),
        count(totals.kills, "kill"),
        count(totals.pauses, "pause"),
        totals.mischief,
        count(totals.petitions, "petition"),
        count(totals.membership.len() as u64, "admission or dismissal"),
        count(totals.decrees, "decree"),
        count(totals.void_repeats, "void repeat"),
        count(totals.violations.len(), "violation")
    );
    for replay in &failed {
        eprintln!("replay: {replay}");
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}

fn add(t: &mut TrialReport, r: &TrialReport) {
    t.kills += r.kills;
    t.pauses += r.pauses;
    t.petitions += r.petitions;
    t.decrees += r.decrees;
    t.void_repeats += r.void_repeats;
    t.membership.extend(r.membership.iter().cloned());
    t.violations.extend(r.violations.iter().cloned());
    let (m, n) = (&mut t.mischief, &r.mischief);
    m.garbage += n.garbage;
    m.halves += n.halves;
    m.editor_saves += n.editor_saves;
    m.rewrites += n.rewrites;
    m.bom_crlf += n.bom_crlf;
    m.halves_in_messengers_pages += n.halves_in_messengers_pages;
    m.quotes += n.quotes;
    m.rowlike += n.rowlike;
    m.stray_ledgers += n.stray_ledgers;
    m.second_sittings += n.second_sittings;
    m.forged.extend(n.forged.iter().cloned());
}
