//! The chaos harness in its short form, as CI runs it: two trials of real priest processes under
//! kills, pauses, lossy messengers and a careless person, the first losing a priest's ledger; each
//! ends with the audit. The long run is `parliament chaos --trials 100`.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parliament::tools::chaos::{TrialOptions, run_trial};

fn trial(seed: u64, lost_ledger: bool) {
    let dir = tempfile::tempdir().unwrap();
    let o = TrialOptions {
        seed,
        duration: Duration::from_secs(4),
        lost_ledger,
        membership: true,
        exe: Some(env!("CARGO_BIN_EXE_parliament").into()),
    };
    let r = run_trial(dir.path(), &o, &AtomicBool::new(false)).unwrap();
    assert!(
        r.violations.is_empty(),
        "trial {seed} broke: {:#?}\nreplay: parliament chaos --trials 1 --seed {seed} --duration 4s{}",
        r.violations,
        if lost_ledger { " --lost-ledger" } else { "" }
    );
    // Every petition's passing is checked inside the trial; here, that there was work at all.
    assert!(r.petitions > 100 && r.decrees > 100, "{} petitions, {} decrees", r.petitions, r.decrees);
    assert!(r.kills > 0, "priests were killed");
    assert_eq!(r.membership.len(), 2, "Strong admitted and a priest dismissed by decree: {:?}", r.membership);
    let m = &r.mischief;
    assert!(m.forged.len() as u64 + m.garbage > 0, "the careless person was at work");
}

#[test]
fn a_priest_who_loses_his_ledger_refuses_and_the_rest_carry_on() {
    trial(101, true);
}

#[test]
fn kills_pauses_lossy_messengers_and_careless_edits_break_nothing() {
    trial(202, false);
}
