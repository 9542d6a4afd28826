//! Two more of the paper's scenes, played by real priests on real files: `two-presidents` (§2.4:
//! two priests who cannot hear each other both believe they preside; progress slows, agreement
//! holds) and `vacation` (§3.3.1: Ωκι back from a long absence; with the naive rule, the last
//! name leads at once while he copies decrees; with ours, he catches up first).

use std::collections::BTreeMap;
use std::path::Path;

use super::stage::Stage;
use super::{Played, book_on_file, ledger_rows, page_rows, petition};
use crate::priest::{Config, Record};

/// §2.4: Ωκι and Tωυγ cannot hear each other, so both preside, outbidding each other's ballots.
pub fn two_presidents(dir: &Path) -> anyhow::Result<Played> {
    let names = ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"];
    let mut s = Stage::new(dir, &names, Config::new(5))?;
    let (oki, toueg) = (s.id("Oki"), s.id("Toueg"));
    s.cut(oki, toueg);
    s.say("Ωκι (Oki) and Tωυγ (Toueg) cannot hear each other: each takes himself for the last name, and presides.");
    let laws: Vec<_> = (1..=6).map(petition).collect();
    let mut both = 0;
    for tick in 0..36 {
        if let Some(law) = laws.get(tick / 3).filter(|_| tick % 3 == 0) {
            s.petition(tick % 5, law)?;
        }
        s.run(1)?;
        let presides = |q: usize| s.priest(q).is_some_and(|p| p.presidency().is_some());
        both += u64::from(presides(oki) && presides(toueg));
    }
    s.say(format!("For {both} ticks both preside at once, each outbidding the other's ballots."));
    s.release_all();
    s.say("The messengers find their way again; Tωυγ, the last name, is heard by all.");
    let all_in = |s: &Stage| {
        (0..5)
            .all(|q| laws.iter().all(|l| s.priest(q).is_some_and(|p| p.durable().passed.contains_key(&l.id))))
    };
    let ticks = s.run_until(all_in, 200)?;
    s.say(match ticks {
        0 => "Every petition had passed in every ledger already: two presidents slowed the Parliament, never split it.".to_string(),
        t => format!("{t} ticks later every petition has passed in every ledger."),
    });

    let mut played = Played::new(s);
    played.check("both presided at once", both > 0);
    let tried = |name: &str| -> anyhow::Result<usize> {
        Ok(ledger_rows(dir, &played.roll, name)?.iter().filter(|r| matches!(r, Record::Tried { .. })).count())
    };
    let (oki_tried, toueg_tried) = (tried("Oki")?, tried("Toueg")?);
    played.told.push(format!("Ωκι tried {oki_tried} ballots, Tωυγ {toueg_tried}."));
    played.check(
        "ledgers/Oki.csv and ledgers/Toueg.csv both hold Tried rows",
        oki_tried > 0 && toueg_tried > 0,
    );
    let mut books = Vec::new();
    for name in names {
        books.push(book_on_file(dir, &played.roll, name)?);
    }
    let mut at: BTreeMap<u64, Vec<_>> = BTreeMap::new();
    books.iter().flatten().for_each(|(n, d)| at.entry(*n).or_default().push(d.clone()));
    played.check(
        "agreement: every ledger holding decree n holds the same decree",
        at.values().all(|ds| ds.windows(2).all(|w| w[0] == w[1])),
    );
    let passed = laws
        .iter()
        .all(|l| books.iter().all(|b| b.iter().filter(|(_, d)| d.petition() == Some(l)).count() == 1));
    played.check("every petition is exactly one decree in every ledger", passed);
    let rejected = page_rows(dir, &played.roll)?.iter().filter(|(_, m)| m.kind() == "Rejected").count();
    played.told.push(format!("The pages hold {rejected} Rejected rows: the price of two presidents."));
    Ok(played)
}

/// §3.3.1 with our rule: a priest far behind catches up before he leads.
pub fn vacation(dir: &Path) -> anyhow::Result<Played> {
    vacation_with(dir, false)
}

/// §3.3.1 with the paper's naive rule: the last name leads at once, however far behind.
pub fn vacation_naive(dir: &Path) -> anyhow::Result<Played> {
    vacation_with(dir, true)
}

/// How many decrees pass while Ωκι is away.
const AWAY: usize = 60;

fn vacation_with(dir: &Path, naive: bool) -> anyhow::Result<Played> {
    let mut config = Config::new(3);
    // A slow copyist: two decrees an inquiry.
    config.catch_up_batch = 2;
    if naive {
        config.behind_max = u64::MAX / 4;
    }
    let behind_max = config.behind_max;
    let mut s = Stage::new(dir, &["Dwork", "Lynch", "Oki"], config)?;
    let (dwork, lynch, oki) = (s.id("Dwork"), s.id("Lynch"), s.id("Oki"));
    s.leave(oki);
    s.lose_to_absent = true;
    s.say(format!("Ωκι (Oki), the last name, is away. Λῐνχ∂ (Lynch) presides over ∆φωρκ (Dwork) and passes {AWAY} decrees. The messengers find no one at Ωκι's door, and write nothing in his messagebook."));
    s.elect(lynch)?;
    let laws: Vec<_> = (1..=AWAY).map(petition).collect();
    s.pass(lynch, &laws)?;
    let heartbeat = s.config.heartbeat_ticks;
    s.run(heartbeat)?;
    s.come_back(oki)??;
    s.hop_per_tick = true;
    s.say(if naive {
        format!("Ωκι returns. By the naive rule the last name leads at once, {AWAY} decrees behind.")
    } else {
        format!(
            "Ωκι returns. By our rule he may lead only once he is within {behind_max} decrees of the others."
        )
    });
    s.petition(lynch, &petition(AWAY + 1))?;
    let id = petition(AWAY + 1).id;
    let passed = |s: &Stage| {
        [dwork, lynch].iter().all(|&q| s.priest(q).is_some_and(|p| p.durable().passed.contains_key(&id)))
    };
    let ticks = s.run_until(passed, 200)?;
    s.say(format!(
        "A petition handed to Λῐνχ∂ as Ωκι returned passes as decree {} in {ticks} ticks.",
        AWAY + 1
    ));
    let leads = s.run_until(|s| s.priest(oki).is_some_and(|p| p.presidency().is_some()), 200)?;
    let known = s.priest(oki).map_or(0, |p| p.durable().known);
    s.say(format!(
        "Ωκι presides {} ticks after his return, his ledger holding {known} decrees.",
        ticks + leads
    ));
    let caught_up = |s: &Stage| (0..3).all(|q| s.book(q).len() == AWAY + 1);
    s.run_until(caught_up, 200)?;

    let mut played = Played::new(s);
    let rows = ledger_rows(dir, &played.roll, "Oki")?;
    let tried = rows.iter().position(|r| matches!(r, Record::Tried { .. }));
    let copied =
        rows[..tried.unwrap_or(rows.len())].iter().filter(|r| matches!(r, Record::Decree { .. })).count();
    played.told.push(match tried {
        Some(_) => format!("Ωκι tried his first ballot after copying {copied} of the {AWAY} decrees."),
        None => format!("Ωκι never tried a ballot; he copied {copied} decrees."),
    });
    if naive {
        played.check(
            "Ωκι led before he had copied the decrees he missed",
            tried.is_some() && (copied as usize) < AWAY,
        );
    } else {
        played.check(
            format!("Ωκι tried no ballot before he was within {behind_max} decrees"),
            tried.is_none() || copied as u64 + behind_max >= AWAY as u64,
        );
    }
    let passer = passing_ballot_of(dir, &played.roll, AWAY as u64 + 1)?;
    if naive {
        played.check(
            format!("the Parliament waited for Ωκι: decree {} passed in his ballot, not Λῐνχ∂'s", AWAY + 1),
            passer.as_deref() == Some("Oki"),
        );
    } else {
        played.check(
            format!("the Parliament did not wait for Ωκι: Λῐνχ∂'s ballot passed decree {}", AWAY + 1),
            passer.as_deref() == Some("Lynch"),
        );
    }
    let books: Vec<_> = ["Dwork", "Lynch", "Oki"]
        .iter()
        .map(|n| book_on_file(dir, &played.roll, n))
        .collect::<Result<_, _>>()?;
    played.check(
        format!("every ledger holds the same {} decrees", AWAY + 1),
        books.iter().all(|b| b.len() == AWAY + 1 && *b == books[0]),
    );
    played.told.push(format!(
        "Ticks from his return: decree {} passed after {ticks}, he presided after {}.",
        AWAY + 1,
        ticks + leads
    ));
    Ok(played)
}

/// Whose ballot decree `decree_no` was last voted in, in any ledger (the president asks only a
/// majority set to vote, §2.3 step 3, so one priest's ledger may hold no vote for it).
fn passing_ballot_of(
    dir: &Path,
    roll: &crate::books::Roll,
    decree_no: u64,
) -> anyhow::Result<Option<String>> {
    let mut ballot = None;
    for name in roll.names() {
        let rows = ledger_rows(dir, roll, name)?;
        let latest = rows.iter().filter_map(|r| match r {
            Record::Voted(v) if v.decree_no == decree_no => Some(v.ballot),
            _ => None,
        });
        ballot = ballot.max(latest.max());
    }
    Ok(ballot.map(|b| roll.name(b.priest).to_string()))
}
