//! The chronicle drawn as text, with box-drawing characters: a time column, then one lifeline
//! per priest. A ledger row is a mark on its priest's lifeline (`■`, and `★` for a decree entering
//! his ledger, §2.3's indelible ink), drawn before the messages it allows; a message is a label
//! line and an arrow from sender to receiver (`╌╌✗` when refused as forged); the moment a majority
//! set has voted is a dotted line across the Chamber (§2.2: the ballot succeeds).
//!
//! Five priests fit in 100 columns. A Chamber with more is drawn in pages: the lifelines are
//! wrapped into blocks of at most five, each block a diagram of its own, with a message to or from
//! a priest of another block drawn to the edge and named.

use super::{Event, What, majority_label, message_label, record_label, time_label};
use crate::books::Roll;
use crate::priest::{PriestId, Record};

/// The time column: `21:48:24.100` and a space.
const GUTTER: usize = 13;
/// A lifeline's column is at least this wide, so five fit in 100 columns.
const COLUMN_MIN: usize = 17;
/// And at most this wide, so three priests do not spread across the screen.
const COLUMN_MAX: usize = 24;
/// Decree texts in labels are cut to this many characters.
const DECREE_MAX: usize = 18;

/// Draws `events` for the priests of `roll`, in at most `width` columns (at least 40).
pub fn render(roll: &Roll, events: &[&Event], width: usize) -> String {
    let width = width.max(GUTTER + COLUMN_MIN * 2);
    let per_block = ((width - GUTTER) / COLUMN_MIN).max(1);
    let ids: Vec<PriestId> = (0..roll.len()).map(|i| PriestId(i as u16)).collect();
    let blocks: Vec<&[PriestId]> = ids.chunks(per_block).collect();
    let mut out = String::new();
    for (n, block) in blocks.iter().enumerate() {
        if blocks.len() > 1 {
            let names: Vec<&str> = block.iter().map(|p| roll.name(*p)).collect();
            out.push_str(&format!("page {} of {}: {}\n", n + 1, blocks.len(), names.join(", ")));
        }
        Block::new(roll, block, width).draw(events, &mut out);
        if n + 1 < blocks.len() {
            out.push('\n');
        }
    }
    out
}

/// One block of lifelines.
struct Block<'a> {
    roll: &'a Roll,
    priests: &'a [PriestId],
    column: usize,
    /// Where the lifelines end.
    lanes: usize,
    /// Where a line ends: labels may run past the last lifeline up to here.
    total: usize,
}

/// Where a priest stands relative to a block.
enum Place {
    At(usize),
    Left,
    Right,
}

impl<'a> Block<'a> {
    fn new(roll: &'a Roll, priests: &'a [PriestId], width: usize) -> Block<'a> {
        let column = ((width - GUTTER) / priests.len()).clamp(COLUMN_MIN, COLUMN_MAX);
        let lanes = GUTTER + column * priests.len();
        Block { roll, priests, column, lanes, total: width.max(lanes) }
    }

    fn place(&self, p: PriestId) -> Place {
        match self.priests.iter().position(|q| *q == p) {
            Some(i) => Place::At(GUTTER + i * self.column + self.column / 2),
            None if p < self.priests[0] => Place::Left,
            None => Place::Right,
        }
    }

    /// The x of a place, the block's edges standing for priests outside it.
    fn x(&self, place: &Place) -> usize {
        match place {
            Place::At(x) => *x,
            Place::Left => GUTTER,
            Place::Right => self.lanes - 1,
        }
    }

    /// An empty line: the lifelines and nothing else.
    fn lifelines(&self, mark: char) -> Vec<char> {
        let mut line = vec![' '; self.total];
        for p in self.priests {
            if let Place::At(x) = self.place(*p) {
                line[x] = mark;
            }
        }
        line
    }

    /// Writes `text` into `line` from `start`, cut with `…` at the line's end.
    fn write(&self, line: &mut [char], start: usize, text: &str) {
        let room = self.total.saturating_sub(start);
        let chars: Vec<char> = text.chars().collect();
        for (i, c) in chars.iter().enumerate().take(room) {
            line[start + i] = if i + 1 == room && chars.len() > room { '…' } else { *c };
        }
    }

    /// Writes a mark's label right of `x`, or left of it if only there it fits whole.
    fn label(&self, line: &mut [char], x: usize, text: &str) {
        let len = text.chars().count();
        if x + 2 + len > self.total && x >= GUTTER + len + 2 {
            self.write(line, x - 1 - len, text);
        } else {
            self.write(line, x + 2, text);
        }
    }

    fn emit(out: &mut String, time: &str, line: &[char]) {
        let body: String = line[GUTTER..].iter().collect();
        let text = format!("{time:<width$}{body}", width = GUTTER);
        out.push_str(text.trim_end());
        out.push('\n');
    }

    fn draw(&self, events: &[&Event], out: &mut String) {
        let mut names = vec![' '; self.total];
        for p in self.priests {
            let name = self.roll.name(*p);
            let x = self.x(&self.place(*p));
            let start = x.saturating_sub(name.chars().count() / 2).max(GUTTER);
            self.write(&mut names, start, name);
        }
        Block::emit(out, "", &names);
        Block::emit(out, "", &self.lifelines('┬'));
        for e in events {
            self.event(e, out);
        }
        Block::emit(out, "", &self.lifelines('┴'));
    }

    fn event(&self, e: &Event, out: &mut String) {
        let time = time_label(e.at);
        match &e.what {
            What::Ledger { priest, record } => {
                let Place::At(x) = self.place(*priest) else { return };
                let mut line = self.lifelines('│');
                line[x] = if matches!(record, Record::Decree { .. }) { '★' } else { '■' };
                self.label(&mut line, x, &record_label(self.roll, record, DECREE_MAX));
                Block::emit(out, &time, &line);
            }
            What::Majority { .. } => {
                let mut line = self.lifelines('│');
                let label = format!("◆ {} ", majority_label(self.roll, &e.what));
                for c in &mut line[GUTTER..self.lanes] {
                    if *c == ' ' {
                        *c = '┄';
                    }
                }
                self.write(&mut line, GUTTER, &label);
                Block::emit(out, &time, &line);
            }
            What::Message { from, to, message, refused } => {
                let (a, b) = (self.place(*from), self.place(*to));
                if !matches!(a, Place::At(_)) && !matches!(b, Place::At(_)) {
                    return;
                }
                let mut label = message_label(self.roll, message, DECREE_MAX);
                match (&a, &b) {
                    (Place::At(_), Place::At(_)) => {}
                    (Place::At(_), _) => label = format!("{label} → {}", self.roll.name(*to)),
                    _ => label = format!("{} → {label}", self.roll.name(*from)),
                }
                if refused.is_some() {
                    label.push_str(" ✗ refused: forged");
                }
                self.arrow(out, &time, self.x(&a), self.x(&b), &label, refused.is_some());
            }
            What::Petition { by, to, petition } => {
                let Place::At(x) = self.place(*to) else { return };
                let label = format!("Petition(\"{}\") from {by}", super::one_line(&petition.text));
                self.arrow(out, &time, GUTTER, x, &label, false);
            }
        }
    }

    /// A label line, then the arrow from `xs` to `xt`.
    fn arrow(&self, out: &mut String, time: &str, xs: usize, xt: usize, label: &str, refused: bool) {
        let mut above = self.lifelines('│');
        self.write(&mut above, xs.min(xt) + 2, label);
        Block::emit(out, "", &above);
        let mut line = self.lifelines('│');
        let shaft = if refused { '╌' } else { '─' };
        if xs == xt {
            line[xs] = '↺';
        } else if xs < xt {
            line[xs] = if line[xs] == '│' { '├' } else { '○' };
            line[xs + 1..xt].iter_mut().for_each(|c| *c = shaft);
            line[xt - 1] = if refused { '✗' } else { '▶' };
        } else {
            line[xs] = if line[xs] == '│' { '┤' } else { '○' };
            line[xt + 1..xs].iter_mut().for_each(|c| *c = shaft);
            line[xt + 1] = if refused { '✗' } else { '◀' };
        }
        Block::emit(out, time, &line);
    }
}
