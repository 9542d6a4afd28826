//! Cutting a stream of bytes into complete lines, with no file in sight: bytes go in as they
//! arrive, whole lines come out, each with its 1-based number and byte offset.
//!
//! A reader can see half a line (`/work/shared/MEASURED.md`, point 2), so an incomplete last
//! line is held until its newline arrives. Each line comes out without its `\n`, without one
//! trailing `\r` (files edited on Windows), and, for the line at offset 0, without a UTF-8
//! byte-order mark. Bytes that are not valid UTF-8 become U+FFFD, so one bad byte typed by hand
//! does not stop the reader; the row parser downstream then rejects that line by its number.
//!
//! [`crate::files::tail`] feeds this from a file; a simulator can feed it from memory.

/// One complete line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file (a header, if any, is line 1).
    pub number: u64,
    /// Byte offset of the line's first byte in the file.
    pub offset: u64,
    /// The line without its `\n`, trailing `\r`, or (at offset 0) UTF-8 byte-order mark.
    pub text: String,
}

/// How far complete lines have been taken from a stream: save it to resume later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinePosition {
    /// Byte offset just past the last complete line.
    pub offset: u64,
    /// How many complete lines lie before `offset`; the next line's number is one more.
    pub lines_read: u64,
}

/// Turns bytes, pushed as they arrive, into complete lines.
#[derive(Debug, Clone, Default)]
pub struct LineBuffer {
    position: LinePosition,
    /// Bytes past `position.offset` that do not end in a newline yet. Never holds a `\n`.
    partial: Vec<u8>,
}

impl LineBuffer {
    /// A buffer for a stream whose bytes before `position.offset` were already taken.
    pub fn new(position: LinePosition) -> Self {
        Self { position, partial: Vec::new() }
    }

    /// Takes the next `bytes` of the stream and returns the lines they complete. Searches only
    /// `bytes` for newlines, so a long incomplete line is not scanned again on every push.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Line> {
        let mut lines = Vec::new();
        self.push_each(bytes, |number, offset, text| {
            lines.push(Line { number, offset, text: text.to_string() })
        });
        lines
    }

    /// As [`LineBuffer::push`], handing each complete line to `each` as (number, offset, text)
    /// the moment it is cut, borrowed from `bytes`: a line is copied only when it arrived in
    /// pieces (the piece held waits here) or holds bytes that are not UTF-8.
    pub fn push_each(&mut self, bytes: &[u8], mut each: impl FnMut(u64, u64, &str)) {
        let mut rest = bytes;
        if !self.partial.is_empty() {
            let Some(i) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return;
            };
            let mut held = std::mem::take(&mut self.partial);
            held.extend_from_slice(&rest[..i]);
            self.cut(&held, &mut each);
            held.clear();
            self.partial = held;
            rest = &rest[i + 1..];
        }
        // The complete lines are checked for UTF-8 at once (a check a line costs a call each);
        // only where that fails is each line checked, and its bad bytes replaced, alone.
        let whole = memchr::memrchr(b'\n', rest).map_or(0, |i| i + 1);
        if let Ok(text) = std::str::from_utf8(&rest[..whole]) {
            let mut start = 0;
            for i in memchr::memchr_iter(b'\n', text.as_bytes()) {
                self.cut_text(&text[start..i], i - start, &mut each);
                start = i + 1;
            }
            rest = &rest[whole..];
        }
        while let Some(i) = memchr::memchr(b'\n', rest) {
            self.cut(&rest[..i], &mut each);
            rest = &rest[i + 1..];
        }
        self.partial.extend_from_slice(rest);
    }

    /// As [`LineBuffer::cut`], for a line already read as text, `bytes` long in the stream.
    fn cut_text(&mut self, line: &str, bytes: usize, each: &mut impl FnMut(u64, u64, &str)) {
        let offset = self.position.offset;
        let mut text = line;
        if offset == 0 {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        text = text.strip_suffix('\r').unwrap_or(text);
        self.position.lines_read += 1;
        self.position.offset += bytes as u64 + 1;
        each(self.position.lines_read, offset, text)
    }

    /// One complete line, without its newline: numbered, stripped, and handed on.
    fn cut(&mut self, line: &[u8], each: &mut impl FnMut(u64, u64, &str)) {
        match std::str::from_utf8(line) {
            Ok(text) => self.cut_text(text, line.len(), each),
            Err(_) => self.cut_text(&String::from_utf8_lossy(line), line.len(), each),
        }
    }

    /// How far complete lines have been taken.
    pub fn position(&self) -> LinePosition {
        self.position
    }

    /// The offset of the next byte expected: past the complete lines and the held partial one.
    pub fn stream_offset(&self) -> u64 {
        self.position.offset + self.partial.len() as u64
    }

    /// How many bytes of an incomplete last line are held, waiting for their newline.
    pub fn pending_bytes(&self) -> usize {
        self.partial.len()
    }

    /// Forgets everything, to start again at the beginning of a stream.
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn partial_line_is_held_until_its_newline() {
        let mut buffer = LineBuffer::default();
        assert_eq!(texts(&buffer.push(b"kind,ballot\nVoted,")), ["kind,ballot"]);
        assert_eq!(buffer.pending_bytes(), 6);
        assert_eq!(buffer.push(b"7"), []);
        assert_eq!(buffer.stream_offset(), 19);
        let lines = buffer.push(b"\nSuccess,7\n");
        let expected = [
            Line { number: 2, offset: 12, text: "Voted,7".into() },
            Line { number: 3, offset: 20, text: "Success,7".into() },
        ];
        assert_eq!(lines, expected);
        assert_eq!(buffer.pending_bytes(), 0);
        assert_eq!(buffer.position(), LinePosition { offset: 30, lines_read: 3 });
    }

    #[test]
    fn crlf_and_bom_are_stripped() {
        let mut buffer = LineBuffer::default();
        let lines = buffer.push(b"\xEF\xBB\xBFkind,ballot\r\nVoted,7\r\n\r\nlast\n");
        assert_eq!(texts(&lines), ["kind,ballot", "Voted,7", "", "last"]);
        assert_eq!((lines[0].offset, lines[1].offset), (0, 16));
        // Only one `\r` is a line ending; a byte-order mark later on is text.
        let lines = buffer.push(b"a\r\r\n\xEF\xBB\xBFx\n");
        assert_eq!(texts(&lines), ["a\r", "\u{feff}x"]);
    }

    #[test]
    fn a_bom_split_across_pushes_is_still_stripped() {
        let mut buffer = LineBuffer::default();
        assert_eq!(buffer.push(b"\xEF"), []);
        assert_eq!(buffer.push(b"\xBB"), []);
        assert_eq!(texts(&buffer.push(b"\xBFh\n")), ["h"]);
    }

    #[test]
    fn resumed_buffer_numbers_from_its_position() {
        let mut buffer = LineBuffer::new(LinePosition { offset: 100, lines_read: 9 });
        let lines = buffer.push(b"x\ny\n");
        assert_eq!(lines[0], Line { number: 10, offset: 100, text: "x".into() });
        assert_eq!(lines[1], Line { number: 11, offset: 102, text: "y".into() });
        buffer.reset();
        assert_eq!(buffer.position(), LinePosition::default());
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let mut buffer = LineBuffer::default();
        let lines = buffer.push(b"ok\nbad\xFF\nok again\n");
        assert_eq!(texts(&lines), ["ok", "bad\u{FFFD}", "ok again"]);
    }

    #[test]
    fn byte_at_a_time_matches_all_at_once() {
        let stream = "\u{feff}h\r\nΠαξός,🏛\n\nlast\r\nhalf".as_bytes();
        let mut whole = LineBuffer::default();
        let expected = whole.push(stream);
        let mut bytewise = LineBuffer::default();
        let got: Vec<Line> = stream.iter().flat_map(|b| bytewise.push(&[*b])).collect();
        assert_eq!(got, expected);
        assert_eq!(bytewise.position(), whole.position());
        assert_eq!(bytewise.pending_bytes(), 4);
    }
}
