//! The fleet benchmark driver `scripts/bench.sh` runs (a plain program, no harness): it
//! generates inputs and times exstig in-process, so the script can compare with STIG Manager
//! and measure peak memory with `/usr/bin/time -v`.
//!
//! ```text
//! cargo bench --bench fleet -- gen-fleet DIR SERVERS      # SERVERS inventory bundles in DIR
//! cargo bench --bench fleet -- gen-ckl FILE               # the ~2 MB, 286-rule CKL
//! cargo bench --bench fleet -- time-ckl FILE ITERATIONS   # read+merge+write, each step, quick-xml scan
//! cargo bench --bench fleet -- batch DIR OUT [JOBS]       # batch::run with --stig exchange-2019
//! ```
//! Without arguments (as `cargo bench` and `cargo test --benches` run it) it does nothing.

mod support;

use exstig::checklist::ckl;
use exstig::merge::{MergePolicy, merge_into};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match arg(0).as_str() {
        "gen-fleet" => {
            let n: usize = arg(2).parse().expect("SERVERS is a number");
            let files = support::write_fleet(Path::new(&arg(1)), n);
            println!("wrote {} inventory bundles to {}", files.len(), arg(1));
        }
        "gen-ckl" => {
            let text = support::large_ckl();
            std::fs::write(arg(1), &text).expect("write the CKL");
            println!(
                "wrote {} ({} bytes, {} rules)",
                arg(1),
                text.len(),
                support::RULES
            );
        }
        "time-ckl" => time_ckl(Path::new(&arg(1)), arg(2).parse().unwrap_or(50)),
        "batch" => batch(&arg(1), &arg(2), arg(3).parse().ok()),
        _ => {}
    }
}

/// Prints the mean milliseconds (and MB/s) of read+merge+write of `path`, of each step alone
/// (merge net of the clone it starts from), and of quick-xml merely scanning the same bytes.
fn time_ckl(path: &Path, iterations: usize) {
    let text = std::fs::read_to_string(path).expect("read the CKL");
    let results = support::results(&support::benchmark());
    let mb = text.len() as f64 / 1e6;
    let mean = |f: &mut dyn FnMut()| {
        for _ in 0..3 {
            f();
        }
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        start.elapsed().as_secs_f64() * 1000.0 / iterations as f64
    };
    let full = mean(&mut || {
        let mut checklist = ckl::read(path, &text).expect("reads");
        merge_into(&mut checklist, &results, &MergePolicy::default());
        std::hint::black_box(ckl::write(&checklist));
    });
    let read = mean(&mut || {
        std::hint::black_box(ckl::read(path, &text).expect("reads"));
    });
    let parsed = ckl::read(path, &text).expect("reads");
    let merge = mean(&mut || {
        let mut checklist = parsed.clone();
        merge_into(&mut checklist, &results, &MergePolicy::default());
        std::hint::black_box(checklist);
    });
    let clone = mean(&mut || {
        std::hint::black_box(parsed.clone());
    });
    let write = mean(&mut || {
        std::hint::black_box(ckl::write(&parsed));
    });
    let scan = mean(&mut || {
        let mut reader = quick_xml::Reader::from_str(&text);
        while !matches!(
            reader.read_event().expect("scans"),
            quick_xml::events::Event::Eof
        ) {}
    });
    println!(
        "exstig_read_merge_write_ms {full:.3} {:.0}",
        mb / full * 1000.0
    );
    println!("exstig_read_ms {read:.3} {:.0}", mb / read * 1000.0);
    println!("exstig_merge_ms {:.3}", merge - clone);
    println!("exstig_write_ms {write:.3} {:.0}", mb / write * 1000.0);
    println!("quick_xml_scan_ms {scan:.3} {:.0}", mb / scan * 1000.0);
}

/// Runs the batch library like `exstig evaluate --inventory-dir DIR --stig exchange-2019
/// --out-dir OUT --format ckl,cklb,xccdf` and prints the servers written and the time.
fn batch(dir: &str, out: &str, jobs: Option<usize>) {
    use exstig::batch::{BatchOptions, BenchmarkChoice, OutputFormat};
    let start = Instant::now();
    let opts = BatchOptions {
        inventory_dir: PathBuf::from(dir),
        benchmarks: BenchmarkChoice::Catalog("exchange-2019".into()),
        out_dir: PathBuf::from(out),
        formats: vec![OutputFormat::Ckl, OutputFormat::Cklb, OutputFormat::Xccdf],
        merge_dir: None,
        upgrade: false,
        previous_dir: None,
        site: None,
        asset: exstig::cli::AssetArgs::default(),
        policy: MergePolicy::default(),
        jobs,
        progress: false,
        open_details: false,
        write: Default::default(),
    };
    let report = exstig::batch::run(&opts).expect("batch runs");
    println!(
        "batch_servers {} failed {} seconds {:.3}",
        report.servers.len(),
        report.failures.len(),
        start.elapsed().as_secs_f64()
    );
}
