//! Three of the paper's scenes, played by real priests on real files: `olive-day` (§3.1, ∆φωρκ
//! fills a gap with an olive-day decree), `amnesia` (§1 and §2.3: Tωυγ loses his ledger and must
//! not vote; the rest carry on) and `lost-slip` (§2.3: a priest leaves right after writing his
//! ledger, before his messenger sets out). Each ends by reading the files it left and checking
//! that the outcome is the paper's.

use std::path::Path;

use super::stage::Stage;
use super::{Played, book_on_file, law, page_rows, petition};
use crate::books::layout::ledger_path;
use crate::priest::{Config, Decree, Envelope, Message, Record};

/// §3.1: a new president who finds a vote at n + 2 and nothing at n + 1 fills n + 1 with an
/// olive-day decree, never with a new petition.
pub fn olive_day(dir: &Path) -> anyhow::Result<Played> {
    let mut s = Stage::new(dir, &["Dijkstra", "Dwork", "Lynch"], Config::new(3))?;
    let (dijkstra, dwork, lynch) = (s.id("Dijkstra"), s.id("Dwork"), s.id("Lynch"));
    s.say("Λῐνχ∂ (Lynch), the last name, presides over ∆ῐκστρα (Dijkstra) and ∆φωρκ (Dwork).");
    s.elect(lynch)?;
    s.pass(lynch, &[petition(1)])?;
    s.say("Decree 1 passes: \"Lamps must use only olive oil\".");
    s.petition(lynch, &petition(2))?;
    s.petition(lynch, &petition(3))?;
    s.say("Λῐνχ∂ is handed two petitions and begins ballots for decrees 2 and 3 at once (§3.2).");
    let at_3 = |e: &Envelope| {
        e.to.index() == dijkstra && matches!(e.message, Message::BeginBallot { decree_no: 3, .. })
    };
    s.deliver(at_3)?;
    let lost = s.drop_where(|_| true);
    s.say(format!("Only ∆ῐκστρα reads the BeginBallot for decree 3 and votes for it; {lost} other messages are never read."));
    s.leave(lynch);
    s.say("Λῐνχ∂ leaves the Chamber. ∆φωρκ, the last name left, becomes president after the timeout.");
    s.petition(dwork, &petition(4))?;
    s.say("∆φωρκ is handed a new petition, \"Wine may not be watered\".");
    let ticks = s.run_until(|s| [dijkstra, dwork].iter().all(|&q| s.book(q).len() == 4), 60)?;
    s.say(format!(
        "In {ticks} ticks ∆φωρκ's LastVotes report ∆ῐκστρα's vote at 3 and nothing at 2: B3 binds 3, and 2 becomes an olive-day decree; the new petition takes 4."
    ));
    s.come_back(lynch)??;
    s.run_until(|s| s.book(lynch).len() == 4, 30)?;
    s.say("Λῐνχ∂ returns with his own vote at 2, and learns olive day there instead.");

    let expected = vec![(1, law(1)), (2, Decree::OliveDay), (3, law(3)), (4, law(4))];
    let mut played = Played::new(s);
    for name in ["Dijkstra", "Dwork", "Lynch"] {
        let book = book_on_file(dir, &played.roll, name)?;
        played.check(
            format!("ledgers/{name}.csv: 1 olive oil, 2 olive day, 3 cheese, 4 wine"),
            book == expected,
        );
    }
    let lynch_votes_2 = ledger_rows(dir, &played.roll, "Lynch")?
        .iter()
        .any(|r| matches!(r, Record::Voted(v) if v.decree_no == 2 && v.decree == law(2)));
    played.check("Λῐνχ∂'s ledger holds his vote for the olive tax at 2, which never passed", lynch_votes_2);
    let petitioned_at_2 = page_rows(dir, &played.roll)?.iter().any(|(_, m)| {
        matches!(m, Message::BeginBallot { decree_no: 2, decree: Decree::Law(p), ballot } if p.id.0.as_ref() == "paper-4" && played.roll.name(ballot.priest) == "Dwork")
    });
    played.check("∆φωρκ never put the new petition at the gap", !petitioned_at_2);
    Ok(played)
}

/// A priest whose ledger is lost must not vote: he might have forgotten a promise. The rest, a
/// majority set still, carry on.
pub fn amnesia(dir: &Path) -> anyhow::Result<Played> {
    let mut s = Stage::new(dir, &["Dwork", "Lynch", "Toueg"], Config::new(3))?;
    let (dwork, lynch, toueg) = (s.id("Dwork"), s.id("Lynch"), s.id("Toueg"));
    s.say("Tωυγ (Toueg), the last name, presides over ∆φωρκ (Dwork) and Λῐνχ∂ (Lynch).");
    s.elect(toueg)?;
    s.pass(toueg, &[petition(1)])?;
    s.say("Decree 1 passes: \"Lamps must use only olive oil\".");
    s.leave(toueg);
    std::fs::remove_file(ledger_path(dir, "Toueg"))?;
    s.say("Tωυγ leaves the Chamber, and his ledger is lost: ledgers/Toueg.csv is gone.");
    let gone = s.now();
    let refused = match s.come_back(toueg)? {
        Err(why) => {
            s.say(format!("Tωυγ returns and refuses to vote: {why}"));
            true
        }
        Ok(()) => false,
    };
    s.petition(lynch, &petition(2))?;
    let ticks = s.run_until(|s| [dwork, lynch].iter().all(|&q| s.book(q).len() == 2), 80)?;
    s.say(format!("Λῐνχ∂ and ∆φωρκ, a majority set of three, pass decree 2 without him in {ticks} ticks."));

    let mut played = Played::new(s);
    played.check("Tωυγ refused to come back without his ledger", refused);
    for name in ["Dwork", "Lynch"] {
        let book = book_on_file(dir, &played.roll, name)?;
        played.check(
            format!("ledgers/{name}.csv holds decrees 1 and 2"),
            book == vec![(1, law(1)), (2, law(2))],
        );
    }
    played.check(
        "ledgers/Toueg.csv is still missing: nothing was written for him",
        !ledger_path(dir, "Toueg").exists(),
    );
    let spoke_after = page_times(dir, &played.roll, "Toueg")?.into_iter().any(|at| at > gone);
    played.check("no message from Tωυγ was written after his ledger was lost", !spoke_after);
    played.told.push(
        "`parliament audit` finds his ledger missing, and can no longer vouch for the rows he wrote in others' pages: his ledger was their proof.".to_string(),
    );
    Ok(played)
}

/// §2.3: a priest leaves right after writing his vote, before Voted leaves. His vote is in his
/// ledger, so he comes back bound by it; the president's retry reaches him and he answers from
/// his ledger without writing the vote again.
pub fn lost_slip(dir: &Path) -> anyhow::Result<Played> {
    let mut s = Stage::new(dir, &["Dwork", "Lynch", "Toueg"], Config::new(3))?;
    let (dwork, lynch, toueg) = (s.id("Dwork"), s.id("Lynch"), s.id("Toueg"));
    s.say("Tωυγ (Toueg) presides over ∆φωρκ (Dwork) and Λῐνχ∂ (Lynch).");
    s.elect(toueg)?;
    s.petition(toueg, &petition(1))?;
    s.say("Tωυγ begins a ballot for decree 1, \"Lamps must use only olive oil\".");
    s.drop_where(|e| e.to.index() == lynch && e.message.kind() == "BeginBallot");
    s.say("Λῐνχ∂'s BeginBallot is never read.");
    s.crash_after_record(dwork);
    s.deliver(|e| e.to.index() == dwork && e.message.kind() == "BeginBallot")?;
    s.say("∆φωρκ reads his, writes his vote in his ledger, and leaves before his messenger sets out.");
    let ticks = s.run_until(|s| (0..3).all(|q| s.book(q).len() == 1), 60)?;
    s.say(format!(
        "Tωυγ asks again; ∆φωρκ answers from his ledger, and decree 1 passes after {ticks} ticks."
    ));

    let mut played = Played::new(s);
    let rows = ledger_rows(dir, &played.roll, "Dwork")?;
    let votes = rows.iter().filter(|r| matches!(r, Record::Voted(v) if v.decree_no == 1)).count();
    played.check("ledgers/Dwork.csv holds his vote on decree 1 once", votes == 1);
    let voted_at = voted_time(dir, &played.roll)?;
    let sent = page_times_of(dir, &played.roll, "Toueg", "Dwork", "Voted")?;
    played.check(
        "no Voted from ∆φωρκ was written when his vote was: the first left only after he came back",
        voted_at.is_some_and(|v| sent.first().is_some_and(|first| *first > v)),
    );
    for name in ["Dwork", "Lynch", "Toueg"] {
        let book = book_on_file(dir, &played.roll, name)?;
        played.check(format!("ledgers/{name}.csv holds decree 1"), book == vec![(1, law(1))]);
    }
    Ok(played)
}

use super::{ledger_rows, page_times, page_times_of};

/// When ∆φωρκ wrote his vote on decree 1.
fn voted_time(
    dir: &Path,
    roll: &crate::books::Roll,
) -> anyhow::Result<Option<chrono::DateTime<chrono::Utc>>> {
    let read = crate::books::ledger_read::read_ledger(&ledger_path(dir, "Dwork"), roll)?;
    Ok(read
        .rows
        .iter()
        .find(|(_, r)| matches!(&r.record, Record::Voted(v) if v.decree_no == 1))
        .and_then(|(_, r)| r.at))
}
