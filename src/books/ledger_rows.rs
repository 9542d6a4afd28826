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

use super::csvrow::{plain_columns, read_row, unguard, write_row};
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
    if super::csvrow::holds_nul(text) {
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
    if super::csvrow::holds_nul(text) {
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
    parse_ledger_row_with(roll, text, &mut RowCache::default())
}

/// What a reader of many ledger rows remembers between them, so the same text is not read into
/// a new value again and again: each decree is written in every ledger, once as a vote and once
/// as a decree (ten rows for five priests), and rows written in the same millisecond share their
/// `at`. A decree read again is the same value (its petition's id and text shared, not copied),
/// so comparing it with itself later costs a pointer, not a string.
#[derive(Debug, Default)]
pub struct RowCache {
    /// The last `at` column read, and its time.
    at: Option<(String, DateTime<Utc>)>,
    /// Decrees read lately, each in the slot of its number (modulo [`DECREES_CACHED`]): the rows
    /// of one decree come close together, in every ledger. With how many places the roll had when
    /// they were read (a membership text is read through the roll, so a grown roll reads them
    /// afresh).
    decrees: Vec<Option<(DecreeNo, Decree)>>,
    roll_len: usize,
    /// The last ballot column read, and its ballot: a ledger's rows run in one ballot for
    /// thousands of rows. (A roll only grows, so a name keeps its place and the ballot its
    /// meaning.)
    ballot: Option<(String, BallotNumber)>,
}

/// How many decree numbers a [`RowCache`] keeps a slot for.
const DECREES_CACHED: usize = 8_192;

impl RowCache {
    /// A cache for a reader of many rows, with a slot for each of [`DECREES_CACHED`] decree
    /// numbers. ([`RowCache::default`] is one for a row read alone: it keeps no decree.)
    pub fn for_many_rows() -> RowCache {
        RowCache { decrees: vec![None; DECREES_CACHED], ..RowCache::default() }
    }

    /// The `at` column as a time, the last one's again if it is the same text (rows written in
    /// one step share it; a messagebook's rows too).
    pub fn at(&mut self, s: &str) -> Result<DateTime<Utc>, String> {
        if let Some((text, at)) = &self.at
            && text == s
        {
            return Ok(*at);
        }
        let at = DateTime::parse_from_rfc3339(s)
            .map_err(|_| format!("'at' is {s:?}; expected an RFC 3339 time like 2026-11-23T21:40:00.120Z"))?
            .with_timezone(&Utc);
        self.at = Some((s.to_string(), at));
        Ok(at)
    }

    /// The ballot column as a ballot number, the last one's again if it is the same text.
    fn ballot(&mut self, roll: &Roll, s: &str) -> Result<BallotNumber, String> {
        if let Some((text, ballot)) = &self.ballot
            && text == s
        {
            return Ok(*ballot);
        }
        let ballot = roll.parse_ballot(s)?;
        let mut text = self.ballot.take().map(|(t, _)| t).unwrap_or_default();
        text.clear();
        text.push_str(s);
        self.ballot = Some((text, ballot));
        Ok(ballot)
    }

    /// [`parse_decree`] of decree `decree_no`, the value read before if its slot holds the same
    /// number, petition id and text: found by the number, with no hashing of the id.
    fn decree(&mut self, roll: &Roll, decree_no: DecreeNo, text: &str, petition: &str) -> Decree {
        if petition.is_empty() {
            return Decree::OliveDay;
        }
        if self.decrees.is_empty() {
            // A row read alone ([`RowCache::default`]): nothing to share it with.
            return parse_decree(roll, text, petition);
        }
        if self.roll_len != roll.len() {
            self.decrees.fill(None);
            self.roll_len = roll.len();
        }
        let slot = &mut self.decrees[(decree_no % DECREES_CACHED as DecreeNo) as usize];
        if let Some((no, known @ Decree::Law(p))) = &*slot
            && *no == decree_no
            && *p.id.0 == *petition
            && *p.text == *text
        {
            return known.clone();
        }
        let decree = parse_decree(roll, text, petition);
        *slot = Some((decree_no, decree.clone()));
        decree
    }
}

/// [`parse_ledger_row`], remembering what it read in `cache` for the rows after it: the same
/// row reads as the same value either way.
pub fn parse_ledger_row_with(roll: &Roll, text: &str, cache: &mut RowCache) -> Result<LedgerRow, String> {
    // Most rows hold no quote and no escape: their columns are what lies between the commas,
    // which [`read_row`] would find too, only after copying them into a list of its own.
    let mut columns = [""; 6];
    match plain_columns(text, &mut columns) {
        Some(count) => parse_columns(roll, &columns, count, cache),
        None => {
            let read = read_row(text)?;
            for (column, field) in columns.iter_mut().zip(&read) {
                *column = field.as_ref();
            }
            parse_columns(roll, &columns, read.len(), cache)
        }
    }
}

/// A ledger row from its first six columns (and how many it has): what
/// [`parse_ledger_row_with`] reads once it has found them.
pub fn parse_columns(
    roll: &Roll,
    columns: &[&str; 6],
    count: usize,
    cache: &mut RowCache,
) -> Result<LedgerRow, String> {
    if count > 6 {
        return Err(format!("the row has {count} columns; a ledger row has 6 ({LEDGER_HEADER})"));
    }
    let field = |i: usize| columns[i];
    let at = match field(0) {
        "" => None,
        s => Some(cache.at(s)?),
    };
    let decree_no = || {
        field(3)
            .parse::<u64>()
            .map_err(|_| format!("'decree_no' is {:?}; expected a decree number (1, 2, 3...)", field(3)))
    };
    let record = match field(1) {
        "Tried" => Record::Tried { ballot: cache.ballot(roll, field(2))? },
        "Promised" => Record::Promised { ballot: cache.ballot(roll, field(2))? },
        "Voted" => {
            let (ballot, decree_no) = (cache.ballot(roll, field(2))?, decree_no()?);
            let decree = cache.decree(roll, decree_no, unguard(field(4)), unguard(field(5)));
            Record::Voted(Vote { ballot, decree_no, decree })
        }
        "Decree" => {
            let decree_no = decree_no()?;
            Record::Decree {
                decree_no,
                decree: cache.decree(roll, decree_no, unguard(field(4)), unguard(field(5))),
            }
        }
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

    /// A reader of many rows remembers decrees and times between them; what it reads must be
    /// what a reader of one row reads: the same decree shared, a changed text under the same
    /// petition id read as written, and a membership text read again through a grown roll.
    #[test]
    fn rows_read_through_a_cache_read_as_rows_read_alone() {
        use super::super::membership::membership_text;
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let newcomer = "Strong";
        let grown = Roll::new([roll.names(), &[newcomer.to_string()]].concat()).unwrap();
        let b = BallotNumber::new(1, PriestId(0));
        let row = |no: u64, id: &str, text: &str, ms: i64| {
            let decree = Decree::Law(Petition::new(id, text));
            let at = chrono::DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap();
            ledger_row(&roll, at, &Record::Voted(Vote { ballot: b, decree_no: no, decree }))
        };
        let admit = membership_text(newcomer, 1);
        let rows = [
            (&roll, row(1, "p1", "Lamps use olive oil", 0)),
            (&roll, row(1, "p1", "Lamps use olive oil", 0)),
            (&roll, row(2, "p1", "Lamps use whale oil", 1)),
            (&roll, row(3, "p2", &admit, 1)),
            (&grown, row(3, "p2", &admit, 2)),
            (&roll, row(4, "p3", "olive day", 2)),
        ];
        let mut cache = RowCache::for_many_rows();
        let mut read = Vec::new();
        for (roll, text) in &rows {
            let alone = parse_ledger_row(roll, text.trim_end()).unwrap();
            let cached = parse_ledger_row_with(roll, text.trim_end(), &mut cache).unwrap();
            assert_eq!(cached, alone, "{text}");
            read.push(cached);
        }
        let petition = |r: &LedgerRow| match &r.record {
            Record::Voted(v) => v.decree.petition().cloned().unwrap(),
            other => panic!("{other:?}"),
        };
        assert!(std::sync::Arc::ptr_eq(&petition(&read[0]).text, &petition(&read[1]).text), "shared");
        assert_eq!(petition(&read[3]).change, None, "a newcomer this roll does not hold: a plain law");
        assert!(petition(&read[4]).change.is_some(), "read again through the grown roll: {:?}", read[4]);
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
        // A comma too many, outside quotes or inside a row that has them, is counted alike.
        for row in [",Decree,,7,Lamps, and wicks,p-1", ",Decree,,7,\"Lamps\", and wicks,p-1"] {
            let e = parse_ledger_row(&roll, row).unwrap_err();
            assert!(e.contains("the row has 7 columns"), "{row}: {e}");
        }
        let e = parse_ledger_row(&roll, ",Decree,,7,\"Lamps, and wicks,p-1").unwrap_err();
        assert!(e.contains("never closes"), "{e}");
    }
}
