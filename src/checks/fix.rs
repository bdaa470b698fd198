//! Fix commands: the `Set-` cmdlet of a bound rule, the target of one object, and values in
//! `Set-` argument syntax. Every family's judge returns only the arguments (`-ConnectionTimeout
//! 00:05:00`); the command line around them is built here.

use super::{Binding, Expected, ValueType, kinds};
use crate::inventory::InventoryObject;
use crate::inventory::values::Size;

/// The `Set-` cmdlet that fixes what `binding` reads (`Get-ReceiveConnector` -> `Set-ReceiveConnector`).
/// A check's own fix cmdlet ([`super::CheckSpec::fix_cmdlet`]) comes first.
pub fn cmdlet(binding: &Binding) -> String {
    if let Some(own) = binding.spec.fix_cmdlet {
        return own.to_string();
    }
    match binding.cmdlet.split_once('-') {
        Some((_, noun)) => format!("Set-{noun}"),
        None => "Set-".to_string(),
    }
}

/// ` -Identity "..."` for the `Set-` command of `obj` (nothing for an organization-wide one).
pub fn target(obj: &InventoryObject) -> String {
    if kinds::facts(obj.kind).singleton {
        String::new()
    } else {
        format!(" -Identity \"{}\"", obj.identity())
    }
}

/// The whole command: cmdlet, target (from [`target`]) and the judge's arguments.
pub fn command(binding: &Binding, target: &str, args: &str) -> String {
    format!("{}{target} {args}", cmdlet(binding))
}

/// A value in `Set-` argument syntax.
pub fn value_arg(expected: &Expected, value: ValueType) -> String {
    match expected {
        Expected::Bool(b) => if *b { "$true" } else { "$false" }.into(),
        Expected::Size(Size::Bytes(b)) if b % (1 << 20) == 0 && *b > 0 => format!("{}MB", b >> 20),
        Expected::Size(Size::Bytes(b)) if b % (1 << 10) == 0 && *b > 0 => format!("{}KB", b >> 10),
        Expected::Size(Size::Bytes(b)) => b.to_string(),
        Expected::Text(t) => format!("\"{t}\""),
        other => {
            let text = other.display(value);
            if text.contains([',', ' ']) {
                format!("\"{text}\"")
            } else {
                text
            }
        }
    }
}
