//! The words and the clock of the narrative: how much to tell ([`Level`]), when a line happened
//! ([`At`]: a tick in the simulator, seconds since the sitting began in the Chamber), counts with
//! their plurals ("1 row", "2 rows"), the cast list, and each message written as the paper writes
//! it ("BeginBallot(1.Toueg, decree 3, \"Wine may not be watered\")").

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::names::paper_spelling;
use crate::priest::{BallotNumber, Message};

/// How much of the story to tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Only what went wrong, and the result (`-q`).
    Quiet,
    /// Each ballot in a few lines: petition, ballot begun, majority voted, decree in the ledgers;
    /// a priest leaving and coming back (the default).
    Told,
    /// Every row written and every message sent, lost or duplicated (`-v`).
    Verbose,
}

impl Level {
    /// The level `-q` and `-v` ask for (`-q` wins).
    pub fn from_flags(quiet: bool, verbose: bool) -> Level {
        match (quiet, verbose) {
            (true, _) => Level::Quiet,
            (false, true) => Level::Verbose,
            (false, false) => Level::Told,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Quiet => "quiet",
            Level::Told => "told",
            Level::Verbose => "verbose",
        }
    }
}

/// When a line happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// A tick of the simulator's virtual time: `[tick  500]`.
    Tick(u64),
    /// Now, by the sitting's one clock: `[  0.512 s]`.
    Now,
}

/// The environment variable through which `convene` hands its priest processes the sitting's
/// clock and level, so that every process of one sitting tells time from the same moment.
pub const SITTING_VAR: &str = "PARLIAMENT_SITTING";

/// One sitting of the Chamber, as this process tells it: how much, and from when.
#[derive(Clone, Copy, Debug)]
pub struct Sitting {
    /// How much to tell.
    pub level: Level,
    /// When the sitting began: every time in the narrative is counted from here.
    pub started: Instant,
}

static SITTING: OnceLock<Sitting> = OnceLock::new();

/// Opens the sitting at `level` (once per process; later calls return the first). A priest
/// process started by `convene` takes the clock, and unless he is quiet the level, from
/// [`SITTING_VAR`].
pub fn open_sitting(level: Level) -> Sitting {
    *SITTING.get_or_init(|| {
        let inherited = std::env::var(SITTING_VAR).ok().and_then(|v| parse_sitting(&v));
        match inherited {
            Some(s) if level != Level::Quiet => s,
            Some(s) => Sitting { level, ..s },
            None => Sitting { level, started: Instant::now() },
        }
    })
}

/// The sitting of this process (opened at [`Level::Told`] now if nobody opened it).
pub fn sitting() -> Sitting {
    open_sitting(Level::Told)
}

/// The value of [`SITTING_VAR`] that hands this sitting to a priest process: `level@unix-micros`.
pub fn sitting_var(s: &Sitting) -> String {
    let now_unix = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let began = now_unix.saturating_sub(s.started.elapsed());
    format!("{}@{}", s.level.name(), began.as_micros())
}

fn parse_sitting(v: &str) -> Option<Sitting> {
    let (level, micros) = v.split_once('@')?;
    let level = [Level::Quiet, Level::Told, Level::Verbose].into_iter().find(|l| l.name() == level)?;
    let began = Duration::from_micros(micros.parse().ok()?);
    let now_unix = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    let started = Instant::now().checked_sub(now_unix.checked_sub(began)?)?;
    Some(Sitting { level, started })
}

/// The stamp at the head of a line: `[tick  500]` or `[  0.512 s]`.
pub fn stamp(at: At, started: Instant) -> String {
    match at {
        At::Tick(t) => format!("[tick {t:>4}]"),
        At::Now => format!("[{:>7.3} s]", started.elapsed().as_secs_f64()),
    }
}

pub use crate::words::count;

/// The cast list: each priest as the files name him, with the paper's spelling after him when
/// the paper has one: "Dwork (∆φωρκ), Fischer (Φισ∂ρ), ...".
pub fn cast(names: &[String]) -> String {
    let each = names.iter().map(|n| match paper_spelling(n) {
        greek if greek != n => format!("{n} ({greek})"),
        _ => n.clone(),
    });
    each.collect::<Vec<_>>().join(", ")
}

/// A ballot number as the files write it: `1.Toueg`.
pub fn ballot(names: &[String], b: BallotNumber) -> String {
    format!("{}.{}", b.round, names[b.priest.index()])
}

/// A message as the paper writes it, with the files' names.
pub fn message(names: &[String], m: &Message) -> String {
    let b = |b: &BallotNumber| ballot(names, *b);
    match m {
        Message::NextBallot { ballot, decree_no } => {
            format!("NextBallot({}, above decree {decree_no})", b(ballot))
        }
        Message::LastVote { ballot, votes, decrees, .. } => format!(
            "LastVote({}, {}, {})",
            b(ballot),
            count(votes.len(), "vote"),
            count(decrees.len(), "decree")
        ),
        Message::BeginBallot { ballot, decree_no, decree } => {
            format!("BeginBallot({}, decree {decree_no}, {decree})", b(ballot))
        }
        Message::Voted { ballot, decree_no } => format!("Voted({}, decree {decree_no})", b(ballot)),
        Message::Success { decree_no, decree } => format!("Success(decree {decree_no}, {decree})"),
        Message::Rejected { ballot, next_bal } => {
            format!("Rejected({}, promised {})", b(ballot), b(next_bal))
        }
        Message::Petition(p) => format!("Petition({:?}, {})", p.text.to_string(), p.id),
        Message::Heartbeat { known } => format!("Heartbeat(known {known})"),
        Message::Inquiry { decree_no } => format!("Inquiry(from decree {decree_no})"),
    }
}

/// Decree numbers as a person reads them: "decree 4", "decrees 1 to 3", "decrees 1, 2 and 5".
pub fn decree_numbers(numbers: &[u64]) -> String {
    match numbers {
        [] => "no decree".to_string(),
        [one] => format!("decree {one}"),
        [first, .., last] if numbers.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("decrees {first} to {last}")
        }
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(u64::to_string).collect();
            format!("decrees {} and {last}", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_english_wants() {
        assert_eq!(count(1u64, "row"), "1 row");
        assert_eq!(count(0u64, "row"), "0 rows");
        assert_eq!(count(2u64, "violation"), "2 violations");
        assert_eq!(count(3u64, "void repeat"), "3 void repeats");
        assert_eq!(count(1u64, "row in halves|rows in halves"), "1 row in halves");
        assert_eq!(count(2u64, "row in halves|rows in halves"), "2 rows in halves");
        assert_eq!(count(2u64, "crash"), "2 crashes");
        assert_eq!(count(2u64, "VIOLATION"), "2 VIOLATIONS");
        assert_eq!(count(2u64, "inquiry"), "2 inquiries");
        assert_eq!(count(2u64, "day"), "2 days");
        assert_eq!(count(2u64, "pass"), "2 passes");
    }

    #[test]
    fn decree_numbers_read_as_a_person_says_them() {
        assert_eq!(decree_numbers(&[4]), "decree 4");
        assert_eq!(decree_numbers(&[1, 2, 3]), "decrees 1 to 3");
        assert_eq!(decree_numbers(&[1, 2, 5]), "decrees 1, 2 and 5");
    }

    #[test]
    fn a_sitting_handed_to_a_process_keeps_its_clock() {
        let s = Sitting { level: Level::Verbose, started: Instant::now() - Duration::from_secs(3) };
        let back = parse_sitting(&sitting_var(&s)).expect("reads back");
        assert_eq!(back.level, Level::Verbose);
        let drift = back.started.elapsed().as_secs_f64() - s.started.elapsed().as_secs_f64();
        assert!(drift.abs() < 0.01, "the clock moved by {drift} s");
        assert!(stamp(At::Tick(5), s.started) == "[tick    5]");
        assert!(stamp(At::Now, s.started).ends_with(" s]"));
    }
}
