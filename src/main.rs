//! `parliament`: the command line. Each subcommand lives in `cli/`; `main` only parses, runs, and
//! maps the outcome to an exit code, as `parliament::exit` lists them (0 done, 1 not done, 2 could
//! not run, 3 a priest refuses, 4 a priest already sits elsewhere).

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
            e.downcast_ref::<parliament::exit::Exit>().map_or(parliament::exit::CANNOT_RUN, |x| x.code)
        }
    };
    std::process::exit(code);
}
