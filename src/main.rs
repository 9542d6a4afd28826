//! `parliament`: the command line. Each subcommand lives in `cli/`; `main` only parses, runs, and
//! maps the outcome to an exit code (ripgrep's convention: 0 all held, 1 something was violated,
//! 2 could not run).

mod cli;

use clap::Parser;

fn main() {
    // Like `cat`, end quietly when the reader of our output goes away (`parliament laws | head`).
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let args = cli::Cli::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("parliament: {e:#}");
            2
        }
    };
    std::process::exit(code);
}
