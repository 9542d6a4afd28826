//! A priest who lost his ledger must never vote again (§1.1: the priests' ledgers were written in
//! indelible ink because a priest who forgot a promise could break it; §3.3.6 is the paper's way
//! back, a new priest admitted by decree). A ledger deleted and made again, even empty or with its
//! header alone, looks like a new priest's. It is not, if his messengers ever carried a message
//! of his: every promise and vote is written in his ledger before the message that tells it leaves
//! (§2.3), so a page written by him means his ledger once held rows, and the empty one is a
//! replacement with his promises gone.

use std::fs;
use std::path::Path;

use crate::books::Roll;
use crate::books::book_rows::{BookEntry, CONTINUED, book_row_kind, parse_book_row};
use crate::books::layout::{page_file, page_path};

/// The messages that tell a ledger row (a ballot tried, a promise, a vote, a decree): a petition
/// handed on or an inquiry tells none, and a priest with an empty ledger sends those.
const TOLD_FROM_HIS_LEDGER: [&str; 6] =
    ["NextBallot", "LastVote", "BeginBallot", "Voted", "Success", "Rejected"];

/// The first page of another priest's messagebook holding a message from `name` that tells a row
/// of his ledger, if any: the proof that his ledger held rows, so one with none is not his.
pub fn spoke_before(dir: &Path, roll: &Roll, name: &str) -> Option<String> {
    roll.names().iter().filter(|to| to.as_str() != name).find_map(|to| {
        let mut text = fs::read_to_string(page_path(dir, to, name)).ok()?;
        // A page he closed (§3.3.2) holds what he said before: follow the `Continued` rows back.
        for _ in 0..=MAX_CLOSED_PAGES_READ {
            let told = text
                .lines()
                .skip(1)
                .any(|l| book_row_kind(l).is_some_and(|k| TOLD_FROM_HIS_LEDGER.contains(&k)));
            if told {
                return Some(page_file(to, name));
            }
            let first = text.lines().nth(1).filter(|l| book_row_kind(l) == Some(CONTINUED))?;
            let Ok(BookEntry::Continued { closed, .. }) = parse_book_row(roll, first) else { return None };
            text = fs::read_to_string(dir.join(closed)).ok()?;
        }
        None
    })
}

/// How many closed pages of one messagebook the check reads back before giving up.
const MAX_CLOSED_PAGES_READ: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::book_rows::BOOK_HEADER;
    use crate::chamber::god::lay_out;

    #[test]
    fn a_page_with_a_message_of_his_is_the_proof_a_header_alone_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let roll = lay_out(dir.path(), &crate::names::chamber_names(3), true).unwrap();
        let page = page_path(dir.path(), "Lynch", "Dwork");
        assert_eq!(spoke_before(dir.path(), &roll, "Dwork"), None, "a new Chamber");
        fs::write(&page, format!("{BOOK_HEADER}\n")).unwrap();
        assert_eq!(spoke_before(dir.path(), &roll, "Dwork"), None, "a page begun, nothing in it");
        fs::write(
            &page,
            format!("{BOOK_HEADER}\n,Dwork,Petition,Handed on\n2026-01-01T00:00:00.000Z,Dwork,Inquiry,,1\n"),
        )
        .unwrap();
        assert_eq!(
            spoke_before(dir.path(), &roll, "Dwork"),
            None,
            "a petition handed on and an inquiry tell no row"
        );
        fs::write(&page, format!("{BOOK_HEADER}\n2026-01-01T00:00:00.000Z,Dwork,Voted,,1,1.Toueg\n"))
            .unwrap();
        assert_eq!(spoke_before(dir.path(), &roll, "Dwork"), Some("messagebooks/Lynch/Dwork.csv".into()));
        assert_eq!(spoke_before(dir.path(), &roll, "Lynch"), None, "a page in his own book is not his");
    }

    /// Once his messenger closed his page (§3.3.2), the live page may hold no message that tells
    /// a row: the closed page it continues still proves he spoke.
    #[test]
    fn a_page_he_closed_still_proves_he_spoke() {
        let dir = tempfile::tempdir().unwrap();
        let roll = lay_out(dir.path(), &crate::names::chamber_names(3), true).unwrap();
        let page = page_path(dir.path(), "Lynch", "Dwork");
        fs::write(&page, format!("{BOOK_HEADER}\n2026-01-01T00:00:00.000Z,Dwork,Voted,,1,1.Toueg\n"))
            .unwrap();
        crate::chamber::page_close::close_page(dir.path(), "Lynch", "Dwork").unwrap();
        crate::chamber::page_close::close_page(dir.path(), "Lynch", "Dwork").unwrap();
        let live = fs::read_to_string(&page).unwrap();
        assert!(!live.contains("Voted"), "the live page holds only its Continued row: {live}");
        assert_eq!(spoke_before(dir.path(), &roll, "Dwork"), Some("messagebooks/Lynch/Dwork.csv".into()));
    }
}
