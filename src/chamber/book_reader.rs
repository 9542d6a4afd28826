//! Reading a priest's messagebook as it grows: a folder of pages (`messagebooks/<priest>/`), one
//! per writer, each read a complete line at a time from a saved offset (§2.3's messengers
//! deliver by appending a row to the page of their own).
//!
//! Three promises, whatever people do to the pages:
//!
//! - **An editor's save is a no-op** for rows already read. When a page is replaced (rename-over)
//!   or rewritten, the new file's first lines are compared with what was read (a running
//!   fingerprint of every line); if they are the same rows, they are skipped and only new rows
//!   are answered. If history itself was changed, the page is read again from its start, and
//!   the priest says so.
//! - **Every petition that reaches a page passes exactly once**, even if the priest who read it is
//!   killed before it passes: the saved position (`.<page>.read`) never moves past a petition
//!   whose decree his ledger does not yet hold, so a priest back in the Chamber reads it again.
//!   Its id comes from the page and the row's text, so reading it again is the same petition.
//! - **A page replaced while its priest was away is not misread**: the saved position carries the
//!   file's identity and the fingerprint of the lines before it, checked on return.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::books::Roll;
use crate::books::book_rows::{
    BOOK_HEADER, BookEntry, CONTINUED, book_row_kind, parse_book_row, petition_from,
};
use crate::books::layout::{book_dir, page_name, read_position_path};
use crate::files::{Line, LinePosition, TailEvent, TailReader};
use crate::priest::{Input, Message, PetitionId, PriestId};

/// What one row of a page says, or why it is refused.
#[derive(Debug)]
pub enum Reading {
    /// A petition, with who asked for it.
    Petition(crate::priest::Petition, String),
    /// A message said to be from a priest (to be checked against his ledger).
    Message(PriestId, Message),
    /// A row that is not one; why.
    Bad(String),
    /// Something a person should know about the page (not a row).
    Note(String),
}

/// One row read, with the page (`messagebooks/<priest>/<page>.csv`) and line it is on.
#[derive(Debug)]
pub struct BookLine {
    /// The page's name.
    pub page: String,
    /// The line number in the page.
    pub line: u64,
    /// What it says.
    pub reading: Reading,
}

impl Reading {
    /// The input it makes for the priest, if it is one.
    pub fn input(self) -> Option<Input> {
        match self {
            Reading::Petition(p, _) => Some(Input::Petition(p)),
            Reading::Message(from, message) => Some(Input::Message { from, message }),
            _ => None,
        }
    }
}

/// How far a page was read: lines, the fingerprint of those lines, and the byte offset after them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Prefix {
    lines: u64,
    print: u64,
    offset: u64,
}

impl Prefix {
    fn after(self, line: &Line) -> Prefix {
        let print = line.text.bytes().chain([b'\n']).fold(self.print ^ 0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Prefix { lines: self.lines + 1, print, offset: self.offset }
    }
}

/// One page followed.
struct Page {
    tail: TailReader,
    read: Prefix,
    /// After a replacement: the prefix the new file must start with to be the same rows.
    expect: Option<Prefix>,
    held: Vec<Line>,
    /// Petitions read but not yet in his ledger: where each one's row starts.
    waiting: Vec<(Prefix, PetitionId)>,
    /// After a replacement: the petitions that were waiting, to wait again if the new file
    /// holds the same rows (an editor's save must not let a petition go unpassed).
    expect_waiting: Vec<PetitionId>,
    identity: Option<(u64, u64)>,
    /// What its side file holds, as last written: an idle priest writes nothing.
    saved: String,
}

/// Follows one priest's messagebook: every page in his folder.
pub struct BookReader {
    dir: PathBuf,
    me: String,
    roll: Roll,
    folder_seen: Option<(u64, i64, i64, i64, i64)>,
    pages: BTreeMap<String, Page>,
    /// Whether to read every page from its start, whatever the side files say.
    fresh: bool,
}

impl BookReader {
    /// Follows `messagebooks/<name>/` under `dir`, each page from where its side file says.
    pub fn open(dir: &Path, roll: &Roll, name: &str) -> BookReader {
        BookReader {
            dir: dir.to_path_buf(),
            me: name.to_string(),
            roll: roll.clone(),
            folder_seen: None,
            pages: BTreeMap::new(),
            fresh: false,
        }
    }

    /// Reads `messagebooks/<name>/` under `dir` from the start of every page, as a person
    /// would, ignoring (and never writing) the priest's side files.
    pub fn open_fresh(dir: &Path, roll: &Roll, name: &str) -> BookReader {
        BookReader { fresh: true, ..BookReader::open(dir, roll, name) }
    }

    /// Reads with a roll grown by places seated since (§3.3.6).
    pub fn set_roll(&mut self, roll: &Roll) {
        self.roll = roll.clone();
    }

    /// The folder of pages.
    pub fn folder(&self) -> PathBuf {
        book_dir(&self.dir, &self.me)
    }

    /// A page's path relative to the Chamber, for messages to people.
    pub fn page_file(&self, page: &str) -> String {
        crate::books::layout::page_file(&self.me, page)
    }

    fn find_pages(&mut self, out: &mut Vec<BookLine>) -> io::Result<()> {
        let folder = self.folder();
        let meta = fs::metadata(&folder).ok();
        let stamp = meta.as_ref().map(|m| (m.ino(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()));
        if stamp.is_some() && stamp == self.folder_seen {
            return Ok(());
        }
        // A folder's times have a grain (a jiffy; whole seconds over sftp): a page created in
        // the same grain as this listing leaves them unchanged. So they are trusted to mean
        // "nothing new" only once older than that grain (`files::settled`), and until then the
        // folder is listed every time.
        self.folder_seen = stamp.filter(|_| meta.as_ref().is_some_and(crate::files::settled));
        let Ok(entries) = fs::read_dir(&folder) else { return Ok(()) };
        for entry in entries {
            let entry = entry?;
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(page) = page_name(&file) else { continue };
            if self.pages.contains_key(page) {
                continue;
            }
            if entry.file_type()?.is_symlink() {
                let why = "a symbolic link, not a page of this Chamber; it is not read".to_string();
                out.push(BookLine { page: page.to_string(), line: 0, reading: Reading::Note(why) });
                continue;
            }
            let page = page.to_string();
            let opened = self.open_page(&page, entry.path());
            self.pages.insert(page, opened);
        }
        Ok(())
    }

    fn open_page(&self, page: &str, path: PathBuf) -> Page {
        let identity = fs::metadata(&path).ok().map(|m| (m.dev(), m.ino()));
        let saved = (!self.fresh)
            .then(|| fs::read_to_string(read_position_path(&self.dir, &self.me, page)).ok())
            .flatten()
            .and_then(|s| {
                let mut f = s.split_whitespace().map(|x| x.parse::<u64>().ok());
                let prefix = Prefix { offset: f.next()??, lines: f.next()??, print: f.next()?? };
                Some((prefix, (f.next()??, f.next()??)))
            });
        let mut page = Page {
            tail: TailReader::new(&path),
            read: Prefix::default(),
            expect: None,
            held: Vec::new(),
            waiting: Vec::new(),
            expect_waiting: Vec::new(),
            identity,
            saved: String::new(),
        };
        if let Some((prefix, was)) = saved {
            if Some(was) == identity {
                page.tail = TailReader::resume(
                    &path,
                    LinePosition { offset: prefix.offset, lines_read: prefix.lines },
                );
                page.read = prefix;
            } else {
                // Replaced while he was away: the new file must show the same rows to skip them.
                page.expect = Some(prefix);
            }
        }
        page
    }

    /// Every complete row added to any page since the last call, skipping headers and rows
    /// already read before a page was replaced.
    pub fn read(&mut self) -> io::Result<Vec<BookLine>> {
        let mut out = Vec::new();
        self.find_pages(&mut out)?;
        let (roll, me) = (&self.roll, &self.me);
        for (name, page) in &mut self.pages {
            let events = page.tail.read_new_lines()?;
            for event in events {
                let line = match event {
                    TailEvent::Line(line) => line,
                    TailEvent::Replaced | TailEvent::Truncated => {
                        if page.expect.is_none() && page.read.lines > 0 {
                            page.expect = Some(page.read);
                            page.expect_waiting = page.waiting.drain(..).map(|(_, id)| id).collect();
                        }
                        page.read = Prefix::default();
                        page.held.clear();
                        page.waiting.clear();
                        page.identity = fs::metadata(page.tail.path()).ok().map(|m| (m.dev(), m.ino()));
                        continue;
                    }
                };
                let before = Prefix { offset: line.offset, ..page.read };
                page.read = before.after(&line);
                if page.expect.is_some() && line.number <= 2 && book_row_kind(&line.text) == Some(CONTINUED) {
                    // Its writer closed the page and began this one (§3.3.2): the closed page's
                    // rows were read through the old handle (or, if he was away, were messages
                    // the paper lets a messenger lose), so this is a new page, not a changed one.
                    page.expect = None;
                    page.expect_waiting.clear();
                    page.held.clear();
                    continue;
                }
                if let Some(expect) = page.expect {
                    page.held.push(line);
                    if page.read.lines < expect.lines {
                        continue;
                    }
                    page.expect = None;
                    let held = std::mem::take(&mut page.held);
                    if page.read.print == expect.print {
                        wait_again(roll, me, name, held, page);
                        continue;
                    }
                    page.expect_waiting.clear();
                    read_again(roll, me, name, held, page, &mut out);
                    continue;
                }
                row(roll, me, name, before, &line, page, &mut out);
            }
            if page.expect.take().is_some() {
                // The new file is shorter than what was read: history was changed.
                page.expect_waiting.clear();
                let held = std::mem::take(&mut page.held);
                read_again(roll, me, name, held, page, &mut out);
            }
        }
        Ok(out)
    }

    /// Saves how far each page has been read: never past a petition not yet passed, nor into a
    /// half-read row.
    pub fn save_positions(&mut self, passed: impl Fn(&PetitionId) -> bool) {
        if self.fresh {
            return;
        }
        for (name, page) in &mut self.pages {
            page.waiting.retain(|(_, id)| !passed(id));
            if page.expect.is_some() {
                continue;
            }
            let mut at = page.waiting.first().map_or(page.read, |(p, _)| *p);
            if page.waiting.is_empty() {
                at.offset = page.tail.position().offset;
            }
            let Some((dev, ino)) = page.identity else { continue };
            let text = format!("{} {} {} {dev} {ino}\n", at.offset, at.lines, at.print);
            if text == page.saved {
                continue;
            }
            // The side file is a convenience; failing to write it costs only reading again.
            if fs::write(read_position_path(&self.dir, &self.me, name), &text).is_ok() {
                page.saved = text;
            }
        }
    }

    /// Pages with an unfinished last row (no newline yet), and how many bytes wait.
    pub fn unfinished(&self) -> Vec<(String, u64, usize)> {
        let pending = self.pages.iter().filter(|(_, p)| p.tail.pending_bytes() > 0);
        pending.map(|(n, p)| (n.clone(), p.tail.position().lines_read + 1, p.tail.pending_bytes())).collect()
    }
}

/// A page whose rows already read were changed: said so, and every line held read again.
fn read_again(roll: &Roll, me: &str, name: &str, held: Vec<Line>, page: &mut Page, out: &mut Vec<BookLine>) {
    let why = format!(
        "rows of this page already read were changed since (it now holds {} of them); it is read again from its start",
        held.len()
    );
    out.push(BookLine { page: name.to_string(), line: 0, reading: Reading::Note(why) });
    let mut prefix = Prefix::default();
    for line in held {
        let start = Prefix { offset: line.offset, ..prefix };
        prefix = start.after(&line);
        row(roll, me, name, start, &line, page, out);
    }
}

/// A page replaced by the same rows (an editor's save): nothing is answered again, but the
/// petitions that were waiting for their decree wait again, at their rows in the new file, so
/// the saved position still never moves past them.
fn wait_again(roll: &Roll, me: &str, name: &str, held: Vec<Line>, page: &mut Page) {
    let was = std::mem::take(&mut page.expect_waiting);
    let mut prefix = Prefix::default();
    let mut unsaid = Vec::new();
    for line in held {
        let start = Prefix { offset: line.offset, ..prefix };
        prefix = start.after(&line);
        row(roll, me, name, start, &line, page, &mut unsaid);
    }
    page.waiting.retain(|(_, id)| was.contains(id));
}

/// Reads one line of page `name` of `me`'s messagebook, that starts after `start`.
fn row(
    roll: &Roll,
    me: &str,
    name: &str,
    start: Prefix,
    line: &Line,
    page: &mut Page,
    out: &mut Vec<BookLine>,
) {
    if line.text.trim().is_empty() || (line.number == 1 && line.text == BOOK_HEADER) {
        return;
    }
    let reading = if crate::books::csvrow::holds_nul(&line.text) {
        Reading::Bad(format!(
            "a row left unfinished in a page that is not yours, cut short when its writer wrote below it: void. Write it again, whole, in a page of your own ({me}/<your name>.csv)"
        ))
    } else if crate::books::csvrow::holds_no_character(&line.text) {
        Reading::Bad(
            "the row is not UTF-8 text (a byte that is no character); save the file as UTF-8".to_string(),
        )
    } else {
        match parse_book_row(roll, &line.text) {
            Err(why) => Reading::Bad(why),
            Ok(BookEntry::Petition { from, text, id, print }) => {
                let petition = petition_from(roll, &format!("{me}/{name}"), print, &text, &id);
                page.waiting.push((start, petition.id.clone()));
                Reading::Petition(petition, from)
            }
            // The page its writer began after closing the one before: nothing to answer.
            Ok(BookEntry::Continued { .. }) => return,
            Ok(BookEntry::Message { from, message }) => match roll.id(name) {
                Some(owner) if owner != from => Reading::Bad(format!(
                    "a {} said to be from {} in {name}'s page, which only {name}'s messenger writes; refused as written by hand or forged",
                    message.kind(),
                    roll.name(from)
                )),
                _ => Reading::Message(from, message),
            },
        }
    };
    out.push(BookLine { page: name.to_string(), line: line.number, reading });
}

#[cfg(test)]
mod tests;
