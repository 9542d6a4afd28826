//! Who is present, who is president, and where petitions go (§2.4 and §3.3.1 of the paper).
//!
//! Every priest announces himself each `heartbeat_ticks`. A priest considers the president to be
//! the last name, in alphabetical order, among the priests heard from in the last
//! `president_timeout_ticks`, himself included once he has listened that long. One change to the
//! paper's rule, its own lesson from Ωκι (§3.3.1): a priest whose statute book runs more than
//! `behind_max` decrees behind another present priest's is passed over until he catches up, and
//! catches up by inquiry. Only legislators preside (§3.3.6), by the roll the decrees he knows
//! without a gap make, and a president hands on as soon as he learns his dismissal. Two
//! priests may both believe they are president for a while; that only slows the Parliament,
//! because B1-B3 hold whoever begins ballots.

use super::ballot::PriestId;
use super::core::Priest;
use super::decree::{DecreeNo, Petition};
use super::message::Message;

/// A priest waits at most this many times `retry_ticks` before handing his petitions on to the
/// same president again.
pub const FORWARD_BACKOFF_MAX: u64 = 32;

impl Priest {
    /// One tick: announce himself, reconsider the presidency, re-send what went unanswered.
    pub(super) fn on_tick(&mut self) {
        self.slip.now += 1;
        let now = self.slip.now;
        if self.slip.heartbeat_at.is_none_or(|t| now - t >= self.config.heartbeat_ticks) {
            self.slip.heartbeat_at = Some(now);
            let known = self.durable.known;
            self.slip.announced = known;
            self.send_all(Message::Heartbeat { known }, false);
        }
        let president = self.president();
        let leading = self.slip.presidency.is_some();
        if president == Some(self.id) && !leading {
            self.begin_presidency();
        } else if president != Some(self.id) && leading {
            self.slip.presidency = None;
        } else if leading {
            self.preside_tick();
        }
        self.hand_on_petitions(president);
    }

    /// Hands the petitions he holds on to the president, `retry_ticks` after he last did, then
    /// twice as long each time the same president has not passed them, up to
    /// [`FORWARD_BACKOFF_MAX`] times as long: a president short of a majority set cannot pass
    /// them, and every copy is a row in his messagebook (a newcomer's Chamber grew one by five
    /// rows a second while it waited). Another president is handed them `retry_ticks` after the
    /// last time, as before.
    fn hand_on_petitions(&mut self, president: Option<PriestId>) {
        if self.slip.petitions.is_empty() {
            self.slip.forwarded_to = None;
            return;
        }
        let Some(q) = president.filter(|&q| q != self.id) else { return };
        let (now, retry) = (self.slip.now, self.config.retry_ticks);
        let (same, wait) = match self.slip.forwarded_to {
            Some((to, wait)) if to == q => (true, wait),
            _ => (false, retry),
        };
        if now.saturating_sub(self.slip.forwarded_at) < wait {
            return;
        }
        self.slip.forwarded_at = now;
        let next =
            if same { wait.saturating_mul(2).min(retry.saturating_mul(FORWARD_BACKOFF_MAX)) } else { retry };
        self.slip.forwarded_to = Some((q, next));
        let held: Vec<Petition> = self.slip.petitions.values().cloned().collect();
        for p in held {
            self.send(q, Message::Petition(p));
        }
    }

    /// Whom this priest believes to be president now, if anyone.
    pub fn president(&self) -> Option<PriestId> {
        let now = self.slip.now;
        let timeout = self.config.president_timeout_ticks;
        let present = |q: PriestId| {
            if q == self.id {
                now >= timeout
            } else {
                self.slip.heard[q.index()].at.is_some_and(|t| now - t <= timeout)
            }
        };
        // Everyone's statute book as announced in heartbeats, his own too: a president passes
        // decrees faster than he announces them, so his book must not be judged by an older
        // announcement against another priest's book as it runs now.
        let known = |q: PriestId| {
            if q == self.id { self.slip.announced } else { self.slip.heard[q.index()].known }
        };
        let furthest = self.priests().filter(|&q| present(q) || q == self.id).map(known).max();
        let furthest = furthest.unwrap_or(0);
        // Only legislators preside (§3.3.6): a priest of weight 0 learns the decrees but never
        // leads, and a dismissed president hands on. The roll is the latest that the decrees he
        // knows without a gap make: a membership decree he holds aside above a gap is not yet
        // his to act on, for if it dismissed him and he stopped presiding, the others, who do
        // not know it, would wait on him and no one would fill the gap (found by the simulator).
        let roll = self.presiding_roll();
        self.priests()
            .rev()
            .find(|&q| roll.is_legislator(q) && present(q) && known(q) + self.config.behind_max >= furthest)
    }

    /// The roll that says who may preside: the latest that the decrees he knows without a gap
    /// make (§3.3.6).
    fn presiding_roll(&self) -> &super::roll::Weights {
        self.roll_law.in_force(self.durable.known.saturating_add(self.roll_law.alpha()))
    }

    /// A president who learns his own dismissal hands on at once, beginning no further ballot
    /// (§3.3.6); the next legislator by name takes the chair.
    pub(super) fn hand_on_if_dismissed(&mut self) {
        if self.slip.presidency.is_some() && !self.presiding_roll().is_legislator(self.id) {
            self.slip.presidency = None;
        }
    }

    /// A heartbeat: note how far his book runs, and ask him for what we lack.
    pub(super) fn on_heartbeat(&mut self, from: PriestId, known: DecreeNo) {
        self.slip.heard[from.index()].known = known;
        let now = self.slip.now;
        if known > self.durable.known && self.slip.inquired_at != Some(now) {
            self.slip.inquired_at = Some(now);
            let decree_no = self.durable.known + 1;
            self.send(from, Message::Inquiry { decree_no });
        }
    }

    /// A petition, from a citizen (`from_citizen`) or handed on by a priest. The president puts it
    /// to a ballot; any other priest keeps it and hands it on to the president, now if it came
    /// from a citizen and otherwise with his next batch, so that two priests who disagree about
    /// the president do not bounce it back and forth.
    pub(super) fn on_petition(&mut self, petition: Petition, from_citizen: bool) {
        if !self.keep_petition(&petition) {
            return;
        }
        if self.slip.presidency.as_ref().is_some_and(|p| p.prepared) {
            // He puts it to a ballot at the end of this step (`office.rs`).
        } else if from_citizen && let Some(q) = self.president().filter(|&q| q != self.id) {
            if !matches!(self.slip.forwarded_to, Some((to, _)) if to == q) {
                (self.slip.forwarded_at, self.slip.forwarded_to) =
                    (self.slip.now, Some((q, self.config.retry_ticks)));
            }
            self.send(q, Message::Petition(petition));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::priest::{Config, Decree, Input, Petition, Priest, PriestId, Record, RollChange, Step};

    fn dismissal(p: u16) -> Decree {
        let change = RollChange { priest: PriestId(p), weight: 0 };
        Decree::Law(Petition::membership("d", "Toueg is no longer a legislator", change))
    }

    fn tick_until_president(priest: &mut Priest) -> Option<PriestId> {
        let mut step = Step::default();
        for _ in 0..20 {
            priest.handle(Input::Tick, &mut step);
        }
        priest.president()
    }

    /// A newcomer killed priests until too few were left for a majority set: the president wrote
    /// NextBallot to each absent priest five times a second, for as long as they were away. He
    /// asks again only those not known to be away; the absent one, once heard from, is asked too.
    #[test]
    fn a_president_short_of_promises_asks_again_only_the_priests_present() {
        let (me, there, away) = (PriestId(2), PriestId(0), PriestId(1));
        let mut priest = Priest::new(me, Config::new(3));
        let heartbeat =
            |from| Input::Message { from, message: crate::priest::Message::Heartbeat { known: 0 } };
        let mut step = Step::default();
        priest.handle(heartbeat(away), &mut step);
        let asked = |priest: &mut Priest, ticks: u64, beats: &[PriestId]| {
            let mut asked = [0usize; 3];
            for t in 0..ticks {
                let mut step = Step::default();
                if t % 2 == 0 {
                    for &q in beats {
                        priest.handle(heartbeat(q), &mut step);
                    }
                }
                priest.handle(Input::Tick, &mut step);
                for e in &step.messages {
                    if matches!(e.message, crate::priest::Message::NextBallot { .. }) {
                        asked[e.to.index()] += 1;
                    }
                }
            }
            asked
        };
        asked(&mut priest, 20, &[there]);
        assert_eq!(priest.president(), Some(me));
        let later = asked(&mut priest, 60, &[there]);
        assert_eq!(later[away.index()], 0, "not asked while away: {later:?}");
        assert!(later[there.index()] >= 5, "the priest present is asked again: {later:?}");
        let back = asked(&mut priest, 20, &[there, away]);
        assert!(back[away.index()] >= 1, "asked again once heard from: {back:?}");
    }

    /// A newcomer's trial: with no majority set present, a priest holding a petition handed it to
    /// the president again every `retry_ticks`, five rows a second in a Chamber, for as long as
    /// it waited. He waits twice as long each time, up to `FORWARD_BACKOFF_MAX` times.
    #[test]
    fn a_petition_the_president_cannot_pass_is_handed_on_ever_more_rarely() {
        let (me, president) = (PriestId(0), PriestId(2));
        let mut priest = Priest::new(me, Config::new(3));
        let heartbeat =
            Input::Message { from: president, message: crate::priest::Message::Heartbeat { known: 0 } };
        let mut step = Step::default();
        priest.handle(heartbeat.clone(), &mut step);
        assert_eq!(priest.president(), Some(president));
        priest.handle(Input::Petition(Petition::new("p", "Lamps")), &mut step);
        let handed = |step: &Step| {
            step.messages.iter().filter(|e| matches!(e.message, crate::priest::Message::Petition(_))).count()
        };
        assert_eq!(handed(&step), 1, "handed on at once");
        let retry = priest.config.retry_ticks;
        let (mut times, ticks) = (Vec::new(), retry * super::FORWARD_BACKOFF_MAX * 3);
        for t in 1..=ticks {
            let mut step = Step::default();
            priest.handle(heartbeat.clone(), &mut step);
            priest.handle(Input::Tick, &mut step);
            if handed(&step) > 0 {
                times.push(t);
            }
        }
        let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.windows(2).all(|g| g[1] >= g[0]), "never sooner than the time before: {gaps:?}");
        assert_eq!(gaps.last(), Some(&(retry * super::FORWARD_BACKOFF_MAX)), "{gaps:?}");
        assert!(times.len() < 12, "{} times in {ticks} ticks (every retry: {})", times.len(), ticks / retry);
    }

    /// Found by the simulator (§3.3.6): Toueg held his own dismissal, decree 2, aside above a gap
    /// at decree 1 and stopped presiding, while the others, who did not know it, waited on him;
    /// no one filled decree 1. A membership decree above a gap is not yet his to act on.
    #[test]
    fn a_dismissal_held_aside_above_a_gap_does_not_stop_its_priest_presiding() {
        let toueg = PriestId(2);
        let rows = [Record::Decree { decree_no: 2, decree: dismissal(2) }];
        let mut priest = Priest::restore(toueg, Config::new(3), &rows).unwrap();
        assert!(!priest.roll_law().latest().is_legislator(toueg), "he holds his dismissal");
        assert_eq!(tick_until_president(&mut priest), Some(toueg), "and still fills the gap below it");
        let mut step = Step::default();
        let success = crate::priest::Message::Success { decree_no: 1, decree: Decree::OliveDay };
        priest.handle(Input::Message { from: PriestId(1), message: success }, &mut step);
        assert_eq!(priest.presidency(), None, "once the gap is filled he knows it, and hands on at once");
        assert_eq!(priest.president(), Some(PriestId(1)), "Fischer, just heard from, takes the chair");
    }
}
