//! The command line's shape: one clap-derived struct per subcommand, whose `///` docs are the
//! `--help` text, and the dispatch to each.

mod simulate;

use clap::{Parser, Subcommand};

/// Lamport's Part-Time Parliament (Paxos), where the network is the file system.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the real priests in a seeded, deterministic simulation with faults, checking the
    /// paper's rules after every step.
    Simulate(simulate::SimulateArgs),
}

/// Runs the chosen subcommand; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Simulate(args) => simulate::run(args),
    }
}
