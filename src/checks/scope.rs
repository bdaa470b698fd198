//! Connector scope: Internet-facing or internal, declared in the site file or inferred by the
//! heuristic of the research note (Receive: anonymous or partner permission, port 25, all remote
//! addresses, front-end or Edge; the Partners permission group or public remote addresses
//! alone also make a Receive connector Internet-facing; Send: address space `*`), and always
//! said which.

use crate::inventory::values::{self, PERMISSION_GROUPS, TRANSPORT_ROLE};
use crate::inventory::{InventoryObject, ObjectKind, ServerRole};
use crate::site::{ConnectorKind, Scope, Site};
use std::net::IpAddr;

/// The scope of one connector and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorScope {
    /// The scope, `None` when it could not be inferred.
    pub scope: Option<Scope>,
    /// "declared in site.toml", "inferred: port 25, AnonymousUsers, all remote addresses", or why
    /// it could not be inferred.
    pub basis: String,
}

impl ConnectorScope {
    /// `internet (declared in site.toml)` and the like.
    pub fn label(&self) -> String {
        match self.scope {
            Some(scope) => format!("{} ({})", scope.as_str(), self.basis),
            None => format!("scope unknown ({})", self.basis),
        }
    }
}

/// The scope of a Receive or Send connector: the site file's first matching `[[connector]]`,
/// else the heuristic. `role` is the role of the assessed server (Edge connectors can face the
/// Internet without the front-end transport role).
pub fn connector_scope(
    obj: &InventoryObject,
    site: &Site,
    role: Option<ServerRole>,
) -> ConnectorScope {
    let kind = match obj.kind {
        ObjectKind::SendConnector => ConnectorKind::Send,
        _ => ConnectorKind::Receive,
    };
    if let Some(decl) = site.declared_scope(kind, &obj.identity(), &obj.name()) {
        return ConnectorScope {
            scope: Some(decl.scope),
            basis: format!(
                "declared in {} (match \"{}\")",
                site.display_name(),
                decl.pattern
            ),
        };
    }
    let inferred = match kind {
        ConnectorKind::Receive => infer_receive(obj, role),
        ConnectorKind::Send => infer_send(obj),
    };
    match inferred {
        Ok((scope, why)) => ConnectorScope {
            scope: Some(scope),
            basis: format!("inferred: {why}"),
        },
        Err(problem) => ConnectorScope {
            scope: None,
            basis: format!(
                "cannot infer it: {problem}; declare it in {}: [[connector]] match = \"{}\" scope = \"internet\" or \"internal\"",
                site.display_name(),
                obj.identity().replace('\\', "\\\\")
            ),
        },
    }
}

/// Whether a list of remote IP ranges covers every address.
fn covers_everything(ranges: &[String]) -> bool {
    ranges.iter().any(|r| {
        let r = r.trim().to_ascii_lowercase();
        r == "0.0.0.0-255.255.255.255"
            || r == "0.0.0.0/0"
            || r == "::/0"
            || r.starts_with("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    })
}

/// The first and last address of a `RemoteIPRanges` entry (`192.0.2.1`, `192.0.2.0/24`,
/// `192.0.2.1-192.0.2.50`, IPv6 alike), IPv4 as IPv4-mapped IPv6; `None` when unreadable.
fn range_bounds(range: &str) -> Option<(u128, u128)> {
    let address = |text: &str| -> Option<(u128, u32)> {
        match text.trim().parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) => Some((u128::from(v4.to_ipv6_mapped()), 32)),
            IpAddr::V6(v6) => Some((u128::from(v6), 128)),
        }
    };
    let range = range.trim();
    if let Some((from, to)) = range.split_once('-') {
        let (start, _) = address(from)?;
        let (end, _) = address(to)?;
        return (start <= end).then_some((start, end));
    }
    if let Some((base, bits)) = range.split_once('/') {
        let (start, width) = address(base)?;
        let bits: u32 = bits.trim().parse().ok().filter(|b| *b <= width)?;
        let host_bits = width - bits;
        let mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        return Some((start & !mask, start | mask));
    }
    address(range).map(|(a, _)| (a, a))
}

/// Address blocks that are not globally routable (RFC 6890's special-purpose registry: RFC 1918
/// private, loopback, link-local, shared CGN space, documentation and benchmarking ranges,
/// unique-local IPv6), as IPv6 prefixes (IPv4 ones mapped).
const NOT_PUBLIC: &[(&str, u32)] = &[
    ("::ffff:0.0.0.0", 104),
    ("::ffff:10.0.0.0", 104),
    ("::ffff:100.64.0.0", 106),
    ("::ffff:127.0.0.0", 104),
    ("::ffff:169.254.0.0", 112),
    ("::ffff:172.16.0.0", 108),
    ("::ffff:192.0.0.0", 120),
    ("::ffff:192.0.2.0", 120),
    ("::ffff:192.168.0.0", 112),
    ("::ffff:198.18.0.0", 111),
    ("::ffff:198.51.100.0", 120),
    ("::ffff:203.0.113.0", 120),
    ("::ffff:224.0.0.0", 99),
    ("::", 127),
    ("fc00::", 7),
    ("fe80::", 10),
    ("2001:db8::", 32),
];

/// Whether a `RemoteIPRanges` entry holds any globally routable address: it is public unless
/// it lies wholly inside one not-public block. An unreadable entry is not called public.
pub fn is_public_range(range: &str) -> bool {
    let Some((start, end)) = range_bounds(range) else {
        return false;
    };
    !NOT_PUBLIC.iter().any(|(prefix, bits)| {
        let base = u128::from(
            prefix
                .parse::<std::net::Ipv6Addr>()
                .unwrap_or(std::net::Ipv6Addr::UNSPECIFIED),
        );
        let mask = if *bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        start & mask == base & mask && end & mask == base & mask
    })
}

/// The ports of `Bindings` entries (`0.0.0.0:25`, `[::]:25`).
pub fn ports(bindings: &[String]) -> Vec<u16> {
    let mut ports: Vec<u16> = bindings
        .iter()
        .filter_map(|b| b.rsplit_once(':').and_then(|(_, p)| p.trim().parse().ok()))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn infer_receive(
    obj: &InventoryObject,
    role: Option<ServerRole>,
) -> Result<(Scope, String), String> {
    let groups =
        values::flags(obj, "PermissionGroups", &PERMISSION_GROUPS).map_err(|p| p.to_string())?;
    let bindings = values::list(obj, "Bindings").map_err(|p| p.to_string())?;
    let remote = values::list(obj, "RemoteIPRanges").map_err(|p| p.to_string())?;
    let ports = ports(&bindings);
    let open_to: Vec<&str> = ["AnonymousUsers", "Partners"]
        .into_iter()
        .filter(|g| groups.contains(g))
        .collect();
    let edge = role == Some(ServerRole::Edge);
    let transport = match values::flags(obj, "TransportRole", &TRANSPORT_ROLE) {
        Ok(set) => Some(set),
        Err(_) if obj.get("TransportRole").is_none() => None,
        Err(problem) => return Err(problem.to_string()),
    };
    let frontend = transport
        .as_ref()
        .is_none_or(|set| set.contains("FrontendTransport"));
    let everything = covers_everything(&remote);
    if !open_to.is_empty() && ports.contains(&25) && everything && (edge || frontend) {
        let mut why = format!("port 25, {}, all remote addresses", open_to.join(" and "));
        if edge {
            why.push_str(", Edge server");
        } else if transport.is_some() {
            why.push_str(", FrontendTransport");
        }
        return Ok((Scope::Internet, why));
    }
    if groups.contains("Partners") {
        return Ok((
            Scope::Internet,
            "grants the Partners permission group (partner domains connect from the Internet)"
                .into(),
        ));
    }
    let public: Vec<&String> = remote.iter().filter(|r| is_public_range(r)).collect();
    if !everything && !public.is_empty() {
        return Ok((
            Scope::Internet,
            format!(
                "RemoteIPRanges include public (globally routable) addresses: {}",
                public
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut reasons = Vec::new();
    if open_to.is_empty() {
        reasons.push(format!(
            "PermissionGroups {} (no AnonymousUsers or Partners)",
            PERMISSION_GROUPS.display(&groups)
        ));
    }
    if !ports.contains(&25) {
        let list: Vec<String> = ports.iter().map(u16::to_string).collect();
        reasons.push(format!(
            "not on port 25 (ports {})",
            if list.is_empty() {
                "none".into()
            } else {
                list.join(", ")
            }
        ));
    }
    if !everything {
        reasons.push(format!(
            "remote addresses limited to {} (private or reserved, none public)",
            remote.join(", ")
        ));
    }
    if !edge && !frontend {
        reasons.push("HubTransport role (not front end)".into());
    }
    Ok((Scope::Internal, reasons.join("; ")))
}

fn infer_send(obj: &InventoryObject) -> Result<(Scope, String), String> {
    let spaces = values::list(obj, "AddressSpaces").map_err(|p| p.to_string())?;
    let is_star = |space: &str| {
        let address = space.split_once(':').map_or(space, |(_, a)| a);
        let address = address.split(';').next().unwrap_or(address);
        address.trim() == "*"
    };
    if spaces.iter().any(|s| is_star(s)) {
        Ok((Scope::Internet, "address space * (all domains)".into()))
    } else {
        Ok((
            Scope::Internal,
            format!(
                "address spaces {} (no *)",
                if spaces.is_empty() {
                    "none".into()
                } else {
                    spaces.join(", ")
                }
            ),
        ))
    }
}
