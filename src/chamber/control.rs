//! The messengers' control file, `messengers.csv` in the Chamber's folder: how a person (or
//! `parliament watch`) holds the messengers back, lets one message through at a time, has the next
//! message to a priest lost or carried twice, or changes their pace. The paper's messengers are
//! unreliable of their own accord (§1.1); this file lets a person choose the moment.
//!
//! ```text
//! pace_ms,paused,steps,drop_next_to,duplicate_next_to
//! 0,true,1,,Oki
//! ```
//!
//! Why a file: every priest's messenger may be a process of its own, started by God or by hand in
//! another terminal, so the one thing they all share is the Chamber's folder. A file there can be
//! written with `printf` as easily as by the watch, read with `cat`, and needs no port, no socket
//! and no signal numbering. Each messenger checks it before each write to the messagebooks (one
//! `stat`, and a read only when it changed), so a missing file costs a failed `stat` and nothing
//! else.
//!
//! `steps`, `drop_next_to` and `duplicate_next_to` are used up: the messenger that spends one
//! takes an `flock` on the file, reads it again, and rewrites it in place with one step fewer or
//! the name cleared, so two messengers never spend the same one. Write it the same way (or accept
//! that a hand edit racing a messenger may lose one of the two changes).

use std::collections::VecDeque;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The control file's name in the Chamber's folder.
pub const CONTROL: &str = "messengers.csv";
/// Its header row.
pub const CONTROL_HEADER: &str = "pace_ms,paused,steps,drop_next_to,duplicate_next_to";

/// What the control file says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Every delivery waits at least this long.
    pub pace: Duration,
    /// Deliveries are held until resumed (or stepped).
    pub paused: bool,
    /// How many held deliveries may still go while paused.
    pub steps: u64,
    /// The next message to this priest is lost.
    pub drop_next_to: String,
    /// The next message to this priest is delivered twice.
    pub duplicate_next_to: String,
}

impl Settings {
    /// Reads the file's second line; None if it is not one.
    pub fn parse(text: &str) -> Option<Settings> {
        let row = text.lines().nth(1)?;
        let f: Vec<&str> = row.split(',').map(str::trim).collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        Some(Settings {
            pace: Duration::from_millis(get(0).parse().ok().unwrap_or(0)),
            paused: matches!(get(1), "true" | "1" | "yes"),
            steps: get(2).parse().unwrap_or(0),
            drop_next_to: get(3).to_string(),
            duplicate_next_to: get(4).to_string(),
        })
    }

    /// The file's text.
    pub fn text(&self) -> String {
        format!(
            "{CONTROL_HEADER}\n{},{},{},{},{}\n",
            self.pace.as_millis(),
            self.paused,
            self.steps,
            self.drop_next_to,
            self.duplicate_next_to
        )
    }
}

/// The control file's path in the Chamber in `dir`.
pub fn control_path(dir: &Path) -> PathBuf {
    dir.join(CONTROL)
}

/// Changes the control file under its lock: reads it (or the defaults), lets `change` edit it,
/// writes it back in place. Returns what `change` returned.
pub fn update<T>(dir: &Path, change: impl FnOnce(&mut Settings) -> T) -> io::Result<T> {
    let mut file =
        OpenOptions::new().read(true).write(true).create(true).truncate(false).open(control_path(dir))?;
    // SAFETY: flock(2) on a descriptor we own; the lock ends when `file` is closed.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    let mut settings = Settings::parse(&text).unwrap_or_default();
    let before = settings.clone();
    let out = change(&mut settings);
    if settings != before || text.is_empty() {
        let new = settings.text();
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(new.as_bytes())?;
    }
    Ok(out)
}

/// Whether two messagebook rows carry the same message: equal but for their first field, the time.
fn same_message(a: &str, b: &str) -> bool {
    let rest = |row: &str| row.split_once(',').map(|(_, rest)| rest.to_string());
    rest(a).is_some() && rest(a) == rest(b)
}

/// A messenger's view of the control file, and the rows it holds back.
#[derive(Debug)]
pub struct Control {
    path: PathBuf,
    dir: PathBuf,
    seen: Option<(i64, i64, u64, u64)>,
    settings: Settings,
    /// Rows held: (due, recipient, row with its newline).
    held: VecDeque<(Instant, usize, String)>,
}

impl Control {
    /// The control of the Chamber in `dir`.
    pub fn new(dir: &Path) -> Control {
        Control {
            path: control_path(dir),
            dir: dir.to_path_buf(),
            seen: None,
            settings: Settings::default(),
            held: VecDeque::new(),
        }
    }

    /// Whether rows are held, waiting to be let through.
    pub fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    fn reread(&mut self) {
        let stamp = fs::metadata(&self.path).ok().map(|m| (m.mtime(), m.mtime_nsec(), m.len(), m.ino()));
        if stamp == self.seen {
            return;
        }
        self.seen = stamp;
        self.settings = match stamp {
            None => Settings::default(),
            Some(_) => fs::read_to_string(&self.path)
                .ok()
                .and_then(|t| Settings::parse(&t))
                .unwrap_or_else(|| self.settings.clone()),
        };
    }

    /// Called by the messenger before every write to the messagebooks with the rows about to go,
    /// one string of rows per recipient (`names[to]`): takes the rows the control file holds back,
    /// drops or doubles the ones it says, and puts back those whose time has come.
    pub fn pass(&mut self, pending: &mut [String], names: &[String]) {
        self.reread();
        let s = &self.settings;
        if self.held.is_empty()
            && !s.paused
            && s.pace.is_zero()
            && s.drop_next_to.is_empty()
            && s.duplicate_next_to.is_empty()
        {
            return;
        }
        let now = Instant::now();
        let due = now + s.pace;
        let paused = s.paused;
        for (to, rows) in pending.iter_mut().enumerate() {
            for row in rows.split_inclusive('\n') {
                // While paused, a president's retries pile up behind the pause, each to be answered
                // on resume: a messenger already carrying the very same message to the same
                // priest drops the copy (a lost message, which Paxos allows).
                if paused && self.held.iter().any(|(_, t, held)| *t == to && same_message(held, row)) {
                    continue;
                }
                self.held.push_back((due, to, row.to_string()));
            }
            rows.clear();
        }
        while let Some((at, to, _)) = self.held.front() {
            if *at > now {
                break;
            }
            let name = names.get(*to).map_or("", String::as_str);
            if self.settings.paused && !self.spend(|s| (s.steps > 0).then(|| s.steps -= 1).is_some()) {
                break;
            }
            let (_, to, row) = self.held.pop_front().expect("looked at");
            let wanted = |field: &str| !field.is_empty() && field == name;
            if wanted(&self.settings.drop_next_to.clone())
                && self.spend(|s| (s.drop_next_to == name).then(|| s.drop_next_to.clear()).is_some())
            {
                continue;
            }
            if wanted(&self.settings.duplicate_next_to.clone())
                && self
                    .spend(|s| (s.duplicate_next_to == name).then(|| s.duplicate_next_to.clear()).is_some())
            {
                pending[to].push_str(&row);
            }
            pending[to].push_str(&row);
        }
    }

    /// Spends a step, a drop or a duplicate under the file's lock; whether it was there to spend.
    fn spend(&mut self, take: impl FnOnce(&mut Settings) -> bool) -> bool {
        let mut after = None;
        let spent = update(&self.dir, |s| {
            let spent = take(s);
            after = Some(s.clone());
            spent
        })
        .unwrap_or(false);
        if let Some(s) = after {
            self.settings = s;
        }
        self.seen = None;
        spent
    }

    /// When the first held row is due, if rows are held and not paused.
    pub fn next_due(&self) -> Option<Instant> {
        if self.settings.paused {
            return None;
        }
        self.held.front().map(|h| h.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        vec!["Lynch".into(), "Oki".into()]
    }

    #[test]
    fn without_a_control_file_every_row_goes_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Control::new(dir.path());
        let mut pending = vec!["a\n".to_string(), "b\nc\n".to_string()];
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["a\n", "b\nc\n"]);
        assert!(!control_path(dir.path()).exists(), "reading it never makes it");
    }

    #[test]
    fn paused_messengers_hold_rows_and_a_step_lets_one_through() {
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), |s| s.paused = true).unwrap();
        let mut c = Control::new(dir.path());
        let mut pending = vec!["a\n".to_string(), "b\nc\n".to_string()];
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["", ""], "paused: nothing goes");
        update(dir.path(), |s| s.steps = 1).unwrap();
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["a\n", ""], "one step, one row");
        pending[0].clear();
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["", ""], "the step was spent");
        assert_eq!(Settings::parse(&fs::read_to_string(control_path(dir.path())).unwrap()).unwrap().steps, 0);
        update(dir.path(), |s| s.paused = false).unwrap();
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["", "b\nc\n"], "resumed: the rest go, in order");
    }

    /// A newcomer paused the watch for 8 s: the president's BeginBallot, re-sent every retry,
    /// piled up and was answered 41 times on resume. A messenger carries one copy while paused.
    #[test]
    fn paused_messengers_carry_a_retried_message_once() {
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), |s| s.paused = true).unwrap();
        let mut c = Control::new(dir.path());
        let retry = |at: &str| vec![format!("{at},Toueg,BeginBallot,,1,1.Toueg\n"), String::new()];
        for at in ["10:00:00.1", "10:00:00.3", "10:00:00.5"] {
            let mut pending = retry(at);
            c.pass(&mut pending, &names());
        }
        let mut other = vec![String::new(), "10:00:00.6,Toueg,BeginBallot,,1,1.Toueg\n".to_string()];
        c.pass(&mut other, &names());
        update(dir.path(), |s| s.paused = false).unwrap();
        let mut pending = vec![String::new(), String::new()];
        c.pass(&mut pending, &names());
        assert_eq!(pending[0], "10:00:00.1,Toueg,BeginBallot,,1,1.Toueg\n", "one copy, the first");
        assert_eq!(pending[1].lines().count(), 1, "the same message to another priest is his own");
    }

    #[test]
    fn the_next_message_to_a_priest_is_dropped_or_doubled_once() {
        let dir = tempfile::tempdir().unwrap();
        update(dir.path(), |s| s.drop_next_to = "Oki".into()).unwrap();
        let mut c = Control::new(dir.path());
        let mut pending = vec!["a\n".to_string(), "b\nc\n".to_string()];
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["a\n", "c\n"], "the first row to Oki is lost");
        update(dir.path(), |s| s.duplicate_next_to = "Lynch".into()).unwrap();
        let mut pending = vec!["d\ne\n".to_string(), "f\n".to_string()];
        c.pass(&mut pending, &names());
        assert_eq!(pending, ["d\nd\ne\n", "f\n"], "the next row to Lynch goes twice");
        let left = Settings::parse(&fs::read_to_string(control_path(dir.path())).unwrap()).unwrap();
        assert!(left.drop_next_to.is_empty() && left.duplicate_next_to.is_empty(), "{left:?}");
    }
}
