//! Membership decrees in words (§3.3.6): the one reader and writer of their texts.
//!
//! ```text
//! Dan is now a legislator                 weight 1
//! Dan is now a legislator of weight 2     weight 2
//! Dan is no longer a legislator           weight 0: he learns the decrees, his vote counts for nothing
//! ```
//!
//! Wherever the books read a petition's or a decree's text (ledgers, messagebooks, law books), a
//! text in one of these forms naming a priest on the roll is a membership petition: its
//! [`Petition::change`] is read from the words, the name turned into his place through the roll.

use super::layout::ROLL;
use super::roll::{MAX_WEIGHT, Roll};
use crate::priest::{DecreeNo, Petition, RollChange, RollLaw, Weights};

const NOW: &str = " is now a legislator";
const OF_WEIGHT: &str = " of weight ";
const NO_LONGER: &str = " is no longer a legislator";

/// The text of a membership decree giving `name` this weight (0: no longer a legislator).
pub fn membership_text(name: &str, weight: u32) -> String {
    match weight {
        0 => format!("{name}{NO_LONGER}"),
        1 => format!("{name}{NOW}"),
        w => format!("{name}{NOW}{OF_WEIGHT}{w}"),
    }
}

/// The name and weight a membership text says, or None if the text is not one. A text in the
/// form with a weight that is not a number from 0 to [`MAX_WEIGHT`] is an error.
pub fn membership_words(text: &str) -> Option<Result<(&str, u32), String>> {
    // Every form holds this word, and most texts are no membership text: one search says so.
    static LEGISLATOR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("legislator"));
    LEGISLATOR.find(text.as_bytes())?;
    let text = text.trim().trim_end_matches('.');
    let name_ok = |name: &str| !name.is_empty() && crate::names::check_name(name).is_ok();
    if let Some(name) = text.strip_suffix(NO_LONGER) {
        return name_ok(name).then_some(Ok((name, 0)));
    }
    if let Some(name) = text.strip_suffix(NOW) {
        return name_ok(name).then_some(Ok((name, 1)));
    }
    let (head, weight) = text.rsplit_once(OF_WEIGHT)?;
    let name = head.strip_suffix(NOW).filter(|n| name_ok(n))?;
    Some(match weight.trim().parse::<u32>() {
        Ok(w) if w <= MAX_WEIGHT => Ok((name, w)),
        _ => Err(format!(
            "{text:?} gives {name} the weight {weight:?}; a weight is a whole number from 0 to {MAX_WEIGHT}"
        )),
    })
}

/// What a membership text does to the roll: Ok(None) if it is not one, an error if it names a
/// priest not on the roll (or gives a bad weight), saying what to do.
pub fn roll_change(roll: &Roll, text: &str) -> Result<Option<RollChange>, String> {
    let Some(words) = membership_words(text) else { return Ok(None) };
    let (name, weight) = words?;
    let priest = roll.id(name).ok_or_else(|| {
        let admit = if weight == 0 {
            String::new()
        } else if weight == 1 {
            format!("; to give a new priest a place and petition for him, use parliament admit {name}")
        } else {
            format!("; to give a new priest a place and petition for him, use parliament admit {name} --weight {weight}")
        };
        format!("{text:?} names {name}, who is not on the roll ({ROLL}: {}){admit}", roll.names().join(", "))
    })?;
    Ok(Some(RollChange { priest, weight }))
}

/// A petition with this id and text, a membership petition if the text says so; refused if it
/// names a priest not on the roll.
pub fn read_petition(roll: &Roll, id: &str, text: &str) -> Result<Petition, String> {
    Ok(match roll_change(roll, text)? {
        Some(change) => Petition::membership(id, text, change),
        None => Petition::new(id, text),
    })
}

/// A petition read from a priest's own rows (a ledger, a message, a law page): a membership text
/// naming a priest this roll does not hold is read as a plain law. The roll is appended to and
/// synced before any row names a new priest, so a reader with a fresh roll never meets one; only
/// a row written by hand can.
pub fn petition_in_rows(roll: &Roll, id: &str, text: &str) -> Petition {
    read_petition(roll, id, text).unwrap_or_else(|_| Petition::new(id, text))
}

/// A roll as a person reads it: the legislators with their weights, `Ann 2, Bob 1, Dan 1`.
pub fn describe(roll: &Roll, weights: &Weights) -> String {
    let seats: Vec<String> = weights
        .legislators()
        .map(|p| format!("{} {}", roll.names().get(p.index()).map_or("?", String::as_str), weights.weight(p)))
        .collect();
    if seats.is_empty() { "no legislator".to_string() } else { seats.join(", ") }
}

/// One roll of a Chamber's history: in force from decree `from` on, made by the membership decree
/// `by` (None: as laid out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollInForce {
    /// The first decree number it is in force for.
    pub from: DecreeNo,
    /// The membership decree that made it, with its number.
    pub by: Option<(DecreeNo, RollChange)>,
    /// Each place's weight.
    pub weights: Weights,
}

/// Every roll of a Chamber's history, from its layout through the membership decrees known.
pub fn history(law: &RollLaw) -> Vec<RollInForce> {
    let mut out = vec![RollInForce { from: 1, by: None, weights: law.in_force(1).clone() }];
    for (&m, &c) in law.changes().iter().filter(|(m, _)| !law.is_void(**m)) {
        let from = m + law.alpha();
        out.push(RollInForce { from, by: Some((m, c)), weights: law.in_force(from).clone() });
    }
    out
}

/// The lines telling a Chamber's rolls: "as laid out: Ann 2, Bob 1", then "from decree 13 on:
/// Ann 2, Bob 1, Dan 1 (decree 10: Dan is now a legislator)".
pub fn history_lines(roll: &Roll, law: &RollLaw) -> Vec<String> {
    let name = |c: RollChange| roll.names().get(c.priest.index()).map_or("?", String::as_str).to_string();
    let void = law.changes().iter().filter(|(m, _)| law.is_void(**m)).map(|(&m, &c)| {
        let text = membership_text(&name(c), c.weight);
        (m, format!("decree {m}: {text}: void, it would have left the Chamber no legislator"))
    });
    let mut lines: Vec<(DecreeNo, String)> = history(law)
        .iter()
        .map(|r| (r.by.map_or(0, |(m, _)| m), history_line(roll, law, r)))
        .chain(void)
        .collect();
    lines.sort_by_key(|(m, _)| *m);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// One roll of [`history`], told.
fn history_line(roll: &Roll, law: &RollLaw, r: &RollInForce) -> String {
    match r.by {
        None => format!("as laid out (alpha {}): {}", law.alpha(), describe(roll, &r.weights)),
        Some((m, c)) => {
            let name = roll.names().get(c.priest.index()).map_or("?", String::as_str);
            format!(
                "from decree {} on: {} (decree {m}: {})",
                r.from,
                describe(roll, &r.weights),
                membership_text(name, c.weight)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::PriestId;

    #[test]
    fn membership_texts_are_read_back_as_written() {
        for w in [0, 1, 2, 7] {
            assert_eq!(membership_words(&membership_text("Dan", w)), Some(Ok(("Dan", w))));
        }
        assert_eq!(membership_words("Dan is now a legislator."), Some(Ok(("Dan", 1))));
        assert_eq!(membership_words("Wine may not be watered"), None);
        assert_eq!(membership_words("The olive tax is now a legislator"), None, "not a name");
        assert!(membership_words("Dan is now a legislator of weight x").unwrap().is_err());
    }

    #[test]
    fn a_membership_text_naming_no_priest_on_the_roll_says_to_admit_him() {
        let roll = Roll::new(vec!["Ann".into(), "Bob".into(), "Dan".into()]).unwrap();
        let p = read_petition(&roll, "p", "Dan is now a legislator of weight 2").unwrap();
        assert_eq!(p.change, Some(RollChange { priest: PriestId(2), weight: 2 }));
        assert_eq!(
            read_petition(&roll, "p", "Bob is no longer a legislator").unwrap().change.unwrap().weight,
            0
        );
        let e = read_petition(&roll, "p", "Zed is now a legislator").unwrap_err();
        assert!(e.contains("not on the roll") && e.contains("parliament admit Zed"), "{e}");
        assert_eq!(petition_in_rows(&roll, "p", "Zed is now a legislator").change, None);
    }

    #[test]
    fn the_rolls_are_told_with_the_decree_from_which_each_is_in_force() {
        let roll = Roll::laid_out(vec![("Ann".into(), 2), ("Bob".into(), 1), ("Dan".into(), 0)]).unwrap();
        let mut law = RollLaw::new(Weights(roll.weights().to_vec()), 3);
        law.note(10, RollChange { priest: PriestId(2), weight: 1 });
        assert_eq!(
            history_lines(&roll, &law),
            [
                "as laid out (alpha 3): Ann 2, Bob 1",
                "from decree 13 on: Ann 2, Bob 1, Dan 1 (decree 10: Dan is now a legislator)"
            ]
        );
    }
}
