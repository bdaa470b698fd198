//! The host family's ACL rules: the access rules of an ACL in every export shape, what a right
//! lets a principal do to audit data, and the audit data and application directory judges.

use super::{AUDIT_PURPOSES, text_of};
use crate::checks::Binding;
use crate::checks::fix::{caution, quote};
use crate::checks::judge::undecided;
use crate::checks::judge::{Context, Judgement, decided, needs_site_value, unknown};
use crate::inventory::InventoryObject;
use crate::inventory::values::{self, ValueProblem};
use serde_json::Value;

/// One access rule of an ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    /// The principal (`BUILTIN\Users`).
    pub principal: String,
    /// Allow or Deny.
    pub allow: bool,
    /// FileSystemRights as written (`ReadAndExecute, Synchronize`, or a number).
    pub rights: String,
    /// Inherited from the parent directory.
    pub inherited: bool,
}

/// The keys of one access rule in PowerShell's text of it.
const ACE_KEYS: &[&str] = &[
    "IdentityReference",
    "AccessControlType",
    "FileSystemRights",
    "IsInherited",
    "InheritanceFlags",
    "PropagationFlags",
];

/// The value of `key` in `{IdentityReference=..., AccessControlType=..., ...}` text.
fn ace_field(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("{key}="))? + key.len() + 1;
    let rest = &text[start..];
    let end = ACE_KEYS
        .iter()
        .filter_map(|k| rest.find(&format!(", {k}=")))
        .chain(rest.find('}'))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim().to_string())
}

/// Access rules from a text (CSV, Format-List): `{IdentityReference=..., ...}` blocks, or
/// `AccessToString` lines (`BUILTIN\Users Allow  ReadAndExecute, Synchronize`).
fn rules_from_text(text: &str) -> Vec<AccessRule> {
    if text.contains("IdentityReference=") {
        return text
            .split("IdentityReference=")
            .skip(1)
            .map(|chunk| {
                let block = format!("IdentityReference={chunk}");
                AccessRule {
                    principal: ace_field(&block, "IdentityReference").unwrap_or_default(),
                    allow: !ace_field(&block, "AccessControlType")
                        .unwrap_or_default()
                        .eq_ignore_ascii_case("Deny"),
                    rights: ace_field(&block, "FileSystemRights").unwrap_or_default(),
                    inherited: ace_field(&block, "IsInherited")
                        .is_some_and(|v| v.eq_ignore_ascii_case("True")),
                }
            })
            .collect();
    }
    text.lines()
        .filter_map(|line| {
            let (at, allow, word) = [(" Allow ", true), (" Deny ", false)]
                .iter()
                .find_map(|(w, a)| line.find(w).map(|at| (at, *a, *w)))?;
            Some(AccessRule {
                principal: line[..at].trim().to_string(),
                allow,
                rights: line[at + word.len()..].trim().to_string(),
                inherited: false,
            })
        })
        .collect()
}

/// The access rules of an ACL object (`Access` as objects or text, or `AccessToString`).
pub fn access_rules(obj: &InventoryObject) -> Result<Vec<AccessRule>, ValueProblem> {
    let value = obj
        .get("Access")
        .or_else(|| obj.get("AccessToString"))
        .ok_or_else(|| ValueProblem::missing("Access"))?;
    let field = |map: &serde_json::Map<String, Value>, key: &str| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| values::to_text(v))
            .unwrap_or_default()
    };
    let mut rules = Vec::new();
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in items {
        match item {
            Value::Object(map)
                if map
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case("IdentityReference")) =>
            {
                rules.push(AccessRule {
                    principal: field(map, "IdentityReference"),
                    allow: !field(map, "AccessControlType").eq_ignore_ascii_case("Deny")
                        && field(map, "AccessControlType") != "1",
                    rights: field(map, "FileSystemRights"),
                    inherited: field(map, "IsInherited").eq_ignore_ascii_case("True"),
                });
            }
            other => match values::to_text(other) {
                Some(text) => rules.extend(rules_from_text(&text)),
                None => {
                    return Err(ValueProblem::new(
                        "Access",
                        "the access rules cannot be read: export Get-Acl with the inventory bundle or as Access objects",
                    ));
                }
            },
        }
    }
    if rules.iter().any(|r| r.principal.is_empty()) {
        return Err(ValueProblem::new(
            "Access",
            "an access rule names no principal",
        ));
    }
    Ok(rules)
}

/// What a right lets a principal do to audit data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Right {
    Read,
    Modify,
    Delete,
}

impl Right {
    fn word(self) -> &'static str {
        match self {
            Right::Read => "read",
            Right::Modify => "modify",
            Right::Delete => "delete",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Right::Read => "audit_log_readers",
            Right::Modify => "audit_log_modifiers",
            Right::Delete => "audit_log_deleters",
        }
    }
}

/// Whether FileSystemRights (names or a number) grant `right`.
pub(super) fn grants(rights: &str, right: Right) -> bool {
    let number = rights.trim().parse::<i64>().ok().map(|n| n as u32);
    if let Some(bits) = number {
        let generic_all = bits & 0x1000_0000 != 0;
        return generic_all
            || match right {
                Right::Read => bits & (0x8000_0000 | 0x1) != 0,
                Right::Modify => bits & (0x4000_0000 | 0x2 | 0x4 | 0x4_0000 | 0x8_0000) != 0,
                Right::Delete => bits & (0x1_0000 | 0x40) != 0,
            };
    }
    let names: Vec<String> = rights
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    let any = |list: &[&str]| names.iter().any(|n| list.contains(&n.as_str()));
    match right {
        Right::Read => any(&[
            "fullcontrol",
            "modify",
            "readandexecute",
            "read",
            "readdata",
            "listdirectory",
        ]),
        Right::Modify => any(&[
            "fullcontrol",
            "modify",
            "write",
            "writedata",
            "createfiles",
            "appenddata",
            "createdirectories",
            "changepermissions",
            "takeownership",
        ]),
        Right::Delete => any(&[
            "fullcontrol",
            "modify",
            "delete",
            "deletesubdirectoriesandfiles",
        ]),
    }
}

/// Whether `principal` is one of `allowed` (full name, or the name after the backslash when the
/// entry has none), case-insensitively.
fn listed(allowed: &[String], principal: &str) -> bool {
    let short = principal.rsplit('\\').next().unwrap_or(principal);
    allowed.iter().any(|a| {
        let a = a.trim();
        a.eq_ignore_ascii_case(principal) || (!a.contains('\\') && a.eq_ignore_ascii_case(short))
    })
}

/// The site's principals for `right`.
fn allowed_for<'a>(ctx: &'a Context, right: Right) -> Option<&'a Vec<String>> {
    let v = &ctx.site.values;
    match right {
        Right::Read => v.audit_log_readers.as_ref(),
        Right::Modify => v.audit_log_modifiers.as_ref(),
        Right::Delete => v.audit_log_deleters.as_ref(),
    }
}

/// Audit data ACLs: every principal with the rule's right on the log directories is listed.
pub(super) fn audit_acl(
    binding: &Binding,
    objects: &[&InventoryObject],
    ctx: &Context,
) -> Judgement {
    let property = "Access";
    let rights: &[Right] = match binding.spec.id {
        "host.audit-acl-read" => &[Right::Read],
        "host.audit-acl-modify" => &[Right::Modify],
        "host.audit-acl-delete" => &[Right::Delete],
        _ => &[Right::Read, Right::Modify, Right::Delete],
    };
    let logs: Vec<&&InventoryObject> = objects
        .iter()
        .filter(|o| {
            AUDIT_PURPOSES
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&text_of(o, "Purpose")))
        })
        .collect();
    let words: Vec<&str> = rights.iter().map(|r| r.word()).collect();
    let expected_base = format!(
        "only the EDSP's principals have {} rights (audit data read as the Exchange log directories: {})",
        words.join(" / "),
        AUDIT_PURPOSES.join(", ")
    );
    if logs.is_empty() {
        return undecided(
            property,
            "the inventory holds no ACL of a log directory: run the collector on the server (it reads Get-Acl of each)",
            "(not collected)".into(),
            &expected_base,
        );
    }
    let mut actual = Vec::new();
    let mut unlisted = Vec::new();
    let mut fixes = Vec::new();
    let mut missing_keys = Vec::new();
    let mut inherited: Vec<String> = Vec::new();
    for obj in &logs {
        let path = text_of(obj, "Path");
        let rules = match access_rules(obj) {
            Ok(r) => r,
            Err(p) => return unknown(property, p),
        };
        for right in rights {
            let mut holders: Vec<&AccessRule> = rules
                .iter()
                .filter(|r| r.allow && grants(&r.rights, *right))
                .collect();
            holders.dedup_by(|a, b| a.principal.eq_ignore_ascii_case(&b.principal));
            actual.push(format!(
                "{} {path}: {} {}",
                text_of(obj, "Purpose"),
                right.word(),
                holders
                    .iter()
                    .map(|r| r.principal.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            match allowed_for(ctx, *right) {
                Some(allowed) => {
                    for r in holders.iter().filter(|r| !listed(allowed, &r.principal)) {
                        unlisted.push(format!("{} ({} on {path})", r.principal, right.word()));
                        let fix = format!("{} /remove:g {}", quote(&path), quote(&r.principal));
                        if !fixes.contains(&fix) {
                            fixes.push(fix);
                        }
                        if r.inherited && !inherited.contains(&path) {
                            inherited.push(path.clone());
                        }
                    }
                }
                None => {
                    if !missing_keys.contains(&right.key()) {
                        missing_keys.push(right.key());
                    }
                }
            }
        }
    }
    if !unlisted.is_empty() {
        let mut judgement = decided(
            false,
            property,
            actual.join("; "),
            format!("{expected_base}; not listed: {}", unlisted.join(", ")),
            fixes.join("; icacls "),
        );
        for path in inherited {
            judgement.advice.push(caution(&format!(
                "the rule on {path} is inherited: icacls /remove leaves it until inheritance is turned off there (icacls \"{path}\" /inheritance:d) or the parent's rule is removed"
            )));
        }
        return judgement;
    }
    if !missing_keys.is_empty() {
        return needs_site_value(
            ctx,
            "the EDSP's authorized principals are",
            &missing_keys.join(" / "),
            "[\"BUILTIN\\\\Administrators\", \"NT AUTHORITY\\\\SYSTEM\"]",
            property,
            actual.join("; "),
            &expected_base,
        );
    }
    decided(
        true,
        property,
        actual.join("; "),
        expected_base,
        String::new(),
    )
}

/// The rights of one `[values] application_directory_access` entry (`None`: any rights).
fn entry_rights(entry: &str) -> (&str, Option<Vec<String>>) {
    match entry.split_once('=') {
        Some((principal, rights)) => (principal.trim(), Some(rights_set(rights))),
        None => (entry.trim(), None),
    }
}

/// FileSystemRights as a sorted set of lowercase names.
fn rights_set(rights: &str) -> Vec<String> {
    let mut set: Vec<String> = rights
        .split(',')
        .map(|r| r.trim().to_ascii_lowercase())
        .filter(|r| !r.is_empty())
        .collect();
    set.sort();
    set.dedup();
    set
}

/// The application directory's access rules match the EDSP's.
pub(super) fn application_directory(
    _: &Binding,
    objects: &[&InventoryObject],
    ctx: &Context,
) -> Judgement {
    let property = "Access";
    let expected = "the access rules the EDSP lists for the Exchange application directory";
    let Some(dir) = objects
        .iter()
        .find(|o| text_of(o, "Purpose").eq_ignore_ascii_case("InstallPath"))
    else {
        return undecided(
            property,
            "the inventory holds no ACL of the Exchange install directory: run the collector on the server",
            "(not collected)".into(),
            expected,
        );
    };
    let path = text_of(dir, "Path");
    let rules = match access_rules(dir) {
        Ok(r) => r,
        Err(p) => return unknown(property, p),
    };
    let shown = format!(
        "{path}: {}",
        rules
            .iter()
            .map(|r| format!(
                "{} {} {}",
                r.principal,
                if r.allow { "Allow" } else { "Deny" },
                r.rights
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let Some(entries) = &ctx.site.values.application_directory_access else {
        return needs_site_value(
            ctx,
            "the EDSP's access list of the application directory is",
            "application_directory_access",
            "[\"BUILTIN\\\\Administrators=FullControl\", \"NT AUTHORITY\\\\SYSTEM=FullControl\"]",
            property,
            shown,
            expected,
        );
    };
    let mut differences = Vec::new();
    let mut fixes = Vec::new();
    for rule in rules.iter().filter(|r| r.allow) {
        let entry = entries
            .iter()
            .map(|e| entry_rights(e))
            .find(|(p, _)| listed(&[p.to_string()], &rule.principal));
        match entry {
            None => {
                differences.push(format!("{} is not listed", rule.principal));
                fixes.push(format!(
                    "{} /remove:g {}",
                    quote(&path),
                    quote(&rule.principal)
                ));
            }
            Some((_, Some(want))) if want != rights_set(&rule.rights) => {
                differences.push(format!(
                    "{} has {} (listed: {})",
                    rule.principal,
                    rule.rights,
                    want.join(", ")
                ));
            }
            _ => {}
        }
    }
    for (principal, want) in entries.iter().map(|e| entry_rights(e)) {
        if want.is_some()
            && !rules
                .iter()
                .any(|r| r.allow && listed(&[principal.to_string()], &r.principal))
        {
            differences.push(format!("{principal} (listed) has no access rule"));
        }
    }
    decided(
        differences.is_empty(),
        property,
        shown,
        if differences.is_empty() {
            format!("{expected} ([values] application_directory_access)")
        } else {
            format!(
                "{expected} ([values] application_directory_access); differences: {}",
                differences.join("; ")
            )
        },
        if fixes.is_empty() {
            format!(
                "{} /grant <principal>:<rights the EDSP lists>",
                quote(&path)
            )
        } else {
            fixes.join("; icacls ")
        },
    )
}
