//! `parliament watch --replay DIR`: a finished Chamber (from `convene`, `simulate --dir`,
//! `chaos --keep`) stepped through forward and backward by its rows' `at` times, the ledgers'
//! rows and the messagebooks' together, as the Chamber lived them. Stepping back rebuilds the view
//! from the first row: ledgers are written in indelible ink (§2.3), so the view at a moment is the
//! fold of every row before it.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind};

use super::model::{Presence, WatchState};
use super::render::{Ui, render};
use super::source::{BookRow, Source, feed};
use super::term::{Screen, is_ctrl_c};
use crate::books::Roll;
use crate::books::volumes::read_whole_ledger;
use crate::priest::{PriestId, Record};

/// One row of the Chamber, ledger or messagebook.
#[derive(Clone, Debug)]
pub enum Moment {
    /// A ledger row: the priest, its line, what it records.
    Ledger(PriestId, u64, Record),
    /// A messagebook row.
    Book(BookRow),
}

/// Every row of a finished Chamber, in the order of their `at` (a priest's own rows stay in his
/// ledger's order even if his clock stepped back).
pub struct Timeline {
    roll: Roll,
    /// The Chamber's α (§3.3.6), for the rules.
    alpha: u64,
    label: String,
    /// The rows, with their `at`.
    pub events: Vec<(Option<DateTime<Utc>>, Moment)>,
}

impl Timeline {
    /// Reads the whole Chamber in `dir`.
    pub fn read(dir: &Path, roll: &Roll) -> Timeline {
        let mut events = Vec::new();
        for (i, name) in roll.names().iter().enumerate() {
            // Every volume in order, restatements left out (§3.3.2).
            let Ok(read) = read_whole_ledger(dir, name, roll) else { continue };
            let mut latest = None;
            for (_, line, row) in read.rows {
                latest = latest.max(row.at);
                events.push((latest, Moment::Ledger(PriestId(i as u16), line, row.record)));
            }
        }
        let mut source = Source::open(dir, roll);
        events.extend(source.read_books().into_iter().map(|b| (b.at, Moment::Book(b))));
        events.sort_by_key(|(at, _)| *at);
        let alpha = crate::books::settings::Settings::read(dir).unwrap_or_default().alpha;
        Timeline { roll: roll.clone(), alpha, label: format!("{} (replay)", dir.display()), events }
    }

    /// The view after the first `n` rows.
    pub fn state_at(&self, n: usize) -> WatchState {
        let mut state = WatchState::new(self.roll.clone(), self.label.clone()).with_alpha(self.alpha);
        for i in 0..self.roll.len() {
            state.priest_status(PriestId(i as u16), Presence::Away);
        }
        for (at, e) in &self.events[..n.min(self.events.len())] {
            apply(&mut state, *at, e);
        }
        state
    }
}

/// Feeds one row.
pub fn apply(state: &mut WatchState, at: Option<DateTime<Utc>>, event: &Moment) {
    match event {
        Moment::Ledger(p, line, record) => state.ledger_row(*p, *line, record, at),
        Moment::Book(row) => feed(state, row),
    }
}

/// Steps through `timeline` until `q`, Ctrl-C or `stop`: ←/→ one row, PgUp/PgDn 50, Home/End,
/// space plays or stops.
pub fn run(timeline: &Timeline, stop: &AtomicBool, log: &Path) -> anyhow::Result<()> {
    let total = timeline.events.len();
    let mut at = 0usize;
    let mut state = timeline.state_at(0);
    let mut playing = false;
    let mut ui = Ui { replay: true, ..Ui::default() };
    let gone = super::term::TerminalGone::new();
    let mut screen = Screen::open(log)?;
    let mut last_play = Instant::now();
    let mut dirty = true;
    while !stop.load(Ordering::Relaxed) && !gone.now() {
        let mut to = at;
        if playing && last_play.elapsed() >= Duration::from_millis(100) {
            to = (at + 1).min(total);
            playing = to < total;
            last_play = Instant::now();
        }
        if event::poll(Duration::from_millis(20))?
            && let Event::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
        {
            if is_ctrl_c(&key) {
                break;
            }
            dirty = true;
            match key.code {
                KeyCode::Char('q') => break,
                KeyCode::Char('?') => ui.help = !ui.help,
                KeyCode::Esc => ui.help = false,
                KeyCode::Char(' ') => playing = !playing,
                KeyCode::Right => to = (at + 1).min(total),
                KeyCode::Left => to = at.saturating_sub(1),
                KeyCode::PageDown => to = (at + 50).min(total),
                KeyCode::PageUp => to = at.saturating_sub(50),
                KeyCode::Home => to = 0,
                KeyCode::End => to = total,
                _ => {}
            }
        }
        if to > at {
            for (when, e) in &timeline.events[at..to] {
                apply(&mut state, *when, e);
            }
        } else if to < at {
            state = timeline.state_at(to);
        }
        if to != at || dirty {
            at = to;
            let when = at.checked_sub(1).and_then(|i| timeline.events[i].0);
            let when = when.map_or("the start".to_string(), |w| w.format("%H:%M:%S%.3f").to_string());
            let play = if playing { "playing" } else { "stopped" };
            ui.last_action = format!("row {at} of {total}, at {when} ({play})");
            screen.terminal.draw(|f| render(f, &state, &ui))?;
            dirty = false;
        }
    }
    Ok(())
}
