//! The host family's service rules: IMAP4 and POP3 disabled, running services documented.

use super::text_of;
use crate::checks::Binding;
use crate::checks::fix::{caution, quote};
use crate::checks::judge::undecided;
use crate::checks::judge::{Context, Judgement, decided, needs_site_value};
use crate::checks::server::enum_name;
use crate::inventory::InventoryObject;

/// `System.ServiceProcess.ServiceStartMode`.
const START_MODE: &[(&str, i64)] = &[
    ("Boot", 0),
    ("System", 1),
    ("Automatic", 2),
    ("Manual", 3),
    ("Disabled", 4),
];

/// `System.ServiceProcess.ServiceControllerStatus`.
const SERVICE_STATUS: &[(&str, i64)] = &[
    ("Stopped", 1),
    ("StartPending", 2),
    ("StopPending", 3),
    ("Running", 4),
    ("ContinuePending", 5),
    ("PausePending", 6),
    ("Paused", 7),
];

/// A service's StartType (`Get-Service`) or StartMode (`Win32_Service`, where `Auto` is
/// Automatic).
fn start_type(obj: &InventoryObject) -> String {
    let t = enum_name(obj, "StartType", START_MODE);
    if t.is_empty() {
        text_of(obj, "StartMode")
    } else {
        t
    }
}

/// A service's Status (`Get-Service`) or State (`Win32_Service`).
fn status(obj: &InventoryObject) -> String {
    let s = enum_name(obj, "Status", SERVICE_STATUS);
    if s.is_empty() {
        text_of(obj, "State")
    } else {
        s
    }
}

/// The service's name (`Name`, `ServiceName`).
fn service_name(obj: &InventoryObject) -> String {
    let n = text_of(obj, "Name");
    if n.is_empty() {
        text_of(obj, "ServiceName")
    } else {
        n
    }
}

/// Every service whose name starts with `prefix` is disabled.
fn protocol_disabled(objects: &[&InventoryObject], prefix: &str, protocol: &str) -> Judgement {
    let property = "StartType";
    let expected = format!("every {prefix}* service StartType Disabled (registry Start = 4)");
    let matching: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| {
            service_name(o)
                .to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase())
        })
        .collect();
    if matching.is_empty() {
        // Only a whole Get-Service export shows that the service is not installed.
        let whole = objects.iter().any(|o| {
            let name = service_name(o).to_ascii_lowercase();
            !name.starts_with("msexchangeimap") && !name.starts_with("msexchangepop")
        });
        if whole {
            return decided(
                true,
                property,
                format!(
                    "no {prefix}* service among the {} services exported (not installed)",
                    objects.len()
                ),
                expected,
                String::new(),
            );
        }
        return undecided(
            property,
            format!(
                "the export has no {prefix}* service and no other service: export every service (Get-Service)"
            ),
            "(not exported)".into(),
            &expected,
        );
    }
    let mut actual = Vec::new();
    let mut fixes = Vec::new();
    for obj in &matching {
        let name = service_name(obj);
        let start = start_type(obj);
        actual.push(format!(
            "{name} {} ({})",
            if start.is_empty() {
                "(no StartType)"
            } else {
                &start
            },
            status(obj)
        ));
        if start.is_empty() {
            return undecided(
                property,
                format!("{name} has no StartType in the export"),
                actual.join("; "),
                &expected,
            );
        }
        if !start.eq_ignore_ascii_case("Disabled") {
            fixes.push(format!(
                "-Name {} -StartupType Disabled -Status Stopped",
                quote(&name)
            ));
        }
    }
    let mut judgement = decided(
        fixes.is_empty(),
        property,
        actual.join("; "),
        expected,
        fixes.join("; Set-Service "),
    );
    if !fixes.is_empty() {
        judgement.advice.push(caution(&format!(
            "{protocol} clients lose access to their mailboxes"
        )));
    }
    judgement
}

/// IMAP4 services disabled.
pub(super) fn imap4(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    protocol_disabled(objects, "MSExchangeIMAP4", "IMAP4")
}

/// POP3 services disabled.
pub(super) fn pop3(_: &Binding, objects: &[&InventoryObject], _: &Context) -> Judgement {
    protocol_disabled(objects, "MSExchangePOP3", "POP3")
}

/// Services documented: every running service is one the EDSP documents.
pub(super) fn documented_services(
    _: &Binding,
    objects: &[&InventoryObject],
    ctx: &Context,
) -> Judgement {
    let property = "Status";
    let running: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| status(o).eq_ignore_ascii_case("Running"))
        .collect();
    let names: Vec<String> = running.iter().map(|o| service_name(o)).collect();
    let shown = format!("{} running: {}", names.len(), names.join(", "));
    let expected = "every running service documented in the EDSP";
    let Some(allowed) = &ctx.site.values.allowed_services else {
        return needs_site_value(
            ctx,
            "the EDSP's list of services is",
            "allowed_services",
            "[\"MSExchangeTransport\", \"W32Time\", ...]",
            property,
            shown,
            expected,
        );
    };
    let undocumented: Vec<String> = running
        .iter()
        .filter(|o| {
            let name = service_name(o);
            let display = text_of(o, "DisplayName");
            !allowed.iter().any(|a| {
                a.trim().eq_ignore_ascii_case(&name) || a.trim().eq_ignore_ascii_case(&display)
            })
        })
        .map(|o| service_name(o))
        .collect();
    decided(
        undocumented.is_empty(),
        property,
        shown,
        if undocumented.is_empty() {
            format!("{expected} ([values] allowed_services)")
        } else {
            format!(
                "{expected} ([values] allowed_services); undocumented: {} (document them, or disable them once they are known to be unnecessary)",
                undocumented.join(", ")
            )
        },
        undocumented
            .iter()
            .map(|n| format!("-Name {} -StartupType Disabled -Status Stopped", quote(n)))
            .collect::<Vec<_>>()
            .join("; Set-Service "),
    )
}
