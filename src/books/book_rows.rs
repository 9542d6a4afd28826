//! The messagebook's CSV rows (`messagebooks/<priest>.csv`): one message, one row (§2.3, §3.1).
//!
//! ```text
//! at,from,message,decree,decree_no,ballot,petition,known,promised,votes
//! ,Ann,Petition,Wine may not be watered
//! 2026-11-23T21:40:00.100Z,Toueg,NextBallot,,0,1.Toueg,,,,
//! 2026-11-23T21:40:00.101Z,Lynch,LastVote,,0,1.Toueg,,0,,"3,2.Oki,paper-3,Painting is forbidden"
//! 2026-11-23T21:40:00.150Z,Toueg,BeginBallot,Lamps must use only olive oil,1,1.Toueg,paper-1,,,
//! 2026-11-23T21:40:00.151Z,Lynch,Voted,,1,1.Toueg,,,,
//! 2026-11-23T21:40:00.160Z,Toueg,Success,Lamps must use only olive oil,1,,paper-1,,,
//! 2026-11-23T21:40:00.170Z,Oki,Rejected,,,1.Toueg,,,2.Oki,
//! 2026-11-23T21:40:00.200Z,Lynch,Heartbeat,,,,,1,,
//! 2026-11-23T21:40:00.210Z,Dwork,Inquiry,,1,,,,,
//! ```
//!
//! Columns a message does not use are left empty, and trailing empty columns may be left out, so
//! a petition by hand is just `,Ann,Petition,Wine may not be watered`. A LastVote's `votes` column
//! holds one line per decree number above `decree_no`: `decree_no,ballot,petition,decree`, with an
//! empty ballot for a decree the priest already has.

use chrono::{DateTime, Utc};

use super::csvrow::{read_row, unguard, write_row};
use super::ledger_rows::{decree_fields, parse_decree};
use super::roll::Roll;
use crate::priest::{Decree, DecreeNo, Message, Petition, PriestId, Vote};

/// The messagebook's header row.
pub const BOOK_HEADER: &str = "at,from,message,decree,decree_no,ballot,petition,known,promised,votes";

/// The messagebook's columns, in order.
const COLUMNS: [&str; 10] =
    ["at", "from", "message", "decree", "decree_no", "ballot", "petition", "known", "promised", "votes"];

/// The message kinds a row may name.
const KINDS: &str =
    "NextBallot, LastVote, BeginBallot, Voted, Success, Rejected, Petition, Heartbeat, Inquiry";

/// Writes one messagebook row: `message` from `from`.
pub fn book_row(roll: &Roll, at: DateTime<Utc>, from: &str, message: &Message) -> String {
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut decree: Option<&Decree> = None;
    let (mut decree_no, mut ballot, mut known, mut promised, mut votes) =
        (String::new(), String::new(), String::new(), String::new(), String::new());
    let law;
    match message {
        Message::NextBallot { ballot: b, decree_no: n } => {
            ballot = roll.ballot(*b);
            decree_no = n.to_string();
        }
        Message::LastVote { ballot: b, decree_no: n, known: k, votes: vs, decrees } => {
            ballot = roll.ballot(*b);
            decree_no = n.to_string();
            known = k.to_string();
            votes = vote_lines(roll, vs, decrees);
        }
        Message::BeginBallot { ballot: b, decree_no: n, decree: d } => {
            ballot = roll.ballot(*b);
            decree_no = n.to_string();
            decree = Some(d);
        }
        Message::Voted { ballot: b, decree_no: n } => {
            ballot = roll.ballot(*b);
            decree_no = n.to_string();
        }
        Message::Success { decree_no: n, decree: d } => {
            decree_no = n.to_string();
            decree = Some(d);
        }
        Message::Rejected { ballot: b, next_bal } => {
            ballot = roll.ballot(*b);
            promised = roll.ballot(*next_bal);
        }
        Message::Petition(p) => {
            law = Decree::Law(p.clone());
            decree = Some(&law);
        }
        Message::Heartbeat { known: k } => known = k.to_string(),
        Message::Inquiry { decree_no: n } => decree_no = n.to_string(),
    }
    let (text, petition) = decree_fields(decree);
    let fields = [&at, from, message.kind(), text, &decree_no, &ballot, petition, &known, &promised, &votes];
    write_row(&fields, &[false, true, false, true, false, false, true, false, false, false])
}

fn vote_lines(roll: &Roll, votes: &[Vote], decrees: &[(DecreeNo, Decree)]) -> String {
    let mut lines = String::new();
    for v in votes {
        let (text, petition) = decree_fields(Some(&v.decree));
        let no = v.decree_no.to_string();
        lines.push_str(&write_row(
            &[&no, &roll.ballot(v.ballot), petition, text],
            &[false, false, true, true],
        ));
    }
    for (no, d) in decrees {
        let (text, petition) = decree_fields(Some(d));
        lines.push_str(&write_row(&[&no.to_string(), "", petition, text], &[false, false, true, true]));
    }
    lines.trim_end_matches('\n').to_string()
}

/// What a messagebook row says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookEntry {
    /// A message from a priest of the Chamber.
    Message { from: PriestId, message: Message },
    /// A petition, from anyone; `id` is empty when the person gave none, and then `print` is a
    /// fingerprint of the row's text, which stands in for it (0 when there is an id).
    Petition { from: String, text: String, id: String, print: u128 },
    /// The first row of a page whose writer closed the one before (§3.3.2): `closed` names the
    /// closed page (`volumes/<priest>/pages/<page>-<n>.csv`), whose rows came before this one.
    Continued { from: String, closed: String },
}

/// The `message` column of the row that begins a page continuing a closed one.
pub const CONTINUED: &str = "Continued";

/// The row that begins a page continuing the closed page `closed` (a path relative to the
/// Chamber), written by `from`.
pub fn continued_row(at: DateTime<Utc>, from: &str, closed: &str) -> String {
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    write_row(&[&at, from, CONTINUED, closed], &[false, true, false, true])
}

/// The `message` column of a messagebook row, read without parsing the rest: cheap enough for a
/// reader that wants only some kinds. None when the row's first columns hold a quote (a person's
/// row, which only [`parse_book_row`] can read) or are fewer than three.
pub fn book_row_kind(text: &str) -> Option<&str> {
    // A busy reader asks this of every row: the commas are found by a vector search.
    let bytes = text.as_bytes();
    let mut commas = memchr::memchr_iter(b',', bytes);
    let start = commas.nth(1)? + 1;
    let end = commas.next().unwrap_or(bytes.len());
    memchr::memchr(b'"', &bytes[..end]).is_none().then(|| &text[start..end])
}

/// Reads one messagebook row; the error says what was wrong and what was expected.
pub fn parse_book_row(roll: &Roll, text: &str) -> Result<BookEntry, String> {
    let text_row = text;
    let f = read_row(text)?;
    let field = |i: usize| f.get(i).map_or("", |c| c.as_ref());
    let kind = field(2);
    let from = unguard(field(1));
    if f.len() > COLUMNS.len() {
        return Err(format!(
            "the row has {} columns; a messagebook row has {} ({BOOK_HEADER}): a comma in a text belongs inside quotes",
            f.len(),
            COLUMNS.len()
        ));
    }
    if kind == "Petition" {
        if let Some(i) = (4..f.len()).find(|&i| i != 6 && !field(i).is_empty()) {
            return Err(format!(
                "a Petition uses only 'from', 'decree' and 'petition', but '{}' (column {}) holds {:?}: a comma in the text? Put the text in quotes",
                COLUMNS[i],
                i + 1,
                field(i)
            ));
        }
        let text = unguard(field(3));
        if text.trim().is_empty() {
            return Err("a Petition needs its text in the 'decree' column (the 4th)".to_string());
        }
        // A membership text must name a priest on the roll (§3.3.6).
        super::membership::roll_change(roll, text)?;
        let from = if from.is_empty() { "a citizen" } else { from };
        let id = unguard(field(6)).to_string();
        // Only a petition without an id is named by its fingerprint (see [`petition_from`]).
        let print = if id.is_empty() { fingerprint(text_row) } else { 0 };
        return Ok(BookEntry::Petition { from: from.to_string(), text: text.to_string(), id, print });
    }
    if kind == CONTINUED {
        let from = from.to_string();
        return Ok(BookEntry::Continued { from, closed: unguard(field(3)).to_string() });
    }
    if !KINDS.split(", ").any(|k| k == kind) {
        if KINDS.split(", ").any(|k| k == from) {
            // "Ann,Petition,Lamps": the kind stands in 'from', so the first column is missing.
            let start: String = text_row.chars().take(40).collect();
            return Err(format!(
                "unknown message {kind:?}, and {from:?} stands in the 'from' column (the 2nd): the row lacks its first column, 'at' (begin it with a comma: ,{start})"
            ));
        }
        if f.len() == 1 {
            // "Wine may be watered" alone on a line: a text, not a row of columns.
            let start: String = text_row.chars().take(40).collect();
            return Err(format!(
                "the row has 1 column and names no message; a messagebook row is {BOOK_HEADER}: to petition, write ,Ann,Petition,{start} (or run parliament petition \"{start}\")"
            ));
        }
        let guess = crate::names::did_you_mean(kind, KINDS.split(", "));
        return Err(format!("unknown message {kind:?}{guess}; expected one of {KINDS}"));
    }
    let from = roll.id(from).ok_or_else(|| {
        format!("{kind} from {from:?}, who is not a priest of this Chamber ({})", roll.names().join(", "))
    })?;
    let number = |i: usize, column: &str| {
        field(i)
            .parse::<u64>()
            .map_err(|_| format!("{kind}: '{column}' is {:?}; expected a number", field(i)))
    };
    let ballot = || roll.parse_ballot(field(5));
    let decree = || parse_decree(roll, unguard(field(3)), unguard(field(6)));
    let message = match kind {
        "NextBallot" => Message::NextBallot { ballot: ballot()?, decree_no: number(4, "decree_no")? },
        "LastVote" => {
            let (votes, decrees) = parse_votes(roll, field(9))?;
            Message::LastVote {
                ballot: ballot()?,
                decree_no: number(4, "decree_no")?,
                known: number(7, "known")?,
                votes,
                decrees,
            }
        }
        "BeginBallot" => {
            Message::BeginBallot { ballot: ballot()?, decree_no: number(4, "decree_no")?, decree: decree() }
        }
        "Voted" => Message::Voted { ballot: ballot()?, decree_no: number(4, "decree_no")? },
        "Success" => Message::Success { decree_no: number(4, "decree_no")?, decree: decree() },
        "Rejected" => Message::Rejected { ballot: ballot()?, next_bal: roll.parse_ballot(field(8))? },
        "Heartbeat" => Message::Heartbeat { known: number(7, "known")? },
        _ => Message::Inquiry { decree_no: number(4, "decree_no")? },
    };
    Ok(BookEntry::Message { from, message })
}

type Votes = (Vec<Vote>, Vec<(DecreeNo, Decree)>);

fn parse_votes(roll: &Roll, field: &str) -> Result<Votes, String> {
    let (mut votes, mut decrees) = (Vec::new(), Vec::new());
    for line in field.split('\n').filter(|l| !l.is_empty()) {
        let f = read_row(line).map_err(|e| format!("LastVote: a line of the 'votes' column: {e}"))?;
        let get = |i: usize| f.get(i).map_or("", |c| c.as_ref());
        let decree_no = get(0).parse::<u64>().map_err(|_| {
            format!("LastVote: each line of 'votes' should start with a decree number, not {:?}", get(0))
        })?;
        let decree = parse_decree(roll, unguard(get(3)), unguard(get(2)));
        match get(1) {
            "" => decrees.push((decree_no, decree)),
            b => votes.push(Vote { decree_no, ballot: roll.parse_ballot(b)?, decree }),
        }
    }
    Ok((votes, decrees))
}

/// A fingerprint of a row's text: FNV-1a over 128 bits (ours, so it never changes between
/// builds), of which an id keeps 96. Two different rows share one with a chance near 2⁻⁹⁶.
pub fn fingerprint(text: &str) -> u128 {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    text.bytes()
        .fold(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d, |h, b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

/// A petition read from a row, with the id it gets when the person gave none: the page it was
/// written in and a fingerprint of the row's text, so that re-reading the same row (after an
/// editor's save moved it to another line, or after the priest who read it was killed) never
/// makes a second petition. Two identical rows in one page are one petition; give an id (the
/// `petition` column) or a time (`at`) to make them two. A membership text is a membership
/// petition ([`super::membership`]).
pub fn petition_from(roll: &Roll, page: &str, print: u128, text: &str, id: &str) -> Petition {
    if id.is_empty() {
        super::membership::petition_in_rows(roll, &format!("{page}:{:024x}", print >> 32), text)
    } else {
        super::membership::petition_in_rows(roll, id, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::BallotNumber;

    #[test]
    fn the_kind_of_a_row_is_its_third_column_unless_a_quote_comes_first() {
        let kinds = [
            ("2026-12-07T15:37:25.871Z,Toueg,Success,Bench decree,1461,,full-1459,,,", Some("Success")),
            ("at,from,Voted", Some("Voted")),
            ("at,from", None),
            ("at,\"from\",Voted,x", None),
            ("at,from,Petition,\"a, quoted\",,,p-1", Some("Petition")),
        ];
        for (row, kind) in kinds {
            assert_eq!(book_row_kind(row), kind, "{row}");
        }
    }

    #[test]
    fn every_message_round_trips() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let b = BallotNumber::new(2, PriestId(4));
        let law = Decree::Law(Petition::new("paper-1", "+1, \"quoted\"\nsecond line"));
        let messages = [
            Message::NextBallot { ballot: b, decree_no: 3 },
            Message::LastVote {
                ballot: b,
                decree_no: 3,
                known: 2,
                votes: vec![Vote {
                    decree_no: 4,
                    ballot: BallotNumber::new(1, PriestId(0)),
                    decree: law.clone(),
                }],
                decrees: vec![(5, Decree::OliveDay), (6, law.clone())],
            },
            Message::LastVote { ballot: b, decree_no: 0, known: 0, votes: vec![], decrees: vec![] },
            Message::BeginBallot { ballot: b, decree_no: 4, decree: law.clone() },
            Message::Voted { ballot: b, decree_no: 4 },
            Message::Success { decree_no: 4, decree: Decree::OliveDay },
            Message::Rejected { ballot: b, next_bal: BallotNumber::new(3, PriestId(1)) },
            Message::Heartbeat { known: 9 },
            Message::Inquiry { decree_no: 10 },
        ];
        for m in messages {
            let row = book_row(&roll, Utc::now(), "Lynch", &m);
            let back = parse_book_row(&roll, row.trim_end_matches('\n')).unwrap();
            assert_eq!(back, BookEntry::Message { from: PriestId(2), message: m }, "{row}");
        }
    }

    /// A newcomer typed `Ann,Petition,No at column` and was told only "unknown message".
    #[test]
    fn a_row_without_its_at_column_is_told_so() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let e = parse_book_row(&roll, "Ann,Petition,No at column").unwrap_err();
        assert!(
            e.contains("lacks its first column, 'at'") && e.contains(",Ann,Petition,No at column"),
            "{e}"
        );
        let e = parse_book_row(&roll, "Ann,Λῐνχ∂,Petiton,Wine and more words than forty characters here")
            .unwrap_err();
        assert!(e.starts_with("unknown message \"Petiton\"; did you mean Petition?; expected one of"), "{e}");
    }

    /// A newcomer typed only the text of his petition on a line, and was told `unknown message ""`.
    #[test]
    fn a_line_of_text_alone_is_told_how_a_petition_is_written() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let e = parse_book_row(&roll, "Wine may be watered").unwrap_err();
        assert!(
            e.contains("the row has 1 column and names no message")
                && e.contains(",Ann,Petition,Wine may be watered"),
            "{e}"
        );
    }

    #[test]
    fn a_petition_by_hand_needs_three_columns() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let entry = parse_book_row(&roll, ",Ann,Petition,Wine may not be watered").unwrap();
        assert!(matches!(
            entry,
            BookEntry::Petition { ref from, ref text, ref id, .. }
                if from == "Ann" && text == "Wine may not be watered" && id.is_empty()
        ));
        let print = |row| match parse_book_row(&roll, row).unwrap() {
            BookEntry::Petition { print, .. } => print,
            other => panic!("{other:?}"),
        };
        let id = petition_from(&roll, "Lynch", print(",Ann,Petition,x"), "x", "").id;
        assert!(
            id.0.starts_with("Lynch:")
                && id == petition_from(&roll, "Lynch", print(",Ann,Petition,x"), "x", "").id
        );
        assert_ne!(id, petition_from(&roll, "Lynch", print(",Bob,Petition,x"), "x", "").id);
    }

    #[test]
    fn bad_rows_say_what_was_expected() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let e = parse_book_row(&roll, ",Lynch,Vote,,1,1.Oki").unwrap_err();
        assert!(e.contains("expected one of NextBallot"), "{e}");
        let e = parse_book_row(&roll, ",Plato,Voted,,1,1.Oki").unwrap_err();
        assert!(e.contains("not a priest"), "{e}");
        let e = parse_book_row(&roll, ",Lynch,Voted,,x,1.Oki").unwrap_err();
        assert!(e.contains("expected a number"), "{e}");
        let e = parse_book_row(&roll, ",Ann,Petition,").unwrap_err();
        assert!(e.contains("needs its text"), "{e}");
        let e = parse_book_row(&roll, ",Ann,Petition,Wine, bread").unwrap_err();
        assert!(e.contains("column 5") && e.contains("quotes"), "{e}");
        let e = parse_book_row(&roll, ",Lynch,Voted,,1,1.Oki,,,,,extra").unwrap_err();
        assert!(e.contains("11 columns"), "{e}");
    }
}
