//! One CSV row as text: writing fields (guarded against spreadsheet formulas), and reading a row
//! back, joined from as many lines as a quoted decree with newlines spans.
//!
//! Decree texts hold anything a person types, newlines included, so one row can span several
//! lines. A row is complete when its double quotes balance (RFC 4180 doubles a quote inside a
//! quoted field, so a complete row always holds an even number of them).

use crate::files::{guard_field, unguard_field};

/// Writes one row: fields joined by commas, quoted where needed, text fields guarded against
/// formula injection (OWASP), ending in `\n`.
pub fn write_row(fields: &[&str], guarded: &[bool]) -> String {
    let mut out = Vec::with_capacity(64);
    {
        let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
        let record: Vec<std::borrow::Cow<'_, str>> = fields
            .iter()
            .zip(guarded.iter().chain(std::iter::repeat(&false)))
            .map(|(f, &g)| if g { guard_field(f) } else { std::borrow::Cow::Borrowed(*f) })
            .collect();
        w.write_record(record.iter().map(|f| f.as_bytes())).expect("writing to memory cannot fail");
        w.flush().expect("writing to memory cannot fail");
    }
    String::from_utf8(out).expect("fields are UTF-8")
}

/// Splits one complete row into its fields (the row may hold newlines inside quotes). Fewer
/// fields than the header names are allowed: the missing ones are empty.
pub fn read_row(text: &str) -> Result<Vec<String>, String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match r.read_record(&mut record) {
        Ok(true) => Ok(record.iter().map(str::to_string).collect()),
        Ok(false) => Ok(Vec::new()),
        Err(e) => Err(format!("not a CSV row: {e}")),
    }
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
}

impl RowJoiner {
    /// Adds a line (without its newline), numbered `line`; returns a complete row and the number
    /// of the line it began on, once its quotes balance.
    pub fn push(&mut self, line: u64, text: &str) -> Option<(u64, String)> {
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
    fn formulas_are_guarded_in_the_file() {
        let row = write_row(&["=HYPERLINK(\"x\")"], &[true]);
        assert!(row.starts_with("\"'="), "{row}");
    }

    #[test]
    fn short_rows_have_empty_missing_fields() {
        assert_eq!(read_row(",Ann,Petition,Wine may not be watered").unwrap().len(), 4);
    }
}
