//! Tests of `parliament chronicle`: the text form of the hand-made Chamber `tests/golden/clean`
//! against a golden file, the rule "ink before paper" in the order of events, forged rows drawn
//! and refused, paging past five priests, and the SVG parsed (roxmltree) with its lifelines and
//! arrows counted against the rows.

mod common;

use std::path::{Path, PathBuf};

use parliament::books::Roll;
use parliament::chronicle::{self, Chronicle, Event, Selection, What};
use parliament::priest::Config;
use parliament::scene::stage::Stage;

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

fn read(dir: &Path) -> Chronicle {
    let roll = Roll::read(dir).unwrap().expect("a Chamber");
    Chronicle::read(dir, &roll).unwrap()
}

fn text(dir: &Path, selection: Selection) -> String {
    let c = read(dir);
    chronicle::text::render(&c.roll, &chronicle::select(&c, &selection), 100)
}

/// The text of decree 1 in `clean` is the golden file, byte for byte, as the binary prints it.
#[test]
fn the_text_of_a_small_chamber_is_the_golden_one() {
    let expected = std::fs::read_to_string(golden("chronicle/clean-decree-1.txt")).unwrap();
    let out = common::parliament(&golden("clean"), &["chronicle", "--decree", "1"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        printed, expected,
        "regenerate with: parliament chronicle --dir tests/golden/clean --decree 1 > tests/golden/chronicle/clean-decree-1.txt"
    );
    assert_eq!(text(&golden("clean"), Selection::Decree(1)), expected);
    // Every row of the Chamber is in it: 10 ledger rows, 11 message and petition rows.
    assert_eq!(expected.matches('■').count() + expected.matches('★').count(), 10);
    assert_eq!(expected.matches('▶').count() + expected.matches('◀').count(), 11);
    assert_eq!(expected.matches("majority set").count(), 1, "one ballot, one moment of a majority");
    assert!(expected.contains("majority set {Dwork, Toueg} has voted in 1.Toueg on decree 1"));
    assert!(expected.contains("LastVote(1.Toueg, n=0)") && expected.contains("Success(1)"));
}

/// A ledger row comes before every message at the same instant from the same priest: the rows
/// are written before the messages they allow (§2.3).
#[test]
fn ledger_rows_come_before_the_messages_they_allow() {
    let c = read(&golden("clean"));
    let mut checked = 0;
    for (i, e) in c.events.iter().enumerate() {
        let What::Message { from, .. } = &e.what else { continue };
        let same =
            |l: &Event| matches!(&l.what, What::Ledger { priest, .. } if priest == from) && l.at == e.at;
        if let Some(j) = c.events.iter().position(same) {
            assert!(
                j < i,
                "{}:{} is drawn before its ledger row {}:{}",
                e.file,
                e.line,
                c.events[j].file,
                c.events[j].line
            );
            checked += 1;
        }
    }
    assert!(checked >= 3, "Toueg's NextBallots and Success share their rows' instants: {checked}");
    let text = text(&golden("clean"), Selection::Decree(1));
    let tried = text.find("Tried 1.Toueg").unwrap();
    let next_ballot = text.find("NextBallot(1.Toueg").unwrap();
    assert!(tried < next_ballot);
}

/// A row its sender's ledger does not back is drawn, dashed, and marked refused.
#[test]
fn a_forged_row_is_drawn_and_refused() {
    let expected = std::fs::read_to_string(golden("chronicle/provenance-decree-2.txt")).unwrap();
    let drawn = text(&golden("provenance"), Selection::Decree(2));
    assert_eq!(drawn, expected);
    assert!(drawn.contains("Voted(1.Toueg, 2) ✗ refused: forged") && drawn.contains('╌'), "{drawn}");
    let c = read(&golden("provenance"));
    let refused: Vec<&Event> =
        c.events.iter().filter(|e| matches!(&e.what, What::Message { refused: Some(_), .. })).collect();
    assert_eq!(refused.len(), 1, "only the forged row: {refused:?}");
    assert_eq!((refused[0].file.as_str(), refused[0].line), ("messagebooks/Toueg/Dwork.csv", 4));
    assert!(!text(&golden("clean"), Selection::Decree(1)).contains("refused"));
}

/// By ballot and by time window: only the rows asked for.
#[test]
fn a_ballot_and_a_window_select_their_rows() {
    let by_ballot = text(
        &golden("clean-bound"),
        Selection::Ballot(
            Roll::read(&golden("clean-bound")).unwrap().unwrap().parse_ballot("1.Lynch").unwrap(),
        ),
    );
    assert!(by_ballot.contains("Tried 1.Lynch") && !by_ballot.contains("2.Toueg"), "{by_ballot}");
    let c = read(&golden("clean"));
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
    let window = Selection::Window(t("2026-11-23T21:48:24.130Z"), t("2026-11-23T21:48:24.133Z"));
    let events = chronicle::select(&c, &window);
    assert!(events.iter().all(|e| e.at.is_some_and(|at| at >= t("2026-11-23T21:48:24.130Z"))));
    // Three Voted rows, two Voted messages, and the majority they make.
    assert_eq!(events.len(), 6, "{events:#?}");
}

/// Five priests fit in 100 columns; seven are drawn in two pages, each line within 100 columns.
#[test]
fn five_priests_fit_in_100_columns_and_more_are_paged() {
    for n in [5, 7] {
        let dir = tempfile::tempdir().unwrap();
        let names = ["Dijkstra", "Dwork", "Fischer", "Gouda", "Lynch", "Oki", "Toueg"];
        let mut stage = Stage::new(dir.path(), &names[..n], Config::new(n)).unwrap();
        let last = n - 1;
        stage.elect(last).unwrap();
        stage.pass(last, &[parliament::scene::petition(1)]).unwrap();
        let drawn = text(dir.path(), Selection::Decree(1));
        let widest = drawn.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= 100, "{n} priests: a line of {widest} columns\n{drawn}");
        assert_eq!(drawn.contains("page 2 of 2"), n == 7, "{drawn}");
        let arrows = drawn.matches('▶').count() + drawn.matches('◀').count();
        assert!(arrows >= 4 * (n - 1), "{n} priests: {arrows} arrows\n{drawn}");
    }
}

/// The SVG parses, with one lifeline per priest, one arrow per message row, and every row's time
/// and file:line in a `<title>`.
#[test]
fn the_svg_has_a_lifeline_per_priest_and_an_arrow_per_message_row() {
    for (chamber, decree) in [("clean", 1), ("provenance", 2), ("clean-bound", 2)] {
        let dir = golden(chamber);
        let file = tempfile::NamedTempFile::new().unwrap();
        let svg_path = file.path().to_str().unwrap().to_string();
        let out =
            common::parliament(&dir, &["chronicle", "--decree", &decree.to_string(), "--svg", &svg_path]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let svg = std::fs::read_to_string(&svg_path).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let class =
            |n: &roxmltree::Node, c: &str| n.attribute("class").is_some_and(|a| a.split(' ').any(|w| w == c));
        let lines: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("line")).collect();
        let c = read(&dir);
        let events = chronicle::select(&c, &Selection::Decree(decree));
        let rows =
            events.iter().filter(|e| matches!(e.what, What::Message { .. } | What::Petition { .. })).count();
        assert_eq!(lines.iter().filter(|n| class(n, "lifeline")).count(), c.roll.len(), "{chamber}");
        assert_eq!(lines.iter().filter(|n| class(n, "arrow")).count(), rows, "{chamber}");
        assert!(lines.iter().filter(|n| class(n, "arrow")).all(|n| n.attribute("marker-end").is_some()));
        let titles: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("title"))
            .filter_map(|n| n.text().map(str::to_string))
            .collect();
        for e in &events {
            let at =
                e.at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                    .unwrap_or("no time".into());
            let place = format!("{}:{}", e.file, e.line);
            assert!(
                titles.iter().any(|t| t.starts_with(&at) && t.contains(&place)),
                "{chamber}: no title for {place}"
            );
        }
        let refused = doc.descendants().filter(|n| n.has_tag_name("g") && class(n, "refused")).count();
        assert_eq!(refused, usize::from(chamber == "provenance"), "{chamber}");
    }
}

/// Fat priests (§2.2): in a Chamber laid out with Ann of weight 3 beside Bob, Cy and Dan, Ann's
/// and Bob's votes (4 of 6) are a majority set, though two of four priests are not; the chronicle
/// once counted heads and marked the majority a vote too late (or, with dismissed priests, early).
#[test]
fn the_majority_set_is_marked_by_the_weights_of_the_roll_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("roll.csv"), "priest,weight\nAnn,3\nBob,1\nCy,1\nDan,1\n").unwrap();
    std::fs::write(d.join("chamber.csv"), "setting,value\nalpha,3\n").unwrap();
    std::fs::create_dir_all(d.join("ledgers")).unwrap();
    std::fs::create_dir_all(d.join("messagebooks")).unwrap();
    let header = "at,entry,ballot,decree_no,decree,petition\n";
    for (name, ms) in [("Ann", 1), ("Bob", 2), ("Cy", 3), ("Dan", 0)] {
        let rows = if ms == 0 {
            String::new()
        } else {
            format!("2026-12-02T00:00:00.00{ms}Z,Voted,1.Ann,1,Lamps must use only olive oil,p1\n")
        };
        std::fs::write(d.join("ledgers").join(format!("{name}.csv")), format!("{header}{rows}")).unwrap();
    }
    let c = read(d);
    let majorities: Vec<Vec<String>> = c
        .events
        .iter()
        .filter_map(|e| match &e.what {
            What::Majority { voters, .. } => {
                Some(voters.iter().map(|p| c.roll.name(*p).to_string()).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(majorities, [["Ann", "Bob"]], "marked once, when Bob's vote made 4 of 6");
}
