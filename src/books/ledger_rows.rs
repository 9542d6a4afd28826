//! The ledger's CSV rows (`ledgers/<priest>.csv`): the priest's durable record (§2.3, Appendix A1).
//!
//! ```text
//! at,entry,ballot,decree_no,decree,petition
//! 2026-11-23T21:40:00.120Z,Tried,1.Toueg,,,
//! 2026-11-23T21:40:00.121Z,Promised,1.Toueg,,,
//! 2026-11-23T21:40:00.180Z,Voted,1.Toueg,1,Lamps must use only olive oil,paper-1
//! 2026-11-23T21:40:00.185Z,Decree,,1,Lamps must use only olive oil,paper-1
//! 2026-11-23T21:40:00.190Z,Decree,,2,olive day,
//! ```
//!
//! `entry` is the paper's word: `Tried` (lastTried), `Promised` (nextBal), `Voted` (prevVote),
//! `Decree` (a decree passed). An empty `petition` marks an olive-day decree. Ballots are written
//! `round.Priest`.

use chrono::{DateTime, Utc};

use super::csvrow::{read_row, unguard, write_row};
use super::roll::Roll;
use crate::priest::{BallotNumber, Decree, DecreeNo, Record, Vote};

/// The ledger's header row.
pub const LEDGER_HEADER: &str = "at,entry,ballot,decree_no,decree,petition";

/// The decree column's text for an olive-day decree (its `petition` column is empty).
pub const OLIVE_DAY: &str = "olive day";

/// The decree number of a `Decree` row, read from its first four columns alone (`at`, `entry`,
/// `ballot` and `decree_no` never hold a comma or a quote; the decree's text comes after them):
/// None for any other row, the header, or a line voided with NUL.
pub fn decree_row_number(text: &str) -> Option<DecreeNo> {
    if text.contains('\0') {
        return None;
    }
    let mut columns = text.splitn(5, ',');
    let (_at, entry, _ballot, decree_no) =
        (columns.next()?, columns.next()?, columns.next()?, columns.next()?);
    if entry == "Decree" { decree_no.parse().ok() } else { None }
}

/// The decree number and ballot column of a `Voted` row, read from its first four columns only
/// (as [`decree_row_number`]); `None` for any other line.
pub fn voted_row_key(text: &str) -> Option<(DecreeNo, &str)> {
    if text.contains('\0') {
        return None;
    }
    let mut columns = text.splitn(5, ',');
    let (_at, entry, ballot, decree_no) =
        (columns.next()?, columns.next()?, columns.next()?, columns.next()?);
    if entry == "Voted" { Some((decree_no.parse().ok()?, ballot)) } else { None }
}

/// Writes one ledger row.
pub fn ledger_row(roll: &Roll, at: DateTime<Utc>, record: &Record) -> String {
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (entry, ballot, decree_no, decree) = match record {
        Record::Tried { ballot } => ("Tried", Some(*ballot), None, None),
        Record::Promised { ballot } => ("Promised", Some(*ballot), None, None),
        Record::Voted(v) => ("Voted", Some(v.ballot), Some(v.decree_no), Some(&v.decree)),
        Record::Decree { decree_no, decree } => ("Decree", None, Some(*decree_no), Some(decree)),
    };
    let ballot = ballot.map(|b| roll.ballot(b)).unwrap_or_default();
    let decree_no = decree_no.map(|n| n.to_string()).unwrap_or_default();
    let (text, petition) = decree_fields(decree);
    write_row(&[&at, entry, &ballot, &decree_no, text, petition], &[false, false, false, false, true, true])
}

/// The `decree` and `petition` columns of a decree.
pub fn decree_fields(decree: Option<&Decree>) -> (&str, &str) {
    match decree {
        None => ("", ""),
        Some(Decree::OliveDay) => (OLIVE_DAY, ""),
        Some(Decree::Law(p)) => (&p.text, &p.id.0),
    }
}

/// Reads a decree from its `decree` and `petition` columns (already unguarded); a membership
/// text is read through the roll ([`super::membership`]).
pub fn parse_decree(roll: &Roll, text: &str, petition: &str) -> Decree {
    if petition.is_empty() {
        Decree::OliveDay
    } else {
        Decree::Law(super::membership::petition_in_rows(roll, petition, text))
    }
}

/// A ledger row read back: when it was written, and what it records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerRow {
    /// The `at` column.
    pub at: Option<DateTime<Utc>>,
    /// The row's meaning.
    pub record: Record,
}

/// Reads one ledger row; the error says what was wrong and what was expected.
pub fn parse_ledger_row(roll: &Roll, text: &str) -> Result<LedgerRow, String> {
    let f = read_row(text)?;
    if f.len() > 6 {
        return Err(format!("the row has {} columns; a ledger row has 6 ({LEDGER_HEADER})", f.len()));
    }
    let field = |i: usize| f.get(i).map_or("", |c| c.as_ref());
    let at = match field(0) {
        "" => None,
        s => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| {
                    format!("'at' is {s:?}; expected an RFC 3339 time like 2026-11-23T21:40:00.120Z")
                })?
                .with_timezone(&Utc),
        ),
    };
    let ballot = || roll.parse_ballot(field(2));
    let decree_no = || {
        field(3)
            .parse::<u64>()
            .map_err(|_| format!("'decree_no' is {:?}; expected a decree number (1, 2, 3...)", field(3)))
    };
    let decree = || parse_decree(roll, unguard(field(4)), unguard(field(5)));
    let record = match field(1) {
        "Tried" => Record::Tried { ballot: ballot()? },
        "Promised" => Record::Promised { ballot: ballot()? },
        "Voted" => Record::Voted(Vote { ballot: ballot()?, decree_no: decree_no()?, decree: decree() }),
        "Decree" => Record::Decree { decree_no: decree_no()?, decree: decree() },
        other => {
            return Err(format!("unknown entry {other:?}; expected one of Tried, Promised, Voted, Decree"));
        }
    };
    Ok(LedgerRow { at, record })
}

/// The display of a ballot number with names, for messages to people.
pub fn show_ballot(roll: &Roll, ballot: BallotNumber) -> String {
    roll.ballot(ballot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::{Petition, PriestId};

    #[test]
    fn every_entry_round_trips() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let b = BallotNumber::new(3, PriestId(2));
        let law = Decree::Law(Petition::new("paper-1", "=SUM(A1)\nand, \"more\""));
        let records = [
            Record::Tried { ballot: b },
            Record::Promised { ballot: b },
            Record::Voted(Vote { ballot: b, decree_no: 7, decree: law.clone() }),
            Record::Decree { decree_no: 7, decree: law },
            Record::Decree { decree_no: 8, decree: Decree::OliveDay },
        ];
        let at = Utc::now();
        for r in records {
            let row = ledger_row(&roll, at, &r);
            let back = parse_ledger_row(&roll, row.trim_end()).unwrap();
            assert_eq!(back.record, r, "{row}");
        }
        assert!(ledger_row(&roll, at, &Record::Tried { ballot: b }).contains(",Tried,3.Lynch,"));
    }

    #[test]
    fn bad_rows_say_what_was_expected() {
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let e = parse_ledger_row(&roll, ",Vote,1.Lynch,,,").unwrap_err();
        assert!(e.contains("expected one of Tried"), "{e}");
        let e = parse_ledger_row(&roll, ",Tried,1.Plato,,,").unwrap_err();
        assert!(e.contains("Plato"), "{e}");
        let e = parse_ledger_row(&roll, ",Decree,,seven,x,y").unwrap_err();
        assert!(e.contains("decree number"), "{e}");
    }
}
