//! The README's first command (build and evaluate the bundled example) works as written: the
//! test reads it from README.md and runs the same arguments with the outputs in a temporary
//! folder.

mod common;

#[test]
fn the_readme_example_evaluates_and_writes_every_format() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- evaluate "))
        .expect("README gives the example command");
    let dir = common::temp_dir("readme-command");
    let root = common::root();
    let args: Vec<String> = line
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .map(|a| match a.strip_prefix("out/") {
            Some(name) => dir.join(name).display().to_string(),
            None if a.starts_with("fixtures/") => root.join(a).display().to_string(),
            None => a.to_string(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::exstig(&dir, &args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for suffix in [".ckl", ".cklb", "-xccdf.xml"] {
        let written = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(suffix));
        assert!(written, "no {suffix} written: {stderr}");
    }
    // The example shows the product's reach: most rules decided, the rest named.
    assert!(
        stderr.contains("68 rules, 64 evaluated by exstig"),
        "{stderr}"
    );
    assert!(stderr.contains("need a person"), "{stderr}");
}
