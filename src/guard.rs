//! Guard rails that stop a wrong checklist before anything is written: results merged into a
//! checklist of another host or product, a STIG that contradicts the server's Exchange role or
//! version, and an output path whose extension names another format than the one written.
//!
//! Every refusal is an [`Error::Usage`] (exit 2) that names the evidence and the way out
//! (`--force` where overriding can be right, the right option otherwise).

use crate::benchmark::Benchmark;
use crate::checklist::{Checklist, ChecklistStig};
use crate::error::{Error, Result};
use crate::inventory::{HostEvidence, Inventory, InventoryObject, ObjectKind, ServerRole};
use std::path::Path;

/// The Exchange releases the DISA STIGs are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExchangeRelease {
    /// Exchange 2010 (major version 14).
    E2010,
    /// Exchange 2013 (15.0).
    E2013,
    /// Exchange 2016 (15.1).
    E2016,
    /// Exchange 2019 (15.2).
    E2019,
}

impl ExchangeRelease {
    /// The year in the product name.
    pub fn year(self) -> u32 {
        match self {
            ExchangeRelease::E2010 => 2010,
            ExchangeRelease::E2013 => 2013,
            ExchangeRelease::E2016 => 2016,
            ExchangeRelease::E2019 => 2019,
        }
    }

    /// The releases an exported version string allows: `15.2.1544.4` or `Version 15.2 (Build
    /// 1118.7)` is 2019, `15` alone is 2013, 2016 or 2019, `14...` is 2010; empty when unreadable.
    pub fn from_version(text: &str) -> Vec<ExchangeRelease> {
        let text = text.trim();
        let text = text
            .strip_prefix("Version")
            .or_else(|| text.strip_prefix("version"))
            .unwrap_or(text)
            .trim_start();
        let mut parts = text.split(|c: char| !c.is_ascii_digit());
        let major = parts.next().and_then(|m| m.parse::<u32>().ok());
        let separator_is_dot = text
            .chars()
            .find(|c| !c.is_ascii_digit())
            .is_some_and(|c| c == '.');
        let minor = if separator_is_dot {
            parts.next().and_then(|m| m.parse::<u32>().ok())
        } else {
            None
        };
        use ExchangeRelease::*;
        match (major, minor) {
            (Some(14), _) => vec![E2010],
            (Some(15), Some(0)) => vec![E2013],
            (Some(15), Some(1)) => vec![E2016],
            (Some(15), Some(2)) => vec![E2019],
            (Some(15), None) => vec![E2013, E2016, E2019],
            _ => Vec::new(),
        }
    }

    /// The release a benchmark is written for, from the year in its id or title.
    pub fn of_benchmark(benchmark: &Benchmark) -> Option<ExchangeRelease> {
        let words = format!("{} {}", benchmark.id, benchmark.title);
        [
            ExchangeRelease::E2010,
            ExchangeRelease::E2013,
            ExchangeRelease::E2016,
            ExchangeRelease::E2019,
        ]
        .into_iter()
        .find(|r| words.contains(&r.year().to_string()))
    }
}

/// One clue about the server, read from the inventory: where, and the role and releases it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clue {
    /// Where it was read, in words.
    pub source: String,
    /// The role it shows.
    pub role: Option<ServerRole>,
    /// The releases it allows (empty: it says nothing about the version).
    pub releases: Vec<ExchangeRelease>,
    /// What it says, in words (`role Mailbox`, `Exchange 15.2.1544.4`).
    pub says: String,
}

/// Every clue the inventory holds about the assessed server (`host`: its name, to leave other
/// servers' connectors out): the bundle host block, Get-ExchangeServer objects and CliXML type
/// names (collected by the readers), `AdminDisplayVersion` and `IsEdgeServer` of the objects,
/// an Edge server's AD LDS distinguished names, Receive connectors' `TransportRole` and the
/// default Receive connector names each role creates.
pub fn clues(inventory: &Inventory, host: Option<&str>) -> Vec<Clue> {
    let mut clues: Vec<Clue> = inventory.evidence.iter().map(clue_of_evidence).collect();
    let short = |name: &str| name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    let host = host.map(short).filter(|h| !h.is_empty());
    for obj in &inventory.objects {
        let server = obj.server();
        if let (Some(host), Some(server)) = (&host, &server)
            && short(server) != *host
        {
            continue;
        }
        let what = format!(
            "{} {} in {}",
            obj.kind.title(),
            obj.identity(),
            obj.source.display()
        );
        if let Ok(Some(version)) = crate::inventory::values::text(obj, "AdminDisplayVersion") {
            let releases = ExchangeRelease::from_version(&version);
            if !releases.is_empty() {
                let says = format!("AdminDisplayVersion {version}{}", release_words(&releases));
                clues.push(Clue {
                    source: what.clone(),
                    role: None,
                    releases,
                    says,
                });
            }
        }
        if crate::inventory::values::boolean(obj, "IsEdgeServer") == Ok(true) {
            clues.push(role_clue(&what, ServerRole::Edge, "IsEdgeServer True"));
        }
        if let Ok(Some(dn)) = crate::inventory::values::text(obj, "DistinguishedName")
            && crate::inventory::is_adam_dn(&dn)
        {
            clues.push(role_clue(
                &what,
                ServerRole::Edge,
                "a distinguished name in an Edge server's AD LDS configuration",
            ));
        }
        if obj.kind == ObjectKind::ReceiveConnector {
            clues.extend(connector_clues(obj, &what, server.as_deref()));
        }
    }
    clues
}

fn clue_of_evidence(e: &HostEvidence) -> Clue {
    let mut says = Vec::new();
    if let Some(role) = e.role {
        says.push(format!("role {}", role.as_str()));
    }
    if let Some(version) = &e.version {
        says.push(format!(
            "version {version}{}",
            release_words(&ExchangeRelease::from_version(version))
        ));
    }
    Clue {
        source: e.source.clone(),
        role: e.role,
        releases: e
            .version
            .as_deref()
            .map(ExchangeRelease::from_version)
            .unwrap_or_default(),
        says: says.join(", "),
    }
}

/// ` = Exchange 2019`, ` = Exchange 2013 or later`, or nothing.
fn release_words(releases: &[ExchangeRelease]) -> String {
    match releases {
        [one] => format!(" = Exchange {}", one.year()),
        [first, ..] => format!(" = Exchange {} or later", first.year()),
        [] => String::new(),
    }
}

fn role_clue(source: &str, role: ServerRole, says: &str) -> Clue {
    Clue {
        source: source.to_string(),
        role: Some(role),
        releases: Vec::new(),
        says: says.to_string(),
    }
}

/// Clues of one Receive connector: `TransportRole FrontendTransport` (Mailbox, 2013 or later),
/// and the default names: `Default internal receive connector S` (Edge), `Default Frontend S`,
/// `Outbound Proxy Frontend S`, `Client Frontend S`, `Client Proxy S` (Mailbox, 2013 or later),
/// `Client S` (Hub, 2010), where S is the connector's server.
fn connector_clues(obj: &InventoryObject, what: &str, server: Option<&str>) -> Vec<Clue> {
    use ExchangeRelease::*;
    let mut clues = Vec::new();
    let later = vec![E2013, E2016, E2019];
    if let Ok(Some(role)) = crate::inventory::values::text(obj, "TransportRole")
        && role.eq_ignore_ascii_case("FrontendTransport")
    {
        clues.push(Clue {
            source: what.to_string(),
            role: Some(ServerRole::Mailbox),
            releases: later.clone(),
            says: "TransportRole FrontendTransport (Exchange 2013 or later Mailbox)".into(),
        });
    }
    let name = obj.name();
    let lower = name.to_ascii_lowercase();
    let server = server
        .map(|s| s.split('.').next().unwrap_or(s).to_ascii_lowercase())
        .unwrap_or_default();
    let default_name = |prefix: &str| {
        lower
            .strip_prefix(prefix)
            .is_some_and(|rest| server.is_empty() || rest.eq_ignore_ascii_case(&server))
    };
    let says = |role: &str| format!("the default name \"{name}\" of {role}");
    if default_name("default internal receive connector ") {
        clues.push(Clue {
            source: what.to_string(),
            role: Some(ServerRole::Edge),
            releases: Vec::new(),
            says: says("an Edge Transport server"),
        });
    } else if [
        "default frontend ",
        "outbound proxy frontend ",
        "client frontend ",
        "client proxy ",
    ]
    .iter()
    .any(|p| default_name(p))
    {
        clues.push(Clue {
            source: what.to_string(),
            role: Some(ServerRole::Mailbox),
            releases: later,
            says: says("an Exchange 2013 or later Mailbox server"),
        });
    } else if !server.is_empty() && default_name("client ") {
        clues.push(Clue {
            source: what.to_string(),
            role: Some(ServerRole::Hub),
            releases: vec![E2010],
            says: says("an Exchange 2010 Hub Transport server"),
        });
    }
    clues
}

/// Refuses a benchmark that contradicts the inventory: a clue shows another role than the one
/// the benchmark is written for, or allows only other releases. Unknown role or version passes.
pub fn check_stig_fits(
    benchmark: &Benchmark,
    inventory: &Inventory,
    host: Option<&str>,
) -> Result<()> {
    let role = crate::checks::benchmark_role(benchmark);
    let release = ExchangeRelease::of_benchmark(benchmark);
    let clues = clues(inventory, host);
    let against: Vec<&Clue> = clues
        .iter()
        .filter(|c| {
            matches!((c.role, role), (Some(a), Some(b)) if a != b)
                || release.is_some_and(|r| !c.releases.is_empty() && !c.releases.contains(&r))
        })
        .collect();
    if against.is_empty() {
        return Ok(());
    }
    let written_for = format!(
        "Exchange {}{}",
        release.map_or("(any release)".to_string(), |r| r.year().to_string()),
        role.map_or(String::new(), |r| format!(" {}", r.as_str()))
    );
    let mut by_source: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in &against {
        match by_source.iter_mut().find(|(s, _)| *s == c.source) {
            Some((_, says)) => says.push(&c.says),
            None => by_source.push((&c.source, vec![&c.says])),
        }
    }
    let evidence: Vec<String> = by_source
        .iter()
        .take(3)
        .map(|(source, says)| format!("{source}: {}", says.join(" and ")))
        .collect();
    let more = by_source.len().saturating_sub(3);
    Err(Error::Usage(format!(
        "the inventory contradicts the chosen STIG {} (written for {written_for} servers): {}{}; {}, or give --force to evaluate anyway",
        benchmark.title,
        evidence.join("; "),
        if more > 0 {
            format!(
                "; and {more} more object{}",
                if more == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
        suggestion(&clues, role, release)
    )))
}

/// The STIG the clues point to: `use --stig exchange-2019-mailbox` when the catalog has it,
/// else the DISA benchmark to give with --benchmark.
fn suggestion(
    clues: &[Clue],
    role: Option<ServerRole>,
    release: Option<ExchangeRelease>,
) -> String {
    let role = clues.iter().find_map(|c| c.role).or(role);
    let release = narrowest_release(clues).or(release);
    match (role, release) {
        (Some(role), Some(release)) => {
            let name = format!(
                "exchange-{}-{}",
                release.year(),
                role.as_str().to_ascii_lowercase()
            );
            if crate::catalog::names().contains(&name.as_str()) {
                format!("use --stig {name}")
            } else {
                format!(
                    "give --benchmark with DISA's Exchange {} {} STIG",
                    release.year(),
                    role.as_str()
                )
            }
        }
        (Some(role), None) => format!("pick a STIG written for {} servers", role.as_str()),
        (None, Some(release)) => format!("pick a STIG written for Exchange {}", release.year()),
        (None, None) => "pick the STIG of this server".into(),
    }
}

/// The release the clues agree on, when one is named by all that name any.
fn narrowest_release(clues: &[Clue]) -> Option<ExchangeRelease> {
    let mut allowed: Option<Vec<ExchangeRelease>> = None;
    for c in clues.iter().filter(|c| !c.releases.is_empty()) {
        allowed = Some(match allowed {
            None => c.releases.clone(),
            Some(a) => a.into_iter().filter(|r| c.releases.contains(r)).collect(),
        });
    }
    match allowed.as_deref() {
        Some([one]) => Some(*one),
        _ => None,
    }
}

/// The message `exstig merge` and `evaluate --merge-into` give when two checklists name
/// different hosts.
pub fn other_host_message(path: &Path, other: &str, first: &Path, host: &str) -> String {
    format!(
        "{} is for host '{other}' but {} is for host '{host}'; merge checklists of one asset, or give --force",
        path.display(),
        first.display()
    )
}

/// The product a STIG is about, from its `stigid` (else title): the words that remain without
/// the vendor, release year, role and `STIG` words (`MS_Exchange_2019_Edge_Server_STIG` →
/// `exchange`).
pub fn product_of(stig: &ChecklistStig) -> String {
    const NOISE: [&str; 18] = [
        "client",
        "access",
        "u",
        "ms",
        "microsoft",
        "stig",
        "server",
        "servers",
        "manual",
        "security",
        "technical",
        "implementation",
        "guide",
        "edge",
        "transport",
        "mailbox",
        "hub",
        "cas",
    ];
    crate::merge::stig_key(stig)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !NOISE.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join("_")
}

/// Refuses to merge `incoming` (evaluated results) into the checklist at `path` when it is of
/// another host (both HOST_NAMEs set and different: the message of `exstig merge`), or when it
/// holds no STIG of the same product and one HOST_NAME is empty.
pub fn check_merge_target(
    path: &Path,
    existing: &Checklist,
    incoming: &Checklist,
    incoming_source: &Path,
) -> Result<()> {
    let ours = existing.asset.host_name.trim();
    let theirs = incoming.asset.host_name.trim();
    if !ours.is_empty() && !theirs.is_empty() {
        if !ours.eq_ignore_ascii_case(theirs) {
            return Err(Error::Usage(other_host_message(
                incoming_source,
                theirs,
                path,
                ours,
            )));
        }
        return Ok(());
    }
    let products: Vec<String> = incoming.stigs.iter().map(product_of).collect();
    let same_product = existing
        .stigs
        .iter()
        .any(|s| products.contains(&product_of(s)));
    if same_product {
        return Ok(());
    }
    let held: Vec<&str> = existing.stigs.iter().map(crate::merge::stig_key).collect();
    Err(Error::Usage(format!(
        "{} holds no {} STIG (it holds {}) and names {}; merging would add this server's results to another asset's checklist; check the file, or give --force",
        path.display(),
        incoming
            .stigs
            .first()
            .map_or("such", crate::merge::stig_key),
        if held.is_empty() {
            "none".to_string()
        } else {
            held.join(", ")
        },
        if ours.is_empty() {
            "no host".to_string()
        } else {
            format!("host '{ours}'")
        }
    )))
}

/// The extensions each output option accepts.
pub const OUTPUT_EXTENSIONS: [(&str, &[&str]); 3] = [
    ("--ckl", &["ckl"]),
    ("--cklb", &["cklb"]),
    ("--xccdf", &["xml"]),
];

/// Refuses an output path whose extension does not name the format `option` writes (e.g.
/// `--ckl out.cklb`, which would put XML in a file STIG Viewer 3 reads as JSON).
pub fn check_extension(option: &str, path: &Path) -> Result<()> {
    let Some((_, allowed)) = OUTPUT_EXTENSIONS.iter().find(|(o, _)| *o == option) else {
        return Ok(());
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if allowed.contains(&ext.as_str()) {
        return Ok(());
    }
    let hint = OUTPUT_EXTENSIONS
        .iter()
        .find(|(o, exts)| *o != option && exts.contains(&ext.as_str()))
        .map(|(o, _)| format!(" (for that format use {o} {})", path.display()))
        .unwrap_or_default();
    Err(Error::Usage(format!(
        "{option} {}: the file {option} writes must end in .{}{hint}",
        path.display(),
        allowed.join(" or ."),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExchangeRelease::*;

    #[test]
    fn versions_map_to_releases() {
        assert_eq!(ExchangeRelease::from_version("15.2.1544.4"), [E2019]);
        assert_eq!(
            ExchangeRelease::from_version("Version 15.1 (Build 2507.6)"),
            [E2016]
        );
        assert_eq!(ExchangeRelease::from_version("15.0.1497.2"), [E2013]);
        assert_eq!(
            ExchangeRelease::from_version("Version 14.3 (Build 123.4)"),
            [E2010]
        );
        assert_eq!(ExchangeRelease::from_version("15"), [E2013, E2016, E2019]);
        assert!(ExchangeRelease::from_version("unknown").is_empty());
        assert!(ExchangeRelease::from_version("8.0.535.0").is_empty());
    }

    #[test]
    fn products_ignore_release_and_role_words() {
        let stig = |id: &str| ChecklistStig {
            info: vec![("stigid".to_string(), Some(id.to_string()))],
            ..ChecklistStig::default()
        };
        assert_eq!(
            product_of(&stig("MS_Exchange_2019_Edge_Server_STIG")),
            "exchange"
        );
        assert_eq!(
            product_of(&stig("MS_Exchange_2013_Mailbox_Server_STIG")),
            "exchange"
        );
        assert_ne!(
            product_of(&stig("Google_Chrome_Current_Windows")),
            "exchange"
        );
    }

    fn benchmark(id: &str, title: &str) -> Benchmark {
        Benchmark {
            id: id.into(),
            title: title.into(),
            ..Benchmark::default()
        }
    }

    fn inventory(role: Option<ServerRole>, version: Option<&str>) -> Inventory {
        Inventory {
            evidence: vec![HostEvidence {
                source: "the bundle host block of x.json".into(),
                role,
                version: version.map(str::to_string),
            }],
            ..Inventory::default()
        }
    }

    #[test]
    fn stig_must_fit_role_and_release_unknown_passes() {
        let edge16 = benchmark(
            "MS_Exchange_2016_Edge_Transport_Server_STIG",
            "Microsoft Exchange 2016 Edge Transport Server STIG",
        );
        let err = check_stig_fits(
            &edge16,
            &inventory(Some(ServerRole::Mailbox), Some("15.1.2507.6")),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("role Mailbox") && err.contains("use --stig exchange-2016-mailbox"),
            "{err}"
        );
        let err = check_stig_fits(
            &edge16,
            &inventory(None, Some("Version 15.2 (Build 1118.7)")),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("Exchange 2019"), "{err}");
        assert!(
            check_stig_fits(
                &edge16,
                &inventory(Some(ServerRole::Edge), Some("15.1.1")),
                None
            )
            .is_ok()
        );
        assert!(check_stig_fits(&edge16, &inventory(None, None), None).is_ok());
        assert!(check_stig_fits(&edge16, &Inventory::default(), None).is_ok());
        let hub10 = benchmark("Exchange_2010_Hub", "Exchange 2010 Hub Transport STIG");
        let err = check_stig_fits(&hub10, &inventory(None, Some("15")), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("written for Exchange 2010 Hub servers"),
            "{err}"
        );
    }

    #[test]
    fn merge_target_must_be_this_host_or_hold_this_product() {
        let stig = |id: &str| ChecklistStig {
            info: vec![("stigid".to_string(), Some(id.to_string()))],
            ..ChecklistStig::default()
        };
        let checklist = |host: &str, id: &str| {
            let mut c = Checklist {
                stigs: vec![stig(id)],
                ..Checklist::default()
            };
            c.asset.host_name = host.into();
            c
        };
        let ours = checklist("EDGE01", "MS_Exchange_2019_Edge_Server_STIG");
        let p = Path::new("x.ckl");
        let src = Path::new("EDGE01.json");
        let other_host = checklist("VPN01", "MS_Exchange_2019_Edge_Server_STIG");
        let err = check_merge_target(p, &other_host, &ours, src)
            .unwrap_err()
            .to_string();
        assert_eq!(err, other_host_message(src, "EDGE01", p, "VPN01"));
        assert!(check_merge_target(p, &checklist("edge01", "Google_Chrome"), &ours, src).is_ok());
        assert!(
            check_merge_target(
                p,
                &checklist("", "Google_Chrome_Current_Windows"),
                &ours,
                src
            )
            .is_err()
        );
        assert!(
            check_merge_target(
                p,
                &checklist("", "MS_Exchange_2016_Edge_Transport_Server_STIG"),
                &ours,
                src
            )
            .is_ok()
        );
    }

    #[test]
    fn extensions_name_the_format() {
        assert!(check_extension("--ckl", Path::new("a/OUT.CKL")).is_ok());
        let err = check_extension("--ckl", Path::new("out.cklb"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("must end in .ckl") && err.contains("--cklb out.cklb"),
            "{err}"
        );
        assert!(check_extension("--cklb", Path::new("out.ckl")).is_err());
        assert!(check_extension("--xccdf", Path::new("out.ckl")).is_err());
        assert!(check_extension("--xccdf", Path::new("out.xml")).is_ok());
    }
}
