//! Rendering tests on ratatui's `TestBackend`: each panel of the screen drawn from the ballot of
//! [`super::tests::one_ballot`] (§2.3's NextBallot, LastVote, BeginBallot, Voted, Success), the
//! frame turned red by a broken rule, the help overlay, the footer's prompts, and terminals from
//! far too small to large, none of which may panic.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use super::model::WatchState;
use super::render::{KEYS, Prompt, Ui, render};
use super::tests::{FISCHER, b1, one_ballot};
use crate::priest::{BallotNumber, Decree, Petition, Record, Vote};

/// Draws the screen at `width`×`height` and returns the buffer.
fn draw(width: u16, height: u16, state: &WatchState, ui: &Ui) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(frame, state, ui)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as text, one line per row, trailing spaces cut.
pub fn screen(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let row: String = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// Where `needle` starts on the screen: (column, row), counting cells.
fn find(buffer: &Buffer, needle: &str) -> Option<(u16, u16)> {
    let area = buffer.area;
    (0..area.height).find_map(|y| {
        let cells: Vec<&str> = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let chars: Vec<String> = needle.chars().map(String::from).collect();
        (0..cells.len().saturating_sub(chars.len() - 1))
            .find(|&x| cells[x..x + chars.len()].iter().zip(&chars).all(|(a, b)| *a == b))
            .map(|x| (x as u16, y))
    })
}

/// The state of `one_ballot` with Fischer breaking B3 at line 3 of his ledger.
fn broken() -> WatchState {
    let mut f = one_ballot();
    let other = Petition::new("p2", "Wine may not be watered");
    f.state.petition("Ann", FISCHER, &other, None, "messagebooks/Fischer.csv", 1);
    f.row(FISCHER, Record::Promised { ballot: BallotNumber::new(2, FISCHER) }, 11);
    f.vote(FISCHER, 1, BallotNumber::new(2, FISCHER), Decree::Law(other), 12);
    f.state
}

#[test]
fn the_priests_panel_shows_each_ledger_and_stars_the_president() {
    let buffer = draw(100, 30, &one_ballot().state, &Ui::default());
    let text = screen(&buffer);
    assert!(text.contains("priests · president Toueg"), "{text}");
    let toueg = text.lines().find(|l| l.contains("★ Toueg")).expect("Toueg starred");
    for want in ["present", "1.Toueg", "1@1.Toueg", "to 1", "4"] {
        assert!(toueg.contains(want), "Toueg's row lacks {want:?}: {toueg}");
    }
    let dwork = text.lines().find(|l| l.contains("Dwork") && l.contains("away")).expect("Dwork away");
    assert!(!dwork.contains('★'));
    let (x, y) = find(&buffer, "away").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::DarkGray);
}

#[test]
fn the_messages_panel_writes_deliveries_in_the_papers_words_coloured_by_kind() {
    let buffer = draw(100, 30, &one_ballot().state, &Ui::default());
    let text = screen(&buffer);
    let lines: Vec<&str> = text.lines().collect();
    let at = |needle: &str| {
        lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}\n{text}"))
    };
    assert!(
        at("Toueg → Lynch  Success(1: \"Merchants") < at("Toueg → Lynch  NextBallot(1.Toueg, 0)"),
        "newest first"
    );
    assert!(text.contains("Lynch → Toueg  LastVote(1.Toueg, no vote)"));
    assert!(text.contains("Ann → Lynch  Petition(\"Merchants"));
    assert!(text.contains("24.008 Toueg → Lynch  Success"), "the row's time is shown when there is room");
    let (x, y) = find(&buffer, "NextBallot").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Cyan);
    let (x, y) = find(&buffer, "Voted(").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Green);
    assert!(text.contains("Toueg → Dwork  lost BeginBallot(1.Toueg"), "a lost message says so: {text}");
    let (x, y) = find(&buffer, "lost BeginBallot").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Red);
}

#[test]
fn the_ballots_panel_counts_votes_to_a_majority_set_and_shows_the_passing() {
    let mut f = one_ballot();
    let wine = Petition::new("p2", "Wine may not be watered");
    f.state.petition("Ann", FISCHER, &wine, None, "messagebooks/Fischer.csv", 1);
    f.row(
        super::tests::TOUEG,
        Record::Voted(Vote { decree_no: 2, ballot: b1(), decree: Decree::Law(wine) }),
        20,
    );
    let text = screen(&draw(100, 30, &f.state, &Ui::default()));
    assert!(text.contains("ballots · majority: 3 priests"), "{text}");
    let two = text.lines().find(|l| l.contains("  2 1.Toueg")).expect("decree 2 in flight");
    assert!(two.contains("····T 2 more"), "{two}");
    let one = text.lines().find(|l| l.contains("  1 1.Toueg")).expect("decree 1 in flight");
    assert!(one.contains("··LOT passed 21:48:24.007"), "passed at Oki's vote, the third: {one}");
    assert!(text.find("  2 1.Toueg").unwrap() < text.find("  1 1.Toueg").unwrap(), "highest number first");
}

#[test]
fn the_statute_book_panel_is_newest_first_with_the_ledgers_that_hold_each() {
    let mut f = one_ballot();
    f.row(super::tests::OKI, Record::Decree { decree_no: 2, decree: Decree::OliveDay }, 30);
    let buffer = draw(100, 30, &f.state, &Ui::default());
    let text = screen(&buffer);
    assert!(text.contains("statute book · to decree 2"), "{text}");
    let two = find(&buffer, "  2 ···O· olive day").expect("decree 2, held by Oki");
    let one = find(&buffer, "  1 ··L·T \"Merchants").expect("decree 1, held by Lynch and Toueg");
    assert!(two.1 < one.1, "newest first");
}

#[test]
fn a_broken_rule_turns_the_frame_red_and_names_the_rule_file_and_line() {
    let calm = draw(100, 30, &one_ballot().state, &Ui::default());
    assert_ne!(calm[(0, 0)].fg, Color::Red);
    assert!(!screen(&calm).contains("RULE BROKEN"));
    let buffer = draw(100, 30, &broken(), &Ui::default());
    let text = screen(&buffer);
    assert!(text.contains("RULE BROKEN: B3 · ledgers/Fischer.csv line 3"), "{text}");
    for (x, y) in [(0, 0), (99, 0), (0, 15), (99, 29), (50, 29)] {
        assert_eq!(buffer[(x, y)].fg, Color::Red, "frame cell ({x}, {y}) is red");
    }
    assert!(
        text.contains("B3: voted in ballot 2.Fischer for decree 1"),
        "the detail under the panels: {text}"
    );
}

#[test]
fn a_tiny_terminal_asks_for_a_larger_one_and_still_tells_of_a_broken_rule() {
    let text = screen(&draw(40, 10, &one_ballot().state, &Ui::default()));
    assert!(text.contains("needs a larger"), "{text}");
    assert!(text.contains("40×10"), "{text}");
    let text = screen(&draw(40, 10, &broken(), &Ui { help: true, ..Ui::default() }));
    assert!(text.starts_with("RULE BROKEN: B3 at"), "{text}");
}

#[test]
fn no_terminal_size_panics() {
    let (state, ui) = (broken(), Ui { help: true, prompt: Some(Prompt::Kill), ..Ui::default() });
    for width in (0..=130).step_by(7).chain([59, 60, 80]) {
        for height in (0..=40).step_by(3).chain([15, 16, 24]) {
            draw(width, height, &state, &ui);
        }
    }
}

#[test]
fn the_help_overlay_lists_every_key() {
    let text = screen(&draw(80, 24, &one_ballot().state, &Ui { help: true, ..Ui::default() }));
    for (key, what) in KEYS {
        assert!(text.contains(key) && text.contains(what), "{key} {what} missing:\n{text}");
    }
}

#[test]
fn the_footer_says_what_the_last_key_did_and_what_a_key_waits_for() {
    let state = one_ballot().state;
    let did = Ui {
        last_action: "k: SIGKILL Oki (pid 4711); God brings him back".into(),
        paused: true,
        ..Ui::default()
    };
    let text = screen(&draw(80, 24, &state, &did));
    assert!(
        text.contains("k: SIGKILL Oki (pid 4711); God brings him back") && text.contains("PAUSED"),
        "{text}"
    );
    let text = screen(&draw(80, 24, &state, &Ui { prompt: Some(Prompt::Kill), ..Ui::default() }));
    assert!(text.contains("kill which priest? 1 Dwork  2 Fischer  3 Lynch"), "{text}");
    let typing = Ui { prompt: Some(Prompt::Petition("Wine may not".into())), ..Ui::default() };
    assert!(screen(&draw(80, 24, &state, &typing)).contains("petition: Wine may not"));
}

#[test]
fn the_screen_at_100_by_30() {
    let text = screen(&draw(100, 30, &one_ballot().state, &Ui::default()));
    println!("{text}");
    assert!(text.contains("parliament watch · /tmp/paxos"));
    assert_eq!(text.lines().count(), 30);
}

#[test]
fn at_80_by_24_every_panel_shows_and_a_broken_rules_detail_is_whole() {
    let ui = Ui { paused: true, pace: Some(std::time::Duration::from_millis(200)), ..Ui::default() };
    let text = screen(&draw(80, 24, &broken(), &ui));
    for title in [
        "priests · president Fischer",
        "messages · ",
        "ballots · ",
        "statute book · ",
        "PAUSED",
        "pace 200ms",
    ] {
        assert!(text.contains(title), "{title:?} missing:\n{text}");
    }
    for name in ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"] {
        assert!(text.contains(&format!(" {name} ")), "{name} missing from the priests:\n{text}");
    }
    let flat: String = text.lines().map(|l| l.trim_matches('│').trim()).collect::<Vec<_>>().join(" ");
    assert!(flat.contains("after ballot 1.Toueg chose \"Merchants may sell goats on the agora\""), "{text}");
}

#[test]
fn a_duplicated_message_says_twice() {
    let mut f = one_ballot();
    let voted = crate::priest::Message::Voted { ballot: b1(), decree_no: 1 };
    let file = "messagebooks/Toueg.csv";
    f.state.message_fate(
        super::tests::LYNCH,
        super::tests::TOUEG,
        &voted,
        None,
        file,
        9,
        super::model::Fate::Duplicated,
    );
    let text = screen(&draw(100, 30, &f.state, &Ui::default()));
    assert!(text.contains("Lynch → Toueg  twice Voted(1.Toueg, 1)"), "{text}");
}

/// In a weighted Chamber (§2.2) the title said "a majority set is 4" where 4 was a weight, not a
/// number of priests: it says the weight as a weight ("majority: weight 4"), and heads as heads.
#[test]
fn a_weighted_chambers_ballots_panel_says_the_majority_as_a_weight() {
    let seats = [("Dwork", 1), ("Fischer", 1), ("Lynch", 1), ("Toueg", 3)];
    let roll = crate::books::Roll::laid_out(seats.map(|(n, w)| (n.to_string(), w)).to_vec()).unwrap();
    let state = WatchState::new(roll, "/tmp/fat").with_alpha(3);
    let text = screen(&draw(100, 30, &state, &Ui::default()));
    assert!(text.contains("ballots · majority: weight 4 "), "{text}");
    assert!(!text.contains("4 priests"), "no count of heads: {text}");
}

/// A newcomer's trial: one refresh's rows come page by page, so the newest rows read were not
/// newest first by time (25.652, 25.651, 25.652). They are shown by their rows' times; a row
/// without one keeps its place beside the row read next to it.
#[test]
fn the_messages_panel_shows_the_newest_rows_by_their_times() {
    use super::tests::{LYNCH, TOUEG, at, roll};
    use crate::priest::Message;
    let mut state = WatchState::new(roll(), "/tmp/paxos");
    let voted = |n| Message::Voted { ballot: b1(), decree_no: n };
    state.message(LYNCH, TOUEG, &voted(1), at(10), "messagebooks/Toueg/Lynch.csv", 2);
    state.message(LYNCH, TOUEG, &voted(3), at(30), "messagebooks/Toueg/Lynch.csv", 3);
    state.message(FISCHER, TOUEG, &voted(2), at(20), "messagebooks/Toueg/Fischer.csv", 2);
    state.message(FISCHER, TOUEG, &voted(4), None, "messagebooks/Toueg/Fischer.csv", 3);
    let text = screen(&draw(100, 30, &state, &Ui::default()));
    let order: Vec<char> =
        text.lines().filter_map(|l| l.split("Voted(1.Toueg, ").nth(1)?.chars().next()).collect();
    assert_eq!(
        order,
        ['3', '4', '2', '1'],
        "by time, the timeless row beside the one read before it\n{text}"
    );
}
