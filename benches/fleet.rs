//! The fleet benchmark driver `scripts/bench.sh` runs (a plain program, no harness): it
//! generates inputs and times exstig in-process, so the script can compare with STIG Manager
//! and measure peak memory with `/usr/bin/time -v`.
//!
//! ```text
//! cargo bench --bench fleet -- gen-fleet DIR SERVERS      # SERVERS inventory bundles in DIR
//! cargo bench --bench fleet -- gen-ckl FILE               # the ~2 MB, 286-rule CKL
//! cargo bench --bench fleet -- time-ckl FILE ITERATIONS   # read+merge+write, each step, quick-xml scan
//! cargo bench --bench fleet -- batch DIR OUT [JOBS]       # batch::run with --stig exchange-2019
//! cargo bench --bench fleet -- time-server STIG ITERATIONS OUT FILE...
//!     # one server (FILE... read together) evaluated against catalog STIG and written as CKL,
//!     # CKLB and XCCDF to OUT.{ckl,cklb,xml}, in-process: median and mean ms of each step
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
        "time-server" => {
            let files: Vec<PathBuf> = args.iter().skip(4).map(PathBuf::from).collect();
            time_server(&arg(1), arg(2).parse().unwrap_or(50), &arg(3), &files);
        }
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

/// Times one server as `exstig evaluate FILE... --stig STIG --ckl OUT.ckl --cklb OUT.cklb
/// --xccdf OUT.xml` does it, without the process start: read the files, evaluate, render the
/// three formats and write them atomically (synced, as exstig does). Prints
/// `server_<step>_ms MEDIAN MEAN` for `read`, `evaluate`, `render`, `write` and `total`, and `server_objects N` / `server_rules N`.
fn time_server(stig: &str, iterations: usize, out: &str, files: &[PathBuf]) {
    use exstig::checklist::cklb;
    let benchmark = exstig::catalog::get(stig).unwrap_or_else(|| panic!("no catalog STIG {stig}"));
    let site = exstig::site::Site::default();
    let outputs = ["ckl", "cklb", "xml"].map(|ext| PathBuf::from(format!("{out}.{ext}")));
    let mut steps: [Vec<f64>; 5] = Default::default();
    let mut objects = 0;
    for i in 0..iterations + 3 {
        let t0 = Instant::now();
        let inventory = exstig::inventory::read_files(files).expect("reads");
        let t1 = Instant::now();
        let asset = exstig::evaluate::asset_from(&benchmark, &inventory, &site);
        let evaluation = exstig::evaluate::evaluate(&benchmark, &inventory, &site, asset);
        let t2 = Instant::now();
        let now = chrono::Utc::now();
        let run = exstig::xccdf::RunInfo {
            start: now,
            end: now,
        };
        let checklist = &evaluation.checklist;
        let rendered = [
            exstig::merge::render_checklist(&outputs[0], checklist).expect("CKL"),
            cklb::write(checklist).expect("CKLB").into_bytes(),
            exstig::xccdf::write_results(&benchmark, checklist, &run).into_bytes(),
        ];
        let t_render = Instant::now();
        let files: Vec<(&Path, Vec<u8>)> =
            outputs.iter().map(PathBuf::as_path).zip(rendered).collect();
        exstig::fsio::write_all_atomic(&files).expect("writes");
        let t3 = Instant::now();
        objects = inventory.objects.len();
        if i >= 3 {
            let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
            for (step, value) in steps.iter_mut().zip([
                ms(t0, t1),
                ms(t1, t2),
                ms(t2, t_render),
                ms(t_render, t3),
                ms(t0, t3),
            ]) {
                step.push(value);
            }
        }
    }
    println!("server_objects {objects}");
    println!("server_rules {}", benchmark.rules.len());
    for (name, mut values) in ["read", "evaluate", "render", "write", "total"]
        .into_iter()
        .zip(steps)
    {
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        println!("server_{name}_ms {:.3} {mean:.3}", values[values.len() / 2]);
    }
}
