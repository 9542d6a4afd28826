//! Which petitions a priest's law book made law (§3.3.2), so that a petition read again from a
//! messagebook, or handed on by a priest who still holds it, is answered "already law" and not
//! passed a second time. His memory holds the petitions passed since his law book's end only
//! (`Durable::passed`); restoring never reads the law book's pages, so this index is read from
//! them on a thread of its own from his return ([`LawIndex::start`]), waited for only if a
//! petition needs it first, then kept up page by page as the law book grows.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use crate::books::lawbook::{law_book, read_law_book};
use crate::priest::{DecreeNo, PetitionId, Priest};

/// The petitions of one priest's law book, read as far as `through`.
#[derive(Debug, Default)]
pub struct LawIndex {
    through: DecreeNo,
    passed: HashMap<PetitionId, DecreeNo>,
    reading: Option<std::thread::JoinHandle<io::Result<LawIndex>>>,
}

impl LawIndex {
    /// Starts reading `name`'s law book on a thread of its own, so his return is not held up.
    pub fn start(dir: &Path, name: &str, law_through: DecreeNo) -> LawIndex {
        if law_through == 0 {
            return LawIndex::default();
        }
        let (dir, name) = (dir.to_path_buf(), name.to_string());
        let reading = std::thread::Builder::new().name(format!("{name}'s law index")).spawn(move || {
            let mut index = LawIndex::default();
            index.passed(&dir, &name, law_through, &PetitionId("".into()))?;
            Ok(index)
        });
        LawIndex { reading: reading.ok(), ..LawIndex::default() }
    }

    /// The decree that made `id` law, from `priest`'s memory or else his law book.
    pub fn already_law(
        &mut self,
        dir: &Path,
        name: &str,
        priest: &Priest,
        id: &PetitionId,
    ) -> io::Result<Option<DecreeNo>> {
        if let Some(no) = priest.durable().passed.get(id) {
            return Ok(Some(*no));
        }
        match priest.law_through() {
            0 => Ok(None),
            through => self.passed(dir, name, through, id),
        }
    }

    /// The decree that made `id` law, if `name`'s law book (running through `law_through`) holds
    /// it. Reads only the pages not read yet.
    pub fn passed(
        &mut self,
        dir: &Path,
        name: &str,
        law_through: DecreeNo,
        id: &PetitionId,
    ) -> io::Result<Option<DecreeNo>> {
        if let Some(reading) = self.reading.take() {
            let read = reading.join().map_err(|_| io::Error::other("reading the law index panicked"))??;
            (self.through, self.passed) = (read.through, read.passed);
        }
        if law_through > self.through {
            let book = law_book(dir, name)?;
            // Only the petitions' ids are read here, not what their texts do to the roll.
            let anyone = crate::books::Roll::new(vec![name.to_string()]).map_err(io::Error::other)?;
            for (no, decree) in read_law_book(&anyone, &book, self.through + 1).map_err(io::Error::other)? {
                if let Some(p) = decree.petition() {
                    self.passed.entry(p.id.clone()).or_insert(no);
                }
            }
            self.through = book.through.max(self.through);
        }
        Ok(self.passed.get(id).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::lawbook::write_law_page;
    use crate::priest::{Decree, Petition};

    #[test]
    fn a_petition_in_the_law_book_is_found_and_the_book_is_read_as_it_grows() {
        let dir = tempfile::tempdir().unwrap();
        let law = |no: u64| (no, Decree::Law(Petition::new(&format!("p{no}"), "text")));
        write_law_page(dir.path(), "Lynch", &[law(1), (2, Decree::OliveDay), law(3)]).unwrap();
        let mut index = LawIndex::default();
        let id = |no: u64| PetitionId(format!("p{no}").into());
        assert_eq!(index.passed(dir.path(), "Lynch", 3, &id(3)).unwrap(), Some(3));
        assert_eq!(index.passed(dir.path(), "Lynch", 3, &id(4)).unwrap(), None);
        write_law_page(dir.path(), "Lynch", &[law(4)]).unwrap();
        assert_eq!(index.passed(dir.path(), "Lynch", 4, &id(4)).unwrap(), Some(4));
        let mut started = LawIndex::start(dir.path(), "Lynch", 4);
        assert_eq!(started.passed(dir.path(), "Lynch", 4, &id(1)).unwrap(), Some(1), "read on its thread");
        assert_eq!(started.passed(dir.path(), "Lynch", 4, &id(2)).unwrap(), None, "an olive day");
    }
}
