//! Criterion benchmarks of one large checklist and one server, on generated inputs:
//! - `ckl_2mb/read_merge_write`: read a 286-rule, ~2 MB CKL, merge automatic results for every
//!   rule into it, write it back (what `--merge-dir` does per server);
//! - `ckl_2mb/read`, `ckl_2mb/write`: the parts;
//! - `ckl_2mb/quick_xml_scan`: quick-xml merely reading every event of the same bytes (the
//!   practical limit of any XML reader in Rust);
//! - `server/evaluate_write_all`: one Mailbox server evaluated against the catalog and written as
//!   CKL + CKLB + XCCDF.
//!
//! `cargo bench --bench checklist`; `scripts/bench.sh` prints the ratios against STIG Manager.

mod support;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use exstig::checklist::{ckl, cklb};
use exstig::merge::{MergePolicy, merge_into};
use std::hint::black_box;
use std::path::Path;

fn large_ckl(c: &mut Criterion) {
    let text = support::large_ckl();
    let results = support::results(&support::benchmark());
    let path = Path::new("synthetic.ckl");
    let mut group = c.benchmark_group("ckl_2mb");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("read_merge_write", |b| {
        b.iter(|| {
            let mut checklist = ckl::read(path, black_box(&text)).expect("reads");
            let report = merge_into(&mut checklist, &results, &MergePolicy::default());
            black_box(report);
            black_box(ckl::write(&checklist))
        })
    });
    group.bench_function("read", |b| {
        b.iter(|| ckl::read(path, black_box(&text)).expect("reads"))
    });
    let checklist = ckl::read(path, &text).expect("reads");
    group.bench_function("write", |b| b.iter(|| ckl::write(black_box(&checklist))));
    group.bench_function("quick_xml_scan", |b| {
        b.iter(|| quick_xml_scan(black_box(&text)))
    });
    group.finish();
}

/// Reads every event of `text` with quick-xml, unescaping nothing: the floor for any reader.
pub fn quick_xml_scan(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => events += 1,
            Err(e) => panic!("scan: {e}"),
        }
    }
    events
}

fn one_server(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("exstig-bench-server-{}", std::process::id()));
    let files = support::write_fleet(&dir, 2);
    let benchmark = exstig::catalog::get("exchange-2019-mailbox").expect("catalog");
    let site = exstig::site::Site::default();
    let file = &files[1..2];
    c.bench_function("server/evaluate_write_all", |b| {
        b.iter(|| {
            let inventory = exstig::inventory::read_files(file).expect("reads");
            let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
            let evaluation = exstig::evaluate::evaluate(&benchmark, &inventory, &site, asset);
            let now = chrono::Utc::now();
            let run = exstig::xccdf::RunInfo {
                start: now,
                end: now,
            };
            black_box(ckl::write(&evaluation.checklist));
            black_box(cklb::write(&evaluation.checklist).expect("cklb"));
            black_box(exstig::xccdf::write_results(
                &benchmark,
                &evaluation.checklist,
                &run,
            ))
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, large_ckl, one_server);
criterion_main!(benches);
