//! The narrative: one line per event, in the paper's voice and with its spelling of the priests'
//! names ("Φισ∂ρ promises ballot 4.Λῐνχ∂; his last vote was in ballot 2.∆φωρκ for decree 7"). Also
//! the petitions the simulated citizens make, borrowed from the decrees the paper reports.

use std::io::Write;

use crate::names::paper_spelling;
use crate::priest::{BallotNumber, Decree, Durable, Message, Petition, PriestId, Record, Step};

/// Decrees the paper reports passing, for the simulated citizens to petition for.
pub const DECREES: [&str; 8] = [
    "Lamps must use only olive oil",
    "The olive tax is 3 drachmas per ton",
    "Painting on temple walls is forbidden",
    "Cheese inspectors are appointed by lot",
    "Merchants may sell goats on the agora",
    "The retiring statesman receives a pension",
    "Wine may not be watered",
    "The general's coup is void",
];

/// The `k`th petition a simulated citizen makes: a paper decree, numbered so every text differs.
pub fn petition(k: usize) -> Petition {
    let text = format!("{} (petition {})", DECREES[k % DECREES.len()], k + 1);
    Petition::new(&format!("citizen-{}", k + 1), &text)
}

/// Tells a run as it happens, one line per event.
pub struct Narrator {
    names: Vec<String>,
    out: Box<dyn Write>,
}

impl Narrator {
    /// A narrator for priests named `names` (ASCII, in id order), writing to `out`.
    pub fn new(names: &[String], out: Box<dyn Write>) -> Self {
        let names = names.iter().map(|n| paper_spelling(n).to_string()).collect();
        Narrator { names, out }
    }

    fn name(&self, p: PriestId) -> &str {
        &self.names[p.index()]
    }

    fn ballot(&self, b: BallotNumber) -> String {
        format!("{}.{}", b.round, self.name(b.priest))
    }

    fn say(&mut self, now: u64, line: String) {
        // The narrative is a courtesy: a closed pipe must not stop the run.
        let _ = writeln!(self.out, "[{now:>5}] {line}");
    }

    /// A priest's step: each row he wrote, and each refusal he sent.
    pub fn step(&mut self, now: u64, p: PriestId, after: &Durable, step: &Step) {
        let who = self.name(p).to_string();
        for record in &step.records {
            let line = match record {
                Record::Tried { ballot } => {
                    format!("{who} acts as president and tries ballot {}", self.ballot(*ballot))
                }
                Record::Promised { ballot } => {
                    let last = after.prev_votes.values().max_by_key(|v| v.ballot);
                    let last = match last {
                        Some(v) => format!(
                            "his last vote was in ballot {} for decree {}",
                            self.ballot(v.ballot),
                            v.decree_no
                        ),
                        None => "he has no vote outstanding".to_string(),
                    };
                    format!("{who} promises ballot {}; {last}", self.ballot(*ballot))
                }
                Record::Voted(v) => format!(
                    "{who} votes in ballot {} for decree {}: {}",
                    self.ballot(v.ballot),
                    v.decree_no,
                    v.decree
                ),
                Record::Decree { decree_no, decree } => {
                    let void = match after.repeats(*decree_no) {
                        Some(first) => format!(" (void: repeats decree {first})"),
                        None => String::new(),
                    };
                    format!("{who} writes decree {decree_no} in his ledger: {decree}{void}")
                }
            };
            self.say(now, line);
        }
        for e in &step.messages {
            if let Message::Rejected { ballot, next_bal } = &e.message {
                let line = format!(
                    "{who} refuses ballot {} of {}: he has promised {}",
                    self.ballot(*ballot),
                    self.name(e.to),
                    self.ballot(*next_bal)
                );
                self.say(now, line);
            }
        }
    }

    /// A citizen petitions a priest.
    pub fn petition(&mut self, now: u64, to: PriestId, petition: &Petition, present: bool) {
        let away = if present { "" } else { ", who is away" };
        let line = format!("A citizen petitions {}{away}: {}", self.name(to), Decree::Law(petition.clone()));
        self.say(now, line);
    }

    /// A priest leaves the Chamber.
    pub fn leave(&mut self, now: u64, p: PriestId, rows: usize) {
        let line = format!(
            "{} leaves the Chamber; his slip of paper is lost, his ledger keeps {rows} rows",
            self.name(p)
        );
        self.say(now, line);
    }

    /// A priest leaves between writing his ledger and sending what it allowed.
    pub fn slip_lost(&mut self, now: u64, p: PriestId, unsent: usize) {
        let line = format!(
            "{} leaves the Chamber after writing his ledger, before his {unsent} messages go out",
            self.name(p)
        );
        self.say(now, line);
    }

    /// A priest returns and reads his ledger.
    pub fn come_back(&mut self, now: u64, p: PriestId, durable: &Durable) {
        let promise = durable.next_bal.map_or("none".to_string(), |b| self.ballot(b));
        let line = format!(
            "{} returns and reads his ledger: promise {promise}, {} decrees, {} votes outstanding",
            self.name(p),
            durable.decrees.len(),
            durable.prev_votes.len()
        );
        self.say(now, line);
    }

    /// A closing line.
    pub fn note(&mut self, now: u64, line: String) {
        self.say(now, line);
    }
}
