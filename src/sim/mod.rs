//! The simulator: N real priests over an in-memory messenger and virtual time, every chance drawn
//! from one seed (TigerBeetle's VOPR is the model). The messenger of the paper may lose, duplicate,
//! delay and so reorder messages, and priests leave the Chamber at any moment, even between
//! writing their ledger and sending what it allows; the rules of [`crate::rules`] are checked after
//! every step, and once faults stop every petition must pass into every ledger in bounded time.

/// The messagebooks as the Chamber keeps them: petitions until they pass, rows read back.
mod books;
/// Telling the run as it happens, in the paper's voice.
/// Rows a crash may take: the unsynced tail of a ledger.
mod ink;
mod narrative;
/// The paper's unreliable messengers.
mod relay;
/// The narrative's levels, clock, plurals and phrasing of messages.
pub mod telling;
pub use crate::rng;
/// The event loop: priests, messengers, citizens, crashes and checks.
mod world;

pub use narrative::{DECREES, Narrator, membership_petition, membership_told};
pub use telling::{At, Level, count};
pub use world::{BookEntry, Closed, Failure, Outcome, Stats, Volumes, run};

/// Writing a run out as a Chamber's ledgers and messagebooks.
pub mod files;

use crate::priest::PlantedBug;

/// One simulated run's settings; together with the seed they replay the run byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// The seed every chance is drawn from.
    pub seed: u64,
    /// How many priests sit in the Chamber.
    pub priests: usize,
    /// How many petitions citizens make; each must become exactly one decree.
    pub decrees: usize,
    /// Chance that a message is lost.
    pub lose: f64,
    /// Chance that a message is delivered twice.
    pub duplicate: f64,
    /// Chance, per step, that the priest leaves the Chamber during it.
    pub crash: f64,
    /// A message takes from `delay_min` to `delay_max` ticks (at least 1), so messages overtake
    /// each other.
    pub delay_min: u64,
    /// The longest a message takes, in ticks.
    pub delay_max: u64,
    /// Faults (loss, duplication, crashes) stop after this many ticks.
    pub fault_ticks: u64,
    /// Once faults stop, every petition must be in every ledger within this many ticks.
    pub liveness_ticks: u64,
    /// A bug planted in every priest, to see the checkers catch it.
    pub planted: Option<PlantedBug>,
    /// Keep every delivered message, to write the run out as messagebooks.
    pub keep_books: bool,
    /// Whether a crash keeps the rows not yet synced (only `Decree` rows ever are): false, the
    /// default, crashes as a machine does, losing part of them; true replays runs found before
    /// `Decree` rows were left unsynced.
    pub keep_unsynced: bool,
    /// Decrees each priest keeps in the back of his ledger before closing a volume into his law
    /// book (§3.3.2); 0, the default, never closes one.
    pub volume_decrees: u64,
    /// Places laid out beyond `priests` with weight 0, for membership decrees to seat (§3.3.6).
    pub spares: usize,
    /// The membership decrees citizens petition for, one at a time (§3.3.6).
    pub membership: Membership,
    /// α of §3.3.6: a membership decree at m is in force from decree m + α on.
    pub alpha: u64,
}

/// The membership decrees of a run (§3.3.6): each is petitioned once the one before it passed,
/// so every roll they make has a legislator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    /// None: the roll stays as laid out.
    Off,
    /// This many, each at random: admit a priest of weight 0 with weight 1 or 2, or dismiss a
    /// legislator while another remains.
    Random(usize),
    /// Admit every spare place in turn, then dismiss them again in the reverse order: the Chamber
    /// grows from `priests` legislators to `priests + spares` and back.
    Grow,
}

impl SimConfig {
    /// Defaults for a run of `priests` priests passing `decrees` petitions, with no faults.
    pub fn new(seed: u64, priests: usize, decrees: usize) -> Self {
        SimConfig {
            seed,
            priests,
            decrees,
            lose: 0.0,
            duplicate: 0.0,
            crash: 0.0,
            delay_min: 1,
            delay_max: 3,
            fault_ticks: 300 + 4 * decrees as u64,
            liveness_ticks: 1_000 + 4 * decrees as u64,
            planted: None,
            keep_books: false,
            keep_unsynced: false,
            volume_decrees: 0,
            spares: 0,
            membership: Membership::Off,
            alpha: crate::priest::DEFAULT_ALPHA,
        }
    }

    /// Every place laid out: the priests and the spares.
    pub fn places(&self) -> usize {
        self.priests + self.spares
    }

    /// The places' names, in name order: the paper's first `priests` names sit as legislators,
    /// the next ones are the spares.
    pub fn names(&self) -> Vec<String> {
        crate::names::chamber_names(self.places())
    }

    /// The roll as laid out: weight 1 for the first `priests` names, 0 for the spares.
    pub fn weights(&self) -> Vec<u32> {
        let sitting = crate::names::chamber_names(self.priests);
        self.names().iter().map(|n| u32::from(sitting.contains(n))).collect()
    }

    /// The command that replays this run.
    pub fn replay_command(&self) -> String {
        let mut c = format!(
            "parliament simulate --seed {} --priests {} --petitions {} --lose {} --duplicate {} --crash {} --delay-ticks {}..{} --fault-ticks {}",
            self.seed,
            self.priests,
            self.decrees,
            self.lose,
            self.duplicate,
            self.crash,
            self.delay_min,
            self.delay_max,
            self.fault_ticks
        );
        if let Some(bug) = self.planted {
            c.push_str(&format!(" --plant {}", bug.name()));
        }
        if self.keep_unsynced {
            c.push_str(" --keep-unsynced");
        }
        if self.volume_decrees > 0 {
            c.push_str(&format!(" --volume-decrees {}", self.volume_decrees));
        }
        match self.membership {
            Membership::Off => {}
            Membership::Random(k) => c.push_str(&format!(" --membership {k} --spares {}", self.spares)),
            Membership::Grow => c.push_str(&format!(" --grow-to {}", self.places())),
        }
        if self.alpha != crate::priest::DEFAULT_ALPHA {
            c.push_str(&format!(" --alpha {}", self.alpha));
        }
        c
    }
}
