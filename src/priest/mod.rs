//! The priest of "The Part-Time Parliament": a pure state machine for the multi-decree Parliament
//! (§2 and §3 of the paper). No files, clock, randomness or threads: an [`Input`] goes in, a
//! [`Step`] comes out (ledger rows to record, then messages to send), and [`carry_out`] performs
//! it in the only safe order. The same priest runs in the Chamber on files, in the simulator, and
//! under the model checker.

/// Priests and ballot numbers (§2.2).
mod ballot;
/// The Chamber's constants and the planted bugs tests switch on.
mod config;
/// The priest's state, slip of paper, and input dispatch.
mod core;
/// Decrees, olive-day decrees and petitions (§3).
mod decree;
/// Law books and ledger volumes (§3.3.2).
mod lawbook;
/// Ledger rows and the durable state rebuilt from them (§2.3, Appendix A1).
mod ledger;
/// The messages priests send (§2.3, §2.4, §3.1).
mod message;
/// The ballots a president in office begins, number by number (§3.1, §3.2, §3.3.6).
mod office;
/// Heartbeats, the choice of president, petitions handed on (§2.4, §3.3.1).
mod presence;
/// The president's ballots (§2.3 steps 1, 3, 5; §3.1-§3.2).
mod president;
/// The roll in force for each decree number (§3.3.6, §2.2).
mod roll;
/// Steps and `carry_out`: record, sync, then relay.
mod step;
/// Promises, votes, rejections and catch-up answers (§2.3 steps 2, 4; §2.4).
mod voting;

pub use ballot::{BallotNumber, PriestId, Quorum};
pub use config::{Config, DEFAULT_ALPHA, PlantedBug};
pub use core::Priest;
pub use decree::{Decree, DecreeNo, FixedMap, FixedSet, Petition, PetitionId};
pub use lawbook::Volume;
pub use ledger::{Durable, LedgerDamage, Record};
pub use message::{Envelope, Message, Vote};
pub use roll::{MAX_PLACES, RollChange, RollLaw, Weights};
pub use step::{Input, LedgerBook, Messenger, Step, carry_out};
