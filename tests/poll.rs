//! `--poll`: the Chamber without notifications, as on a network folder where inotify never hears
//! another computer's writes. God and every priest look at the files each tick instead.

mod common;

use common::parliament;

#[test]
fn convene_with_poll_passes_the_papers_decrees_without_notifications() {
    let dir = tempfile::tempdir().unwrap();
    for processes in [false, true] {
        let mut args = vec!["convene", "--poll", "--quiet", "--timeout", "30s"];
        if processes {
            args.push("--processes");
            args.extend(["--petition", "Polled by priests in processes of their own"]);
        }
        let out = parliament(dir.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(err.contains("polling asked for (--poll)"), "it says so at start: {err}");
    }
    for name in ["Dwork", "Fischer", "Lynch", "Oki", "Toueg"] {
        let ledger = std::fs::read_to_string(dir.path().join("ledgers").join(format!("{name}.csv"))).unwrap();
        assert_eq!(ledger.lines().filter(|l| l.contains(",Decree,")).count(), 6, "{name}: {ledger}");
    }
}
