//! The careless person of the chaos trials: what people do to messagebooks. Garbage rows, a row
//! written in two halves, an editor's save (a new file renamed over the old), a truncate and
//! rewrite, a row with a stray byte-order mark and a CRLF line end, and forged rows that claim a
//! priest said what his ledger does not hold.
//!
//! Petitions written this way carry a unique text, so the trial can tell afterwards whether each
//! passed exactly once; forged rows carry [`FORGED`], so the audit's findings can be matched to
//! them and no ledger may ever hold it.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::chamber::god::book_path;
use crate::rng::Rng;

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
    /// Forged rows: (messagebook, the row's text).
    pub forged: Vec<(PathBuf, String)>,
    /// Petitions written by hand, each of which must pass exactly once: its text, the book it went
    /// to, and the whole row, which the person writes again, the same, if it has not passed.
    pub petitions: Vec<(String, PathBuf, String)>,
}

/// Appends bytes to a messagebook as `echo >>` does.
pub fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    OpenOptions::new().append(true).open(path)?.write_all(bytes)
}

use crate::sim::count;

impl std::fmt::Display for Mischief {
    /// The counts of what the careless person did, as the chaos report prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, {}, {}, {}, {}, {}",
            count(self.garbage, "garbage row"),
            count(self.halves, "row in halves|rows in halves"),
            count(self.editor_saves, "editor save"),
            count(self.rewrites, "rewrite"),
            count(self.bom_crlf, "BOM/CRLF row"),
            count(self.forged.len(), "forged row")
        )
    }
}

impl Mischief {
    /// Does one careless thing to the messagebook of `priest` (whose president is `president`,
    /// another priest's name); `tag` makes texts unique.
    pub fn act(&mut self, rng: &mut Rng, dir: &Path, priest: &str, other: &str, tag: &str) -> io::Result<()> {
        let book = book_path(dir, priest);
        let text = format!("Hand petition {tag}");
        match rng.below(7) {
            0 => {
                let junk = [
                    "this is not a row, at all\n",
                    ",Ann,Vote,1,x\n",
                    "Voted,,,,,,,,,,,,,,\n",
                    ",Lynch,Voted,,seven\n",
                ];
                append(&book, junk[rng.below(junk.len() as u64) as usize].as_bytes())?;
                self.garbage += 1;
            }
            1 => {
                append(&book, format!(",Bob,Petition,\"{text}, ").as_bytes())?;
                append(&book, b"in two halves\"\n")?;
                let row = format!(",Bob,Petition,\"{text}, in two halves\"\n");
                self.petitions.push((format!("{text}, in two halves"), book, row));
                self.halves += 1;
            }
            2 => {
                let mut content = fs::read(&book)?;
                let row = format!(",Cy,Petition,{text} (saved by an editor)\n");
                content.extend_from_slice(row.as_bytes());
                let swap = dir.join("messagebooks").join(format!(".{priest}.csv.swp"));
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
                // A Voted row the sender's ledger does not hold: a vote on a decree number no one
                // has reached, in a ballot no one tried.
                let row = format!(",{other},Voted,,{},77.{priest},,,,\n", 900_000 + rng.below(1000));
                append(&book, row.as_bytes())?;
                self.forged.push((book, row));
            }
            _ => {
                // A BeginBallot for a forged decree: a priest who acted on it would write it in his
                // ledger as a vote.
                let row = format!(
                    ",{other},BeginBallot,{FORGED} {tag},{},77.{other},forged-{tag},,,\n",
                    900_000 + rng.below(1000)
                );
                append(&book, row.as_bytes())?;
                self.forged.push((book, row));
            }
        }
        Ok(())
    }
}
