//! The messages priests send each other (§2.3, §3.1 and §2.4 of the paper).
//!
//! The five of the basic protocol (NextBallot, LastVote, BeginBallot, Voted, Success) in their
//! multi-decree form (§3.1), plus what the paper describes without naming: the rejection that tells
//! a president of a higher promise (§2.4), the heartbeat by which priests choose a president
//! (§2.4), a petition passed on to the president, and the inquiry by which a priest who was away
//! asks for the decrees he missed (§3.1). Every message is a pure function of its sender's ledger
//! and slip, so sending one twice is harmless.

use super::ballot::BallotNumber;
use super::ballot::PriestId;
use super::decree::{Decree, DecreeNo, Petition};

/// A priest's vote: ballot `ballot` on decree number `decree_no` was for `decree` (prevVote, §2.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Vote {
    /// The decree number voted on.
    pub decree_no: DecreeNo,
    /// The ballot voted in.
    pub ballot: BallotNumber,
    /// The decree voted for.
    pub decree: Decree,
}

/// One message between priests.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Message {
    /// NextBallot(b, n): the president, who knows every decree up to `decree_no`, asks for a
    /// promise not to vote in any ballot below `ballot` for any decree numbered above it (§3.1).
    NextBallot { ballot: BallotNumber, decree_no: DecreeNo },
    /// LastVote(b, v): the promise. For every number above `decree_no` it carries the decree the
    /// priest already has, or else his latest vote; `known` tells how far his statute book runs
    /// without a gap, so the president can send him what he lacks below (§3.1).
    LastVote {
        ballot: BallotNumber,
        decree_no: DecreeNo,
        known: DecreeNo,
        votes: Vec<Vote>,
        decrees: Vec<(DecreeNo, Decree)>,
    },
    /// BeginBallot(b, d): vote in ballot `ballot` for `decree` as decree number `decree_no`.
    BeginBallot { ballot: BallotNumber, decree_no: DecreeNo, decree: Decree },
    /// Voted(b, q): the sender voted in ballot `ballot` on decree number `decree_no`.
    Voted { ballot: BallotNumber, decree_no: DecreeNo },
    /// Success(d): decree number `decree_no` passed, and is `decree`.
    Success { decree_no: DecreeNo, decree: Decree },
    /// The sender refused ballot `ballot` because he promised `next_bal`, which is higher (§2.4).
    Rejected { ballot: BallotNumber, next_bal: BallotNumber },
    /// A petition handed on towards the president.
    Petition(Petition),
    /// "I am here, and my statute book runs without a gap to `known`" (§2.4's announcements).
    Heartbeat { known: DecreeNo },
    /// "Send me the decrees from number `decree_no` on": how a priest who was away catches up.
    Inquiry { decree_no: DecreeNo },
}

impl Message {
    /// The message's name as the paper writes it (and the messagebook's `message` column).
    pub fn kind(&self) -> &'static str {
        match self {
            Message::NextBallot { .. } => "NextBallot",
            Message::LastVote { .. } => "LastVote",
            Message::BeginBallot { .. } => "BeginBallot",
            Message::Voted { .. } => "Voted",
            Message::Success { .. } => "Success",
            Message::Rejected { .. } => "Rejected",
            Message::Petition(_) => "Petition",
            Message::Heartbeat { .. } => "Heartbeat",
            Message::Inquiry { .. } => "Inquiry",
        }
    }
}

/// A message with its sender and recipient: what a messenger carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Envelope {
    /// Who sent it.
    pub from: PriestId,
    /// Who is to receive it.
    pub to: PriestId,
    /// What it says.
    pub message: Message,
}
