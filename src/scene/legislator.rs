//! `legislator` (§3.3.6): "3252: Στρωνγ is now a legislator". The priests who may pass decree n
//! are those named by the law as of decree n − 3; a president may not try decree n + 3 before he
//! knows every decree through n; and after the decree that seated Στρωνγ, decrees 3253 and 3254
//! were olive-day decrees, so that the new roll was in force at once.

use std::path::Path;

use super::stage::Stage;
use super::{Played, book_on_file, ledger_rows, petition};
use crate::books::membership::{membership_text, read_petition};
use crate::priest::{Config, Decree, Record};

/// α: the paper's 3.
const ALPHA: u64 = 3;

/// Στρωνγ is given a place, a decree makes him a legislator, the president fills the two numbers
/// after it with olive-day decrees, and Στρωνγ votes on the next.
pub fn legislator(dir: &Path) -> anyhow::Result<Played> {
    let config = Config { alpha: ALPHA, ..Config::new(3) };
    let mut s = Stage::growing(dir, &["Dwork", "Lynch", "Toueg"], &["Strong"], config)?;
    let toueg = s.id("Toueg");
    s.say("Tωυγ (Toueg), the last name, presides over ∆φωρκ (Dwork) and Λῐνχ∂ (Lynch). α is 3: the priests who pass decree n are those named by the law as of decree n − 3 (§3.3.6).");
    s.elect(toueg)?;
    s.pass(toueg, &[petition(1), petition(2)])?;
    s.say(
        "Decrees 1 and 2 pass: \"Lamps must use only olive oil\", \"The olive tax is 3 drachmas per ton\".",
    );
    let strong = s.seat("Strong")?;
    s.say("Στρωνγ (Strong) is given a place on the roll (roll.csv: Strong,0) and a ledger: he learns the decrees, but is no legislator yet.");
    let text = membership_text("Strong", 1);
    let admission = read_petition(&s.roll, "paper-strong", &text).map_err(anyhow::Error::msg)?;
    s.pass(toueg, &[admission])?;
    let m = s.book(toueg).iter().find(|(_, d)| d.roll_change().is_some()).map_or(0, |(n, _)| *n);
    s.say(format!("{m}: \"{text}\" (the paper's 3252). It is in force from decree {} on.", m + ALPHA));
    s.run(6)?;
    s.pass(toueg, &[petition(3)])?;
    let book = s.book(toueg);
    let third = book.iter().find(|(_, d)| *d == super::law(3)).map_or(0, |(n, _)| *n);
    let olive = |n: u64| book.iter().any(|(no, d)| *no == n && *d == Decree::OliveDay);
    s.say(if olive(m + 1) && olive(m + 2) {
        format!(
            "Tωυγ, with nothing waiting, fills decrees {} and {} with olive-day decrees (the paper's 3253 and 3254), so the new roll is in force at once.",
            m + 1,
            m + 2
        )
    } else {
        format!("Decrees {} and {} are not olive-day decrees: the new roll is not in force at once.", m + 1, m + 2)
    });
    s.say(format!("\"Cheese inspectors must taste every cheese\" passes as decree {third}."));
    s.run_until(|s| (0..4).all(|q| s.book(q).len() as u64 >= third), 60)?;

    let mut played = Played::new(s);
    let book = book_on_file(dir, &played.roll, "Toueg")?;
    let at = |n: u64| book.iter().find(|(no, _)| *no == n).map(|(_, d)| d.clone());
    played.check(
        format!("ledgers/Toueg.csv: decree {m} is \"{text}\""),
        at(m).is_some_and(|d| d.roll_change().is_some_and(|c| c.priest.index() == strong && c.weight == 1)),
    );
    played.check(
        format!("decrees {} and {} are olive-day decrees (3253 and 3254)", m + 1, m + 2),
        at(m + 1) == Some(Decree::OliveDay) && at(m + 2) == Some(Decree::OliveDay),
    );
    played.check(format!("the next petition passes as decree {}", m + ALPHA), third == m + ALPHA);
    let strong_votes = ledger_rows(dir, &played.roll, "Strong")?
        .iter()
        .any(|r| matches!(r, Record::Voted(v) if v.decree_no == third && v.decree == super::law(3)));
    played.check(format!("ledgers/Strong.csv holds Στρωνγ's vote on decree {third}"), strong_votes);
    let strong_book = book_on_file(dir, &played.roll, "Strong")?;
    played.check("Στρωνγ's ledger holds every decree, those before his seat too", strong_book == book);
    Ok(played)
}
