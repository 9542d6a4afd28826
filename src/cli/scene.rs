//! `parliament scene`: the paper's scenes played by the real priests on real files, narrated,
//! each ending with a check that the outcome is the paper's (`src/scene/`).

use std::path::PathBuf;

use clap::Args;
use parliament::scene::{self, SCENES};

/// Options of `parliament scene`.
#[derive(Args, Debug)]
pub struct SceneArgs {
    /// The scene to play; without one, the scenes are listed.
    name: Option<String>,
    /// The folder to leave the Chamber in; it must not hold one yet. [default: scene-NAME]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// `vacation` only: play it with the paper's naive rule, where the last name leads at once.
    #[arg(long)]
    naive: bool,
}

/// Runs `parliament scene`: 0 when the outcome is the paper's, 1 when a check failed, 2 when it
/// could not be played.
pub fn run(args: SceneArgs) -> anyhow::Result<i32> {
    let Some(name) = args.name else {
        for s in &SCENES {
            println!("{:<15} {:<15} {}", s.name, s.section, s.about);
        }
        return Ok(parliament::exit::DONE);
    };
    let Some(found) = scene::find(&name) else {
        let names: Vec<&str> = SCENES.iter().map(|s| s.name).collect();
        anyhow::bail!("no scene {name:?}; the scenes are {}", names.join(", "));
    };
    if args.naive && found.name != "vacation" {
        anyhow::bail!("--naive is for the vacation scene only");
    }
    let dir = args.dir.unwrap_or_else(|| PathBuf::from(format!("scene-{}", found.name)));
    let play = if args.naive { scene::more::vacation_naive } else { found.play };
    println!("{} ({}): {}", found.name, found.section, found.about);
    let played = play(&dir)?;
    for line in &played.told {
        println!("  {line}");
    }
    println!("The outcome, read from the files in {}:", dir.display());
    for (what, held) in &played.checks {
        println!("  {} {what}", if *held { "✓" } else { "✗" });
    }
    println!(
        "{} ticks. Read it: parliament chronicle --dir {d} --decree 1, parliament audit --dir {d}",
        played.ticks,
        d = dir.display()
    );
    Ok(if played.holds() { parliament::exit::DONE } else { parliament::exit::NOT_DONE })
}
