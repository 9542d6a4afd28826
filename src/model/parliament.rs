//! The Parliament as a stateright [`Model`]: the real priests of [`crate::priest`], their ledgers,
//! and the paper's messenger, who may deliver any message in flight, in any order, more than once
//! or never (§2.1, §2.3). Every priest's answer is computed by [`Priest::handle`] and carried out
//! by [`carry_out`] into his ledger and the network, exactly as in the Chamber; a priest who leaves
//! the Chamber comes back through [`Priest::restore`] from his ledger rows alone. After every step
//! the rules of [`crate::rules`] are re-run over every ledger.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use stateright::{Model, Property};

use super::Options;
use crate::priest::{
    Config, Decree, Envelope, Input, Message, Messenger, Petition, Priest, PriestId, Record, Step, carry_out,
};
use crate::rules::{Rule, Rules, step_told};

/// Texts of decrees the paper reports passing, for the model's citizens to petition for.
const TEXTS: [&str; 4] = [
    "Lamps must use only olive oil",
    "The olive tax is 3 drachmas per ton",
    "Painting on temple walls is forbidden",
    "Cheese inspectors are appointed by lot",
];

/// The messages in flight: a multiset of envelopes, kept in one canonical order (by a hash that
/// is fixed for a build) so that equal networks hash equally and actions come out in the same
/// order on every run, which keeps both the state count and the counterexample reproducible.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Network(Vec<(u64, Envelope, u8)>);

impl Network {
    fn key(envelope: &Envelope) -> u64 {
        let mut hasher = DefaultHasher::new();
        envelope.hash(&mut hasher);
        hasher.finish()
    }

    /// Where `envelope` sits (`Ok`) or would be inserted (`Err`).
    fn find(&self, envelope: &Envelope) -> Result<usize, usize> {
        let key = Network::key(envelope);
        let mut at = self.0.partition_point(|(k, _, _)| *k < key);
        while let Some((k, e, _)) = self.0.get(at).filter(|(k, _, _)| *k == key) {
            if e == envelope {
                return Ok(at);
            }
            debug_assert_eq!(*k, key);
            at += 1;
        }
        Err(at)
    }

    /// A messenger sets out with this envelope.
    fn send(&mut self, envelope: Envelope) {
        match self.find(&envelope) {
            Ok(at) => self.0[at].2 = self.0[at].2.saturating_add(1),
            Err(at) => self.0.insert(at, (Network::key(&envelope), envelope, 1)),
        }
    }

    /// One copy of the envelope arrives and leaves the network.
    fn take(&mut self, envelope: &Envelope) {
        if let Ok(at) = self.find(envelope) {
            self.0[at].2 -= 1;
            if self.0[at].2 == 0 {
                self.0.remove(at);
            }
        }
    }

    /// Every distinct envelope in flight.
    pub fn envelopes(&self) -> impl Iterator<Item = &Envelope> {
        self.0.iter().map(|(_, e, _)| e)
    }

    /// How many messages are in flight, copies counted.
    pub fn len(&self) -> usize {
        self.0.iter().map(|(_, _, n)| usize::from(*n)).sum()
    }

    /// Whether no message is in flight.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One state of the Parliament: every priest (ledger state and slip of paper), every ledger's
/// rows, the messages in flight, and what is left of the model's budgets.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// The priests, by id; all are in the Chamber (a crash is a leave and an immediate return).
    /// Shared between states until one of them acts, which saves most of the copying.
    pub priests: Vec<Arc<Priest>>,
    /// Each priest's ledger rows, in the order written.
    pub ledgers: Vec<Arc<Vec<Record>>>,
    /// The messages in flight.
    pub network: Network,
    /// Ticks each priest has had since he last entered the Chamber.
    pub ticks: Vec<u8>,
    /// To whom citizens handed each petition, once they have.
    pub petitioned: Vec<Option<PriestId>>,
    /// Crashes so far.
    pub crashes: u8,
    /// Duplicate deliveries so far.
    pub duplicates: u8,
    /// The first rule broken, with the rules' account of it; the state is then final.
    pub broken: Option<(&'static str, String)>,
    /// The rules, fed every row above as it was written.
    pub rules: Judge,
}

/// The rules as fed so far, shared between states until a step writes rows. They are a function
/// of the ledgers and petitions above, so they take no part in comparing or hashing states.
#[derive(Clone, Debug)]
pub struct Judge(Arc<Rules>);

impl PartialEq for Judge {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Judge {}
impl Hash for Judge {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// One thing that can happen next.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A citizen hands petition number `petition` to a priest.
    Petition { petition: usize, to: PriestId },
    /// One tick of a priest's clock.
    Tick(PriestId),
    /// A messenger delivers one copy of this envelope, which leaves the network.
    Deliver(Envelope),
    /// A messenger delivers a copy of this envelope, which stays in flight (a duplicate).
    Duplicate(Envelope),
    /// The priest leaves the Chamber, losing his slip of paper, and returns with his ledger.
    Crash(PriestId),
}

/// The property name under which the rules report `rule`.
pub fn property_name(rule: Rule) -> &'static str {
    rule.name()
}

/// The property broken when a priest cannot rebuild himself from his ledger.
pub const DAMAGED: &str = "ledgers can be read";

/// The model: the options it was built from and the priests' shared [`Config`].
#[derive(Clone, Debug)]
pub struct Parliament {
    /// The budgets and switches the model was built with.
    pub options: Options,
    /// What every priest is configured with.
    pub config: Config,
    /// The petitions citizens may make.
    pub petitions: Vec<Petition>,
}

/// The messenger: puts envelopes in flight, leaving heartbeats out unless the model keeps them.
struct StateMessenger<'a> {
    network: &'a mut Network,
    heartbeats: bool,
}

impl Messenger for StateMessenger<'_> {
    fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
        for envelope in envelopes.drain(..) {
            let heartbeat = matches!(envelope.message, Message::Heartbeat { .. });
            if self.heartbeats || !heartbeat {
                self.network.send(envelope);
            }
        }
    }
}

impl Parliament {
    /// The model for these options.
    pub fn new(options: Options) -> Self {
        let spare = options.admit.map(|_| 0);
        let mut config = Config::weighted(spare.into_iter().chain(vec![1; options.priests]).collect());
        config.alpha = options.alpha;
        config.heartbeat_ticks = options.heartbeat_ticks;
        config.president_timeout_ticks = options.president_timeout_ticks;
        config.retry_ticks = options.retry_ticks;
        config.window = options.window;
        config.votes_to_all = options.votes_to_all;
        config.asks_every_priest = options.asks_every_priest;
        config.planted = options.planted;
        let mut petitions: Vec<Petition> = (0..options.petitions)
            .map(|k| Petition::new(&format!("citizen-{}", k + 1), TEXTS[k % TEXTS.len()]))
            .collect();
        if let (Some(weight), Some(first)) = (options.admit, petitions.first_mut()) {
            let dwork = &crate::names::chamber_names(options.places())[0];
            let text = match weight {
                1 => format!("{dwork} is now a legislator"),
                w => format!("{dwork} is now a legislator of weight {w}"),
            };
            let change = crate::priest::RollChange { priest: PriestId(0), weight };
            *first = Petition::membership("citizen-1", &text, change);
        }
        Parliament { options, config, petitions }
    }

    /// The Chamber before anything happens: new priests, empty ledgers, no messages.
    pub fn initial(&self) -> State {
        let n = self.options.places();
        State {
            priests: (0..n).map(|i| Arc::new(Priest::new(PriestId(i as u16), self.config.clone()))).collect(),
            ledgers: (0..n).map(|_| Arc::new(Vec::new())).collect(),
            network: Network::default(),
            ticks: vec![0; n],
            petitioned: vec![None; self.petitions.len()],
            crashes: 0,
            duplicates: 0,
            broken: None,
            rules: Judge(Arc::new(
                Rules::with_roll(self.config.weights.clone(), self.config.alpha).in_order(),
            )),
        }
    }

    /// Carries out `action` on `state`; returns the priest who acted and, if `keep`, his step
    /// (rows written, messages sent) for the trace. A crash returns an empty step.
    pub fn apply(&self, state: &mut State, action: &Action, keep: bool) -> (PriestId, Step) {
        let (p, input) = match action {
            Action::Petition { petition, to } => {
                state.petitioned[*petition] = Some(*to);
                Arc::make_mut(&mut state.rules.0).petition_made(&self.petitions[*petition]);
                (*to, Input::Petition(self.petitions[*petition].clone()))
            }
            Action::Tick(p) => {
                state.ticks[p.index()] += 1;
                (*p, Input::Tick)
            }
            Action::Deliver(e) | Action::Duplicate(e) => {
                if matches!(action, Action::Deliver(_)) {
                    state.network.take(e);
                } else {
                    state.duplicates += 1;
                }
                (e.to, Input::Message { from: e.from, message: e.message.clone() })
            }
            Action::Crash(p) => {
                state.crashes += 1;
                state.ticks[p.index()] = 0;
                match Priest::restore(*p, self.config.clone(), state.ledgers[p.index()].iter()) {
                    Ok(priest) => state.priests[p.index()] = Arc::new(priest),
                    Err(damage) => state.broken = Some((DAMAGED, format!("priest {}: {damage}", p.0))),
                }
                return (*p, Step::default());
            }
        };
        let mut step = Step::default();
        Arc::make_mut(&mut state.priests[p.index()]).handle(input, &mut step);
        let taken = if keep { step.clone() } else { Step::default() };
        if !step.records.is_empty() {
            let rules = Arc::make_mut(&mut state.rules.0);
            for record in &step.records {
                if let Err(v) = rules.observe(p, record) {
                    let detail = format!("priest {} row {}: {}", v.priest.0, v.row, v.detail);
                    state.broken = Some((property_name(v.rule), detail));
                    break;
                }
            }
        }
        if state.broken.is_none()
            && let Some((_, v)) = step_told(p, &state.ledgers[p.index()], &step, &[])
        {
            let detail = format!("priest {} row {}: {}", v.priest.0, v.row, v.detail);
            state.broken = Some((property_name(v.rule), detail));
        }
        let mut messenger =
            StateMessenger { network: &mut state.network, heartbeats: self.options.heartbeats };
        let Ok(()) = carry_out(&mut step, Arc::make_mut(&mut state.ledgers[p.index()]), &mut messenger);
        (p, taken)
    }
}

fn kept(state: &State, name: &str) -> bool {
    state.broken.as_ref().is_none_or(|(broken, _)| *broken != name)
}

fn laws(state: &State) -> impl Iterator<Item = &Decree> {
    let decrees = state.ledgers.iter().flat_map(|l| l.iter()).filter_map(|r| match r {
        Record::Decree { decree, .. } => Some(decree),
        _ => None,
    });
    decrees.filter(|d| d.petition().is_some())
}

impl Model for Parliament {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        if self.options.petitions_anytime {
            return vec![self.initial()];
        }
        // Every way of handing the petitions to the priests who lead, before the session opens.
        let leaders = self.options.presidents.clamp(1, self.options.priests);
        let first = self.options.places() - leaders;
        let mut states = vec![self.initial()];
        for petition in 0..self.petitions.len() {
            let mut handed = Vec::new();
            for state in &states {
                for to in (first..self.options.places()).map(|i| PriestId(i as u16)) {
                    let mut next = state.clone();
                    self.apply(&mut next, &Action::Petition { petition, to }, false);
                    handed.push(next);
                }
            }
            states = handed;
        }
        states
    }

    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        if state.broken.is_some() {
            return;
        }
        let priests = (0..self.options.places() as u16).map(PriestId);
        let waiting = (0..self.petitions.len()).filter(|&k| state.petitioned[k].is_none());
        for petition in waiting.filter(|_| self.options.petitions_anytime) {
            actions.extend(priests.clone().map(|to| Action::Petition { petition, to }));
        }
        let first_president = self.options.places().saturating_sub(self.options.presidents);
        let ticking = priests.clone().skip(first_president);
        for p in ticking.filter(|p| state.ticks[p.index()] < self.options.ticks) {
            actions.push(Action::Tick(p));
        }
        for e in state.network.envelopes() {
            actions.push(Action::Deliver(e.clone()));
            if state.duplicates < self.options.duplicates {
                actions.push(Action::Duplicate(e.clone()));
            }
        }
        if state.crashes < self.options.crashes {
            actions.extend(priests.map(Action::Crash));
        }
    }

    fn next_state(&self, state: &State, action: Action) -> Option<State> {
        let mut next = state.clone();
        self.apply(&mut next, &action, false);
        Some(next)
    }

    fn within_boundary(&self, state: &State) -> bool {
        let round = |p: &Arc<Priest>| p.durable().last_tried.map_or(0, |b| b.round);
        state.priests.iter().all(|p| round(p) <= self.options.rounds_max)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", |_, s| kept(s, "agreement")),
            Property::always("validity", |_, s| kept(s, "validity")),
            Property::always("promises kept", |_, s| kept(s, "promises kept")),
            Property::always("B1", |_, s| kept(s, "B1")),
            Property::always("B3", |_, s| kept(s, "B3")),
            Property::always("last vote", |_, s| kept(s, "last vote")),
            Property::always("roll in force", |_, s| kept(s, "roll in force")),
            Property::always("B2", |_, s| kept(s, "B2")),
            Property::always(DAMAGED, |_, s| kept(s, DAMAGED)),
            Property::sometimes("a decree can pass", |_, s| laws(s).next().is_some()),
            Property::sometimes("every petition can pass", |m, s| {
                let passed: std::collections::BTreeSet<_> = laws(s).collect();
                passed.len() == m.petitions.len()
            }),
        ]
    }
}
