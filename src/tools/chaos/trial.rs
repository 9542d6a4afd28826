//! One chaos trial: convene priest processes, torment them while petitions arrive, heal, check.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::careless::{FORGED, Mischief};
use crate::audit::{self, Check, Severity};
use crate::books::Roll;
use crate::books::layout::{book_dir, ledger_path};
use crate::books::membership::membership_text;
use crate::books::statute::Chamber;
use crate::chamber::god::{ConveneOptions, Sitting, lay_out, lay_out_priest, petition};
use crate::chamber::messenger::Faults;
use crate::names::chamber_names;
use crate::priest::Decree;
use crate::rng::Rng;

/// How a trial is set up.
#[derive(Clone, Debug)]
pub struct TrialOptions {
    /// The seed every choice of the trial is drawn from (the processes' timing is not seeded).
    pub seed: u64,
    /// How long the torment lasts.
    pub duration: Duration,
    /// Remove a priest's ledger halfway and check that he refuses to vote.
    pub lost_ledger: bool,
    /// Admit a new name by decree a third of the way in and dismiss a priest two thirds of the way
    /// (§3.3.6), while priests are killed.
    pub membership: bool,
    /// The `parliament` binary to run priests with [default: this program].
    pub exe: Option<std::path::PathBuf>,
}

/// What a trial did and found.
#[derive(Clone, Debug, Default)]
pub struct TrialReport {
    /// The seed.
    pub seed: u64,
    /// Priests killed with SIGKILL by the trial (more die by their own hand right after a sync).
    pub kills: u64,
    /// Priests paused with SIGSTOP and resumed.
    pub pauses: u64,
    /// Petitions accepted (written whole into a messagebook).
    pub petitions: u64,
    /// What the careless person did.
    pub mischief: Mischief,
    /// Decrees in the statute book at the end.
    pub decrees: u64,
    /// Void repeats the audit noticed.
    pub void_repeats: u64,
    /// The membership petitions the trial made while it tormented the Chamber (§3.3.6): a new
    /// name admitted a third of the way in, a priest dismissed two thirds of the way.
    pub membership: Vec<String>,
    /// Everything that went wrong; empty when the trial held.
    pub violations: Vec<String>,
}

/// The name a trial admits by decree (§3.3.6): the paper's new legislator.
const ADMITTED: &str = "Strong";

/// Runs one trial in `dir` (a fresh folder).
pub fn run_trial(dir: &Path, o: &TrialOptions, stop: &AtomicBool) -> anyhow::Result<TrialReport> {
    let names = chamber_names(5);
    let roll = lay_out(dir, &names, true)?;
    let mut rng = Rng::new(o.seed);
    let opts = ConveneOptions {
        dir: dir.to_path_buf(),
        names: names.clone(),
        alpha: None,
        names_given: true,
        petitions: Vec::new(),
        stay: true,
        processes: true,
        faults: Faults {
            lose: 0.05,
            duplicate: 0.05,
            delay: Some((Duration::ZERO, Duration::from_millis(20))),
            pace: Duration::ZERO,
            seed: o.seed,
        },
        narrate: false,
        timeout: Duration::from_secs(600),
        tick: Duration::from_millis(20),
        crash_after_sync: 0.002,
        exe: o.exe.clone(),
    };
    let mut sitting = Sitting::open(&opts, &roll)?;
    let mut report = TrialReport { seed: o.seed, ..TrialReport::default() };
    // Every petition made, as its citizen would make it again: the trial's own (text, id) and
    // the careless person's rows.
    let mut accepted: Vec<(String, String)> = Vec::new();
    let mut asked_at = Instant::now();
    let mut paused: Vec<(usize, Instant)> = Vec::new();
    let mut snapshots: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    let mut lost: Option<usize> = None;
    let started = Instant::now();
    let mut k = 0u64;
    let never = AtomicBool::new(false);
    while started.elapsed() < o.duration && !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = sitting.wakes.recv_timeout(Duration::from_millis(20));
        report.mischief.finish_typing()?;
        // Members by decree (§3.3.6), while priests are killed: a new name a third of the way in
        // (a place on the roll, his files, God seats him), a dismissal two thirds of the way.
        let third = o.duration / 3;
        if o.membership && report.membership.is_empty() && started.elapsed() > third {
            let (_, new) = Roll::seat(dir, ADMITTED).context("giving Strong a place on the roll")?;
            lay_out_priest(dir, ADMITTED)?;
            if new {
                let text = membership_text(ADMITTED, 1);
                let to = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another");
                let id = format!("chaos-{}-admit", o.seed);
                petition(dir, &roll, &names[to], "chaos", &id, &text)?;
                accepted.push((text.clone(), id));
                report.membership.push(text);
            }
        } else if report.membership.len() == 1 && started.elapsed() > third * 2 {
            let p = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another");
            let text = membership_text(&names[p], 0);
            let to = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another");
            let id = format!("chaos-{}-dismiss", o.seed);
            petition(dir, &roll, &names[to], "chaos", &id, &text)?;
            accepted.push((text.clone(), id));
            report.membership.push(text);
        }
        sitting.seat_new(&opts)?;
        let alive = sitting.alive(&opts, &never);
        let pids = sitting.pids();
        k += 1;
        // A citizen turns to another priest than one who has lost his ledger.
        let to = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another priest");
        let text = format!("Chaos petition {}.{k}", o.seed);
        let id = format!("chaos-{}-{k}", o.seed);
        petition(dir, &roll, &names[to], "chaos", &id, &text)?;
        accepted.push((text, id));
        if asked_at.elapsed() > Duration::from_secs(1) {
            asked_at = Instant::now();
            ask_again(dir, &roll, &names, &mut rng, &accepted, &report.mischief, lost)?;
        }
        match rng.below(40) {
            0 => {
                // Any priest seated, the one admitted too.
                let p = rng.below(pids.len() as u64) as usize;
                if let Some(pid) = pids[p].filter(|_| alive[p]) {
                    signal(pid, libc::SIGKILL);
                    report.kills += 1;
                }
            }
            1 if paused.is_empty() => {
                let p = rng.below(5) as usize;
                if let Some(pid) = pids[p] {
                    signal(pid, libc::SIGSTOP);
                    paused.push((p, Instant::now() + Duration::from_millis(100 + rng.below(600))));
                    report.pauses += 1;
                }
            }
            2..=5 => {
                let p = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another");
                let other = &names[(p + 1 + rng.below(4) as usize) % 5];
                report.mischief.act(&mut rng, dir, &names[p], other, &format!("{}.{k}", o.seed))?;
            }
            6 if report.mischief.second_sittings < 2 && rng.chance(0.1) => {
                // A second copy of a sitting priest: he must be refused at once.
                let p = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another");
                // Only a priest who sits now can be claimed twice (one just killed cannot).
                if alive[p] && crate::chamber::sitting::held_by(dir, &names[p]).is_some() {
                    second_sitting(dir, &names[p], pids[p], o.exe.as_deref(), &mut report)?;
                }
            }
            6 => {
                let p = rng.below(5) as usize;
                let bytes = fs::read(ledger_path(dir, &names[p])).unwrap_or_default();
                let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                snapshots.insert(p, bytes[..whole].to_vec());
            }
            _ => {}
        }
        paused.retain(|(p, until)| {
            if Instant::now() < *until {
                return true;
            }
            if let Some(pid) = pids[*p] {
                signal(pid, libc::SIGCONT);
            }
            false
        });
        if o.lost_ledger && lost.is_none() && started.elapsed() > o.duration / 2 {
            // Oki's ledger is deleted while he sits: he must notice before his next vote leaves,
            // leave, and refuse to vote when God brings him back.
            let p = 3;
            fs::remove_file(ledger_path(dir, &names[p])).context("removing Oki's ledger")?;
            snapshots.remove(&p);
            lost = Some(p);
        }
    }
    // Heal: the person finishes typing, everyone resumes, and every petition must pass everywhere.
    for (page, rest, _) in report.mischief.unfinished.drain(..) {
        super::careless::append(&page, &rest)?;
    }
    for (p, _) in paused.drain(..) {
        if let Some(pid) = sitting.pids()[p] {
            signal(pid, libc::SIGCONT);
        }
    }
    report.petitions = (accepted.len() + report.mischief.petitions.len()) as u64;
    let mut texts: Vec<String> = accepted.iter().map(|(t, _)| t.clone()).collect();
    // A row written into the book of the priest who then lost his ledger may be lost with him
    // (written elsewhere it would be another petition); it must still pass at most once.
    let lost_book = lost.map(|p| book_dir(dir, &names[p]));
    let kept = report
        .mischief
        .petitions
        .iter()
        .filter(|(_, book, _)| lost_book.as_ref().is_none_or(|l| !book.starts_with(l)));
    texts.extend(kept.map(|(t, _, _)| t.clone()));
    // Every priest seated must hold every petition, the one admitted too.
    sitting.seat_new(&opts)?;
    let mut chamber = Chamber::open(dir, sitting.roll());
    let deadline = Instant::now() + Duration::from_secs(120);
    let missing = loop {
        let _ = sitting.wakes.recv_timeout(Duration::from_millis(50));
        if let Some(grown) = sitting.seat_new(&opts)? {
            chamber.grow(dir, &grown);
        }
        sitting.alive(&opts, &never);
        chamber.refresh()?;
        let missing = missing_petitions(&chamber, &texts, lost);
        if missing.is_empty() || Instant::now() > deadline {
            break missing;
        }
        if asked_at.elapsed() > Duration::from_secs(1) {
            asked_at = Instant::now();
            ask_again(dir, &roll, &names, &mut rng, &accepted, &report.mischief, lost)?;
        }
    };
    let refused: Vec<bool> = sitting.pids().iter().map(Option::is_none).collect();
    sitting.dismiss();
    if !missing.is_empty() {
        report.violations.push(format!(
            "{} petitions did not pass into every ledger within 120 s of healing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(3)]
        ));
    }
    if let Some(p) = lost
        && !refused[p]
    {
        report.violations.push(format!("{} lost his ledger and was not refused a vote", names[p]));
    }
    for (p, snapshot) in &snapshots {
        // The rows are in the live volume, or in a volume closed since (§3.3.2): never rewritten.
        let volumes = crate::books::volumes::ledger_volumes(dir, &names[*p])?;
        let kept = volumes.iter().any(|(_, path)| fs::read(path).unwrap_or_default().starts_with(snapshot));
        if !kept {
            report
                .violations
                .push(format!("ledgers/{}.csv lost or changed rows it once held whole", names[*p]));
        }
    }
    check_audit(dir, &names, lost, &mut report)?;
    chamber.refresh()?;
    report.decrees = chamber.statute_book().len() as u64;
    Ok(report)
}

/// Citizens whose petitions have not passed ask again, as the paper's citizens would: a priest
/// who died took the petitions on his slip of paper with him. The same petition (the same id, or
/// the same row in the same book) is still one petition.
fn ask_again(
    dir: &Path,
    roll: &crate::chamber::Roll,
    names: &[String],
    rng: &mut Rng,
    accepted: &[(String, String)],
    mischief: &Mischief,
    lost: Option<usize>,
) -> anyhow::Result<()> {
    let mut chamber = Chamber::open(dir, roll);
    chamber.refresh()?;
    let passed: std::collections::HashSet<String> = chamber
        .statute_book()
        .values()
        .filter_map(|(d, _)| d.petition().map(|p| p.text.to_string()))
        .collect();
    for (text, id) in accepted.iter().filter(|(t, _)| !passed.contains(t)) {
        let to = (0..).map(|_| rng.below(5) as usize).find(|p| Some(*p) != lost).expect("another priest");
        petition(dir, roll, &names[to], "chaos", id, text)?;
    }
    // The careless person's rows are not written again: a petition that reached a messagebook
    // passes exactly once, even if the priest who read it was killed before it passed.
    let _ = mischief;
    Ok(())
}

/// Starts a second process as priest `name`, who already sits: it must refuse at once (exit 4).
fn second_sitting(
    dir: &Path,
    name: &str,
    first: Option<u32>,
    exe: Option<&Path>,
    report: &mut TrialReport,
) -> anyhow::Result<()> {
    let exe = match exe {
        Some(exe) => exe.to_path_buf(),
        None => std::env::current_exe()?,
    };
    let mut child = std::process::Command::new(exe)
        .args(["priest", name, "--quiet", "--dir"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let refused = loop {
        if let Some(status) = child.try_wait()? {
            break status.code() == Some(crate::exit::ALREADY_SITTING);
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Not refused: allowed only if the first had died before the second claimed him (priests
    // kill themselves right after a sync, now and then); never two sitting at once.
    let first_alive = first.is_some_and(|pid| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(") ").and_then(|(_, rest)| rest.chars().next());
        state.is_some_and(|s| s != 'Z' && s != 'X')
    });
    let _ = child.kill();
    let _ = child.wait();
    report.mischief.second_sittings += 1;
    if !refused && first_alive {
        report.violations.push(format!("a second process sat as {name} while the first still sat"));
    }
    Ok(())
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) on a priest process God spawned for this trial.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// Petitions (by text) not yet in every ledger of a priest still in the Chamber.
fn missing_petitions(chamber: &Chamber, accepted: &[String], lost: Option<usize>) -> Vec<String> {
    let mut missing = Vec::new();
    for text in accepted {
        let everywhere =
            chamber.ledgers.iter().enumerate().filter(|(i, _)| Some(*i) != lost).all(|(_, f)| {
                f.durable.decrees.values().any(|d| d.petition().is_some_and(|p| *p.text == **text))
            });
        if !everywhere {
            missing.push(text.clone());
        }
    }
    missing
}

/// The audit must find no violation but the forged rows (each named), and no ledger may hold a
/// forged decree; each petition must have passed exactly once (a void repeat is counted apart).
fn check_audit(
    dir: &Path,
    names: &[String],
    lost: Option<usize>,
    report: &mut TrialReport,
) -> anyhow::Result<()> {
    let audit = audit::audit(dir).context("auditing the trial's Chamber")?;
    let mut named = 0;
    for f in &audit.findings {
        // Nothing can vouch any more for what the priest who lost his ledger said before.
        let from_lost = lost.is_some_and(|p| {
            f.file == audit::ledger_file(&names[p])
                || f.detail.contains(&format!("from {} is not backed", names[p]))
        });
        if f.check == Check::Provenance {
            let line = fs::read_to_string(dir.join(&f.file))
                .ok()
                .and_then(|t| t.lines().nth(f.line as usize - 1).map(str::to_string))
                .unwrap_or_default();
            if report.mischief.forged.iter().any(|(_, row)| row.trim_end() == line.trim_end()) {
                named += 1;
                continue;
            }
        }
        if f.check == Check::Membership {
            continue;
        }
        if f.severity == Severity::Notice && f.detail.contains("repeat") {
            report.void_repeats += 1;
            continue;
        }
        if f.severity == Severity::Violation && !from_lost {
            report.violations.push(format!("audit: {f}"));
        }
    }
    // Rows said to be from the priest who lost his ledger cannot be checked: the audit counts them
    // in its one finding about his ledger, and names none.
    let lost_name = lost.map(|p| format!(",{},", names[p]));
    let checkable = report
        .mischief
        .forged
        .iter()
        .filter(|(_, row)| lost_name.as_ref().is_none_or(|n| !row.starts_with(n.as_str())))
        .count();
    if named < checkable {
        report
            .violations
            .push(format!("the audit named {named} of the {checkable} forged rows it could check"));
    }
    for name in names {
        let ledger = fs::read_to_string(ledger_path(dir, name)).unwrap_or_default();
        if ledger.contains(FORGED) {
            report.violations.push(format!("ledgers/{name}.csv acted on a forged row"));
        }
    }
    let roll = crate::chamber::Roll::new(names.to_vec()).map_err(anyhow::Error::msg)?;
    let mut chamber = Chamber::open(dir, &roll);
    chamber.refresh()?;
    let mut passed: BTreeMap<String, u64> = BTreeMap::new();
    for (decree, _) in chamber.statute_book().values() {
        if let Decree::Law(p) = decree {
            *passed.entry(p.text.to_string()).or_default() += 1;
        }
    }
    for text in passed.keys() {
        let spliced =
            report.mischief.never.iter().find(|(tag, whole)| text.contains(tag.as_str()) && text != whole);
        if let Some((tag, _)) = spliced {
            report.violations.push(format!("decree {text:?} holds {tag:?} spliced with a messenger's row"));
        }
    }
    let twice = passed.values().filter(|&&n| n > 1).count() as u64;
    if twice > report.void_repeats {
        report.violations.push(format!(
            "{twice} petitions are carried by two decrees, but only {} void repeats were noticed",
            report.void_repeats
        ));
    }
    Ok(())
}
