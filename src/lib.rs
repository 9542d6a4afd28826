//! `parliament`: Lamport's "The Part-Time Parliament" (Paxos), where the network is the file system.

/// The audit: proof from a Chamber's files alone that the Parliament kept the paper's promises.
pub mod audit;
/// The on-disk format: the folder layout, the roll, ledger and messagebook rows, and reading them.
pub mod books;
/// The Chamber on files: ledgers, messagebooks, messengers and God.
pub mod chamber;
/// `parliament chronicle`: sequence diagrams drawn from a Chamber's files alone.
pub mod chronicle;
/// Exit codes, in one place.
pub mod exit;
/// The file layer: durable appends, tail reading, folder watching.
pub mod files;
/// Exhaustive model checking of the real priest with stateright (3 priests, crashes, planted bugs).
pub mod model;
/// Priests' names: ASCII for files, the paper's spelling for the narrative.
pub mod names;
/// The priest: a pure state machine for the multi-decree Parliament (§2-§3).
pub mod priest;
/// SplitMix64: the one source of chance, seeded, so a run can be repeated.
pub mod rng;
/// The rules every Parliament keeps, checked over ledger rows (agreement, B1, B3, promises, validity).
pub mod rules;
/// `parliament scene`: the paper's scenes played by real priests on real files.
pub mod scene;
/// The seeded, deterministic simulator with checkers at every step.
pub mod sim;
/// Tools over a Chamber: `bench` and the chaos trials.
pub mod tools;
/// `parliament watch`: the Parliament on one terminal screen, its rules checked live.
pub mod watch;
/// The English of counts: plurals, in one place.
pub mod words;
