//! The command line's shape: one clap-derived struct per subcommand, whose `///` docs are the
//! `--help` text, and the dispatch to each.

mod audit;
mod bench;
mod chamber;
mod chaos;
mod chronicle;
mod laws;
mod model;
mod options;
mod scene;
mod simulate;
mod watch;

use clap::{Parser, Subcommand};

/// Lamport's Part-Time Parliament (Paxos), where the network is the file system.
///
/// Each priest keeps a CSV ledger in ledgers/ and reads his messages from a CSV messagebook in
/// messagebooks/. Read them with cat, tail -f or a spreadsheet; append a row by hand and the
/// priest answers it.
#[derive(Parser, Debug)]
#[command(
    version,
    about,
    after_help = "Examples:
  parliament convene                       five priests pass five of the paper's decrees
  parliament convene --stay --pace 500ms   the Chamber sits, slowly, until Ctrl-C
  parliament simulate --seed 7 -v          a seeded run, every message told

Exit status: 0 done (every petition passed; the audit: every promise held); 1 not done (a petition
did not pass, or too few priests could act to make a majority set; the audit: a promise was
broken); 2 could not run; 3 a priest refuses to vote (his ledger is missing or damaged); 4 a
priest already sits in another process (or another convene sits the Chamber); 5 a priest left
because the Chamber's folder could not be reached (a network mount answered EIO): run him again
once it answers."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lay out the Chamber (or resume it) and have the priests pass petitions.
    #[command(after_help = "Examples:
  parliament convene                                 pass the paper's five decrees, then rise
  parliament convene --petition 'Wine may not be watered' --stay
  parliament convene --processes --lose 0.3 --delay 10ms..200ms -v

Exit status: 0 every petition passed; 1 some did not (timeout, or too few priests to make a
majority set); 2 could not run; 4 a priest already sits in another process, or another convene
sits the Chamber.")]
    Convene(chamber::ConveneArgs),
    /// Hand a petition to a priest: appends the row a person could write by hand.
    #[command(after_help = "Examples:
  parliament petition 'Wine may not be watered'
  parliament petition 'Lamps must use only olive oil' --to Lynch --from Ann --dir /tmp/paxos")]
    Petition(chamber::PetitionArgs),
    /// Petition for the decree that makes NAME a legislator (§3.3.6); a new name is first given
    /// a place on the roll and his files, and God, sitting, seats him.
    #[command(after_help = "Examples:
  parliament admit Strong                  a new priest: a place on the roll, then the decree
  parliament admit Lynch --weight 2        Lynch counts as two in every majority set
  parliament admit Dan --dir /tmp/paxos --to Toueg

The decree takes effect alpha decrees after it passes (chamber.csv; 3 unless laid out otherwise):
decree n is passed by the legislators named by the law as of decree n - alpha. parliament status
shows the roll in force.")]
    Admit(chamber::AdmitArgs),
    /// Petition for the decree that makes NAME no longer a legislator (§3.3.6); he keeps his place
    /// and files, and learns every decree.
    #[command(after_help = "Examples:
  parliament dismiss Toueg
  parliament dismiss Oki --dir /tmp/paxos

His vote counts for nothing from alpha decrees after the decree passes; a dismissed president hands
on. The Chamber's last legislator cannot be dismissed.")]
    Dismiss(chamber::DismissArgs),
    /// Run one priest of an existing Chamber in this process, until stopped.
    #[command(after_help = "Examples:
  parliament priest Lynch                  run Lynch here; four more terminals for the others
  parliament priest Oki --lose 0.2 -v      a careless messenger, every message told")]
    Priest(chamber::PriestArgs),
    /// Print the statute book: every decree, and which priests' ledgers hold it.
    #[command(after_help = "Examples:
  parliament laws                          the table, each decree on one line
  parliament laws --full                   every decree whole
  parliament laws --json | jq '.laws[].decree'")]
    Laws(laws::LawsArgs),
    /// Show each priest's ballot, promise, last vote and decrees, and who is president.
    #[command(after_help = "Examples:
  parliament status
  parliament status --json --dir /tmp/paxos")]
    Status(laws::ReadArgs),
    /// Prove from the files alone that the Parliament kept its word: agreement, B1, promises
    /// kept, B3, validity, last vote, provenance, ledger health. Exit 0 if all held, 1 if not, 2
    /// if unreadable.
    #[command(after_help = "Examples:
  parliament audit
  parliament audit --dir /tmp/paxos --json")]
    Audit(audit::AuditArgs),
    /// Measure decrees per second and latency through real files, against the disk's own sync rate.
    #[command(after_help = "Examples:
  parliament bench
  parliament bench --priests 3 --petitions 10000 --json")]
    Bench(bench::BenchArgs),
    /// Torment a Chamber of priest processes (kills, pauses, lossy messengers, careless edits),
    /// then audit it: trials that must find nothing but the forgeries they wrote.
    #[command(after_help = "Examples:
  parliament chaos
  parliament chaos --trials 100 --duration 4s -q
  parliament chaos --trials 1 --seed 9 --keep chaos-replay")]
    Chaos(chaos::ChaosArgs),
    /// Check every state of a small Parliament (3 priests) with the real priest code, and show a
    /// counterexample in the paper's words if a rule breaks.
    #[command(after_help = "Examples:
  parliament model
  parliament model --petitions 2 --crashes 1
  parliament model --plant early-roll    # a membership decree used α decrees too early (§3.3.6)")]
    Model(model::ModelArgs),
    /// Run the real priests in a seeded, deterministic simulation with faults, checking the
    /// paper's rules after every step.
    #[command(after_help = "Examples:
  parliament simulate --seed 7                       one run, told ballot by ballot
  parliament simulate --seed 7 --lose 0.2 --duplicate 0.2 -v
  parliament simulate --seeds 10000 --crash 0.01 --delay-ticks 1..10")]
    Simulate(simulate::SimulateArgs),
    /// Watch the Chamber on one screen: priests, messages, ballots, statute book, the rules live;
    /// keys to pause, step, kill, drop, duplicate, petition. Convenes a Chamber if none sits.
    #[command(after_help = "Examples:
  parliament watch                         convene five priest processes here and watch them
  parliament watch --dir /tmp/paxos        watch a sitting Chamber (or convene one there)
  parliament watch --replay chaos-replay   step through a finished Chamber by its rows' times")]
    Watch(watch::WatchArgs),
    /// Draw a sequence diagram of one decree, one ballot or a stretch of time from the Chamber's
    /// files alone: lifelines, messages in the paper's words, ledger rows before what they allow.
    #[command(after_help = "Examples:
  parliament chronicle --decree 1                      decree 1, with the ballots that reached it
  parliament chronicle --ballot 2.Toueg --dir /tmp/paxos
  parliament chronicle --decree 1 --svg decree-1.svg   a standalone SVG; hover a row for its time
  parliament chronicle --from 2026-11-23T21:48:24Z --to 2026-11-23T21:48:25Z")]
    Chronicle(chronicle::ChronicleArgs),
    /// Play one of the paper's scenes with the real priests on real files, narrated, ending with
    /// a check that the outcome is the paper's; without a name, list the scenes.
    #[command(after_help = "Examples:
  parliament scene                                   the scenes, one line each
  parliament scene olive-day --dir /tmp/olive        play it, leaving a Chamber in /tmp/olive
  parliament scene vacation --naive --dir /tmp/naive the paper's trouble with the naive rule")]
    Scene(scene::SceneArgs),
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    #[command(after_help = "Examples:
  parliament completions bash > ~/.local/share/bash-completion/completions/parliament
  parliament completions zsh > ~/.zfunc/_parliament")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Runs the chosen subcommand; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Convene(args) => chamber::convene(args),
        Command::Petition(args) => chamber::petition(args),
        Command::Priest(args) => chamber::priest(args),
        Command::Admit(args) => chamber::admit(args),
        Command::Dismiss(args) => chamber::dismiss(args),
        Command::Laws(args) => laws::laws(args),
        Command::Status(args) => laws::status(args),
        Command::Audit(args) => audit::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Chaos(args) => chaos::run(args),
        Command::Model(args) => model::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Chronicle(args) => chronicle::run(args),
        Command::Scene(args) => scene::run(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "parliament", &mut std::io::stdout());
            Ok(0)
        }
    }
}

/// Why `dir` holds no Chamber (no `ledgers/`, no `roll.csv`), as `status`, `laws`, `petition` and
/// the rest say it: the Chamber nearby, if there is one (the current folder, the folder above,
/// a folder beside it, the one named most like it first); otherwise how to lay one out there.
pub fn no_chamber(dir: &std::path::Path) -> anyhow::Error {
    let (exists, shown) = (dir.is_dir(), dir.display());
    let why =
        if exists { "no ledgers/ or roll.csv in it" } else { "no such folder, so no ledgers/ or roll.csv" };
    let mut text = format!("{shown} is not a Chamber ({why})");
    if let Some(near) = nearby_chamber(dir) {
        text.push_str(&format!("; the Chamber nearby is {}: give --dir {}", near.display(), near.display()));
    } else if exists {
        text.push_str(&format!("; to lay out a new Chamber there: parliament convene --dir {shown}"));
    } else {
        text.push_str("; check the folder given with --dir");
    }
    anyhow::anyhow!(text)
}

/// A folder near `dir` that holds a Chamber (its `roll.csv`): a folder beside `dir` named at most
/// two letters otherwise (the closest first), the folder above, or the current folder.
fn nearby_chamber(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    use std::path::{Path, PathBuf};
    let is_chamber = |p: &Path| p.join("roll.csv").is_file();
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut beside: Vec<(usize, PathBuf)> = std::fs::read_dir(&parent)
        .map(|d| {
            d.filter_map(Result::ok)
                .take(1000)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| *n != name && is_chamber(&parent.join(n)))
                .map(|n| {
                    (
                        edit_distance(&n, &name),
                        if parent == Path::new(".") { PathBuf::from(&n) } else { parent.join(&n) },
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    beside.sort();
    // Beside it only if its name is a slip of the keyboard away (two letters at most).
    let near = beside.into_iter().filter(|(d, _)| *d <= 2).map(|(_, p)| p).next();
    near.or_else(|| is_chamber(&parent).then_some(parent)).or_else(|| {
        let here = PathBuf::from(".");
        is_chamber(&here).then_some(here)
    })
}

/// How many letters must change to make `a` into `b` (Levenshtein).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut last = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (last + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            last = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use std::any::TypeId;
    use std::time::Duration;

    use clap::CommandFactory;

    /// Every flag that takes a number (a count, a chance, a duration, a range of them) names its
    /// range ("1 to 64") and shows its default, clap's or written out ("[default: one per core]").
    #[test]
    fn every_number_flag_shows_its_default_and_range() {
        let numbers = [
            TypeId::of::<u64>(),
            TypeId::of::<u16>(),
            TypeId::of::<u8>(),
            TypeId::of::<usize>(),
            TypeId::of::<f64>(),
            TypeId::of::<Duration>(),
            TypeId::of::<(Duration, Duration)>(),
            TypeId::of::<(u64, u64)>(),
        ];
        let mut checked = 0;
        for command in super::Cli::command().get_subcommands() {
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                let kind = arg.get_value_parser().type_id();
                if !numbers.iter().any(|n| kind == *n) {
                    continue;
                }
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                let default = !arg.get_default_values().is_empty() || help.contains("[default:");
                let range = help.contains(" to ");
                assert!(default && range, "{} --{}: {help:?}", command.get_name(), arg.get_id());
                checked += 1;
            }
        }
        assert!(checked >= 30, "only {checked} number flags were found");
    }
}
