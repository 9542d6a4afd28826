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
use crate::books::book_rows::book_row_kind;
use crate::books::layout::{page_file, page_path};

/// The messages that tell a ledger row (a ballot tried, a promise, a vote, a decree): a petition
/// handed on or an inquiry tells none, and a priest with an empty ledger sends those.
const TOLD_FROM_HIS_LEDGER: [&str; 6] =
    ["NextBallot", "LastVote", "BeginBallot", "Voted", "Success", "Rejected"];

/// The first page of another priest's messagebook holding a message from `name` that tells a row
/// of his ledger, if any: the proof that his ledger held rows, so one with none is not his.
pub fn spoke_before(dir: &Path, roll: &Roll, name: &str) -> Option<String> {
    roll.names().iter().filter(|to| to.as_str() != name).find_map(|to| {
        let text = fs::read_to_string(page_path(dir, to, name)).ok()?;
        let told =
            text.lines().skip(1).any(|l| book_row_kind(l).is_some_and(|k| TOLD_FROM_HIS_LEDGER.contains(&k)));
        told.then(|| page_file(to, name))
    })
}

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
}
