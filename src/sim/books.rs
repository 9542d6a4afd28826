//! What the simulator keeps of the messagebooks, so that it runs as the Chamber on files does.
//!
//! - **A petition written into a messagebook stays there.** In the Chamber a priest back from
//!   away reads again every petition in his pages that his ledger does not show passed (his saved
//!   position never moves past one, src/chamber/book_reader.rs), so a petition on his slip of
//!   paper when he left is not lost, and a petition written while he was away waits for him.
//!   Citizens never need to ask twice.
//! - **Every message goes through the row format and back** ([`through_rows`]): what a priest
//!   receives is what his messagebook's row says, so a text that could bend the framing (a quote
//!   inside a field, a newline, a line that looks like a row, a backslash) is caught here, at the
//!   step it happens, under every seed.

use crate::books::Roll;
use crate::books::book_rows::{BookEntry, book_row, parse_book_row};
use crate::priest::{Durable, Message, Petition, PriestId};

/// The petitions in each priest's messagebook.
#[derive(Debug, Default)]
pub struct Books {
    petitions: Vec<Vec<Petition>>,
}

impl Books {
    /// The books of `priests` priests, empty.
    pub fn new(priests: usize) -> Books {
        Books { petitions: vec![Vec::new(); priests] }
    }

    /// A petition written into `to`'s messagebook (by a citizen, or handed on by a priest).
    pub fn written(&mut self, to: PriestId, petition: &Petition) {
        let book = &mut self.petitions[to.index()];
        if !book.iter().any(|p| p.id == petition.id) {
            book.push(petition.clone());
        }
    }

    /// Petitions his law book made law (§3.3.2): read no more.
    pub fn forget(&mut self, to: PriestId, passed: &[crate::priest::PetitionId]) {
        self.petitions[to.index()].retain(|p| !passed.contains(&p.id));
    }

    /// What `to` reads again on his return: every petition in his book his ledger does not show
    /// passed. Those passed are read no more.
    pub fn read_again(&mut self, to: PriestId, durable: &Durable) -> Vec<Petition> {
        let book = &mut self.petitions[to.index()];
        book.retain(|p| !durable.passed.contains_key(&p.id));
        book.clone()
    }
}

/// The message as a priest reads it back from the row his messenger wrote: the same message, or
/// why not.
pub fn through_rows(roll: &Roll, from: PriestId, message: &Message) -> Result<Message, String> {
    let at = chrono::DateTime::UNIX_EPOCH;
    let row = book_row(roll, at, roll.name(from), message);
    let line = row
        .strip_suffix('\n')
        .filter(|l| !l.contains('\n'))
        .ok_or_else(|| format!("the row for {} is not one line: {row:?}", message.kind()))?;
    let back = match parse_book_row(roll, line).map_err(|e| format!("{e}: {line:?}"))? {
        BookEntry::Message { message, .. } => message,
        BookEntry::Petition { text, id, .. } => Message::Petition(Petition::new(&id, &text)),
        BookEntry::Continued { .. } => {
            return Err(format!("a message came back as a Continued row: {line:?}"));
        }
    };
    if back == *message {
        Ok(back)
    } else if without_changes(&back) == without_changes(message) {
        // The books read a membership decree's change from its text with the Chamber's roll
        // (§3.3.6); a row that kept the text kept the change.
        Ok(message.clone())
    } else {
        Err(format!("{} read back as {back:?} from {line:?}", message.kind()))
    }
}

/// The message with every petition's roll change left out.
fn without_changes(message: &Message) -> Message {
    use crate::priest::Decree;
    let plain = |d: &Decree| match d {
        Decree::Law(p) => Decree::Law(Petition { change: None, ..p.clone() }),
        Decree::OliveDay => Decree::OliveDay,
    };
    match message {
        Message::Petition(p) => Message::Petition(Petition { change: None, ..p.clone() }),
        Message::BeginBallot { ballot, decree_no, decree } => {
            Message::BeginBallot { ballot: *ballot, decree_no: *decree_no, decree: plain(decree) }
        }
        Message::Success { decree_no, decree } => {
            Message::Success { decree_no: *decree_no, decree: plain(decree) }
        }
        Message::LastVote { ballot, decree_no, known, votes, decrees } => Message::LastVote {
            ballot: *ballot,
            decree_no: *decree_no,
            known: *known,
            votes: votes
                .iter()
                .map(|v| crate::priest::Vote { decree: plain(&v.decree), ..v.clone() })
                .collect(),
            decrees: decrees.iter().map(|(n, d)| (*n, plain(d))).collect(),
        },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, Decree};

    #[test]
    fn texts_that_once_bent_the_framing_come_back_whole() {
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        for text in
            ["a 5\" pipe", "one\n2026-01-01T00:00:00.000Z,Toueg,Voted,,1,1.Toueg", "C:\\temp\\n", "=1+1"]
        {
            let law = Decree::Law(Petition::new("p", text));
            let m =
                Message::BeginBallot { ballot: BallotNumber::new(1, PriestId(2)), decree_no: 1, decree: law };
            assert_eq!(through_rows(&roll, PriestId(2), &m), Ok(m.clone()));
        }
    }

    #[test]
    fn a_petition_stays_in_the_book_until_it_passes() {
        let mut books = Books::new(2);
        let p = Petition::new("x", "Olives are free");
        books.written(PriestId(1), &p);
        books.written(PriestId(1), &p);
        let mut durable = Durable::default();
        assert_eq!(books.read_again(PriestId(1), &durable), std::slice::from_ref(&p));
        durable.passed.insert(p.id.clone(), 1);
        assert!(books.read_again(PriestId(1), &durable).is_empty());
    }
}
