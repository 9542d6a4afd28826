//! Exit codes, in one place: what every `parliament` command's exit status means.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done: every petition asked for passed into every sitting priest's ledger (the audit: every promise held) |
//! | 1 | not done: some petition did not pass (the timeout ran out, or too few priests could act to make a majority set); the audit: a promise was broken |
//! | 2 | could not run: bad arguments, a folder that is not a Chamber, a file that cannot be read or written |
//! | 3 | a priest refuses to vote: his ledger is missing, damaged, replaced or not his own file, or another process wrote in it while he sat |
//! | 4 | a priest already sits in another process, on this computer or another (his lease): a priest sits once at a time |
//! | 5 | a priest left because the Chamber's folder could not be reached (EIO from a network mount): a crash; God brings him back, and he rebuilds from his ledger |

/// Done: every petition passed (or every promise held).
pub const DONE: i32 = 0;
/// Not done: some petition did not pass (or a promise was broken).
pub const NOT_DONE: i32 = 1;
/// Could not run at all.
pub const CANNOT_RUN: i32 = 2;
/// A priest refuses to vote (God does not bring him back).
pub const REFUSES: i32 = 3;
/// A priest already sits in another process (God does not start a second).
pub const ALREADY_SITTING: i32 = 4;
/// A priest left because the Chamber's folder could not be reached (God brings him back).
pub const UNREACHABLE: i32 = 5;

/// An error that ends a command with a given exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    /// The exit code.
    pub code: i32,
    /// What went wrong and what to do.
    pub message: String,
}

impl Exit {
    /// An error ending with `code`.
    pub fn new(code: i32, message: impl Into<String>) -> Exit {
        Exit { code, message: message.into() }
    }
}
