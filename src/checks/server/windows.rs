//! The server family's Windows settings: SchUseStrongCrypto in both registry views and the
//! script execution policy.

use super::{LOCAL_MACHINE_BASIS, enum_name, text_of};
use crate::checks::fix::caution;
use crate::checks::judge::{Context, Judgement, decided, undecided, unknown};
use crate::checks::{Binding, Expected};
use crate::inventory::InventoryObject;
use crate::inventory::values;

/// `Microsoft.PowerShell.ExecutionPolicy`.
const EXECUTION_POLICY: &[(&str, i64)] = &[
    ("Unrestricted", 0),
    ("RemoteSigned", 1),
    ("AllSigned", 2),
    ("Restricted", 3),
    ("Default", 4),
    ("Bypass", 5),
    ("Undefined", 6),
];

/// `Microsoft.PowerShell.ExecutionPolicyScope`.
const EXECUTION_POLICY_SCOPE: &[(&str, i64)] = &[
    ("Process", 0),
    ("CurrentUser", 1),
    ("LocalMachine", 2),
    ("UserPolicy", 3),
    ("MachinePolicy", 4),
];

/// `Microsoft.Win32.RegistryValueKind`.
const REGISTRY_VALUE_KIND: &[(&str, i64)] = &[
    ("None", -1),
    ("Unknown", 0),
    ("String", 1),
    ("ExpandString", 2),
    ("Binary", 3),
    ("DWord", 4),
    ("MultiString", 7),
    ("QWord", 11),
];

/// SchUseStrongCrypto: 1 in both registry views; absent or any other value is a finding.
pub(super) fn strong_crypto(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    let property = "SchUseStrongCrypto";
    let values_of: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| {
            text_of(o, "Name").eq_ignore_ascii_case(property)
                || text_of(o, "Identity")
                    .to_ascii_lowercase()
                    .ends_with("\\schusestrongcrypto")
        })
        .collect();
    let mut actual = Vec::new();
    let mut fixes = Vec::new();
    let mut pass = true;
    let mut missing = Vec::new();
    for (view, label, key) in [
        (
            "Registry64",
            "64-bit",
            "HKLM:\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319",
        ),
        (
            "Registry32",
            "32-bit",
            "HKLM:\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
        ),
    ] {
        let wow = view == "Registry32";
        let found = values_of.iter().find(|o| {
            let v = text_of(o, "View");
            if !v.is_empty() {
                v.eq_ignore_ascii_case(view)
            } else {
                text_of(o, "Path")
                    .to_ascii_lowercase()
                    .contains("wow6432node")
                    == wow
            }
        });
        let Some(obj) = found else {
            missing.push(label);
            continue;
        };
        let kind = enum_name(obj, "ValueKind", REGISTRY_VALUE_KIND);
        let value = values::integer(obj, "Value");
        let absent =
            kind.eq_ignore_ascii_case("Absent") || obj.get("Value").is_none_or(|v| v.is_null());
        let shown = if absent {
            "absent".to_string()
        } else {
            match &value {
                Ok(n) => format!(
                    "{n}{}",
                    if kind.is_empty() {
                        String::new()
                    } else {
                        format!(" ({kind})")
                    }
                ),
                Err(_) => format!("\"{}\" ({kind})", text_of(obj, "Value")),
            }
        };
        actual.push(format!("{label} {shown}"));
        let ok =
            !absent && value == Ok(1) && (kind.is_empty() || kind.eq_ignore_ascii_case("DWord"));
        if !ok {
            pass = false;
            fixes.push(format!(
                "-Path '{key}' -Name SchUseStrongCrypto -Value 1 -Type DWord"
            ));
        }
    }
    let expected = "1 (DWord) in the 64-bit and the 32-bit (Wow6432Node) view; absent or 0 is a finding; restart the server (or the Exchange services) after a change".to_string();
    if !missing.is_empty() && pass {
        return undecided(
            property,
            format!(
                "the {} registry view of SchUseStrongCrypto is not in the inventory: export HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319 and HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319 (the inventory bundle does)",
                missing.join(" and ")
            ),
            if actual.is_empty() {
                "(not exported)".into()
            } else {
                actual.join("; ")
            },
            expected,
        );
    }
    let mut judgement = decided(
        pass,
        property,
        actual.join("; "),
        expected,
        fixes.join("; Set-ItemProperty "),
    );
    if !pass {
        judgement.advice.push(caution(
            ".NET reads the value at start: restart the server (or the Exchange services) to apply it",
        ));
    }
    judgement
}

/// The scopes of `Get-ExecutionPolicy -List`, highest precedence first.
const PRECEDENCE: [&str; 5] = [
    "MachinePolicy",
    "UserPolicy",
    "Process",
    "CurrentUser",
    "LocalMachine",
];

/// Signed scripts: the server's effective execution policy (every scope but the exporting
/// session's Process scope, by precedence; or the LocalMachine scope where the text names it)
/// is the STIG's.
pub(super) fn execution_policy(
    binding: &Binding,
    objects: &[&InventoryObject],
    _: &Context,
) -> Judgement {
    let property = "ExecutionPolicy";
    let want = match &binding.expected {
        Some(Expected::Text(t)) => t.clone(),
        _ => "RemoteSigned".into(),
    };
    let policy_of = |scope: &str| {
        objects
            .iter()
            .find(|o| enum_name(o, "Scope", EXECUTION_POLICY_SCOPE).eq_ignore_ascii_case(scope))
            .map(|o| enum_name(o, property, EXECUTION_POLICY))
    };
    let listed: Vec<String> = PRECEDENCE
        .iter()
        .filter_map(|s| policy_of(s).map(|p| format!("{s} {p}")))
        .collect();
    if listed.is_empty() {
        return unknown(
            property,
            "no execution policy scope in the inventory: export Get-ExecutionPolicy -List",
        );
    }
    let defined = |p: &String| !p.trim().is_empty() && !p.eq_ignore_ascii_case("Undefined");
    let (scope, policy, note) = if binding.scope_basis == LOCAL_MACHINE_BASIS {
        match policy_of("LocalMachine") {
            Some(p) => ("LocalMachine", p, "the scope the check text names"),
            None => {
                return unknown(property, "the LocalMachine scope is not in the export");
            }
        }
    } else {
        // The Process scope lives only as long as the session that ran the export (the
        // collector may run with -ExecutionPolicy Bypass): it is not a setting of the server.
        match PRECEDENCE
            .iter()
            .filter(|s| **s != "Process")
            .find_map(|s| policy_of(s).filter(defined).map(|p| (*s, p)))
        {
            Some((s, p)) => (
                s,
                p,
                "the effective policy of the server; the Process scope, the exporting session's own, is left out",
            ),
            None if listed.len() == PRECEDENCE.len() => (
                "none",
                "RemoteSigned".to_string(),
                "every scope Undefined: the Windows Server default RemoteSigned applies",
            ),
            None => {
                return unknown(
                    property,
                    "not every scope is in the export and none defines a policy: export Get-ExecutionPolicy -List",
                );
            }
        }
    };
    let pass = policy.eq_ignore_ascii_case(&want);
    let fix = match scope {
        "MachinePolicy" | "UserPolicy" => format!("-ExecutionPolicy {want} -Scope LocalMachine"),
        "CurrentUser" => format!(
            "-ExecutionPolicy Undefined -Scope {scope}; Set-ExecutionPolicy -ExecutionPolicy {want} -Scope LocalMachine"
        ),
        _ => format!("-ExecutionPolicy {want} -Scope LocalMachine"),
    };
    let mut judgement = decided(
        pass,
        property,
        format!("{policy} ({note}; {})", listed.join(", ")),
        format!("{want} (STIG value)"),
        fix,
    );
    if !pass && matches!(scope, "MachinePolicy" | "UserPolicy") {
        judgement.advice.push(caution(&format!(
            "the {scope} scope comes from Group Policy (Turn on Script Execution) and overrides this: set the GPO to allow local scripts and remote signed scripts"
        )));
    }
    judgement
}
