//! The paper's messengers in the simulator (§1.1): they lose, duplicate and delay (so reorder)
//! messages while faults last, all drawn from the run's one seed.

use std::collections::BinaryHeap;

use super::SimConfig;
use super::narrative::Narrator;
use super::rng::Rng;
use super::telling::At;
use super::world::{Event, Happening, Stats};
use crate::priest::{Envelope, Messenger};

/// The paper's messenger: loses, duplicates and delays (so reorders) while faults last.
pub(super) struct Relay<'a> {
    pub rng: &'a mut Rng,
    pub queue: &'a mut BinaryHeap<Event>,
    pub stats: &'a mut Stats,
    pub config: &'a SimConfig,
    pub now: u64,
    pub faults: bool,
    /// The priest left the Chamber before his messenger set out: nothing leaves.
    pub gone: bool,
    /// Who is told of messages lost and duplicated.
    pub narrator: Option<&'a mut Narrator>,
}

impl Messenger for Relay<'_> {
    /// A president's BeginBallots leave before his rows are synced (`Step::ahead`): a priest who
    /// leaves "before his messenger sets out" has sent these already. His rows are kept, as a
    /// killed process's written rows are (the rules cannot unlearn a vote; a machine's crash
    /// losing the president's own unsynced vote is argued safe at `Step::ahead`).
    fn relay_ahead(&mut self, envelopes: &mut Vec<Envelope>) {
        let gone = std::mem::replace(&mut self.gone, false);
        self.relay(envelopes);
        self.gone = gone;
    }

    fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
        for envelope in envelopes.drain(..) {
            self.stats.sent += 1;
            if self.gone {
                self.stats.unsent += 1;
                continue;
            }
            if self.faults && self.rng.chance(self.config.lose) {
                self.stats.lost += 1;
                if let Some(n) = self.narrator.as_deref_mut() {
                    n.lost(At::Tick(self.now), &envelope);
                }
                continue;
            }
            if self.faults && self.rng.chance(self.config.duplicate) {
                self.stats.duplicated += 1;
                if let Some(n) = self.narrator.as_deref_mut() {
                    n.duplicated(At::Tick(self.now), &envelope);
                }
                self.send(envelope.clone());
            }
            self.send(envelope);
        }
    }
}

impl Relay<'_> {
    fn send(&mut self, envelope: Envelope) {
        let (min, max) = (self.config.delay_min.max(1), self.config.delay_max.max(1));
        let at = self.now + min + self.rng.below(max.saturating_sub(min) + 1);
        let order = self.rng.next_u64();
        self.queue.push(Event { at, order, what: Happening::Deliver(envelope) });
    }
}
