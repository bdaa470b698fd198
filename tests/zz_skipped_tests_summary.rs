//! The last test binary of a `cargo test` run (cargo runs integration tests in name order):
//! prints, where `cargo test` shows it, one line counting the tests of this run that skipped a
//! check for want of ../shared, a tool or a package, since cargo hides the tests' own
//! "skipping" lines. Run alone it finds no log and says so.

mod common;

use std::collections::BTreeMap;
use std::io::Write;

/// Counts the skip log of this run by reason and prints the line; in CI, where every external
/// tool is installed and ../shared is present, a skip for want of one of them is a failure (a
/// skip the machine itself causes, such as a read-only test run as root, is only counted).
#[test]
fn zz_skipped_tests_summary() {
    let Some(log) = common::skip_log() else {
        return;
    };
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let mut tests = std::collections::BTreeSet::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing_installs = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            fields.len(),
            3,
            "malformed skip log line in {}: {line}",
            log.display()
        );
        if tests.insert((fields[0], fields[1])) {
            let why = reason(fields[2]);
            if why.starts_with("need ") {
                missing_installs.push(line);
            }
            *reasons.entry(why).or_default() += 1;
        }
    }
    let line = if tests.is_empty() {
        "exstig tests: no test skipped a check in this run\n".to_string()
    } else {
        let by: Vec<String> = reasons
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect();
        format!(
            "exstig tests: {} test{} skipped checks in this run ({}); they pass without checking: see README, Tests\n",
            tests.len(),
            if tests.len() == 1 { "" } else { "s" },
            by.join(", ")
        )
    };
    // Written past the test harness's capture, so that it shows in plain `cargo test` output.
    let _ = std::io::stdout().write_all(line.as_bytes());
    assert!(
        std::env::var("CI").is_err() || missing_installs.is_empty(),
        "tests skipped in CI for want of an install: {}",
        missing_installs.join("\n")
    );
}

/// What a skip waited for, in a few words.
fn reason(message: &str) -> String {
    if message.contains("../shared") {
        "need ../shared".into()
    } else if message.contains("npm") || message.contains("node") {
        "need the node parsers (tests/node)".into()
    } else if let Some(tool) = message
        .split_once(": ")
        .and_then(|(_, rest)| rest.strip_suffix(" not installed (bash .ci/run installs it)"))
    {
        format!("need {tool}")
    } else if message.contains("jsonschema") {
        "need python3's jsonschema".into()
    } else {
        message.to_string()
    }
}

#[test]
fn reasons_are_grouped_by_what_is_missing() {
    assert_eq!(
        reason("real CliXML samples: ../shared not present beside the checkout"),
        "need ../shared"
    );
    assert_eq!(
        reason("external check: xmllint not installed (bash .ci/run installs it)"),
        "need xmllint"
    );
    assert_eq!(
        reason("STIG Manager parse: run `npm install` in tests/node (bash .ci/run does)"),
        "need the node parsers (tests/node)"
    );
}
