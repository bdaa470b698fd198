//! No panic on damaged input: every fixture, truncated and mutated at many places, read in every
//! format, gives an inventory or an error; every accessor on every property of whatever is read
//! gives a value or a problem.

mod common;

use exstig::inventory::values::{
    self, AUTH_MECHANISM, PERMISSION_GROUPS, TLS_AUTH_LEVEL, TRANSPORT_ROLE,
};
use exstig::inventory::{InputFormat, Inventory, read_texts_as};
use std::path::PathBuf;

/// A small deterministic pseudo-random sequence (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

fn exercise(inventory: &Inventory) {
    for o in &inventory.objects {
        let _ = (o.identity(), o.name(), o.server());
        for prop in o.properties.keys() {
            for table in [
                &AUTH_MECHANISM,
                &PERMISSION_GROUPS,
                &TLS_AUTH_LEVEL,
                &TRANSPORT_ROLE,
            ] {
                if let Ok(set) = values::flags(o, prop, table) {
                    let _ = table.display(&set);
                }
            }
            let _ = values::timespan(o, prop).map(|t| t.to_string());
            let _ = values::size(o, prop).map(|s| s.to_string());
            let _ = values::limit(o, prop);
            let _ = values::boolean(o, prop);
            let _ = values::integer(o, prop);
            let _ = values::text(o, prop);
            let _ = values::list(o, prop);
        }
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn damaged_fixtures_never_panic() {
    const SNIPPETS: [&str; 14] = [
        "<",
        ">",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\n",
        "_x00",
        "&amp",
        "<Ref RefId=\"0\" />",
        "\u{0}",
    ];
    let dir = common::root().join("fixtures/inventory");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "py"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    let formats = [
        None,
        Some(InputFormat::Json),
        Some(InputFormat::Clixml),
        Some(InputFormat::Csv),
        Some(InputFormat::FormatList),
    ];
    let mut random = Lcg(7);
    let (mut read, mut refused) = (0, 0);
    for file in &files {
        let text = exstig::fsio::read_text(file).unwrap();
        for round in 0..40 {
            let mut damaged = text.clone();
            if round % 2 == 0 {
                let cut = floor_boundary(&damaged, random.next(damaged.len()));
                damaged.truncate(cut);
            } else {
                for _ in 0..3 {
                    let at = floor_boundary(&damaged, random.next(damaged.len()));
                    damaged.insert_str(at, SNIPPETS[random.next(SNIPPETS.len())]);
                }
            }
            let format = formats[random.next(formats.len())];
            match read_texts_as(&[(file.clone(), damaged)], format) {
                Ok(inventory) => {
                    read += 1;
                    exercise(&inventory);
                }
                Err(e) => {
                    refused += 1;
                    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");
                }
            }
        }
    }
    assert!(read > 20 && refused > 20, "read {read}, refused {refused}");
}
