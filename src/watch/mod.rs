//! `parliament watch`: the whole Parliament on one terminal screen (issue 12). The priests with
//! their ledgers' lastTried, nextBal and votes, the messages moving, the ballots in flight, the
//! statute book, and the paper's rules checked live over every ledger row.
//!
//! Two halves, so the files can change under them: [`WatchState`] is fed events (ledger rows,
//! deliveries, petitions, presence) and knows nothing of files; [`render`] draws it with ratatui.
//! [`source`] reads a Chamber's files into it; [`term`] runs the screen and [`hands`] the keys.

/// Ballots in flight and the statute book, derived from ledger rows.
pub mod flight;
/// Your hands on the Chamber: the keys, through files and signals a person could use.
pub mod hands;
/// The watch's state: fed events, checks the rules, derives what the panels show.
pub mod model;
/// The four panels: priests, messages, ballots in flight, statute book.
mod panels;
/// The screen: frame, layout, footer, help overlay, a terminal too small.
pub mod render;
/// `watch --replay`: a finished Chamber stepped through by its rows' times.
pub mod replay;
/// Following a Chamber's files as they grow, feeding the state.
pub mod source;
/// The terminal: raw mode, the alternate screen, restored however the watch ends; the live loop.
pub mod term;
/// The paper's words for messages and their colours.
pub mod words;

#[cfg(test)]
mod render_tests;
#[cfg(test)]
mod source_tests;
#[cfg(test)]
mod tests;

pub use flight::{Flight, InFlight, Statute};
pub use model::{Broken, Delivery, DurableView, Fate, Presence, PriestView, WatchState};
pub use render::{KEYS, Prompt, Ui, render};
