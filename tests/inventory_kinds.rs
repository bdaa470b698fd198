//! Every kind of object of the kind table, read from the complete inventories of EDGE02 and
//! MBX02 (fixtures/inventory/make_server_fixtures.py) in every format: the bundle, Export-Clixml,
//! Windows PowerShell 5.1 ConvertTo-Json, Format-List and one CSV per kind.

mod common;

use exstig::inventory::{Collection, Inventory, KINDS, ObjectKind, ServerRole, read_files, values};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    common::root().join("fixtures/inventory").join(name)
}

fn read(name: &str) -> Inventory {
    read_files(&[fixture(name)]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Kind -> the identities of its objects.
fn identities(inv: &Inventory) -> BTreeMap<ObjectKind, BTreeSet<String>> {
    let mut out: BTreeMap<ObjectKind, BTreeSet<String>> = BTreeMap::new();
    for o in &inv.objects {
        out.entry(o.kind).or_default().insert(o.identity());
    }
    out
}

const SERVERS: [(&str, ServerRole); 2] =
    [("EDGE02", ServerRole::Edge), ("MBX02", ServerRole::Mailbox)];

/// Allow- and block-list entries have the same properties: only a type name or a bundle
/// section tells them apart.
const LOOK_ALIKES: [ObjectKind; 2] = [ObjectKind::IPAllowListEntry, ObjectKind::IPBlockListEntry];

#[test]
fn bundles_hold_every_kind_of_their_role() {
    for (server, role) in SERVERS {
        let inv = read(&format!("{server}.bundle.json"));
        assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
        assert_eq!(inv.host.role, Some(role));
        assert_eq!(inv.host.host_name.as_deref(), Some(server));
        for spec in &KINDS {
            let read_on_role = spec.roles.contains(&role);
            assert_eq!(
                inv.of_kind(spec.kind).count() > 0,
                read_on_role,
                "{server}: {}",
                spec.section
            );
            let expected = if read_on_role {
                Collection::Collected
            } else {
                Collection::Unknown
            };
            assert_eq!(
                inv.collection(spec.kind),
                expected,
                "{server}: {}",
                spec.section
            );
        }
        // per-server objects belong to this server (or to the host the export ran on)
        for o in &inv.objects {
            if let Some(s) = o.server() {
                assert!(
                    s.eq_ignore_ascii_case(server),
                    "{:?} {} names {s}",
                    o.kind,
                    o.identity()
                );
            }
        }
    }
}

#[test]
fn every_format_recognizes_every_kind() {
    for (server, _) in SERVERS {
        let bundle = identities(&read(&format!("{server}.bundle.json")));
        // CliXML carries the type names: everything, look-alikes included
        let clixml = read(&format!("{server}.clixml.xml"));
        assert!(clixml.skipped.is_empty(), "{:?}", clixml.skipped);
        assert_eq!(identities(&clixml), bundle, "{server} CliXML");
        // bare property bags: everything but the look-alikes, which are skipped with the reason
        let without: BTreeMap<_, _> = bundle
            .iter()
            .filter(|(k, _)| !LOOK_ALIKES.contains(k))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let look_alikes = bundle
            .iter()
            .filter(|(k, _)| LOOK_ALIKES.contains(k))
            .map(|(_, v)| v.len())
            .sum::<usize>();
        for file in [format!("{server}.ps51.json"), format!("{server}.fl.txt")] {
            let inv = read(&file);
            assert_eq!(identities(&inv), without, "{file}");
            assert_eq!(inv.skipped.len(), look_alikes, "{file}: {:?}", inv.skipped);
            assert!(
                inv.skipped
                    .iter()
                    .all(|s| s.contains("Get-IPAllowListEntry: IPRange")
                        && s.contains("Get-IPBlockListEntry")),
                "{:?}",
                inv.skipped
            );
        }
        // one CSV per kind: its #TYPE line or its header decides
        for spec in &KINDS {
            let path = fixture(&format!("csv/{server}-{}.csv", spec.section));
            let Some(expected) = bundle.get(&spec.kind) else {
                assert!(!path.exists(), "{}", path.display());
                continue;
            };
            let inv = read_files(std::slice::from_ref(&path)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                identities(&inv).get(&spec.kind),
                Some(expected),
                "{}",
                path.display()
            );
            assert_eq!(inv.objects.len(), expected.len(), "{}", path.display());
        }
    }
}

/// The values checks read come out the same from every format.
#[test]
fn values_agree_across_formats() {
    let formats = ["bundle.json", "clixml.xml", "ps51.json", "fl.txt"];
    for format in formats {
        let edge = read(&format!("EDGE02.{format}"));
        let one = |kind| {
            edge.of_kind(kind)
                .next()
                .unwrap_or_else(|| panic!("{format}: no {kind:?}"))
        };
        let sender = one(ObjectKind::SenderFilterConfig);
        assert_eq!(
            values::boolean(sender, "BlankSenderBlockingEnabled"),
            Ok(false),
            "{format}"
        );
        assert_eq!(values::boolean(sender, "Enabled"), Ok(true), "{format}");
        assert_eq!(
            values::list(sender, "BlockedDomains").unwrap(),
            ["spam.example.net"],
            "{format}"
        );
        let event = edge
            .of_kind(ObjectKind::EventLogLevel)
            .find(|o| o.name().ends_with("Categorizer"))
            .unwrap();
        assert_eq!(event.server().as_deref(), Some("EDGE02"), "{format}");
        let certs: BTreeSet<String> = edge
            .of_kind(ObjectKind::ExchangeCertificate)
            .map(|o| o.name())
            .collect();
        assert!(
            certs.contains("9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C"),
            "{format}: {certs:?}"
        );
        let registry = edge.of_kind(ObjectKind::RegistryValue).count();
        assert_eq!(registry, 4, "{format}: both views, two values");
        assert_eq!(
            edge.of_kind(ObjectKind::NetworkAdapter).count(),
            2,
            "{format}"
        );

        let mbx = read(&format!("MBX02.{format}"));
        let db = mbx.of_kind(ObjectKind::MailboxDatabase).next().unwrap();
        assert_eq!(
            values::boolean(db, "CircularLoggingEnabled"),
            Ok(true),
            "{format}"
        );
        assert_eq!(db.server().as_deref(), Some("MBX02"), "{format}");
        let forwarding: Vec<String> = mbx
            .of_kind(ObjectKind::Mailbox)
            .map(|o| o.identity())
            .collect();
        assert_eq!(forwarding, ["example.mil/Users/John Doe"], "{format}");
        let member = mbx.of_kind(ObjectKind::RoleGroupMember).next().unwrap();
        assert_eq!(
            member.identity(),
            "Records Management\\Jane Records",
            "{format}"
        );
        let owa_ssl = mbx
            .of_kind(ObjectKind::IisSetting)
            .find(|o| {
                values::text(o, "Location").ok().flatten().as_deref()
                    == Some("Default Web Site/owa")
            })
            .unwrap();
        assert_eq!(
            values::text(owa_ssl, "Value").unwrap().as_deref(),
            Some("Ssl,Ssl128"),
            "{format}"
        );
        let pop3 = mbx
            .of_kind(ObjectKind::Service)
            .find(|o| o.name() == "MSExchangePOP3")
            .unwrap();
        assert!(pop3.server().is_none(), "a host fact names no server");
        let queue = mbx
            .of_kind(ObjectKind::ServerPath)
            .find(|o| o.name() == "QueueDatabasePath")
            .unwrap();
        assert_eq!(
            values::text(queue, "Volume").unwrap().as_deref(),
            Some("C:\\"),
            "{format}"
        );
    }
}

/// Through the binary: each format of both servers evaluates, names the host, and reports the
/// objects it could not place (only the allow/block list look-alikes of bare property bags).
#[test]
fn evaluate_reads_every_format_of_both_servers() {
    let dir = common::temp_dir("inventory-kinds-evaluate");
    for (server, stig, look_alikes) in [
        ("EDGE02", "exchange-2019-edge", 2),
        ("MBX02", "exchange-2019-mailbox", 0),
    ] {
        for (format, bare) in [
            ("bundle.json", false),
            ("clixml.xml", false),
            ("ps51.json", true),
            ("fl.txt", true),
        ] {
            let input = fixture(&format!("{server}.{format}"));
            let ckl = dir.join(format!("{server}-{format}.ckl"));
            let out = common::exstig(
                &dir,
                &[
                    "evaluate",
                    input.to_str().unwrap(),
                    "--stig",
                    stig,
                    "--ckl",
                    ckl.to_str().unwrap(),
                ],
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{server}.{format}: {stderr}");
            assert!(stderr.contains(&format!("against {server} (")), "{stderr}");
            let skipped: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("exstig: skipped"))
                .collect();
            let expected = if bare { look_alikes } else { 0 };
            assert_eq!(skipped.len(), expected, "{server}.{format}: {stderr}");
            assert!(
                skipped
                    .iter()
                    .all(|l| l.contains("Get-IPAllowListEntry")
                        && l.contains("Get-IPBlockListEntry")),
                "{stderr}"
            );
            assert!(ckl.is_file());
        }
    }
}

/// Through the binary: a bundle whose `not_collected` names an unknown section is refused with
/// exit code 2, the file and the key named, and no checklist written.
#[test]
fn a_bad_not_collected_block_is_refused() {
    let dir = common::temp_dir("inventory-kinds-not-collected");
    let bundle = dir.join("bad.json");
    std::fs::write(
        &bundle,
        r#"{"exstig_inventory": 1, "accepted_domains": [], "not_collected": {"accepted_domain": "typo"}}"#,
    )
    .unwrap();
    let ckl = dir.join("out.ckl");
    let out = common::exstig(
        &dir,
        &[
            "evaluate",
            bundle.to_str().unwrap(),
            "--stig",
            "exchange-2019-edge",
            "--ckl",
            ckl.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(
        stderr.contains("unknown section 'not_collected.accepted_domain'"),
        "{stderr}"
    );
    assert!(!ckl.exists());
}
