//! The audit of law books (§3.3.2): each priest's law book must be exactly the decrees it
//! summarises, the statute book the ledgers hold, page by page, from decree 1 without a gap.
//!
//! A law book decree that another ledger holds otherwise breaks agreement; one that no ledger
//! volume holds is a warning (a `Decree` row is not synced on its own, `Record::needs_sync`, so a
//! crash of the machine may take it while the law page written from it stays).

use std::collections::BTreeMap;
use std::path::Path;

use super::{AuditError, Check, Finding, Severity};
use crate::books::lawbook::{law_book, read_law_page};
use crate::priest::{Decree, DecreeNo};
use crate::rules::Rule;

/// Checks every priest's law book against the statute book the ledgers hold (decree number →
/// the priest, the line and the decree of the first ledger row holding it).
pub fn check_law_books(
    dir: &Path,
    roll: &crate::books::Roll,
    statute: &BTreeMap<DecreeNo, (usize, u64, Decree)>,
) -> Result<Vec<Finding>, AuditError> {
    let mut findings = Vec::new();
    for name in roll.names() {
        let book =
            law_book(dir, name).map_err(|source| AuditError::Io { path: dir.to_path_buf(), source })?;
        let file_of = |path: &Path| path.strip_prefix(dir).unwrap_or(path).display().to_string();
        for stray in &book.strays {
            findings.push(Finding {
                severity: Severity::Warning,
                check: Check::Health,
                file: file_of(stray),
                line: 0,
                detail: "a law page that does not follow on from the pages before it; not in his law book"
                    .to_string(),
            });
        }
        for (first, last, path) in &book.pages {
            let file = file_of(path);
            let laws = match read_law_page(roll, path, *first, *last) {
                Ok(laws) => laws,
                Err(why) => {
                    let detail = format!("{why}; the law book is damaged");
                    findings.push(Finding {
                        severity: Severity::Violation,
                        check: Check::Health,
                        file,
                        line: 0,
                        detail,
                    });
                    continue;
                }
            };
            for (i, (no, decree)) in laws.iter().enumerate() {
                let line = i as u64 + 2;
                let (severity, detail) = match statute.get(no) {
                    Some((_, _, held)) if held == decree => continue,
                    Some((holder, held_at, held)) => (
                        Severity::Violation,
                        format!(
                            "decree {no} is {decree} here, but ledger of {} line {held_at} holds {held}",
                            roll.names()[*holder]
                        ),
                    ),
                    None => (
                        Severity::Warning,
                        format!(
                            "decree {no} is in no ledger volume (a Decree row lost in a crash of the machine?)"
                        ),
                    ),
                };
                let check = Check::Rule(Rule::Agreement);
                findings.push(Finding { severity, check, file: file.clone(), line, detail });
            }
        }
    }
    Ok(findings)
}
