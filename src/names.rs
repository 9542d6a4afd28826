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

/// Checks a priest's name: 1 to 64 letters, digits, `-` or `_`, so that `ledgers/<name>.csv`
/// can never leave its folder. Returns what is wrong, if anything.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(format!("priest name {name:?} must be 1 to 64 characters long"));
    }
    match name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        Some(c) => Err(format!("priest name {name:?} holds {c:?}; use only letters, digits, '-' and '_'")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
