//! Reading a whole Chamber from its files: the roll (from the ledgers present), each priest's
//! durable state as his ledger says, and the statute book they make together (§3.3.2's law
//! books). `laws`, `status` and God all read the Chamber this way; a follower re-reads only what
//! was appended since last time.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use super::csvrow::RowJoiner;
use super::ledger_rows::parse_ledger_row;
use super::roll::Roll;
use crate::chamber::ledger_file::rows_not_torn;
use crate::chamber::runtime::ledger_path;
use crate::files::{TailEvent, TailReader};
use crate::priest::{BallotNumber, Decree, DecreeNo, Durable, PetitionId, PriestId};

/// The roll of the Chamber in `dir`: every priest with a ledger or a messagebook there (None if
/// there are none). A priest who lost his ledger stays on the roll, so he can be refused a vote
/// rather than silently leave the Chamber smaller.
pub fn discover_roll(dir: &Path) -> io::Result<Option<Roll>> {
    let mut names = Vec::new();
    for sub in ["ledgers", "messagebooks"] {
        let folder = dir.join(sub);
        let entries = match fs::read_dir(&folder) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".csv")
                && !stem.starts_with('.')
                && !names.iter().any(|n| n == stem)
            {
                names.push(stem.to_string());
            }
        }
    }
    if names.is_empty() {
        return Ok(None);
    }
    let where_ = dir.display();
    Roll::new(names)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{where_}: {e}")))
}

/// One priest's ledger, followed as it grows.
pub struct Follower {
    tail: TailReader,
    joiner: RowJoiner,
    /// His durable state, as far as read.
    pub durable: Durable,
    /// Rows read.
    pub rows: u64,
    /// Rows that did not parse, with their line and why.
    pub bad: Vec<(u64, String)>,
}

/// Every ledger of a Chamber, followed.
pub struct Chamber {
    /// The priests.
    pub roll: Roll,
    /// Each priest's ledger, in roll order.
    pub ledgers: Vec<Follower>,
}

impl Chamber {
    /// Follows every ledger of the Chamber in `dir`.
    pub fn open(dir: &Path, roll: &Roll) -> Chamber {
        let ledgers = roll
            .names()
            .iter()
            .map(|n| Follower {
                tail: TailReader::new(ledger_path(dir, n)),
                joiner: RowJoiner::default(),
                durable: Durable::default(),
                rows: 0,
                bad: Vec::new(),
            })
            .collect();
        Chamber { roll: roll.clone(), ledgers }
    }

    /// Reads whatever was appended to the ledgers since the last call.
    pub fn refresh(&mut self) -> io::Result<()> {
        for f in &mut self.ledgers {
            let lines = f.tail.read_new_lines()?.into_iter().filter_map(|e| match e {
                TailEvent::Line(line) if !(line.number == 1 && line.text.starts_with("at,entry,")) => {
                    Some((line.number, line.text))
                }
                _ => None,
            });
            for (first, row) in rows_not_torn(&mut f.joiner, lines) {
                match parse_ledger_row(&self.roll, &row) {
                    Ok(row) => {
                        f.durable.apply(&row.record);
                        f.rows += 1;
                    }
                    Err(why) => f.bad.push((first, why)),
                }
            }
        }
        Ok(())
    }

    /// The statute book: every decree any ledger holds, with the priests who hold it.
    pub fn statute_book(&self) -> BTreeMap<DecreeNo, (Decree, Vec<PriestId>)> {
        let mut book: BTreeMap<DecreeNo, (Decree, Vec<PriestId>)> = BTreeMap::new();
        for (i, f) in self.ledgers.iter().enumerate() {
            for (no, d) in &f.durable.decrees {
                book.entry(*no).or_insert_with(|| (d.clone(), Vec::new())).1.push(PriestId(i as u16));
            }
        }
        book
    }

    /// Whether every priest in `present` holds every decree, and every petition id given passed.
    pub fn holds_all(&self, petitions: &[String], present: &[bool]) -> bool {
        let last = self.ledgers.iter().filter_map(|f| f.durable.decrees.keys().next_back()).max().copied();
        let last = last.unwrap_or(0);
        self.ledgers.iter().zip(present).filter(|(_, p)| **p).all(|(f, _)| {
            f.durable.known == last
                && petitions.iter().all(|id| f.durable.passed.contains_key(&PetitionId(id.as_str().into())))
        })
    }

    /// The president, as the ledgers show it: the owner of the highest ballot any priest promised.
    pub fn president(&self) -> Option<PriestId> {
        self.ledgers.iter().filter_map(|f| f.durable.next_bal).max().map(|b: BallotNumber| b.priest)
    }

    /// A priest's latest vote not yet followed by its decree.
    pub fn last_vote(&self, p: PriestId) -> Option<&crate::priest::Vote> {
        self.ledgers[p.index()].durable.prev_votes.values().max_by_key(|v| v.ballot)
    }

    /// How many rows of `p`'s ledger have been read.
    pub fn rows(&self, p: PriestId) -> u64 {
        self.ledgers[p.index()].rows
    }

    /// A priest's durable state, as his ledger says.
    pub fn durable(&self, p: PriestId) -> &Durable {
        &self.ledgers[p.index()].durable
    }
}
