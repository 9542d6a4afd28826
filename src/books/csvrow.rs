//! One CSV row as one line: writing fields (guarded against spreadsheet formulas, with newlines
//! escaped), and reading a line back into its fields.
//!
//! # One row is one line, always
//!
//! A row's content can never change how another row is read: every row ends at the first `\n`,
//! whatever it holds. Texts hold anything a person types, so the few characters that would bend
//! the framing are written as escapes inside a field, and read back exactly:
//!
//! | character        | written |
//! |------------------|---------|
//! | newline          | `\n`    |
//! | carriage return  | `\r`    |
//! | NUL (the torn-row mark) | `\0` |
//! | backslash        | `\\`    |
//!
//! Any other backslash is read as itself (`C:\temp` stays `C:\temp`). Commas and double quotes
//! are CSV's: a field holding one is quoted, with a quote doubled inside (RFC 4180). A quote in the
//! middle of an unquoted field is just a character (`a 5" pipe`); a line whose quoted field never
//! closes is reported as such, and costs only itself.

use std::borrow::Cow;

use crate::files::{guard_field, unguard_field};

/// Whether a field needs escaping (a character from the table above).
fn needs_escape(field: &str) -> bool {
    field.bytes().any(|b| matches!(b, b'\\' | b'\n' | b'\r' | 0))
}

/// Writes the escapes of the table above.
pub fn escape(field: &str) -> Cow<'_, str> {
    if !needs_escape(field) {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len() + 8);
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Reads the escapes of the table above back; any other backslash stays.
pub fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        let escaped = match (c, chars.peek()) {
            ('\\', Some('\\')) => '\\',
            ('\\', Some('n')) => '\n',
            ('\\', Some('r')) => '\r',
            ('\\', Some('0')) => '\0',
            _ => {
                out.push(c);
                continue;
            }
        };
        chars.next();
        out.push(escaped);
    }
    Cow::Owned(out)
}

/// Writes one row as one line: fields joined by commas, text fields guarded against formula
/// injection (OWASP), every field escaped, quoted where CSV needs it, ending in `\n`.
pub fn write_row(fields: &[&str], guarded: &[bool]) -> String {
    let mut row = String::with_capacity(fields.iter().map(|f| f.len() + 2).sum::<usize>() + 1);
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        let guarded =
            if guarded.get(i).copied().unwrap_or(false) { guard_field(f) } else { Cow::Borrowed(*f) };
        let field = escape(&guarded);
        if field.contains([',', '"']) {
            row.push('"');
            row.push_str(&field.replace('"', "\"\""));
            row.push('"');
        } else {
            row.push_str(&field);
        }
    }
    row.push('\n');
    row
}

/// The parts of `text` between its commas, as `text.split(',')` gives them, found by a byte
/// search: `str::split` with a char compares each comma it finds through a call to memcmp, a
/// cost paid on every column of every row a busy reader reads.
pub fn split_commas(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match memchr::memchr(b',', t.as_bytes()) {
            Some(i) => {
                rest = Some(&t[i + 1..]);
                Some(&t[..i])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// Whether a line holds a NUL byte (what a crash can leave in a file's tail), by a vector search:
/// `str::contains` with a char searches a word at a time, and every row read is asked this.
pub fn holds_nul(text: &str) -> bool {
    memchr::memchr(0, text.as_bytes()).is_some()
}

/// Whether a line holds U+FFFD, what bytes that are no UTF-8 were read as; its first byte is
/// looked for first, by a vector search.
pub fn holds_no_character(text: &str) -> bool {
    memchr::memchr(0xEF, text.as_bytes()).is_some() && text.contains('\u{fffd}')
}

/// Whether a row holds no quote, backslash, newline or NUL: its columns are then what lies
/// between its commas, nothing quoted or escaped (most rows).
fn is_plain(text: &str) -> bool {
    memchr::memchr3(b'"', b'\\', b'\n', text.as_bytes()).is_none() && !holds_nul(text)
}

/// The columns of a row that holds no quote, backslash, newline or NUL (most rows), found in one
/// pass over its bytes: the first `N` go into `columns`, and how many there are in all is
/// returned; None for any other row, which only [`read_row`] reads.
pub fn plain_columns<'a, const N: usize>(text: &'a str, columns: &mut [&'a str; N]) -> Option<usize> {
    if !is_plain(text) {
        return None;
    }
    let bytes = text.as_bytes();
    let (mut count, mut start) = (0, 0);
    for i in memchr::memchr_iter(b',', bytes) {
        if let Some(column) = columns.get_mut(count) {
            *column = &text[start..i];
        }
        count += 1;
        start = i + 1;
    }
    if let Some(column) = columns.get_mut(count) {
        *column = &text[start..];
    }
    Some(count + 1)
}

/// Splits one line into its fields, unescaped (the guard is left for [`unguard`]). Fewer fields
/// than the header names are allowed: the missing ones are empty. The error says what was wrong.
pub fn read_row(line: &str) -> Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::with_capacity(10);
    if is_plain(line) {
        fields.extend(split_commas(line).map(Cow::Borrowed));
        return Ok(fields);
    }
    if line.contains(['\n', '\0']) {
        return Err("a row is one line, without NUL bytes".to_string());
    }
    let mut rest = line;
    let mut column = 1;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted field: up to the quote that is not doubled.
            let mut text = String::new();
            let mut i = 0;
            let bytes = quoted.as_bytes();
            loop {
                let Some(q) = quoted[i..].find('"') else {
                    return Err(format!(
                        "column {column} opens a quote that never closes on this line; a row is one line, so close the quote (\"\") or leave it out"
                    ));
                };
                text.push_str(&quoted[i..i + q]);
                i += q + 1;
                if bytes.get(i) == Some(&b'"') {
                    text.push('"');
                    i += 1;
                    continue;
                }
                break;
            }
            // Text between the closing quote and the comma is kept, as CSV readers do.
            let after = &quoted[i..];
            let end = after.find(',').unwrap_or(after.len());
            text.push_str(&after[..end]);
            fields.push(Cow::Owned(unescape(&text).into_owned()));
            if end == after.len() {
                break;
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            fields.push(unescape(&rest[..end]));
            if end == rest.len() {
                break;
            }
            rest = &rest[end + 1..];
        }
        column += 1;
    }
    Ok(fields)
}

/// Takes a guarded text field back to what the person typed.
pub fn unguard(field: &str) -> &str {
    unguard_field(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_commas_splits_as_str_split_does() {
        for text in
            ["", ",", "a", "a,b", ",a,,b,", "Λῐνχ,∂'s,tax", "2026-11-23T21:40:00.120Z,Voted,1.Toueg,1,x,p-1"]
        {
            let ours: Vec<&str> = split_commas(text).collect();
            let std: Vec<&str> = text.split(',').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn plain_columns_reads_a_plain_row_as_its_commas_split_it_and_leaves_any_other_to_read_row() {
        for text in ["", ",", "a", "a,b", ",a,,b,", "Λῐνχ,∂'s,tax", "1,2,3,4,5,6,7,8"] {
            let mut columns = [""; 3];
            let count = plain_columns(text, &mut columns).unwrap();
            let std: Vec<&str> = text.split(',').collect();
            assert_eq!(count, std.len(), "{text:?}");
            for (i, column) in columns.iter().enumerate() {
                assert_eq!(*column, std.get(i).copied().unwrap_or(""), "{text:?} column {i}");
            }
        }
        for text in ["a,\"b\"", "a,b\\c", "a\nb", "a,\0"] {
            assert_eq!(plain_columns(text, &mut [""; 3]), None, "{text:?}");
        }
        assert!(holds_nul("a\0b") && !holds_nul("ab"));
        assert!(holds_no_character("a\u{fffd}") && !holds_no_character("Λῐνχ é"));
    }

    #[test]
    fn any_text_survives_a_round_trip_through_one_line() {
        let texts = [
            "plain",
            "a, b",
            "say \"aye\"",
            "two\nlines",
            "Λῐνχ∂'s tax",
            "=1+2",
            "-3",
            "@x",
            "'=y",
            "",
            "C:\\temp\\new",
            "\\n is not a newline",
            "2026-01-01T00:00:00.000Z,Toueg,Voted\nlooks like a row",
            "\r\n\0\\",
        ];
        for text in texts {
            let row = write_row(&["Voted", text, "7"], &[false, true, false]);
            assert!(row.ends_with('\n') && row.matches('\n').count() == 1, "one line: {row:?}");
            let fields = read_row(row.trim_end_matches('\n')).unwrap();
            assert_eq!(unguard(&fields[1]), text, "row {row:?}");
            assert_eq!(fields[2], "7");
        }
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_a_character() {
        assert_eq!(read_row(",Ann,Petition,a 5\" pipe").unwrap()[3], "a 5\" pipe");
        assert_eq!(read_row("a,\"b\"\"c\",d").unwrap(), ["a", "b\"c", "d"]);
        assert_eq!(read_row("").unwrap(), [""]);
    }

    #[test]
    fn a_quote_that_never_closes_costs_only_its_own_row() {
        let e = read_row(",Bob,Petition,\"half a row").unwrap_err();
        assert!(e.contains("column 4") && e.contains("never closes"), "{e}");
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
    fn rows_agree_with_the_csv_crate_where_there_is_nothing_to_escape() {
        for fields in [vec!["a", "", "b c", "'=x"], vec!["", "", ""], vec!["x,y", "z"], vec!["q\"", ""]] {
            let ours = write_row(&fields, &[true, true, true, true]);
            let mut theirs = Vec::new();
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut theirs);
            let guarded: Vec<String> = fields.iter().map(|f| guard_field(f).into_owned()).collect();
            w.write_record(&guarded).unwrap();
            drop(w);
            assert_eq!(ours, String::from_utf8(theirs).unwrap(), "{fields:?}");
            assert_eq!(read_row(ours.trim_end_matches('\n')).unwrap(), guarded, "{ours:?}");
        }
    }
}
