//! `parliament audit`: did this Parliament keep the paper's promises? Answered from the Chamber's
//! files alone, every finding with its file, line and rule; exit 0, 1 or 2 as ripgrep does.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use parliament::audit::{self, Finding, Report, Severity};
use parliament::sim::count;
use serde_json::json;

/// Options of `parliament audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The Chamber's folder (holding ledgers/ and messagebooks/).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
    /// Print nothing when every promise held (the exit status says so); else only the violations
    /// and the verdict.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `parliament audit`: 0 when every promise held, 1 when one was broken, 2 when the folder
/// could not be read.
pub fn run(args: AuditArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let report = match audit::audit(&args.dir) {
        Ok(report) => report,
        Err(e) => {
            if args.json {
                println!("{}", json!({ "error": e.to_string() }));
            }
            eprintln!("parliament audit: {e}");
            return Ok(2);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        print_json(&args, &report, seconds);
    } else {
        print_text(&args, &report, seconds);
    }
    Ok(report.exit_code())
}

fn severity_count(report: &Report, severity: Severity) -> usize {
    report.findings.iter().filter(|f| f.severity == severity).count()
}

fn print_json(args: &AuditArgs, report: &Report, seconds: f64) {
    let finding = |f: &Finding| {
        json!({
            "severity": f.severity.to_string(),
            "rule": f.check.to_string(),
            "file": f.file,
            "line": f.line,
            "detail": f.detail,
        })
    };
    let out = json!({
        "dir": args.dir.display().to_string(),
        "holds": report.holds(),
        "priests": report.priests,
        "ledger_rows": report.ledger_rows,
        "messagebook_rows": report.book_rows,
        "decrees": report.decrees,
        "petitions": report.petitions,
        "violations": severity_count(report, Severity::Violation),
        "warnings": severity_count(report, Severity::Warning),
        "notices": severity_count(report, Severity::Notice),
        "seconds": seconds,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
}

fn print_text(args: &AuditArgs, report: &Report, seconds: f64) {
    if args.quiet && report.holds() {
        return;
    }
    let mut printed = 0;
    for f in report.findings.iter().filter(|f| !args.quiet || f.severity == Severity::Violation) {
        println!("{f}");
        printed += 1;
    }
    let (violations, warnings, notices) = (
        severity_count(report, Severity::Violation),
        severity_count(report, Severity::Warning),
        severity_count(report, Severity::Notice),
    );
    if printed > 0 {
        println!();
    }
    println!(
        "Audited {}: {}, {}, {}, {}, {}, in {seconds:.2} s.",
        args.dir.display(),
        count(report.priests.len(), "priest"),
        count(report.ledger_rows, "ledger row"),
        count(report.book_rows, "messagebook row"),
        count(report.decrees, "decree"),
        count(report.petitions, "petition"),
    );
    let (warnings, notices) = (count(warnings, "warning"), count(notices, "notice"));
    if violations == 0 {
        println!(
            "Every promise held: agreement, B1, promises kept, B3, validity, last vote, provenance, ledger health \
             ({warnings}, {notices})."
        );
    } else {
        // "2 violations (1 warning, 1 notice)" read as two made of a warning and a notice.
        println!("{}, {warnings} and {notices}.", count(violations, "violation"));
    }
}
