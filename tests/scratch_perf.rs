use parliament::books::statute::discover_roll;
use parliament::watch::source::Source;
use parliament::watch::{Ui, WatchState, render};
use ratatui::{Terminal, backend::TestBackend};
use std::time::Instant;
#[test]
fn perf() {
    let dir = std::path::Path::new("/tmp/w12m/a");
    let roll = discover_roll(dir).unwrap().unwrap();
    let mut s = Source::open(dir, &roll);
    let mut st = WatchState::new(roll.clone(), "x");
    let t = Instant::now();
    let n = s.refresh(&mut st);
    eprintln!("full refresh {n} rows {:?}", t.elapsed());
    let t = Instant::now();
    let n = s.refresh(&mut st);
    eprintln!("empty refresh {n} rows {:?}", t.elapsed());
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let ui = Ui::default();
    let t = Instant::now();
    for _ in 0..10 {
        term.draw(|f| render(f, &st, &ui)).unwrap();
    }
    eprintln!("draw x10 {:?}", t.elapsed());
}
#[test]
fn perf2() {
    let dir = std::path::Path::new("/tmp/w12m/a");
    let roll = discover_roll(dir).unwrap().unwrap();
    let mut s = Source::open(dir, &roll);
    let mut st = WatchState::new(roll.clone(), "x");
    s.refresh(&mut st);
    let t = Instant::now();
    let r = s.read_books();
    eprintln!("empty read_books {} {:?}", r.len(), t.elapsed());
    let t = Instant::now();
    st.books_read();
    eprintln!("books_read {:?}", t.elapsed());
    let t = Instant::now();
    let _ = parliament::watch::source::sitting_now(dir, &roll);
    eprintln!("sitting_now {:?}", t.elapsed());
    let mut f = parliament::books::ledger_read::LedgerFollower::new(dir.join("ledgers/Lynch.csv"));
    f.read(&roll, |_, _| {}).unwrap();
    let t = Instant::now();
    f.read(&roll, |_, _| {}).unwrap();
    eprintln!("empty ledger read {:?}", t.elapsed());
}
#[test]
fn perf3() {
    let dir = std::path::Path::new("/tmp/w12m/a");
    let t = Instant::now();
    for n in ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"] {
        let c = std::fs::read_dir(dir.join("messagebooks").join(n)).unwrap().count();
        eprintln!("{n} {c}");
    }
    eprintln!("read_dir x5 {:?}", t.elapsed());
    let mut tails: Vec<_> = std::fs::read_dir(dir.join("messagebooks/Toueg"))
        .unwrap()
        .flatten()
        .map(|e| (e.path(), parliament::files::TailReader::new(e.path())))
        .collect();
    for (_, t) in &mut tails {
        t.read_new_lines().unwrap();
    }
    for (p, t) in &mut tails {
        let s = Instant::now();
        let n = t.read_new_lines().unwrap().len();
        eprintln!("{} {n} {:?} pending {}", p.display(), s.elapsed(), t.pending_bytes());
    }
}
#[test]
fn perf4() {
    let dir = std::path::Path::new("/tmp/w12m/a");
    let roll = discover_roll(dir).unwrap().unwrap();
    let mut s = Source::open(dir, &roll);
    let t = Instant::now();
    let r = s.read_books();
    eprintln!("first read_books {} {:?}", r.len(), t.elapsed());
    let t = Instant::now();
    drop(r);
    eprintln!("drop {:?}", t.elapsed());
    for _ in 0..3 {
        let t = Instant::now();
        let r = s.read_books();
        eprintln!("again read_books {} {:?}", r.len(), t.elapsed());
    }
}
