//! The careless person of the chaos trials: what people do to messagebooks. Garbage rows, a row
//! typed in two halves with a pause between (in his own page, where it must pass, and in a
//! messenger's page, spanning the messenger's appends, where it must cost only itself), an
//! editor's save (a new file renamed over the old), a truncate and rewrite, a stray byte-order
//! mark with a CRLF line end, a quote inside an unquoted field, a decree with a line that looks
//! like a row, a ledger file added by hand, and forged rows that claim a priest said what his
//! ledger does not hold.
//!
//! Petitions written this way carry a unique text, so the trial can tell afterwards whether each
//! passed exactly once; forged rows carry [`FORGED`], so the audit's findings can be matched to
//! them and no ledger may ever hold it.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

use crate::books::csvrow::write_row;
use crate::books::layout::{ledger_path, page_path};
use crate::rng::Rng;
use crate::words::count;

/// The page of each messagebook the careless person writes in.
pub const HAND: &str = "hand";

/// The mark every forged row carries in its decree text.
pub const FORGED: &str = "FORGED by the chaos trial";

/// What the careless person did, for the trial's report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mischief {
    /// Garbage rows written.
    pub garbage: u64,
    /// Rows written in two halves.
    pub halves: u64,
    /// Editor-style saves (rename over).
    pub editor_saves: u64,
    /// Truncate-and-rewrites.
    pub rewrites: u64,
    /// Rows with a byte-order mark and CRLF.
    pub bom_crlf: u64,
    /// Rows typed in halves into a messenger's page: each must cost only itself.
    pub halves_in_messengers_pages: u64,
    /// Petitions with a quote inside an unquoted field.
    pub quotes: u64,
    /// Petitions whose text holds a line that looks like a row.
    pub rowlike: u64,
    /// Ledger files added by hand (not on the roll).
    pub stray_ledgers: u64,
    /// Second sittings tried (each must be refused).
    pub second_sittings: u64,
    /// Rows typed in halves into a messenger's page: (a tag, the whole text). A decree holding the
    /// tag must be exactly the whole text (the person finished before the messenger wrote);
    /// anything else is a row spliced with a messenger's.
    pub never: Vec<(String, String)>,
    /// Second halves waiting for the person to finish typing: the page, the bytes, when.
    pub unfinished: Vec<(PathBuf, Vec<u8>, Instant)>,
    /// Forged rows: (messagebook, the row's text).
    pub forged: Vec<(PathBuf, String)>,
    /// Petitions written by hand, each of which must pass exactly once: its text, the book it went
    /// to, and the whole row, which the person writes again, the same, if it has not passed.
    pub petitions: Vec<(String, PathBuf, String)>,
}

/// Appends bytes to a messagebook as `echo >>` does.
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    OpenOptions::new().append(true).create(true).open(path)?.write_all(bytes)
}

impl std::fmt::Display for Mischief {
    /// The counts of what the careless person did, as the chaos report prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {} ({} across a messenger's rows), {}, {}, {}, {}, {}, {}, {}, {}",
            count(self.garbage, "garbage row"),
            count(self.halves, "row in halves|rows in halves"),
            self.halves_in_messengers_pages,
            count(self.editor_saves, "editor save"),
            count(self.rewrites, "rewrite"),
            count(self.bom_crlf, "BOM/CRLF row"),
            count(self.quotes, "quote in a field|quotes in fields"),
            count(self.rowlike, "row-like decree"),
            count(self.stray_ledgers, "stray ledger"),
            count(self.second_sittings, "second sitting refused|second sittings refused"),
            count(self.forged.len(), "forged row")
        )
    }
}

impl Mischief {
    /// Finishes typing the rows whose second half is due.
    pub fn finish_typing(&mut self) -> io::Result<()> {
        let now = Instant::now();
        for (page, rest, _) in self.unfinished.iter().filter(|(_, _, due)| *due <= now) {
            append(page, rest)?;
        }
        self.unfinished.retain(|(_, _, due)| *due > now);
        Ok(())
    }

    /// Does one careless thing to the messagebook of `priest` (`other` is another priest's name);
    /// `tag` makes texts unique.
    pub fn act(&mut self, rng: &mut Rng, dir: &Path, priest: &str, other: &str, tag: &str) -> io::Result<()> {
        let book = page_path(dir, priest, HAND);
        if !book.exists() {
            fs::write(&book, "")?;
        }
        let messengers = page_path(dir, priest, other);
        // One person, one row at a time in a page: he finishes what he was typing there first.
        for (page, rest, _) in self.unfinished.iter().filter(|(p, _, _)| *p == book || *p == messengers) {
            append(page, rest)?;
        }
        self.unfinished.retain(|(p, _, _)| *p != book && *p != messengers);
        let text = format!("Hand petition {tag}");
        let pause = Instant::now() + Duration::from_millis(200 + rng.below(1500));
        match rng.below(11) {
            0 => {
                let junk = [
                    "this is not a row, at all\n",
                    ",Ann,Vote,1,x\n",
                    "Voted,,,,,,,,,,,,,,\n",
                    ",Lynch,Voted,,seven\n",
                    ",Bob,Petition,\"a quote that never closes\n",
                ];
                append(&book, junk[rng.below(junk.len() as u64) as usize].as_bytes())?;
                self.garbage += 1;
            }
            1 => {
                // Typed in two pieces, with a pause: read whole when its line ends.
                append(&book, format!(",Bob,Petition,\"{text}, ").as_bytes())?;
                self.unfinished.push((book.clone(), b"in two halves\"\n".to_vec(), pause));
                let row = format!(",Bob,Petition,\"{text}, in two halves\"\n");
                self.petitions.push((format!("{text}, in two halves"), book, row));
                self.halves += 1;
            }
            2 => {
                let mut content = fs::read(&book)?;
                let row = format!(",Cy,Petition,{text} (saved by an editor)\n");
                content.extend_from_slice(row.as_bytes());
                let swap = book.with_file_name(format!(".{HAND}.csv.swp"));
                fs::write(&swap, content)?;
                fs::rename(&swap, &book)?;
                self.petitions.push((format!("{text} (saved by an editor)"), book, row));
                self.editor_saves += 1;
            }
            3 => {
                let mut content = fs::read(&book)?;
                let row = format!(",Di,Petition,{text} (rewritten)\n");
                content.extend_from_slice(row.as_bytes());
                fs::write(&book, content)?;
                self.petitions.push((format!("{text} (rewritten)"), book, row));
                self.rewrites += 1;
            }
            4 => {
                let row = format!("\u{feff},Eve,Petition,{text} (BOM and CRLF)\r\n");
                append(&book, row.as_bytes())?;
                self.petitions.push((format!("{text} (BOM and CRLF)"), book, row));
                self.bom_crlf += 1;
            }
            5 => {
                // Half a petition in the page a messenger appends to: his rows come between the
                // halves, so the row is spoiled, and must cost only itself.
                let half = format!("Spliced [{tag}]");
                append(&messengers, format!(",Bob,Petition,{half} first").as_bytes())?;
                self.unfinished.push((messengers, format!(" and second half {half}\n").into_bytes(), pause));
                self.never.push((half.clone(), format!("{half} first and second half {half}")));
                self.halves_in_messengers_pages += 1;
            }
            6 => {
                let quoted = format!("{text} a 5\" pipe");
                let row = format!(",Fay,Petition,{quoted}\n");
                append(&book, row.as_bytes())?;
                self.petitions.push((quoted, book, row));
                self.quotes += 1;
            }
            7 => {
                let rowlike = format!("{text}\n2026-01-01T00:00:00.000Z,{other},Voted,,1,1.{other},,,,");
                let row = write_row(&["", "Gus", "Petition", &rowlike], &[false, true, false, true]);
                append(&book, row.as_bytes())?;
                self.petitions.push((rowlike, book, row));
                self.rowlike += 1;
            }
            8 if self.stray_ledgers == 0 => {
                let stray = ledger_path(dir, "Zeno");
                fs::write(&stray, "at,entry,ballot,decree_no,decree,petition\n")?;
                self.stray_ledgers += 1;
            }
            9 => {
                // A Voted row the sender's ledger does not hold: a vote on a decree number no one
                // has reached, in a ballot no one tried.
                let row = format!(",{other},Voted,,{},77.{priest},,,,\n", 900_000 + rng.below(1000));
                append(&book, row.as_bytes())?;
                self.forged.push((book, row));
            }
            _ => {
                // A BeginBallot for a forged decree, in the sender's own page: a priest who acted
                // on it would write it in his ledger as a vote.
                let row = format!(
                    ",{other},BeginBallot,{FORGED} {tag},{},77.{other},forged-{tag},,,\n",
                    900_000 + rng.below(1000)
                );
                let page = if rng.chance(0.5) { book } else { messengers };
                append(&page, row.as_bytes())?;
                self.forged.push((page, row));
            }
        }
        Ok(())
    }
}
