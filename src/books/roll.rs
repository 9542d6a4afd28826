//! The roll of the Chamber: its priests' names in alphabetical order, where a priest's place is
//! his `PriestId` (so "the later name" of §2.4 is the larger id), and the paper's ballot numbers
//! written with names (`4.Lynch`).

use crate::names::check_name;
use crate::priest::{BallotNumber, PriestId};

/// The Chamber's priests, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roll {
    names: Vec<String>,
}

impl Roll {
    /// A roll of these names (sorted here); refuses bad, duplicate or too many names.
    pub fn new(mut names: Vec<String>) -> Result<Roll, String> {
        if names.is_empty() || names.len() > 64 {
            return Err(format!("a Chamber holds 1 to 64 priests, not {}", names.len()));
        }
        for n in &names {
            check_name(n)?;
        }
        names.sort();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("priest {:?} is named twice", w[0]));
        }
        Ok(Roll { names })
    }

    /// The names, in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// How many priests.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the roll is empty (never, for a valid roll).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// A priest's name.
    pub fn name(&self, p: PriestId) -> &str {
        &self.names[p.index()]
    }

    /// The priest with this name.
    pub fn id(&self, name: &str) -> Option<PriestId> {
        self.names.binary_search_by(|n| n.as_str().cmp(name)).ok().map(|i| PriestId(i as u16))
    }

    /// A ballot number as written in files: `round.Priest`.
    pub fn ballot(&self, b: BallotNumber) -> String {
        format!("{}.{}", b.round, self.name(b.priest))
    }

    /// Reads `round.Priest`; the error says what was expected.
    pub fn parse_ballot(&self, text: &str) -> Result<BallotNumber, String> {
        let expected = || {
            format!("ballot {text:?} is not a ballot number; expected round.Priest, like 4.{}", self.names[0])
        };
        let (round, name) = text.split_once('.').ok_or_else(expected)?;
        let round = round.parse::<u64>().map_err(|_| expected())?;
        let priest = self.id(name).ok_or_else(|| {
            format!(
                "ballot {text:?} names {name:?}, who is not a priest of this Chamber ({})",
                self.names.join(", ")
            )
        })?;
        Ok(BallotNumber::new(round, priest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ballots_are_written_with_names_and_read_back() {
        let roll = Roll::new(vec!["Oki".into(), "Dwork".into()]).unwrap();
        assert_eq!(roll.id("Oki"), Some(PriestId(1)));
        let b = BallotNumber::new(4, PriestId(0));
        assert_eq!(roll.ballot(b), "4.Dwork");
        assert_eq!(roll.parse_ballot("4.Dwork"), Ok(b));
        assert!(roll.parse_ballot("4").is_err() && roll.parse_ballot("x.Oki").is_err());
        assert!(roll.parse_ballot("4.Plato").unwrap_err().contains("not a priest"));
        assert!(Roll::new(vec!["a".into(), "a".into()]).is_err());
        assert!(Roll::new(vec!["../x".into()]).is_err());
    }
}
