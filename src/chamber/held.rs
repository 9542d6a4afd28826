//! Messages waiting for the ledger row that backs them.
//!
//! Every message is a pure function of its sender's ledger (§2.3): he writes the row in his
//! ledger, syncs it, and only then does his messenger set out. So a message his ledger does not
//! back was written by someone else, and is refused. But on a network folder the receiver may see
//! the message before the row: the two files are cached apart, and with sshfs's or NFS's
//! attribute caching 13 of 40 messages were seen before their synced ledger row. Refusing those
//! as forged would lose honest messages (harmless to safety, as any message may be lost, but
//! every such loss costs a retry).
//!
//! So a message whose backing is not visible yet is held here, in a small queue, and checked
//! again at each later wake-up; only when it is still not backed after a grace period (five
//! seconds, longer than any cache a Chamber should be mounted with) is it refused as forged.
//! A held message that becomes backed is answered then, later than it arrived: messengers may be
//! slow (§2.1), so this changes nothing the priests rely on.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::priest::{Message, PriestId};

/// How long a message may wait for its backing row before it is refused as forged.
pub const GRACE: Duration = Duration::from_secs(5);

/// How many messages may wait at once; past that, the oldest is judged at once.
pub const HELD_MAX: usize = 1024;

/// A message waiting for its backing, with where it was read.
#[derive(Debug)]
pub struct HeldMessage {
    /// Who it is said to be from.
    pub from: PriestId,
    /// What it says.
    pub message: Message,
    /// Where it was read (page and line), for the refusal.
    pub place: String,
    since: Instant,
}

/// What a re-check found.
#[derive(Debug, Default)]
pub struct Judged {
    /// Messages now backed, to be answered.
    pub backed: Vec<(PriestId, Message)>,
    /// Messages still not backed after the grace period, with why: refused as forged.
    pub refused: Vec<(HeldMessage, String)>,
}

/// The queue of messages waiting for their backing.
#[derive(Debug)]
pub struct Held {
    queue: VecDeque<HeldMessage>,
    grace: Duration,
}

impl Default for Held {
    fn default() -> Held {
        Held::new(GRACE)
    }
}

impl Held {
    /// An empty queue whose messages wait up to `grace`.
    pub fn new(grace: Duration) -> Held {
        Held { queue: VecDeque::new(), grace }
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many messages wait.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Holds a message not backed yet, read at `place`, as of `now`. Returns the oldest held
    /// message if the queue was full: it is judged at once, by the caller.
    pub fn hold(
        &mut self,
        from: PriestId,
        message: Message,
        place: String,
        now: Instant,
    ) -> Option<HeldMessage> {
        let spilled = (self.queue.len() >= HELD_MAX).then(|| self.queue.pop_front()).flatten();
        self.queue.push_back(HeldMessage { from, message, place, since: now });
        spilled
    }

    /// Checks every held message again with `backed`: those now backed leave to be answered,
    /// those still not backed after the grace period leave refused, the rest wait on.
    pub fn recheck(
        &mut self,
        now: Instant,
        mut backed: impl FnMut(PriestId, &Message) -> Result<(), String>,
    ) -> Judged {
        let mut judged = Judged::default();
        for held in std::mem::take(&mut self.queue) {
            match backed(held.from, &held.message) {
                Ok(()) => judged.backed.push((held.from, held.message)),
                Err(why) if now.duration_since(held.since) >= self.grace => judged.refused.push((held, why)),
                Err(_) => self.queue.push_back(held),
            }
        }
        judged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::BallotNumber;

    fn next_ballot(n: u64) -> Message {
        Message::NextBallot { ballot: BallotNumber::new(n, PriestId(1)), decree_no: 0 }
    }

    #[test]
    fn a_message_seen_before_its_ledger_row_is_answered_once_the_row_is_seen() {
        let t0 = Instant::now();
        let mut held = Held::default();
        assert!(held.hold(PriestId(1), next_ballot(7), "page line 2".into(), t0).is_none());
        let mut row_visible = false;
        let judged = held.recheck(t0 + Duration::from_millis(20), |_, _| {
            if row_visible { Ok(()) } else { Err("his ledger never tried that ballot".into()) }
        });
        assert!(judged.backed.is_empty() && judged.refused.is_empty() && held.len() == 1);
        row_visible = true;
        let judged =
            held.recheck(
                t0 + Duration::from_secs(1),
                |_, _| {
                    if row_visible { Ok(()) } else { Err("never".into()) }
                },
            );
        assert_eq!(judged.backed.len(), 1);
        assert!(held.is_empty());
    }

    #[test]
    fn a_message_never_backed_is_refused_after_the_grace_period_not_before() {
        let t0 = Instant::now();
        let mut held = Held::new(Duration::from_secs(5));
        held.hold(PriestId(2), next_ballot(3), "Lynch/Toueg.csv line 9".into(), t0);
        let never = |_: PriestId, _: &Message| Err("his ledger never tried that ballot".to_string());
        let judged = held.recheck(t0 + Duration::from_millis(4_999), never);
        assert!(judged.refused.is_empty() && held.len() == 1, "refused before its grace ran out");
        let judged = held.recheck(t0 + Duration::from_secs(5), never);
        assert_eq!(judged.refused.len(), 1);
        assert_eq!(judged.refused[0].0.place, "Lynch/Toueg.csv line 9");
        assert!(judged.refused[0].1.contains("never tried"));
        assert!(held.is_empty());
    }

    #[test]
    fn a_full_queue_spills_its_oldest_message_to_be_judged_at_once() {
        let t0 = Instant::now();
        let mut held = Held::default();
        for n in 0..HELD_MAX as u64 {
            assert!(held.hold(PriestId(1), next_ballot(n), format!("line {n}"), t0).is_none());
        }
        let spilled = held.hold(PriestId(1), next_ballot(9_999), "last".into(), t0).expect("spilled");
        assert_eq!(spilled.place, "line 0");
        assert_eq!(held.len(), HELD_MAX);
    }
}
