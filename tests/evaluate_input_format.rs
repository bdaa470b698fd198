//! `exstig evaluate --input-format` and the lower-fidelity note for Format-List input.

mod common;

#[test]
fn format_list_input_is_flagged_in_details_and_input_format_overrides_detection() {
    let dir = common::temp_dir("input-format");
    let root = common::root();
    let fl = "fixtures/inventory/MBX01-receive-connectors.fl.txt";
    let ckl = dir.join("fl.ckl");
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            fl,
            "--stig",
            "exchange-2019-mailbox",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&ckl).unwrap();
    assert!(text.contains("were read from Format-List text"));
    common::assert_ckl_valid(&ckl);

    // The same file forced to JSON fails with the position, and nothing is written.
    let forced = dir.join("forced.ckl");
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            fl,
            "--input-format",
            "json",
            "--stig",
            "exchange-2019-mailbox",
            "--ckl",
            forced.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("MBX01-receive-connectors.fl.txt") && stderr.contains("line"),
        "{stderr}"
    );
    assert!(!forced.exists());

    // A JSON bundle gives no such note.
    let json_ckl = dir.join("json.ckl");
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            "fixtures/inventory/MBX01.bundle.json",
            "--input-format",
            "json",
            "--stig",
            "exchange-2019-mailbox",
            "--ckl",
            json_ckl.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !std::fs::read_to_string(&json_ckl)
            .unwrap()
            .contains("Format-List text")
    );
}
