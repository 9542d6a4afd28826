//! B3 as the president must keep it (§2.3 step 3, §3.1): a ballot begun for decree number n
//! carries the decree of the highest vote reported for n in the LastVotes of his majority set, or
//! any decree he likes when none was reported.
//!
//! The files show what he was told. His own LastVote is answered within the step that tries the
//! ballot, from his ledger as it stood at his own `Promised` row for it: his votes and decrees above
//! the NextBallot's number. The others' LastVotes are the rows of his messagebook, read in file order
//! (the order he read them), counting only rows their senders' ledgers back (he acts on no other).
//! He takes office at the row that completes a majority set; LastVotes read after it no longer
//! bind him, since he has begun his ballots by then. A decree a LastVote reports as passed binds
//! him too: he has learned it and begins no other ballot for that number.
//!
//! Ballots begun are shown by the president's own `Voted` rows in his own ballots: he votes in
//! each ballot he begins, within the step that begins it, and a BeginBallot row is backed only
//! by his vote in that ballot for that decree (unbacked ones are provenance findings). So his votes
//! are every ballot begun that any priest could have acted on.

use std::collections::{BTreeMap, HashMap};

use super::{Check, Finding, Severity, book_file, ledger_file};
use crate::chamber::Roll;
use crate::priest::{BallotNumber, Decree, DecreeNo, Durable, PriestId, Quorum, Record, Vote};
use crate::rules::Rule;

/// What reported a vote or a decree to a president: a priest, in a file at a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Who reported it.
    pub from: PriestId,
    /// The file, relative to the Chamber's folder.
    pub file: String,
    /// The line.
    pub line: u64,
}

/// One ballot a president tried, and what the files show was reported to him.
#[derive(Clone, Debug)]
pub struct Presidency {
    /// NextBallot(b, n)'s n: he knew every decree up to it, and asked about those above.
    pub known: DecreeNo,
    /// The highest vote reported for each number above n, while he gathered his majority set.
    pub votes: BTreeMap<DecreeNo, (Vote, Source)>,
    /// Decrees reported as passed above n.
    pub decrees: BTreeMap<DecreeNo, (Decree, Source)>,
    /// Who has promised.
    pub promised: Quorum,
    /// Whether a majority set has promised, so that he may begin ballots.
    pub prepared: bool,
}

impl Presidency {
    /// Takes in one LastVote (his own, or a row of his messagebook) while he is gathering.
    pub fn hear(&mut self, priests: usize, votes: &[Vote], decrees: &[(DecreeNo, Decree)], source: Source) {
        if self.prepared {
            return;
        }
        for v in votes.iter().filter(|v| v.decree_no > self.known) {
            let higher = self.votes.get(&v.decree_no).is_none_or(|(had, _)| had.ballot < v.ballot);
            if higher {
                self.votes.insert(v.decree_no, (v.clone(), source.clone()));
            }
        }
        for (no, d) in decrees.iter().filter(|(no, _)| *no > self.known) {
            self.decrees.entry(*no).or_insert_with(|| (d.clone(), source.clone()));
        }
        self.promised.insert(source.from);
        self.prepared = self.promised.is_majority_of(priests);
    }
}

/// Finds every ballot a priest tried in his ledger, with his own LastVote to himself taken in;
/// fed his rows in order, each with his durable state just after it.
#[derive(Debug)]
pub struct Tried {
    priests: usize,
    priest: PriestId,
    file: String,
    awaiting: Option<BallotNumber>,
    /// His presidencies, by ballot.
    pub ballots: HashMap<BallotNumber, Presidency>,
}

impl Tried {
    /// A search of `priest`'s ledger, in a Chamber of `priests`.
    pub fn new(priests: usize, priest: PriestId, name: &str) -> Self {
        Tried { priests, priest, file: ledger_file(name), awaiting: None, ballots: HashMap::new() }
    }

    /// The next row of his ledger, and his durable state once it is written.
    pub fn row(&mut self, line: u64, record: &Record, durable: &Durable) {
        match record {
            Record::Tried { ballot } if ballot.priest == self.priest => {
                let p = Presidency {
                    known: durable.known,
                    votes: BTreeMap::new(),
                    decrees: BTreeMap::new(),
                    promised: Quorum::default(),
                    prepared: false,
                };
                self.ballots.insert(*ballot, p);
                self.awaiting = Some(*ballot);
            }
            // His own promise is where he answered his own NextBallot, from his ledger as it stood.
            Record::Promised { ballot } if self.awaiting == Some(*ballot) => {
                self.awaiting = None;
                let Some(p) = self.ballots.get_mut(ballot) else { return };
                let votes: Vec<Vote> =
                    durable.prev_votes.range(p.known + 1..).map(|(_, v)| v.clone()).collect();
                let decrees: Vec<_> =
                    durable.decrees.range(p.known + 1..).map(|(no, d)| (*no, d.clone())).collect();
                let source = Source { from: self.priest, file: self.file.clone(), line };
                p.hear(self.priests, &votes, &decrees, source);
            }
            _ => {}
        }
    }
}

/// A ballot begun for one decree number, and where the files show it.
#[derive(Clone, Debug)]
pub struct Begun {
    /// The ballot.
    pub ballot: BallotNumber,
    /// The decree number.
    pub decree_no: DecreeNo,
    /// The decree it carries.
    pub decree: Decree,
    /// The row that shows it: the president's own vote.
    pub file: String,
    /// Its line.
    pub line: u64,
}

/// The ballots `priest` began, as his own votes in them show.
pub fn own_votes(roll: &Roll, priest: PriestId, rows: &[(u64, Record)]) -> Vec<Begun> {
    rows.iter()
        .filter_map(|(line, record)| match record {
            Record::Voted(v) if v.ballot.priest == priest => Some(Begun {
                ballot: v.ballot,
                decree_no: v.decree_no,
                decree: v.decree.clone(),
                file: ledger_file(roll.name(priest)),
                line: *line,
            }),
            _ => None,
        })
        .collect()
}

/// Checks every ballot begun against what its president was told; one finding per ballot and
/// decree number, at the first row showing it (two decrees in one ballot are the rules' business).
pub fn check_begun(
    roll: &Roll,
    presidencies: &[HashMap<BallotNumber, Presidency>],
    begun: Vec<Begun>,
) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for b in begun {
        if !seen.insert((b.ballot, b.decree_no)) {
            continue;
        }
        if let Some(detail) = judge(roll, &presidencies[b.ballot.priest.index()], &b) {
            let (severity, check) = (Severity::Violation, Check::Rule(Rule::B3));
            findings.push(Finding { severity, check, file: b.file, line: b.line, detail });
        }
    }
    findings
}

/// What is wrong with one ballot begun, if anything.
fn judge(roll: &Roll, tried: &HashMap<BallotNumber, Presidency>, b: &Begun) -> Option<String> {
    let (ballot, no, president) = (roll.ballot(b.ballot), b.decree_no, roll.name(b.ballot.priest));
    let where_ = |s: &Source| format!("{} line {}", s.file, s.line);
    let Some(p) = tried.get(&b.ballot) else {
        return Some(format!(
            "ballot {ballot} begins decree {no}, but {} never tried that ballot",
            ledger_file(president)
        ));
    };
    if !p.prepared {
        let promised: Vec<_> = roll
            .names()
            .iter()
            .enumerate()
            .filter(|(i, _)| p.promised.contains(PriestId(*i as u16)))
            .map(|(_, n)| n.as_str())
            .collect();
        return Some(format!(
            "ballot {ballot} begins decree {no} {}, but LastVotes from a majority set never reached {president}: {} shows promises from {} only",
            b.decree,
            book_file(president),
            if promised.is_empty() { "no one".to_string() } else { promised.join(", ") }
        ));
    }
    if no <= p.known {
        return None;
    }
    if let Some((d, s)) = p.decrees.get(&no).filter(|(d, _)| *d != b.decree) {
        return Some(format!(
            "ballot {ballot} begins decree {no} with {}, but {} told {president} it had passed as {d} ({})",
            b.decree,
            roll.name(s.from),
            where_(s)
        ));
    }
    let (vote, s) = p.votes.get(&no).filter(|(v, _)| v.decree != b.decree)?;
    Some(format!(
        "ballot {ballot} begins decree {no} with {}, but the highest vote reported to {president} for it is {}'s in ballot {} for {} ({}); B3 binds the president to that decree",
        b.decree,
        roll.name(s.from),
        roll.ballot(vote.ballot),
        vote.decree,
        where_(s)
    ))
}
