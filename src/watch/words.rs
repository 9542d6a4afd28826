//! The paper's words for what moves between priests: each message written as the paper writes it
//! (§2.3's NextBallot(b), LastVote(b, v), BeginBallot(b, d), Voted(b, q), Success(d), in their
//! multi-decree form of §3.1), with ballots as the roll names them (`4.Lynch`), and the colour the
//! watch gives each kind so the eye can follow a ballot from its NextBallot to its Success.

use ratatui::style::Color;

use crate::books::Roll;
use crate::priest::{Decree, Message, Vote};

/// How long a decree's text may run inside a message before it is cut with `…`.
const DECREE_CHARS: usize = 32;

/// A decree as a message shows it: olive day, or the petition's text in quotes, cut short.
pub fn decree_text(decree: &Decree) -> String {
    match decree {
        Decree::OliveDay => "olive day".to_string(),
        Decree::Law(p) => format!("\"{}\"", cut(&p.text, DECREE_CHARS)),
    }
}

/// `text` cut to at most `max` characters, ending in `…` when cut; newlines shown as spaces.
pub fn cut(text: &str, max: usize) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut short: String = flat.chars().take(max.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// A vote as the paper's prevVote: `decree_no@ballot`.
pub fn vote_text(roll: &Roll, vote: &Vote) -> String {
    format!("{}@{}", vote.decree_no, roll.ballot(vote.ballot))
}

/// A message's arguments, in the paper's order, without its name: `4.Lynch, 7` for NextBallot.
pub fn message_args(roll: &Roll, message: &Message) -> String {
    let b = |ballot| roll.ballot(ballot);
    match message {
        Message::NextBallot { ballot, decree_no } => format!("{}, {decree_no}", b(*ballot)),
        Message::LastVote { ballot, votes, decrees, .. } => {
            // The paper's v: the vote with the highest ballot among those he reports.
            let latest = votes.iter().max_by_key(|v| v.ballot);
            let v = latest.map_or("no vote".to_string(), |v| {
                format!("{}: {} {}", v.decree_no, b(v.ballot), decree_text(&v.decree))
            });
            let more = votes.len().saturating_sub(1) + decrees.len();
            if more == 0 { format!("{}, {v}", b(*ballot)) } else { format!("{}, {v} +{more}", b(*ballot)) }
        }
        Message::BeginBallot { ballot, decree_no, decree } => {
            format!("{}, {decree_no}: {}", b(*ballot), decree_text(decree))
        }
        Message::Voted { ballot, decree_no } => format!("{}, {decree_no}", b(*ballot)),
        Message::Success { decree_no, decree } => format!("{decree_no}: {}", decree_text(decree)),
        Message::Rejected { ballot, next_bal } => format!("{} < promised {}", b(*ballot), b(*next_bal)),
        Message::Petition(p) => format!("\"{}\"", cut(&p.text, DECREE_CHARS)),
        Message::Heartbeat { known } => format!("known {known}"),
        Message::Inquiry { decree_no } => format!("from {decree_no}"),
    }
}

/// A whole message: `NextBallot(4.Lynch, 7)`.
pub fn message_text(roll: &Roll, message: &Message) -> String {
    format!("{}({})", message.kind(), message_args(roll, message))
}

/// The colour of a message kind: the two phases of a ballot in two families of colour, the
/// outcome bright, the chatter of presence dim.
pub fn kind_colour(kind: &str) -> Color {
    match kind {
        "NextBallot" => Color::Cyan,
        "LastVote" => Color::Blue,
        "BeginBallot" => Color::Yellow,
        "Voted" => Color::Green,
        "Success" => Color::LightMagenta,
        "Rejected" => Color::Red,
        "Petition" => Color::White,
        "Heartbeat" | "Inquiry" => Color::DarkGray,
        _ => Color::Gray,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{BallotNumber, Petition, PriestId};

    fn roll() -> Roll {
        Roll::new(["Dwork", "Fischer", "Lynch", "Oki", "Toueg"].map(String::from).to_vec()).unwrap()
    }

    #[test]
    fn messages_read_as_the_paper_writes_them() {
        let roll = roll();
        let b = BallotNumber::new(4, PriestId(2));
        let law = Decree::Law(Petition::new("p1", "Wine may not be watered"));
        let text = |m: &Message| message_text(&roll, m);
        assert_eq!(text(&Message::NextBallot { ballot: b, decree_no: 7 }), "NextBallot(4.Lynch, 7)");
        assert_eq!(text(&Message::Voted { ballot: b, decree_no: 8 }), "Voted(4.Lynch, 8)");
        assert_eq!(
            text(&Message::BeginBallot { ballot: b, decree_no: 8, decree: law.clone() }),
            "BeginBallot(4.Lynch, 8: \"Wine may not be watered\")"
        );
        assert_eq!(
            text(&Message::Success { decree_no: 9, decree: Decree::OliveDay }),
            "Success(9: olive day)"
        );
        let old = Vote { decree_no: 8, ballot: BallotNumber::new(2, PriestId(3)), decree: law.clone() };
        let older = Vote { decree_no: 9, ballot: BallotNumber::new(1, PriestId(0)), decree: law };
        let last =
            Message::LastVote { ballot: b, decree_no: 7, known: 7, votes: vec![older, old], decrees: vec![] };
        assert_eq!(text(&last), "LastVote(4.Lynch, 8: 2.Oki \"Wine may not be watered\" +1)");
        let none = Message::LastVote { ballot: b, decree_no: 7, known: 7, votes: vec![], decrees: vec![] };
        assert_eq!(text(&none), "LastVote(4.Lynch, no vote)");
    }

    #[test]
    fn long_decrees_are_cut_and_newlines_flattened() {
        assert_eq!(cut("a\nb", 10), "a b");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
        assert_eq!(cut("Ωκι Ωκι", 7), "Ωκι Ωκι", "characters, not bytes");
    }

    #[test]
    fn the_five_messages_of_the_basic_protocol_have_five_colours() {
        let kinds = ["NextBallot", "LastVote", "BeginBallot", "Voted", "Success"];
        let colours: std::collections::BTreeSet<String> =
            kinds.iter().map(|k| format!("{:?}", kind_colour(k))).collect();
        assert_eq!(colours.len(), 5, "each step of §2.3 can be told apart by eye");
        assert_eq!(kind_colour("Rejected"), Color::Red);
    }

    #[test]
    fn a_vote_reads_as_decree_number_at_ballot() {
        let vote = Vote { decree_no: 3, ballot: BallotNumber::new(2, PriestId(3)), decree: Decree::OliveDay };
        assert_eq!(vote_text(&roll(), &vote), "3@2.Oki");
    }
}
