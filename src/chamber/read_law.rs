//! Reading the law (§3.3.4): "if one inquiry precedes another, the second never shows an earlier
//! state of the law".
//!
//! - **As of a decree**: `laws --as-of N` answers only from a ledger complete through decree N (his
//!   law book and live volume hold every decree 1..=N), the paper's "legal as of decree 277". The
//!   answer for N never changes: every complete ledger holds the same decrees (agreement).
//! - **Fresh**: `laws --fresh` passes a read decree, a petition that makes no law (like an
//!   olive-day decree), and answers as of the decree number it passed under. It was proposed after
//!   the command started, so every decree passed before then has a lower number (§3.2's decree
//!   order), and a later read passes a later read decree: reads are monotonic. The paper's other
//!   way, the president's lease (a bureaucrat's term, §3.3.3), would answer without a ballot but
//!   needs clocks that agree within a bound; priests on several computers share only a folder,
//!   whose times (an sftp mtime is in whole seconds) promise no such bound, so a read decree it is.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::books::Roll;
use crate::books::layout::LEDGERS;
use crate::books::statute::Chamber;
use crate::files::FolderWatcher;
use crate::priest::{Decree, DecreeNo, PetitionId, PriestId};

pub use crate::books::statute::{READ_PREFIX, READ_TEXT, is_read_decree};

/// A priest whose ledger is complete through decree `n`: the one whose book runs furthest.
pub fn complete_through(chamber: &Chamber, n: DecreeNo) -> Option<PriestId> {
    let furthest = chamber.ledgers.iter().enumerate().max_by_key(|(_, f)| f.durable.known)?;
    (furthest.1.durable.known >= n).then_some(PriestId(furthest.0 as u16))
}

/// The statute book through decree `n`, from a ledger complete through it; the error says how far
/// the furthest ledger runs.
pub fn as_of(chamber: &Chamber, n: DecreeNo) -> Result<(PriestId, Vec<(DecreeNo, Decree)>), String> {
    let Some(p) = complete_through(chamber, n) else {
        let furthest = chamber.ledgers.iter().map(|f| f.durable.known).max().unwrap_or(0);
        return Err(format!(
            "no ledger is complete through decree {n}: the furthest runs without a gap through decree {furthest}"
        ));
    };
    let decrees = &chamber.ledgers[p.index()].durable.decrees;
    Ok((p, decrees.range(..=n).map(|(no, d)| (*no, d.clone())).collect()))
}

/// Passes a read decree through the president (or the last priest on the roll) and waits, up to
/// `timeout`, until it is in a ledger; returns its number. `chamber` is refreshed as it waits.
pub fn pass_read_decree(
    dir: &Path,
    roll: &Roll,
    chamber: &mut Chamber,
    from: &str,
    timeout: Duration,
) -> anyhow::Result<DecreeNo> {
    let started = Instant::now();
    let mut watcher = FolderWatcher::new()?;
    watcher.watch_folder(dir.join(LEDGERS))?;
    let to = chamber
        .president()
        .map_or_else(|| roll.names()[roll.len() - 1].clone(), |p| roll.name(p).to_string());
    let nonce = format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
    let id = format!("{READ_PREFIX}{from}-{nonce}");
    super::god::petition(dir, roll, &to, from, &id, READ_TEXT)?;
    let wanted = PetitionId(id.as_str().into());
    loop {
        chamber.refresh()?;
        if let Some(no) = chamber.ledgers.iter().find_map(|f| f.durable.passed.get(&wanted)) {
            return Ok(*no);
        }
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            let stopped: Vec<(&String, u32)> = roll
                .names()
                .iter()
                .filter_map(|n| {
                    super::sitting::held_by(dir, n).and_then(|h| super::sitting::stopped(&h)).map(|p| (n, p))
                })
                .collect();
            if !stopped.is_empty() {
                // A stopped process holds its priests' sitting locks: convening again is refused.
                let names: Vec<&str> = stopped.iter().map(|(n, _)| n.as_str()).collect();
                let mut pids: Vec<u32> = stopped.iter().map(|&(_, p)| p).collect();
                pids.sort();
                pids.dedup();
                let pids: Vec<String> = pids.iter().map(|p| p.to_string()).collect();
                bail!(
                    "the read decree ({id}, handed to {to}) did not pass within {} s: {} sit but stopped (SIGSTOP) and answer nothing; continue them: kill -CONT {}",
                    timeout.as_secs_f64(),
                    names.join(", "),
                    pids.join(" ")
                );
            }
            bail!(
                "the read decree ({id}, handed to {to}) did not pass within {} s: is the Chamber sitting? (parliament convene --stay)",
                timeout.as_secs_f64()
            );
        }
        // Woken by any ledger's change; at least every 50 ms, in case a wake-up was missed.
        let _ = watcher.wait(left.min(Duration::from_millis(50)));
    }
}

/// Waits, up to `timeout`, until some ledger is complete through decree `n`.
pub fn wait_complete_through(
    chamber: &mut Chamber,
    dir: &Path,
    n: DecreeNo,
    timeout: Duration,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut watcher = FolderWatcher::new()?;
    watcher.watch_folder(dir.join(LEDGERS))?;
    loop {
        chamber.refresh()?;
        if complete_through(chamber, n).is_some() {
            return Ok(());
        }
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            bail!("no ledger came to be complete through decree {n} within {} s", timeout.as_secs_f64());
        }
        let _ = watcher.wait(left.min(Duration::from_millis(50)));
    }
}
