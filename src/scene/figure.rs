//! `ballots`: Figure 1 of §2.1 played by five real priests, A, B, Γ, Δ and E (`Gamma` and `Delta`
//! in file names), on real files: ballots 2, 5, 14, 27 and 29, each with the figure's quorum (the
//! priests whose LastVote reaches the president) and voters (those who read his BeginBallot and
//! vote), every decree chosen by the president's own B3 from the votes reported to him.
//!
//! A president picks the round above every ballot he has tried, promised or seen, so to reach the
//! figure's numbers he first tries rounds nobody hears of: he writes `Tried` in his ledger and
//! leaves before his messenger sets out (the lost slip of §2.3), which B1 allows, and which begins
//! no ballot. The figure's quorums and voters, as the paper's text reads them:
//!
//! ```text
//! ballot decree quorum      voters   why (B3)
//!   2     α     A B Γ Δ     Δ        the first ballot: any decree
//!   5     β     A B Γ E     Γ        no one in the quorum voted before: any decree
//!  14     α     B Δ E       B E      Δ voted in 2 for α
//!  27     β     A Γ Δ       Γ Δ      Γ voted in 5 for β, later than Δ's vote in 2
//!  29     β     B Γ Δ       B        Γ and Δ voted in 27 for β, later than B's vote in 14
//! ```

use std::path::Path;

use super::stage::Stage;
use super::{Played, law, ledger_rows, petition};
use crate::priest::{Config, Input, Message, Record};

/// One ballot of the figure: number, president, quorum, voters, and the decree B3 gives it.
struct Ballot {
    round: u64,
    president: &'static str,
    quorum: &'static [&'static str],
    voters: &'static [&'static str],
    decree: usize,
}

const FIGURE: [Ballot; 5] = [
    Ballot {
        round: 2,
        president: "Delta",
        quorum: &["A", "B", "Gamma", "Delta"],
        voters: &["Delta"],
        decree: 1,
    },
    Ballot { round: 5, president: "Gamma", quorum: &["A", "B", "Gamma", "E"], voters: &["Gamma"], decree: 4 },
    Ballot { round: 14, president: "B", quorum: &["B", "Delta", "E"], voters: &["B", "E"], decree: 1 },
    Ballot {
        round: 27,
        president: "Gamma",
        quorum: &["A", "Gamma", "Delta"],
        voters: &["Gamma", "Delta"],
        decree: 4,
    },
    Ballot { round: 29, president: "B", quorum: &["B", "Gamma", "Delta"], voters: &["B"], decree: 4 },
];

fn greek(name: &str) -> &str {
    match name {
        "Gamma" => "Γ",
        "Delta" => "Δ",
        other => other,
    }
}

/// The round of the ballot priest `p` last tried, from his ledger as he holds it.
fn last_tried(s: &Stage, p: usize) -> u64 {
    s.priest(p).and_then(|q| q.durable().last_tried).map_or(0, |b| b.round)
}

/// Ticks priest `p` alone until he writes a new `Tried` row; no one else moves.
fn tick_until_he_tries(s: &mut Stage, p: usize) -> anyhow::Result<()> {
    let before = last_tried(s, p);
    for _ in 0..100 {
        s.handle(p, Input::Tick)?;
        s.ticks += 1;
        if last_tried(s, p) > before || s.priest(p).is_none() {
            return Ok(());
        }
    }
    anyhow::bail!("{} never tried a ballot", s.roll.names()[p])
}

/// Figure 1 of §2.1.
pub fn ballots(dir: &Path) -> anyhow::Result<Played> {
    let mut s = Stage::new(dir, &["A", "B", "Delta", "E", "Gamma"], Config::new(5))?;
    s.say("Five priests, A, B, Γ, Δ and E, and the five ballots of Figure 1, all on decree 1.");
    for b in &FIGURE {
        let p = s.id(b.president);
        s.drop_where(|_| true);
        s.leave(p);
        s.come_back(p)??;
        let mut burned = 0;
        while last_tried(&s, p) + 1 < b.round {
            s.crash_after_record(p);
            tick_until_he_tries(&mut s, p)?;
            burned += 1;
        }
        // The first two presidents are handed the petitions α and β; the rest are bound by B3.
        if let Some(n) = [(2, 1), (5, 4)].iter().find(|(r, _)| *r == b.round).map(|(_, n)| *n) {
            s.petition(p, &petition(n))?;
        }
        s.drop_where(|_| true);
        tick_until_he_tries(&mut s, p)?;
        let round = last_tried(&s, p);
        anyhow::ensure!(round == b.round, "{} tried round {round}, not {}", b.president, b.round);
        let (quorum, voters) = (b.quorum, b.voters);
        let ids = |names: &[&str], s: &Stage| names.iter().map(|n| s.id(n)).collect::<Vec<_>>();
        let (q, v) = (ids(quorum, &s), ids(voters, &s));
        // NextBallot reaches the quorum, whose LastVotes reach him; then BeginBallot the voters.
        s.drop_where(|e| !(matches!(e.message, Message::NextBallot { .. }) && q.contains(&e.to.index())));
        while s
            .deliver(|e| matches!(e.message, Message::NextBallot { .. } | Message::LastVote { .. }))?
            .is_some()
        {}
        s.drop_where(|e| !(matches!(e.message, Message::BeginBallot { .. }) && v.contains(&e.to.index())));
        while s
            .deliver(|e| matches!(e.message, Message::BeginBallot { .. } | Message::Voted { .. }))?
            .is_some()
        {}
        let names = |ns: &[&str]| ns.iter().map(|n| greek(n)).collect::<Vec<_>>().join(" ");
        s.say(format!(
            "Ballot {}: {} presides{}; quorum {}; voters {}.",
            b.round,
            greek(b.president),
            if burned > 0 {
                format!(" (after {burned} rounds tried and never heard of)")
            } else {
                String::new()
            },
            names(quorum),
            names(voters)
        ));
        s.drop_where(|_| true);
    }

    let mut played = Played::new(s);
    let roll = played.roll.clone();
    for b in &FIGURE {
        let mut voted = Vec::new();
        for name in roll.names() {
            let rows = ledger_rows(dir, &roll, name)?;
            let vote = rows.iter().find_map(|r| match r {
                Record::Voted(v) if v.ballot.round == b.round => Some(v.decree.clone()),
                _ => None,
            });
            if let Some(d) = vote {
                voted.push((name.clone(), d));
            }
        }
        let who: Vec<&str> = voted.iter().map(|(n, _)| n.as_str()).collect();
        let right = who == b.voters.to_vec().tap_sort() && voted.iter().all(|(_, d)| *d == law(b.decree));
        let decree = if b.decree == 1 { "α" } else { "β" };
        played.check(
            format!(
                "ballot {}: voters {} voted for {decree}, as the figure says",
                b.round,
                b.voters.iter().map(|n| greek(n)).collect::<Vec<_>>().join(" ")
            ),
            right,
        );
    }
    for b in &FIGURE {
        let mut quorum: Vec<String> = vec![b.president.to_string()];
        for name in roll.names().iter().filter(|n| n.as_str() != b.president) {
            let rows = super::page_rows_of(dir, &roll, b.president, name)?;
            let promised =
                rows.iter().any(|m| matches!(m, Message::LastVote { ballot, .. } if ballot.round == b.round));
            if promised {
                quorum.push(name.clone());
            }
        }
        let expected = b.quorum.iter().map(|n| n.to_string()).collect::<Vec<_>>().tap_sort();
        let names = b.quorum.iter().map(|n| greek(n)).collect::<Vec<_>>().join(" ");
        played.check(
            format!(
                "ballot {}: LastVotes from quorum {names} in {}'s messagebook",
                b.round,
                greek(b.president)
            ),
            quorum.tap_sort() == expected,
        );
    }
    let decrees =
        roll.names().iter().map(|n| super::book_on_file(dir, &roll, n)).collect::<Result<Vec<_>, _>>()?;
    played.check("no ballot succeeded: no ledger holds a decree", decrees.iter().all(Vec::is_empty));
    Ok(played)
}

/// Sorting in an expression.
trait TapSort {
    fn tap_sort(self) -> Self;
}

impl<T: Ord> TapSort for Vec<T> {
    fn tap_sort(mut self) -> Self {
        self.sort();
        self
    }
}
