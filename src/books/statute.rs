//! Reading a whole Chamber from its files: the roll (from `roll.csv`), each priest's
//! durable state as his ledger says, and the statute book they make together (§3.3.2's law
//! books). `laws`, `status` and God all read the Chamber this way; a follower re-reads only what
//! was appended since last time.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use super::layout::ledger_path;
use super::ledger_read::LedgerFollower;
use super::roll::Roll;
use crate::priest::{BallotNumber, Decree, DecreeNo, Durable, PetitionId, PriestId};

/// The petition id of every read decree begins so; `laws` shows them as read decrees, no law.
pub const READ_PREFIX: &str = "read/";

/// A read decree's text, as the ledgers show it.
pub const READ_TEXT: &str = "(a read of the law: no law)";

/// Whether a decree is a read decree: it passed to fix a moment, and makes no law.
pub fn is_read_decree(decree: &Decree) -> bool {
    decree.petition().is_some_and(|p| p.id.0.starts_with(READ_PREFIX))
}

/// The roll of the Chamber in `dir` (None if there is none): see [`Roll::read`].
pub fn discover_roll(dir: &Path) -> io::Result<Option<Roll>> {
    Roll::read(dir)
}

/// One priest's ledger, followed as it grows.
pub struct Follower {
    ledger: LedgerFollower,
    /// His durable state, as far as read.
    pub durable: Durable,
    /// Rows read.
    pub rows: u64,
    /// Whether the ledger file exists.
    pub present: bool,
    /// His latest vote, decided or not (the row of his latest `Voted`).
    pub last_vote: Option<crate::priest::Vote>,
    /// His law book's decrees are read into `durable` through this one (§3.3.2).
    pub law_read: DecreeNo,
    lawbook: std::path::PathBuf,
}

impl Follower {
    /// Lines that are not rows, with their line and why.
    pub fn bad(&self) -> &[(u64, String)] {
        &self.ledger.bad
    }
}

/// Every ledger of a Chamber, followed.
pub struct Chamber {
    /// The priests.
    pub roll: Roll,
    /// Each priest's ledger, in roll order.
    pub ledgers: Vec<Follower>,
    /// Read only how far each law book runs, not its decrees (`open_live`).
    live_only: bool,
}

impl Chamber {
    /// Follows every ledger of the Chamber in `dir`.
    pub fn open(dir: &Path, roll: &Roll) -> Chamber {
        let ledgers = roll
            .names()
            .iter()
            .map(|n| Follower {
                ledger: LedgerFollower::new(ledger_path(dir, n)),
                durable: Durable::default(),
                rows: 0,
                present: false,
                last_vote: None,
                law_read: 0,
                lawbook: dir.to_path_buf(),
            })
            .collect();
        Chamber { roll: roll.clone(), ledgers, live_only: false }
    }

    /// Follows the ledgers of the places a grown roll adds (§3.3.6) too.
    pub fn grow(&mut self, dir: &Path, roll: &Roll) {
        for n in roll.names().iter().skip(self.ledgers.len()) {
            self.ledgers.push(Follower {
                ledger: LedgerFollower::new(ledger_path(dir, n)),
                durable: Durable::default(),
                rows: 0,
                present: false,
                last_vote: None,
                law_read: 0,
                lawbook: dir.to_path_buf(),
            });
        }
        self.roll = roll.clone();
    }

    /// The law of the roll (§3.3.6) the ledgers and law books of the Chamber in `dir` tell: its
    /// layout (`roll.csv`, `chamber.csv`) and every membership decree any of them holds.
    pub fn roll_law(&self, dir: &Path) -> io::Result<crate::priest::RollLaw> {
        let alpha = super::settings::Settings::read(dir)?.alpha;
        let mut law =
            crate::priest::RollLaw::new(crate::priest::Weights(self.roll.weights().to_vec()), alpha);
        for (f, name) in self.ledgers.iter().zip(self.roll.names()) {
            for (&n, &c) in &f.durable.roll_changes {
                law.note(n, c);
            }
            for (n, (c, _)) in super::lawbook::law_book(dir, name)?.roll_changes {
                law.note(n, c);
            }
        }
        Ok(law)
    }

    /// [`Chamber::open`], reading of each law book only how far it runs (§3.3.2): the live
    /// volumes, promises and votes, without a long statute book in memory.
    pub fn open_live(dir: &Path, roll: &Roll) -> Chamber {
        Chamber { live_only: true, ..Chamber::open(dir, roll) }
    }

    /// Reads whatever was appended to the ledgers since the last call.
    pub fn refresh(&mut self) -> io::Result<()> {
        let live_only = self.live_only;
        for (f, name) in self.ledgers.iter_mut().zip(self.roll.names()) {
            // His law book first: the decrees his live volume no longer holds (§3.3.2).
            let book = super::lawbook::law_book(&f.lawbook, name)?;
            if book.through > f.law_read && live_only {
                f.durable.close_through(book.through);
                f.law_read = book.through;
            }
            if book.through > f.law_read {
                for (no, decree) in super::lawbook::read_law_book(&self.roll, &book, f.law_read + 1)
                    .map_err(io::Error::other)?
                {
                    f.durable.apply(&crate::priest::Record::Decree { decree_no: no, decree });
                }
                f.law_read = book.through;
            }
            f.present = f.ledger.path().exists();
            let (durable, rows, last_vote) = (&mut f.durable, &mut f.rows, &mut f.last_vote);
            f.ledger.read(&self.roll, |_, row| {
                if let crate::priest::Record::Voted(v) = &row.record {
                    *last_vote = Some(v.clone());
                }
                durable.apply(&row.record);
                *rows += 1;
            })?;
        }
        Ok(())
    }

    /// The statute book: every decree any ledger holds, with the priests who hold it.
    pub fn statute_book(&self) -> BTreeMap<DecreeNo, (Decree, Vec<PriestId>)> {
        let mut book = BTreeMap::new();
        for (no, mut versions) in self.versions() {
            // Ledgers that disagree (a hand-edited row: agreement cannot break otherwise) give the
            // version most of them hold, and only its holders; `versions` tells the rest.
            versions.sort_by_key(|(_, holders)| std::cmp::Reverse(holders.len()));
            book.insert(no, versions.swap_remove(0));
        }
        book
    }

    /// Every text each decree number has in the ledgers, with who holds it: one version where
    /// the ledgers agree, more where a ledger was edited by hand.
    pub fn versions(&self) -> BTreeMap<DecreeNo, Vec<(Decree, Vec<PriestId>)>> {
        let mut book: BTreeMap<DecreeNo, Vec<(Decree, Vec<PriestId>)>> = BTreeMap::new();
        for (i, f) in self.ledgers.iter().enumerate() {
            for (no, d) in &f.durable.decrees {
                let versions = book.entry(*no).or_default();
                match versions.iter_mut().find(|(v, _)| v == d) {
                    Some((_, holders)) => holders.push(PriestId(i as u16)),
                    None => versions.push((d.clone(), vec![PriestId(i as u16)])),
                }
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

    /// A priest's latest vote, as the last `Voted` row of his ledger shows it.
    pub fn last_vote(&self, p: PriestId) -> Option<&crate::priest::Vote> {
        self.ledgers[p.index()].last_vote.as_ref()
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
