//! The priests' names: ASCII in file names and ballot numbers, the paper's spelling in the
//! narrative (the table at the end of `PAPER.md`), and the check that keeps a name inside its
//! folder.

/// The paper's priests, in the order a Chamber takes them: the first five are the default Chamber.
const PAPER: [(&str, &str); 11] = [
    ("Lynch", "Λῐνχ∂"),
    ("Fischer", "Φισ∂ρ"),
    ("Toueg", "Tωυγ"),
    ("Dwork", "∆φωρκ"),
    ("Oki", "Ωκι"),
    ("Dijkstra", "∆ῐκστρα"),
    ("Gouda", "Γωυδα"),
    ("Liskov", "Λισκωφ"),
    ("Parnas", "Παρνας"),
    ("Strong", "Στρωνγ"),
    ("Lampson", "Λαµπσων"),
];

/// The names of a Chamber of `priests` priests, in alphabetical order (a priest's place in this
/// list is his `PriestId`, so "the later name" of §2.4 is the larger id). The paper's names come
/// first; past eleven, `Priest12`, `Priest13`...
pub fn chamber_names(priests: usize) -> Vec<String> {
    let mut names: Vec<String> = PAPER.iter().take(priests).map(|(a, _)| a.to_string()).collect();
    names.extend((PAPER.len() + 1..=priests).map(|i| format!("Priest{i}")));
    names.sort();
    names
}

/// How the narrative writes a priest's name: the paper's spelling when the paper has one.
pub fn paper_spelling(name: &str) -> &str {
    PAPER.iter().find(|(a, _)| *a == name).map_or(name, |(_, greek)| greek)
}

/// The Latin spelling the files use for one of the paper's names written as the paper does
/// (`Λῐνχ∂` → `Lynch`).
pub fn latin_spelling(greek: &str) -> Option<&'static str> {
    PAPER.iter().find(|(_, g)| *g == greek).map(|(a, _)| *a)
}

/// Checks a priest's name: 1 to 64 ASCII letters (A-Z, a-z), digits, `-` or `_`. A name is a file
/// name (`ledgers/<name>.csv`, `messagebooks/<name>/`), so it must never leave its folder, and it
/// must read the same on every file system the Chamber's folder may be shared over. Returns what
/// is wrong, if anything, and for the paper's Greek spellings the Latin one to give instead.
/// The choice a person most likely meant by `typed` (a typo of one or two letters, or another
/// case), if any: for "did you mean" in errors.
pub fn nearest<'a>(typed: &str, choices: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    choices
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&typed, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= 2 && d < c.chars().count().max(2))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// ", did you mean X?" for `nearest`, or nothing.
pub fn did_you_mean<'a>(typed: &str, choices: impl IntoIterator<Item = &'a str>) -> String {
    nearest(typed, choices).map_or(String::new(), |c| format!("; did you mean {c}?"))
}

pub fn check_name(name: &str) -> Result<(), String> {
    const ALLOWED: &str = "a name is a file name (ledgers/<name>.csv, messagebooks/<name>/), so it may \
                           hold only ASCII letters A-Z and a-z, digits 0-9, '-' and '_'";
    if let Some(latin) = latin_spelling(name) {
        return Err(format!(
            "priest name {name:?} is the paper's spelling of {latin}: {ALLOWED}. Give {latin}; \
             the story still calls him {name}"
        ));
    }
    if name.is_empty() || name.chars().count() > 64 {
        return Err(format!("priest name {name:?} must be 1 to 64 characters long"));
    }
    match name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        Some(c) => Err(format!("priest name {name:?} holds {c:?}: {ALLOWED}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A newcomer's `--to Lync` and `Petiton` were answered with no hint.
    #[test]
    fn a_typo_of_one_or_two_letters_is_guessed_and_a_stranger_is_not() {
        let names = chamber_names(5);
        let names = || names.iter().map(String::as_str);
        assert_eq!(nearest("Lync", names()), Some("Lynch"));
        assert_eq!(nearest("fsicher", names()), Some("Fischer"));
        assert_eq!(nearest("Zeno", names()), None);
        assert_eq!(nearest("Ok", ["Oki"]), Some("Oki"));
        assert_eq!(nearest("X", ["Oki"]), None);
        assert_eq!(did_you_mean("Petiton", ["Petition", "Voted"]), "; did you mean Petition?");
    }

    #[test]
    fn the_default_chamber_is_the_papers_five_in_name_order() {
        assert_eq!(chamber_names(5), ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"]);
        assert_eq!(chamber_names(13).len(), 13);
        let names = chamber_names(13);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "ids follow name order");
        assert_eq!(paper_spelling("Lynch"), "Λῐνχ∂");
        assert_eq!(paper_spelling("Priest12"), "Priest12");
    }

    #[test]
    fn names_cannot_leave_their_folder() {
        for bad in ["", "../etc", "a/b", "a b", "Λῐνχ∂", "x.csv", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["Lynch", "priest-2", "P_3"] {
            assert!(check_name(good).is_ok());
        }
    }

    #[test]
    fn a_greek_name_is_refused_saying_which_characters_a_name_may_hold_and_the_latin_spelling() {
        for (latin, greek) in PAPER {
            let why = check_name(greek).unwrap_err();
            assert!(why.contains("ASCII letters A-Z and a-z, digits 0-9, '-' and '_'"), "{why}");
            assert!(why.contains("file name") && why.contains(&format!("Give {latin}")), "{why}");
            assert!(check_name(latin).is_ok());
        }
        let why = check_name("Σωκρατης").unwrap_err();
        assert!(why.contains("holds 'Σ'") && why.contains("ASCII letters"), "{why}");
        assert!(!why.contains("Give"), "no Latin spelling for a name the paper lacks: {why}");
    }
}
