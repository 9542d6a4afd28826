//! The chronicle drawn as a standalone SVG a browser shows: one lifeline per priest (a `<line>` of
//! class `lifeline`), one arrow per messagebook row (a `<line>` of class `arrow` with an arrowhead
//! marker, dashed and red when the row is refused as forged), a mark on the lifeline for every
//! ledger row (§2.3: written before the messages it allows), a star for a decree entering a
//! ledger, and a band where a majority set has voted (§2.2). Every row's group carries a `<title>`
//! with its time and `file:line`, shown on hover.

use std::fmt::Write as _;

use super::{Event, What, majority_label, message_label, record_label};
use crate::books::Roll;
use crate::priest::{PriestId, Record};

/// Horizontal room per priest.
const COLUMN: usize = 220;
/// Vertical room per event.
const ROW: usize = 28;
/// Room above the first event, for the names.
const TOP: usize = 50;
/// Room left of the first lifeline, for the time.
const LEFT: usize = 110;
/// Decree texts in labels are cut to this many characters (the title holds them whole).
const DECREE_MAX: usize = 24;

/// Escapes text for XML.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn x_of(p: PriestId) -> usize {
    LEFT + COLUMN * p.index() + COLUMN / 2
}

/// The hover text of an event: its time and where it is written.
fn title(e: &Event, what: &str) -> String {
    let at = e.at.map_or("no time".to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    xml(&format!("{at}  {}:{}\n{what}", e.file, e.line))
}

/// Draws `events` for the priests of `roll` as one SVG document.
pub fn render(roll: &Roll, events: &[&Event]) -> String {
    let width = LEFT + COLUMN * roll.len() + 20;
    let height = TOP + ROW * (events.len() + 1) + 20;
    let bottom = height - 20;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">
<defs>
<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker>
<marker id="refused" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,10 M0,10 L10,0" stroke="#c00" stroke-width="2"/></marker>
</defs>
<rect width="100%" height="100%" fill="white"/>
"##
    );
    for (i, name) in roll.names().iter().enumerate() {
        let x = x_of(PriestId(i as u16));
        let _ = writeln!(
            s,
            r##"<g class="priest"><title>{name}: ledgers/{name}.csv</title><text x="{x}" y="{}" text-anchor="middle" font-weight="bold">{name}</text><line class="lifeline" x1="{x}" y1="{}" x2="{x}" y2="{bottom}" stroke="#888" stroke-dasharray="4 3"/></g>"##,
            TOP - 20,
            TOP - 12,
            name = xml(name),
        );
    }
    for (row, e) in events.iter().enumerate() {
        let y = TOP + ROW * (row + 1);
        let time = e.at.map_or(String::new(), |t| t.format("%H:%M:%S%.3f").to_string());
        let _ = write!(s, r##"<text x="6" y="{}" fill="#666">{time}</text>"##, y + 4);
        draw(&mut s, roll, e, y, width);
        s.push('\n');
    }
    s.push_str("</svg>\n");
    s
}

fn draw(s: &mut String, roll: &Roll, e: &Event, y: usize, width: usize) {
    match &e.what {
        What::Ledger { priest, record } => {
            let x = x_of(*priest);
            let label = record_label(roll, record, DECREE_MAX);
            let full = record_label(roll, record, usize::MAX);
            let mark = if matches!(record, Record::Decree { .. }) {
                format!(
                    r##"<text class="decree" x="{x}" y="{}" text-anchor="middle" fill="#b80" font-size="16">★</text>"##,
                    y + 5
                )
            } else {
                format!(
                    r##"<rect class="ink" x="{}" y="{}" width="10" height="10" fill="#333"/>"##,
                    x - 5,
                    y - 5
                )
            };
            let _ = write!(
                s,
                r##"<g class="ledger"><title>{}</title>{mark}<text x="{}" y="{}">{}</text></g>"##,
                title(e, &full),
                x + 10,
                y + 4,
                xml(&label)
            );
        }
        What::Majority { .. } => {
            let label = majority_label(roll, &e.what);
            let _ = write!(
                s,
                r##"<g class="majority"><title>{}</title><rect x="{LEFT}" y="{}" width="{}" height="16" fill="#dfd"/><text x="{}" y="{}" fill="#060">◆ {}</text></g>"##,
                title(e, &label),
                y - 8,
                width - LEFT - 20,
                LEFT + 4,
                y + 4,
                xml(&label)
            );
        }
        What::Message { from, to, message, refused } => {
            let label = message_label(roll, message, DECREE_MAX);
            let mut full = message_label(roll, message, usize::MAX);
            if let Some(why) = refused {
                full.push_str(&format!("\nrefused: {why}"));
            }
            let (x1, x2) = (x_of(*from), x_of(*to));
            arrow(s, e, &full, &label, (x1, x2, y), refused.is_some());
        }
        What::Petition { by, to, petition } => {
            let label = format!("Petition(\"{}\") from {by}", super::one_line(&petition.text));
            arrow(s, e, &label, &label, (LEFT, x_of(*to), y), false);
        }
    }
}

fn arrow(
    s: &mut String,
    e: &Event,
    full: &str,
    label: &str,
    (x1, x2, y): (usize, usize, usize),
    refused: bool,
) {
    let (style, marker, class) = if refused {
        (r##" stroke="#c00" stroke-dasharray="5 3""##, "refused", "message refused")
    } else {
        (r##" stroke="#222""##, "head", "message")
    };
    let (x1, x2) = if x1 == x2 { (x1, x1 + 30) } else { (x1, x2) };
    let end = if x2 > x1 { x2 - 4 } else { x2 + 4 };
    let _ = write!(
        s,
        r##"<g class="{class}"><title>{}</title><line class="arrow" x1="{x1}" y1="{y}" x2="{end}" y2="{y}"{style} marker-end="url(#{marker})"/><text x="{}" y="{}"{}>{}</text></g>"##,
        title(e, full),
        x1.min(x2) + 8,
        y - 4,
        if refused { r##" fill="#c00""## } else { "" },
        xml(&format!("{label}{}", if refused { " ✗ refused" } else { "" }))
    );
}
