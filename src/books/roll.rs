//! The roll of the Chamber: its priests' names in alphabetical order, where a priest's place is
//! his `PriestId` (so "the later name" of §2.4 is the larger id), and the paper's ballot numbers
//! written with names (`4.Lynch`).
//!
//! The roll is the Chamber's law, not a folder listing: God writes `roll.csv` when he lays out a
//! Chamber (a header `priest`, then one name a line), and every reader takes the priests from it.
//! A ledger file that is not on the roll is reported by name and ignored, so a file added by hand
//! can never change the size of a majority set. Changing the roll is for decrees (§3.3.6).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use super::layout::{LEDGERS, MESSAGEBOOKS, ROLL, ledger_path, roll_path};
use crate::names::check_name;
use crate::priest::{BallotNumber, PriestId};

/// The roll file's header row.
pub const ROLL_HEADER: &str = "priest";

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

impl Roll {
    /// Reads the roll of the Chamber in `dir` from `roll.csv`; None if `dir` holds no Chamber.
    /// A folder with ledgers but no roll was laid out by hand or by an older `parliament`, and
    /// is refused rather than guessed at.
    pub fn read(dir: &Path) -> io::Result<Option<Roll>> {
        if dir.exists() && !dir.is_dir() {
            let why = format!("{} is a file, not a Chamber's folder; give --dir a folder", dir.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        let path = roll_path(dir);
        let bad =
            |why: String| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", path.display()));
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let ledgers = fs::read_dir(dir.join(LEDGERS)).map(|d| {
                    d.filter_map(Result::ok)
                        .any(|e| super::layout::page_name(&e.file_name().to_string_lossy()).is_some())
                });
                if ledgers.unwrap_or(false) {
                    return Err(bad(format!(
                        "missing, but {LEDGERS}/ holds ledgers: this Chamber has no roll, so who sits in it is unknown. Lay out a new Chamber in an empty folder (parliament convene --dir NEW)"
                    )));
                }
                return Ok(None);
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(bad("not UTF-8 text".to_string()));
            }
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        };
        let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
        match lines.next() {
            Some(h) if h.trim_start_matches('\u{feff}').split(',').next() == Some(ROLL_HEADER) => {}
            other => return Err(bad(format!("line 1 is {other:?}; expected the header {ROLL_HEADER:?}"))),
        }
        let names: Vec<String> = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').next().unwrap_or("").trim().to_string())
            .collect();
        Roll::new(names).map(Some).map_err(bad)
    }

    /// Writes `roll.csv` for a new Chamber and syncs it; refuses to overwrite one.
    pub fn write_new(&self, dir: &Path) -> io::Result<()> {
        let path = roll_path(dir);
        let mut text = format!("{ROLL_HEADER}\n");
        for n in &self.names {
            text.push_str(n);
            text.push('\n');
        }
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::File::open(dir)?.sync_all()
    }

    /// Files in the Chamber that are not what the roll says: a ledger or messagebook of a name
    /// not on the roll, or a symbolic link where a priest's ledger should be. Each is named, and
    /// every reader ignores it.
    pub fn strays(&self, dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let kinds = [
            (LEDGERS, "ledger"),
            (MESSAGEBOOKS, "messagebook"),
            (super::layout::LAWBOOKS, "law book"),
            (super::layout::VOLUMES, "folder of closed volumes"),
        ];
        for (sub, what) in kinds {
            let Ok(entries) = fs::read_dir(dir.join(sub)) else { continue };
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for file in names {
                let stem = if sub == LEDGERS { super::layout::page_name(&file) } else { Some(file.as_str()) };
                let Some(stem) = stem.filter(|s| !s.starts_with('.')) else { continue };
                if self.id(stem).is_none() {
                    out.push(format!(
                        "{sub}/{file}: not on the roll ({ROLL}: {}); this {what} is ignored",
                        self.names.join(", ")
                    ));
                }
            }
        }
        for n in &self.names {
            let path = ledger_path(dir, n);
            if fs::symlink_metadata(&path)
                .is_ok_and(|m| m.file_type().is_symlink() || m.file_type().is_fifo())
            {
                out.push(format!(
                    "{LEDGERS}/{n}.csv: a link or pipe, not a file; a ledger must be the priest's own file, so {n} refuses to vote"
                ));
            }
        }
        out
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

    #[test]
    fn the_roll_is_read_from_its_file_and_strays_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Roll::read(dir.path()).unwrap(), None);
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        roll.write_new(dir.path()).unwrap();
        assert!(roll.write_new(dir.path()).is_err(), "a roll is never overwritten");
        assert_eq!(Roll::read(dir.path()).unwrap(), Some(roll.clone()));
        fs::create_dir_all(dir.path().join(LEDGERS)).unwrap();
        fs::write(dir.path().join("ledgers/Zeno.csv"), "").unwrap();
        fs::write(dir.path().join("ledgers/Lynch copy.csv"), "").unwrap();
        let strays = roll.strays(dir.path());
        assert_eq!(strays.len(), 2, "{strays:?}");
        assert!(strays[1].starts_with("ledgers/Zeno.csv: not on the roll"), "{strays:?}");
        assert_eq!(Roll::read(dir.path()).unwrap(), Some(roll.clone()), "a stray ledger changes no roll");
    }

    /// Law books and closed volumes (§3.3.2) are the roll's priests' too: another name's is named.
    #[test]
    fn a_law_book_or_volumes_of_a_name_not_on_the_roll_are_strays() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        for folder in ["lawbooks/Lynch", "lawbooks/Zeno", "volumes/Fischer", "volumes/Zeno"] {
            fs::create_dir_all(dir.path().join(folder)).unwrap();
        }
        let strays = roll.strays(dir.path());
        assert_eq!(strays.len(), 2, "{strays:?}");
        assert!(strays[0].starts_with("lawbooks/Zeno: not on the roll") && strays[0].contains("law book"));
        assert!(strays[1].starts_with("volumes/Zeno: not on the roll"), "{strays:?}");
    }
}
