//! Helpers shared by the integration tests: the binary, ../shared, and external validators.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the checkout, or `None` after recording why the caller skips.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = root().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!(
            "{test}: ../shared not present beside the checkout"
        ));
        None
    }
}

/// Records that the running test skips a check, and why: the message goes to the test's
/// (captured) stderr and to the run's skip log, which `tests/zz_skipped_tests_summary.rs` (the
/// last test binary cargo runs) counts in one line that `cargo test` shows.
pub fn skip(why: &str) {
    eprintln!("skipping {why}");
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|s| {
            s.rsplit_once('-')
                .map_or(s.clone(), |(name, _)| name.to_string())
        })
        .unwrap_or_default();
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed)")
        .to_string();
    let line = format!("{binary}\t{test}\t{}\n", why.replace(['\t', '\n'], " "));
    if let Some(log) = skip_log() {
        use std::io::Write;
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// The skip log of this `cargo test` run: one file per cargo process (the parent of every test
/// binary it runs) in cargo's temporary folder. `None` off Unix.
pub fn skip_log() -> Option<PathBuf> {
    #[cfg(unix)]
    {
        let cargo = std::os::unix::process::parent_id();
        Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("skipped-tests-{cargo}.log")))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Runs the exstig binary with `args` in `cwd`.
pub fn exstig(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_exstig"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run exstig")
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exstig-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Whether an external tool is installed; in CI (`CI=true`) a missing tool is a failure, so the
/// external checks cannot silently stop running.
pub fn have_tool(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").is_err(),
            "{tool} is required in CI (installed by .ci/run)"
        );
        skip(&format!(
            "external check: {tool} not installed (bash .ci/run installs it)"
        ));
    }
    found
}

/// Validates a CKL against DISA's XSD with xmllint; panics with xmllint's output when invalid.
/// Returns false (after saying so) when xmllint or ../shared is missing outside CI.
pub fn assert_ckl_valid(ckl: &Path) -> bool {
    let Some(shared) = shared("XSD validation") else {
        return false;
    };
    if !have_tool("xmllint") {
        return false;
    }
    let xsd = shared.join("samples/U_Checklist_Schema_V2.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(ckl)
        .output()
        .expect("run xmllint");
    assert!(
        out.status.success(),
        "{} fails the DISA XSD:\n{}",
        ckl.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// Parses a file with STIG Manager's parser (`kind` = ckl, cklb or xccdf) and returns its JSON
/// result; panics with the parser's message when it throws. `None` when node or the package is
/// missing outside CI.
pub fn stig_manager_parse(kind: &str, file: &Path) -> Option<serde_json::Value> {
    let node_dir = root().join("tests/node");
    let installed = node_dir
        .join("node_modules/@nuwcdivnpt/stig-manager-client-modules")
        .is_dir();
    if !installed {
        assert!(
            std::env::var("CI").is_err(),
            "STIG Manager parsers are required in CI (npm ci in tests/node)"
        );
        skip("STIG Manager parse: run `npm install` in tests/node (bash .ci/run does)");
        return None;
    }
    if !have_tool("node") {
        return None;
    }
    let out = Command::new("node")
        .arg(node_dir.join("parse.mjs"))
        .arg(kind)
        .arg(file)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "STIG Manager's parser rejects {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("parser output is JSON"))
}
