//! Exhaustive model checking of the real priest with stateright: every state a small Parliament
//! can reach, not a sample of them (the simulator samples). The priests are the code of
//! [`crate::priest`], not a copy: each step runs [`crate::priest::Priest::handle`], is carried out
//! by [`crate::priest::carry_out`] (ledger rows first, then messages), and a priest who leaves the
//! Chamber is rebuilt by [`crate::priest::Priest::restore`] from his ledger rows alone. Every state's
//! ledgers are judged by the same [`crate::rules::Rules`] the simulator and the audit use.
//!
//! # Why a `Model` and not stateright's actors
//!
//! stateright 0.31's `ActorModel` does save an actor's storage and restore it on recovery, but its
//! `max_crashes` bounds how many actors are down *at once*, not how many crashes happen in a run,
//! so a priest could crash and return forever; its timers carry no count, and the model needs
//! budgets for ticks, petitions and duplicates that it cannot express. So the Parliament is
//! modelled directly with stateright's [`stateright::Model`]: the state is the priests, their
//! ledgers (the durable storage, written before any message of the same step leaves) and the
//! network as a multiset; the actions are deliver, duplicate, crash, tick and petition.
//!
//! # Abstractions that keep the model finite, and why they lose nothing that matters
//!
//! - **Loss is never delivering.** Every property looks only at ledgers, and a message that is
//!   still in flight when a run ends has had exactly the effect of one the messenger lost; an
//!   explicit drop action would only multiply states. A crash between a ledger write and the
//!   sends it allows (§2.3) is the same as those sends being lost.
//! - **A crash is a leave and an immediate return** from the ledger, with a fresh slip of paper.
//!   Time away only loses messages, which is covered above. At most `crashes` crashes in a run.
//! - **Ticks are budgeted**: each priest gets at most `ticks` ticks per stay in the Chamber, so the
//!   slip's clock (`now`, `heard[].at`) stays small. With `president_timeout_ticks` = 1 any priest
//!   who has heard from no later name considers himself president after one tick, which is the
//!   most contested Parliament (several presidents at once, §2.4).
//! - **Heartbeats are left out of the network** (unless `heartbeats` is set): they carry no
//!   ballot or vote, only "I am here", and with them every tick would add a message to every
//!   priest. Priests still hear from each other through every other message, which is how a
//!   lower name yields to a higher one. Inquiries, sent only in answer to a heartbeat, go too;
//!   decrees still spread by Success and LastVote.
//! - **Retries are switched off** (`retry_ticks` large): a re-sent NextBallot or BeginBallot is a
//!   copy of one already sent, which the duplicate action covers.
//! - **Ballots are capped** at round `rounds_max`: states past it are outside the boundary.
//! - **Duplicates are budgeted**: at most `duplicates` duplicate deliveries in a run.
//! - **Two priests lead.** Only the `presidents` latest names ever tick, so only they try
//!   ballots; the first name only promises and votes. Two presidents at once are all that any of
//!   the planted bugs needs to do harm, and a third multiplies the interleavings.
//! - **Petitions are handed in before the session opens**, each to one of the leading priests
//!   (every way of doing so is an initial state), unless `petitions_anytime`: then to any priest
//!   at any moment, which lets the model follow petitions handed on to the president.
//! - **One ballot in flight per president** (`window` = 1, §3.2's pipelining switched down):
//!   the second petition waits for the first to pass; B3's olive-day fills still go out at once.
//!
//! What this costs: the models that finish within a test run are small (one petition for the
//! crash series; see `tests/model.rs` for the counts), and the two-petition model without
//! crashes (about 7.5 million states) runs only when asked for.

/// The Parliament as a stateright model: state, actions, properties.
mod parliament;
/// Counterexamples told in the paper's words.
mod trace;

use std::time::Instant;

use stateright::{Checker, Expectation, HasDiscoveries, Model};

pub use parliament::{Action, DAMAGED, Network, Parliament, State, property_name};
pub use trace::render;

use crate::priest::PlantedBug;

/// What to check: the Chamber, the faults allowed, and the budgets that keep the model finite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Priests in the Chamber.
    pub priests: usize,
    /// Petitions citizens make, each once.
    pub petitions: usize,
    /// Crashes allowed in a run.
    pub crashes: u8,
    /// Duplicate deliveries allowed in a run.
    pub duplicates: u8,
    /// Ticks each priest gets per stay in the Chamber.
    pub ticks: u8,
    /// Only this many priests, the latest names, ever tick (and so ever lead); the rest only vote.
    pub presidents: usize,
    /// The highest ballot round explored; states past it are outside the boundary.
    pub rounds_max: u64,
    /// The priests' `Config::heartbeat_ticks`.
    pub heartbeat_ticks: u64,
    /// The priests' `Config::president_timeout_ticks`.
    pub president_timeout_ticks: u64,
    /// The priests' `Config::window`: ballots a president keeps in flight at once (§3.2).
    pub window: usize,
    /// The priests' `Config::retry_ticks`.
    pub retry_ticks: u64,
    /// The priests' `Config::votes_to_all`: 0 checks the basic protocol (Voted to the president,
    /// Success to all), as the pinned state counts of the larger models do; the light-load path,
    /// where every priest learns from a majority set's Voted, has models of its own.
    pub votes_to_all: usize,
    /// The priests' `Config::asks_every_priest`: a president's BeginBallot to every priest, which
    /// over this lossy network covers every majority set Q he could ask instead (the Chamber asks
    /// one Q, which a model of its own checks).
    pub asks_every_priest: bool,
    /// Whether heartbeats (and the inquiries they prompt) travel.
    pub heartbeats: bool,
    /// Whether citizens may petition any priest at any moment; otherwise each petition is handed
    /// to one of the leading priests before the session opens.
    pub petitions_anytime: bool,
    /// One membership change (§3.3.6): a further place is laid out with weight 0, first in name
    /// order (Dwork, beside Fischer, Lynch and Toueg), and the first petition is "Dwork is now a
    /// legislator" of this weight. He only votes; he never ticks.
    pub admit: Option<u32>,
    /// The priests' `Config::alpha`: a membership decree at m is in force from m + α on.
    pub alpha: u64,
    /// A bug planted in every priest, for the checker to catch.
    pub planted: Option<PlantedBug>,
    /// Checker threads. With a planted bug the search stops at the first counterexample, and only
    /// one thread makes that stop (and so the state count) the same on every run.
    pub threads: usize,
    /// Stop after about this many states (0: explore everything); a partial check finds no proof.
    pub states_max: usize,
}

impl Default for Options {
    /// Three priests (two of whom lead), two petitions, a network that loses and reorders, ballots
    /// up to round 3, no crash, no duplicate.
    fn default() -> Self {
        Options {
            priests: 3,
            petitions: 2,
            crashes: 0,
            duplicates: 0,
            ticks: 1,
            presidents: 2,
            rounds_max: 3,
            heartbeat_ticks: u64::MAX,
            president_timeout_ticks: 1,
            retry_ticks: u64::MAX,
            votes_to_all: 0,
            asks_every_priest: true,
            window: 1,
            heartbeats: false,
            petitions_anytime: false,
            admit: None,
            alpha: crate::priest::DEFAULT_ALPHA,
            planted: None,
            threads: 1,
            states_max: 0,
        }
    }
}

impl Options {
    /// Places laid out: the priests, and the one a membership decree may seat.
    pub fn places(&self) -> usize {
        self.priests + usize::from(self.admit.is_some())
    }
}

/// What a check found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// States generated, counting revisits.
    pub states: usize,
    /// Distinct states explored.
    pub unique_states: usize,
    /// The longest path explored, in steps.
    pub depth: usize,
    /// Wall-clock time of the check.
    pub seconds: f64,
    /// Whether some run passes a decree (the checker is known to reach success at all).
    pub decree_can_pass: bool,
    /// Whether some run passes every petition.
    pub every_petition_can_pass: bool,
    /// The property a counterexample breaks, if one was found.
    pub broken: Option<&'static str>,
    /// The counterexample's length in steps.
    pub counterexample_steps: Option<usize>,
    /// The counterexample, told in the paper's words.
    pub counterexample: Option<String>,
}

/// Explores every state of the Parliament `options` describes (breadth first, so a
/// counterexample is among the shortest) and reports what it found.
pub fn check(options: &Options) -> Report {
    let model = Parliament::new(options.clone());
    let mut builder = model.clone().checker().threads(options.threads.max(1));
    if options.states_max > 0 {
        builder = builder.target_state_count(options.states_max);
    }
    let started = Instant::now();
    if options.planted.is_some() {
        // Breadth first, stopping at the first counterexample, which is then among the shortest.
        report(&model, builder.finish_when(HasDiscoveries::AnyFailures).spawn_bfs().join(), started)
    } else {
        // Depth first holds far fewer states in memory, and visits the same states by the end.
        report(&model, builder.spawn_dfs().join(), started)
    }
}

/// Reads a finished checker's counts and discoveries, telling the first counterexample found.
fn report(model: &Parliament, checker: impl Checker<Parliament>, started: Instant) -> Report {
    let seconds = started.elapsed().as_secs_f64();
    let safety: Vec<&'static str> =
        model.properties().iter().filter(|p| p.expectation == Expectation::Always).map(|p| p.name).collect();
    let broken = safety.into_iter().find(|name| checker.discovery(name).is_some());
    let path = broken.and_then(|name| checker.discovery(name)).map(|p| p.into_vec());
    Report {
        states: checker.state_count(),
        unique_states: checker.unique_state_count(),
        depth: checker.max_depth(),
        seconds,
        decree_can_pass: checker.discovery("a decree can pass").is_some(),
        every_petition_can_pass: checker.discovery("every petition can pass").is_some(),
        broken,
        counterexample_steps: path.as_ref().map(|p| p.len() - 1),
        counterexample: path.map(|p| {
            let initial = p[0].0.clone();
            let actions: Vec<Action> = p.into_iter().filter_map(|(_, a)| a).collect();
            render(model, &initial, &actions)
        }),
    }
}

/// A one-line summary of a report: states, time, and what broke.
pub fn summary(report: &Report) -> String {
    let outcome = match (report.broken, report.counterexample_steps) {
        (Some(rule), Some(steps)) => format!("{rule} broken in {steps} steps"),
        _ => "no rule broken".to_string(),
    };
    format!(
        "{} states ({} unique, depth {}) in {:.1}s: {outcome}",
        report.states, report.unique_states, report.depth, report.seconds
    )
}
