//! A guard against CSV injection (OWASP, "CSV Injection"): a spreadsheet that opens a ledger or a
//! messagebook must not run a text field as a formula.
//!
//! OWASP lists the characters that make a spreadsheet treat a cell as a formula when they come
//! first: `=`, `+`, `-`, `@`, tab (0x09) and carriage return (0x0D). A field that starts with one
//! of them is written with a single quote `'` in front, which spreadsheets show as text.
//!
//! # The rule, exactly reversible
//!
//! Call the six characters above *dangerous*, and call them plus `'` itself *guarded*.
//!
//! - Writing ([`guard_field`]): if the field starts with a guarded character, put one `'` in front.
//!   Otherwise leave it alone.
//! - Reading ([`unguard_field`]): if the field starts with `'` and the character after it is
//!   guarded, drop that first `'`. Otherwise leave it alone.
//!
//! Guarding the quote too is what makes the rule reversible: a field that really starts with `'=`
//! is written `''=`, so reading strips exactly one quote and gets `'=` back, never `=`.
//!
//! | field         | written        | read back     |
//! |---------------|----------------|---------------|
//! | `=SUM(A1:A9)` | `'=SUM(A1:A9)` | `=SUM(A1:A9)` |
//! | `-1`          | `'-1`          | `-1`          |
//! | `'=x`         | `''=x`         | `'=x`         |
//! | `'hello`      | `''hello`      | `'hello`      |
//! | `''`          | `'''`          | `''`          |
//! | `hello`       | `hello`        | `hello`       |
//! | (empty)       | (empty)        | (empty)       |
//!
//! Proof sketch: if the field `s` starts with a guarded character, the written text is `'` + `s`,
//! whose second character is guarded, so reading strips the one quote we added. Otherwise the
//! written text is `s` itself, which does not start with `'` (that is guarded), so reading leaves
//! it alone.
//!
//! Text a person typed into a file by hand reads leniently: `'hello` stays `'hello`, since `h` is
//! not guarded.
//!
//! Apply the guard to free-text fields only. A numeric column holding `-1` would be written `'-1`,
//! which is correct and reversible but no longer looks like a number to someone reading the file.
//! Quoting commas, double quotes and newlines is the CSV writer's job, not this module's.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula when they come first (OWASP).
pub const DANGEROUS_FIRST_CHARS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The guard character; spreadsheets show a cell that starts with it as text.
pub const GUARD_CHAR: char = '\'';

/// True when `c`, coming first in a field, needs a guard in front: one of
/// [`DANGEROUS_FIRST_CHARS`], or [`GUARD_CHAR`] itself (so that guarding stays reversible).
fn is_guarded(c: char) -> bool {
    c == GUARD_CHAR || DANGEROUS_FIRST_CHARS.contains(&c)
}

/// True when [`guard_field`] would change `field`, that is, when it starts with a dangerous
/// character or with `'`.
pub fn needs_guard(field: &str) -> bool {
    field.chars().next().is_some_and(is_guarded)
}

/// Returns `field` as it should be written to a CSV file: with one `'` in front when it starts
/// with a dangerous character or with `'`, unchanged otherwise. Borrows when nothing changes.
pub fn guard_field(field: &str) -> Cow<'_, str> {
    if needs_guard(field) {
        let mut guarded = String::with_capacity(field.len() + 1);
        guarded.push(GUARD_CHAR);
        guarded.push_str(field);
        Cow::Owned(guarded)
    } else {
        Cow::Borrowed(field)
    }
}

/// Returns the field a CSV file's `text` stands for: `text` without its first `'` when the
/// character after that quote is dangerous or another `'`, `text` unchanged otherwise.
/// `unguard_field(&guard_field(s)) == s` for every string `s`.
pub fn unguard_field(text: &str) -> &str {
    match text.strip_prefix(GUARD_CHAR) {
        Some(rest) if rest.chars().next().is_some_and(is_guarded) => rest,
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings chosen to break a careless rule: every guarded character alone, doubled, after a
    /// quote and after two quotes; CSV's own special characters; non-ASCII text.
    fn tricky_strings() -> Vec<String> {
        let mut strings: Vec<String> = [
            "",
            "hello",
            "a,b",
            "\"quoted\"",
            "\"",
            "line\nbreak",
            "\n",
            "\r\n",
            " =leading space",
            "Παξός",
            "ψήφισμα=νόμος",
            "🏛️ parliament",
            "🏛",
            "=",
            "'",
            "''",
            "'''",
            "'a",
            "a'",
            "=1+2",
            "=HYPERLINK(\"http://x\",\"click\")",
            "@SUM(A1)",
            "+1",
            "-1",
            "\t\t",
            "\r",
            "\u{feff}=bom",
            "＝fullwidth",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut firsts: Vec<char> = DANGEROUS_FIRST_CHARS.to_vec();
        firsts.push(GUARD_CHAR);
        for &a in &firsts {
            for &b in &firsts {
                for tail in ["", "x", "'", "=", "é"] {
                    strings.push(format!("{a}{tail}"));
                    strings.push(format!("{a}{b}{tail}"));
                    strings.push(format!("'{a}{b}{tail}"));
                    strings.push(format!("''{a}{tail}"));
                }
            }
        }
        strings
    }

    #[test]
    fn round_trip_is_exact_for_tricky_strings() {
        let strings = tricky_strings();
        for s in &strings {
            let written = guard_field(s);
            assert_eq!(unguard_field(&written), s, "round trip of {s:?} via {written:?}");
            // Guarding twice and unguarding twice is also exact: the rule composes.
            let twice = guard_field(&written).into_owned();
            assert_eq!(unguard_field(unguard_field(&twice)), s, "double round trip of {s:?}");
        }
        assert!(strings.len() > 200, "only {} strings tried", strings.len());
    }

    #[test]
    fn written_fields_never_start_with_a_dangerous_character() {
        for s in tricky_strings() {
            let written = guard_field(&s);
            let first = written.chars().next();
            assert!(
                !first.is_some_and(|c| DANGEROUS_FIRST_CHARS.contains(&c)),
                "{s:?} was written as {written:?}"
            );
        }
    }

    #[test]
    fn examples_from_the_module_doc() {
        let table = [
            ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
            ("-1", "'-1"),
            ("'=x", "''=x"),
            ("'hello", "''hello"),
            ("''", "'''"),
            ("hello", "hello"),
            ("", ""),
        ];
        for (field, written) in table {
            assert_eq!(guard_field(field), written, "guarding {field:?}");
            assert_eq!(unguard_field(written), field, "unguarding {written:?}");
        }
    }

    #[test]
    fn unchanged_fields_are_borrowed() {
        assert!(matches!(guard_field("Paxos"), Cow::Borrowed(_)));
        assert!(matches!(guard_field("=Paxos"), Cow::Owned(_)));
    }

    #[test]
    fn hand_typed_quotes_read_leniently() {
        assert_eq!(unguard_field("'hello"), "'hello");
        assert_eq!(unguard_field("'"), "'");
        assert_eq!(unguard_field("'=x"), "=x");
    }
}
