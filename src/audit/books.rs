//! One pass over a priest's messagebook for the audit: the petitions made in it, the provenance of
//! every message row (is it backed by its sender's ledger? §2.3: every message is a pure function of
//! the sender's ledger), and the LastVotes that reached him as president.
//!
//! BeginBallot rows need no B3 check of their own: one is backed only if its president's ledger
//! holds his own vote in that ballot for that very decree, and those votes are all checked; one not
//! backed is reported here, as forged.

use std::collections::HashMap;
use std::path::Path;

use super::ballots::{Presidency, Source};
use super::scan::{BookRow, LedgerScan, scan_book};
use super::{AuditError, Check, Finding, Severity};
use crate::books::Roll;
use crate::books::backing::LedgerIndex;
use crate::books::book_rows::{BookEntry, petition_from};
use crate::books::layout::ledger_file;
use crate::priest::{BallotNumber, Message, Petition, PriestId};
use crate::rules::{Rule, last_vote_told};

/// What one messagebook showed.
#[derive(Debug, Default)]
pub struct BookPass {
    /// Petitions made in it (an id given, or `<priest>/<page>:<fingerprint>`).
    pub petitions: Vec<Petition>,
    /// Rows read.
    pub rows: u64,
    /// Rows written by hand or forged, and bad rows.
    pub findings: Vec<Finding>,
    /// Message rows said to be from each priest whose ledger is missing: they cannot be checked.
    pub unchecked: Vec<u64>,
}

/// Reads the messagebook of `owner`, page by page, checking each message against its sender's
/// ledger (its index for provenance, its rows for what a LastVote tells), and taking the LastVotes
/// for his own ballots into his presidencies.
pub fn read_book(
    dir: &Path,
    roll: &Roll,
    owner: PriestId,
    ledgers: &[LedgerIndex],
    sender_rows: &[LedgerScan],
    presidencies: &mut HashMap<BallotNumber, Presidency>,
) -> Result<BookPass, AuditError> {
    let name = roll.name(owner);
    let mut pass = BookPass::default();
    let mut forged = Vec::new();
    let mut told = Vec::new();
    let mut unchecked = vec![0; roll.len()];
    let (warnings, rows) = scan_book(dir, roll, name, |row: BookRow| match row.entry {
        BookEntry::Continued { .. } => {}
        BookEntry::Petition { text, id, print, .. } => {
            pass.petitions.push(petition_from(roll, &format!("{name}/{}", row.page), print, &text, &id))
        }
        BookEntry::Message { from, message } => {
            if let Some(owner_of_page) = roll.id(&row.page)
                && owner_of_page != from
            {
                let detail = format!(
                    "{} said to be from {} in {}'s page, which only {}'s messenger writes; written by hand or forged",
                    message.kind(),
                    roll.name(from),
                    row.page,
                    row.page
                );
                forged.push((row.file, row.line, detail));
                return;
            }
            if sender_rows[from.index()].missing {
                // Nothing can vouch for what he said, nor disprove it: counted in the one finding
                // about his ledger. His LastVotes are still what his president was told (his
                // majority set may have needed him), so they are heard below.
                unchecked[from.index()] += 1;
            } else {
                if let Err(why) = backed(roll, owner, from, ledgers, &message) {
                    forged.push((row.file, row.line, why));
                    return;
                }
                // The rule of §2.3 step 2, against the sender's whole ledger (issue 17).
                let sender = &sender_rows[from.index()];
                let rows = sender.rows.iter().map(|(_, r)| r).chain(&sender.law_book);
                if let Err(v) = last_vote_told(from, rows, &message, roll.names()) {
                    told.push((row.file.clone(), row.line, v.detail));
                }
            }
            match message {
                Message::LastVote { ballot, votes, decrees, .. } if ballot.priest == owner => {
                    if let Some(p) = presidencies.get_mut(&ballot) {
                        let source = Source { from, file: row.file, line: row.line };
                        p.hear(&votes, &decrees, source);
                    }
                }
                _ => {}
            }
        }
    })?;
    pass.rows = rows;
    pass.findings = warnings;
    pass.unchecked = unchecked;
    pass.findings.extend(forged.into_iter().map(|(file, line, detail)| Finding {
        severity: Severity::Violation,
        check: Check::Provenance,
        file,
        line,
        detail,
    }));
    pass.findings.extend(told.into_iter().map(|(file, line, detail)| Finding {
        severity: Severity::Violation,
        check: Check::Rule(Rule::LastVote),
        file,
        line,
        detail,
    }));
    Ok(pass)
}

/// Whether `from`'s whole ledger backs a message found in `owner`'s book; if not, why, and
/// whether `owner` acted on it anyway (he should not have: a priest acts only on backed rows).
fn backed(
    roll: &Roll,
    owner: PriestId,
    from: PriestId,
    ledgers: &[LedgerIndex],
    message: &Message,
) -> Result<(), String> {
    let (kind, sender) = (message.kind(), roll.name(from));
    if from == owner {
        return Err(format!(
            "{kind} said to be from {sender} in his own messagebook; a priest's own messages never pass through it, so it was written by hand or forged"
        ));
    }
    let Err(why) = ledgers[from.index()].backs(message) else { return Ok(()) };
    let file = ledger_file(sender);
    // A Success for a decree his ledger holds otherwise: either this row was forged, or his
    // Decree row was changed after he sent it (then the agreement finding names that row).
    let how = match message {
        Message::Success { decree_no, .. } if why.starts_with("his ledger has decree") => format!(
            "written by hand or forged, or his ledger's row for decree {decree_no} was changed after he sent it \
             (if so, an agreement finding names it in {file})"
        ),
        _ => "written by hand or forged".to_string(),
    };
    let mut detail = format!("{kind} said to be from {sender} is not backed by {file}: {why}; {how}");
    detail.push_str(&acted_on(roll, owner, &ledgers[owner.index()], message));
    Err(detail)
}

/// Whether the receiver's ledger holds what a BeginBallot or Success would have made him write.
fn acted_on(roll: &Roll, owner: PriestId, own: &LedgerIndex, message: &Message) -> String {
    let (name, ledger) = (roll.name(owner), ledger_file(roll.name(owner)));
    match message {
        Message::BeginBallot { ballot, decree_no, .. } => {
            // Acting on it would have written his vote in that ballot.
            if own.backs(&Message::Voted { ballot: *ballot, decree_no: *decree_no }).is_ok() {
                format!("; {ledger} holds {name}'s vote in that ballot (from this row or a genuine one)")
            } else {
                format!("; {ledger} holds no vote in that ballot, so {name} did not act on it")
            }
        }
        Message::Success { decree_no, decree } => {
            let success = Message::Success { decree_no: *decree_no, decree: decree.clone() };
            if own.backs(&success).is_ok() {
                format!("; {ledger} holds that decree too (from this row or another)")
            } else {
                format!("; {ledger} does not hold that decree, so {name} did not act on it")
            }
        }
        _ => String::new(),
    }
}
