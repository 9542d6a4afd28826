//! Catching up from a law book (§3.3.2), on files: a priest who lacks decrees that no other priest
//! keeps in the back of his ledger any more (they are only in the others' law books) copies them
//! from the furthest law book into a page of his own, synced before he relies on it, instead of
//! asking for one Success per decree. The decrees he already holds must agree with it; what
//! remains past it, the back of the others' ledgers, comes by Inquiry and Success as before.

use std::io;
use std::path::Path;

use crate::books::Roll;
use crate::books::lawbook::{law_book, read_law_book, write_law_page};
use crate::priest::{DecreeNo, Priest};

/// What catching up did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CaughtUp {
    /// Whose law book he copied from.
    pub from: String,
    /// His law book now runs through this decree.
    pub through: DecreeNo,
    /// Decrees copied.
    pub decrees: usize,
}

/// If another priest's law book runs past every decree `priest` knows, copies what his own law
/// book lacks of it into a new page of his (synced), and has him adopt it. None if nobody's law
/// book runs past what he knows.
pub fn catch_up_from_law_books(
    dir: &Path,
    roll: &Roll,
    name: &str,
    priest: &mut Priest,
) -> io::Result<Option<CaughtUp>> {
    let known = priest.durable().known;
    let mut furthest: Option<(String, crate::books::lawbook::LawBook)> = None;
    for other in roll.names().iter().filter(|n| n.as_str() != name) {
        let book = law_book(dir, other)?;
        if book.through > known && furthest.as_ref().is_none_or(|(_, b)| book.through > b.through) {
            furthest = Some((other.clone(), book));
        }
    }
    let Some((from, book)) = furthest else { return Ok(None) };
    let mine = priest.law_through();
    let laws = read_law_book(roll, &book, mine + 1).map_err(io::Error::other)?;
    for (no, decree) in &laws {
        if let Some(held) = priest.durable().decrees.get(no).filter(|held| *held != decree) {
            return Err(io::Error::other(format!(
                "lawbooks/{from}/ has decree {no} as {decree}, but his ledger holds {held}: two decrees under one number, so he will not copy it"
            )));
        }
    }
    write_law_page(dir, name, &laws)?;
    priest.adopt_law_book(book.through, &laws);
    Ok(Some(CaughtUp { from, through: book.through, decrees: laws.len() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{Config, Decree, Petition, PriestId, Record};

    fn law(no: u64) -> Decree {
        Decree::Law(Petition::new(&format!("p{no}"), &format!("Law {no}")))
    }

    /// A priest away past the back of every ledger gets the furthest law book, written as his own,
    /// and restores from it; a priest who knows as much copies nothing.
    #[test]
    fn a_priest_who_lacks_more_than_the_back_gets_a_law_book() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let laws: Vec<_> = (1..=50).map(|n| (n, law(n))).collect();
        write_law_page(dir.path(), "Toueg", &laws[..30]).unwrap();
        write_law_page(dir.path(), "Toueg", &laws[30..]).unwrap();
        write_law_page(dir.path(), "Lynch", &laws[..20]).unwrap();
        let rows: Vec<_> = (1..=5).map(|n| Record::Decree { decree_no: n, decree: law(n) }).collect();
        let mut priest = Priest::restore(PriestId(0), Config::new(3), &rows).unwrap();
        let caught = catch_up_from_law_books(dir.path(), &roll, "Fischer", &mut priest).unwrap().unwrap();
        assert_eq!(caught, CaughtUp { from: "Toueg".into(), through: 50, decrees: 50 });
        assert_eq!((priest.law_through(), priest.durable().known), (50, 50));
        let mine = law_book(dir.path(), "Fischer").unwrap();
        assert_eq!(mine.through, 50);
        assert_eq!(read_law_book(&roll, &mine, 1).unwrap(), laws);
        assert_eq!(catch_up_from_law_books(dir.path(), &roll, "Fischer", &mut priest).unwrap(), None);
    }

    #[test]
    fn a_law_book_that_disagrees_with_his_ledger_is_not_copied() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        write_law_page(dir.path(), "Toueg", &(1..=9).map(|n| (n, law(n))).collect::<Vec<_>>()).unwrap();
        let rows = [Record::Decree { decree_no: 7, decree: Decree::OliveDay }];
        let mut priest = Priest::restore(PriestId(0), Config::new(3), &rows).unwrap();
        let e = catch_up_from_law_books(dir.path(), &roll, "Fischer", &mut priest).unwrap_err();
        assert!(e.to_string().contains("two decrees under one number"), "{e}");
        assert_eq!(law_book(dir.path(), "Fischer").unwrap().through, 0, "nothing written");
    }
}
