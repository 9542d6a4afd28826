//! What a newcomer trying the tool found, each kept fixed: the binary driven as a person would,
//! in a fresh folder, and what it says checked for what went wrong and what to do.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn parliament(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parliament"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Two `convene` started at once in an empty folder: the one that came second read the folder
/// while the first was laying it out, found ledgers and no roll, and was told to lay out a new
/// Chamber (exit 2). The layout is one step under the roll's lock: the second either finds the
/// first sitting (exit 4, naming its process and what to do) or, the first done, resumes.
#[test]
fn two_convenes_at_once_in_an_empty_folder_lay_out_one_chamber_and_the_second_is_told_who_sits() {
    for _ in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        let start = || {
            Command::new(env!("CARGO_BIN_EXE_parliament"))
                .args(["convene", "--quiet"])
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start(), start());
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let shown: Vec<String> =
            outs.iter().map(|o| format!("exit {:?}: {}", o.status.code(), text(&o.stderr))).collect();
        assert!(outs.iter().any(|o| o.status.code() == Some(0)), "one sitting passes: {shown:#?}");
        for o in &outs {
            match o.status.code() {
                Some(0) => {}
                Some(4) => {
                    let err = text(&o.stderr);
                    assert!(err.contains("already sits") && err.contains("pid"), "names the other: {err}");
                    assert!(err.contains("petition") || err.contains("stop"), "says what to do: {err}");
                }
                _ => panic!("neither a raw error nor a misleading one: {shown:#?}"),
            }
        }
    }
}
