//! `parliament laws` and `parliament status`: reading the Chamber from its ledgers alone.

use std::path::PathBuf;

use clap::Args;
use parliament::books::membership::{describe, history, history_lines, membership_text};
use parliament::books::statute::{Chamber, discover_roll};
use parliament::chamber::read_law;
use parliament::names::paper_spelling;
use parliament::priest::{Decree, RollLaw};
use parliament::sim::count;
use serde_json::json;

/// Options of `laws` and `status`.
#[derive(Args, Debug)]
pub struct ReadArgs {
    /// The Chamber's folder.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

/// Options of `laws`.
#[derive(Args, Debug)]
pub struct LawsArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Print every decree whole, however long or many its lines (the table shortens each to one
    /// line of at most 60 characters).
    #[arg(long)]
    full: bool,
    /// Answer only from a ledger complete through decree N, 1 to 2^64-1 (§3.3.4's "legal as of
    /// decree 277"): the law through N, the same every time; exit 1 if no ledger runs that far yet
    /// [default: the whole statute book, every ledger's decrees].
    #[arg(long, value_name = "N", conflicts_with = "fresh", value_parser = clap::value_parser!(u64).range(1..))]
    as_of: Option<u64>,
    /// The law as of a moment after this command started (§3.3.4): pass a read decree (a petition
    /// that makes no law, like an olive-day decree) and answer as of its number, so a later read
    /// never shows an earlier law. A read decree, not the president's lease (§3.3.3): a lease
    /// needs clocks that agree, and priests sharing only a folder have none that do. Needs the
    /// Chamber sitting.
    #[arg(long)]
    fresh: bool,
    /// How long `--fresh` waits for its read decree to pass, 1s to 24h.
    #[arg(long, default_value = "10s", value_parser = super::options::timeout, value_name = "DURATION")]
    timeout: std::time::Duration,
}

/// The longest a decree's text runs in the table before it is shortened with an ellipsis.
pub const TABLE_WIDTH: usize = 60;

/// A decree's text on one line of at most `width` characters: the first line, cut with "…" if it
/// runs longer or if more lines follow; tabs and other control characters become spaces.
pub fn one_line(text: &str, width: usize) -> String {
    let mut lines = text.lines();
    let first: String =
        lines.next().unwrap_or("").chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let more = lines.next().is_some();
    if first.chars().count() <= width && !more {
        return first;
    }
    let cut: String = first.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

fn open(args: &ReadArgs) -> anyhow::Result<Chamber> {
    let Some(roll) = discover_roll(&args.dir)? else {
        return Err(crate::cli::no_chamber(&args.dir));
    };
    let mut chamber = Chamber::open(&args.dir, &roll);
    chamber.refresh()?;
    for (i, f) in chamber.ledgers.iter().enumerate() {
        for (line, why) in f.bad() {
            eprintln!("ledgers/{}.csv line {line}: {why}", roll.names()[i]);
        }
    }
    Ok(chamber)
}

fn decree_text(d: &Decree) -> String {
    match d {
        Decree::OliveDay => "(olive day)".to_string(),
        d if read_law::is_read_decree(d) => "(read decree)".to_string(),
        Decree::Law(p) => p.text.to_string(),
    }
}

/// Prints the statute book: number, decree (shortened to one line), and which priests hold it.
pub fn print_laws(chamber: &Chamber, as_json: bool) {
    print_statute(chamber, as_json, false, None);
}

/// The Chamber's rolls as JSON: each with the decree it is in force from, the membership decree
/// that made it, and its legislators' weights.
fn rolls_json(roll: &parliament::books::Roll, law: &RollLaw) -> serde_json::Value {
    let rolls: Vec<_> = history(law)
        .iter()
        .map(|r| {
            let legislators: serde_json::Map<String, serde_json::Value> = r
                .weights
                .legislators()
                .map(|p| (roll.name(p).to_string(), json!(r.weights.weight(p))))
                .collect();
            json!({
                "from_decree": r.from,
                "by_decree": r.by.map(|(m, _)| m),
                "change": r.by.map(|(_, c)| membership_text(roll.name(c.priest), c.weight)),
                "legislators": legislators,
            })
        })
        .collect();
    json!({ "alpha": law.alpha(), "rolls": rolls })
}

/// Prints the roll in force and when each change takes effect (§3.3.6), if there is more to tell
/// than a roll of equal priests that never changed.
fn print_rolls(roll: &parliament::books::Roll, law: &RollLaw) {
    if law.changes().is_empty() && roll.weights().iter().all(|&w| w == 1) {
        return;
    }
    println!("The roll:");
    for line in history_lines(roll, law) {
        println!("  {line}");
    }
}

/// Prints the statute book; `full` prints each decree whole instead of shortened to one line;
/// with `rolls`, the Chamber's rolls after it.
pub fn print_statute(chamber: &Chamber, as_json: bool, full: bool, rolls: Option<&RollLaw>) {
    let book = chamber.statute_book();
    let versions = chamber.versions();
    let everyone = chamber.roll.len();
    let repeats = |no| {
        chamber
            .ledgers
            .iter()
            .find_map(|f| f.durable.repeats(no).filter(|_| f.durable.decrees.contains_key(&no)))
    };
    if as_json {
        let laws: Vec<_> = book
            .iter()
            .map(|(no, (d, holders))| {
                json!({
                    "decree_no": no,
                    "decree": decree_text(d),
                    "petition": d.petition().map(|p| p.id.to_string()),
                    "olive_day": matches!(d, Decree::OliveDay),
                    "void_repeat_of": repeats(*no),
                    "held_by": holders.iter().map(|p| chamber.roll.name(*p)).collect::<Vec<_>>(),
                    "disagreeing": versions.get(no).into_iter().flatten().filter(|(v, _)| v != d).map(|(v, holders)| json!({
                        "decree": decree_text(v),
                        "held_by": holders.iter().map(|p| chamber.roll.name(*p)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut out = json!({ "laws": laws });
        if let Some(law) = rolls {
            out["roll"] = rolls_json(&chamber.roll, law);
        }
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return;
    }
    if book.is_empty() {
        println!("The statute book is empty.");
        if let Some(law) = rolls {
            print_rolls(&chamber.roll, law);
        }
        return;
    }
    println!("The statute book ({}):", count(book.len(), "decree"));
    for (no, (d, holders)) in &book {
        let held = if holders.len() == everyone {
            "every ledger".to_string()
        } else {
            holders.iter().map(|p| chamber.roll.name(*p)).collect::<Vec<_>>().join(", ")
        };
        let void = repeats(*no).map_or(String::new(), |first| format!(" (void: repeats decree {first})"));
        let text = decree_text(d);
        let text = if full { text } else { one_line(&text, TABLE_WIDTH) };
        println!("{no:>6}  {text}{void}  [{held}]");
        for (other, holders) in versions.get(no).into_iter().flatten().filter(|(v, _)| v != d) {
            let names = holders.iter().map(|p| chamber.roll.name(*p)).collect::<Vec<_>>().join(", ");
            let text = one_line(&decree_text(other), TABLE_WIDTH);
            println!(
                "{no:>6}  but {names}'s ledger says: {text}  (ledgers disagree: `parliament audit` names the lines)"
            );
        }
    }
    if let Some(law) = rolls {
        print_rolls(&chamber.roll, law);
    }
}

/// A read decree passes only if a majority set of priests sits: said within a second, before
/// handing anyone a petition, rather than after waiting out `--timeout` for a decree that cannot
/// pass.
fn too_few_sit(dir: &std::path::Path, chamber: &Chamber) -> anyhow::Result<()> {
    use parliament::chamber::lease::holder;
    use std::time::{Duration, Instant};
    let roll = chamber.roll_law(dir)?.latest().clone();
    // Read from the leases the sitting priests renew, never by trying their locks (a priest
    // sitting down that moment would find his lock held). A sitting just started has a moment to
    // seat its priests.
    let deadline = Instant::now() + Duration::from_secs(1);
    let sitting = loop {
        let mut sitting = parliament::priest::Quorum::default();
        for (i, name) in chamber.roll.names().iter().enumerate() {
            if holder(dir, name).is_some() {
                sitting.insert(parliament::priest::PriestId(i as u16));
            }
        }
        if roll.is_majority(sitting) || Instant::now() > deadline {
            break sitting;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if roll.is_majority(sitting) {
        return Ok(());
    }
    let who: Vec<&str> = chamber
        .roll
        .names()
        .iter()
        .enumerate()
        .filter(|(i, _)| sitting.contains(parliament::priest::PriestId(*i as u16)))
        .map(|(_, n)| n.as_str())
        .collect();
    let sits = match who.as_slice() {
        [] => "no priest sits in this Chamber".to_string(),
        [one] => format!("only {one} sits in this Chamber"),
        many => format!("only {} sit in this Chamber", many.join(", ")),
    };
    Err(parliament::exit::Exit::new(
        parliament::exit::NOT_DONE,
        format!(
            "{sits}, and --fresh passes a read decree, which needs a majority set of priests sitting: convene the \
             Chamber (parliament convene --stay --dir {d}) and ask again, or read the law as the ledgers hold it now \
             (parliament laws --dir {d})",
            d = dir.display()
        ),
    )
    .into())
}

/// Runs `parliament laws`.
pub fn laws(args: LawsArgs) -> anyhow::Result<i32> {
    let mut chamber = open(&args.read)?;
    let n = if args.fresh {
        let roll = chamber.roll.clone();
        too_few_sit(&args.read.dir, &chamber)?;
        let n = read_law::pass_read_decree(&args.read.dir, &roll, &mut chamber, "laws", args.timeout)?;
        read_law::wait_complete_through(&mut chamber, &args.read.dir, n, args.timeout)?;
        n
    } else if let Some(n) = args.as_of {
        n
    } else {
        let law = chamber.roll_law(&args.read.dir)?;
        print_statute(&chamber, args.read.json, args.full, Some(&law));
        return Ok(0);
    };
    match read_law::as_of(&chamber, n) {
        Ok((from, decrees)) => print_as_of(&chamber, n, from, &decrees, args.read.json, args.full),
        Err(why) => {
            eprintln!("{why}; asked for the law as of decree {n}");
            return Ok(parliament::exit::NOT_DONE);
        }
    }
    Ok(0)
}

/// Prints the law as of decree `n`, read from `from`'s ledger, complete through it.
fn print_as_of(
    chamber: &Chamber,
    n: u64,
    from: parliament::priest::PriestId,
    decrees: &[(u64, Decree)],
    as_json: bool,
    full: bool,
) {
    let name = chamber.roll.name(from);
    let laws: Vec<_> =
        decrees.iter().filter(|(_, d)| d.petition().is_some() && !read_law::is_read_decree(d)).collect();
    if as_json {
        let laws: Vec<_> = laws
            .iter()
            .map(|(no, d)| json!({ "decree_no": no, "decree": decree_text(d), "petition": d.petition().map(|p| p.id.to_string()) }))
            .collect();
        let out = json!({ "as_of": n, "from_ledger_of": name, "laws": laws });
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return;
    }
    println!(
        "The law as of decree {n} ({}; from {name}'s ledger, complete through it):",
        count(laws.len(), "law")
    );
    for (no, d) in laws {
        let text = decree_text(d);
        let text = if full { text } else { one_line(&text, TABLE_WIDTH) };
        println!("{no:>6}  {text}");
    }
}

/// Runs `parliament status`: each priest's ballot, promise, last vote, decrees, and the president.
pub fn status(args: ReadArgs) -> anyhow::Result<i32> {
    let chamber = open(&args)?;
    let roll = &chamber.roll;
    let president = chamber.president().map(|p| roll.name(p).to_string());
    let priests: Vec<_> = roll
        .names()
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let p = parliament::priest::PriestId(i as u16);
            let d = chamber.durable(p);
            let vote =
                chamber.last_vote(p).map(|v| (roll.ballot(v.ballot), v.decree_no, decree_text(&v.decree)));
            let (state, problem) = state(&args.dir, roll, &chamber, p);
            let holder = parliament::chamber::sitting::held_by(&args.dir, name);
            let pid = holder
                .as_deref()
                .and_then(|h| h.strip_prefix("pid ")?.split(',').next()?.parse::<u32>().ok());
            json!({
                "priest": name,
                "state": state,
                "pid": pid,
                "problem": problem,
                "ballot_tried": d.last_tried.map(|b| roll.ballot(b)),
                "promise": d.next_bal.map(|b| roll.ballot(b)),
                "last_vote": vote.as_ref().map(|(b, n, t)| json!({"ballot": b, "decree_no": n, "decree": t})),
                "decrees_known": d.decrees.len(),
                "complete_through": d.known,
                "rows": chamber.rows(p),
            })
        })
        .collect();
    let strays = roll.strays(&args.dir);
    let law = chamber.roll_law(&args.dir)?;
    // The roll in force for the next decree, as far as the ledgers tell.
    let next = chamber.ledgers.iter().map(|f| f.durable.known).max().unwrap_or(0) + 1;
    // Whether the priests sitting are a majority set of the roll in force for the next decree:
    // fewer can pass nothing (§2.2).
    let mut sitting = parliament::priest::Quorum::default();
    for (i, p) in priests.iter().enumerate() {
        if p["state"] == "sits" {
            sitting.insert(parliament::priest::PriestId(i as u16));
        }
    }
    let enough = law.in_force(next).is_majority(sitting);
    if args.json {
        let mut out = json!({ "president": president, "priests": priests, "strays": strays });
        out["sitting_majority"] = json!(enough);
        out["roll"] = rolls_json(roll, &law);
        out["roll"]["next_decree"] = json!(next);
        out["roll"]["in_force"] = json!(describe(roll, law.in_force(next)));
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return Ok(0);
    }
    match &president {
        Some(p) => println!("President: {p} ({}), by the highest ballot promised", paper_spelling(p)),
        None => println!("No president yet: no priest has promised a ballot."),
    }
    let sits = |name: &str| priests.iter().any(|q| q["priest"] == name && q["state"] == "sits");
    if let Some(p) = president.as_deref().filter(|&p| !sits(p)) {
        println!("  {p} is not sitting now: once priests sit, the last name among them presides (§2.4).");
    }
    if !enough {
        println!(
            "  {} of {} priests sit, not a majority set of the roll in force: no decree can pass until more sit \
             (parliament convene, or parliament priest NAME for each).",
            sitting.len(),
            roll.len()
        );
    }
    println!(
        "{:<10} {:<8} {:>8} {:>12} {:>12} {:>8} {:>9}  last vote",
        "priest", "state", "pid", "tried", "promised", "decrees", "complete"
    );
    for p in &priests {
        let s = |k: &str| p[k].as_str().unwrap_or("-").to_string();
        let vote = match &p["last_vote"] {
            serde_json::Value::Null => "-".to_string(),
            v => format!("{} on decree {}", v["ballot"].as_str().unwrap_or(""), v["decree_no"]),
        };
        let pid = p["pid"].as_u64().map_or("-".to_string(), |n| n.to_string());
        println!(
            "{:<10} {:<8} {pid:>8} {:>12} {:>12} {:>8} {:>9}  {vote}",
            s("priest"),
            s("state"),
            s("ballot_tried"),
            s("promise"),
            p["decrees_known"].to_string(),
            p["complete_through"].to_string()
        );
    }
    for p in &priests {
        if let Some(problem) = p["problem"].as_str() {
            println!("  {}: {problem}", p["priest"].as_str().unwrap_or(""));
        }
    }
    for stray in strays {
        println!("  {stray}");
    }
    println!("The roll in force for decree {next}: {}", describe(roll, law.in_force(next)));
    if !law.changes().is_empty() || roll.weights().iter().any(|&w| w != 1) {
        for line in history_lines(roll, &law) {
            println!("  {line}");
        }
    }
    Ok(0)
}

/// Whether a priest sits now, is away, or must refuse to vote, and why; one who sits but is
/// stopped (`kill -STOP`) is said to be, with the command that continues him.
fn state(
    dir: &std::path::Path,
    roll: &parliament::books::Roll,
    chamber: &Chamber,
    p: parliament::priest::PriestId,
) -> (&'static str, Option<String>) {
    let name = roll.name(p);
    let ledger = parliament::books::layout::ledger_file(name);
    let follower = &chamber.ledgers[p.index()];
    if !follower.present {
        let why = format!("{ledger} is missing: he may have forgotten a promise, so he refuses to vote");
        return ("refuses", Some(why));
    }
    if let Some((line, why)) = follower.bad().first() {
        return ("refuses", Some(format!("{ledger} line {line}: {why}; he refuses to vote")));
    }
    let Some(holder) = parliament::chamber::sitting::held_by(dir, name) else { return ("away", None) };
    match parliament::chamber::sitting::stopped(&holder) {
        Some(pid) => (
            "sits",
            Some(format!(
                "sits but is stopped (SIGSTOP; kill -CONT {pid}): he holds his sitting lock and answers nothing until then"
            )),
        ),
        None => ("sits", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decree_keeps_to_one_line_of_the_table() {
        assert_eq!(one_line("Wine may not be watered", 60), "Wine may not be watered");
        assert_eq!(one_line("First line\nsecond line", 60), "First line…");
        assert_eq!(one_line("a\tb", 60), "a b");
        let long = "ο".repeat(10_000);
        let short = one_line(&long, 60);
        assert_eq!(short.chars().count(), 60);
        assert!(short.ends_with('…'));
    }
}
