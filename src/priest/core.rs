//! The priest: his ledger state, his slip of paper, and how one input becomes one [`Step`].
//!
//! This file holds the bookkeeping every role shares; the protocol itself is in `voting.rs` (what
//! any priest does with NextBallot, BeginBallot, Success and inquiries, §2.3 steps 2, 4 and 6),
//! `president.rs` (steps 1, 3 and 5 and the multi-decree phase of §3.1) and `presence.rs`
//! (heartbeats, choosing the president and passing petitions on, §2.4).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::ballot::{BallotNumber, PriestId, Quorum};
use super::config::{Config, PlantedBug};
use super::decree::{Decree, DecreeNo, Petition, PetitionId};
use super::ledger::{Durable, LedgerDamage, Record};
use super::message::{Envelope, Message};
use super::roll::{MAX_PLACES, RollLaw, Weights};
use super::step::{Input, Step};

/// One priest of the Parliament: a pure state machine (no files, clock, randomness or threads).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Priest {
    pub(super) id: PriestId,
    pub(super) config: Config,
    /// What his ledger says.
    pub(super) durable: Durable,
    /// The roll in force for each decree number, from the Chamber's layout and the membership
    /// decrees in `durable` (§3.3.6); rebuilt from them, never written on its own.
    pub(super) roll_law: RollLaw,
    /// What he keeps on his slip of paper, lost when he leaves the Chamber.
    pub(super) slip: Slip,
    /// The step being built; swapped with the caller's on every input.
    out: Step,
    /// BeginBallots of this input that tell none of the step's rows, put at the front of its
    /// messages when the input is answered ([`Step::ahead`]). Empty between inputs.
    ahead: Vec<Envelope>,
}

/// The law of the roll from the Chamber's layout and the membership decrees his ledger holds.
pub(super) fn roll_law(config: &Config, durable: &Durable) -> RollLaw {
    let mut law = config.roll_law();
    for (&n, &c) in &durable.roll_changes {
        law.note(n, c);
    }
    law
}

/// Everything a priest knows that is not in his ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Slip {
    /// Ticks since he (re-)entered the Chamber.
    pub now: u64,
    /// When he last heard from each priest, and how far that priest said his statute book ran.
    pub heard: Vec<Heard>,
    /// The highest ballot he has seen anyone use, so a new ballot of his can go above it.
    pub highest_seen: Option<BallotNumber>,
    /// His presidency, while he holds one.
    pub presidency: Option<Presidency>,
    /// Petitions he holds that have not passed yet, in the order they reached him.
    pub petitions: BTreeMap<u64, Petition>,
    /// Where each held petition sits in `petitions`.
    pub petition_seqs: BTreeMap<PetitionId, u64>,
    /// The next place in `petitions`.
    pub petition_seq_next: u64,
    /// When he last announced himself.
    pub heartbeat_at: Option<u64>,
    /// How far his statute book ran when he last announced himself: compared with the others'
    /// announcements, which are as old, and never with his book as it runs now.
    pub announced: DecreeNo,
    /// When he last handed his petitions on to the president.
    pub forwarded_at: u64,
    /// To whom, and how long he waits before handing them on again (`presence.rs`).
    pub forwarded_to: Option<(PriestId, u64)>,
    /// When he last asked another priest for decrees he lacks.
    pub inquired_at: Option<u64>,
    /// Messages to himself, handled within the same step.
    pub inbox: VecDeque<Message>,
    /// For each number he does not know, who he has heard voted in its latest ballot he heard
    /// of, when not his own ballot (`voting.rs`, the light-load path).
    pub tallies: BTreeMap<DecreeNo, Tally>,
}

/// The Voted a priest has heard for one decree number, in one ballot not his own: once they are a
/// majority set and he voted in that ballot too, he knows its decree (§3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Tally {
    /// The ballot.
    pub ballot: BallotNumber,
    /// Who has said he voted in it.
    pub voters: Quorum,
    /// Whether he has sent his own Voted in it to every priest.
    pub told: bool,
}

/// What a priest knows of another from the messages he got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(super) struct Heard {
    /// The tick of the latest message from him.
    pub at: Option<u64>,
    /// How far his statute book ran without a gap, as he last said.
    pub known: DecreeNo,
}

/// A president's slip (§3.1): his ballot, who has promised, and the ballots he has begun.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Presidency {
    /// The ballot he leads with: his lastTried.
    pub ballot: BallotNumber,
    /// He knew every decree up to this number when he sent NextBallot(ballot, decree_no).
    pub decree_no: DecreeNo,
    /// When he last sent NextBallot.
    pub asked_at: u64,
    /// Who has sent LastVote for this ballot.
    pub promised: Quorum,
    /// The highest vote reported to him in any LastVote for this ballot, for each decree number
    /// he has not yet begun a ballot for (B3, kept after he takes office: a number whose roll in
    /// force differs may need later promises, §3.3.6).
    pub reports: BTreeMap<DecreeNo, super::message::Vote>,
    /// Whether a majority set of the roll in force for decree `decree_no + 1` has promised: he
    /// has taken office (`office.rs`).
    pub prepared: bool,
    /// Numbers up to this one are filled with a reported decree or olive day, never with a new
    /// petition (§3.1): the highest number reported or known when he took office, or reported
    /// since.
    pub fill_through: DecreeNo,
    /// Ballots begun and not yet passed, by decree number.
    pub in_flight: BTreeMap<DecreeNo, Proposal>,
    /// Petitions in those ballots.
    pub proposed: BTreeSet<PetitionId>,
    /// The lowest decree number he has not yet begun a ballot for.
    pub next_decree_no: DecreeNo,
    /// He has looked at his petitions up to this place.
    pub petition_cursor: u64,
    /// The most ballots he has had in flight since his last tick, and in the tick before: under
    /// load he begins ballots in bursts, and the first of a burst finds few in flight, so the
    /// light-load path asks for few in flight over a whole tick (`Config::votes_to_all`).
    pub busiest: (usize, usize),
}

/// One ballot a president has begun.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Proposal {
    /// The decree proposed.
    pub decree: Decree,
    /// Who has voted for it.
    pub voters: Quorum,
    /// When BeginBallot was last sent.
    pub begun_at: u64,
    /// Whether the votes in it go to every priest (the light-load path, `Config::votes_to_all`).
    pub to_all: bool,
    /// The majority set he asked to vote (§2.3 step 3's Q), himself among them.
    pub asked: Quorum,
}

impl Priest {
    /// A priest entering the Chamber for the first time, with an empty ledger.
    pub fn new(id: PriestId, config: Config) -> Self {
        Priest::from_durable(id, config, Durable::default())
    }

    /// A priest coming back from a crash: rebuilt from his ledger rows alone.
    pub fn restore<'a>(
        id: PriestId,
        config: Config,
        rows: impl IntoIterator<Item = &'a Record>,
    ) -> Result<Self, LedgerDamage> {
        let forgotten = |r: &&Record| match r {
            Record::Promised { .. } => config.has(PlantedBug::ForgetPromise),
            Record::Voted(_) => config.has(PlantedBug::ForgetVote),
            Record::Tried { .. } => config.has(PlantedBug::ReuseBallot),
            Record::Decree { .. } => false,
        };
        let durable = Durable::restore(id, rows.into_iter().filter(|r| !forgotten(r)))?;
        Ok(Priest::from_durable(id, config, durable))
    }

    fn from_durable(id: PriestId, config: Config, durable: Durable) -> Self {
        assert!(id.index() < MAX_PLACES, "priest {id:?} is past the Chamber's {MAX_PLACES} places");
        assert_eq!(config.weights.len(), config.priests, "a weight for every place laid out");
        let slip = Slip { heard: vec![Heard::default(); MAX_PLACES], ..Slip::default() };
        let roll_law = roll_law(&config, &durable);
        Priest { id, config, durable, roll_law, slip, out: Step::default(), ahead: Vec::new() }
    }

    /// Answers one input. The rows and messages are appended to `step` (which the caller has
    /// emptied); the caller must carry them out with [`super::carry_out`]: rows synced, then
    /// messages relayed.
    pub fn handle(&mut self, input: Input, step: &mut Step) {
        std::mem::swap(&mut self.out, step);
        match input {
            Input::Tick => self.on_tick(),
            Input::Petition(p) => self.on_petition(p, true),
            Input::Message { from, message } => self.on_message(from, message),
        }
        loop {
            while let Some(message) = self.slip.inbox.pop_front() {
                self.on_message(self.id, message);
            }
            // Whatever he learned may dismiss him (`presence.rs`), or let a president begin more
            // ballots (`office.rs`).
            self.hand_on_if_dismissed();
            if !self.advance() {
                break;
            }
        }
        if !self.ahead.is_empty() {
            // After those an earlier input of the same step put ahead: in the order begun.
            let at = self.out.ahead;
            self.out.ahead += self.ahead.len();
            self.out.messages.splice(at..at, self.ahead.drain(..));
        }
        std::mem::swap(&mut self.out, step);
    }

    fn on_message(&mut self, from: PriestId, message: Message) {
        if from.index() >= MAX_PLACES {
            return;
        }
        self.slip.heard[from.index()].at = Some(self.slip.now);
        match message {
            Message::NextBallot { ballot, decree_no } => self.on_next_ballot(from, ballot, decree_no),
            Message::LastVote { ballot, decree_no, known, votes, decrees } => {
                self.on_last_vote(from, ballot, decree_no, known, votes, decrees)
            }
            Message::BeginBallot { ballot, decree_no, decree } => {
                self.on_begin_ballot(from, ballot, decree_no, decree)
            }
            Message::Voted { ballot, decree_no } => self.on_voted(from, ballot, decree_no),
            Message::Success { decree_no, decree } => {
                // A priest sending Success(n) knows decree n: news of how far his book runs,
                // fresher than his last heartbeat. A president passing decrees faster than he
                // announces them is never judged behind by the priests he tells (§3.3.1's rule
                // is for priests back from long away).
                let heard = &mut self.slip.heard[from.index()];
                heard.known = heard.known.max(decree_no);
                self.learn(decree_no, decree)
            }
            Message::Rejected { ballot, next_bal } => self.on_rejected(ballot, next_bal),
            Message::Petition(p) => self.on_petition(p, false),
            Message::Heartbeat { known } => self.on_heartbeat(from, known),
            Message::Inquiry { decree_no } => self.on_inquiry(from, decree_no),
        }
    }

    /// Writes a row: applied to the durable state now, synced before this step's messages leave.
    /// Returns false (and writes nothing) if the row would change nothing.
    pub(super) fn record(&mut self, record: Record) -> bool {
        let changed = self.durable.apply(&record);
        if changed
            && let Record::Decree { decree, .. } = &record
            && decree.roll_change().is_some()
        {
            self.roll_law = roll_law(&self.config, &self.durable);
        }
        if changed {
            self.out.records.push(record);
        }
        changed
    }

    /// Sends a message; one to himself is handled before the step ends.
    pub(super) fn send(&mut self, to: PriestId, message: Message) {
        if to == self.id {
            self.slip.inbox.push_back(message);
        } else {
            self.out.messages.push(Envelope { from: self.id, to, message });
        }
    }

    /// Sends BeginBallot to the other priests of `to` ahead of the step's sync ([`Step::ahead`])
    /// if `ahead` and the ballot's `Tried` row was synced by an earlier step, else with the step's
    /// other messages.
    pub(super) fn send_begin_ballot(&mut self, message: Message, ahead: bool, to: Quorum) {
        let Message::BeginBallot { ballot, .. } = message else { return };
        let fresh = !ahead || self.out.records.contains(&Record::Tried { ballot });
        for q in self.priests().filter(|&q| q != self.id && to.contains(q)) {
            let envelope = Envelope { from: self.id, to: q, message: message.clone() };
            if fresh { self.out.messages.push(envelope) } else { self.ahead.push(envelope) }
        }
    }

    /// Sends a message to every priest; to himself too if `himself`.
    pub(super) fn send_all(&mut self, message: Message, himself: bool) {
        for q in self.priests() {
            if q != self.id || himself {
                self.send(q, message.clone());
            }
        }
    }

    /// Every priest of the Chamber, in place order: those laid out and any a membership decree he
    /// knows has seated since, legislators or not (all learn the decrees).
    pub(super) fn priests(&self) -> impl DoubleEndedIterator<Item = PriestId> + use<> {
        self.roll_law.priests()
    }

    /// The roll in force for decree `decree_no` as far as he knows (§3.3.6): exact once he knows
    /// every decree through `decree_no − α`.
    pub fn roll_for(&self, decree_no: DecreeNo) -> &Weights {
        self.roll_law.in_force(decree_no)
    }

    /// The roll he counts majority sets of decree `decree_no` by: the roll in force, or, with the
    /// planted bug `EarlyRoll`, the latest roll, α decrees too early.
    pub(super) fn counting_roll(&self, decree_no: DecreeNo) -> &Weights {
        if self.config.has(PlantedBug::EarlyRoll) {
            self.roll_law.latest()
        } else {
            self.roll_law.in_force(decree_no)
        }
    }

    /// Whether he knows decree `decree_no`: in his statute book, or in his law book.
    pub(super) fn knows(&self, decree_no: DecreeNo) -> bool {
        decree_no <= self.durable.law_through || self.durable.decrees.contains_key(&decree_no)
    }

    /// The law of the roll as his ledger tells it.
    pub fn roll_law(&self) -> &RollLaw {
        &self.roll_law
    }

    /// Notes a ballot number seen in any message, so his next ballot can go above it.
    pub(super) fn saw(&mut self, ballot: BallotNumber) {
        self.slip.highest_seen = self.slip.highest_seen.max(Some(ballot));
    }

    /// Learns that decree `decree_no` passed (§2.3 step 6): written in the ledger, and the
    /// petition it carries is no longer waiting.
    pub(super) fn learn(&mut self, decree_no: DecreeNo, decree: Decree) {
        if let Some(p) = decree.petition()
            && let Some(seq) = self.slip.petition_seqs.remove(&p.id)
        {
            self.slip.petitions.remove(&seq);
        }
        let learned = decree.clone();
        self.slip.tallies.remove(&decree_no);
        let new = self.record(Record::Decree { decree_no, decree });
        if new
            && let Some(p) = self.slip.presidency.as_mut()
            && let Some(overtaken) = p.in_flight.remove(&decree_no)
            && overtaken.decree != learned
            && let Some(petition) = overtaken.decree.petition()
        {
            // Another ballot passed something else at this number: his petition is no longer in
            // any ballot of his, and must be proposed again (found in review).
            p.proposed.remove(&petition.id);
            p.petition_cursor = 0;
        }
    }

    /// Takes a petition into his keeping, unless it already passed or he already holds it.
    /// Returns whether it was new to him.
    pub(super) fn keep_petition(&mut self, petition: &Petition) -> bool {
        if self.durable.passed.contains_key(&petition.id)
            || self.slip.petition_seqs.contains_key(&petition.id)
        {
            return false;
        }
        let seq = self.slip.petition_seq_next;
        self.slip.petition_seq_next += 1;
        self.slip.petition_seqs.insert(petition.id.clone(), seq);
        self.slip.petitions.insert(seq, petition.clone());
        true
    }

    /// This priest's place in the Chamber.
    pub fn id(&self) -> PriestId {
        self.id
    }

    /// What his ledger says, as rebuilt in memory.
    pub fn durable(&self) -> &Durable {
        &self.durable
    }

    /// The ballot he leads with, if he is acting as president.
    pub fn presidency(&self) -> Option<BallotNumber> {
        self.slip.presidency.as_ref().map(|p| p.ballot)
    }

    /// How many petitions he holds that have not passed.
    pub fn petitions_waiting(&self) -> usize {
        self.slip.petitions.len()
    }
}
