//! A step: what a priest's answer to one input asks of the world, and the one function that
//! carries it out in the only safe order (§2.3, "written in his ledger before he sends").
//!
//! The ledger rows are appended and synced first; only then do the messages leave. A priest who
//! leaves the Chamber between the two has lost nothing he promised, because every message is a
//! pure function of his ledger and may be sent again. The Chamber on files and the simulator both
//! call [`carry_out`]; the simulator crashes priests between its two halves.

use super::ballot::PriestId;
use super::decree::Petition;
use super::ledger::Record;
use super::message::{Envelope, Message};

/// One thing that happens to a priest.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// A message from another priest arrives.
    Message { from: PriestId, message: Message },
    /// A citizen hands him a petition.
    Petition(Petition),
    /// Time passes: one tick.
    Tick,
}

/// The priest's answer to one input: rows to record, then messages to send.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Step {
    /// Ledger rows, in order; all are synced before any message leaves.
    pub records: Vec<Record>,
    /// Messages allowed by those rows, to be relayed after the sync.
    pub messages: Vec<Envelope>,
}

impl Step {
    /// Whether the step asks nothing of the world.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.messages.is_empty()
    }

    /// Empties both lists, keeping their memory for the next step.
    pub fn clear(&mut self) {
        self.records.clear();
        self.messages.clear();
    }
}

/// Where a priest's ledger rows go: appended, then made durable by `sync`.
pub trait LedgerBook {
    /// What can go wrong writing.
    type Error;
    /// Appends rows to the ledger (not yet durable).
    fn append(&mut self, records: &[Record]) -> Result<(), Self::Error>;
    /// Makes every appended row durable (fdatasync on files).
    fn sync(&mut self) -> Result<(), Self::Error>;
    /// Called instead of `sync` when no appended row of the step needs one
    /// ([`Record::needs_sync`]); a ledger may still check itself before messages leave.
    fn spare_sync(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// A ledger in memory, for the simulator, the model checker and tests: nothing can lose a row
/// once appended, so syncing has nothing to do.
impl LedgerBook for Vec<Record> {
    type Error = std::convert::Infallible;
    fn append(&mut self, records: &[Record]) -> Result<(), Self::Error> {
        self.extend_from_slice(records);
        Ok(())
    }
    fn sync(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Whoever carries messages between priests.
pub trait Messenger {
    /// Takes these messages on their way. Called only once their rows are durable.
    fn relay(&mut self, envelopes: &mut Vec<Envelope>);
}

/// Carries a step out: append the rows, sync them, then relay the messages. Leaves `step` empty.
/// If the ledger cannot be written, nothing is relayed. A step whose rows are all `Decree` rows
/// is not synced: no message depends on them ([`Record::needs_sync`] says why).
pub fn carry_out<L: LedgerBook, M: Messenger>(
    step: &mut Step,
    ledger: &mut L,
    messenger: &mut M,
) -> Result<(), L::Error> {
    if !step.records.is_empty() {
        let needs_sync = step.records.iter().any(Record::needs_sync);
        let written = ledger
            .append(&step.records)
            .and_then(|()| if needs_sync { ledger.sync() } else { ledger.spare_sync() });
        step.records.clear();
        if let Err(e) = written {
            step.messages.clear();
            return Err(e);
        }
    }
    messenger.relay(&mut step.messages);
    step.messages.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::BallotNumber;

    /// Remembers the order in which things happened to it.
    #[derive(Default)]
    struct Journal(Vec<&'static str>, bool);

    impl LedgerBook for Journal {
        type Error = ();
        fn append(&mut self, _: &[Record]) -> Result<(), ()> {
            self.0.push("append");
            Ok(())
        }
        fn sync(&mut self) -> Result<(), ()> {
            self.0.push("sync");
            if self.1 { Err(()) } else { Ok(()) }
        }
    }

    impl Messenger for Vec<Envelope> {
        fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
            self.append(envelopes);
        }
    }

    fn step() -> Step {
        let ballot = BallotNumber::new(1, PriestId(0));
        Step {
            records: vec![Record::Tried { ballot }],
            messages: vec![Envelope {
                from: PriestId(0),
                to: PriestId(1),
                message: Message::NextBallot { ballot, decree_no: 0 },
            }],
        }
    }

    #[test]
    fn rows_are_synced_before_messages_leave() {
        let (mut ledger, mut sent) = (Journal::default(), Vec::new());
        let mut s = step();
        carry_out(&mut s, &mut ledger, &mut sent).unwrap();
        assert_eq!(ledger.0, ["append", "sync"]);
        assert_eq!(sent.len(), 1);
        assert!(s.is_empty());
    }

    #[test]
    fn a_step_of_decree_rows_alone_is_not_synced_but_any_promise_is() {
        let law = crate::priest::Decree::Law(crate::priest::Petition::new("p", "Lamps"));
        let (mut ledger, mut sent) = (Journal::default(), Vec::new());
        let mut s = step();
        s.records = vec![Record::Decree { decree_no: 1, decree: law.clone() }];
        carry_out(&mut s, &mut ledger, &mut sent).unwrap();
        assert_eq!(ledger.0, ["append"], "nothing waits on a Decree row");
        assert_eq!(sent.len(), 1);
        let mut s = step();
        s.records.insert(0, Record::Decree { decree_no: 1, decree: law });
        carry_out(&mut s, &mut ledger, &mut sent).unwrap();
        assert_eq!(ledger.0, ["append", "append", "sync"], "a Tried row beside it is synced, and it with it");
    }

    #[test]
    fn a_failed_sync_sends_nothing() {
        let (mut ledger, mut sent) = (Journal(Vec::new(), true), Vec::new());
        let mut s = step();
        assert!(carry_out(&mut s, &mut ledger, &mut sent).is_err());
        assert!(sent.is_empty(), "a message must never leave ahead of its row");
    }
}
