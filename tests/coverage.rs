//! Issue 14's measure of coverage, through the binary: how many rules of each built-in STIG
//! exstig decides from data (`exstig rules --json`), and that every DISA release of a product
//! binds the same families as the newest one.

mod common;

use std::collections::BTreeMap;

/// A rule as `exstig rules --json` shows it: its title (lowercase), check digest and bound
/// check id.
type Bound = (String, String, Option<String>);

/// `exstig rules --json` for `args`: STIG ID to the rule's title and bound check id (None when
/// not automated).
fn bindings(args: &[&str]) -> BTreeMap<String, Bound> {
    let mut full = vec!["rules", "--json"];
    full.extend_from_slice(args);
    let out = common::exstig(&common::root(), &full);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("rules --json");
    json["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            let check = r["automated"]
                .as_str()
                .map(|a| a.split(':').next().unwrap_or(a).to_string());
            let title = r["title"].as_str().unwrap_or_default().to_ascii_lowercase();
            let digest = r["check_digest"].as_str().unwrap_or_default().to_string();
            (
                r["stig_id"].as_str().unwrap().to_string(),
                (title, digest, check),
            )
        })
        .collect()
}

#[test]
fn the_four_newest_stigs_are_decided_from_data_on_at_least_fifty_rules() {
    for (stig, at_least) in [
        ("exchange-2019-edge", 50),
        ("exchange-2019-mailbox", 48),
        ("exchange-2016-edge", 50),
        ("exchange-2016-mailbox", 50),
    ] {
        let rules = bindings(&["--stig", stig]);
        let automated = rules.values().filter(|(_, _, c)| c.is_some()).count();
        println!("{stig}: {automated} of {} rules automated", rules.len());
        assert!(
            automated >= at_least,
            "{stig}: {automated} of {} rules automated, the goal is {at_least}",
            rules.len()
        );
    }
}

#[test]
fn every_release_binds_the_families_of_the_newest() {
    let Some(shared) = common::shared("every_release_binds_the_families_of_the_newest") else {
        return;
    };
    // Each DISA file beside the catalog STIG of its product (the same STIG ID prefix).
    let catalog: Vec<(&str, BTreeMap<String, Bound>)> = exstig::catalog::names()
        .into_iter()
        .map(|name| (name, bindings(&["--stig", name])))
        .collect();
    let mut compared = 0;
    for entry in std::fs::read_dir(shared.join("benchmarks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let release = bindings(&["--benchmark", path.to_str().unwrap()]);
        for (name, newest) in &catalog {
            for (stig_id, (title, digest, check)) in &release {
                // The same rule: same STIG ID and title (a STIG ID may change meaning).
                let Some((newest_title, newest_digest, Some(newest_check))) = newest.get(stig_id)
                else {
                    continue;
                };
                if newest_title != title {
                    continue;
                }
                let family = |c: &str| c.split('.').next().unwrap_or(c).to_string();
                match check {
                    // An older check text that runs no cmdlet (a GUI walk-through) may leave
                    // the rule to a person; an unchanged check text may not.
                    None if digest != newest_digest => {
                        println!(
                            "{} {stig_id}: check text differs and is not automated",
                            path.display()
                        );
                        continue;
                    }
                    // A rule the newest release decides is decided by the same family here.
                    _ => assert_eq!(
                        check.as_deref().map(family),
                        Some(family(newest_check)),
                        "{} {stig_id}: bound to {check:?}, the newest release ({name}) to {newest_check}",
                        path.display()
                    ),
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 300, "compared {compared} rules");
}
