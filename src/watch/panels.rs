//! The four panels of `parliament watch`, each a view of one part of the paper:
//!
//! - **priests**: each priest's ledger as §2.3 names it (lastTried, nextBal, his latest vote,
//!   prevVote) and how far his statute book runs; present, away or refusing; the president (§2.4);
//! - **messages**: the latest deliveries, `from → to  Kind(args)`, coloured by kind (§2.3, §3.1);
//! - **ballots in flight**: per decree number, the latest ballot, who voted in it and how many more
//!   a majority set needs, then the moment it passed (§2.3 steps 3-5);
//! - **statute book**: newest decree first, with the ledgers that hold it (§3).
//!
//! Priests who voted or hold a decree are written by the first letter of their names, in roll
//! order, with `·` for those who did not: `DF·O·` is Dwork, Fischer and Oki.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table};

use super::flight::InFlight;
use super::model::{Fate, Presence, WatchState};
use super::words::{decree_text, kind_colour, vote_text};
use crate::priest::{PriestId, Quorum};

/// A panel's frame: its title in the paper's words.
fn panel(title: String) -> Block<'static> {
    Block::bordered().border_style(Style::new().fg(Color::Gray)).title(Line::from(title).bold())
}

/// `DF·O·`: who is in the set, by initial, in roll order.
pub fn initials(state: &WatchState, set: Quorum) -> String {
    let names = state.roll().names();
    (0..names.len())
        .map(|i| if set.contains(PriestId(i as u16)) { names[i].chars().next().unwrap_or('?') } else { '·' })
        .collect()
}

/// A row time as `21:48:24.136`, or nothing when the row had none.
fn clock(at: Option<DateTime<Utc>>) -> String {
    at.map_or(String::new(), |t| t.format("%H:%M:%S%.3f").to_string())
}

/// A row time within its minute, `24.136`: enough to follow messages one after another.
fn seconds(at: Option<DateTime<Utc>>) -> String {
    at.map_or(String::new(), |t| t.format("%S%.3f").to_string())
}

/// The priests: one row each, the president starred.
pub fn priests(frame: &mut Frame, area: Rect, state: &WatchState) {
    let roll = state.roll();
    let president = state.president();
    let title = match president {
        Some(p) => format!(" priests · president {} ", roll.name(p)),
        None => " priests · no president yet ".to_string(),
    };
    let header = Row::new(["priest", "", "lastTried", "nextBal", "latest vote", "statute book", "rows"])
        .style(Style::new().fg(Color::Gray).add_modifier(Modifier::UNDERLINED));
    let rows = state.priests().iter().enumerate().map(|(i, view)| {
        let id = PriestId(i as u16);
        let star = if president == Some(id) { "★ " } else { "  " };
        let (word, colour) = match view.presence {
            Presence::Present => (Presence::Present.word(), Color::Green),
            Presence::Away => (Presence::Away.word(), Color::DarkGray),
            Presence::Refusing => (Presence::Refusing.word(), Color::Red),
        };
        let ballot = |b: Option<_>| b.map_or("-".to_string(), |b| roll.ballot(b));
        let vote = view.latest_vote.as_ref().map_or("-".to_string(), |v| vote_text(roll, v));
        let last = view.last_decree();
        let book = if last == view.durable.known {
            format!("to {last}")
        } else {
            format!("to {} (…{last})", view.durable.known)
        };
        let name_style = if view.presence == Presence::Away {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().bold()
        };
        Row::new(vec![
            Line::from(format!("{star}{}", roll.name(id))).style(name_style),
            Line::from(word).fg(colour),
            Line::from(ballot(view.durable.last_tried)),
            Line::from(ballot(view.durable.next_bal)),
            Line::from(vote),
            Line::from(book),
            Line::from(view.rows.to_string()).fg(Color::DarkGray),
        ])
    });
    let widths = [
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(11),
        Constraint::Length(11),
        Constraint::Length(14),
        Constraint::Length(13),
        Constraint::Min(5),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(panel(title)), area);
}

/// The latest deliveries, newest at the top.
pub fn messages(frame: &mut Frame, area: Rect, state: &WatchState) {
    let show_clock = area.width >= 50;
    // The newest as read, shown newest first by their rows' times: pages are read one after
    // another, so one refresh's rows come page by page (a newcomer saw 25.652, 25.651, 25.652).
    // A row without a time (a person's, written without `at`) takes the time of the row read
    // just after it, or, for the newest, just before it: it keeps its place among them.
    let mut newer = None;
    let mut shown: Vec<_> = state
        .deliveries()
        .take(area.height.saturating_sub(2) as usize)
        .map(|d| {
            newer = d.at.or(newer);
            (newer, d)
        })
        .collect();
    let mut older = None;
    for (key, d) in shown.iter_mut().rev() {
        older = d.at.or(older);
        *key = key.or(older);
    }
    shown.sort_by(|(a, _), (b, _)| b.cmp(a));
    let lines: Vec<Line> = shown
        .into_iter()
        .map(|(_, d)| {
            let colour = kind_colour(d.kind);
            let mut spans = Vec::new();
            if show_clock {
                spans.push(Span::styled(format!("{:<7}", seconds(d.at)), Style::new().fg(Color::DarkGray)));
            }
            spans.push(Span::raw(format!("{} → {}  ", d.from, d.to)));
            // The fate first, so a narrow panel cuts the message's tail, never the word "lost".
            let mut text = Style::new().fg(colour);
            match d.fate {
                Fate::Delivered => {}
                Fate::Lost => {
                    spans.push(Span::styled("lost ", Style::new().fg(Color::Red).bold()));
                    text = text.add_modifier(Modifier::CROSSED_OUT);
                }
                Fate::Duplicated => spans.push(Span::styled("twice ", Style::new().fg(Color::Yellow).bold())),
            }
            spans.push(Span::styled(d.kind, text.add_modifier(Modifier::BOLD)));
            spans.push(Span::styled(format!("({})", d.args), text));
            Line::from(spans)
        })
        .collect();
    let title = format!(" messages · {} latest ", lines.len());
    frame.render_widget(Paragraph::new(lines).block(panel(title)), area);
}

/// One ballot in flight: `8 4.Lynch DF·O· 1 more "Wine…"`, or passed.
fn ballot_line<'a>(state: &WatchState, b: &InFlight) -> Line<'a> {
    let needs = state.needs(b);
    let (verdict, style) = match b.passed {
        Some(at) => (format!("passed {}", clock(at)), Style::new().fg(Color::Green).bold()),
        None if needs == 1 => ("1 more".to_string(), Style::new().fg(Color::Yellow)),
        None => (format!("{needs} more"), Style::new().fg(Color::Yellow)),
    };
    Line::from(vec![
        Span::styled(format!("{:>3} ", b.decree_no), Style::new().bold()),
        Span::raw(format!("{} ", state.roll().ballot(b.ballot))),
        Span::styled(initials(state, b.voters), Style::new().fg(Color::Green)),
        Span::raw(" "),
        Span::styled(verdict, style),
        Span::raw(format!(" {}", decree_text(&b.decree))),
    ])
}

/// The ballots in flight: the highest decree number first.
pub fn ballots(frame: &mut Frame, area: Rect, state: &WatchState) {
    let lines: Vec<Line> = state
        .flight()
        .ballots()
        .take(area.height.saturating_sub(2) as usize)
        .map(|b| ballot_line(state, b))
        .collect();
    // Heads where every legislator has one vote; weight where the roll gives weights (§2.2),
    // as the ballots' "N more" counts. Short enough for an 80-column terminal's panel.
    let title = if state.weighted() {
        format!(" ballots · majority: weight {} ", state.majority())
    } else {
        format!(" ballots · majority: {} priests ", state.majority())
    };
    frame.render_widget(Paragraph::new(lines).block(panel(title)), area);
}

/// The statute book, newest decree first, with the ledgers that hold each.
pub fn statute(frame: &mut Frame, area: Rect, state: &WatchState) {
    let everyone = state.roll().len();
    let lines: Vec<Line> = state
        .flight()
        .statute()
        .take(area.height.saturating_sub(2) as usize)
        .map(|(no, s)| {
            let colour = if s.holders.len() == everyone { Color::Green } else { Color::Yellow };
            Line::from(vec![
                Span::styled(format!("{no:>3} "), Style::new().bold()),
                Span::styled(initials(state, s.holders), Style::new().fg(colour)),
                Span::raw(format!(" {}", decree_text(&s.decree))),
            ])
        })
        .collect();
    let last = state.flight().statute().next().map_or(0, |(no, _)| no);
    let title = if last == 0 {
        " statute book · empty ".to_string()
    } else {
        format!(" statute book · to decree {last} ")
    };
    frame.render_widget(Paragraph::new(lines).block(panel(title)), area);
}
