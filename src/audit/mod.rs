//! The audit: proof, from a Chamber's files alone, that the Parliament kept the paper's promises.
//!
//! Anyone handed a Chamber folder (from `convene`, `simulate --dir`, or by hand) can ask whether
//! its ledgers and messagebooks show the promises kept. Every finding names the file, the line
//! and the rule:
//!
//! 1. **Agreement**, 2. **B1**, 3. **promises kept**, 5. **validity**: every ledger row is fed at
//!    its file line through the same [`Rules`] the simulator checks after every step (§2.1, §3).
//! 4. **B3**, as the president must keep it (§2.3 step 3): every ballot begun carries the decree
//!    of the highest vote reported to it in the LastVotes that made up his majority set, or is
//!    his free choice where none was reported (see [`ballots`]).
//! 6. **Provenance**: every message row is backed by its sender's ledger (every message is a pure
//!    function of it, §2.3); one that is not was written by hand or forged. Every LastVote row is
//!    also held to the **last vote** rule (§2.3 step 2): it tells, for each decree number above n,
//!    exactly the sender's latest vote below its ballot ([`crate::rules::last_vote_told`]).
//! 7. **Ledger health**: the header, every row parses, promises never go backwards, times never go
//!    backwards; a torn last row, or a row voided by a `Torn` row, is a warning, not damage.
//!
//! A petition carried by two decrees is a void repeat (README, "Void repeats"): a notice, not a
//! violation.

/// B3 as the president keeps it, from the LastVotes that reached him.
pub mod ballots;
/// One pass over each messagebook: petitions, provenance, LastVotes, ballots begun.
mod books;
/// Law books against the statute book the ledgers hold (§3.3.2).
mod lawbooks;
/// Reading ledgers and messagebooks row by row, with their file lines, and ledger health.
pub mod scan;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::books::Roll;
use crate::books::backing::LedgerIndex;
use crate::priest::{Decree, DecreeNo, PetitionId, PriestId, Record};
use crate::rules::{Rule, Rules};

/// Which check a finding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// One of the rules the simulator also checks (agreement, B1, promises kept, B3, validity, last vote).
    Rule(Rule),
    /// A message row its sender's ledger does not back.
    Provenance,
    /// The shape of a ledger or messagebook: header, rows that parse, order, torn rows.
    Health,
    /// A membership decree (§3.3.6): who it seats or dismisses, and from which decree on.
    Membership,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Rule(rule) => write!(f, "{rule}"),
            Check::Provenance => f.write_str("provenance"),
            Check::Health => f.write_str("ledger health"),
            Check::Membership => f.write_str("membership"),
        }
    }
}

/// How bad a finding is: only violations make the audit fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A promise broken, or a file that cannot be trusted.
    Violation,
    /// Something a person should look at that breaks no promise (a row torn by a crash).
    Warning,
    /// Worth knowing, and expected (a void repeat).
    Notice,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Violation => "violation",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        })
    }
}

/// One thing the audit found: where (a file under the Chamber's folder, a line), which check,
/// how bad, and what was wrong in the paper's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// The check that found it.
    pub check: Check,
    /// The file, relative to the Chamber's folder: `ledgers/Lynch.csv`.
    pub file: String,
    /// The line the row begins on, counting the header as line 1; 0 for the file as a whole.
    pub line: u64,
    /// What was wrong and, where it helps, what was expected.
    pub detail: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0 is the file (or folder) as a whole.
        let line = if self.line == 0 { String::new() } else { format!(" line {}", self.line) };
        write!(f, "{}{line}: {} ({}): {}", self.file, self.check, self.severity, self.detail)
    }
}

/// What the audit read and found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The priests on the roll, in id order.
    pub priests: Vec<String>,
    /// Ledger rows read (rows that parse, torn ones left out).
    pub ledger_rows: u64,
    /// Messagebook rows read.
    pub book_rows: u64,
    /// Distinct decree numbers any ledger holds.
    pub decrees: u64,
    /// Petitions made (Petition rows with distinct ids).
    pub petitions: u64,
    /// Everything found, violations first, then by file and line.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The violations alone.
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Violation)
    }

    /// Whether every promise held (warnings and notices allowed).
    pub fn holds(&self) -> bool {
        self.violations().next().is_none()
    }

    /// ripgrep's convention: 0 when everything held, 1 when something was violated.
    pub fn exit_code(&self) -> i32 {
        if self.holds() { 0 } else { 1 }
    }
}

/// Why the folder could not be audited at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// No `ledgers/*.csv` or `messagebooks/*.csv` under the folder.
    #[error(
        "{0} holds no Chamber: no roll.csv; expected the folder `convene --dir` or `simulate --dir` wrote"
    )]
    NoChamber(PathBuf),
    /// A file or folder could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

pub use crate::books::layout::ledger_file;

/// Audits the Chamber in `dir`: reads every ledger and messagebook and runs every check.
pub fn audit(dir: &Path) -> Result<Report, AuditError> {
    let io_error = |source| AuditError::Io { path: dir.to_path_buf(), source };
    if !dir.is_dir() {
        let what = if dir.exists() { "a file, not a folder" } else { "no such folder" };
        let why = io::Error::new(io::ErrorKind::NotFound, what);
        return Err(io_error(why));
    }
    let roll = Roll::read(dir).map_err(io_error)?.ok_or_else(|| AuditError::NoChamber(dir.into()))?;
    let names = roll.names().to_vec();
    // Each ledger is read, indexed for provenance and searched for ballots tried on its own thread.
    let read = |i: usize| -> Result<_, AuditError> {
        let (p, name) = (PriestId(i as u16), roll.name(PriestId(i as u16)));
        let mut scan = scan::scan_ledger(dir, &roll, name)?;
        let mut index = LedgerIndex::default();
        let mut durable = crate::priest::Durable::default();
        let mut tried = ballots::Tried::new(p, name);
        for (line, record) in &scan.rows {
            index.add(record);
            durable.apply(record);
            tried.row(*line, record, &durable);
        }
        // His law book is his written record too (§3.3.2): a Success he sent from it is backed.
        // (Whether it holds the right decrees is `lawbooks::check_law_books`'s business.)
        let io_error = |source| AuditError::Io { path: dir.to_path_buf(), source };
        let book = crate::books::lawbook::law_book(dir, name).map_err(io_error)?;
        for (decree_no, decree) in crate::books::lawbook::read_law_book(&roll, &book, 1).unwrap_or_default() {
            let law = Record::Decree { decree_no, decree };
            index.add(&law);
            scan.law_book.push(law);
        }
        Ok((scan, index, tried.ballots))
    };
    let read: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..names.len()).map(|i| s.spawn(move || read(i))).collect();
        handles.into_iter().map(|h| h.join().expect("a ledger reader panicked")).collect::<Vec<_>>()
    })
    .into_iter()
    .collect::<Result<_, _>>()?;
    let (mut ledgers, mut indexes, mut presidencies) = (Vec::new(), Vec::new(), Vec::new());
    for (scan, index, tried) in read {
        ledgers.push(scan);
        indexes.push(index);
        presidencies.push(tried);
    }
    let books: Vec<books::BookPass> = std::thread::scope(|s| {
        let handles: Vec<_> = presidencies
            .iter_mut()
            .enumerate()
            .map(|(i, own)| {
                let (roll, indexes, rows) = (&roll, &indexes, &ledgers);
                s.spawn(move || books::read_book(dir, roll, PriestId(i as u16), indexes, rows, own))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a messagebook reader panicked")).collect::<Vec<_>>()
    })
    .into_iter()
    .collect::<Result<_, _>>()?;
    let mut report = Report { priests: names.clone(), ..Report::default() };
    // The roll in force for each number (§3.3.6): the roll as laid out, α, and the membership
    // decrees the ledgers and law books hold, each at the first decree carrying its petition.
    let alpha = crate::books::settings::Settings::read(dir).map_err(io_error)?.alpha;
    let roll_law = {
        let mut decrees: BTreeMap<DecreeNo, &Decree> = BTreeMap::new();
        for l in &ledgers {
            let rows = l.rows.iter().map(|(_, r)| r).chain(&l.law_book);
            for r in rows {
                if let Record::Decree { decree_no, decree } = r {
                    decrees.entry(*decree_no).or_insert(decree);
                }
            }
        }
        let mut law = crate::priest::RollLaw::new(crate::priest::Weights(roll.weights().to_vec()), alpha);
        let mut seen = std::collections::BTreeSet::new();
        for (no, d) in decrees {
            if let Some(p) = d.petition()
                && seen.insert(p.id.clone())
                && let Some(change) = p.change
            {
                law.note(no, change);
            }
        }
        law
    };
    let mut rules =
        Rules::with_roll(roll.weights().to_vec(), alpha).with_names(names.clone()).agreement_at_end();
    // A ledger lost takes its votes with it: a decree its priest's vote made law cannot be shown
    // to have had a majority set, nor to have lacked one.
    let lost: Vec<String> =
        ledgers.iter().enumerate().filter(|(_, l)| l.missing).map(|(i, _)| ledger_file(&names[i])).collect();
    let mut begun = Vec::new();
    let mut petitions = std::collections::BTreeSet::new();
    for (i, l) in ledgers.iter().enumerate() {
        begun.extend(ballots::own_votes(&roll, PriestId(i as u16), &l.rows));
    }
    let mut unchecked = vec![0u64; names.len()];
    for book in books {
        for (sender, n) in book.unchecked.iter().enumerate() {
            unchecked[sender] += n;
        }
        for petition in &book.petitions {
            rules.petition_made(petition);
            petitions.insert(petition.id.clone());
        }
        report.book_rows += book.rows;
        report.findings.extend(book.findings);
    }
    report.petitions = petitions.len() as u64;
    report.findings.extend(ballots::check_begun(&roll, &roll_law, &presidencies, begun));
    let mut statute: BTreeMap<DecreeNo, (usize, u64, Decree)> = BTreeMap::new();
    // The file (a ledger or one of its volumes) each Decree row was read from, by priest and line.
    let mut decree_files: BTreeMap<(usize, u64), String> = BTreeMap::new();
    for (i, mut l) in ledgers.into_iter().enumerate() {
        report.ledger_rows += l.rows.len() as u64;
        if let Some(f) = l.findings.iter_mut().find(|f| l.missing && f.line == 0) {
            f.detail.push_str(&format!(
                "; the {} said to be from him in the messagebooks cannot be checked",
                crate::words::count(unchecked[i], "message row")
            ));
        }
        report.findings.extend(std::mem::take(&mut l.findings));
        for (k, (line, record)) in l.rows.iter().enumerate() {
            if let Record::Decree { decree_no, decree } = record {
                statute.entry(*decree_no).or_insert_with(|| (i, *line, decree.clone()));
                decree_files.insert((i, *line), l.file_of(k).to_string());
            }
            if let Err(v) = rules.observe_row(PriestId(i as u16), *line as usize, record) {
                let (severity, check) = (Severity::Violation, Check::Rule(v.rule));
                report.findings.push(Finding {
                    severity,
                    check,
                    file: l.file_of(k).to_string(),
                    line: *line,
                    detail: v.detail,
                });
            }
        }
    }
    // Agreement, once every row is read: the row that differs from the decree the others hold
    // and a majority set voted for is blamed, whichever ledger was read first; the statute book
    // is the decree agreed on.
    for v in rules.disagreements() {
        let (i, line) = (v.priest.index(), v.row as u64);
        report.findings.push(Finding {
            severity: Severity::Violation,
            check: Check::Rule(v.rule),
            file: decree_files.get(&(i, line)).cloned().unwrap_or_else(|| ledger_file(&names[i])),
            line: v.row as u64,
            detail: v.detail,
        });
    }
    for (no, held) in statute.iter_mut() {
        if let Some((decree, priest, line)) = rules.agreed(*no) {
            *held = (priest.index(), *line as u64, decree.clone());
        }
    }
    // Every decree voted by a majority set of the roll in force for its number, once every row
    // is read (§3.3.6).
    for v in rules.unbacked() {
        let file = ledger_file(&names[v.priest.index()]);
        let (severity, detail) = if lost.is_empty() {
            (Severity::Violation, v.detail)
        } else {
            let why = format!("{}; {} missing, so its votes cannot be counted", v.detail, lost.join(", "));
            (Severity::Warning, why)
        };
        report.findings.push(Finding {
            severity,
            check: Check::Rule(v.rule),
            file,
            line: v.row as u64,
            detail,
        });
    }
    report.findings.extend(lawbooks::check_law_books(dir, &roll, &statute)?);
    report.decrees = statute.len() as u64;
    // Files the roll does not know: named, as every reader ignores them.
    for stray in roll.strays(dir) {
        let (file, detail) = stray.split_once(": ").unwrap_or((&stray, ""));
        report.findings.push(Finding {
            severity: Severity::Warning,
            check: Check::Health,
            file: file.to_string(),
            line: 0,
            detail: detail.to_string(),
        });
    }
    report.findings.extend(void_repeats(&names, &statute));
    report.findings.extend(membership_decrees(&names, alpha, &statute));
    report.findings.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    Ok(report)
}

/// A notice for every membership decree (§3.3.6), at the first ledger row holding it: whom it
/// seats or dismisses, and from which decree on (a void repeat changes nothing).
fn membership_decrees(
    names: &[String],
    alpha: u64,
    statute: &BTreeMap<DecreeNo, (usize, u64, Decree)>,
) -> Vec<Finding> {
    let mut seen = std::collections::BTreeSet::new();
    let mut notices = Vec::new();
    for (no, (holder, line, decree)) in statute {
        let Some(p) = decree.petition() else { continue };
        if !seen.insert(&p.id) {
            continue;
        }
        let Some(change) = p.change else { continue };
        let name = names.get(change.priest.index()).map_or("?", String::as_str);
        let what = if change.weight == 0 {
            format!("{name} is no legislator")
        } else {
            format!("{name} is a legislator of weight {}", change.weight)
        };
        notices.push(Finding {
            severity: Severity::Notice,
            check: Check::Membership,
            file: ledger_file(&names[*holder]),
            line: *line,
            detail: format!(
                "decree {no}, {:?}: {what} from decree {} on (alpha {alpha})",
                &*p.text,
                no + alpha
            ),
        });
    }
    notices
}

/// A notice for every decree that repeats a petition already passed under a lower number, at the
/// first ledger row holding it (README, "Void repeats": not a violation).
fn void_repeats(names: &[String], statute: &BTreeMap<DecreeNo, (usize, u64, Decree)>) -> Vec<Finding> {
    let mut first: BTreeMap<&PetitionId, DecreeNo> = BTreeMap::new();
    let mut notices = Vec::new();
    for (no, (holder, line, decree)) in statute {
        let Some(p) = decree.petition() else { continue };
        match first.get(&p.id) {
            None => {
                first.insert(&p.id, *no);
            }
            Some(earlier) => notices.push(Finding {
                severity: Severity::Notice,
                check: Check::Rule(Rule::Validity),
                file: ledger_file(&names[*holder]),
                line: *line,
                detail: format!(
                    "decree {no} repeats petition {}, already passed as decree {earlier}: a void repeat, \
                     given no effect (README: Void repeats)",
                    p.id
                ),
            }),
        }
    }
    notices
}
