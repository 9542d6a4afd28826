//! The screen of `parliament watch`: the whole Parliament at once, drawn with ratatui from a
//! [`WatchState`] and the keyboard's [`Ui`]. One frame around everything, which turns red and names
//! the rule, file and line the moment a ledger row breaks one of the paper's promises (§2.1's
//! B1-B3 and their consequences); inside it the priests, the messages moving, the ballots in flight
//! and the statute book ([`super::panels`]); a footer with the keys and what the last key did; `?`
//! lays the keys over everything. Below [`MIN_WIDTH`]×[`MIN_HEIGHT`] it asks for a larger
//! terminal instead, still saying whether a rule broke.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::model::WatchState;
use super::panels;

/// The narrowest terminal the full screen is drawn in (80 is comfortable).
pub const MIN_WIDTH: u16 = 60;
/// The shortest terminal the full screen is drawn in (24 is comfortable).
pub const MIN_HEIGHT: u16 = 16;

/// Every key, as the help overlay lists it: the key, then what it does to the Chamber.
pub const KEYS: &[(&str, &str)] = &[
    ("p", "pause / resume deliveries"),
    ("s", "step: deliver one message, then pause"),
    ("k 1-9", "kill a priest (SIGKILL); he stays away until b"),
    ("b 1-9", "bring a priest back into the Chamber"),
    ("d 1-9", "drop the next message to a priest"),
    ("u 1-9", "duplicate the next message to a priest"),
    ("n", "type a petition; Enter hands it in, Esc forgets it"),
    ("+ / -", "faster / slower: the messengers' pace"),
    ("?", "show / hide this help"),
    ("q", "quit, leaving the terminal as it was"),
];

/// The keys of `watch --replay`, as its help lists them.
pub const REPLAY_KEYS: &[(&str, &str)] = &[
    ("→ / ←", "one row forward / back, by the rows' times"),
    ("PgDn/PgUp", "fifty rows forward / back"),
    ("End/Home", "the end / the start"),
    ("space", "play / stop"),
    ("?", "show / hide this help"),
    ("q", "quit, leaving the terminal as it was"),
];

/// Under the keys in the help: nothing a key does is beyond a person with a shell.
const FOOTNOTE: &str = "every key acts through the files or signals you could use";

/// A key that waits for more: a priest's digit, or a petition's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prompt {
    /// `k`: which priest to kill.
    Kill,
    /// `b`: which priest to bring back.
    BringBack,
    /// `d`: whose next message to drop.
    Drop,
    /// `u`: whose next message to duplicate.
    Duplicate,
    /// `n`: the petition typed so far.
    Petition(String),
}

impl Prompt {
    fn question(&self) -> &'static str {
        match self {
            Prompt::Kill => "kill which priest?",
            Prompt::BringBack => "bring back which priest?",
            Prompt::Drop => "drop the next message to which priest?",
            Prompt::Duplicate => "duplicate the next message to which priest?",
            Prompt::Petition(_) => "petition:",
        }
    }
}

/// What the keyboard has done to the screen: the event loop owns it, the screen only reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ui {
    /// `?` pressed: the keys are laid over the screen.
    pub help: bool,
    /// Deliveries are paused (`p`).
    pub paused: bool,
    /// The messengers' pace, if one is set (`+`/`-`).
    pub pace: Option<Duration>,
    /// What the last key did and how a person could do it too, e.g.
    /// `k: SIGKILL Oki (pid 4711); God brings him back`.
    pub last_action: String,
    /// A key waiting for the rest of what it needs.
    pub prompt: Option<Prompt>,
    /// Replaying a finished Chamber: the footer shows the replay's keys.
    pub replay: bool,
}

/// Draws the whole screen.
pub fn render(frame: &mut Frame, state: &WatchState, ui: &Ui) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, state);
        return;
    }
    let broken = state.first_broken();
    let frame_colour = if broken.is_some() { Color::Red } else { Color::DarkGray };
    let mut block = Block::bordered()
        .border_style(Style::new().fg(frame_colour))
        .title(Line::from(format!(" parliament watch · {} ", state.dir_label())).bold());
    if let Some(b) = broken {
        let title = format!(" RULE BROKEN: {} · {} line {} ", b.rule, b.file, b.line);
        block = block.title(
            Line::from(title).style(Style::new().fg(Color::White).bg(Color::Red).bold()).right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The broken rule's detail under the panels, wrapped on up to three lines: it is the news.
    let detail_text = broken.map(|b| {
        let more = state.broken().len() - 1;
        let more = if more > 0 { format!(" (and {more} more)") } else { String::new() };
        (format!("{}: ", b.rule), format!("{}{more}", b.detail))
    });
    let detail_rows = detail_text.as_ref().map_or(0, |(rule, detail)| {
        let chars = (rule.chars().count() + detail.chars().count()) as u16;
        chars.div_ceil(inner.width.max(1)).clamp(1, 3)
    });
    let [body, detail, footer_area] = inner.layout(&Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(detail_rows),
        Constraint::Length(2),
    ]));
    if let Some((rule, text)) = detail_text {
        let line = Line::from(vec![
            Span::styled(rule, Style::new().fg(Color::Red).bold()),
            Span::styled(text, Style::new().fg(Color::Red)),
        ]);
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), detail);
    }
    let priests_height = (state.roll().len() as u16 + 3).min(body.height / 2);
    let [top, bottom] =
        body.layout(&Layout::vertical([Constraint::Length(priests_height), Constraint::Min(0)]));
    panels::priests(frame, top, state);
    let [messages, right] =
        bottom.layout(&Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]));
    panels::messages(frame, messages, state);
    let [ballots, statute] =
        right.layout(&Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]));
    panels::ballots(frame, ballots, state);
    panels::statute(frame, statute, state);
    footer(frame, footer_area, state, ui);
    if ui.help {
        help(frame, area, if ui.replay { REPLAY_KEYS } else { KEYS });
    }
}

/// The two footer lines: the keys and the pace; then the prompt, or what the last key did.
fn footer(frame: &mut Frame, area: Rect, state: &WatchState, ui: &Ui) {
    let key = |k: &'static str| Span::styled(k, Style::new().fg(Color::Yellow).bold());
    let live = [("p", "pause"), ("s", "step"), ("k", "kill"), ("b", "back"), ("d", "drop"), ("u", "dup")];
    let live = live.into_iter().chain([("n", "petition"), ("+-", "pace"), ("?", "help"), ("q", "quit")]);
    let replay = [("←→", "row"), ("PgUp PgDn", "50 rows"), ("Home End", "ends"), ("space", "play")];
    let replay = replay.into_iter().chain([("?", "help"), ("q", "quit")]);
    let pairs: Vec<(&'static str, &'static str)> = if ui.replay { replay.collect() } else { live.collect() };
    // Two spaces between keys where the line has room for them (83 columns), one where it has not.
    let gap = if area.width >= 83 { "  " } else { " " };
    let mut keys = Vec::new();
    for (k, what) in pairs {
        keys.extend([key(k), Span::raw(format!(" {what}{gap}"))]);
    }
    let mut second = Vec::new();
    if ui.paused {
        second.extend([
            Span::styled(" PAUSED ", Style::new().fg(Color::Black).bg(Color::Yellow)),
            Span::raw(" "),
        ]);
    }
    if let Some(pace) = ui.pace {
        second.push(Span::styled(format!("pace {}ms  ", pace.as_millis()), Style::new().fg(Color::Cyan)));
    }
    match &ui.prompt {
        Some(Prompt::Petition(text)) => {
            second.extend([
                key("n"),
                Span::raw(format!(" {} {text}", Prompt::Petition(String::new()).question())),
            ]);
            second.push(Span::styled("▏", Style::new().fg(Color::Yellow)));
        }
        Some(p) => {
            let choices: Vec<String> = state
                .roll()
                .names()
                .iter()
                .take(9)
                .enumerate()
                .map(|(i, n)| format!("{} {n}", i + 1))
                .collect();
            let ask = format!("{} {}  (Esc: none)", p.question(), choices.join("  "));
            second.push(Span::styled(ask, Style::new().fg(Color::Yellow)));
        }
        None if ui.last_action.is_empty() => {
            second.push(Span::styled("? shows every key", Style::new().fg(Color::DarkGray)));
        }
        None => second.push(Span::raw(ui.last_action.as_str())),
    }
    frame.render_widget(Paragraph::new(vec![Line::from(keys), Line::from(second)]), area);
}
/// The keys, laid over the middle of the screen.
fn help(frame: &mut Frame, area: Rect, keys: &[(&str, &str)]) {
    let widest = keys.iter().map(|(_, w)| w.chars().count()).max().unwrap_or(0).max(FOOTNOTE.len() - 8);
    let width = (widest as u16 + 13).min(area.width);
    let height = (keys.len() as u16 + 4).min(area.height);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:>9}  "), Style::new().fg(Color::Yellow).bold()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(FOOTNOTE).fg(Color::DarkGray));
    let block = Block::bordered().title(" keys ").border_style(Style::new().fg(Color::Yellow));
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// A terminal too small for the screen: say so, and still say if a rule broke.
fn too_small(frame: &mut Frame, area: Rect, state: &WatchState) {
    let mut lines = vec![Line::from(format!(
        "parliament watch needs a larger terminal: at least {MIN_WIDTH}×{MIN_HEIGHT} (80×24 is best); \
         this one is {}×{}. q quits.",
        area.width, area.height
    ))];
    if let Some(b) = state.first_broken() {
        let text = format!("RULE BROKEN: {} at {} line {}", b.rule, b.file, b.line);
        lines.insert(0, Line::from(text).style(Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}
