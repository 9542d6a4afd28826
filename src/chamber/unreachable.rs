//! A Chamber's folder that cannot be reached: on a network mount, a partition of a few seconds
//! makes a sync slow, and a longer one makes it fail with `EIO` and leaves every open handle
//! dead (sshfs; NFS soft mounts the same). Nothing written through a dead handle can be trusted
//! to reach the server, so such an error is a crash: the priest leaves at once, before anything
//! his unsynced rows allow is relayed, and exits with [`crate::exit::UNREACHABLE`]. God (or the
//! person who started him) brings him back, and he rebuilds his state from his ledger alone, as
//! any priest back from a crash does (§1.3's priests who leave the Chamber and return, with
//! nothing but what is written in their ledgers).
//!
//! A priest brought back while the folder is still unreachable leaves again the same way, not
//! refusing to vote: an unreadable ledger is not a damaged one.

use std::io;

use crate::books::ledger_read::LedgerError;

/// Whether an error says the folder cannot be reached, rather than that a file is wrong: `EIO`
/// (sshfs after a partition), `ENOTCONN` (sshfs gone), `ESTALE` (NFS), `ETIMEDOUT`, and the
/// host or network being unreachable.
pub fn is_unreachable(e: &io::Error) -> bool {
    e.raw_os_error().is_some_and(|code| UNREACHABLE_CODES.contains(&code))
}

const UNREACHABLE_CODES: [i32; 8] = [
    libc::EIO,
    libc::ENOTCONN,
    libc::ESTALE,
    libc::ETIMEDOUT,
    libc::EHOSTUNREACH,
    libc::ENETUNREACH,
    libc::ECONNABORTED,
    libc::ECONNRESET,
];

/// The same, for an error that kept only the text of the OS error it wraps (a reader that added
/// the file's name to it): its message ends with one of those errors' `(os error N)`.
pub fn says_unreachable(e: &io::Error) -> bool {
    let text = e.to_string();
    is_unreachable(e) || UNREACHABLE_CODES.iter().any(|c| text.ends_with(&format!("(os error {c})")))
}

/// Whether reading a ledger failed because the folder cannot be reached.
pub fn ledger_unreachable(e: &LedgerError) -> bool {
    matches!(e, LedgerError::Io { source, .. } if is_unreachable(source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::Roll;
    use crate::books::ledger_read::read_ledger;
    use crate::chamber::ledger_file::LedgerFile;
    use crate::chamber::runtime::chamber_config;
    use crate::priest::{
        BallotNumber, Envelope, LedgerBook, Message, Messenger, Priest, PriestId, Record, Step, carry_out,
    };

    /// A ledger on a mount that is cut off after `healthy` syncs: appends still go into the
    /// kernel's cache, the sync fails with `EIO`, as on sshfs after an 8 s partition.
    struct CutOff {
        ledger: LedgerFile,
        healthy: usize,
    }

    impl LedgerBook for CutOff {
        type Error = io::Error;
        fn append(&mut self, records: &[Record]) -> io::Result<()> {
            self.ledger.append(records)
        }
        fn sync(&mut self) -> io::Result<()> {
            if self.healthy == 0 {
                return Err(io::Error::from_raw_os_error(libc::EIO));
            }
            self.healthy -= 1;
            self.ledger.sync()
        }
    }

    /// What the messenger carried.
    #[derive(Default)]
    struct Relayed(Vec<Envelope>);

    impl Messenger for Relayed {
        fn relay(&mut self, envelopes: &mut Vec<Envelope>) {
            self.0.append(envelopes);
        }
    }

    fn promise(step: &mut Step, n: u64) {
        let ballot = BallotNumber::new(n, PriestId(0));
        step.records.push(Record::Promised { ballot });
        step.messages.push(Envelope {
            from: PriestId(1),
            to: PriestId(0),
            message: Message::LastVote {
                ballot,
                decree_no: 0,
                known: 0,
                votes: Default::default(),
                decrees: Default::default(),
            },
        });
    }

    #[test]
    fn an_eio_sync_relays_nothing_and_the_priest_rebuilds_from_his_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let roll = Roll::new(crate::names::chamber_names(3)).unwrap();
        let path = dir.path().join("Lynch.csv");
        let mut ledger = CutOff { ledger: LedgerFile::open(&path, &roll, false).unwrap(), healthy: 1 };
        let mut relayed = Relayed::default();
        let mut step = Step::default();
        promise(&mut step, 1);
        carry_out(&mut step, &mut ledger, &mut relayed).unwrap();
        assert_eq!(relayed.0.len(), 1, "a synced promise is relayed");
        promise(&mut step, 2);
        let e = carry_out(&mut step, &mut ledger, &mut relayed).unwrap_err();
        assert!(is_unreachable(&e), "EIO is the folder out of reach: {e}");
        assert_eq!(relayed.0.len(), 1, "nothing the unsynced row allows leaves");
        assert!(step.is_empty(), "the step is dropped whole");
        drop(ledger);
        // Back in the Chamber, he is what his ledger says, whatever reached it.
        let read = read_ledger(&path, &roll).unwrap();
        let records: Vec<&Record> = read.rows.iter().map(|(_, r)| &r.record).collect();
        let priest = Priest::restore(PriestId(1), chamber_config(3), records).unwrap();
        let next_bal = priest.durable().next_bal.expect("a promise on record");
        assert!(next_bal >= BallotNumber::new(1, PriestId(0)), "the synced promise is kept: {next_bal:?}");
    }

    #[test]
    fn unreachable_errors_are_told_from_wrong_files() {
        for code in [libc::EIO, libc::ENOTCONN, libc::ESTALE] {
            assert!(is_unreachable(&io::Error::from_raw_os_error(code)), "{code}");
        }
        for code in [libc::ENOENT, libc::EACCES, libc::ENOSPC] {
            assert!(!is_unreachable(&io::Error::from_raw_os_error(code)), "{code}");
        }
        let cut = LedgerError::Io {
            path: "ledgers/Oki.csv".into(),
            source: io::Error::from_raw_os_error(libc::EIO),
        };
        assert!(ledger_unreachable(&cut));
        assert!(!ledger_unreachable(&LedgerError::Missing("ledgers/Oki.csv".into())));
        // The roll's reader keeps the text of the error only, behind the file's name.
        let wrapped = |code| {
            let inner = io::Error::from_raw_os_error(code);
            io::Error::new(inner.kind(), format!("/mnt/chamber/roll.csv: {inner}"))
        };
        assert!(says_unreachable(&wrapped(libc::EIO)) && !is_unreachable(&wrapped(libc::EIO)));
        assert!(!says_unreachable(&wrapped(libc::EACCES)));
    }
}
