//! The simulated world: priests, the paper's unreliable messengers, citizens who petition, books
//! that keep petitions until they pass, and crashes, all driven by one seed over virtual time. Every step goes through
//! [`carry_out`], so a crash can fall between the ledger write and the sends it allows; every
//! ledger row is checked by [`Rules`] the moment it is written.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::SimConfig;
use super::books::{Books, through_rows};
use super::narrative::Narrator;
use super::relay::Relay;
use super::rng::Rng;
use super::telling::At;
use crate::priest::{Config, Envelope, Input, Message, Petition, Priest, PriestId, Record, Step, carry_out};
use crate::rules::{Rule, Rules, Violation, step_told};

/// A priest who leaves the Chamber comes back within this many ticks.
const AWAY_TICKS_MAX: u64 = 40;

/// What happened in a run, in numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Virtual ticks the run took.
    pub ticks: u64,
    /// Inputs priests handled (messages, petitions, ticks).
    pub steps: u64,
    /// Messages priests sent.
    pub sent: u64,
    /// Messages delivered (a duplicate counts twice).
    pub delivered: u64,
    /// Messages the messenger lost.
    pub lost: u64,
    /// Messages the messenger delivered twice.
    pub duplicated: u64,
    /// Messages that reached a priest who was out of the Chamber.
    pub missed: u64,
    /// Times a priest left the Chamber.
    pub crashes: u64,
    /// ... of which between writing his ledger and sending what it allowed.
    pub crashes_before_send: u64,
    /// Messages lost that way: written for in the ledger, never sent.
    pub unsent: u64,
    /// Petitions read again from his messagebook by a priest back in the Chamber, because his
    /// ledger did not show them passed.
    pub petitions_read_again: u64,
    /// `Decree` rows written but not yet synced, lost in crashes.
    pub unsynced_lost: u64,
    /// Ledger rows written by all priests.
    pub rows: u64,
    /// Decrees in the statute book at the end.
    pub decrees: u64,
    /// Decrees that repeat a petition already passed under a lower number (void repeats).
    pub repeats: u64,
    /// Ledger volumes closed into law books, crashes between a law page and its new volume, and
    /// law books copied by priests who lacked more than the back (§3.3.2).
    pub volumes: (u64, u64, u64),
    /// Membership decrees passed (§3.3.6), and the fewest and most legislators of the rolls
    /// they made (the roll as laid out included).
    pub membership: (u64, u64, u64),
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A ledger row broke a rule.
    Violation(Violation),
    /// A priest could not rebuild himself from his ledger.
    Damaged { priest: PriestId, detail: String },
    /// A message did not come back whole through its messagebook row.
    Framing { detail: String },
}

/// A finished run: what happened, what broke, and every ledger as it was left.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The run's settings.
    pub config: SimConfig,
    /// What happened, in numbers.
    pub stats: Stats,
    /// The first thing that broke, if anything did.
    pub failure: Option<Failure>,
    /// Every priest's ledger rows, in the order written.
    pub ledgers: Vec<Vec<Record>>,
    /// The tick at which each ledger row was written.
    pub ledger_ticks: Vec<Vec<u64>>,
    /// Each priest's messagebook: what reached him, when and from whom (`None`: a citizen's
    /// petition). Kept only when [`SimConfig::keep_books`] is set.
    pub books: Vec<Vec<BookEntry>>,
    /// Each priest's law book and closed volumes (§3.3.2); `ledgers` holds his live volume.
    pub volumes: Volumes,
}

/// One message that reached a priest: the tick, who sent it (`None` for a citizen), and what.
pub type BookEntry = (u64, Option<PriestId>, Message);

/// Something due to happen at a tick.
#[derive(Debug)]
pub(super) enum Happening {
    Deliver(Envelope),
    Return(PriestId),
    Petition(usize, PriestId),
}

/// A happening in the queue; ties within a tick are broken by a random number, which is how
/// the messenger reorders.
#[derive(Debug)]
pub(super) struct Event {
    pub at: u64,
    pub order: u64,
    pub what: Happening,
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Event {}
impl PartialOrd for Event {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Event {
    /// Reversed, so that the `BinaryHeap` yields the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// The whole simulated Parliament.
struct World<'n> {
    config: SimConfig,
    priest_config: Config,
    rng: Rng,
    now: u64,
    priests: Vec<Option<Priest>>,
    ledgers: Vec<Vec<Record>>,
    ledger_ticks: Vec<Vec<u64>>,
    books: Vec<Vec<BookEntry>>,
    kept: Books,
    roll: crate::books::Roll,
    queue: BinaryHeap<Event>,
    petitions: Vec<Petition>,
    issued: Vec<bool>,
    rules: Rules,
    stats: Stats,
    narrator: Option<&'n mut Narrator>,
    step: Step,
    ink: super::ink::Ink,
    volumes: volumes::Volumes,
    citizens: membership::Citizens,
}

/// Citizens who petition for membership decrees (§3.3.6).
mod membership;
/// Law books and ledger volumes in the simulator (§3.3.2).
mod volumes;
pub use volumes::{Closed, Volumes};

/// Runs one simulation to its end, telling it to `narrator` if given.
pub fn run(config: &SimConfig, narrator: Option<&mut Narrator>) -> Outcome {
    let mut world = World::new(config.clone(), narrator);
    let failure = world.run().err();
    world.stats.decrees = world.rules.last_decree_no();
    world.stats.repeats = world.rules.repeats();
    world.stats.volumes = world.volumes.counts;
    world.stats.membership = world.citizens.counts(world.rules.roll_law());
    Outcome {
        config: world.config,
        stats: world.stats,
        failure,
        ledgers: world.ledgers,
        ledger_ticks: world.ledger_ticks,
        books: world.books,
        volumes: world.volumes,
    }
}

impl<'n> World<'n> {
    fn new(config: SimConfig, narrator: Option<&'n mut Narrator>) -> Self {
        let mut priest_config = Config::weighted(config.weights());
        priest_config.planted = config.planted;
        priest_config.volume_decrees = config.volume_decrees;
        priest_config.alpha = config.alpha;
        let n = config.places();
        let names = config.names();
        let priests = (0..n).map(|i| Some(Priest::new(PriestId(i as u16), priest_config.clone())));
        let petitions = (0..config.decrees).map(super::narrative::petition).collect();
        World {
            rng: Rng::new(config.seed),
            now: 0,
            priests: priests.collect(),
            ledgers: vec![Vec::new(); n],
            ledger_ticks: vec![Vec::new(); n],
            books: vec![Vec::new(); n],
            kept: Books::new(n),
            roll: crate::books::Roll::new(names.clone()).expect("the paper's names"),
            queue: BinaryHeap::new(),
            petitions,
            issued: vec![false; config.decrees],
            rules: Rules::with_roll(config.weights(), config.alpha).in_order().with_names(names),
            stats: Stats::default(),
            narrator,
            step: Step::default(),
            ink: super::ink::Ink::new(n, config.seed),
            volumes: volumes::Volumes::new(n),
            citizens: membership::Citizens::new(&config),
            priest_config,
            config,
        }
    }

    fn run(&mut self) -> Result<(), Failure> {
        for k in 0..self.config.decrees {
            let at = 1 + self.rng.below((self.config.fault_ticks / 2).max(1));
            let to = self.any_priest();
            self.push(at, Happening::Petition(k, to));
        }
        let end = self.config.fault_ticks + self.config.liveness_ticks;
        for now in 1..=end {
            self.now = now;
            self.stats.ticks = now;
            while self.queue.peek().is_some_and(|e| e.at <= now) {
                let event = self.queue.pop().expect("peeked");
                self.happen(event.what)?;
            }
            self.petition_membership()?;
            for i in 0..self.config.places() {
                let p = PriestId(i as u16);
                if self.faulty() && self.priests[i].is_some() && self.rng.chance(self.config.crash) {
                    self.leave(p, false);
                }
                self.catch_up(p)?;
                self.input(p, Input::Tick)?;
            }
            if now >= self.config.fault_ticks && self.finished() {
                return Ok(());
            }
        }
        Err(self.liveness_failure())
    }

    /// Whether faults are still being injected.
    fn faulty(&self) -> bool {
        self.now < self.config.fault_ticks
    }

    fn any_priest(&mut self) -> PriestId {
        PriestId(self.rng.below(self.config.places() as u64) as u16)
    }

    fn push(&mut self, at: u64, what: Happening) {
        let order = self.rng.next_u64();
        self.queue.push(Event { at, order, what });
    }

    fn happen(&mut self, what: Happening) -> Result<(), Failure> {
        match what {
            Happening::Deliver(Envelope { from, to, message }) => {
                if self.priests[to.index()].is_none() {
                    self.stats.missed += 1;
                    if let Some(n) = self.narrator.as_deref_mut() {
                        n.missed(At::Tick(self.now), &Envelope { from, to, message });
                    }
                    return Ok(());
                }
                let message =
                    through_rows(&self.roll, from, &message).map_err(|detail| Failure::Framing { detail })?;
                if let Message::Petition(p) = &message {
                    if self.volumes.law(to, &p.id) {
                        return Ok(()); // already law in his law book: answered, not passed again
                    }
                    self.kept.written(to, p);
                }
                self.stats.delivered += 1;
                if self.config.keep_books {
                    self.books[to.index()].push((self.now, Some(from), message.clone()));
                }
                self.input(to, Input::Message { from, message })
            }
            Happening::Return(p) => self.come_back(p),
            Happening::Petition(k, to) => {
                self.issued[k] = true;
                let petition = self.petitions[k].clone();
                self.rules.petition_made(&petition);
                // Written into his messagebook, it waits there for him if he is away.
                self.kept.written(to, &petition);
                if self.config.keep_books {
                    self.books[to.index()].push((self.now, None, Message::Petition(petition.clone())));
                }
                if let Some(n) = self.narrator.as_deref_mut() {
                    n.petition(
                        At::Tick(self.now),
                        "citizen",
                        to,
                        &petition,
                        self.priests[to.index()].is_some(),
                    );
                }
                if self.volumes.law(to, &petition.id) {
                    return Ok(());
                }
                self.input(to, Input::Petition(petition))
            }
        }
    }

    /// One input to one priest, carried out with the checks, and perhaps a crash between the
    /// ledger write and the sends.
    fn input(&mut self, p: PriestId, input: Input) -> Result<(), Failure> {
        let faults = self.faulty();
        let Some(priest) = self.priests[p.index()].as_mut() else { return Ok(()) };
        self.step.clear();
        priest.handle(input, &mut self.step);
        self.stats.steps += 1;
        if self.step.is_empty() {
            return Ok(());
        }
        if let Some(v) = self.step.records.iter().find_map(|r| self.rules.observe(p, r).err()) {
            // Keep the rows that broke the rule, so the run written out shows them to the audit.
            let ledger = &mut self.ledgers[p.index()];
            ledger.extend(self.step.records.iter().cloned());
            self.ledger_ticks[p.index()].resize(ledger.len(), self.now);
            return Err(Failure::Violation(v));
        }
        if let Some((e, v)) = step_told(p, &self.ledgers[p.index()], &self.step, self.rules.names()) {
            // Keep the LastVote and its rows, so the run written out shows them to the audit too.
            self.ledgers[p.index()].extend(self.step.records.iter().cloned());
            self.ledger_ticks[p.index()].resize(self.ledgers[p.index()].len(), self.now);
            if self.config.keep_books {
                self.books[e.to.index()].push((self.now, Some(p), e.message.clone()));
            }
            return Err(Failure::Violation(v));
        }
        if let Some(n) = self.narrator.as_deref_mut() {
            n.step(At::Tick(self.now), p, priest.durable(), &self.step);
        }
        self.stats.rows += self.step.records.len() as u64;
        let gone = faults && !self.step.records.is_empty() && self.rng.chance(self.config.crash);
        let mut relay = Relay {
            rng: &mut self.rng,
            queue: &mut self.queue,
            stats: &mut self.stats,
            config: &self.config,
            now: self.now,
            faults,
            gone,
            narrator: self.narrator.as_deref_mut(),
        };
        let unsent = self.step.messages.len();
        let len = self.ledgers[p.index()].len() + self.step.records.len();
        self.ink.carried_out(p.index(), &self.step.records, len);
        let Ok(()) = carry_out(&mut self.step, &mut self.ledgers[p.index()], &mut relay);
        let ticks = &mut self.ledger_ticks[p.index()];
        ticks.resize(self.ledgers[p.index()].len(), self.now);
        if gone {
            self.stats.crashes_before_send += 1;
            if let Some(n) = self.narrator.as_deref_mut() {
                n.slip_lost(At::Tick(self.now), p, unsent);
            }
            self.leave(p, true);
            return Ok(());
        }
        self.close_volume(p)?;
        Ok(())
    }

    /// The priest leaves the Chamber: his slip of paper is lost, his ledger stays.
    fn leave(&mut self, p: PriestId, quietly: bool) {
        self.priests[p.index()] = None;
        let (ledger, ticks) = (&mut self.ledgers[p.index()], &mut self.ledger_ticks[p.index()]);
        if !self.config.keep_unsynced {
            let lost = self.ink.crash(p.index(), ledger, ticks);
            self.rules.lost_rows(p, lost);
            self.stats.unsynced_lost += lost as u64;
        }
        self.stats.crashes += 1;
        let at = self.now + 1 + self.rng.below(AWAY_TICKS_MAX);
        self.push(at, Happening::Return(p));
        if let Some(n) = self.narrator.as_deref_mut()
            && !quietly
        {
            n.leave(At::Tick(self.now), p, self.ledgers[p.index()].len());
        }
    }

    /// The priest returns and rebuilds himself from his ledger alone.
    fn come_back(&mut self, p: PriestId) -> Result<(), Failure> {
        let through = self.volumes.through(p);
        let priest = Priest::restore_with_law_book(
            p,
            self.priest_config.clone(),
            through,
            &self.volumes.roll_changes(p),
            &self.ledgers[p.index()],
        )
        .map_err(|e| Failure::Damaged { priest: p, detail: e.to_string() })?;
        if let Some(n) = self.narrator.as_deref_mut() {
            n.come_back(At::Tick(self.now), p, priest.durable());
        }
        let mut again = self.kept.read_again(p, priest.durable());
        again.retain(|petition| !self.volumes.law(p, &petition.id));
        self.priests[p.index()] = Some(priest);
        for petition in again {
            self.stats.petitions_read_again += 1;
            self.input(p, Input::Petition(petition))?;
        }
        Ok(())
    }

    /// Every petition has passed and every priest is present with every decree.
    fn finished(&self) -> bool {
        let last = self.rules.last_decree_no();
        self.rules.passed().len() == self.petitions.len()
            && self.citizens.done()
            && self.priests.iter().all(|p| p.as_ref().is_some_and(|p| p.durable().known == last))
    }

    fn liveness_failure(&self) -> Failure {
        let last = self.rules.last_decree_no();
        let waiting = self.petitions.len() - self.rules.passed().len();
        let behind: Vec<String> = (0..self.config.places())
            .map(|i| match &self.priests[i] {
                None => format!("priest {i} away"),
                Some(p) => format!("priest {i} knows {} of {last}", p.durable().known),
            })
            .collect();
        Failure::Violation(Violation {
            rule: Rule::Liveness,
            priest: PriestId(0),
            row: 0,
            detail: format!(
                "{} ticks after faults stopped, {waiting} petitions have not passed; {}",
                self.config.liveness_ticks,
                behind.join(", ")
            ),
        })
    }
}
