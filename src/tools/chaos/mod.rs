//! Chaos trials: the whole Parliament (real processes, real files, real notifications) under a
//! hostile world, ending each trial with the audit (§1 of the paper: priests who come and go,
//! messengers who lose and repeat, and here also a careless person with a text editor).
//!
//! Each trial convenes a Chamber of priest processes and, while petitions keep arriving, kills
//! priests with SIGKILL (some right after a ledger sync, before their messenger sets out), pauses
//! them with SIGSTOP, makes messengers lose, duplicate and delay, and lets [`careless::Mischief`]
//! loose on the messagebooks. Then it heals the Chamber and checks: the audit finds nothing but the
//! forged rows the trial wrote, each named, none acted upon; every petition accepted passed exactly
//! once into every ledger; no ledger lost a row it had once shown whole; and the Chamber passed
//! decrees throughout. One trial, `lost-ledger`, removes a priest's ledger and checks that he
//! refuses to vote while the others carry on.

/// The careless person: what people do to messagebooks.
pub mod careless;
/// One trial: convene, torment, heal, check.
mod trial;

pub use trial::{TrialOptions, TrialReport, run_trial};
