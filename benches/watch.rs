//! `cargo bench --bench watch`: what `parliament watch` spends to follow a busy Chamber, per row
//! of its files (ledgers and messagebook pages), with no terminal in the way.
//!
//! A seeded run of five priests passing 2,000 petitions is written out as a Chamber (the
//! simulator's files are the Chamber's files), then the watch's data source reads it all in one
//! refresh, as it does when a loaded Chamber has written thousands of rows since the last screen:
//! every ledger row goes through the rules (§2.3's indelible ink, B1-B3), and the messagebook rows
//! that would scroll out of view before a screen shows them are only looked at for what they tell
//! the rules (petitions) and the ballots in flight (BeginBallot, §3.1).

use divan::Bencher;
use divan::counter::ItemsCount;
use parliament::books::Roll;
use parliament::sim::{SimConfig, files::write_chamber, run};
use parliament::watch::WatchState;
use parliament::watch::source::Source;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 10)]
fn refresh_a_busy_chamber(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run(&SimConfig { keep_books: true, ..SimConfig::new(1, 5, 2_000) }, None);
    write_chamber(&outcome, dir.path()).unwrap();
    let roll = Roll::read(dir.path()).unwrap().unwrap();
    let rows = {
        let mut state = WatchState::new(roll.clone(), "bench");
        let mut source = Source::open(dir.path(), &roll);
        source.refresh(&mut state) as u64
    };
    bencher.counter(ItemsCount::new(rows)).bench(|| {
        let mut state = WatchState::new(roll.clone(), "bench");
        let mut source = Source::open(dir.path(), &roll);
        source.refresh(&mut state)
    });
}

/// `WATCH_DIR=<a Chamber's folder> cargo bench --bench watch`: the same over a Chamber of your own
/// (one that `parliament bench --dir` left, say), read whole in one refresh.
#[divan::bench(sample_count = 10)]
fn refresh_a_chamber_of_your_own(bencher: Bencher) {
    let Some(dir) = std::env::var_os("WATCH_DIR") else { return };
    let dir = std::path::PathBuf::from(dir);
    let roll = Roll::read(&dir).unwrap().unwrap();
    let rows = {
        let mut state = WatchState::new(roll.clone(), "bench");
        let mut source = Source::open(&dir, &roll);
        source.refresh(&mut state) as u64
    };
    bencher.counter(ItemsCount::new(rows)).bench(|| {
        let mut state = WatchState::new(roll.clone(), "bench");
        let mut source = Source::open(&dir, &roll);
        source.refresh(&mut state)
    });
}
