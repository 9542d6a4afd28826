//! Your hands on the Chamber: what the watch's keys do, each through the files or signals a
//! person with a shell could use too, and each answering with a line that says how. A priest is
//! killed with SIGKILL (§1.2: priests leave the Chamber without warning); a petition is a row in a
//! page of the watch's own (`messagebooks/<priest>/watch.csv`); the messengers are paused,
//! stepped, made to lose or double a message and paced through their control file
//! ([`crate::chamber::control`], `messengers.csv`).
//!
//! When the watch convened the Chamber itself it is God: it holds the [`Sitting`], keeps a killed
//! priest out until `b` brings him back, and brings back any priest who dies otherwise.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::books::Roll;
use crate::chamber::control::{self, CONTROL, control_path};
use crate::chamber::god::{self, ConveneOptions, Sitting};
use crate::priest::PriestId;

use super::source::sitting_now;

/// The page of each messagebook the watch writes petitions in.
pub const WATCH_PAGE: &str = "watch";

/// The paces `+` and `-` step through.
const PACES_MS: [u64; 7] = [0, 50, 100, 200, 500, 1000, 2000];

/// The Chamber the keys act on, and God's sitting if the watch convened it.
pub struct Hands {
    dir: PathBuf,
    roll: Roll,
    god: Option<(Sitting, ConveneOptions)>,
    /// Priests killed with `k`, kept out until `b`.
    out: Vec<bool>,
    petitions: u64,
    /// Whether a key changed the messengers' control file.
    touched: bool,
}

impl Hands {
    /// Hands on the Chamber in `dir`; `god` is the sitting the watch convened, if it did.
    pub fn new(dir: &Path, roll: &Roll, god: Option<(Sitting, ConveneOptions)>) -> Hands {
        Hands {
            dir: dir.to_path_buf(),
            roll: roll.clone(),
            god,
            out: vec![false; roll.len()],
            petitions: 0,
            touched: false,
        }
    }

    /// Whether the watch convened this Chamber.
    pub fn is_god(&self) -> bool {
        self.god.is_some()
    }

    /// The roll grew while the watch looked on (`parliament admit`, §3.3.6): the keys act on
    /// the new places too (the screen shows them; a key on one once indexed past the old roll).
    pub fn grow(&mut self, roll: &Roll) {
        if roll.len() > self.roll.len() && roll.is_grown_from(&self.roll) {
            self.out.resize(roll.len(), false);
            self.roll = roll.clone();
        }
    }

    /// God's round: seats any priest given a place since (`parliament admit`, §3.3.6), and
    /// brings back any priest process that died unless `k` put him out.
    pub fn tend(&mut self, stop: &AtomicBool) {
        if let Some((sitting, opts)) = &mut self.god {
            // A roll that cannot be read now is looked at again next round.
            let _ = sitting.seat_new(opts);
            sitting.alive(opts, stop);
        }
    }

    /// `k`: SIGKILL priest `i`.
    pub fn kill(&mut self, i: usize) -> String {
        let name = self.roll.name(PriestId(i as u16)).to_string();
        if let Some((sitting, opts)) = &mut self.god {
            if opts.processes {
                return match sitting.kill(i) {
                    Some(pid) => {
                        self.out[i] = true;
                        format!("k: SIGKILL {name} (kill -9 {pid}); he is away until b brings him back")
                    }
                    None => format!("k: {name} is out already; b brings him back"),
                };
            }
            return "k: not available here: the priests are threads of this process (watch --processes)"
                .into();
        }
        let sitting = sitting_now(&self.dir, &self.roll);
        let pid = sitting.as_ref().and_then(|s| s[i]);
        let shared = sitting.as_ref().map_or(0, |s| s.iter().filter(|&&p| p.is_some() && p == pid).count());
        match pid {
            Some(pid) if pid == std::process::id() => {
                "k: not available: that priest is a thread of this process".into()
            }
            Some(pid) if shared > 1 => {
                // One process seats them all (convene without --processes): SIGKILL ends every one.
                format!(
                    "k: not available: {name} is one of {shared} priests in process {pid} (convened without --processes); kill -9 {pid} would end them all"
                )
            }
            Some(pid) => {
                // SAFETY: kill(2) on the pid holding the priest's sitting lock; no memory involved.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                format!("k: SIGKILL {name} (kill -9 {pid}); his God brings him back")
            }
            None => format!("k: nobody sits as {name} now"),
        }
    }

    /// `b`: brings priest `i` back into the Chamber.
    pub fn bring_back(&mut self, i: usize) -> String {
        let name = self.roll.name(PriestId(i as u16)).to_string();
        let Some((sitting, opts)) = &mut self.god else {
            return format!(
                "b: not available: this watch did not convene the Chamber (run `parliament priest {name} --dir {}`)",
                self.dir.display()
            );
        };
        match sitting.bring_back(opts, i) {
            Ok(Some(pid)) => {
                self.out[i] = false;
                format!("b: {name} is back (pid {pid}), as `parliament priest {name}` would be")
            }
            Ok(None) => format!("b: {name} is in the Chamber already"),
            Err(e) => format!("b: {name} could not come back: {e:#}"),
        }
    }

    /// `p`: pauses or resumes every messenger; whether they are paused now.
    pub fn toggle_pause(&mut self) -> (bool, String) {
        self.touched = true;
        match control::update(&self.dir, |s| {
            s.paused = !s.paused;
            s.steps = 0;
            s.paused
        }) {
            Ok(true) => (true, format!("p: paused = true in {CONTROL}; every messenger holds his messages")),
            Ok(false) => (false, format!("p: paused = false in {CONTROL}; the messengers deliver again")),
            Err(e) => (false, format!("p: could not write {CONTROL}: {e}")),
        }
    }

    /// `s`: one held delivery may go.
    pub fn step(&mut self) -> (bool, String) {
        self.touched = true;
        match control::update(&self.dir, |s| {
            s.paused = true;
            s.steps += 1;
        }) {
            Ok(()) => (true, format!("s: steps + 1 in {CONTROL}; one messenger delivers one message")),
            Err(e) => (false, format!("s: could not write {CONTROL}: {e}")),
        }
    }

    /// `d`: the next message to priest `i` is lost.
    pub fn drop_next(&mut self, i: usize) -> String {
        self.touched = true;
        let name = self.roll.name(PriestId(i as u16)).to_string();
        match control::update(&self.dir, |s| s.drop_next_to = name.clone()) {
            Ok(()) => format!("d: drop_next_to = {name} in {CONTROL}; his next message is lost"),
            Err(e) => format!("d: could not write {CONTROL}: {e}"),
        }
    }

    /// `u`: the next message to priest `i` is delivered twice.
    pub fn duplicate_next(&mut self, i: usize) -> String {
        self.touched = true;
        let name = self.roll.name(PriestId(i as u16)).to_string();
        match control::update(&self.dir, |s| s.duplicate_next_to = name.clone()) {
            Ok(()) => format!("u: duplicate_next_to = {name} in {CONTROL}; his next message comes twice"),
            Err(e) => format!("u: could not write {CONTROL}: {e}"),
        }
    }

    /// `+` (faster) or `-` (slower): the messengers' pace.
    pub fn pace(&mut self, faster: bool) -> (Duration, String) {
        self.touched = true;
        let r = control::update(&self.dir, |s| {
            let ms = s.pace.as_millis() as u64;
            let at = PACES_MS.iter().position(|&p| p >= ms).unwrap_or(PACES_MS.len() - 1);
            let at = if faster { at.saturating_sub(1) } else { (at + 1).min(PACES_MS.len() - 1) };
            s.pace = Duration::from_millis(PACES_MS[at]);
            s.pace
        });
        match r {
            Ok(p) => {
                (p, format!("{}: pace_ms = {} in {CONTROL}", if faster { '+' } else { '-' }, p.as_millis()))
            }
            Err(e) => (Duration::ZERO, format!("pace: could not write {CONTROL}: {e}")),
        }
    }

    /// `n`: a petition, written as a row in the watch's page of priest `to`'s messagebook.
    pub fn petition(&mut self, to: PriestId, text: &str) -> String {
        let to = self.roll.name(to).to_string();
        self.petitions += 1;
        let id = format!("watch-{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"), self.petitions);
        match god::petition(&self.dir, &self.roll, &to, WATCH_PAGE, &id, text) {
            Ok(()) => format!(
                "n: a Petition row in messagebooks/{to}/{WATCH_PAGE}.csv (parliament petition --to {to} --from {WATCH_PAGE})"
            ),
            Err(e) => format!("n: could not write the petition: {e:#}"),
        }
    }

    /// Stops God's priests, if the watch convened them, and leaves the messengers as they were
    /// before the keys touched them: a Chamber left paused would never pass another decree.
    pub fn dismiss(self) {
        if let Some((sitting, _)) = self.god {
            sitting.dismiss();
        }
        if control_path(&self.dir).exists() && self.touched {
            let _ = control::update(&self.dir, |s| *s = control::Settings::default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chamber::control::Settings;

    /// A watch that paused the messengers and left would leave a Chamber that never passes
    /// another decree: leaving puts the control file back as it was before the keys.
    #[test]
    fn leaving_the_watch_never_leaves_the_messengers_paused() {
        let dir = tempfile::tempdir().unwrap();
        let roll = god::lay_out(dir.path(), &crate::names::chamber_names(3), true).unwrap();
        let mut hands = Hands::new(dir.path(), &roll, None);
        assert!(hands.toggle_pause().0);
        hands.drop_next(1);
        let read = || Settings::parse(&std::fs::read_to_string(control_path(dir.path())).unwrap()).unwrap();
        assert!(read().paused && read().drop_next_to == roll.names()[1]);
        hands.dismiss();
        assert_eq!(read(), Settings::default());
    }

    /// A newcomer admitted Strong while the watch looked on, typed a petition to him (the
    /// president) with `n`, and the watch panicked, losing it: its keys knew only the old roll.
    #[test]
    fn a_key_on_a_priest_admitted_while_the_watch_looks_on_acts_on_him() {
        let dir = tempfile::tempdir().unwrap();
        let roll = god::lay_out(dir.path(), &crate::names::chamber_names(3), true).unwrap();
        let mut hands = Hands::new(dir.path(), &roll, None);
        let (grown, _) = Roll::seat(dir.path(), "Strong").unwrap();
        hands.grow(&grown);
        // God lays out his messagebook when he seats him.
        std::fs::create_dir_all(crate::books::layout::book_dir(dir.path(), "Strong")).unwrap();
        let said = hands.petition(PriestId(3), "Typed in watch");
        assert!(said.starts_with("n: a Petition row in messagebooks/Strong/"), "{said}");
        let page = crate::books::layout::page_path(dir.path(), "Strong", WATCH_PAGE);
        assert!(std::fs::read_to_string(page).unwrap().contains("Typed in watch"));
        assert!(hands.drop_next(3).contains("Strong"));
    }
}
