//! Batch mode: a folder of good and broken inventories gives checklists for the good servers, a
//! report naming the broken files, the documented exit code, and a `--merge-dir` run that keeps
//! human reviews and is idempotent.

mod common;

use exstig::batch::{EXIT_PARTIAL, OutputFormat};
use exstig::checklist::{Checklist, Status, ckl, cklb};
use exstig::cli::batch_args::{BatchArgs, run_batch};
use exstig::cli::evaluate::FailOn;
use exstig::cli::{AssetArgs, BenchmarkSource};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    let path = common::root().join("fixtures/inventory").join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The EDGE01 / MBX01 bundle fixture as another host of the same role.
fn renamed(fixture_name: &str, from: &str, to: &str) -> String {
    fixture(fixture_name)
        .replace(from, to)
        .replace(&from.to_ascii_lowercase(), &to.to_ascii_lowercase())
}

/// A fleet: EDGE01 and EDGE02 (bundles), MBX01 split in four files in its own folder (two of
/// them name no server), MBX02 whose second file is broken, and a broken file naming no server.
fn fleet(dir: &Path) {
    fs::write(
        dir.join("EDGE01.bundle.json"),
        fixture("EDGE01.bundle.json"),
    )
    .unwrap();
    fs::write(
        dir.join("edge02.json"),
        renamed("EDGE01.bundle.json", "EDGE01", "EDGE02"),
    )
    .unwrap();
    let mbx = dir.join("MBX01");
    fs::create_dir_all(&mbx).unwrap();
    for part in [
        "receive-connectors",
        "send-connectors",
        "transport-config",
        "transport-service",
    ] {
        let name = format!("MBX01-{part}.ps51.json");
        let from = common::root().join("fixtures/inventory").join(name);
        fs::copy(&from, mbx.join(format!("{part}.json"))).unwrap();
    }
    fs::write(
        dir.join("MBX02.bundle.json"),
        renamed("MBX01.bundle.json", "MBX01", "MBX02"),
    )
    .unwrap();
    fs::write(dir.join("MBX02-extra.json"), "{\"Name\": \"half a conn").unwrap();
    let edge = fixture("EDGE01.bundle.json");
    fs::write(dir.join("EDGE03.bundle.json"), &edge[..edge.len() / 2]).unwrap();
    fs::write(dir.join("README.md"), "not an inventory").unwrap();
}

fn args(inventory: &Path, out: &Path) -> BatchArgs {
    BatchArgs {
        inventory_dir: Some(inventory.to_path_buf()),
        out_dir: Some(out.to_path_buf()),
        format: vec![OutputFormat::Ckl, OutputFormat::Cklb, OutputFormat::Xccdf],
        quiet: true,
        ..BatchArgs::default()
    }
}

fn catalog(name: &str) -> BenchmarkSource {
    BenchmarkSource {
        benchmark: None,
        stig: Some(name.into()),
    }
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn read_ckl(path: &Path) -> Checklist {
    ckl::read(path, &fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn good_servers_are_written_and_broken_ones_reported() {
    let root = common::temp_dir("batch-fleet");
    let (inventory, out) = (root.join("inventory"), root.join("out"));
    fs::create_dir_all(&inventory).unwrap();
    fleet(&inventory);
    let mut batch = args(&inventory, &out);
    batch.summary = vec![root.join("fleet.csv"), root.join("fleet.html")];
    let source = catalog("exchange-2019");
    let options = batch.options(&source, None, &AssetArgs::default()).unwrap();
    let report = exstig::batch::run(&options).unwrap();

    let hosts: Vec<&str> = report.servers.iter().map(|s| s.host.as_str()).collect();
    assert_eq!(hosts, ["EDGE01", "EDGE02", "MBX01"]);
    let failed: Vec<&str> = report.failures.iter().map(|f| f.server.as_str()).collect();
    assert_eq!(failed, ["EDGE03.bundle.json", "MBX02"]);
    let mbx02 = &report.failures[1];
    assert!(
        mbx02.message.contains("MBX02-extra.json"),
        "the failure names the broken file: {}",
        mbx02.message
    );
    assert!(
        report.failures[0].message.contains("EDGE03.bundle.json"),
        "{}",
        report.failures[0].message
    );
    assert_eq!(report.exit_code(None), EXIT_PARTIAL);
    assert!(report.warnings.iter().any(|w| w.contains("1 files")));

    // MBX01's four files, two of which name no server, were evaluated together.
    let mbx01 = &report.servers[2];
    assert_eq!(mbx01.inputs.len(), 4, "{:?}", mbx01.inputs);
    assert!(
        mbx01.benchmark_id.contains("Mailbox"),
        "{}",
        mbx01.benchmark_id
    );
    assert!(report.servers[0].benchmark_id.contains("Edge"));

    let written = files(&out);
    assert_eq!(written.len(), 9, "{:?}", written.keys());
    for server in &report.servers {
        assert_eq!(server.outputs.len(), 3);
        for path in &server.outputs {
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(
                name.starts_with(&format!("{}_{}_V", server.host, server.benchmark_id)),
                "{name}"
            );
            assert!(written.contains_key(name.as_ref()));
        }
        let ckl_path = &server.outputs[0];
        let checklist = read_ckl(ckl_path);
        assert_eq!(checklist.asset.host_name, server.host);
        let statuses: Vec<Status> = checklist.stigs[0].vulns.iter().map(|v| v.status).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == Status::Open).count(),
            server.counts.total(Status::Open)
        );
        assert!(
            statuses.iter().any(|s| *s != Status::NotReviewed),
            "{} was evaluated",
            server.host
        );
        let cklb_text = fs::read_to_string(&server.outputs[1]).unwrap();
        let from_cklb = cklb::read(&server.outputs[1], &cklb_text).unwrap();
        assert_eq!(
            from_cklb.stigs[0]
                .vulns
                .iter()
                .map(|v| v.status)
                .collect::<Vec<_>>(),
            statuses
        );
        common::assert_ckl_valid(ckl_path);
    }
    assert!(
        !written
            .keys()
            .any(|k| k.starts_with("MBX02") || k.starts_with("EDGE03"))
    );
    // EDGE02 is EDGE01 under another name: same statuses.
    let status_of = |i: usize| -> Vec<Status> {
        read_ckl(&report.servers[i].outputs[0]).stigs[0]
            .vulns
            .iter()
            .map(|v| v.status)
            .collect()
    };
    assert_eq!(status_of(0), status_of(1));

    // The CLI path gives the same exit code and writes both summaries.
    let code = run_batch(&batch, &source, None, &AssetArgs::default(), None).unwrap();
    assert_eq!(code, EXIT_PARTIAL);
    let csv = fs::read_to_string(root.join("fleet.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 1 + 3 + 2 + 1, "{csv}");
    assert!(rows.last().unwrap().starts_with("FLEET,fleet,"), "{csv}");
    assert!(rows[0].starts_with("host,result,role,benchmark,release,open_cat_i"));
    assert!(rows.iter().any(|r| r.starts_with("MBX02,failed,")));
    let edge01 = rows.iter().find(|r| r.starts_with("EDGE01,")).unwrap();
    let open: usize = report.servers[0].counts.total(Status::Open);
    let cells: Vec<&str> = edge01.split(',').collect();
    let open_cells: usize = cells[5..8]
        .iter()
        .map(|c| c.parse::<usize>().unwrap())
        .sum();
    assert_eq!(open_cells, open);
    let html = fs::read_to_string(root.join("fleet.html")).unwrap();
    assert!(html.contains("data-host=\"EDGE02\""));
    assert!(!html.contains("http://") || !html.contains("src=\"http"));
}

#[test]
fn exit_codes_all_good_findings_and_none_processed() {
    let root = common::temp_dir("batch-codes");
    let (good, bad, out) = (root.join("good"), root.join("bad"), root.join("out"));
    fs::create_dir_all(&good).unwrap();
    fs::create_dir_all(&bad).unwrap();
    fs::write(
        good.join("EDGE01.bundle.json"),
        fixture("EDGE01.bundle.json"),
    )
    .unwrap();
    fs::write(bad.join("a.json"), "[1, 2").unwrap();
    fs::write(bad.join("b.xml"), "<Objs><Obj>").unwrap();
    let source = catalog("exchange-2019-edge");
    let batch = args(&good, &out);
    let code = run_batch(&batch, &source, None, &AssetArgs::default(), None).unwrap();
    assert_eq!(code, 0);
    let opts = batch.options(&source, None, &AssetArgs::default()).unwrap();
    let report = exstig::batch::run(&opts).unwrap();
    let any_open = report.servers[0].counts.total(Status::Open) > 0;
    let code = run_batch(
        &batch,
        &source,
        None,
        &AssetArgs::default(),
        Some(FailOn::Open),
    )
    .unwrap();
    assert_eq!(code, if any_open { 1 } else { 0 });

    let out_bad = root.join("out-bad");
    let code = run_batch(
        &args(&bad, &out_bad),
        &source,
        None,
        &AssetArgs::default(),
        None,
    )
    .unwrap();
    assert_eq!(code, 2);
    assert!(
        !out_bad.exists(),
        "a batch that processes nothing leaves no empty --out-dir"
    );
    let out = common::exstig(
        &root,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            "--inventory-dir",
            bad.to_str().unwrap(),
            "--out-dir",
            out_bad.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_bad.exists(), "not through the binary either");
    // an --out-dir that existed before stays
    fs::create_dir_all(&out_bad).unwrap();
    let code = run_batch(
        &args(&bad, &out_bad),
        &source,
        None,
        &AssetArgs::default(),
        None,
    )
    .unwrap();
    assert_eq!(code, 2);
    assert!(out_bad.is_dir());

    let empty = root.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let err = run_batch(
        &args(&empty, &root.join("o3")),
        &source,
        None,
        &AssetArgs::default(),
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no inventory files"), "{err}");
}

/// Sets a human review on the first Not_Reviewed rule of a CKL and returns its Rule ID.
fn review_by_hand(path: &Path) -> String {
    let mut checklist = read_ckl(path);
    let vuln = checklist.stigs[0]
        .vulns
        .iter_mut()
        .find(|v| v.status == Status::NotReviewed)
        .expect("a rule exstig leaves to a human");
    vuln.status = Status::NotAFinding;
    vuln.comments = "Checked on the console by the ISSO, 2026-01-12.".into();
    let rule_id = vuln.rule_id().to_string();
    fs::write(path, ckl::write(&checklist)).unwrap();
    rule_id
}

#[test]
fn merge_dir_keeps_human_reviews_and_is_idempotent() {
    let root = common::temp_dir("batch-merge");
    let inventory = root.join("inventory");
    fs::create_dir_all(&inventory).unwrap();
    fleet(&inventory);
    let source = catalog("exchange-2019");
    let run = |out: &Path, previous: Option<&Path>| -> i32 {
        let mut batch = args(&inventory, out);
        batch.merge_dir = previous.map(Path::to_path_buf);
        run_batch(&batch, &source, None, &AssetArgs::default(), None).unwrap()
    };
    let (first, second, third) = (root.join("q1"), root.join("q2"), root.join("q3"));
    assert_eq!(run(&first, None), EXIT_PARTIAL);
    let edge01_ckl: PathBuf = fs::read_dir(&first)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("EDGE01_") && n.ends_with(".ckl")
        })
        .unwrap();
    let reviewed = review_by_hand(&edge01_ckl);
    let cklb_path = edge01_ckl.with_extension("cklb");
    fs::remove_file(&cklb_path).unwrap();

    assert_eq!(run(&second, Some(&first)), EXIT_PARTIAL);
    let merged = read_ckl(&second.join(edge01_ckl.file_name().unwrap()));
    let vuln = merged.stigs[0]
        .vulns
        .iter()
        .find(|v| v.rule_id() == reviewed)
        .unwrap();
    assert_eq!(vuln.status, Status::NotAFinding);
    assert!(vuln.comments.contains("by the ISSO"));
    // The CKLB of the second run carries the review too (it is written from the merged CKL).
    let merged_cklb = second.join(cklb_path.file_name().unwrap());
    let from_cklb = cklb::read(&merged_cklb, &fs::read_to_string(&merged_cklb).unwrap()).unwrap();
    assert!(
        from_cklb.stigs[0]
            .vulns
            .iter()
            .any(|v| v.rule_id() == reviewed && v.comments.contains("by the ISSO"))
    );

    // Running again over the merged output changes nothing but the XCCDF run times.
    assert_eq!(run(&third, Some(&second)), EXIT_PARTIAL);
    let (b, c) = (files(&second), files(&third));
    assert_eq!(b.keys().collect::<Vec<_>>(), c.keys().collect::<Vec<_>>());
    for (name, bytes) in &b {
        assert!(
            comparable(name, bytes) == comparable(name, &c[name]),
            "{name} differs between the second and third run"
        );
    }
    // A CKLB merged into keeps its identity: the same document id and rule UUIDs.
    let identity = |path: PathBuf| -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
        let mut ids = vec![doc["id"].to_string()];
        for rule in doc["stigs"][0]["rules"].as_array().unwrap() {
            ids.push(rule["uuid"].to_string());
        }
        ids
    };
    let mut carried = 0;
    for name in files(&first).keys().filter(|n| n.ends_with(".cklb")) {
        assert_eq!(
            identity(first.join(name)),
            identity(second.join(name)),
            "{name}"
        );
        carried += 1;
    }
    assert!(carried > 0, "no CKLB to carry an identity");
    // An untouched server keeps its statuses and comments when merged into its own output.
    let reviews = |path: PathBuf| -> Vec<(Status, String)> {
        read_ckl(&path).stigs[0]
            .vulns
            .iter()
            .map(|v| (v.status, v.comments.clone()))
            .collect()
    };
    for name in files(&first).keys() {
        if name.starts_with("EDGE02_") && name.ends_with(".ckl") {
            assert_eq!(
                reviews(first.join(name)),
                reviews(second.join(name)),
                "{name}"
            );
        }
    }

    // --merge-dir may be the output folder itself.
    assert_eq!(run(&third, Some(&third)), EXIT_PARTIAL);
    for (name, bytes) in files(&third) {
        assert!(
            comparable(&name, &bytes) == comparable(&name, &c[&name]),
            "{name} changed by an in-place merge"
        );
    }
}

/// What must not change when the same results are merged again: a CKL or CKLB byte for byte
/// (a CKLB keeps the `id` and UUIDs of the previous one); XCCDF results but for the run times.
fn comparable(name: &str, bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).into_owned();
    if name.ends_with(".xml") {
        text.lines()
            .filter(|l| !l.contains("time"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        text
    }
}

#[test]
fn binary_batch_mode_when_wired() {
    let root = common::temp_dir("batch-binary");
    let help = common::exstig(&root, &["evaluate", "--help"]);
    if !String::from_utf8_lossy(&help.stdout).contains("--inventory-dir") {
        common::skip(
            "batch through the binary: `exstig evaluate` does not take --inventory-dir yet",
        );
        return;
    }
    let (inventory, out) = (root.join("inventory"), root.join("out"));
    fs::create_dir_all(&inventory).unwrap();
    fleet(&inventory);
    let run = common::exstig(
        &root,
        &[
            "evaluate",
            "--inventory-dir",
            "inventory",
            "--stig",
            "exchange-2019",
            "--out-dir",
            "out",
            "--format",
            "ckl,cklb",
            "--summary",
            "fleet.html",
            "--quiet",
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(EXIT_PARTIAL), "{stderr}");
    assert!(stderr.contains("FAILED MBX02"), "{stderr}");
    assert!(stderr.contains("MBX02-extra.json"), "{stderr}");
    assert_eq!(files(&out).len(), 6);
    assert!(root.join("fleet.html").is_file());
}

#[test]
fn benchmark_dir_gives_each_role_its_newest_release() {
    let Some(shared) = common::shared("benchmark_dir_gives_each_role_its_newest_release") else {
        return;
    };
    let root = common::temp_dir("batch-benchmark-dir");
    let (inventory, benchmarks, out) = (root.join("inv"), root.join("stigs"), root.join("out"));
    fs::create_dir_all(&inventory).unwrap();
    fs::create_dir_all(&benchmarks).unwrap();
    fs::write(inventory.join("EDGE01.json"), fixture("EDGE01.bundle.json")).unwrap();
    fs::write(inventory.join("MBX01.json"), fixture("MBX01.bundle.json")).unwrap();
    for entry in fs::read_dir(shared.join("benchmarks")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("U_MS_Exchange_2016_") {
            fs::copy(&path, benchmarks.join(&name)).unwrap();
        }
    }
    fs::write(benchmarks.join("notes.xml"), "<notes/>").unwrap();
    // The example bundles say Exchange 15.2 (2019); this test is about choosing by role among
    // the 2016 benchmarks, so the release check is overridden.
    let batch = BatchArgs {
        benchmark_dir: Some(benchmarks.clone()),
        ..args(&inventory, &out)
    };
    let source = BenchmarkSource {
        benchmark: None,
        stig: None,
    };
    let mut opts = batch.options(&source, None, &AssetArgs::default()).unwrap();
    opts.write.force = true;
    let report = exstig::batch::run(&opts).unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let chosen: Vec<(&str, &str, &str)> = report
        .servers
        .iter()
        .map(|s| {
            (
                s.host.as_str(),
                s.benchmark_id.as_str(),
                s.revision.as_str(),
            )
        })
        .collect();
    assert_eq!(
        chosen,
        [
            (
                "EDGE01",
                "MS_Exchange_2016_Edge_Transport_Server_STIG",
                "V2R6"
            ),
            ("MBX01", "MS_Exchange_2016_Mailbox_Server_STIG", "V2R6"),
        ]
    );
    assert!(
        report.warnings.iter().any(|w| w.contains("notes.xml")),
        "{:?}",
        report.warnings
    );
    // The DISA prose of the chosen release is in the checklist (read from the DISA file).
    let checklist = read_ckl(&report.servers[0].outputs[0]);
    assert!(
        checklist.stigs[0]
            .vulns
            .iter()
            .any(|v| !v.attr("Check_Content").is_empty())
    );
    common::assert_ckl_valid(&report.servers[0].outputs[0]);
}
