//! `parliament bench --law-books N,...`: a Chamber that sits for a year (§3.3.2). For each count of
//! decrees it lays out a Chamber of five priests who sat and one who was away throughout as it stands after that many decrees, written straight
//! through the format code (law pages, and a live volume at its longest: a restatement of the
//! decrees kept in the back, then as many again with their votes, the moment before the next
//! close), then restores every priest through the one path a priest returning to the Chamber
//! takes (`books::volumes::restore_priest`), and measures the live files.
//!
//! A priest away for the whole Chamber's life (his ledger holds only his first promise) is then
//! brought back as the runtime does: restored, caught up from the furthest law book
//! (`chamber::catch_up`), handed a BeginBallot for the next decree; the time until his Voted row is
//! ready is the time until he votes again. Closed volumes are not written: no restore reads them.

use std::fs;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::books::Roll;
use crate::books::lawbook::write_law_page;
use crate::books::layout::{LEDGERS, law_page_path, lawbook_dir, ledger_path};
use crate::books::ledger_read::restated_row;
use crate::books::ledger_rows::{LEDGER_HEADER, ledger_row};
use crate::books::volumes::restore_priest;
use crate::chamber::catch_up::catch_up_from_law_books;
use crate::chamber::runtime::chamber_config;
use crate::names::chamber_names;
use crate::priest::{BallotNumber, Decree, DecreeNo, Input, Message, Petition, PriestId, Record, Step, Vote};

/// One Chamber of the long-ledger bench.
#[derive(Debug, Serialize)]
pub struct LongLedgers {
    /// Decrees the Chamber has passed.
    pub decrees: u64,
    /// Decrees kept in the back of each ledger (`PARLIAMENT_VOLUME_DECREES`).
    pub back: u64,
    /// Restoring one priest, median and slowest of the five, in seconds.
    pub restore_p50_s: f64,
    /// The slowest of the five.
    pub restore_max_s: f64,
    /// Bytes of the five live volumes (`ledgers/*.csv`).
    pub live_bytes: u64,
    /// Bytes of one priest's law book.
    pub law_book_bytes: u64,
    /// A priest away for every decree: restore, law book copied, Voted for the next decree.
    pub away_voting_again_s: f64,
    /// Of that, copying the law book.
    pub away_copy_s: f64,
    /// Reading which petitions a law book made law, done once, on the first petition after a
    /// restore (`chamber::law_index`).
    pub law_index_s: f64,
}

fn law(no: DecreeNo) -> Decree {
    if no.is_multiple_of(100) {
        Decree::OliveDay
    } else {
        Decree::Law(Petition::new(&format!("bench/{no}"), &format!("The olive tax is {no} drachmas per ton")))
    }
}

/// Lays out the Chamber of `decrees` decrees in `dir` (empty) and measures it.
pub fn long_ledgers(dir: &Path, decrees: u64) -> anyhow::Result<LongLedgers> {
    let back = chamber_config(5).volume_decrees.max(1);
    anyhow::ensure!(decrees >= 2 * back, "{decrees} decrees is fewer than two volumes of {back}");
    let names = chamber_names(6);
    let roll = Roll::new(names.clone()).map_err(anyhow::Error::msg)?;
    let (away, sitting) = (names[5].clone(), &names[..5]);
    fs::create_dir_all(dir.join(LEDGERS))?;
    fs::create_dir_all(dir.join(crate::books::layout::PRESENCE))?;
    for name in &names {
        fs::create_dir_all(crate::books::layout::book_dir(dir, name))?;
    }
    fs::write(crate::books::layout::roll_path(dir), format!("priest\n{}\n", names.join("\n")))?;
    let through = decrees - 2 * back;
    // The law book, in pages of `back` decrees, written once and linked for every priest (the
    // same bytes each would have written).
    let first = &sitting[0];
    let mut start = 1;
    while start <= through {
        let end = (start + back - 1).min(through);
        let laws: Vec<_> = (start..=end).map(|no| (no, law(no))).collect();
        write_law_page(dir, first, &laws)?;
        for other in &sitting[1..] {
            fs::create_dir_all(lawbook_dir(dir, other))?;
            fs::hard_link(law_page_path(dir, first, start, end), law_page_path(dir, other, start, end))?;
        }
        start = end + 1;
    }
    let at = chrono::Utc::now();
    let stamp = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let president = BallotNumber::new(7, PriestId(4));
    for (i, name) in sitting.iter().enumerate() {
        let mut text = String::with_capacity((3 * back as usize + 8) * 90);
        text.push_str(LEDGER_HEADER);
        text.push('\n');
        if i == 4 {
            text.push_str(&ledger_row(&roll, at, &Record::Tried { ballot: president }));
        }
        text.push_str(&ledger_row(&roll, at, &Record::Promised { ballot: president }));
        for no in through + 1..=through + back {
            text.push_str(&ledger_row(&roll, at, &Record::Decree { decree_no: no, decree: law(no) }));
        }
        text.push_str(&restated_row(&stamp, through));
        for no in through + back + 1..=decrees {
            let vote = Vote { decree_no: no, ballot: president, decree: law(no) };
            text.push_str(&ledger_row(&roll, at, &Record::Voted(vote)));
            text.push_str(&ledger_row(&roll, at, &Record::Decree { decree_no: no, decree: law(no) }));
        }
        fs::write(ledger_path(dir, name), text)?;
    }
    let old = BallotNumber::new(1, PriestId(0));
    fs::write(
        ledger_path(dir, &away),
        format!("{LEDGER_HEADER}\n{}", ledger_row(&roll, at, &Record::Promised { ballot: old })),
    )?;

    let mut took = Vec::new();
    for (i, name) in sitting.iter().enumerate() {
        let started = Instant::now();
        let restored = restore_priest(dir, &roll, name, chamber_config(6))?;
        took.push(started.elapsed().as_secs_f64());
        let d = restored.priest.durable();
        anyhow::ensure!(d.known == decrees, "{name} restored knowing {} of {decrees} decrees", d.known);
        anyhow::ensure!((i == 4) == d.last_tried.is_some(), "{name} lost his lastTried");
    }
    took.sort_by(f64::total_cmp);
    let started = Instant::now();
    let probe = crate::priest::PetitionId("bench/none".into());
    let index = crate::chamber::law_index::LawIndex::default().passed(dir, first, through, &probe);
    let law_index_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(index?.is_none(), "a petition no law book holds was found");
    let live_bytes = sitting.iter().map(|n| fs::metadata(ledger_path(dir, n)).map_or(0, |m| m.len())).sum();
    let law_book_bytes = fs::read_dir(lawbook_dir(dir, first))?
        .filter_map(Result::ok)
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();

    // The priest away for every decree comes back.
    let started = Instant::now();
    let mut priest = restore_priest(dir, &roll, &away, chamber_config(6))?.priest;
    let copy = Instant::now();
    catch_up_from_law_books(dir, &roll, &away, &mut priest)?;
    let away_copy_s = copy.elapsed().as_secs_f64();
    let mut step = Step::default();
    let begun = Message::BeginBallot { ballot: president, decree_no: decrees + 1, decree: law(decrees + 1) };
    priest.handle(Input::Message { from: PriestId(4), message: begun }, &mut step);
    let voted = step.records.iter().any(|r| matches!(r, Record::Voted(v) if v.decree_no == decrees + 1));
    let away_voting_again_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(voted, "the priest back from away did not vote: {:?}", step.records);
    anyhow::ensure!(priest.law_through() == through, "he did not take the law book");
    // His copy was the bench's own: the Chamber is left as it stood before his return, so that
    // `parliament priest` can bring him back for real.
    fs::remove_dir_all(lawbook_dir(dir, &away))?;
    Ok(LongLedgers {
        decrees,
        back,
        restore_p50_s: took[took.len() / 2],
        restore_max_s: took[took.len() - 1],
        live_bytes,
        law_book_bytes,
        away_voting_again_s,
        away_copy_s,
        law_index_s,
    })
}
