//! B3 as the president must keep it (§2.3 step 3, §3.1): a ballot begun for decree number n
//! carries the decree of the highest vote reported for n in the LastVotes of his majority set, or
//! any decree he likes when none was reported.
//!
//! The files show what he was told. His own LastVote is answered within the step that tries the
//! ballot, from his ledger as it stood at his own `Promised` row for it: his votes and decrees above
//! the NextBallot's number. The others' LastVotes are rows of the pages of his messagebook, counting
//! only rows their senders' ledgers back (he acts on no other). Pages have no order between them
//! (each has its own writer), so the audit does not guess which LastVotes came first: a ballot
//! begun is justified when *some* majority set of the priests who answered, himself among them,
//! reported no vote for that number higher than one for the decree he chose (or none at all, which
//! leaves him free). That holds for the majority set he really took office with, so a president
//! who kept B3 always passes. A decree a LastVote reports as passed binds him as the highest vote.
//!
//! Ballots begun are shown by the president's own `Voted` rows in his own ballots: he votes in
//! each ballot he begins, within the step that begins it, and a BeginBallot row is backed only
//! by his vote in that ballot for that decree (unbacked ones are provenance findings). So his votes
//! are every ballot begun that any priest could have acted on.

use std::collections::{BTreeMap, HashMap};

use super::{Check, Finding, Severity};
use crate::books::Roll;
use crate::books::layout::ledger_file;
use crate::priest::{
    BallotNumber, Decree, DecreeNo, Durable, PriestId, Quorum, Record, RollLaw, Vote, Weights,
};
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

/// One LastVote a president heard: what it reported above his NextBallot's number.
#[derive(Clone, Debug)]
pub struct Heard {
    /// Its votes, by decree number.
    pub votes: BTreeMap<DecreeNo, Vote>,
    /// Decrees it reported as passed, by number.
    pub decrees: BTreeMap<DecreeNo, Decree>,
    /// Where it is.
    pub source: Source,
}

/// One ballot a president tried, and what the files show was reported to him.
#[derive(Clone, Debug)]
pub struct Presidency {
    /// NextBallot(b, n)'s n: he knew every decree up to it, and asked about those above.
    pub known: DecreeNo,
    /// The first LastVote from each priest who answered (his own first).
    pub heard: Vec<Heard>,
}

/// How high a report for one decree number ranks: a decree reported passed outranks every vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Voted(BallotNumber),
    Passed,
}

impl Presidency {
    /// Takes in one LastVote (his own, or a row of his messagebook).
    pub fn hear(&mut self, votes: &[Vote], decrees: &[(DecreeNo, Decree)], source: Source) {
        if self.heard.iter().any(|h| h.source.from == source.from) {
            return;
        }
        let votes =
            votes.iter().filter(|v| v.decree_no > self.known).map(|v| (v.decree_no, v.clone())).collect();
        let decrees = decrees.iter().filter(|(no, _)| *no > self.known).cloned().collect();
        self.heard.push(Heard { votes, decrees, source });
    }

    /// Whether the priests who answered make a majority set of `roll` (§2.2: by weight).
    pub fn prepared(&self, roll: &Weights) -> bool {
        roll.is_majority(quorum(self.heard.iter()))
    }

    /// What `h` reported for decree number `no`: how high, for which decree.
    fn report(h: &Heard, no: DecreeNo) -> Option<(Rank, &Decree)> {
        if let Some(d) = h.decrees.get(&no) {
            return Some((Rank::Passed, d));
        }
        h.votes.get(&no).map(|v| (Rank::Voted(v.ballot), &v.decree))
    }

    /// Whether some majority set of those who answered, with the president, leaves him free to
    /// begin decree `no` with `decree`; if not, the report that binds him otherwise.
    fn binds(&self, roll: &Weights, president: PriestId, no: DecreeNo, decree: &Decree) -> Option<&Heard> {
        let reports: Vec<_> = self.heard.iter().map(|h| (h, Self::report(h, no))).collect();
        // Each candidate for the highest report in the majority set: none at all, or one for his decree.
        let mut tops: Vec<Option<Rank>> = vec![None];
        tops.extend(
            reports.iter().filter_map(|(_, r)| r.filter(|(_, d)| *d == decree).map(|(rank, _)| Some(rank))),
        );
        let fits = |top: Option<Rank>, r: Option<(Rank, &Decree)>| match (top, r) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(t), Some((rank, d))) => rank < t || (rank == t && d == decree),
        };
        for top in tops {
            let set: Vec<_> = reports.iter().filter(|(_, r)| fits(top, *r)).collect();
            let with_him = set.iter().any(|(h, _)| h.source.from == president);
            if with_him && roll.is_majority(quorum(set.iter().map(|(h, _)| *h))) {
                return None;
            }
        }
        reports
            .iter()
            .filter_map(|(h, r)| r.filter(|(_, d)| *d != decree).map(|(rank, _)| (rank, *h)))
            .max_by_key(|(rank, _)| *rank)
            .map(|(_, h)| h)
    }
}

/// The priests who sent these LastVotes, as a set.
fn quorum<'a>(heard: impl Iterator<Item = &'a Heard>) -> Quorum {
    let mut q = Quorum::default();
    for h in heard {
        q.insert(h.source.from);
    }
    q
}

/// Finds every ballot a priest tried in his ledger, with his own LastVote to himself taken in;
/// fed his rows in order, each with his durable state just after it.
#[derive(Debug)]
pub struct Tried {
    priest: PriestId,
    file: String,
    awaiting: Option<BallotNumber>,
    /// His presidencies, by ballot.
    pub ballots: HashMap<BallotNumber, Presidency>,
}

impl Tried {
    /// A search of `priest`'s ledger.
    pub fn new(priest: PriestId, name: &str) -> Self {
        Tried { priest, file: ledger_file(name), awaiting: None, ballots: HashMap::new() }
    }

    /// The next row of his ledger, and his durable state once it is written.
    pub fn row(&mut self, line: u64, record: &Record, durable: &Durable) {
        match record {
            Record::Tried { ballot } if ballot.priest == self.priest => {
                let p = Presidency { known: durable.known, heard: Vec::new() };
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
                p.hear(&votes, &decrees, source);
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
    law: &RollLaw,
    presidencies: &[HashMap<BallotNumber, Presidency>],
    begun: Vec<Begun>,
) -> Vec<Finding> {
    let mut seen = std::collections::HashSet::new();
    let mut findings = Vec::new();
    for b in begun {
        if !seen.insert((b.ballot, b.decree_no)) {
            continue;
        }
        if let Some(detail) = judge(roll, law, &presidencies[b.ballot.priest.index()], &b) {
            let (severity, check) = (Severity::Violation, Check::Rule(Rule::B3));
            findings.push(Finding { severity, check, file: b.file, line: b.line, detail });
        }
    }
    findings
}

/// What is wrong with one ballot begun, if anything.
fn judge(roll: &Roll, law: &RollLaw, tried: &HashMap<BallotNumber, Presidency>, b: &Begun) -> Option<String> {
    let (ballot, no, president) = (roll.ballot(b.ballot), b.decree_no, roll.name(b.ballot.priest));
    let where_ = |s: &Source| format!("{} line {}", s.file, s.line);
    let Some(p) = tried.get(&b.ballot) else {
        return Some(format!(
            "ballot {ballot} begins decree {no}, but {} never tried that ballot",
            ledger_file(president)
        ));
    };
    // The roll in force for the number he begins (§3.3.6) counts the majority set.
    let in_force = law.in_force(no);
    if !p.prepared(in_force) {
        let mut promised: Vec<_> = p.heard.iter().map(|h| roll.name(h.source.from)).collect();
        promised.sort();
        return Some(format!(
            "ballot {ballot} begins decree {no} {}, but LastVotes from a majority set never reached {president}: his messagebook ({}) shows promises from {} only",
            b.decree,
            book_dir_file(president),
            if promised.is_empty() { "no one".to_string() } else { promised.join(", ") }
        ));
    }
    if no <= p.known {
        return None;
    }
    let h = p.binds(in_force, b.ballot.priest, no, &b.decree)?;
    let s = &h.source;
    if let Some(d) = h.decrees.get(&no) {
        return Some(format!(
            "ballot {ballot} begins decree {no} with {}, but {} told {president} it had passed as {d} ({}), and no majority set of those who answered leaves him free",
            b.decree,
            roll.name(s.from),
            where_(s)
        ));
    }
    let vote = &h.votes[&no];
    Some(format!(
        "ballot {ballot} begins decree {no} with {}, but the highest vote reported to {president} for it is {}'s in ballot {} for {} ({}); B3 binds the president to that decree, and no majority set of those who answered leaves him free",
        b.decree,
        roll.name(s.from),
        roll.ballot(vote.ballot),
        vote.decree,
        where_(s)
    ))
}

/// A priest's messagebook folder, for messages to people.
fn book_dir_file(name: &str) -> String {
    format!("{}/{name}/", crate::books::layout::MESSAGEBOOKS)
}
