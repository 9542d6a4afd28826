//! The roll of the Chamber: its priests' names and weights, where a priest's place is his
//! `PriestId` (his line in `roll.csv`, file order), and the paper's ballot numbers written with
//! names (`4.Lynch`).
//!
//! The roll is the Chamber's law, not a folder listing: God writes `roll.csv` when he lays out a
//! Chamber (a header `priest,weight`, then one place a line: `Name,Weight`), and every reader takes
//! the priests from it. The names laid out together are sorted, so "the later name" of §2.4 is the
//! later place; a name admitted later (`parliament admit`, §3.3.6) is appended with weight 0, and
//! the membership decree gives him his weight. Places are never reused or reordered. An older roll
//! with only the header `priest` reads as weight 1 each. A ledger file that is not on the roll is
//! reported by name and ignored, so a file added by hand can never change the size of a majority
//! set. Changing who is a legislator is for decrees (§3.3.6).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use super::layout::{LEDGERS, MESSAGEBOOKS, ROLL, ledger_path, roll_path};
use crate::names::check_name;
use crate::priest::{BallotNumber, MAX_PLACES, PriestId};

/// The roll file's header row.
pub const ROLL_HEADER: &str = "priest,weight";

/// The header of a roll written before weights: every priest weight 1.
const OLD_ROLL_HEADER: &str = "priest";

/// The heaviest a priest may be laid out.
pub const MAX_WEIGHT: u32 = 1000;

/// The Chamber's priests, by name, each with the weight he was laid out (or seated) with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roll {
    /// Names in place order.
    names: Vec<String>,
    /// Weights in place order.
    weights: Vec<u32>,
    /// Places sorted by name, to find a name.
    by_name: Vec<u16>,
}

/// Reads a name as `convene --names` takes it: `Ann` (weight 1), `Ann:2` (weight 2), `+Dan` (laid
/// out with weight 0: he learns the decrees, but is not a legislator until a decree says so).
pub fn parse_seat(spec: &str) -> Result<(String, u32), String> {
    let spec = spec.trim();
    if let Some(name) = spec.strip_prefix('+') {
        check_name(name)?;
        return Ok((name.to_string(), 0));
    }
    let Some((name, weight)) = spec.split_once(':') else {
        check_name(spec)?;
        return Ok((spec.to_string(), 1));
    };
    check_name(name)?;
    let weight = parse_weight(weight).map_err(|why| format!("{spec:?}: {why}"))?;
    Ok((name.to_string(), weight))
}

/// Reads a weight: 0 to [`MAX_WEIGHT`].
pub fn parse_weight(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(w) if w <= MAX_WEIGHT => Ok(w),
        _ => Err(format!("weight {text:?} is not a whole number from 0 to {MAX_WEIGHT}")),
    }
}

impl Roll {
    /// A roll of these names, each weight 1 (sorted here); refuses bad, duplicate or too many
    /// names.
    pub fn new(names: Vec<String>) -> Result<Roll, String> {
        Roll::laid_out(names.into_iter().map(|n| (n, 1)).collect())
    }

    /// A roll of these names as `convene --names` takes them (`Ann:2`, `Bob`, `+Dan`), sorted.
    pub fn from_seats(seats: &[String]) -> Result<Roll, String> {
        Roll::laid_out(seats.iter().map(|s| parse_seat(s)).collect::<Result<_, _>>()?)
    }

    /// A new Chamber's roll: these names with their weights, sorted by name. At least one must
    /// be a legislator.
    pub fn laid_out(mut seats: Vec<(String, u32)>) -> Result<Roll, String> {
        seats.sort();
        let roll = Roll::in_places(seats)?;
        if roll.weights.iter().all(|&w| w == 0) {
            return Err(
                "every priest named has weight 0: a Chamber needs a legislator to pass a decree".to_string()
            );
        }
        Ok(roll)
    }

    /// A roll with these places in this order (as `roll.csv` lists them).
    fn in_places(seats: Vec<(String, u32)>) -> Result<Roll, String> {
        if seats.is_empty() || seats.len() > MAX_PLACES {
            return Err(format!("a Chamber holds 1 to {MAX_PLACES} priests, not {}", seats.len()));
        }
        for (n, w) in &seats {
            check_name(n)?;
            if *w > MAX_WEIGHT {
                return Err(format!("{n}'s weight {w} is above {MAX_WEIGHT}"));
            }
        }
        let (names, weights): (Vec<String>, Vec<u32>) = seats.into_iter().unzip();
        let mut by_name: Vec<u16> = (0..names.len() as u16).collect();
        by_name.sort_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));
        if let Some(w) = by_name.windows(2).find(|w| names[w[0] as usize] == names[w[1] as usize]) {
            return Err(format!("priest {:?} is named twice", names[w[0] as usize]));
        }
        Ok(Roll { names, weights, by_name })
    }

    /// The names, in place order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Each place's weight as laid out (0: not a legislator), in place order. The weights in
    /// force are these changed by the membership decrees (§3.3.6).
    pub fn weights(&self) -> &[u32] {
        &self.weights
    }

    /// How many places.
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
        self.by_name
            .binary_search_by(|&i| self.names[i as usize].as_str().cmp(name))
            .ok()
            .map(|i| PriestId(self.by_name[i]))
    }

    /// Whether this roll is `earlier` with places appended (a roll only grows).
    pub fn is_grown_from(&self, earlier: &Roll) -> bool {
        self.len() >= earlier.len() && self.names[..earlier.len()] == earlier.names[..]
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

    /// The text of `roll.csv` for this roll.
    fn text(&self) -> String {
        let mut text = format!("{ROLL_HEADER}\n");
        for (n, w) in self.names.iter().zip(&self.weights) {
            text.push_str(&format!("{n},{w}\n"));
        }
        text
    }
}

/// Why a folder whose `ledgers/` holds these ledgers but which has no `roll.csv` is refused, and
/// how to put its roll back (never a new Chamber laid out over its ledgers).
fn missing_roll(path: &Path, names: &[String]) -> String {
    let rows: String = names.iter().map(|n| format!("{n},1\\n")).collect();
    format!(
        "missing, but {LEDGERS}/ holds the ledgers of {}: a Chamber was laid out here and has lost its roll, so who \
         sits in it is unknown. Do not lay out a new Chamber over these ledgers; restore roll.csv from a backup, \
         or write it again from the names in {LEDGERS}/, each with the weight he \
         was laid out with (1 unless given; a priest admitted later was placed with 0, after the first names): \
         printf '{ROLL_HEADER}\\n{rows}' > {}",
        names.join(", "),
        path.display()
    )
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
                let mut names: Vec<String> = fs::read_dir(dir.join(LEDGERS))
                    .map(|d| {
                        d.filter_map(Result::ok)
                            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                            .filter_map(|e| {
                                super::layout::page_name(&e.file_name().to_string_lossy()).map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                names.sort();
                if !names.is_empty() {
                    return Err(bad(missing_roll(&path, &names)));
                }
                return Ok(None);
            }
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(bad("not UTF-8 text".to_string()));
            }
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        };
        Roll::parse(&text).map(Some).map_err(bad)
    }

    /// Reads the text of a `roll.csv`; the error names the line.
    pub fn parse(text: &str) -> Result<Roll, String> {
        let mut lines = text.lines().map(|l| l.trim_end_matches('\r')).enumerate();
        let weighted = match lines.next() {
            Some((_, h)) => {
                let h: Vec<&str> = h.trim_start_matches('\u{feff}').split(',').map(str::trim).collect();
                match h.as_slice() {
                    [OLD_ROLL_HEADER] => false,
                    [OLD_ROLL_HEADER, "weight", ..] => true,
                    _ => return Err(format!("line 1 is {h:?}; expected the header {ROLL_HEADER:?}")),
                }
            }
            None => return Err(format!("empty; expected the header {ROLL_HEADER:?}")),
        };
        let mut seats = Vec::new();
        for (i, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let mut columns = line.split(',').map(str::trim);
            let name = columns.next().unwrap_or("").to_string();
            let weight = match columns.next() {
                Some(w) if weighted => parse_weight(w).map_err(|why| format!("line {}: {why}", i + 1))?,
                None if weighted => {
                    return Err(format!("line {}: {name:?} has no weight; write {name},1", i + 1));
                }
                _ => 1,
            };
            seats.push((name, weight));
        }
        Roll::in_places(seats)
    }

    /// Writes `roll.csv` for a new Chamber and syncs it; refuses to overwrite one.
    pub fn write_new(&self, dir: &Path) -> io::Result<()> {
        let path = roll_path(dir);
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        f.write_all(self.text().as_bytes())?;
        f.sync_all()?;
        fs::File::open(dir)?.sync_all()
    }

    /// Gives `name` a place at the end of the Chamber's roll in `dir` (weight 0: a membership
    /// decree makes him a legislator), appended to `roll.csv` and synced before this returns, so
    /// that every row naming him is written after the roll that places him. Returns the roll and
    /// whether he was new. Two at once are kept apart by a lock file (`.roll.lock`).
    pub fn seat(dir: &Path, name: &str) -> io::Result<(Roll, bool)> {
        check_name(name).map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(super::layout::ROLL_LOCK))?;
        // SAFETY: flock(2) on a descriptor we own; released when `lock` is closed.
        if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let missing =
            || io::Error::new(io::ErrorKind::NotFound, format!("{} holds no Chamber", dir.display()));
        let roll = Roll::read(dir)?.ok_or_else(missing)?;
        if roll.id(name).is_some() {
            return Ok((roll, false));
        }
        if let Some(like) = roll.names().iter().find(|n| n.to_lowercase() == name.to_lowercase()) {
            let why = format!(
                "{like} is on the roll already, and {name} differs from him only in case: on a case-insensitive file system (macOS, Windows) the two would share one ledger. Did you mean {like}?"
            );
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        if roll.len() >= MAX_PLACES {
            let why = format!("the roll is full: a Chamber holds at most {MAX_PLACES} places, ever");
            return Err(io::Error::new(io::ErrorKind::InvalidInput, why));
        }
        let path = roll_path(dir);
        let text = fs::read_to_string(&path)?;
        let mut line = String::new();
        if !text.is_empty() && !text.ends_with('\n') {
            line.push('\n');
        }
        if text.lines().next().is_some_and(|h| h.trim() == OLD_ROLL_HEADER) {
            // An older roll without weights: rewritten whole with them (same places), then appended.
            let tmp = dir.join(".roll.csv.new");
            let mut f = fs::File::create(&tmp)?;
            f.write_all(roll.text().as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, &path)?;
            line.clear();
        }
        line.push_str(&format!("{name},0\n"));
        let mut f = fs::OpenOptions::new().append(true).open(&path)?;
        f.write_all(line.as_bytes())?;
        f.sync_all()?;
        fs::File::open(dir)?.sync_all()?;
        let roll = Roll::read(dir)?.ok_or_else(missing)?;
        Ok((roll, true))
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
                    let meant = crate::names::did_you_mean(stem, self.names.iter().map(String::as_str));
                    out.push(format!(
                        "{sub}/{file}: not on the roll ({ROLL}: {}); this {what} is ignored{meant}",
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

    /// A newcomer's trial: rows written into `messagebooks/Lynhc/` were ignored, and nothing said
    /// which priest was meant.
    #[test]
    fn a_stray_with_a_typo_of_a_name_is_offered_the_name() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        fs::create_dir_all(dir.path().join("messagebooks/Lynhc")).unwrap();
        let strays = roll.strays(dir.path());
        assert_eq!(strays.len(), 1, "{strays:?}");
        assert!(strays[0].ends_with("this messagebook is ignored; did you mean Lynch?"), "{strays:?}");
    }
}
