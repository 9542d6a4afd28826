//! Presence, §2.4's "I am here": how priests know who is in the Chamber, kept out of the
//! messagebooks so that they show petitions and the paper's messages, nothing else.
//!
//! Each priest keeps one small file, `presence/<priest>.csv`, which he rewrites (a new file
//! renamed over the old, so a reader never sees half of one) every time his priest would send a
//! Heartbeat: the time, how far his statute book runs without a gap (`known`), and a count that
//! changes with every beat. The others read it on their ticks; a changed file is a Heartbeat from
//! him. A file that stops changing is a priest who left. The file never grows: an idle Chamber
//! writes nothing that lasts.
//!
//! ```text
//! at,priest,known,beat
//! 2026-11-23T21:48:24.127Z,Toueg,12,4711
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::books::Roll;
use crate::books::layout::{PRESENCE, presence_path};
use crate::priest::{DecreeNo, Message, PriestId};

/// The presence file's header row.
pub const PRESENCE_HEADER: &str = "at,priest,known,beat";

/// One priest's presence file, written by him.
pub struct Announcer {
    path: PathBuf,
    name: String,
    beat: u64,
}

impl Announcer {
    /// The presence of priest `name` in the Chamber in `dir`; makes `presence/` if missing.
    pub fn new(dir: &Path, name: &str, seed: u64) -> io::Result<Announcer> {
        fs::create_dir_all(dir.join(PRESENCE))?;
        Ok(Announcer { path: presence_path(dir, name), name: name.to_string(), beat: seed % 1_000_000 })
    }

    /// "I am here, and my statute book runs to `known`."
    pub fn announce(&mut self, known: DecreeNo) -> io::Result<()> {
        self.beat += 1;
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let text = format!("{PRESENCE_HEADER}\n{at},{},{known},{}\n", self.name, self.beat);
        let tmp = self.path.with_file_name(format!(".{}.new", self.name));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        drop(f);
        fs::rename(&tmp, &self.path)
    }
}

/// What a priest has seen of the others' presence files.
pub struct Listener {
    files: Vec<(PriestId, PathBuf, String)>,
}

impl Listener {
    /// Listens to every priest of `roll` but `me`.
    pub fn new(dir: &Path, roll: &Roll, me: PriestId) -> Listener {
        let files = (0..roll.len())
            .map(|i| PriestId(i as u16))
            .filter(|&p| p != me)
            .map(|p| (p, presence_path(dir, roll.name(p)), String::new()))
            .collect();
        Listener { files }
    }

    /// Listens to the places a grown roll adds (§3.3.6) too.
    pub fn grow(&mut self, dir: &Path, roll: &Roll, me: PriestId) {
        for p in (0..roll.len()).map(|i| PriestId(i as u16)).filter(|&p| p != me) {
            if !self.files.iter().any(|(q, _, _)| *q == p) {
                self.files.push((p, presence_path(dir, roll.name(p)), String::new()));
            }
        }
    }

    /// A Heartbeat from each priest whose presence file changed since the last call.
    pub fn hear(&mut self) -> Vec<(PriestId, Message)> {
        let mut out = Vec::new();
        for (p, path, seen) in &mut self.files {
            let Ok(text) = fs::read_to_string(&*path) else { continue };
            if text == *seen {
                continue;
            }
            let known =
                text.lines().nth(1).and_then(|row| row.split(',').nth(2)).and_then(|k| k.parse().ok());
            *seen = text;
            if let Some(known) = known {
                out.push((*p, Message::Heartbeat { known }));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_presence_file_is_a_heartbeat_and_an_unchanged_one_is_silence() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let mut toueg = Announcer::new(dir.path(), "Toueg", 7).unwrap();
        let mut lynch = Listener::new(dir.path(), &roll, PriestId(1));
        assert!(lynch.hear().is_empty(), "nobody announced yet");
        toueg.announce(3).unwrap();
        assert_eq!(lynch.hear(), [(PriestId(2), Message::Heartbeat { known: 3 })]);
        assert!(lynch.hear().is_empty(), "no new beat, no heartbeat");
        toueg.announce(3).unwrap();
        assert_eq!(lynch.hear().len(), 1);
        let size = fs::metadata(presence_path(dir.path(), "Toueg")).unwrap().len();
        for _ in 0..100 {
            toueg.announce(3).unwrap();
        }
        assert!(
            fs::metadata(presence_path(dir.path(), "Toueg")).unwrap().len() <= size + 3,
            "it never grows"
        );
    }
}
