//! Citizens who petition for membership decrees (§3.3.6 of the paper): "Dijkstra is now a
//! legislator", "... of weight 2" (§2.2's fat priests), "Dijkstra is no longer a legislator". One
//! is petitioned at a time, once the one before it is in some ledger, and each is chosen from the
//! latest roll the decrees make, so every roll keeps a legislator: a priest of weight 0 is admitted,
//! a legislator dismissed only while another remains. The petitions flow beside the others, under
//! the same loss, duplication and crashes, and the rules judge every decree by the roll in force
//! for its number.

use super::{Failure, Happening, World};
use crate::priest::{PetitionId, PriestId, RollChange, RollLaw};
use crate::sim::{Membership, SimConfig};

/// A citizen waits up to this many ticks after a membership decree passes to petition the next.
const PAUSE_TICKS_MAX: u64 = 20;

/// The citizens' plan and how far it has gone.
#[derive(Debug)]
pub(super) struct Citizens {
    plan: Membership,
    /// For [`Membership::Grow`]: every change, in order.
    grow: Vec<RollChange>,
    /// Membership petitions made, and to be made.
    made: usize,
    planned: usize,
    /// The petition made and not yet in any ledger.
    pending: Option<PetitionId>,
    /// No petition before this tick.
    next_at: u64,
}

impl Citizens {
    /// The plan of a run.
    pub fn new(config: &SimConfig) -> Citizens {
        let weights = config.weights();
        let spares: Vec<PriestId> =
            (0..weights.len()).filter(|&i| weights[i] == 0).map(|i| PriestId(i as u16)).collect();
        let mut grow: Vec<RollChange> = Vec::new();
        if config.membership == Membership::Grow {
            grow.extend(spares.iter().map(|&priest| RollChange { priest, weight: 1 }));
            grow.extend(spares.iter().rev().map(|&priest| RollChange { priest, weight: 0 }));
        }
        let planned = match config.membership {
            Membership::Off => 0,
            Membership::Random(k) => k,
            Membership::Grow => grow.len(),
        };
        Citizens { plan: config.membership, grow, made: 0, planned, pending: None, next_at: 1 }
    }

    /// Every membership petition was made, and the last is in some ledger.
    pub fn done(&self) -> bool {
        self.made == self.planned && self.pending.is_none()
    }

    /// Membership decrees in the law, and the fewest and most legislators of its rolls.
    pub fn counts(&self, law: &RollLaw) -> (u64, u64, u64) {
        let mut roll = law.in_force(0).clone();
        let mut legislators = vec![roll.legislators().count() as u64];
        for &change in law.changes().values() {
            roll = roll.changed(change);
            legislators.push(roll.legislators().count() as u64);
        }
        let (min, max) = (legislators.iter().min(), legislators.iter().max());
        (law.changes().len() as u64, min.copied().unwrap_or(0), max.copied().unwrap_or(0))
    }
}

impl World<'_> {
    /// On each tick: once the last membership petition is in a ledger, after a pause, a citizen
    /// petitions the next at some priest.
    pub(super) fn petition_membership(&mut self) -> Result<(), Failure> {
        let c = &mut self.citizens;
        if let Some(id) = &c.pending {
            if !self.rules.passed().contains_key(id) {
                return Ok(());
            }
            c.pending = None;
            c.next_at = self.now + 1 + self.rng.below(PAUSE_TICKS_MAX);
        }
        if c.made == c.planned || self.now < c.next_at {
            return Ok(());
        }
        let change = match self.citizens.plan {
            Membership::Off => return Ok(()),
            Membership::Grow => self.citizens.grow[self.citizens.made],
            Membership::Random(_) => match self.random_change() {
                Some(change) => change,
                None => {
                    self.citizens.planned = self.citizens.made; // one place, one legislator
                    return Ok(());
                }
            },
        };
        let name = &self.config.names()[change.priest.index()];
        let petition = crate::sim::narrative::membership_petition(self.citizens.made, name, change);
        self.citizens.made += 1;
        self.citizens.pending = Some(petition.id.clone());
        let k = self.petitions.len();
        self.petitions.push(petition);
        self.issued.push(false);
        let to = self.any_priest();
        self.happen(Happening::Petition(k, to))
    }

    /// A change to the latest roll that keeps a legislator: admit a priest of weight 0 with
    /// weight 1 or 2, or dismiss a legislator while another remains.
    fn random_change(&mut self) -> Option<RollChange> {
        let latest = self.rules.roll_law().latest().clone();
        let places = (0..self.config.places()).map(|i| PriestId(i as u16));
        let (sitting, spare): (Vec<PriestId>, Vec<PriestId>) = places.partition(|&p| latest.is_legislator(p));
        let admit = match (spare.is_empty(), sitting.len() >= 2) {
            (true, false) => return None,
            (true, true) => false,
            (false, false) => true,
            (false, true) => self.rng.chance(0.5),
        };
        if admit {
            let priest = spare[self.rng.below(spare.len() as u64) as usize];
            Some(RollChange { priest, weight: 1 + self.rng.below(2) as u32 })
        } else {
            let priest = sitting[self.rng.below(sitting.len() as u64) as usize];
            Some(RollChange { priest, weight: 0 })
        }
    }
}
