//! The bench's bookkeeping, O(1) per event: the petitions it hands in, written through one
//! long-lived page per priest (`messagebooks/<priest>/bench.csv`, the bench's own page of each
//! messagebook), and the ledgers it follows as they grow, each new row read once
//! ([`LedgerFollower`]) and counted against its petition by a hash lookup. A petition is chosen
//! when a majority of priests hold a `Voted` row for it (§2.3 step 5: the decree is passed), and
//! passed into a majority (or all) when that many ledgers hold its `Decree` row.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::Path;
use std::time::Instant;

use chrono::Utc;

use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, book_row};
use crate::books::layout::{ledger_path, page_path};
use crate::books::ledger_read::LedgerFollower;
use crate::books::ledger_rows::RowCache;
use crate::files::{AppendFile, Wakeups};
use crate::priest::{Decree, Message, Petition, PetitionId, PriestId, Record};

/// The name of the bench's page in every messagebook.
pub const BENCH_PAGE: &str = "bench";

/// One petition as the bench sees it.
pub struct Track {
    /// When its row was handed to the page.
    pub submitted: Instant,
    voters: u64,
    holders: u64,
    /// When a majority's `Voted` rows for it were first seen.
    pub chosen: Option<Instant>,
    /// When a majority's `Decree` rows for it were first seen.
    pub majority: Option<Instant>,
    /// When every ledger's `Decree` row for it was first seen.
    pub all: Option<Instant>,
}

/// Every petition handed in, and the ledgers followed.
pub struct Tally {
    roll: Roll,
    majority: u32,
    followers: Vec<LedgerFollower>,
    /// Decrees read lately, shared by every follower (each decree is in every ledger twice).
    cache: RowCache,
    ids: HashMap<PetitionId, usize>,
    /// The petitions, in the order handed in.
    pub tracks: Vec<Track>,
    /// How many are chosen, in a majority of ledgers, in every ledger.
    pub chosen: usize,
    /// See `chosen`.
    pub in_majority: usize,
    /// See `chosen`.
    pub in_all: usize,
    /// Ledger rows read, over all ledgers.
    pub rows: u64,
    /// The Chamber's folder, for its law books.
    dir: std::path::PathBuf,
    /// How far each priest's law book has been read (pages read whole, once).
    law_read: Vec<u64>,
    /// Law-book pages read, over all priests.
    pub law_pages: u64,
}

impl Tally {
    /// Follows every ledger of the Chamber in `dir` from its start.
    pub fn new(dir: &Path, roll: &Roll) -> Tally {
        Tally {
            followers: roll.names().iter().map(|n| LedgerFollower::new(ledger_path(dir, n))).collect(),
            cache: RowCache::for_many_rows(),
            roll: roll.clone(),
            majority: (roll.len() / 2 + 1) as u32,
            ids: HashMap::new(),
            tracks: Vec::new(),
            chosen: 0,
            in_majority: 0,
            in_all: 0,
            rows: 0,
            dir: dir.to_path_buf(),
            law_read: vec![0; roll.len()],
            law_pages: 0,
        }
    }

    /// Notes a petition handed in now; returns its index.
    pub fn submitted(&mut self, id: PetitionId) -> usize {
        let k = self.tracks.len();
        self.ids.insert(id, k);
        let t = Track {
            submitted: Instant::now(),
            voters: 0,
            holders: 0,
            chosen: None,
            majority: None,
            all: None,
        };
        self.tracks.push(t);
        k
    }

    /// Reads the new rows of the ledgers a wake-up names (all on a rescan).
    pub fn read(&mut self, wakeups: &Wakeups) -> std::io::Result<()> {
        if wakeups.rescan {
            for i in 0..self.followers.len() {
                self.read_ledger(i)?;
            }
            return Ok(());
        }
        for path in &wakeups.paths {
            let stem = path.file_name().and_then(OsStr::to_str).and_then(|f| f.strip_suffix(".csv"));
            if let Some(id) = stem.and_then(|s| self.roll.id(s)) {
                self.read_ledger(id.index())?;
            }
        }
        Ok(())
    }

    fn read_ledger(&mut self, i: usize) -> std::io::Result<()> {
        let Tally { roll, followers, cache, .. } = self;
        let now = Instant::now();
        let mut seen = Vec::new();
        followers[i].read_with(roll, cache, |_, row| seen.push(row.record))?;
        self.rows += seen.len() as u64;
        for record in seen {
            match &record {
                Record::Voted(v) => self.mark(i, &v.decree, true, now),
                Record::Decree { decree, .. } => self.mark(i, decree, false, now),
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads the law-book pages (§3.3.2) that appeared since the last call. A priest who fell
    /// behind by more than the back of the others' ledgers catches up by copying a law book
    /// (`chamber::catch_up`) and writes no `Decree` rows for those decrees: without this the
    /// bench would wait for ever for his ledger to hold them. Called only when the ledgers
    /// bring nothing new, so it costs nothing while they do.
    pub fn read_law_books(&mut self) -> std::io::Result<()> {
        let now = Instant::now();
        for i in 0..self.law_read.len() {
            let book = crate::books::lawbook::law_book(&self.dir, self.roll.name(PriestId(i as u16)))?;
            let read = self.law_read[i];
            for (first, last, path) in book.pages.iter().filter(|(_, last, _)| *last > read) {
                let laws = crate::books::lawbook::read_law_page(&self.roll, path, *first, *last)
                    .map_err(std::io::Error::other)?;
                self.law_pages += 1;
                for (_, decree) in &laws {
                    self.mark(i, decree, false, now);
                }
                self.law_read[i] = *last;
            }
        }
        Ok(())
    }

    /// Priest `i` voted for (or holds) `decree`, as seen `now`.
    fn mark(&mut self, i: usize, decree: &Decree, voted: bool, now: Instant) {
        let (n, bit) = (self.roll.len() as u32, 1u64 << i);
        let Decree::Law(p) = decree else { return };
        let Some(&k) = self.ids.get(&p.id) else { return };
        let t = &mut self.tracks[k];
        if voted {
            t.voters |= bit;
            if t.chosen.is_none() && t.voters.count_ones() >= self.majority {
                t.chosen = Some(now);
                self.chosen += 1;
            }
            return;
        }
        t.holders |= bit;
        if t.majority.is_none() && t.holders.count_ones() >= self.majority {
            t.majority = Some(now);
            self.in_majority += 1;
        }
        if t.all.is_none() && t.holders.count_ones() == n {
            t.all = Some(now);
            self.in_all += 1;
        }
    }
}

/// The bench's pages, one per priest, each opened once and written with one `write` per pass.
pub struct Pages {
    paths: Vec<std::path::PathBuf>,
    pages: Vec<Option<AppendFile>>,
    rows: Vec<String>,
    roll: Roll,
    dir: std::path::PathBuf,
    /// Bytes written to each page since it was begun.
    written: Vec<u64>,
    page_bytes: u64,
}

impl Pages {
    /// The bench's page of each priest's messagebook in `dir` (opened on first use).
    pub fn new(dir: &Path, roll: &Roll) -> Pages {
        Pages {
            paths: roll.names().iter().map(|n| page_path(dir, n, BENCH_PAGE)).collect(),
            pages: roll.names().iter().map(|_| None).collect(),
            rows: vec![String::new(); roll.len()],
            roll: roll.clone(),
            dir: dir.to_path_buf(),
            written: vec![0; roll.len()],
            page_bytes: crate::chamber::page_close::page_bytes(),
        }
    }

    /// Writes a petition row for priest `to`, to go out with the next [`Pages::flush`].
    pub fn petition(&mut self, to: usize, id: &str) {
        let p = Petition::new(id, &format!("Bench decree {id}"));
        self.rows[to].push_str(&book_row(&self.roll, Utc::now(), BENCH_PAGE, &Message::Petition(p)));
    }

    /// Appends every page's waiting rows, one `write` each.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        for (i, rows) in self.rows.iter_mut().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let page = match &mut self.pages[i] {
                Some(p) => p,
                slot => slot.insert(AppendFile::open_with_header(&self.paths[i], BOOK_HEADER)?),
            };
            page.append_rows(rows.as_bytes())?;
            self.written[i] += rows.len() as u64;
            rows.clear();
            if self.written[i] >= self.page_bytes {
                // Closed as a messenger closes his (§3.3.2): the priest reads the old page to its
                // end, so a Chamber passing a million decrees keeps its live files small.
                self.pages[i] = None;
                self.written[i] = 0;
                crate::chamber::page_close::close_page(
                    &self.dir,
                    self.roll.name(PriestId(i as u16)),
                    BENCH_PAGE,
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
    use crate::priest::{BallotNumber, PriestId, Vote};

    /// A priest who writes a decree twice (learned again after a crash took his unsynced row)
    /// is one holder, not two: a majority is counted in priests, not rows.
    #[test]
    fn a_decree_written_twice_by_one_priest_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        std::fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let mut tally = Tally::new(dir.path(), &roll);
        let k = tally.submitted(PetitionId("p-1".into()));
        let law = Decree::Law(Petition::new("p-1", "Bench decree p-1"));
        let ballot = BallotNumber::new(1, PriestId(2));
        let row = |r: &Record| ledger_row(&roll, Utc::now(), r);
        let voted = row(&Record::Voted(Vote { decree_no: 1, ballot, decree: law.clone() }));
        let decree = row(&Record::Decree { decree_no: 1, decree: law });
        let write = |name: &str, text: String| {
            std::fs::write(ledger_path(dir.path(), name), format!("{LEDGER_HEADER}\n{text}")).unwrap()
        };
        write("Toueg", format!("{voted}{decree}{decree}"));
        let rescan = Wakeups { rescan: true, ..Wakeups::default() };
        tally.read(&rescan).unwrap();
        let t = &tally.tracks[k];
        assert!(t.chosen.is_none() && t.majority.is_none(), "one priest is no majority of three");
        write("Lynch", voted.clone());
        let mut touched = Wakeups::default();
        touched.paths.insert(ledger_path(dir.path(), "Lynch"));
        tally.read(&touched).unwrap();
        assert!(tally.tracks[k].chosen.is_some() && tally.chosen == 1, "two votes of three choose it");
        assert!(tally.tracks[k].majority.is_none() && tally.in_majority == 0);
        assert_eq!(tally.rows, 4, "each row read once");
    }

    /// A priest who fell far behind catches up by copying a law book (§3.3.2) and never writes
    /// `Decree` rows for what he copied: the bench counts his law book, or it waited for ever
    /// (the side-by-side's 3 priests at 1,024 in flight hung until its 600 s deadline).
    #[test]
    fn a_priest_caught_up_from_a_law_book_holds_its_decrees() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        std::fs::create_dir_all(dir.path().join("ledgers")).unwrap();
        let mut tally = Tally::new(dir.path(), &roll);
        let k = tally.submitted(PetitionId("p-1".into()));
        let law = Decree::Law(Petition::new("p-1", "Bench decree p-1"));
        let decree = ledger_row(&roll, Utc::now(), &Record::Decree { decree_no: 1, decree: law.clone() });
        for name in ["Toueg", "Lynch"] {
            std::fs::write(ledger_path(dir.path(), name), format!("{LEDGER_HEADER}\n{decree}")).unwrap();
        }
        tally.read(&Wakeups { rescan: true, ..Wakeups::default() }).unwrap();
        assert!(tally.tracks[k].majority.is_some() && tally.tracks[k].all.is_none());
        crate::books::lawbook::write_law_page(dir.path(), "Fischer", &[(1, law)]).unwrap();
        tally.read(&Wakeups { rescan: true, ..Wakeups::default() }).unwrap();
        assert_eq!(tally.in_all, 0, "his ledger holds no Decree row");
        tally.read_law_books().unwrap();
        assert!(tally.tracks[k].all.is_some() && tally.in_all == 1, "his law book holds it");
        tally.read_law_books().unwrap();
        assert_eq!((tally.in_all, tally.law_pages), (1, 1), "a page is read once");
    }
}
