//! One CSV row as text: writing fields (guarded against spreadsheet formulas), and reading a row
//! back, joined from as many lines as a quoted decree with newlines spans.
//!
//! Decree texts hold anything a person types, newlines included, so one row can span several
//! lines. A row is complete when its double quotes balance (RFC 4180 doubles a quote inside a
//! quoted field, so a complete row always holds an even number of them).

use std::borrow::Cow;

use crate::files::{guard_field, unguard_field};

/// Writes one row: fields joined by commas, quoted where needed, text fields guarded against
/// formula injection (OWASP), ending in `\n`.
pub fn write_row(fields: &[&str], guarded: &[bool]) -> String {
    let guarded_at = |i: usize| guarded.get(i).copied().unwrap_or(false);
    let plain = |f: &str| !f.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if fields.len() > 1 && fields.iter().all(|f| plain(f)) {
        // The common case, with no field to quote: fields joined by commas, as csv would write.
        let mut row = String::with_capacity(fields.iter().map(|f| f.len() + 2).sum());
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                row.push(',');
            }
            if guarded_at(i) {
                row.push_str(&guard_field(f));
            } else {
                row.push_str(f);
            }
        }
        row.push('\n');
        return row;
    }
    let mut out = Vec::with_capacity(64);
    {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
        let record: Vec<Cow<'_, str>> = fields
            .iter()
            .zip(guarded.iter().chain(std::iter::repeat(&false)))
            .map(|(f, &g)| if g { guard_field(f) } else { Cow::Borrowed(*f) })
            .collect();
        w.write_record(record.iter().map(|f| f.as_bytes())).expect("writing to memory cannot fail");
        w.flush().expect("writing to memory cannot fail");
    }
    String::from_utf8(out).expect("fields are UTF-8")
}

/// Splits one complete row into its fields (the row may hold newlines inside quotes). Fewer
/// fields than the header names are allowed: the missing ones are empty.
pub fn read_row(text: &str) -> Result<Vec<Cow<'_, str>>, String> {
    if !text.is_empty() && !text.contains(['"', '\n', '\r']) {
        // Without quotes a one-line row's fields are exactly its comma-separated pieces (RFC 4180).
        return Ok(text.split(',').map(Cow::Borrowed).collect());
    }
    ROW_READER.with_borrow_mut(|r| {
        let buffer = r.get_mut().get_mut();
        buffer.clear();
        buffer.extend_from_slice(text.as_bytes());
        r.seek_raw(std::io::SeekFrom::Start(0), csv::Position::new())
            .map_err(|e| format!("not a CSV row: {e}"))?;
        let mut record = csv::StringRecord::new();
        match r.read_record(&mut record) {
            Ok(true) => Ok(record.iter().map(|f| Cow::Owned(f.to_string())).collect()),
            Ok(false) => Ok(Vec::new()),
            Err(e) => Err(format!("not a CSV row: {e}")),
        }
    })
}

thread_local! {
    /// One CSV reader per thread, refilled for each row: building a reader builds its parser's
    /// state machine, which costs far more than reading one row (tens of microseconds).
    static ROW_READER: std::cell::RefCell<csv::Reader<std::io::Cursor<Vec<u8>>>> = {
        let mut r =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(std::io::Cursor::new(Vec::new()));
        // The first seek reads the (empty) header row, so that no later seek consumes a row as one.
        r.seek_raw(std::io::SeekFrom::Start(0), csv::Position::new()).expect("seeking in memory");
        std::cell::RefCell::new(r)
    };
}

/// Takes a guarded text field back to what the person typed.
pub fn unguard(field: &str) -> &str {
    unguard_field(field)
}

/// Joins lines into rows: a row whose quotes do not yet balance continues on the next line.
#[derive(Debug, Default)]
pub struct RowJoiner {
    pending: String,
    first_line: u64,
    abandoned: Option<(u64, String)>,
}

/// Whether a line begins as every row a program writes does, with its RFC 3339 `at` and a comma
/// (`2026-11-23T21:48:24.127Z,`). Such a line starts a new row even when a quote is open before
/// it: a row by hand with an unbalanced quote, or written in two halves with another writer's row
/// between them, must not swallow every row after it.
fn starts_a_row(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() > 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4], b[7], b[10]) == (b'-', b'-', b'T')
        && text[..text.len().min(40)].contains(',')
}

impl RowJoiner {
    /// Adds a line (without its newline), numbered `line`; returns a complete row and the number
    /// of the line it began on, once its quotes balance. A line that is a whole row by itself
    /// comes back borrowed, uncopied.
    pub fn push_borrowed<'a>(&mut self, line: u64, text: &'a str) -> Option<(u64, Cow<'a, str>)> {
        self.abandon_if_cut_short(text);
        if self.pending.is_empty() && !text.contains('"') {
            return Some((line, Cow::Borrowed(text)));
        }
        self.push(line, text).map(|(first, row)| (first, Cow::Owned(row)))
    }

    /// Adds a line (without its newline), numbered `line`; returns a complete row and the number
    /// of the line it began on, once its quotes balance.
    pub fn push(&mut self, line: u64, text: &str) -> Option<(u64, String)> {
        self.abandon_if_cut_short(text);
        if self.pending.is_empty() {
            self.first_line = line;
        } else {
            self.pending.push('\n');
        }
        self.pending.push_str(text);
        if self.pending.bytes().filter(|&b| b == b'"').count() % 2 == 0 {
            Some((self.first_line, std::mem::take(&mut self.pending)))
        } else {
            None
        }
    }

    /// A row with an open quote is cut short by a line that starts a new row: it is set aside, for
    /// [`RowJoiner::take_abandoned`] to report.
    fn abandon_if_cut_short(&mut self, text: &str) {
        if !self.pending.is_empty() && starts_a_row(text) {
            self.abandoned = Some((self.first_line, std::mem::take(&mut self.pending)));
        }
    }

    /// The last row given up as cut short (its first line and text), if any since the last call.
    pub fn take_abandoned(&mut self) -> Option<(u64, String)> {
        self.abandoned.take()
    }

    /// Forgets a row in progress (the file was replaced or truncated under it).
    pub fn reset(&mut self) {
        self.pending.clear();
    }

    /// Whether a row is waiting for its closing quote.
    pub fn is_waiting(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_survives_a_round_trip_through_a_row() {
        let texts =
            ["plain", "a, b", "say \"aye\"", "two\nlines", "Λῐνχ∂'s tax", "=1+2", "-3", "@x", "'=y", ""];
        for text in texts {
            let row = write_row(&["Voted", text, "7"], &[false, true, false]);
            assert!(row.ends_with('\n'));
            let mut joiner = RowJoiner::default();
            let mut complete = None;
            for (i, line) in row.trim_end_matches('\n').split('\n').enumerate() {
                complete = joiner.push(i as u64 + 1, line);
            }
            let (first, joined) = complete.expect("the row completes on its last line");
            assert_eq!(first, 1);
            let fields = read_row(&joined).unwrap();
            assert_eq!(unguard(&fields[1]), text, "row {row:?}");
            assert_eq!(fields[2], "7");
        }
    }

    #[test]
    fn the_fast_paths_agree_with_csv() {
        for fields in [vec!["a", "", "b c", "'=x"], vec!["", "", ""], vec!["x,y", "z"], vec!["q\"", ""]] {
            let fast = write_row(&fields, &[true, true, true, true]);
            let mut slow = Vec::new();
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut slow);
            let guarded: Vec<String> = fields.iter().map(|f| guard_field(f).into_owned()).collect();
            w.write_record(&guarded).unwrap();
            drop(w);
            assert_eq!(fast, String::from_utf8(slow).unwrap(), "{fields:?}");
            let back = read_row(fast.trim_end_matches('\n')).unwrap();
            assert_eq!(back, guarded, "{fast:?}");
        }
    }

    /// Found by `parliament chaos` (trial 1069): a row written in two halves, with a messenger's
    /// quoted row between them, left a quote open and the priest stopped reading his book.
    #[test]
    fn an_unbalanced_quote_does_not_swallow_the_rows_after_it() {
        let mut j = RowJoiner::default();
        assert_eq!(j.push(2, ",Bob,Petition,\"half a row"), None);
        assert_eq!(j.push(3, "and its other half, with \"one\" more quote"), None);
        let next = "2026-11-23T21:48:24.127Z,Toueg,NextBallot,,0,1.Toueg,,,,";
        assert_eq!(j.push(4, next), Some((4, next.to_string())), "a program's row starts afresh");
        let (line, cut) = j.take_abandoned().expect("the open row is reported");
        assert!(line == 2 && cut.starts_with(",Bob"), "{cut}");
        let quoted = "2026-11-23T21:48:24.128Z,Toueg,Success,\"a, b\",1,,p,,,";
        assert_eq!(
            j.push_borrowed(5, quoted).map(|(n, r)| (n, r.into_owned())),
            Some((5, quoted.to_string()))
        );
        assert_eq!(j.take_abandoned(), None);
    }

    #[test]
    fn formulas_are_guarded_in_the_file() {
        let row = write_row(&["=HYPERLINK(\"x\")"], &[true]);
        assert!(row.starts_with("\"'="), "{row}");
    }

    #[test]
    fn short_rows_have_empty_missing_fields() {
        assert_eq!(read_row(",Ann,Petition,Wine may not be watered").unwrap().len(), 4);
    }

    #[test]
    fn the_reused_reader_reads_each_row_afresh() {
        assert_eq!(read_row("\"open, quote").unwrap(), ["open, quote"]);
        assert_eq!(read_row("a,\"b\"\"c\",d").unwrap(), ["a", "b\"c", "d"]);
        assert_eq!(read_row("").unwrap(), Vec::<String>::new());
        assert_eq!(read_row("x\ny").unwrap(), ["x"], "one row only");
        assert_eq!(read_row("z").unwrap(), ["z"]);
    }
}
