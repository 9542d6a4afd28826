//! A president in office begins his ballots number by number (§3.1, §3.2 and §3.3.6 of the
//! paper).
//!
//! For the lowest number k he has neither begun nor knows, he may begin a ballot only when
//! - **the gap rule** holds: he knows every decree through k − α, so he knows the roll in force for
//!   k ("a president may not try decree n + 3 before he knows every decree through n", §3.3.6);
//! - the priests who promised his ballot are **a majority set of the roll in force for k** (§2.2:
//!   any two majority sets of one roll share a priest, which is all B2 asks).
//!
//! Its decree is, in this order: the decree of the highest vote reported for k in any LastVote for
//! his ballot (B3); olive day, if k lies below a decree reported or known when he took office
//! (§3.1: no new petition is ordered before a decree that may already have passed); a waiting
//! petition, while fewer than `window` ballots are in flight (§3.2); or, when nothing waits and a
//! membership decree passed at m with m < k < m + α, olive day, so that the change is in force at
//! once (the paper's decrees 3253 and 3254 after "3252: Στρωνγ is now a legislator"). Numbers are
//! begun in order, so every number below his next one is begun or known. He stops at the first
//! number he may not yet begin; learning a decree or a promise lets him go on at the end of the
//! step that brought it ([`Priest::handle`]).

use super::config::PlantedBug;
use super::core::Priest;
use super::decree::{Decree, DecreeNo};

impl Priest {
    /// Begins every ballot he may now begin; returns whether he began any.
    pub(super) fn advance(&mut self) -> bool {
        let mut began = false;
        loop {
            let Some(p) = self.slip.presidency.as_ref().filter(|p| p.prepared) else { return began };
            let mut k = p.next_decree_no;
            while self.knows(k) {
                k += 1;
            }
            if k > self.durable.known.saturating_add(self.roll_law.alpha()) {
                return began; // the gap rule: he cannot yet know the roll in force for k
            }
            if !self.counting_roll(k).is_majority(p.promised) {
                return began; // more promises needed: NextBallot is re-sent on his ticks
            }
            let Some(decree) = self.choose(k) else { return began };
            self.begin_ballot(k, decree);
            began = true;
        }
    }

    /// The decree for number `k`, or `None` if nothing need be proposed there yet.
    fn choose(&mut self, k: DecreeNo) -> Option<Decree> {
        let p = self.slip.presidency.as_mut()?;
        if let Some(vote) = p.reports.get(&k) {
            if self.config.has(PlantedBug::IgnoreHighestVote) {
                return Some(Decree::OliveDay);
            }
            return Some(vote.decree.clone());
        }
        if k <= p.fill_through {
            return Some(Decree::OliveDay);
        }
        let waiting = self
            .slip
            .petitions
            .range(p.petition_cursor..)
            .find(|(_, pet)| !p.proposed.contains(&pet.id) && !self.durable.passed.contains_key(&pet.id));
        match waiting {
            Some(_) if p.in_flight.len() >= self.config.window => None,
            Some((&seq, petition)) => {
                p.petition_cursor = seq + 1;
                Some(Decree::Law(petition.clone()))
            }
            None => {
                p.petition_cursor = self.slip.petition_seq_next;
                let alpha = self.roll_law.alpha();
                let changed = self.roll_law.changes().range((k + 1).saturating_sub(alpha)..k).next();
                changed.map(|_| Decree::OliveDay)
            }
        }
    }
}
