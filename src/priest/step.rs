//! A step: what a priest's answer to one input asks of the world, and the one function that
//! carries it out in the only safe order (§2.3, "written in his ledger before he sends").
//!
//! The ledger rows are appended and synced first; only then do the messages that tell them leave.
//! A priest who leaves the Chamber between the two has lost nothing he promised, because every
//! message is a pure function of his ledger and may be sent again. A president's BeginBallots
//! tell none of the step's rows and leave between the append and the sync ([`Step::ahead`]). The
//! Chamber on files and the simulator both call [`carry_out`]; the simulator crashes priests
//! before the messages that wait for the sync.

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
    /// Ledger rows, in order; all are synced before any message leaves but the first `ahead`.
    pub records: Vec<Record>,
    /// Messages allowed by those rows, to be relayed after the sync.
    pub messages: Vec<Envelope>,
    /// The first `ahead` messages tell nothing of this step's rows: a president's BeginBallots,
    /// whose one promise, lastTried, an earlier step synced. They leave once the rows are
    /// written, before the sync, so that the priests vote while his own vote is being synced:
    /// one sync fewer on the light-load path. Safe, for (§2.3) he never uses a ballot number
    /// twice, beginning every presidency above his lastTried, so no other BeginBallot for that
    /// ballot and number can follow his crash; and his own vote is told (his Voted) only after
    /// the sync, and counted in a majority set only with another's Voted, read in a later step:
    /// a vote a machine's crash takes before the sync was counted by nobody. A priest checking
    /// the BeginBallot against his ledger finds the vote in it, written before it left
    /// (`books/backing.rs`).
    pub ahead: usize,
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
        self.ahead = 0;
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

    /// Takes a step's messages that tell none of its rows ([`Step::ahead`]) on their way: called
    /// once the rows are written, before they are synced.
    fn relay_ahead(&mut self, envelopes: &mut Vec<Envelope>) {
        self.relay(envelopes);
    }
}

/// Carries a step out: append the rows, relay the messages that tell none of them
/// ([`Step::ahead`]), sync the rows, then relay the rest. Leaves `step` empty. If the ledger
/// cannot be written, nothing is relayed; if it cannot be synced, nothing more. A step whose rows
/// are all `Decree` rows is not synced: no message depends on them ([`Record::needs_sync`] says
/// why).
pub fn carry_out<L: LedgerBook, M: Messenger>(
    step: &mut Step,
    ledger: &mut L,
    messenger: &mut M,
) -> Result<(), L::Error> {
    let ahead = std::mem::take(&mut step.ahead).min(step.messages.len());
    if !step.records.is_empty() {
        let needs_sync = step.records.iter().any(Record::needs_sync);
        let mut written = ledger.append(&step.records);
        if written.is_ok() && ahead > 0 {
            // Written first, so that a priest checking the BeginBallot against this ledger
            // finds the president's vote in it (`backing.rs`).
            let mut rest = step.messages.split_off(ahead);
            messenger.relay_ahead(&mut step.messages);
            step.messages.append(&mut rest);
        }
        written = written.and_then(|()| if needs_sync { ledger.sync() } else { ledger.spare_sync() });
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
            ahead: 0,
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

    /// A ledger and a messenger writing in one journal, to see the order across both.
    struct Shared<'a>(&'a std::cell::RefCell<Vec<String>>);

    impl LedgerBook for Shared<'_> {
        type Error = ();
        fn append(&mut self, _: &[Record]) -> Result<(), ()> {
            self.0.borrow_mut().push("append".into());
            Ok(())
        }
        fn sync(&mut self) -> Result<(), ()> {
            self.0.borrow_mut().push("sync".into());
            Ok(())
        }
    }

    impl Messenger for Shared<'_> {
        fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
            self.0.borrow_mut().push(format!("relay {}", envelopes.len()));
            envelopes.clear();
        }
        fn relay_ahead(&mut self, envelopes: &mut Vec<Envelope>) {
            self.0.borrow_mut().push(format!("ahead {}", envelopes.len()));
            envelopes.clear();
        }
    }

    #[test]
    fn a_begin_ballot_leaves_once_the_rows_are_written_before_they_are_synced() {
        let journal = std::cell::RefCell::new(Vec::new());
        let mut s = step();
        s.messages.push(s.messages[0].clone());
        s.ahead = 1;
        carry_out(&mut s, &mut Shared(&journal), &mut Shared(&journal)).unwrap();
        assert_eq!(*journal.borrow(), ["append", "ahead 1", "sync", "relay 1"]);
        assert!(s.is_empty() && s.ahead == 0);
    }

    /// A president's BeginBallot goes ahead of the sync only if its ballot's `Tried` row was
    /// synced by an earlier step: in the step that tries the ballot it waits for the sync.
    #[test]
    fn a_begin_ballot_waits_for_the_sync_of_its_own_tried_row() {
        use crate::priest::{Config, Input, Petition, Priest};
        let basic = Config { votes_to_all: 0, asks_every_priest: true, ..Config::weighted(vec![1, 0]) };
        let mut lone = Priest::new(PriestId(0), basic);
        let mut s = Step::default();
        for _ in 0..100 {
            if s.records.iter().any(|r| matches!(r, Record::Tried { .. })) {
                break;
            }
            lone.handle(Input::Tick, &mut s);
        }
        lone.handle(Input::Petition(Petition::new("p", "Lamps")), &mut s);
        let begun =
            |s: &Step| s.messages.iter().filter(|e| matches!(e.message, Message::BeginBallot { .. })).count();
        assert!(s.records.iter().any(|r| matches!(r, Record::Tried { .. })), "{s:?}");
        assert_eq!((begun(&s), s.ahead), (1, 0), "tried in this step: no BeginBallot ahead of it");
        let mut s = Step::default();
        lone.handle(Input::Petition(Petition::new("q", "Wine")), &mut s);
        assert_eq!((begun(&s), s.ahead), (1, 1), "tried before: the BeginBallot goes ahead: {s:?}");
        assert!(matches!(s.messages[0].message, Message::BeginBallot { .. }), "ahead ones come first");
        // A Chamber answers several inputs in one step (one sync for all): the ballots begun by
        // the later input go after the earlier one's, as begun (Dwork voted 5 before 4 otherwise).
        lone.handle(Input::Petition(Petition::new("r", "Bread")), &mut s);
        let numbers: Vec<u64> = s.messages[..s.ahead]
            .iter()
            .filter_map(|e| match e.message {
                Message::BeginBallot { decree_no, .. } => Some(decree_no),
                _ => None,
            })
            .collect();
        assert_eq!(numbers.len(), 2, "{s:?}");
        assert!(numbers[0] < numbers[1], "in the order begun: {numbers:?}");
    }

    #[test]
    fn a_failed_sync_sends_nothing() {
        let (mut ledger, mut sent) = (Journal(Vec::new(), true), Vec::new());
        let mut s = step();
        assert!(carry_out(&mut s, &mut ledger, &mut sent).is_err());
        assert!(sent.is_empty(), "a message must never leave ahead of its row");
    }
}
