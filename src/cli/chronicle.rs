//! `parliament chronicle`: a sequence diagram of one decree, one ballot or a stretch of time,
//! drawn from a Chamber's files alone, as text or as a standalone SVG (`src/chronicle/`).

use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args};
use parliament::books::statute::discover_roll;
use parliament::chronicle::{self, Chronicle, Selection};

/// Options of `parliament chronicle`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("what").required(true).args(["decree", "ballot", "from"])))]
pub struct ChronicleArgs {
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Draw decree number N (1 to 2^64 - 1): its rows, and the NextBallot and LastVote of the
    /// ballots that reached it. [default: none; give --decree, --ballot or --from]
    #[arg(long, value_name = "N")]
    decree: Option<u64>,
    /// Draw one ballot, written round.Priest (`1.Toueg`): its rows and the decrees voted in it.
    #[arg(long, value_name = "B")]
    ballot: Option<String>,
    /// Draw every row written from this time (RFC 3339, as in the `at` column) ...
    #[arg(long, value_name = "T", requires = "to")]
    from: Option<DateTime<Utc>>,
    /// ... up to this time, both ends included.
    #[arg(long, value_name = "T", requires = "from")]
    to: Option<DateTime<Utc>>,
    /// Write a standalone SVG to FILE instead of drawing text (hover an arrow for its row's time
    /// and file:line).
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
    /// The text's width in columns, 40 to 400 (five priests fit in 100; more are drawn in pages).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(40..=400))]
    width: u16,
}

/// Runs `parliament chronicle`: 0 when something was drawn, 1 when nothing matched.
pub fn run(args: ChronicleArgs) -> anyhow::Result<i32> {
    let Some(roll) = discover_roll(&args.dir)? else {
        return Err(crate::cli::no_chamber(&args.dir));
    };
    let selection = match (&args.decree, &args.ballot, args.from, args.to) {
        (Some(n), _, _, _) => Selection::Decree(*n),
        (_, Some(b), _, _) => Selection::Ballot(roll.parse_ballot(b).map_err(anyhow::Error::msg)?),
        (_, _, Some(from), Some(to)) => Selection::Window(from, to),
        _ => bail!("say which: --decree N, --ballot B, or --from T --to T"),
    };
    let read =
        Chronicle::read(&args.dir, &roll).with_context(|| format!("reading {}", args.dir.display()))?;
    for why in &read.skipped {
        eprintln!("parliament chronicle: skipped {why}");
    }
    let events = chronicle::select(&read, &selection);
    if events.is_empty() {
        eprintln!("parliament chronicle: no row of {} is about that", args.dir.display());
        return Ok(parliament::exit::NOT_DONE);
    }
    match &args.svg {
        Some(path) => {
            std::fs::write(path, chronicle::svg::render(&roll, &events))
                .with_context(|| format!("writing {}", path.display()))?;
            println!("{}: {} rows drawn", path.display(), events.len());
        }
        None => print!("{}", chronicle::text::render(&roll, &events, usize::from(args.width))),
    }
    Ok(parliament::exit::DONE)
}
