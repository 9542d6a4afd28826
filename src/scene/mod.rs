//! `parliament scene`: the paper's scenes played by the real priests on real files, narrated, each
//! ending with a check, read from the files it leaves, that the outcome is the paper's. A scene is
//! a deterministic script over a [`stage::Stage`] (real [`crate::priest::Priest`]s, real ledgers
//! and messagebook pages, the scene's own clock), so it leaves the same Chamber every time, for
//! `cat`, `chronicle`, `laws` and `audit` to read.

pub mod figure;
pub mod legislator;
pub mod more;
pub mod paper;
pub mod stage;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::books::Roll;
use crate::books::book_rows::{BOOK_HEADER, BookEntry, parse_book_row};
use crate::books::layout::{book_dir, ledger_path};
use crate::books::ledger_read::read_ledger;
use crate::priest::{Decree, DecreeNo, Message, Petition, Record};

/// A scene: its name, the paper's section, one line saying what happens, and how to play it.
pub struct Scene {
    /// The name on the command line.
    pub name: &'static str,
    /// Where in the paper.
    pub section: &'static str,
    /// One line.
    pub about: &'static str,
    /// Plays it into a new folder.
    pub play: fn(&Path) -> anyhow::Result<Played>,
}

/// Every scene, in the order `parliament scene` lists them.
pub const SCENES: [Scene; 7] = [
    Scene {
        name: "olive-day",
        section: "§3.1",
        about: "a new president fills a gap below a decree he knows with an olive-day decree, never a new petition",
        play: paper::olive_day,
    },
    Scene {
        name: "amnesia",
        section: "§1, §2.3",
        about: "a priest whose ledger is lost must not vote; the rest carry on",
        play: paper::amnesia,
    },
    Scene {
        name: "lost-slip",
        section: "§2.3",
        about: "a priest leaves right after writing his ledger, before his messenger sets out",
        play: paper::lost_slip,
    },
    Scene {
        name: "ballots",
        section: "§2.1, Figure 1",
        about: "ballots 2, 5, 14, 27 and 29 among A, B, Γ, Δ, E with the figure's quorums and voters; B3 fixes each decree",
        play: figure::ballots,
    },
    Scene {
        name: "two-presidents",
        section: "§2.4",
        about: "two priests who cannot hear each other both preside; progress slows, agreement holds",
        play: more::two_presidents,
    },
    Scene {
        name: "vacation",
        section: "§3.3.1",
        about: "Ωκι returns from a long absence and catches up before he leads (add --naive for the paper's trouble)",
        play: more::vacation,
    },
    Scene {
        name: "legislator",
        section: "§3.3.6",
        about: "\"3252: Στρωνγ is now a legislator\", in force three decrees on; 3253 and 3254 are olive-day decrees",
        play: legislator::legislator,
    },
];

/// The scene with this name.
pub fn find(name: &str) -> Option<&'static Scene> {
    SCENES.iter().find(|s| s.name == name)
}

/// A scene played: what it told, and the checks of its outcome against the paper.
pub struct Played {
    /// The Chamber's folder.
    pub dir: PathBuf,
    /// The roll.
    pub roll: Roll,
    /// The story, a line at a time.
    pub told: Vec<String>,
    /// Each check of the outcome, and whether it held.
    pub checks: Vec<(String, bool)>,
    /// Ticks played.
    pub ticks: u64,
}

impl Played {
    /// The stage's story, ended.
    pub fn new(stage: stage::Stage) -> Played {
        Played { dir: stage.dir, roll: stage.roll, told: stage.told, checks: Vec::new(), ticks: stage.ticks }
    }

    /// Records one check of the outcome.
    pub fn check(&mut self, what: impl Into<String>, held: bool) {
        self.checks.push((what.into(), held));
    }

    /// Whether every check held.
    pub fn holds(&self) -> bool {
        self.checks.iter().all(|(_, held)| *held)
    }
}

/// The paper's petitions, numbered.
const TEXTS: [&str; 6] = [
    "Lamps must use only olive oil",
    "The olive tax is 3 drachmas per ton",
    "Cheese inspectors must taste every cheese",
    "Wine may not be watered",
    "Painting on temple walls is forbidden",
    "The priests shall sit on Tuesdays",
];

/// Petition `n` (from 1), with id `paper-n`.
pub fn petition(n: usize) -> Petition {
    match TEXTS.get(n - 1) {
        Some(text) => Petition::new(&format!("paper-{n}"), text),
        None => Petition::new(&format!("paper-{n}"), &format!("Law {n} of the session")),
    }
}

/// The decree that makes petition `n` law.
pub fn law(n: usize) -> Decree {
    Decree::Law(petition(n))
}

/// Every row of `ledgers/<name>.csv`, read back from the file.
pub fn ledger_rows(dir: &Path, roll: &Roll, name: &str) -> anyhow::Result<Vec<Record>> {
    Ok(read_ledger(&ledger_path(dir, name), roll)?.rows.into_iter().map(|(_, r)| r.record).collect())
}

/// The statute book `ledgers/<name>.csv` holds, in decree order.
pub fn book_on_file(dir: &Path, roll: &Roll, name: &str) -> anyhow::Result<Vec<(DecreeNo, Decree)>> {
    let mut book = std::collections::BTreeMap::new();
    for r in ledger_rows(dir, roll, name)? {
        if let Record::Decree { decree_no, decree } = r {
            book.entry(decree_no).or_insert(decree);
        }
    }
    Ok(book.into_iter().collect())
}

/// Every message row in every page, with its `at`, read back from the files.
pub fn page_rows(dir: &Path, roll: &Roll) -> anyhow::Result<Vec<(Option<DateTime<Utc>>, Message)>> {
    Ok(rows_where(dir, roll, |_, _| true)?.into_iter().map(|(at, _, m)| (at, m)).collect())
}

/// The times of every message row from priest `from`, in any page.
pub fn page_times(dir: &Path, roll: &Roll, from: &str) -> anyhow::Result<Vec<DateTime<Utc>>> {
    Ok(rows_where(dir, roll, |_, page| page == from)?.into_iter().filter_map(|(at, _, _)| at).collect())
}

/// The times of `kind` rows written by `from` in `to`'s messagebook, in order.
pub fn page_times_of(
    dir: &Path,
    roll: &Roll,
    to: &str,
    from: &str,
    kind: &str,
) -> anyhow::Result<Vec<DateTime<Utc>>> {
    let rows = rows_where(dir, roll, |owner, page| owner == to && page == from)?;
    Ok(rows.into_iter().filter(|(_, _, m)| m.kind() == kind).filter_map(|(at, _, _)| at).collect())
}

/// Every message in the page `from` wrote in `to`'s messagebook, in order.
pub fn page_rows_of(dir: &Path, roll: &Roll, to: &str, from: &str) -> anyhow::Result<Vec<Message>> {
    Ok(rows_where(dir, roll, |owner, page| owner == to && page == from)?
        .into_iter()
        .map(|(_, _, m)| m)
        .collect())
}

type Row = (Option<DateTime<Utc>>, String, Message);

/// The message rows of the pages `pick(owner, page)` accepts.
fn rows_where(dir: &Path, roll: &Roll, pick: impl Fn(&str, &str) -> bool) -> anyhow::Result<Vec<Row>> {
    let mut out = Vec::new();
    for owner in roll.names() {
        let pages = crate::books::layout::pages(dir, owner)?;
        for page in pages.into_iter().filter(|p| pick(owner, p)) {
            let text = std::fs::read_to_string(book_dir(dir, owner).join(format!("{page}.csv")))?;
            for line in text.lines().filter(|l| *l != BOOK_HEADER) {
                let at = line
                    .split(',')
                    .next()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let message = match parse_book_row(roll, line) {
                    Ok(BookEntry::Message { message, .. }) => message,
                    Ok(BookEntry::Petition { text, id, .. }) => {
                        Message::Petition(crate::books::membership::petition_in_rows(roll, &id, &text))
                    }
                    Ok(BookEntry::Continued { .. }) => continue,
                    Err(why) => anyhow::bail!("{owner}/{page}.csv: {why}"),
                };
                out.push((at, page.clone(), message));
            }
        }
    }
    Ok(out)
}
