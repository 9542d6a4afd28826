//! The terminal of `parliament watch`: the alternate screen in raw mode (ratatui over crossterm),
//! left as it was found on `q`, on Ctrl-C, on SIGTERM and on a panic; and the live loop. The
//! Chamber's files are read again whenever the one [`FolderWatcher`] says a folder changed (at
//! most every 40 ms) and at least every 100 ms, reading only new bytes ([`Source`]); keys act
//! through [`Hands`]. A Chamber writing faster than the view shows (a thousand rows or more in one
//! refresh) is read on a clock instead, every 80 ms, its folders unwatched until it quietens.
//!
//! While the screen is up, this process's stderr (and its priest processes', who inherit it) goes
//! to a log file, so a priest's complaint cannot scribble over the screen; it comes back before
//! the terminal is restored, and the log's path is printed on leaving.

use std::fs::OpenOptions;
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::hands::Hands;
use super::model::{Presence, WatchState};
use super::render::{Prompt, Ui, render};
use super::source::Source;
use crate::books::Roll;
use crate::chamber::control::{Settings, control_path};
use crate::files::FolderWatcher;
use crate::priest::PriestId;

/// The shortest time between two reads of the files, however often they change.
const MIN_REFRESH: Duration = Duration::from_millis(40);
/// The longest a refresh feeds rows to the view before drawing; the rest wait for the next.
const FEED_BUDGET: Duration = Duration::from_millis(30);
/// The longest: presence is judged by time passing, not only by files changing.
const MAX_REFRESH: Duration = Duration::from_millis(100);
/// A refresh that feeds this many rows finds a Chamber writing faster than the view shows (over
/// ten thousand rows a second): the folders are no longer watched, and the files are read on a
/// clock instead, every [`BUSY_REFRESH`] from the start of one refresh to the next. A quieter
/// refresh watches them again.
const BUSY_ROWS: usize = 1_000;
/// How often a busy Chamber's files are read: over ten times a second, however long a refresh.
const BUSY_REFRESH: Duration = Duration::from_millis(80);

/// How the view kept up: for the README's figures and the person leaving.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Reads of the files.
    pub refreshes: u64,
    /// Rows read.
    pub rows: u64,
    /// How long the screen was up.
    pub seconds: f64,
    /// How much of that was spent reading the files and drawing.
    pub busy: f64,
    /// The CPU time the watch's own thread used, seconds.
    pub cpu: f64,
}

/// Rows read before the watch's leaving line gives its CPU per row.
const ROWS_FOR_A_COST: u64 = 10_000;

impl Stats {
    /// The one line said on leaving.
    pub fn line(&self) -> String {
        // A cost per row over a few rows is mostly the cost of drawing: said only under load.
        let per_row = if self.rows >= ROWS_FOR_A_COST {
            format!(" ({:.2} µs a row)", self.cpu * 1e6 / self.rows as f64)
        } else {
            String::new()
        };
        format!(
            "watch: {} refreshes in {:.1} s ({:.1} a second), {} rows read; reading and drawing took {:.1} s ({:.1} ms a refresh), {:.2} s of CPU{per_row}",
            self.refreshes,
            self.seconds,
            self.refreshes as f64 / self.seconds.max(1e-9),
            self.rows,
            self.busy,
            self.busy * 1e3 / self.refreshes.max(1) as f64,
            self.cpu,
        )
    }
}

/// This process's stderr sent to the end of a log until dropped: processes started meanwhile
/// inherit the log, and what the watch itself says does not land on its screen.
pub struct StderrTo {
    saved: i32,
}

impl StderrTo {
    /// Sends stderr to the end of `log` (made if missing).
    pub fn open(log: &Path) -> anyhow::Result<StderrTo> {
        let file = OpenOptions::new().create(true).append(true).open(log)?;
        // SAFETY: dup/dup2 on descriptors this process owns; no memory is involved.
        let saved = unsafe { libc::dup(2) };
        anyhow::ensure!(saved >= 0, "could not keep stderr: {}", std::io::Error::last_os_error());
        unsafe { libc::dup2(file.as_raw_fd(), 2) };
        Ok(StderrTo { saved })
    }
}

impl Drop for StderrTo {
    fn drop(&mut self) {
        // SAFETY: as in `open`; the saved descriptor is closed once, here.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}

/// The terminal in raw mode on the alternate screen, with stderr sent to a log; dropping it
/// restores both.
pub struct Screen {
    pub terminal: DefaultTerminal,
    _stderr: StderrTo,
}

impl Screen {
    /// Takes the terminal; stderr goes to `log` until the screen is dropped.
    pub fn open(log: &Path) -> anyhow::Result<Screen> {
        // Dropped on an error below, so the person sees why on the terminal.
        let stderr = StderrTo::open(log)?;
        let saved_stderr = stderr.saved;
        // Raw mode, the alternate screen, and a panic hook restoring them.
        let terminal =
            ratatui::try_init().map_err(|e| anyhow::anyhow!("parliament watch needs a terminal: {e}"))?;
        let ratatui_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // stderr first, so the panic's message reaches the person, not the log.
            // SAFETY: dup2 on descriptors this process owns.
            unsafe { libc::dup2(saved_stderr, 2) };
            ratatui_hook(info);
        }));
        Ok(Screen { terminal, _stderr: stderr })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        // The terminal first; then `_stderr`, a field, drops and gives stderr back.
        ratatui::restore();
    }
}

/// What a key asked of the loop.
enum Asked {
    Nothing,
    Quit,
}

/// Watches the Chamber in `dir` live until `q`, Ctrl-C or `stop`.
pub fn live(
    dir: &Path,
    roll: &Roll,
    hands: &mut Hands,
    stop: &AtomicBool,
    log: &Path,
) -> anyhow::Result<Stats> {
    let label = format!("{}{}", dir.display(), if hands.is_god() { " (convened by this watch)" } else { "" });
    let alpha = crate::books::settings::Settings::read(dir).unwrap_or_default().alpha;
    let mut state = WatchState::new(roll.clone(), label.clone()).with_alpha(alpha);
    let mut source = Source::open(dir, roll);
    let mut watcher = FolderWatcher::new()?;
    for folder in source.folders() {
        let _ = watcher.watch_folder(folder);
    }
    let control = std::fs::read_to_string(control_path(dir)).ok().and_then(|t| Settings::parse(&t));
    let mut ui = Ui {
        paused: control.as_ref().is_some_and(|c| c.paused),
        pace: control.map(|c| c.pace).filter(|p| !p.is_zero()),
        ..Ui::default()
    };
    let gone = TerminalGone::new();
    let mut screen = Screen::open(log)?;
    if !hands.is_god() {
        yield_to_the_chamber();
    }
    keep_freed_memory();
    let started = Instant::now();
    let cpu_before = thread_cpu();
    let mut refreshed = Instant::now() - MAX_REFRESH;
    let mut began = refreshed;
    let mut woke = true;
    let mut busy = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) && !gone.now() {
        let wakes = watcher.drain();
        woke |= wakes.rescan || !wakes.paths.is_empty() || source.behind() > 0;
        let since = refreshed.elapsed();
        let due = if watcher.is_deaf() {
            began.elapsed() >= BUSY_REFRESH || (source.behind() > 0 && since >= MIN_REFRESH)
        } else {
            (woke && since >= MIN_REFRESH) || since >= MAX_REFRESH
        };
        if due {
            began = Instant::now();
            if let Some(grown) = source.grown_roll() {
                // A place seated (`parliament admit`): the view is read again with his lifeline.
                let (refreshes, rows) = (source.refreshes, source.rows);
                hands.grow(&grown);
                state = WatchState::new(grown.clone(), label.clone()).with_alpha(alpha);
                source = Source::open(dir, &grown);
                (source.refreshes, source.rows) = (refreshes, rows);
                for folder in source.folders() {
                    if !watcher.folders().contains(&folder) {
                        let _ = watcher.watch_folder(folder);
                    }
                }
            }
            let fed = source.refresh_within(&mut state, Some(FEED_BUDGET));
            // A busy Chamber is read on a clock: watching its folders would only cost each of
            // its writes a kernel event to say what the clock says anyway. What changed while
            // deaf woke nobody: after hearing again, the next refresh comes soon, as if woken.
            let heard_again = fed < BUSY_ROWS && watcher.is_deaf();
            if fed >= BUSY_ROWS {
                watcher.go_deaf();
            } else if heard_again {
                watcher.hear();
            }
            hands.tend(stop);
            // Another watch, or a person with an editor, may pause or pace the messengers.
            if let Some(c) = std::fs::read_to_string(control_path(dir)).ok().and_then(|t| Settings::parse(&t))
            {
                ui.paused = c.paused;
                ui.pace = Some(c.pace).filter(|p| !p.is_zero());
            }
            screen.terminal.draw(|f| render(f, &state, &ui))?;
            refreshed = Instant::now();
            busy += refreshed - began;
            woke = heard_again;
        }
        if event::poll(Duration::from_millis(10))?
            && let Event::Key(key) = event::read()?
            && key.kind == KeyEventKind::Press
        {
            if let Asked::Quit = live_key(key, &state, &mut ui, hands) {
                break;
            }
            screen.terminal.draw(|f| render(f, &state, &ui))?;
        }
    }
    drop(screen);
    let seconds = started.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu_before;
    Ok(Stats { refreshes: source.refreshes, rows: source.rows, seconds, busy: busy.as_secs_f64(), cpu })
}

/// How nice the watch's thread makes itself when it watches a Chamber it did not convene.
pub const WATCH_NICENESS: i32 = 10;

/// The watch is an onlooker: on a machine the Chamber keeps busy, the priests' CPU comes first.
/// Its own thread (not the process: a watch that convened the Chamber runs God's priests in it,
/// and a priest God brings back would inherit the niceness) asks the kernel for a smaller share
/// (nice 10, about a tenth of a priest's share when both want the CPU); when the machine has
/// CPU to spare it gets all it wants, and when it falls behind it still draws ten times a second
/// from the rows it has read (`Source::behind`).
fn yield_to_the_chamber() {
    // SAFETY: setpriority on the calling thread's id; no memory is touched.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, WATCH_NICENESS);
    }
}

/// Under load each refresh reads megabytes of rows and frees them once they are fed. glibc gave
/// that memory back to the kernel at every free and the next refresh had it faulted in and
/// zeroed again, page by page: an eighth of the watch's CPU went to clearing pages. The process
/// keeps what it freed, up to 256 MiB, and large blocks come from the heap like small ones.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's malloc settings; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// Whether the terminal on `fd` has hung up: its window closed, or its tmux session killed. A
/// watch whose terminal went away without a SIGHUP reaching it (not its session's leader) span
/// for ever, crossterm reading nothing from the dead terminal in a loop, half a core taken from
/// the Chamber it watched. False for anything that was not a terminal to begin with.
pub fn hung_up(fd: libc::c_int) -> bool {
    let mut poll = libc::pollfd { fd, events: 0, revents: 0 };
    // SAFETY: poll on one pollfd we own, without waiting.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready > 0 && poll.revents & libc::POLLHUP != 0
}

/// A watch on the terminal it was started on: [`hung_up`] once that terminal is gone.
#[derive(Clone, Copy, Debug)]
pub struct TerminalGone {
    on_a_terminal: bool,
}

impl TerminalGone {
    /// Looks at stdin now: a watch whose stdin is no terminal (crossterm reads /dev/tty then)
    /// never says gone.
    pub fn new() -> TerminalGone {
        // SAFETY: isatty only asks about fd 0.
        TerminalGone { on_a_terminal: unsafe { libc::isatty(0) } == 1 }
    }

    /// Whether the terminal stdin was has hung up since.
    pub fn now(&self) -> bool {
        self.on_a_terminal && hung_up(0)
    }
}

impl Default for TerminalGone {
    fn default() -> Self {
        TerminalGone::new()
    }
}

/// The CPU time used by the calling thread, in seconds.
fn thread_cpu() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Whether a key is Ctrl-C (raw mode turns it into a key, not a signal).
pub fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

/// Who a petition typed with `n` goes to: the president as the ledgers show him, or the first
/// priest present.
fn petition_to(state: &WatchState) -> PriestId {
    let present = |p: &PriestId| state.priests()[p.index()].presence == Presence::Present;
    state.president().filter(present).unwrap_or_else(|| {
        let first = state.priests().iter().position(|p| p.presence == Presence::Present);
        PriestId(first.unwrap_or(0) as u16)
    })
}

fn live_key(key: KeyEvent, state: &WatchState, ui: &mut Ui, hands: &mut Hands) -> Asked {
    if is_ctrl_c(&key) {
        return Asked::Quit;
    }
    match (ui.prompt.take(), key.code) {
        (Some(Prompt::Petition(mut text)), code) => match code {
            KeyCode::Enter if !text.trim().is_empty() => {
                ui.last_action = hands.petition(petition_to(state), text.trim());
                if !state.majority_present() {
                    // A newcomer petitioned with too few priests present and saw nothing happen;
                    // told first, for the footer is one line and cut at the terminal's edge.
                    let rest = ui.last_action.trim_start_matches("n: ").to_string();
                    ui.last_action =
                        format!("n: too few priests are present for a majority set: it waits; {rest}");
                }
            }
            KeyCode::Enter | KeyCode::Esc => {}
            KeyCode::Backspace => {
                text.pop();
                ui.prompt = Some(Prompt::Petition(text));
            }
            KeyCode::Char(c) => {
                text.push(c);
                ui.prompt = Some(Prompt::Petition(text));
            }
            _ => ui.prompt = Some(Prompt::Petition(text)),
        },
        (Some(prompt), KeyCode::Char(c)) if c.is_ascii_digit() => {
            let i = c.to_digit(10).unwrap_or(0) as usize;
            let n = state.roll().len().min(9);
            if i == 0 || i > n {
                // Said, not swallowed: a newcomer pressed 9 in a Chamber of five and saw nothing.
                ui.last_action =
                    format!("no priest {i}: the priests are 1 to {n}; press the key again to choose");
                return Asked::Nothing;
            }
            ui.last_action = match prompt {
                Prompt::Kill => hands.kill(i - 1),
                Prompt::BringBack => hands.bring_back(i - 1),
                Prompt::Drop => hands.drop_next(i - 1),
                Prompt::Duplicate => hands.duplicate_next(i - 1),
                Prompt::Petition(_) => unreachable!("handled above"),
            };
        }
        (Some(_), _) => {}
        (None, KeyCode::Char('q')) => return Asked::Quit,
        (None, KeyCode::Char('?')) => ui.help = !ui.help,
        (None, KeyCode::Esc) => ui.help = false,
        (None, KeyCode::Char('p')) => (ui.paused, ui.last_action) = hands.toggle_pause(),
        (None, KeyCode::Char('s')) => (ui.paused, ui.last_action) = hands.step(),
        (None, KeyCode::Char('k')) => ui.prompt = Some(Prompt::Kill),
        (None, KeyCode::Char('b')) => ui.prompt = Some(Prompt::BringBack),
        (None, KeyCode::Char('d')) => ui.prompt = Some(Prompt::Drop),
        (None, KeyCode::Char('u')) => ui.prompt = Some(Prompt::Duplicate),
        (None, KeyCode::Char('n')) => ui.prompt = Some(Prompt::Petition(String::new())),
        (None, KeyCode::Char(c @ ('+' | '=' | '-'))) => {
            let (pace, said) = hands.pace(c != '-');
            ui.pace = (!pace.is_zero()).then_some(pace);
            ui.last_action = said;
        }
        (None, _) => {}
    }
    Asked::Nothing
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A newcomer's idle watch said "1416.75 µs a row" on leaving: over a few rows that figure
    /// is the cost of drawing, so it is said only when many rows were read.
    #[test]
    fn the_leaving_line_gives_a_cost_per_row_only_under_load() {
        let idle = Stats { refreshes: 100, rows: 120, seconds: 10.0, busy: 0.2, cpu: 0.17 };
        assert!(!idle.line().contains("a row)"), "{}", idle.line());
        let busy = Stats { refreshes: 30, rows: 1_000_000, seconds: 2.4, busy: 0.7, cpu: 0.4 };
        assert!(busy.line().contains("(0.40 µs a row)"), "{}", busy.line());
    }

    /// A newcomer killed priests until too few were present, typed a petition with `n`, and saw
    /// nothing happen: the footer says it waits for a majority set.
    #[test]
    fn a_petition_with_too_few_priests_present_is_told_it_waits() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let mut state = WatchState::new(roll.clone(), "test");
        let mut hands = Hands::new(dir.path(), &roll, None);
        let mut petition = |state: &WatchState| {
            let mut ui = Ui { prompt: Some(Prompt::Petition("Fish on Fridays".into())), ..Ui::default() };
            live_key(KeyEvent::from(KeyCode::Enter), state, &mut ui, &mut hands);
            ui.last_action
        };
        assert!(!petition(&state).contains("it waits"), "all five present");
        for p in [0, 1, 2] {
            state.priest_status(PriestId(p), Presence::Away);
        }
        let said = petition(&state);
        assert!(said.contains("too few priests are present for a majority set: it waits"), "{said}");
        // The footer is one line, cut at the terminal's edge (a newcomer saw "too few priests
        // are p…" at 120 columns): the waiting comes first.
        assert!(said.chars().take(80).collect::<String>().contains("it waits"), "{said}");
    }

    /// A newcomer pressed `k` then `9` in a Chamber of five and saw nothing happen.
    #[test]
    fn a_priest_number_past_the_roll_is_told_not_swallowed() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(5)).unwrap();
        let state = WatchState::new(roll.clone(), "test");
        let mut hands = Hands::new(dir.path(), &roll, None);
        let mut ui = Ui { prompt: Some(Prompt::Kill), ..Ui::default() };
        live_key(KeyEvent::from(KeyCode::Char('9')), &state, &mut ui, &mut hands);
        assert_eq!(ui.prompt, None, "the prompt is closed");
        assert!(ui.last_action.contains("no priest 9: the priests are 1 to 5"), "{}", ui.last_action);
    }

    /// Two watches left behind by killed tmux sessions were found spinning at half a core each,
    /// their terminals gone: a terminal whose other end closed must read as hung up, and one
    /// still open must not.
    #[test]
    fn a_terminal_whose_other_end_closed_has_hung_up() {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two fds we own; the null pointers ask for no name or settings.
        let opened = unsafe {
            libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null())
        };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        assert!(!hung_up(slave), "both ends open");
        // SAFETY: closing the master fd openpty gave us, once.
        unsafe { libc::close(master) };
        assert!(hung_up(slave), "the terminal's other end closed");
        // SAFETY: closing the slave fd openpty gave us, once.
        unsafe { libc::close(slave) };
        assert!(!hung_up(-1), "no terminal at all is not a hung-up one");
    }
}
