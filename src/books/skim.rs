//! A ledger skimmed for one fact: the highest decree number it records (§2.3's indelible ink, read
//! for a heartbeat's claim). A priest announces how far his statute book runs (`known`, §2.4's
//! "I am here" with one number); the others check the claim against his ledger before they act
//! on it. Parsing and indexing each other priest's every row for that claim alone cost a third of
//! the Chamber's CPU under load; the skim reads only the first four columns of each new line.

use std::io;
use std::path::PathBuf;

use std::collections::VecDeque;

use super::ledger_rows::{decree_row_number, voted_row_key};
use super::roll::Roll;
use crate::files::{Line, TailEvent, TailReader};
use crate::priest::{BallotNumber, DecreeNo};

/// How many of the latest `Voted` rows a skim keeps: a Voted message arrives soon after its row
/// is written, and one found nowhere among them is checked by reading the ledger in full.
const VOTES_KEPT: usize = 1024;

/// One ledger followed as it grows, for the highest decree number among its `Decree` rows and
/// its latest `Voted` rows.
pub struct LedgerSkim {
    tail: TailReader,
    highest: DecreeNo,
    roll: Roll,
    votes: VecDeque<(DecreeNo, BallotNumber)>,
}

impl LedgerSkim {
    /// Skims the ledger at `path` from its start; `roll` names the priests its ballots may name.
    pub fn new(path: PathBuf, roll: &Roll) -> LedgerSkim {
        LedgerSkim { tail: TailReader::new(path), highest: 0, roll: roll.clone(), votes: VecDeque::new() }
    }

    /// The highest decree number any `Decree` row of the ledger has recorded, reading only the
    /// lines appended since the last call. A ledger replaced under its path keeps what was read
    /// from the old one: ink once read is not unread.
    pub fn highest(&mut self) -> io::Result<DecreeNo> {
        self.read()?;
        Ok(self.highest)
    }

    /// Whether one of the ledger's latest `Voted` rows is a vote in `ballot` on `decree_no`: the
    /// backing check of a Voted message (`backing.rs`) without parsing and indexing every row, as
    /// the light-load path asks of every priest for every voter's ledger (`Config::votes_to_all`).
    /// `false` says only that the skim cannot tell.
    pub fn has_vote(&mut self, decree_no: DecreeNo, ballot: BallotNumber) -> io::Result<bool> {
        let found = |votes: &VecDeque<_>| votes.iter().rev().any(|&v| v == (decree_no, ballot));
        if found(&self.votes) {
            return Ok(true);
        }
        self.read()?;
        Ok(found(&self.votes))
    }

    fn read(&mut self) -> io::Result<()> {
        for event in self.tail.read_new_lines()? {
            let TailEvent::Line(Line { text, .. }) = event else { continue };
            if let Some(no) = decree_row_number(&text) {
                self.highest = self.highest.max(no);
            } else if let Some((no, ballot)) = voted_row_key(&text)
                && let Ok(ballot) = self.roll.parse_ballot(ballot)
            {
                if self.votes.len() == VOTES_KEPT {
                    self.votes.pop_front();
                }
                self.votes.push_back((no, ballot));
            }
        }
        Ok(())
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
        let mut skim = LedgerSkim::new(path.clone(), &roll);
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
        assert!(skim.has_vote(9, b).unwrap(), "the vote on 9 is read from the same lines");
        assert!(!skim.has_vote(2, b).unwrap(), "a decree row is no vote");
        assert!(!skim.has_vote(9, BallotNumber { round: 2, priest: PriestId(0) }).unwrap(), "another ballot");
        let late = BallotNumber { round: 3, priest: PriestId(1) };
        let vote = Record::Voted(Vote { ballot: late, decree_no: 10, decree: Decree::OliveDay });
        writeln!(file, "{}", ledger_row(&roll, at, &vote)).unwrap();
        assert!(skim.has_vote(10, late).unwrap(), "a vote written since is read when asked about");
    }
}
