//! The collector scripts parse with a PowerShell grammar (tree-sitter-powershell, installed by
//! `npm ci` in tests/node): a syntax error in `collect/*.ps1` fails here, not on the server.

mod common;

use std::process::Command;

/// Runs tests/node/ps-syntax.mjs on files; `None` when node or the grammar is missing outside CI.
fn ps_syntax(files: &[std::path::PathBuf]) -> Option<std::process::Output> {
    let node_dir = common::root().join("tests/node");
    if !node_dir
        .join("node_modules/tree-sitter-powershell")
        .is_dir()
        || !common::have_tool("node")
    {
        assert!(
            std::env::var("CI").is_err(),
            "tree-sitter-powershell is required in CI (npm ci in tests/node)"
        );
        eprintln!(
            "skipping PowerShell syntax check: run `npm install` in tests/node (bash .ci/run does)"
        );
        return None;
    }
    Some(
        Command::new("node")
            .arg("--no-deprecation")
            .arg(node_dir.join("ps-syntax.mjs"))
            .args(files)
            .output()
            .expect("run node"),
    )
}

#[test]
fn collector_scripts_have_no_syntax_error() {
    let scripts: Vec<_> = std::fs::read_dir(common::root().join("collect"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ps1"))
        .collect();
    assert!(!scripts.is_empty());
    let Some(out) = ps_syntax(&scripts) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for script in &scripts {
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("{}: ok", script.display())),
            "{} not parsed",
            script.display()
        );
    }
}

/// The check can fail: a script with an unclosed condition is reported with its line.
#[test]
fn a_syntax_error_is_reported_with_its_line() {
    let dir = common::temp_dir("ps-syntax-bad");
    let bad = dir.join("bad.ps1");
    std::fs::write(&bad, "function f {\n    if ($x {\n    }\n}\n").unwrap();
    let Some(out) = ps_syntax(std::slice::from_ref(&bad)) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.ps1:2:"), "{stderr}");
}
