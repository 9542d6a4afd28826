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

pub use narrative::{DECREES, Narrator};
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
        }
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
        c
    }
}
