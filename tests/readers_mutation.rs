//! Every reader of exstig against seeded mutations of real inputs, in the style of the CKL
//! lexer's test: no input may panic, hang, or use memory far beyond its size.
//!
//! The readers: inventory format detection and each inventory reader (JSON, bundle, CliXML,
//! CSV, Format-List, also forced onto content of another format), the CKL and CKLB readers,
//! the benchmark reader (XCCDF, DISA's zip, derived JSON), the site file, `validate`, and the
//! text decoding every input goes through. Each case is one to four edits of a seed (pieces of
//! markup inserted, spans deleted or repeated, raw bytes changed, the input cut), chosen by a
//! seeded generator, so a failure is reproduced by its seed and case number.
//!
//! `cargo test` runs 2,000 cases per reader. `scripts/fuzz.sh` runs the same harness
//! for as many executions as asked (`EXSTIG_FUZZ_EXECS`, all readers in turn; `EXSTIG_FUZZ_SEED`
//! to vary) and prints executions, crashes, the slowest case and the peak memory. Inputs that
//! crash are saved under `target/fuzz-crashes/`.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Counts the bytes the current thread holds, and their peak, so a case's memory is known.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn count(grow: usize, shrink: usize) {
    let _ = HELD.try_with(|held| {
        let now = held.get().saturating_add(grow).saturating_sub(shrink);
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed on to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size(), 0);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(0, layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size, layout.size());
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A small, seeded random generator (xorshift64*): the same seed gives the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces that make or break the formats when dropped anywhere: markup of XML, JSON, CSV,
/// TOML and Format-List, multi-byte and forbidden characters, byte order marks.
const PIECES: [&str; 44] = [
    "<",
    ">",
    "/",
    "&",
    ";",
    "\"",
    "'",
    "=",
    "!",
    "?",
    "-",
    "--",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "&amp;",
    "&#",
    "&#x",
    "x",
    " ",
    "\r",
    "\n",
    "\r\n",
    "é",
    "中",
    "😀",
    "\u{FFFE}",
    "\u{0}",
    "\u{1}",
    "\u{1b}]0;t\u{7}",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\t",
    "<Objs>",
    "<Obj>",
    "<S N=\"Name\">",
    "\u{FEFF}",
    "[[exception]]",
    "_x0041_",
];

/// Byte offsets where readers tend to cut.
const LIMITS: [usize; 12] = [
    64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767, 32768, 65536,
];

/// One to four edits of `seed`: mostly at character boundaries (text the readers parse), now
/// and then raw bytes (what the decoder must refuse).
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        // A third of the edits put a multi-byte character just across a limit readers often
        // have (a sniffing window, a buffer, STIG Viewer's text limit), where a cut inside a
        // character or an off-by-one hides.
        if rng.below(3) == 0 {
            let piece = ["é", "中", "😀", "\u{FFFE}"][rng.below(4)].as_bytes();
            let at = (LIMITS[rng.below(LIMITS.len())] + 1)
                .saturating_sub(1 + rng.below(piece.len()))
                .min(bytes.len());
            let at = boundary(&bytes, at);
            bytes.splice(at..at, piece.iter().copied());
            continue;
        }
        let at = rng.below(bytes.len() + 1);
        match rng.below(10) {
            0..=3 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                let at = boundary(&bytes, at);
                bytes.splice(at..at, piece.iter().copied());
            }
            4 | 5 => {
                let at = boundary(&bytes, at);
                let end = boundary(&bytes, (at + 1 + rng.below(12)).min(bytes.len()));
                bytes.drain(at..end);
            }
            6 | 7 => {
                let at = boundary(&bytes, at);
                let end = boundary(&bytes, (at + 1 + rng.below(40)).min(bytes.len()));
                let span = bytes[at..end].to_vec();
                let most = if rng.below(8) == 0 { 200 } else { 3 };
                for _ in 0..1 + rng.below(most) {
                    bytes.splice(end..end, span.iter().copied());
                }
            }
            8 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b = rng.next() as u8;
                }
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// `at`, moved back to the start of a UTF-8 character.
fn boundary(bytes: &[u8], at: usize) -> usize {
    let mut at = at.min(bytes.len());
    while at > 0 && at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

/// One reader under test: its name, its seeds (name, bytes) and how it reads an input.
struct Reader {
    name: &'static str,
    seeds: Vec<(String, Vec<u8>)>,
    read: fn(&Path, &[u8]),
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(common::root().join("fixtures").join(path)).expect("fixture")
}

/// A fixture decoded to UTF-8 (the CliXML exports are UTF-16).
fn fixture_text(path: &str) -> String {
    let file = common::root().join("fixtures").join(path);
    exstig::fsio::read_text(&file).expect("fixture decodes")
}

/// The first `Obj` of a CliXML export, closed: a seed of a few KB.
fn first_clixml_object(text: &str) -> String {
    let end = text
        .find("</Obj>")
        .map_or(text.len(), |i| i + "</Obj>".len());
    format!("{}\r\n</Objs>", text.get(..end).unwrap_or(text))
}

fn inventory_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = [
        "inventory/EDGE01-receive-connectors.json",
        "inventory/EDGE01.bundle.json",
        "inventory/MBX01-send-connectors.csv",
        "inventory/MBX01-send-connectors.fl.txt",
        "inventory/MBX01-transport-config.ps51.json",
    ]
    .iter()
    .map(|p| (p.to_string(), fixture_text(p).into_bytes()))
    .collect();
    let clixml = first_clixml_object(&fixture_text("inventory/MBX01-send-connectors.clixml.xml"));
    seeds.push((
        "first object of the send connectors' CliXML".into(),
        clixml.into_bytes(),
    ));
    seeds
}

fn checklist_seeds(extension: &str) -> Vec<(String, Vec<u8>)> {
    [
        "ckl/evaluate-stig-style.ckl",
        "ckl/truncated.ckl",
        "merge/other-host.ckl",
        "merge/gateway.cklb",
        "merge/last-quarter.cklb",
    ]
    .iter()
    .filter(|p| p.ends_with(extension))
    .map(|p| (p.to_string(), fixture(p)))
    .collect()
}

fn benchmark_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = [
        "benchmarks/U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml",
        "benchmarks/U_Example_Mail_Relay_V3R4_STIG.zip",
        "benchmarks/too-deep.zip",
    ]
    .iter()
    .map(|p| (p.to_string(), fixture(p)))
    .collect();
    let derived = std::fs::read_to_string(common::root().join("catalog/exchange-2019-edge.json"))
        .expect("catalog");
    // Two rules are enough to exercise the derived JSON reader.
    let mut json: serde_json::Value = serde_json::from_str(&derived).expect("json");
    if let Some(rules) = json
        .pointer_mut("/benchmark/rules")
        .and_then(serde_json::Value::as_array_mut)
    {
        rules.truncate(2);
    }
    seeds.push((
        "catalog/exchange-2019-edge.json (2 rules)".into(),
        serde_json::to_vec_pretty(&json.get("benchmark").cloned().unwrap_or(json)).expect("json"),
    ));
    seeds
}

/// XCCDF results as exstig writes them, for two rules of the 2019 Edge catalog.
fn xccdf_results() -> Vec<u8> {
    let mut benchmark = exstig::catalog::get("exchange-2019-edge").expect("catalog");
    benchmark.rules.truncate(2);
    let checklist = exstig::checklist::Checklist {
        asset: exstig::checklist::Asset {
            host_name: "EDGE01".into(),
            ..Default::default()
        },
        stigs: vec![exstig::checklist::ChecklistStig::from_benchmark(&benchmark)],
        ..Default::default()
    };
    let now = chrono::Utc::now();
    let run = exstig::xccdf::RunInfo {
        start: now,
        end: now,
    };
    exstig::xccdf::write_results(&benchmark, &checklist, &run).into_bytes()
}

fn readers() -> Vec<Reader> {
    use exstig::inventory::InputFormat;
    fn inventory_as(path: &Path, bytes: &[u8], format: Option<InputFormat>) {
        if let Ok(text) = exstig::fsio::decode_text(path, bytes) {
            let _ = exstig::inventory::read_texts_as(&[(path.to_path_buf(), text)], format);
        }
    }
    let checklists: Vec<(String, Vec<u8>)> = checklist_seeds(".ckl")
        .into_iter()
        .chain(checklist_seeds(".cklb"))
        .collect();
    let mut validate_seeds = checklists.clone();
    validate_seeds.push(("XCCDF results of two rules".into(), xccdf_results()));
    validate_seeds.push((
        "benchmark XCCDF".into(),
        fixture("benchmarks/U_Example_Mail_Relay_STIG_V3R4_Manual-xccdf.xml"),
    ));
    vec![
        Reader {
            name: "inventory (format detected)",
            // Any file may be given as an inventory: the other readers' seeds too.
            seeds: inventory_seeds()
                .into_iter()
                .chain(validate_seeds.iter().cloned())
                .collect(),
            read: |p, b| inventory_as(p, b, None),
        },
        Reader {
            name: "inventory read as JSON",
            seeds: inventory_seeds(),
            read: |p, b| inventory_as(p, b, Some(InputFormat::Json)),
        },
        Reader {
            name: "inventory read as CliXML",
            seeds: inventory_seeds(),
            read: |p, b| inventory_as(p, b, Some(InputFormat::Clixml)),
        },
        Reader {
            name: "inventory read as CSV",
            seeds: inventory_seeds(),
            read: |p, b| inventory_as(p, b, Some(InputFormat::Csv)),
        },
        Reader {
            name: "inventory read as Format-List",
            seeds: inventory_seeds(),
            read: |p, b| inventory_as(p, b, Some(InputFormat::FormatList)),
        },
        Reader {
            name: "CKL",
            seeds: checklist_seeds(".ckl"),
            read: |p, b| {
                if let Ok(text) = exstig::fsio::decode_text(p, b) {
                    let _ = exstig::checklist::ckl::read(p, &text);
                }
            },
        },
        Reader {
            name: "CKLB",
            seeds: checklist_seeds(".cklb"),
            read: |p, b| {
                if let Ok(text) = exstig::fsio::decode_text(p, b) {
                    let _ = exstig::checklist::cklb::read(p, &text);
                }
            },
        },
        Reader {
            name: "benchmark (XCCDF, zip, derived JSON)",
            seeds: benchmark_seeds(),
            read: |p, b| {
                let _ = exstig::benchmark::parse_bytes(p, b, "fuzz.xml");
            },
        },
        Reader {
            name: "site file",
            seeds: vec![
                (
                    "site/EDGE01.site.toml".into(),
                    fixture("site/EDGE01.site.toml"),
                ),
                (
                    "site/MBX01.site.toml".into(),
                    fixture("site/MBX01.site.toml"),
                ),
            ],
            read: |p, b| {
                if let Ok(text) = exstig::fsio::decode_text(p, b) {
                    let _ = exstig::site::Site::parse(p, &text);
                }
            },
        },
        Reader {
            name: "validate",
            seeds: validate_seeds,
            read: |p, b| {
                let _ = exstig::validate::validate_bytes(p, b);
            },
        },
    ]
}

/// What a run found.
#[derive(Default)]
struct Outcome {
    execs: usize,
    crashes: Vec<String>,
    slowest: (Duration, String),
    /// The largest (bytes held at the peak of a case, input size, reader and case).
    most_memory: (usize, usize, String),
}

/// Runs `execs` cases spread over every reader and its seeds, from `seed`.
fn run(execs: usize, seed: u64) -> Outcome {
    let readers = readers();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let _ = PANIC_MESSAGE.try_with(|m| *m.borrow_mut() = Some(info.to_string()));
    }));
    let mut outcome = Outcome::default();
    let per_reader = execs.div_ceil(readers.len());
    for (index, reader) in readers.iter().enumerate() {
        let mut rng = Rng(seed ^ (0x9E37_79B9_7F4A_7C15u64.wrapping_mul(index as u64 + 1)));
        for case in 0..per_reader {
            let (seed_name, seed_bytes) = &reader.seeds[case % reader.seeds.len()];
            let input = mutate(seed_bytes, &mut rng);
            let extension = Path::new(seed_name.as_str())
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_else(|| "txt".into());
            let extension = if extension.contains(' ') {
                "xml".to_string()
            } else {
                extension
            };
            let path = PathBuf::from(format!("fuzz.{extension}"));
            let held_before = HELD.with(Cell::get);
            PEAK.with(|p| p.set(held_before));
            let start = Instant::now();
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                (reader.read)(&path, &input)
            }));
            let elapsed = start.elapsed();
            let used = PEAK.with(Cell::get).saturating_sub(held_before);
            outcome.execs += 1;
            let label = format!(
                "{} case {case} (seed {seed:#x}, from {seed_name})",
                reader.name
            );
            if result.is_err() {
                let message = PANIC_MESSAGE
                    .with(|m| m.borrow_mut().take())
                    .unwrap_or_default();
                let dir = common::root().join("target/fuzz-crashes");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!(
                    "{}-{case}.bin",
                    reader.name.replace([' ', '(', ')', ','], "_")
                ));
                let _ = std::fs::write(&file, &input);
                outcome.crashes.push(format!(
                    "{label}: {message} (input saved as {})",
                    file.display()
                ));
            }
            if elapsed > outcome.slowest.0 {
                outcome.slowest = (elapsed, format!("{label}, {} bytes", input.len()));
            }
            if used > outcome.most_memory.0 {
                outcome.most_memory = (used, input.len(), label);
            }
        }
    }
    std::panic::set_hook(previous_hook);
    outcome
}

/// The process's peak resident memory (VmHWM) in KiB, where /proc tells it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Cases per reader in `cargo test` (scripts/fuzz.sh asks for more).
const CASES_PER_READER: usize = 2_000;

/// Memory a case may hold at its peak: generous for parse trees, far below any blow-up.
fn memory_allowed(input: usize) -> usize {
    64 * input + 16 * 1024 * 1024
}

#[test]
fn every_reader_survives_mutated_inputs() {
    let execs: usize = std::env::var("EXSTIG_FUZZ_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES_PER_READER * readers().len());
    let seed: u64 = std::env::var("EXSTIG_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let started = Instant::now();
    let outcome = run(execs, seed);
    let (used, input, label) = &outcome.most_memory;
    println!(
        "fuzz: execs {} crashes {} seconds {:.1} slowest {:.1} ms ({}) most memory held by one case {} KiB for a {}-byte input ({}) peak RSS {} KiB",
        outcome.execs,
        outcome.crashes.len(),
        started.elapsed().as_secs_f64(),
        outcome.slowest.0.as_secs_f64() * 1000.0,
        outcome.slowest.1,
        used / 1024,
        input,
        label,
        peak_rss_kib().map_or("?".into(), |k| k.to_string()),
    );
    assert!(
        outcome.crashes.is_empty(),
        "{} inputs crash a reader:\n{}",
        outcome.crashes.len(),
        outcome.crashes.join("\n")
    );
    assert!(
        outcome.slowest.0 < Duration::from_secs(5),
        "a case took {:?}: {}",
        outcome.slowest.0,
        outcome.slowest.1
    );
    assert!(
        *used <= memory_allowed(*input),
        "{label} held {used} bytes for a {input}-byte input"
    );
}

/// The crash classes the adversarial run found, as fixed inputs: a multi-byte character across
/// byte 4,096 of a document starting with `<` (format detection cut it there), and nesting a
/// million bytes deep given to `validate` (its tree was dropped one stack frame per level).
#[test]
fn the_crash_samples_are_refused_without_a_panic() {
    for pad in 4090..4098 {
        let text = format!("<{}{}<Objs/>", "a".repeat(pad), "é中😀".repeat(4));
        // Detection sees the first 4 KiB; `<Objs` lies beyond them: not CliXML.
        assert_ne!(
            exstig::inventory::InputFormat::detect(&text),
            Some(exstig::inventory::InputFormat::Clixml)
        );
        let _ = exstig::inventory::read_texts_as(&[(PathBuf::from("x.xml"), text)], None);
    }
    let depth = 150_000;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let held_before = HELD.with(Cell::get);
    PEAK.with(|p| p.set(held_before));
    let report = exstig::validate::validate_bytes(Path::new("deep.xml"), deep.as_bytes());
    let used = PEAK.with(Cell::get).saturating_sub(held_before);
    assert!(
        report
            .lines()
            .iter()
            .any(|l| l.contains("nested more than")),
        "{:?}",
        report.lines()
    );
    assert!(
        used < 8 * deep.len(),
        "validate held {used} bytes for a {}-byte file",
        deep.len()
    );
    // A million bytes of sibling elements: the tree stays proportional to the file.
    let flat = format!("<r>{}</r>", "<a/>".repeat(250_000));
    PEAK.with(|p| p.set(HELD.with(Cell::get)));
    let held_before = HELD.with(Cell::get);
    let report = exstig::validate::validate_bytes(Path::new("flat.xml"), flat.as_bytes());
    let used = PEAK.with(Cell::get).saturating_sub(held_before);
    assert!(!report.problems.is_empty());
    println!(
        "validate: {used} bytes held for a {}-byte flat file",
        flat.len()
    );
    assert!(
        used < memory_allowed(flat.len()),
        "validate held {used} bytes for a {}-byte flat file",
        flat.len()
    );
}
