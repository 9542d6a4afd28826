//! A Parliament in a test tube: N real priests whose messengers the test plays by hand (raft-rs's
//! `harness::Network`, TigerBeetle's replica tests). Nothing moves unless the test says so: a
//! message is delivered, dropped, duplicated or held back; a priest ticks, is handed a petition,
//! leaves the Chamber, or leaves it between writing his ledger and sending what the rows allow.
//!
//! Every step goes through `carry_out` into an in-memory ledger, and three things are checked at
//! every step, so every scenario checks them too:
//! - every row, by [`Rules`]: agreement, B1, promises kept, B3, validity (§2.1, §3), and that
//!   every decree was voted by a majority set of the roll in force for its number (§3.3.6);
//! - every message that leaves, against its sender's ledger: a message is a pure function of rows
//!   already written (§2.3, "written in his ledger before he sends"), and a LastVote tells exactly
//!   his latest votes below its ballot (§2.3 step 2, the shared rule `last_vote_told`);
//! - every crash: the priest rebuilt from his ledger rows has exactly the durable state he had.

use std::collections::{BTreeSet, VecDeque};

use parliament::priest::{
    BallotNumber, Config, Decree, DecreeNo, Envelope, Input, Message, Messenger, Petition, Priest, PriestId,
    Record, Step, carry_out,
};
use parliament::rules::Rules;

/// How many deliveries `deliver_all` allows before calling it a message storm.
const DELIVERIES_MAX: usize = 1_000_000;

/// The test's messenger: messages wait in the queue until the test delivers them, or vanish
/// with the slip of paper when the sender leaves the Chamber before they set out.
struct Queue<'a> {
    queue: &'a mut VecDeque<Envelope>,
    sent: &'a mut Vec<Envelope>,
    lost: bool,
}

impl Messenger for Queue<'_> {
    fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
        if self.lost {
            envelopes.clear();
            return;
        }
        self.sent.extend(envelopes.iter().cloned());
        self.queue.extend(envelopes.drain(..));
    }
}

/// N priests, their ledgers, and the messages between them.
pub struct Parliament {
    /// The constants every priest of this Chamber shares.
    pub config: Config,
    /// Each priest, or `None` while he is out of the Chamber.
    priests: Vec<Option<Priest>>,
    /// Each priest's ledger rows, in the order written.
    pub ledgers: Vec<Vec<Record>>,
    /// Messages on their way, oldest first.
    pub queue: VecDeque<Envelope>,
    /// Every message that left a priest, in order.
    pub sent: Vec<Envelope>,
    /// Every step taken, with the priest who took it (crashed steps included).
    pub steps: Vec<(usize, Step)>,
    /// Links (from, to) whose messages wait in the queue until released.
    held: BTreeSet<(usize, usize)>,
    /// Priests who leave the Chamber right after their next step that writes a row.
    crash_armed: BTreeSet<usize>,
    /// The shared checkers, fed every row the moment it is written.
    pub rules: Rules,
}

impl Parliament {
    /// A Chamber of `n` priests with the default constants.
    pub fn new(n: usize) -> Self {
        Parliament::with_config(Config::new(n))
    }

    /// A Chamber of `n` priests where votes go to the president alone and every priest learns a
    /// decree from his Success (§2.3's basic protocol): the light-load path off
    /// (`Config::votes_to_all`).
    pub fn basic(n: usize) -> Self {
        Parliament::with_config(Config { votes_to_all: 0, ..Config::new(n) })
    }

    /// A Chamber with these constants.
    pub fn with_config(config: Config) -> Self {
        let n = config.priests;
        Parliament {
            priests: (0..n).map(|i| Some(Priest::new(id(i), config.clone()))).collect(),
            ledgers: vec![Vec::new(); n],
            queue: VecDeque::new(),
            sent: Vec::new(),
            steps: Vec::new(),
            held: BTreeSet::new(),
            crash_armed: BTreeSet::new(),
            rules: Rules::with_roll(config.weights.clone(), config.alpha).in_order(),
            config,
        }
    }

    /// The priest `p`; panics if he is out of the Chamber.
    pub fn priest(&self, p: usize) -> &Priest {
        self.priests[p].as_ref().unwrap_or_else(|| panic!("priest {p} is out of the Chamber"))
    }

    /// Whether priest `p` is in the Chamber.
    pub fn present(&self, p: usize) -> bool {
        self.priests[p].is_some()
    }

    /// Priest `p`'s statute book: every decree he knows, in number order.
    pub fn statute_book(&self, p: usize) -> Vec<(DecreeNo, Decree)> {
        let priest = self.priest(p);
        priest.durable().decrees.iter().map(|(&n, d)| (n, d.clone())).collect()
    }

    /// The decree numbers under which priest `p`'s book carries this petition.
    pub fn numbers_of(&self, p: usize, petition: &Petition) -> Vec<DecreeNo> {
        let book = self.statute_book(p);
        book.into_iter().filter(|(_, d)| d.petition() == Some(petition)).map(|(n, _)| n).collect()
    }

    /// The last step priest `p` took.
    pub fn last_step(&self, p: usize) -> &Step {
        &self.steps.iter().rev().find(|(q, _)| *q == p).expect("he has taken a step").1
    }

    /// Priest `p` handles one input; his rows are written and checked, then his messages leave
    /// (or are lost, if he was armed to crash and wrote a row).
    pub fn handle(&mut self, p: usize, input: Input) {
        let Some(priest) = self.priests[p].as_mut() else { return };
        let mut step = Step::default();
        priest.handle(input, &mut step);
        for record in &step.records {
            if let Err(v) = self.rules.observe(id(p), record) {
                panic!("{} broken by priest {p} at ledger row {}: {}", v.rule, v.row, v.detail);
            }
        }
        let crash = !step.records.is_empty() && self.crash_armed.remove(&p);
        let taken = step.clone();
        let mut queue = Queue { queue: &mut self.queue, sent: &mut self.sent, lost: crash };
        let Ok(()) = carry_out(&mut step, &mut self.ledgers[p], &mut queue);
        for envelope in &taken.messages {
            check_justified(&self.ledgers[p], priest.durable(), envelope);
        }
        self.steps.push((p, taken));
        if crash {
            self.crash(p);
            self.come_back(p);
        }
    }

    /// One tick for priest `p`.
    pub fn tick(&mut self, p: usize) {
        self.handle(p, Input::Tick);
    }

    /// One tick for every priest in the Chamber, in name order.
    pub fn tick_all(&mut self) {
        (0..self.priests.len()).for_each(|p| self.tick(p));
    }

    /// A citizen hands priest `p` a petition.
    pub fn petition(&mut self, p: usize, petition: &Petition) {
        self.rules.petition_made(petition);
        self.handle(p, Input::Petition(petition.clone()));
    }

    /// A message reaches priest `to` as if `from` had sent it (the test plays the other priest).
    pub fn inject(&mut self, from: usize, to: usize, message: Message) {
        self.handle(to, Input::Message { from: id(from), message });
    }

    /// Delivers the oldest message in the queue that `pick` accepts and is not held; returns it.
    pub fn deliver(&mut self, pick: impl Fn(&Envelope) -> bool) -> Option<Envelope> {
        let i = self.queue.iter().position(|e| pick(e) && !self.is_held(e))?;
        let envelope = self.queue.remove(i).expect("found");
        let Envelope { from, to, message } = envelope.clone();
        self.handle(to.index(), Input::Message { from, message });
        Some(envelope)
    }

    /// Delivers messages, oldest first, until none but held ones remain.
    pub fn deliver_all(&mut self) {
        for _ in 0..DELIVERIES_MAX {
            if self.deliver(|_| true).is_none() {
                return;
            }
        }
        panic!("{DELIVERIES_MAX} deliveries and the queue is not empty: a message storm");
    }

    /// The messenger loses every queued message `pick` accepts; returns how many.
    pub fn drop_where(&mut self, pick: impl Fn(&Envelope) -> bool) -> usize {
        let before = self.queue.len();
        self.queue.retain(|e| !pick(e));
        before - self.queue.len()
    }

    /// The messenger copies every queued message `pick` accepts; the copies go to the back.
    pub fn duplicate_where(&mut self, pick: impl Fn(&Envelope) -> bool) -> usize {
        let copies: Vec<Envelope> = self.queue.iter().filter(|e| pick(e)).cloned().collect();
        self.queue.extend(copies.iter().cloned());
        copies.len()
    }

    /// The messenger reverses the order of the queue: the newest message arrives first.
    pub fn reverse_queue(&mut self) {
        self.queue.make_contiguous().reverse();
    }

    /// Messages to and from priest `p` wait in the queue until released.
    pub fn hold(&mut self, p: usize) {
        for q in 0..self.priests.len() {
            self.held.extend([(p, q), (q, p)]);
        }
    }

    /// Messages between `a` and `b`, both ways, wait in the queue until released.
    pub fn cut(&mut self, a: usize, b: usize) {
        self.held.extend([(a, b), (b, a)]);
    }

    /// Every held message may travel again.
    pub fn release_all(&mut self) {
        self.held.clear();
    }

    fn is_held(&self, e: &Envelope) -> bool {
        self.held.contains(&(e.from.index(), e.to.index()))
    }

    /// Priest `p` leaves the Chamber: his slip of paper is lost, his ledger stays. Messages to him
    /// while he is away are lost too.
    pub fn crash(&mut self, p: usize) {
        let priest = self.priests[p].take().expect("he was in the Chamber");
        let rebuilt = Priest::restore(id(p), self.config.clone(), &self.ledgers[p]).expect("ledger sound");
        assert_eq!(rebuilt.durable(), priest.durable(), "priest {p}'s ledger says what he knew");
        self.drop_where(|e| e.to.index() == p);
    }

    /// Priest `p` comes back, rebuilt from his ledger rows alone.
    pub fn come_back(&mut self, p: usize) {
        assert!(self.priests[p].is_none(), "priest {p} never left");
        let priest = Priest::restore(id(p), self.config.clone(), &self.ledgers[p]);
        self.priests[p] = Some(priest.unwrap_or_else(|e| panic!("priest {p}'s ledger is damaged: {e}")));
    }

    /// Priest `p` will leave the Chamber right after his next step that writes a row: the rows
    /// are in his ledger, the messages they allow never leave, and he comes straight back.
    pub fn crash_after_record(&mut self, p: usize) {
        self.crash_armed.insert(p);
    }

    /// Ticks every priest and delivers everything not held, `ticks` times.
    pub fn run(&mut self, ticks: u64) {
        for _ in 0..ticks {
            self.tick_all();
            self.deliver_all();
        }
    }

    /// Runs tick by tick until `done` holds; panics past `ticks_max`. Returns the ticks taken.
    pub fn run_until(&mut self, done: impl Fn(&Parliament) -> bool, ticks_max: u64) -> u64 {
        for ticks in 0..=ticks_max {
            if done(self) {
                return ticks;
            }
            self.run(1);
        }
        panic!("not done after {ticks_max} ticks; queue holds {} messages", self.queue.len());
    }

    /// Runs until priest `p` leads with a ballot a majority set has promised; returns it.
    pub fn elect(&mut self, p: usize) -> BallotNumber {
        self.run_until(|parl| parl.present(p) && parl.priest(p).presidency().is_some(), 100);
        self.deliver_all();
        self.priest(p).presidency().expect("still president")
    }

    /// Hands priest `p` each petition, then runs until every present priest's book holds them.
    pub fn pass(&mut self, p: usize, petitions: &[Petition]) {
        for petition in petitions {
            self.petition(p, petition);
        }
        let all_in = |parl: &Parliament| {
            let mut present = parl.priests.iter().flatten().peekable();
            present.peek().is_some()
                && present.all(|q| petitions.iter().all(|x| q.durable().passed.contains_key(&x.id)))
        };
        self.run_until(all_in, 200 + petitions.len() as u64);
    }

    /// How many messages of this kind have left any priest so far.
    pub fn sent_of(&self, kind: &str) -> usize {
        self.sent.iter().filter(|e| e.message.kind() == kind).count()
    }
}

/// Priest number `i`.
pub fn id(i: usize) -> PriestId {
    PriestId(i as u16)
}

/// A petition whose id and text are both `text`.
pub fn petition(text: &str) -> Petition {
    Petition::new(text, text)
}

/// The decree that makes this petition law.
pub fn law(text: &str) -> Decree {
    Decree::Law(petition(text))
}

/// Whether `e` carries a message of this kind to priest `to`.
pub fn kind_to(e: &Envelope, kind: &str, to: usize) -> bool {
    e.message.kind() == kind && e.to.index() == to
}

/// Checks that a message leaving is justified by its sender's ledger (§2.3: every message is a
/// pure function of rows already written, so it may be re-sent or duplicated at any time).
fn check_justified(ledger: &[Record], durable: &parliament::priest::Durable, e: &Envelope) {
    let has = |row: &Record| ledger.iter().rev().any(|r| r == row);
    let fine = match &e.message {
        Message::NextBallot { ballot, .. } | Message::BeginBallot { ballot, .. } => {
            ballot.priest == e.from && has(&Record::Tried { ballot: *ballot })
        }
        Message::LastVote { ballot, votes, decrees, .. } => {
            durable.next_bal >= Some(*ballot)
                && votes.iter().all(|v| has(&Record::Voted(v.clone())))
                && decrees.iter().all(|(n, d)| durable.decrees.get(n) == Some(d))
        }
        Message::Voted { ballot, decree_no } => ledger
            .iter()
            .rev()
            .any(|r| matches!(r, Record::Voted(v) if v.ballot == *ballot && v.decree_no == *decree_no)),
        Message::Success { decree_no, decree } => durable.decrees.get(decree_no) == Some(decree),
        Message::Rejected { next_bal, .. } => durable.next_bal >= Some(*next_bal),
        Message::Heartbeat { known } => durable.known >= *known,
        Message::Petition(_) | Message::Inquiry { .. } => true,
    };
    assert!(fine, "{e:?} left ahead of the ledger row that allows it");
    if let Err(v) = parliament::rules::last_vote_told(e.from, ledger, &e.message, &[]) {
        panic!("{} broken by priest {} at ledger row {}: {}", v.rule, e.from.0, v.row, v.detail);
    }
}
