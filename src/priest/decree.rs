//! Decrees and petitions (§3 of the paper).
//!
//! A decree is either a law some citizen petitioned for, or an olive-day decree: the no-op a new
//! president uses to fill a gap in the statute book (§3.1, Dwork and decree 125). Each petition
//! carries an identity chosen by whoever made it, so that a petition sent twice, re-sent after a
//! crash, or in flight when the president changes still becomes one decree.

use std::fmt;
use std::sync::Arc;

use super::roll::RollChange;

/// The number of a decree in the statute book; the first decree is number 1.
pub type DecreeNo = u64;

/// A hash map with a fixed seed (foldhash): as quick as hashing gets for petition ids and
/// decree numbers, and the same from run to run, so a seed still reproduces a whole run.
pub type FixedMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// A hash set with a fixed seed, as [`FixedMap`].
pub type FixedSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

/// The identity of a petition: the same petition sent twice carries the same id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PetitionId(pub Arc<str>);

impl fmt::Display for PetitionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A citizen's request that the Parliament pass a decree with this text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Petition {
    /// Who asked, and which of his petitions this is; equal ids mean the same petition.
    pub id: PetitionId,
    /// The text of the law, as the citizen wrote it.
    pub text: Arc<str>,
    /// What it does to the roll, if it is a membership decree (§3.3.6): read from the text by the
    /// books (`Dan is now a legislator`), never typed separately.
    pub change: Option<RollChange>,
}

impl Petition {
    /// A petition with the given id and text.
    pub fn new(id: &str, text: &str) -> Self {
        Petition { id: PetitionId(id.into()), text: text.into(), change: None }
    }

    /// A membership petition: its text says the change in words.
    pub fn membership(id: &str, text: &str, change: RollChange) -> Self {
        Petition { change: Some(change), ..Petition::new(id, text) }
    }
}

/// What a ballot proposes and a passed ballot writes into the statute book.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decree {
    /// The no-op that fills a gap: "the olive-day decree" (§3.1).
    OliveDay,
    /// A petition made law.
    Law(Petition),
}

impl Decree {
    /// What this decree does to the roll, if it is a membership decree.
    pub fn roll_change(&self) -> Option<RollChange> {
        self.petition().and_then(|p| p.change)
    }

    /// The petition this decree makes law, if any.
    pub fn petition(&self) -> Option<&Petition> {
        match self {
            Decree::OliveDay => None,
            Decree::Law(p) => Some(p),
        }
    }
}

impl fmt::Display for Decree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decree::OliveDay => f.write_str("olive day"),
            // A text typed with a newline (in quotes, in a CSV file) is told on one line.
            Decree::Law(p) if p.text.chars().any(char::is_control) => {
                let flat: String = p.text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                write!(f, "\"{flat}\"")
            }
            Decree::Law(p) => write!(f, "\"{}\"", p.text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A petition typed with a newline inside its quotes was told across two lines of the story.
    #[test]
    fn a_decree_with_a_newline_in_its_text_is_told_on_one_line() {
        let d = Decree::Law(Petition::new("p", "Wine may\nnot be watered"));
        assert_eq!(d.to_string(), "\"Wine may not be watered\"");
        assert_eq!(Decree::Law(Petition::new("q", "Fish on Fridays")).to_string(), "\"Fish on Fridays\"");
    }
}
