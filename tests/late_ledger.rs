//! A message seen before the ledger row that backs it (§2.3: the sender syncs the row before
//! his messenger sets out, but on a network folder the receiver may read the two files through
//! caches that expire apart). The receiver must hold the message and answer it once the row is
//! visible, not refuse it as forged at first sight.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parliament::books::book_rows::{BOOK_HEADER, book_row};
use parliament::books::layout::{ledger_path, page_path, read_position_path};
use parliament::books::ledger_read::read_ledger;
use parliament::chamber::god::lay_out;
use parliament::chamber::ledger_file::LedgerFile;
use parliament::chamber::messenger::Faults;
use parliament::chamber::runtime::{PriestSettings, Runtime};
use parliament::files::AppendFile;
use parliament::priest::{BallotNumber, LedgerBook, Message, Record};

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn promised(dir: &Path, roll: &parliament::books::Roll, name: &str, ballot: BallotNumber) -> bool {
    read_ledger(&ledger_path(dir, name), roll)
        .is_ok_and(|r| r.rows.iter().any(|(_, row)| row.record == Record::Promised { ballot }))
}

/// Lynch sitting in a thread of this test, with a 10 ms tick.
struct Sitting {
    stop: Arc<AtomicBool>,
    tx: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<Result<(), parliament::chamber::runtime::RuntimeError>>,
}

impl Sitting {
    fn lynch(dir: &Path, roll: &parliament::books::Roll) -> Sitting {
        let settings = PriestSettings {
            dir: dir.to_path_buf(),
            name: "Lynch".into(),
            tick: Duration::from_millis(10),
            faults: Faults::default(),
            narrate: false,
            crash_after_sync: 0.0,
        };
        let runtime = Runtime::enter(settings, roll).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<()>();
        let stopping = stop.clone();
        Sitting { stop, tx, thread: std::thread::spawn(move || runtime.run(&rx, &stopping)) }
    }

    /// He leaves the Chamber, having done nothing wrong.
    fn rise(self) {
        self.stop.store(true, Ordering::Relaxed);
        drop(self.tx);
        self.thread.join().unwrap().unwrap();
    }
}

#[test]
fn a_message_read_before_its_senders_ledger_row_is_answered_once_the_row_appears() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = ["Dwork", "Lynch", "Toueg"].map(String::from).to_vec();
    let roll = lay_out(dir.path(), &names, true).unwrap();
    let toueg = roll.id("Toueg").unwrap();
    // A ballot far above any Lynch may try himself meanwhile.
    let ballot = BallotNumber::new(1_000, toueg);
    // Toueg's NextBallot reaches Lynch's messagebook before Toueg's ledger shows the ballot.
    let page = page_path(dir.path(), "Lynch", "Toueg");
    let mut book = AppendFile::open_with_header(&page, BOOK_HEADER).unwrap();
    let row = book_row(&roll, chrono::Utc::now(), "Toueg", &Message::NextBallot { ballot, decree_no: 0 });
    book.append_rows_on_a_line_of_their_own(row.as_bytes()).unwrap();

    let lynch = Sitting::lynch(dir.path(), &roll);

    // Lynch has read past the row (his saved position moved) without promising anything.
    let position = read_position_path(dir.path(), "Lynch", "Toueg");
    wait_until("Lynch to read Toueg's page", || {
        // "offset lines print dev ino": the header and the NextBallot are read.
        let text = std::fs::read_to_string(&position).unwrap_or_default();
        text.split(' ').nth(1).and_then(|l| l.parse::<u64>().ok()).is_some_and(|l| l >= 2)
    });
    assert!(!promised(dir.path(), &roll, "Lynch", ballot), "promised with no row to back it");

    // Now Toueg's row becomes visible.
    let mut ledger = LedgerFile::open(&ledger_path(dir.path(), "Toueg"), &roll, false).unwrap();
    ledger.append(&[Record::Tried { ballot }]).unwrap();
    ledger.sync().unwrap();
    wait_until("Lynch to promise in Toueg's ballot", || promised(dir.path(), &roll, "Lynch", ballot));

    lynch.rise();
}

/// Rows of `kind` that Lynch wrote in Dwork's messagebook.
fn lynch_wrote(dir: &Path, kind: &str) -> usize {
    let text = std::fs::read_to_string(page_path(dir, "Dwork", "Lynch")).unwrap_or_default();
    text.lines().filter(|l| l.contains(&format!(",{kind},"))).count()
}

/// A heartbeat says how far its sender's statute book runs (§2.4, §3.3.1); a priest who lacks
/// decrees asks the sender for them (Inquiry). The claim is believed only as far as the sender's
/// ledger records a decree: Dwork's presence claiming five decrees over a ledger with none makes
/// Lynch ask for nothing (by the time Lynch, the highest name present, begins his ballot, he has
/// heard Dwork many times), and once Dwork's ledger records decrees 1 and 2, Lynch asks.
#[test]
fn a_heartbeat_is_believed_only_as_far_as_its_senders_ledger_records_decrees() {
    use parliament::chamber::presence::Announcer;
    use parliament::priest::{Decree, Petition};
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = ["Dwork", "Lynch", "Toueg"].map(String::from).to_vec();
    let roll = lay_out(dir.path(), &names, true).unwrap();
    let mut dwork = Announcer::new(dir.path(), "Dwork", 1).unwrap();
    dwork.announce(5).unwrap();
    let lynch = Sitting::lynch(dir.path(), &roll);

    wait_until("Lynch to begin a ballot, having heard Dwork", || {
        dwork.announce(5).unwrap();
        lynch_wrote(dir.path(), "NextBallot") > 0
    });
    assert_eq!(lynch_wrote(dir.path(), "Inquiry"), 0, "asked Dwork for decrees no ledger of his records");

    let mut ledger = LedgerFile::open(&ledger_path(dir.path(), "Dwork"), &roll, false).unwrap();
    let law = |n: u64| Decree::Law(Petition::new(&format!("p-{n}"), "Wine may not be watered"));
    let decrees =
        [Record::Decree { decree_no: 1, decree: law(1) }, Record::Decree { decree_no: 2, decree: law(2) }];
    ledger.append(&decrees).unwrap();
    ledger.sync().unwrap();
    wait_until("Lynch to ask Dwork for the decrees his ledger now records", || {
        dwork.announce(5).unwrap();
        lynch_wrote(dir.path(), "Inquiry") > 0
    });

    lynch.rise();
}
