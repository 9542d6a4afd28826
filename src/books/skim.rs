//! A ledger skimmed for one fact: the highest decree number it records (§2.3's indelible ink, read
//! for a heartbeat's claim). A priest announces how far his statute book runs (`known`, §2.4's
//! "I am here" with one number); the others check the claim against his ledger before they act
//! on it. Parsing and indexing each other priest's every row for that claim alone cost a third of
//! the Chamber's CPU under load; the skim reads only the first four columns of each new line.

use std::io;
use std::path::PathBuf;

use super::ledger_rows::decree_row_number;
use crate::files::{Line, TailEvent, TailReader};
use crate::priest::DecreeNo;

/// One ledger followed as it grows, for the highest decree number among its `Decree` rows.
pub struct LedgerSkim {
    tail: TailReader,
    highest: DecreeNo,
}

impl LedgerSkim {
    /// Skims the ledger at `path` from its start.
    pub fn new(path: PathBuf) -> LedgerSkim {
        LedgerSkim { tail: TailReader::new(path), highest: 0 }
    }

    /// The highest decree number any `Decree` row of the ledger has recorded, reading only the
    /// lines appended since the last call. A ledger replaced under its path keeps what was read
    /// from the old one: ink once read is not unread.
    pub fn highest(&mut self) -> io::Result<DecreeNo> {
        for event in self.tail.read_new_lines()? {
            if let TailEvent::Line(Line { text, .. }) = event
                && let Some(no) = decree_row_number(&text)
            {
                self.highest = self.highest.max(no);
            }
        }
        Ok(self.highest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::Roll;
    use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use crate::priest::{BallotNumber, Decree, Petition, PriestId, Record, Vote};
    use std::io::Write;

    #[test]
    fn the_skim_reads_the_highest_decree_row_and_nothing_else() {
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Oki.csv");
        let at = chrono::DateTime::UNIX_EPOCH;
        let b = BallotNumber { round: 1, priest: PriestId(0) };
        let law = |no: u64, text: &str| Decree::Law(Petition::new(&format!("p-{no}"), text));
        let mut file = std::fs::File::create(&path).unwrap();
        writeln!(file, "{LEDGER_HEADER}").unwrap();
        let mut skim = LedgerSkim::new(path.clone());
        assert_eq!(skim.highest().unwrap(), 0, "a ledger with no decree");
        for record in [
            Record::Tried { ballot: b },
            Record::Voted(Vote { ballot: b, decree_no: 9, decree: law(9, "a vote is not a decree") }),
            Record::Decree {
                decree_no: 2,
                decree: law(2, "x,Decree,,99,a decree's text may look like a row"),
            },
            Record::Decree { decree_no: 1, decree: Decree::OliveDay },
        ] {
            writeln!(file, "{}", ledger_row(&roll, at, &record)).unwrap();
        }
        assert_eq!(skim.highest().unwrap(), 2);
        write!(file, "2026-01-01T00:00:00.000Z,Decree,,7,torn by a crash").unwrap();
        assert_eq!(skim.highest().unwrap(), 2, "an unfinished line is not read");
        writeln!(file, "\0").unwrap();
        assert_eq!(skim.highest().unwrap(), 2, "a line voided with NUL is no row");
    }
}
