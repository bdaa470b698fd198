//! Guard rails of `exstig evaluate` through the binary: a STIG that contradicts the server's
//! role or Exchange version, `--merge-into` a checklist of another host or product, and output
//! paths whose extension names another format are refused (exit 2, nothing written) with the
//! evidence and the way out; `--force` overrides the first two.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const EDGE01: &str = "fixtures/inventory/EDGE01.bundle.json";

fn run(args: &[&str]) -> Output {
    common::exstig(&common::root(), args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Asserts exit 2, that none of `paths` exists, and returns the message.
fn refused(out: &Output, paths: &[&Path]) -> String {
    let message = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    for p in paths {
        assert!(!p.exists(), "{} written despite the refusal", p.display());
    }
    message
}

#[test]
fn a_2019_bundle_against_a_2016_stig_is_refused_with_the_evidence() {
    let dir = common::temp_dir("guard-version");
    let (ckl, cklb, xml) = (dir.join("o.ckl"), dir.join("o.cklb"), dir.join("o.xml"));
    let args = [
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2016-edge",
        "--ckl",
        s(&ckl),
        "--cklb",
        s(&cklb),
        "--xccdf",
        s(&xml),
    ];
    let message = refused(&run(&args), &[&ckl, &cklb, &xml]);
    assert!(
        message.contains("contradicts the chosen STIG")
            && message.contains("written for Exchange 2016 Edge servers")
            && message.contains("bundle host block of fixtures/inventory/EDGE01.bundle.json")
            && message.contains("15.2.1544.4")
            && message.contains("use --stig exchange-2019-edge")
            && message.contains("give --force"),
        "{message}"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = run(&forced);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ckl.exists() && cklb.exists() && xml.exists());
}

#[test]
fn an_edge_inventory_against_a_mailbox_stig_is_refused() {
    let dir = common::temp_dir("guard-role");
    let ckl = dir.join("o.ckl");
    let out = run(&[
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-mailbox",
        "--ckl",
        s(&ckl),
    ]);
    let message = refused(&out, &[&ckl]);
    assert!(
        message.contains("role Edge")
            && message.contains("the default name \"Default internal receive connector EDGE01\"")
            && message.contains("use --stig exchange-2019-edge"),
        "{message}"
    );
}

#[test]
fn a_get_exchangeserver_version_is_evidence() {
    let dir = common::temp_dir("guard-server-object");
    let servers = dir.join("servers.json");
    std::fs::write(
        &servers,
        r#"[{"Name": "MBX01", "Fqdn": "mbx01.example.mil", "IsEdgeServer": false,
            "IsMailboxServer": true, "IsHubTransportServer": false,
            "ServerRole": "Mailbox", "AdminDisplayVersion": "Version 15.1 (Build 2507.6)"}]"#,
    )
    .unwrap();
    let ckl = dir.join("o.ckl");
    let out = run(&[
        "evaluate",
        "fixtures/inventory/MBX01-receive-connectors.ps51.json",
        s(&servers),
        "--stig",
        "exchange-2019-mailbox",
        "--ckl",
        s(&ckl),
    ]);
    let message = refused(&out, &[&ckl]);
    assert!(
        message.contains("Get-ExchangeServer object MBX01")
            && message.contains("Version 15.1 (Build 2507.6)")
            && message.contains("use --stig exchange-2016-mailbox"),
        "{message}"
    );
    let out = run(&[
        "evaluate",
        "fixtures/inventory/MBX01-receive-connectors.ps51.json",
        s(&servers),
        "--stig",
        "exchange-2016-mailbox",
        "--ckl",
        s(&ckl),
    ]);
    assert!(out.status.success(), "the right STIG: {}", stderr(&out));
}

#[test]
fn unknown_role_and_version_stay_allowed() {
    let dir = common::temp_dir("guard-unknown");
    let ckl = dir.join("o.ckl");
    let out = run(&[
        "evaluate",
        "fixtures/inventory/MBX01-send-connectors.ps51.json",
        "--stig",
        "exchange-2013-edge",
        "--host-name",
        "GW01",
        "--ckl",
        s(&ckl),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ckl.exists());
}

#[test]
fn a_2019_clixml_export_against_the_2010_hub_benchmark_is_refused() {
    let Some(shared) = common::shared("2019 CliXML against the 2010 Hub benchmark") else {
        return;
    };
    let dir = common::temp_dir("guard-clixml");
    let ckl = dir.join("o.ckl");
    let export = shared.join("samples/exchange/clixml/css-exchange_GetReceiveConnector_E2019.xml");
    let benchmark = shared.join("benchmarks/U_Exchange_2010_Hub_V1R12_Manual-xccdf.xml");
    let out = run(&[
        "evaluate",
        s(&export),
        "--benchmark",
        s(&benchmark),
        "--ckl",
        s(&ckl),
    ]);
    let message = refused(&out, &[&ckl]);
    assert!(
        message.contains("written for Exchange 2010 Hub servers")
            && message.contains("CliXML type names")
            && message.contains("Version=15.0.0.0")
            && message.contains("Default Frontend WIN-CTD3L0RGEN4"),
        "{message}"
    );
}

/// An empty checklist of `source` (catalog name or benchmark file) with the given host name, or
/// with an empty HOST_NAME.
fn checklist(dir: &Path, name: &str, source: &[&str], host: Option<&str>) -> PathBuf {
    let path = dir.join(name);
    let mut args = vec!["checklist"];
    args.extend_from_slice(source);
    args.extend(["--host-name", host.unwrap_or("PLACEHOLDER")]);
    args.extend(["--ckl", s(&path)]);
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    if host.is_none() {
        // `exstig checklist` insists on a host name; STIG Viewer does not.
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace(
            "<HOST_NAME>PLACEHOLDER</HOST_NAME>",
            "<HOST_NAME></HOST_NAME>",
        );
        assert!(!text.contains("PLACEHOLDER"));
        std::fs::write(&path, text).unwrap();
    }
    path
}

#[test]
fn merge_into_a_checklist_of_another_host_is_refused_like_exstig_merge() {
    let dir = common::temp_dir("guard-merge-host");
    let theirs = checklist(
        &dir,
        "EDGE99.ckl",
        &["--stig", "exchange-2019-edge"],
        Some("EDGE99"),
    );
    let before = std::fs::read(&theirs).unwrap();
    let args = [
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-edge",
        "--merge-into",
        s(&theirs),
        "--in-place",
    ];
    let message = refused(&run(&args), &[&common::root().join("EDGE99.ckl.bak")]);
    assert_eq!(std::fs::read(&theirs).unwrap(), before, "untouched");
    assert!(!dir.join("EDGE99.ckl.bak").exists());
    assert!(
        message.contains("is for host 'EDGE01' but")
            && message.contains("EDGE99.ckl is for host 'EDGE99'"),
        "{message}"
    );
    // exstig merge says the same
    let ours = checklist(
        &dir,
        "EDGE01.ckl",
        &["--stig", "exchange-2019-edge"],
        Some("EDGE01"),
    );
    let merged = dir.join("m.ckl");
    let out = run(&["merge", s(&theirs), s(&ours), "-o", s(&merged)]);
    let merge_message = refused(&out, &[&merged]);
    let tail = "; merge checklists of one asset, or give --force";
    assert!(message.contains(tail) && merge_message.contains(tail));
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = run(&forced);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(&theirs).unwrap(), before);
}

#[test]
fn merge_into_a_hostless_checklist_of_another_product_is_refused() {
    let dir = common::temp_dir("guard-merge-product");
    let relay = checklist(
        &dir,
        "relay.ckl",
        &[
            "--benchmark",
            s(&common::root()
                .join("fixtures/benchmarks/U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml")),
        ],
        None,
    );
    let out_ckl = dir.join("out.ckl");
    let args = [
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-edge",
        "--merge-into",
        s(&relay),
        "--ckl",
        s(&out_ckl),
    ];
    let message = refused(&run(&args), &[&out_ckl]);
    assert!(
        message.contains("holds no MS_Exchange_2019_Edge_Server_STIG STIG")
            && message.contains("Example_Mail_Relay_STIG")
            && message.contains("names no host")
            && message.contains("--force"),
        "{message}"
    );
    // A hostless checklist of the same product (another release of the Exchange Edge STIG) is
    // fine: the evaluated STIG is added as a new iSTIG, and the closing line says so.
    let older = checklist(&dir, "older.ckl", &["--stig", "exchange-2016-edge"], None);
    let report = dir.join("report.txt");
    let out = run(&[
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-edge",
        "--merge-into",
        s(&older),
        "--ckl",
        s(&out_ckl),
        "--report",
        s(&report),
    ]);
    let message = stderr(&out);
    assert!(out.status.success(), "{message}");
    let added =
        "merge: STIG MS_Exchange_2019_Edge_Server_STIG (V2R2) added as a new iSTIG: 68 rules";
    assert!(
        message.contains(added) && !message.contains("merge: 0 rules with a result"),
        "{message}"
    );
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.contains(added),
        "the .txt report is the text form: {text}"
    );
    let json_report = dir.join("report.json");
    let out = run(&[
        "evaluate",
        EDGE01,
        "--stig",
        "exchange-2019-edge",
        "--merge-into",
        s(&older),
        "--ckl",
        s(&out_ckl),
        "--report",
        s(&json_report),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_report).unwrap()).unwrap();
    assert_eq!(json["added_stigs"][0]["rules"], 68);
}

#[test]
fn merge_report_text_form_by_extension_in_exstig_merge() {
    let dir = common::temp_dir("guard-merge-report");
    let root = common::root();
    let report = dir.join("r.txt");
    let merged = dir.join("m.ckl");
    let out = run(&[
        "merge",
        s(&root.join("fixtures/merge/last-quarter.ckl")),
        s(&root.join("fixtures/merge/auto-v3r5.ckl")),
        "-o",
        s(&merged),
        "--report",
        s(&report),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.lines().last().unwrap().starts_with("merge: ") && !text.trim_start().starts_with('{'),
        "{text}"
    );
    assert_eq!(
        text,
        stderr(&out)
            .lines()
            .filter(|l| !l.starts_with("wrote "))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn output_paths_must_carry_their_format_extension() {
    let dir = common::temp_dir("guard-extensions");
    for (option, name, hint) in [
        ("--ckl", "out.cklb", Some("use --cklb")),
        ("--cklb", "out.ckl", Some("use --ckl")),
        ("--xccdf", "out.ckl", Some("use --ckl")),
        ("--ckl", "out.json", None),
    ] {
        let path = dir.join(name);
        let mut args = vec!["evaluate", EDGE01, "--stig", "exchange-2019-edge"];
        let ckl = dir.join("main.ckl");
        if option != "--ckl" {
            args.extend(["--ckl", s(&ckl)]);
        }
        args.extend([option, s(&path)]);
        let message = refused(&run(&args), &[&path, &ckl]);
        assert!(
            message.contains(&format!("{option} {}", path.display()))
                && message.contains("must end in ."),
            "{message}"
        );
        if let Some(hint) = hint {
            assert!(message.contains(hint), "{message}");
        }
    }
}

#[test]
fn batch_mode_fails_a_server_whose_inventory_contradicts_the_stig() {
    let dir = common::temp_dir("guard-batch");
    let (inventory, out_dir) = (dir.join("inv"), dir.join("out"));
    std::fs::create_dir_all(&inventory).unwrap();
    std::fs::copy(common::root().join(EDGE01), inventory.join("EDGE01.json")).unwrap();
    let args = [
        "evaluate",
        "--stig",
        "exchange-2016-edge",
        "--inventory-dir",
        s(&inventory),
        "--out-dir",
        s(&out_dir),
    ];
    let out = run(&args);
    let message = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{message}");
    assert!(
        message.contains("FAILED EDGE01") && message.contains("use --stig exchange-2019-edge"),
        "{message}"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let out = run(&forced);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1);
}

#[test]
fn merge_into_real_checklists_of_other_assets_is_refused() {
    let Some(shared) = common::shared("merge into real VPN and Chrome checklists") else {
        return;
    };
    let dir = common::temp_dir("guard-merge-real");
    for name in [
        "Asset_a-VPN_TRUNCATED-V2R5.ckl",
        "Asset_a-VPN_TRUNCATED-V2R5.cklb",
        "CA1294WK16078_Chrome_V2R8_20231211-125631.ckl",
    ] {
        let copy = dir.join(name);
        std::fs::copy(shared.join("samples").join(name), &copy).unwrap();
        let mut mode = std::fs::metadata(&copy).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        mode.set_readonly(false);
        std::fs::set_permissions(&copy, mode).unwrap();
        let before = std::fs::read(&copy).unwrap();
        let out = run(&[
            "evaluate",
            EDGE01,
            "--stig",
            "exchange-2019-edge",
            "--merge-into",
            s(&copy),
            "--in-place",
        ]);
        let message = refused(&out, &[&dir.join(format!("{name}.bak"))]);
        assert!(
            message.contains("is for host 'EDGE01' but") && message.contains(name),
            "{message}"
        );
        assert_eq!(std::fs::read(&copy).unwrap(), before, "{name} untouched");
    }
}
