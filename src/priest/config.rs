//! The Chamber's constants as a priest sees them, and the planted bugs tests switch on.
//!
//! Time is counted in ticks that the world outside feeds in (the priest reads no clock); every
//! timeout below is a number of ticks.

/// α when none is given: at least any window of ballots in flight, so that in a Chamber whose
/// roll never changes the gap rule of §3.3.6 never holds a president back.
pub const DEFAULT_ALPHA: u64 = 256;

/// How a priest is set up. Every priest of a Chamber must share one `Config`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// How many places the Chamber was laid out with (at most 64): `weights.len()`. Membership
    /// decrees may seat priests at further places (§3.3.6).
    pub priests: usize,
    /// The roll the Chamber was laid out with: each place's weight, 0 for a priest laid out who is
    /// not (yet) a legislator. Majority sets are counted by weight (§2.2).
    pub weights: Vec<u32>,
    /// α of §3.3.6: a membership decree passed at m is in force from decree m + α on, and a
    /// president may not begin a ballot for decree n before he knows every decree through n − α.
    pub alpha: u64,
    /// A priest announces himself this often (§2.4: "at least every T − 11 minutes").
    pub heartbeat_ticks: u64,
    /// A priest not heard from for this long is away; a priest who has heard from no later name
    /// for this long considers himself president (§2.4's T minutes).
    pub president_timeout_ticks: u64,
    /// A president re-sends an unanswered NextBallot or BeginBallot, and a priest re-sends a
    /// petition to the president, this often.
    pub retry_ticks: u64,
    /// At most this many petitions are in ballots not yet passed at once (§3.2's pipelining).
    pub window: usize,
    /// The light-load path: a ballot a president begins while he has had fewer than this many
    /// ballots in flight since the tick before his last, and holds at most this many petitions
    /// not yet passed, has every priest learn its decree from the Voted of a
    /// majority set, without waiting for Success. The president sends his own Voted to every
    /// priest with the BeginBallot; a priest who has voted in that ballot and hears the
    /// president's Voted sends his own to every priest too; any priest who has voted in the
    /// ballot and holds Voted from a majority set of it knows its decree (§3.2: a priest may learn
    /// a decree once he knows a majority set voted for it). Success then goes only to the priests
    /// outside the majority set the president counted. It costs N² Voted for N priests, so under
    /// load, with many ballots in flight, votes go to the president alone. 0: never.
    pub votes_to_all: usize,
    /// Whether a president sends BeginBallot to every priest rather than to a majority set Q of
    /// them (§2.3 step 3; `president.rs`). The model checker sets it: over a network that loses
    /// messages, asking everyone covers every choice of Q.
    pub asks_every_priest: bool,
    /// At most this many decrees answer one inquiry from a priest who is catching up.
    pub catch_up_batch: usize,
    /// A priest whose statute book runs this many decrees behind another's does not lead until he
    /// has caught up (§3.3.1: Ωκι's six months of copying).
    pub behind_max: u64,
    /// Decrees kept in the back of his ledger (§3.3.2): once his statute book runs twice this far
    /// past his law book, he closes a volume (`lawbook.rs`). 0: never.
    pub volume_decrees: u64,
    /// A deliberate bug, for showing that the checkers catch it. `None` in every real Chamber.
    pub planted: Option<PlantedBug>,
}

impl Config {
    /// The defaults for a Chamber of `priests` priests.
    pub fn new(priests: usize) -> Self {
        assert!((1..=64).contains(&priests), "a Chamber holds 1 to 64 priests");
        Config {
            priests,
            weights: vec![1; priests],
            alpha: DEFAULT_ALPHA,
            heartbeat_ticks: 2,
            president_timeout_ticks: 8,
            retry_ticks: 6,
            window: 32,
            votes_to_all: 4,
            asks_every_priest: false,
            catch_up_batch: 256,
            behind_max: 8,
            volume_decrees: 0,
            planted: None,
        }
    }

    /// The defaults for a Chamber laid out with these weights (0: laid out, not a legislator).
    pub fn weighted(weights: Vec<u32>) -> Self {
        let mut c = Config::new(weights.len());
        c.weights = weights;
        c
    }

    /// The law of the roll as laid out, before any membership decree.
    pub fn roll_law(&self) -> super::RollLaw {
        super::RollLaw::new(super::Weights(self.weights.clone()), self.alpha)
    }

    /// Whether this bug is switched on.
    pub fn has(&self, bug: PlantedBug) -> bool {
        self.planted == Some(bug)
    }
}

/// A bug a test may plant in every priest, to show that the checkers catch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlantedBug {
    /// On restart he ignores his `Promised` rows: he forgets nextBal.
    ForgetPromise,
    /// On restart he ignores his `Voted` rows: he forgets prevVote.
    ForgetVote,
    /// On restart he ignores his `Tried` rows and picks his next ballot from lastTried alone, so
    /// he tries a number he already used (breaks B1).
    ReuseBallot,
    /// A new president ignores the votes reported to him and fills every number freely (breaks B3).
    IgnoreHighestVote,
    /// He votes in a ballot below the one he promised.
    VoteBelowPromise,
    /// A president counts a LastVote answering one of his older ballots as a promise for the
    /// current one.
    CountOldLastVote,
    /// Asked again for a ballot he already promised, he reports his current votes, those cast in
    /// that very ballot included, instead of his latest votes below it (issue 17).
    ReportCurrentVote,
    /// He counts majority sets by the latest roll he knows instead of the roll in force for the
    /// decree number: a membership decree takes effect α decrees too early (§3.3.6).
    EarlyRoll,
}

impl PlantedBug {
    /// Every planted bug, for tests and `--help`.
    pub const ALL: [PlantedBug; 8] = [
        PlantedBug::ForgetPromise,
        PlantedBug::ForgetVote,
        PlantedBug::ReuseBallot,
        PlantedBug::IgnoreHighestVote,
        PlantedBug::VoteBelowPromise,
        PlantedBug::CountOldLastVote,
        PlantedBug::ReportCurrentVote,
        PlantedBug::EarlyRoll,
    ];

    /// The bug's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PlantedBug::ForgetPromise => "forget-promise",
            PlantedBug::ForgetVote => "forget-vote",
            PlantedBug::ReuseBallot => "reuse-ballot",
            PlantedBug::IgnoreHighestVote => "ignore-highest-vote",
            PlantedBug::VoteBelowPromise => "vote-below-promise",
            PlantedBug::CountOldLastVote => "count-old-last-vote",
            PlantedBug::ReportCurrentVote => "report-current-vote",
            PlantedBug::EarlyRoll => "early-roll",
        }
    }

    /// The bug with this command-line name.
    pub fn from_name(name: &str) -> Option<PlantedBug> {
        PlantedBug::ALL.into_iter().find(|b| b.name() == name)
    }
}
