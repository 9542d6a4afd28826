//! A counterexample told in the paper's words, one numbered line per step and the ledger rows
//! and messages each step wrote and sent beneath it: "Fischer promises ballot 2.Lynch", the
//! priests named as the files name them (the paper's spelling once, in the cast list). The steps
//! are replayed through the same [`Parliament::apply`] the checker ran, so the story is the run.

use std::fmt::Write;

use super::parliament::{Action, Parliament, State};
use crate::names::chamber_names;
use crate::priest::{BallotNumber, Decree, Durable, Envelope, Message, PriestId, Record, Step};
use crate::words::count;

/// Tells the run that `actions` makes from `initial` (one of the model's first states), ending
/// with the rule broken (if one was).
pub fn render(model: &Parliament, initial: &State, actions: &[Action]) -> String {
    let teller = Teller::new(model.options.places());
    let mut state = initial.clone();
    let mut out =
        format!("  The cast: {}.\n", crate::sim::telling::cast(&chamber_names(model.options.places())));
    for (petition, to) in state.petitioned.iter().enumerate() {
        if let Some(to) = to {
            let decree = Decree::Law(model.petitions[petition].clone());
            let _ = writeln!(
                out,
                "  0. Before the session opens, a citizen petitions {}: {decree}",
                teller.name(*to)
            );
        }
    }
    for (i, action) in actions.iter().enumerate() {
        let _ = writeln!(out, "{:>3}. {}", i + 1, teller.action(model, &state, action));
        let (p, step) = model.apply(&mut state, action, true);
        if let Action::Crash(_) = action {
            let _ = writeln!(out, "     {}", teller.returns(p, state.priests[p.index()].durable()));
        }
        let mut step = step;
        if !model.options.heartbeats {
            step.messages.retain(|e| !matches!(e.message, Message::Heartbeat { .. }));
        }
        for line in teller.step(p, state.priests[p.index()].durable(), &step) {
            let _ = writeln!(out, "     {line}");
        }
    }
    match &state.broken {
        Some((rule, detail)) => {
            let _ = writeln!(out, "Broken: {rule}: {}", teller.detail(detail));
        }
        None => out.push_str("No rule is broken.\n"),
    }
    out
}

/// The names and phrasing of the trace.
struct Teller {
    names: Vec<String>,
}

impl Teller {
    fn new(priests: usize) -> Self {
        Teller { names: chamber_names(priests) }
    }

    fn name(&self, p: PriestId) -> &str {
        &self.names[p.index()]
    }

    fn ballot(&self, b: BallotNumber) -> String {
        format!("{}.{}", b.round, self.name(b.priest))
    }

    /// The rules write ballots as `round.id` and priests as `priest id`; use the paper's names.
    fn detail(&self, detail: &str) -> String {
        let mut told = detail.to_string();
        for (i, name) in self.names.iter().enumerate().rev() {
            told = told.replace(&format!("priest {i}"), name);
            for round in 0..10 {
                told = told.replace(&format!("{round}.{i}"), &format!("{round}.{name}"));
            }
        }
        told
    }

    fn action(&self, model: &Parliament, state: &State, action: &Action) -> String {
        match action {
            Action::Petition { petition, to } => {
                let decree = Decree::Law(model.petitions[*petition].clone());
                format!("A citizen petitions {}: {decree}", self.name(*to))
            }
            Action::Tick(p) => {
                format!("Time passes for {} (tick {})", self.name(*p), state.ticks[p.index()] + 1)
            }
            Action::Deliver(e) => format!("A messenger brings {}", self.envelope(e)),
            Action::Duplicate(e) => format!("A messenger brings again {}", self.envelope(e)),
            Action::Crash(p) => format!("{} leaves the Chamber; his slip of paper is lost", self.name(*p)),
        }
    }

    fn envelope(&self, e: &Envelope) -> String {
        format!("{} {} from {}", self.name(e.to), self.message(&e.message), self.name(e.from))
    }

    fn message(&self, message: &Message) -> String {
        match message {
            Message::NextBallot { ballot, decree_no } => {
                format!("NextBallot({}) for decrees after {decree_no}", self.ballot(*ballot))
            }
            Message::LastVote { ballot, votes, decrees, .. } => {
                let mut said: Vec<String> = votes
                    .iter()
                    .map(|v| {
                        format!("voted in {} for decree {}: {}", self.ballot(v.ballot), v.decree_no, v.decree)
                    })
                    .collect();
                said.extend(decrees.iter().map(|(no, d)| format!("knows decree {no}: {d}")));
                let said = if said.is_empty() { "no vote".to_string() } else { said.join("; ") };
                format!("LastVote({}): {said}", self.ballot(*ballot))
            }
            Message::BeginBallot { ballot, decree_no, decree } => {
                format!("BeginBallot({}) for decree {decree_no}: {decree}", self.ballot(*ballot))
            }
            Message::Voted { ballot, decree_no } => {
                format!("Voted({}) for decree {decree_no}", self.ballot(*ballot))
            }
            Message::Success { decree_no, decree } => format!("Success: decree {decree_no} is {decree}"),
            Message::Rejected { ballot, next_bal } => {
                format!("a refusal of {}: promised {}", self.ballot(*ballot), self.ballot(*next_bal))
            }
            Message::Petition(p) => format!("the petition {}", Decree::Law(p.clone())),
            Message::Heartbeat { known } => format!("a heartbeat: knows every decree to {known}"),
            Message::Inquiry { decree_no } => format!("an inquiry for decrees from {decree_no}"),
        }
    }

    fn returns(&self, p: PriestId, durable: &Durable) -> String {
        let promise = durable.next_bal.map_or("none".to_string(), |b| self.ballot(b));
        format!(
            "{} returns and reads his ledger: promise {promise}, {}, {} outstanding",
            self.name(p),
            count(durable.decrees.len(), "decree"),
            count(durable.prev_votes.len(), "vote")
        )
    }

    /// The rows a priest wrote and the messages he sent, messages to several priests on one line.
    fn step(&self, p: PriestId, after: &Durable, step: &Step) -> Vec<String> {
        let who = self.name(p);
        let mut lines: Vec<String> = step.records.iter().map(|r| self.record(who, after, r)).collect();
        let mut sent: Vec<(String, Vec<&str>)> = Vec::new();
        for e in &step.messages {
            let said = self.message(&e.message);
            match sent.iter_mut().find(|(s, _)| *s == said) {
                Some((_, to)) => to.push(self.name(e.to)),
                None => sent.push((said, vec![self.name(e.to)])),
            }
        }
        for (said, to) in sent {
            lines.push(format!("{who} sends {said} to {}", to.join(" and ")));
        }
        lines
    }

    fn record(&self, who: &str, after: &Durable, record: &Record) -> String {
        match record {
            Record::Tried { ballot } => {
                format!("{who} acts as president and tries ballot {}", self.ballot(*ballot))
            }
            Record::Promised { ballot } => {
                let last = match after.prev_votes.values().max_by_key(|v| v.ballot) {
                    Some(v) => format!(
                        "his last vote was in ballot {} for decree {}",
                        self.ballot(v.ballot),
                        v.decree_no
                    ),
                    None => "he has no vote outstanding".to_string(),
                };
                format!("{who} promises ballot {}; {last}", self.ballot(*ballot))
            }
            Record::Voted(v) => {
                format!(
                    "{who} votes in ballot {} for decree {}: {}",
                    self.ballot(v.ballot),
                    v.decree_no,
                    v.decree
                )
            }
            Record::Decree { decree_no, decree } => {
                format!("{who} writes decree {decree_no} in his ledger: {decree}")
            }
        }
    }
}
