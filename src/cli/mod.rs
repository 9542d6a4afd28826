//! The command line's shape: one clap-derived struct per subcommand, whose `///` docs are the
//! `--help` text, and the dispatch to each.

mod audit;
mod bench;
mod chamber;
mod chaos;
mod laws;
mod model;
mod options;
mod simulate;

use clap::{Parser, Subcommand};

/// Lamport's Part-Time Parliament (Paxos), where the network is the file system.
///
/// Each priest keeps a CSV ledger in ledgers/ and reads his messages from a CSV messagebook in
/// messagebooks/. Read them with cat, tail -f or a spreadsheet; append a row by hand and the
/// priest answers it.
#[derive(Parser, Debug)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lay out the Chamber (or resume it) and have the priests pass petitions.
    Convene(chamber::ConveneArgs),
    /// Hand a petition to a priest: appends the row a person could write by hand.
    Petition(chamber::PetitionArgs),
    /// Run one priest of an existing Chamber in this process, until stopped.
    Priest(chamber::PriestArgs),
    /// Print the statute book: every decree, and which priests' ledgers hold it.
    Laws(laws::ReadArgs),
    /// Show each priest's ballot, promise, last vote and decrees, and who is president.
    Status(laws::ReadArgs),
    /// Prove from the files alone that the Parliament kept its word: agreement, B1, promises
    /// kept, B3, validity, last vote, provenance, ledger health. Exit 0 if all held, 1 if not, 2 if
    /// unreadable.
    Audit(audit::AuditArgs),
    /// Measure decrees per second and latency through real files, against the disk's own sync rate.
    Bench(bench::BenchArgs),
    /// Torment a Chamber of priest processes (kills, pauses, lossy messengers, careless edits),
    /// then audit it: trials that must find nothing but the forgeries they wrote.
    Chaos(chaos::ChaosArgs),
    /// Check every state of a small Parliament (3 priests) with the real priest code, and show a
    /// counterexample in the paper's words if a rule breaks.
    Model(model::ModelArgs),
    /// Run the real priests in a seeded, deterministic simulation with faults, checking the
    /// paper's rules after every step.
    Simulate(simulate::SimulateArgs),
}

/// Runs the chosen subcommand; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Convene(args) => chamber::convene(args),
        Command::Petition(args) => chamber::petition(args),
        Command::Priest(args) => chamber::priest(args),
        Command::Laws(args) => laws::laws(args),
        Command::Status(args) => laws::status(args),
        Command::Audit(args) => audit::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Chaos(args) => chaos::run(args),
        Command::Model(args) => model::run(args),
    }
}
