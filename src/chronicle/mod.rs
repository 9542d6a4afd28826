//! `parliament chronicle`: a sequence diagram of a ballot, a decree or a stretch of time, drawn
//! from a Chamber's files alone. One lifeline per priest; one arrow per messagebook row, from
//! sender to receiver, labelled in the paper's words (`LastVote(3.Oki, n=4)`, §2.3 and §3.1);
//! each ledger row marked on its priest's lifeline before the messages it allows; the moment a
//! majority set has voted; a decree entering each ledger; a forged row drawn and marked refused.
//!
//! [`events`] reads the rows, [`select`] picks those about one decree, ballot or time window,
//! [`text`] draws them with box-drawing characters and [`svg`] as a standalone SVG.

pub mod events;
pub mod svg;
pub mod text;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

pub use events::{Chronicle, Event, What};

use crate::books::Roll;
use crate::priest::{BallotNumber, Decree, DecreeNo, Message, PetitionId, Record};

/// Which events to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Rows about decree number N, and the NextBallot/LastVote of the ballots that reached it.
    Decree(DecreeNo),
    /// Rows about one ballot, and the decrees voted in it.
    Ballot(BallotNumber),
    /// Every row written in this window of time (both ends included).
    Window(DateTime<Utc>, DateTime<Utc>),
}

/// The decree number a message is about, if it is about one.
fn message_decree(message: &Message) -> Option<DecreeNo> {
    match message {
        Message::BeginBallot { decree_no, .. }
        | Message::Voted { decree_no, .. }
        | Message::Success { decree_no, .. }
        | Message::Inquiry { decree_no } => Some(*decree_no),
        _ => None,
    }
}

/// The ballot a message is about, if it is about one.
fn message_ballot(message: &Message) -> Option<BallotNumber> {
    match message {
        Message::NextBallot { ballot, .. }
        | Message::LastVote { ballot, .. }
        | Message::BeginBallot { ballot, .. }
        | Message::Voted { ballot, .. }
        | Message::Rejected { ballot, .. } => Some(*ballot),
        _ => None,
    }
}

/// The ballot a ledger row is about, if any.
fn record_ballot(record: &Record) -> Option<BallotNumber> {
    match record {
        Record::Tried { ballot } | Record::Promised { ballot } => Some(*ballot),
        Record::Voted(v) => Some(v.ballot),
        Record::Decree { .. } => None,
    }
}

/// The decree number a ledger row is about, if any.
fn record_decree(record: &Record) -> Option<DecreeNo> {
    match record {
        Record::Voted(v) => Some(v.decree_no),
        Record::Decree { decree_no, .. } => Some(*decree_no),
        _ => None,
    }
}

/// The events `selection` asks for, in order.
pub fn select<'a>(chronicle: &'a Chronicle, selection: &Selection) -> Vec<&'a Event> {
    let events = &chronicle.events;
    // For a decree: the ballots that reached it. For a ballot: the decrees voted in it.
    let (mut ballots, mut decrees) = (BTreeSet::new(), BTreeSet::new());
    let mut petitions: BTreeSet<PetitionId> = BTreeSet::new();
    for e in events {
        match (&e.what, selection) {
            (What::Ledger { record: Record::Voted(v), .. }, Selection::Decree(n)) if v.decree_no == *n => {
                ballots.insert(v.ballot);
            }
            (
                What::Message { message: Message::BeginBallot { ballot, decree_no, .. }, .. },
                Selection::Decree(n),
            ) if decree_no == n => {
                ballots.insert(*ballot);
            }
            (What::Ledger { record: Record::Voted(v), .. }, Selection::Ballot(b)) if v.ballot == *b => {
                decrees.insert(v.decree_no);
            }
            _ => {}
        }
    }
    if let Selection::Decree(n) = selection {
        decrees.insert(*n);
    }
    if let Selection::Ballot(b) = selection {
        ballots.insert(*b);
    }
    for e in events {
        let What::Ledger { record, .. } = &e.what else { continue };
        let decree = match record {
            Record::Voted(v) if decrees.contains(&v.decree_no) => Some(&v.decree),
            Record::Decree { decree_no, decree } if decrees.contains(decree_no) => Some(decree),
            _ => None,
        };
        if let Some(Decree::Law(p)) = decree {
            petitions.insert(p.id.clone());
        }
    }
    let about = |e: &Event| -> bool {
        if let Selection::Window(from, to) = selection {
            return e.at.is_some_and(|at| *from <= at && at <= *to);
        }
        let by_decree = matches!(selection, Selection::Decree(_));
        // About the decree (by number) or the ballot (by number), whichever was asked; a row
        // that names only the other is about the selection if its number is among the related.
        let fits = |ballot: Option<BallotNumber>, decree: Option<DecreeNo>| match (ballot, decree) {
            (Some(_), Some(n)) if by_decree => decrees.contains(&n),
            (Some(b), _) => ballots.contains(&b),
            (None, Some(n)) => decrees.contains(&n),
            (None, None) => false,
        };
        match &e.what {
            What::Ledger { record, .. } => fits(record_ballot(record), record_decree(record)),
            What::Message { message, .. } => fits(message_ballot(message), message_decree(message)),
            What::Petition { petition, .. } => petitions.contains(&petition.id),
            What::Majority { ballot, decree_no, .. } => {
                ballots.contains(ballot) && decrees.contains(decree_no)
            }
        }
    };
    events.iter().filter(|e| about(e)).collect()
}

/// A text on one line: control characters (a decree's newlines) become spaces.
pub fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A decree as a label: `"Lamps must…"` cut to `max` characters, or `olive day`.
pub fn decree_label(decree: &Decree, max: usize) -> String {
    match decree {
        Decree::OliveDay => "olive day".to_string(),
        Decree::Law(p) if p.text.chars().count() > max => {
            format!("\"{}…\"", one_line(&p.text.chars().take(max.saturating_sub(1)).collect::<String>()))
        }
        Decree::Law(p) => format!("\"{}\"", one_line(&p.text)),
    }
}

/// A message in the paper's words: `LastVote(3.Oki, n=4)`, `BeginBallot(1.Toueg, 2: "Lamps…")`.
pub fn message_label(roll: &Roll, message: &Message, max: usize) -> String {
    let b = |b: &BallotNumber| roll.ballot(*b);
    match message {
        Message::NextBallot { ballot, decree_no } => format!("NextBallot({}, n={decree_no})", b(ballot)),
        Message::LastVote { ballot, decree_no, votes, .. } => {
            let mut s = format!("LastVote({}, n={decree_no}", b(ballot));
            for v in votes {
                s.push_str(&format!(", {} in {}", v.decree_no, b(&v.ballot)));
            }
            s + ")"
        }
        Message::BeginBallot { ballot, decree_no, decree } => {
            format!("BeginBallot({}, {decree_no}: {})", b(ballot), decree_label(decree, max))
        }
        Message::Voted { ballot, decree_no } => format!("Voted({}, {decree_no})", b(ballot)),
        Message::Success { decree_no, .. } => format!("Success({decree_no})"),
        Message::Rejected { ballot, next_bal } => {
            format!("Rejected({}, promised {})", b(ballot), b(next_bal))
        }
        Message::Petition(p) => format!("Petition(\"{}\")", one_line(&p.text)),
        Message::Heartbeat { known } => format!("Heartbeat(known {known})"),
        Message::Inquiry { decree_no } => format!("Inquiry({decree_no})"),
    }
}

/// A ledger row as a label on its priest's lifeline.
pub fn record_label(roll: &Roll, record: &Record, max: usize) -> String {
    match record {
        Record::Tried { ballot } => format!("Tried {}", roll.ballot(*ballot)),
        Record::Promised { ballot } => format!("Promised {}", roll.ballot(*ballot)),
        Record::Voted(v) => {
            format!("Voted {} {}: {}", roll.ballot(v.ballot), v.decree_no, decree_label(&v.decree, max))
        }
        Record::Decree { decree_no, decree } => {
            let label = format!("decree {decree_no} = {}", decree_label(decree, max));
            match decree.roll_change() {
                // A membership decree (§3.3.6): the roll it makes is in force α decrees on.
                Some(c) => format!(
                    "{label} (membership: {} {} from {decree_no}+α)",
                    roll.names().get(c.priest.index()).map_or("?", String::as_str),
                    c.weight
                ),
                None => label,
            }
        }
    }
}

/// What a majority event says.
pub fn majority_label(roll: &Roll, what: &What) -> String {
    let What::Majority { ballot, decree_no, voters } = what else { return String::new() };
    let names: Vec<&str> = voters.iter().map(|p| roll.name(*p)).collect();
    format!(
        "majority set {{{}}} has voted in {} on decree {decree_no}",
        names.join(", "),
        roll.ballot(*ballot)
    )
}

/// When, as the time column shows it: `21:48:24.100`, or blanks.
pub fn time_label(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "--:--:--.---".to_string(), |t| t.format("%H:%M:%S%.3f").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_decree_is_told_as_one() {
        let roll = Roll::new(vec!["Lynch".into(), "Strong".into()]).unwrap();
        let p = crate::books::membership::read_petition(&roll, "p", "Strong is now a legislator").unwrap();
        let record = Record::Decree { decree_no: 6, decree: Decree::Law(p) };
        assert_eq!(
            record_label(&roll, &record, 60),
            "decree 6 = \"Strong is now a legislator\" (membership: Strong 1 from 6+α)"
        );
    }
}
