//! Fix commands are safe to paste (issue 12, section 3): every identity and value survives
//! PowerShell's parser unchanged, checked by round-tripping through a small command-mode
//! tokenizer written from the PowerShell language specification (§2.3 lexical grammar); and
//! no fix suggests a value the property cannot take (checked with `inventory::values`).

mod common;

use exstig::benchmark::Benchmark;
use exstig::checks::judge::{Context, Verdict, judge};
use exstig::checks::{self, ValueType, fix};
use exstig::inventory::values;
use exstig::inventory::{Fidelity, InventoryObject, ObjectKind};
use exstig::site::Site;
use proptest::prelude::*;
use serde_json::json;

/// A PowerShell command-mode tokenizer: enough of the language specification's lexical grammar
/// to tell whether a pasted line runs one command with literal arguments.
mod powershell {
    /// One token of a command line.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Token {
        /// A generic token (command name or bare argument) with no expansion in it.
        Bare(String),
        /// `-Name` (command parameter).
        Parameter(String),
        /// A verbatim (single-quoted) string's value.
        Verbatim(String),
        /// An expandable (double-quoted) string, or a bare word with `$` or a backtick: its
        /// value depends on the session.
        Expandable(String),
        /// `$name`, `$(...)`, `@(...)`: a variable or sub-expression.
        Variable(String),
        /// `,` between array elements.
        Comma,
        /// An operator a fix line must not contain (`|`, `;`, `&`, `<`, `>`, `(`, `)`, `{`, `}`).
        Operator(char),
        /// `# ...` to the end of the line.
        Comment(String),
        /// A line break (ends the statement).
        NewLine,
    }

    /// §2.2.3 single-quote-character.
    pub fn is_single_quote(c: char) -> bool {
        matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
    }

    /// §2.2.3 double-quote-character.
    fn is_double_quote(c: char) -> bool {
        matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
    }

    /// §2.2.3 dash (the parameter introducer may be any of them).
    fn is_dash(c: char) -> bool {
        matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}')
    }

    /// Characters that end a generic token in command mode.
    fn ends_bare(c: char) -> bool {
        c.is_whitespace()
            || matches!(c, '|' | ';' | '&' | '(' | ')' | '{' | '}' | ',' | '<' | '>')
            || is_single_quote(c)
            || is_double_quote(c)
    }

    /// Tokenizes `line` in command mode; `Err` for an unterminated string.
    pub fn tokenize(line: &str) -> Result<Vec<Token>, String> {
        let chars: Vec<char> = line.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\n' || c == '\r' {
                tokens.push(Token::NewLine);
                i += 1;
            } else if c.is_whitespace() {
                i += 1;
            } else if c == '#' {
                let end = chars[i..]
                    .iter()
                    .position(|c| *c == '\n')
                    .map_or(chars.len(), |p| i + p);
                tokens.push(Token::Comment(chars[i + 1..end].iter().collect()));
                i = end;
            } else if is_single_quote(c) {
                // verbatim-string-literal: a pair of quote characters stands for the second.
                let mut value = String::new();
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err(format!("unterminated verbatim string in {line:?}"));
                    };
                    if is_single_quote(c) {
                        match chars.get(i + 1) {
                            Some(&next) if is_single_quote(next) => {
                                value.push(next);
                                i += 2;
                                continue;
                            }
                            _ => {
                                i += 1;
                                break;
                            }
                        }
                    }
                    value.push(c);
                    i += 1;
                }
                tokens.push(Token::Verbatim(value));
            } else if is_double_quote(c) {
                let mut value = String::new();
                i += 1;
                loop {
                    let Some(&c) = chars.get(i) else {
                        return Err(format!("unterminated expandable string in {line:?}"));
                    };
                    if c == '`' {
                        value.extend(chars.get(i + 1));
                        i += 2;
                        continue;
                    }
                    if is_double_quote(c) {
                        if chars.get(i + 1).is_some_and(|n| is_double_quote(*n)) {
                            value.push(c);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    value.push(c);
                    i += 1;
                }
                tokens.push(Token::Expandable(value));
            } else if c == '$' || (c == '@' && chars.get(i + 1) == Some(&'(')) {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| ends_bare(*c))
                    .map_or(chars.len(), |p| i + 1 + p);
                tokens.push(Token::Variable(chars[i..end].iter().collect()));
                i = end.max(i + 1);
            } else if c == ',' {
                tokens.push(Token::Comma);
                i += 1;
            } else if ends_bare(c) {
                tokens.push(Token::Operator(c));
                i += 1;
            } else if is_dash(c) && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()) {
                let end = chars[i + 1..]
                    .iter()
                    .position(|c| ends_bare(*c) || *c == ':')
                    .map_or(chars.len(), |p| i + 1 + p);
                tokens.push(Token::Parameter(chars[i + 1..end].iter().collect()));
                i = end;
            } else {
                let end = chars[i..]
                    .iter()
                    .position(|c| ends_bare(*c))
                    .map_or(chars.len(), |p| i + p);
                let word: String = chars[i..end].iter().collect();
                tokens.push(if word.contains(['$', '`']) {
                    Token::Expandable(word)
                } else {
                    Token::Bare(word)
                });
                i = end;
            }
        }
        Ok(tokens)
    }
}

use powershell::{Token, tokenize};

/// Names with every character PowerShell treats specially, and some it does not.
const NASTY: &[&str] = &[
    "O'Brien relay",
    "\u{2018}typographic\u{2019} \u{201A}low\u{201B}",
    "''",
    "'",
    "Say \"hi\" \u{201C}there\u{201D} \u{201E}",
    "Tick `n `$x",
    "$env:COMPUTERNAME",
    "$(Remove-Item C:\\ -Recurse)",
    "@(1,2) @{a=1}",
    "a; Stop-Service MSExchangeTransport",
    "a | Out-Null & b",
    "<in> >out 2>&1",
    "--% stop parsing",
    "-Force",
    "# not a comment",
    "(x) {y} [z] *? %",
    "comma, separated",
    "tab\there",
    "\u{2013}en dash \u{2014}em",
    "Ünïcödé 名前 🙂",
    "back\\slash",
];

fn receive(name: &str, timeout: &str) -> InventoryObject {
    InventoryObject {
        kind: ObjectKind::ReceiveConnector,
        source: "receive.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({"Name": name, "Identity": format!("EDGE01\\{name}"), "Server": "EDGE01",
            "ConnectionTimeout": timeout})
        .as_object()
        .cloned()
        .unwrap(),
    }
}

/// The one command of `line`: cmdlet, then (parameter, values) pairs; panics on anything a
/// pasted fix must not hold.
fn parse_command(line: &str) -> (String, Vec<(String, Vec<Token>)>) {
    let tokens = tokenize(line).unwrap_or_else(|e| panic!("{e}"));
    let mut it = tokens.into_iter().peekable();
    let Some(Token::Bare(cmdlet)) = it.next() else {
        panic!("no command in {line:?}");
    };
    let mut params: Vec<(String, Vec<Token>)> = Vec::new();
    for token in it {
        match token {
            Token::Parameter(p) => params.push((p, Vec::new())),
            Token::Comment(_) => break,
            Token::Variable(ref v) if !matches!(v.as_str(), "$true" | "$false") => {
                panic!("{v} in a fix command: {line:?}")
            }
            Token::Bare(_) | Token::Verbatim(_) | Token::Comma | Token::Variable(_) => params
                .last_mut()
                .unwrap_or_else(|| panic!("argument before any parameter in {line:?}"))
                .1
                .push(token),
            other => panic!("{other:?} in a fix command: {line:?}"),
        }
    }
    (cmdlet, params)
}

#[test]
fn quoting_round_trips_every_special_character() {
    for name in NASTY {
        let quoted = fix::quote(name);
        assert_eq!(
            tokenize(&format!("Set-X -Identity {quoted}")).unwrap(),
            vec![
                Token::Bare("Set-X".into()),
                Token::Parameter("Identity".into()),
                Token::Verbatim(name.to_string())
            ],
            "{name:?} quoted as {quoted}"
        );
    }
    // The tokenizer itself sees what unquoted or double-quoted text would do.
    assert!(matches!(
        tokenize("Set-X -Identity \"$env:COMPUTERNAME\"").unwrap()[2],
        Token::Expandable(_)
    ));
    assert!(matches!(
        tokenize("Set-X -Identity a;b").unwrap()[3],
        Token::Operator(';')
    ));
    assert!(tokenize("Set-X -Identity 'O'Brien'").is_err());
}

proptest! {
    #[test]
    fn any_text_survives_quoting(text in "(.|['\u{2018}\u{2019}\u{201A}\u{201B}\"`$#;|&<>(){}@,\\-])*") {
        let tokens = tokenize(&format!("Set-X -P {}", fix::quote(&text))).unwrap();
        prop_assert_eq!(&tokens[2], &Token::Verbatim(text.clone()));
        prop_assert_eq!(tokens.len(), 3);
    }
}

fn edge_binding(title: &str, check: &str) -> checks::Binding {
    let benchmark = Benchmark {
        id: "MS_Exchange_2019_Edge_Server_STIG".into(),
        title: "Microsoft Exchange 2019 Edge Server STIG".into(),
        ..Benchmark::default()
    };
    let rule = exstig::benchmark::Rule {
        title: title.into(),
        check_content: check.into(),
        ..exstig::benchmark::Rule::default()
    };
    checks::bind(&benchmark, &rule).expect("bound")
}

#[test]
fn library_fix_commands_keep_every_identity_literal() {
    let binding = edge_binding(
        "Exchange Receive connectors must control the number of recipients.",
        "Get-ReceiveConnector | Select Name, Identity, ConnectionTimeout\nIf the value of ConnectionTimeout is not set to 00:05:00, this is a finding.",
    );
    let site = Site::default();
    let ctx = Context {
        site: &site,
        transport_config: None,
        inventory: None,
    };
    for name in NASTY {
        let obj = receive(name, "00:10:00");
        let judgement = judge(&binding, &obj, &ctx);
        assert_eq!(judgement.verdict, Verdict::Fail);
        let line = fix::command(
            &binding,
            &fix::target(&obj),
            judgement.fix.as_deref().unwrap(),
        );
        let (cmdlet, params) = parse_command(&line);
        assert_eq!(cmdlet, "Set-ReceiveConnector");
        assert_eq!(
            params,
            vec![
                (
                    "Identity".to_string(),
                    vec![Token::Verbatim(format!("EDGE01\\{name}"))]
                ),
                (
                    "ConnectionTimeout".to_string(),
                    vec![Token::Bare("00:05:00".into())]
                ),
            ],
            "{line}"
        );
    }
}

/// Through the binary: a Receive connector export with nasty names, every fix line of the
/// written checklist tokenized.
#[test]
fn checklist_fix_lines_parse_as_one_command_each() {
    let dir = common::temp_dir("fix-quoting");
    let connectors: Vec<serde_json::Value> = NASTY
        .iter()
        .map(|name| {
            json!({"Name": name, "Identity": format!("EDGE01\\{name}"), "Server": "EDGE01",
                "Bindings": ["0.0.0.0:25"], "RemoteIPRanges": ["10.0.0.1"], "PermissionGroups": "AnonymousUsers, ExchangeServers",
                "AuthMechanism": "Tls, ExchangeServer", "TransportRole": "HubTransport",
                "ConnectionTimeout": "00:10:00", "MaxMessageSize": "20 MB (20,971,520 bytes)",
                "MaxRecipientsPerMessage": 100, "MaxHopCount": 30, "ChunkingEnabled": false,
                "TarpitInterval": "00:00:01", "Banner": "$env:COMPUTERNAME 'hi'", "DomainSecureEnabled": false,
                "MaxInboundConnection": "100", "Enabled": true})
        })
        .collect();
    let inventory = dir.join("receive.json");
    std::fs::write(&inventory, serde_json::to_string(&connectors).unwrap()).unwrap();
    let ckl = dir.join("out.ckl");
    let out = common::exstig(
        &dir,
        &[
            "evaluate",
            "--stig",
            "exchange-2019-edge",
            "receive.json",
            "--ckl",
            "out.ckl",
            "--host-name",
            "EDGE01",
        ],
    );
    assert!(
        out.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&ckl).unwrap();
    let checklist = exstig::checklist::ckl::read(&ckl, &text).unwrap();
    let mut commands = 0;
    for vuln in &checklist.stigs[0].vulns {
        let mut in_fix = false;
        for line in vuln.comments.lines() {
            if line.starts_with("Fix (Exchange Management Shell)") {
                in_fix = true;
                continue;
            }
            if !in_fix {
                continue;
            }
            if line.starts_with('#') {
                // Cautions and placeholders are comments: pasting them runs nothing.
                assert!(
                    matches!(tokenize(line).unwrap()[..], [Token::Comment(_)]),
                    "{line}"
                );
                continue;
            }
            if !line.starts_with("Set-") {
                in_fix = false;
                continue;
            }
            let (cmdlet, params) = parse_command(line);
            assert_eq!(cmdlet, "Set-ReceiveConnector", "{line}");
            let Token::Verbatim(identity) = &params[0].1[0] else {
                panic!("{line}");
            };
            let name = identity.strip_prefix("EDGE01\\").unwrap();
            assert!(NASTY.contains(&name), "{identity} from {line}");
            commands += 1;
        }
    }
    // Every nasty connector fails several rules (timeout, chunking, tarpit, hops ...).
    assert!(commands >= 4 * NASTY.len(), "{commands} commands");
}

/// A fixed value in `-Property value` syntax, read back by the inventory's value readers.
fn reads_back(shape: ValueType, property: &str, args: &str) -> Result<(), String> {
    let tokens = tokenize(args).map_err(|e| e.to_string())?;
    let [Token::Parameter(p), value] = &tokens[..] else {
        return Err(format!("not one parameter and one value: {args}"));
    };
    assert_eq!(p, property);
    let text = match value {
        Token::Bare(t) | Token::Verbatim(t) | Token::Variable(t) => t.clone(),
        other => return Err(format!("{other:?}")),
    };
    let obj = InventoryObject {
        kind: ObjectKind::ReceiveConnector,
        source: "fix".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({ property: text.trim_start_matches('$') })
            .as_object()
            .cloned()
            .unwrap(),
    };
    let problem = match shape {
        ValueType::Time => values::timespan(&obj, property).err(),
        ValueType::Limit => values::limit(&obj, property).err(),
        ValueType::Size => values::size(&obj, property).err(),
        ValueType::Bool => values::boolean(&obj, property).err(),
        ValueType::Flags(table) => values::flags(&obj, property, table).err(),
        ValueType::Text | ValueType::Other => None,
    };
    problem.map_or(Ok(()), |p| Err(p.to_string()))
}

/// Every automated rule of every catalog STIG, judged on an object that fails it with the
/// site's values (Unlimited where a key allows it): the fix value reads back in its property's
/// shape, and a property that takes no Unlimited never gets it.
#[test]
fn every_fix_value_has_its_property_shape() {
    let site = Site::parse(
        std::path::Path::new("site.toml"),
        "[values]\nmax_inbound_connection = \"Unlimited\"\nmax_outbound_connections = \"Unlimited\"\n",
    )
    .unwrap();
    let unlimited_org = InventoryObject {
        kind: ObjectKind::TransportConfig,
        source: "org.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({"MaxReceiveSize": "Unlimited", "MaxSendSize": "Unlimited"})
            .as_object()
            .cloned()
            .unwrap(),
    };
    let mut checked = 0;
    for name in exstig::catalog::names() {
        let benchmark = exstig::catalog::get(name).unwrap();
        for rule in &benchmark.rules {
            let Some(b) = checks::bind(&benchmark, rule) else {
                continue;
            };
            if b.spec.value == ValueType::Other || b.spec.value == ValueType::Text {
                continue;
            }
            // A value of the right shape that differs from any STIG value.
            let odd = match b.spec.value {
                ValueType::Time => json!("00:00:01"),
                ValueType::Limit => json!(1),
                ValueType::Size => json!("1 KB (1,024 bytes)"),
                ValueType::Bool => json!(b.expected != Some(checks::Expected::Bool(false))),
                _ => json!("None"),
            };
            let obj = InventoryObject {
                kind: b.spec.kind,
                source: "x.json".into(),
                index: 0,
                fidelity: Fidelity::Exact,
                properties: json!({"Identity": "EDGE01\\X", "Name": "X", b.spec.property: odd,
                    "PermissionGroups": "AnonymousUsers", "AuthMechanism": "None"})
                .as_object()
                .cloned()
                .unwrap(),
            };
            for config in [None, Some(&unlimited_org)] {
                let ctx = Context {
                    site: &site,
                    transport_config: config,
                    inventory: None,
                };
                let j = judge(&b, &obj, &ctx);
                let Some(args) = j.fix.as_deref() else {
                    continue;
                };
                let args = args.split("  #").next().unwrap().trim();
                if args.contains('<') {
                    // A placeholder: the command is written as a comment.
                    assert!(
                        fix::command(&b, &fix::target(&obj), args).starts_with("# "),
                        "{args}"
                    );
                    continue;
                }
                if b.spec.finite {
                    assert!(
                        !args.to_ascii_lowercase().contains("unlimited"),
                        "{} {}: {args}",
                        name,
                        b.spec.id
                    );
                }
                reads_back(b.spec.value, b.spec.property, args)
                    .unwrap_or_else(|e| panic!("{name} {}: {args}: {e}", b.spec.id));
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

/// A Receive connector's MaxMessageSize cannot be Unlimited: with an Unlimited global size the
/// fix is a finite size (the EDSP's when given) and says to make the global one finite too.
#[test]
fn receive_message_size_fix_is_never_unlimited() {
    let binding = edge_binding(
        "Exchange Message size restrictions must be controlled on Receive connectors.",
        "Get-ReceiveConnector | Select Name, Identity, MaxMessageSize\nIf the value of MaxMessageSize is not the same as the global value, this is a finding.",
    );
    let org = InventoryObject {
        kind: ObjectKind::TransportConfig,
        source: "org.json".into(),
        index: 0,
        fidelity: Fidelity::Exact,
        properties: json!({"MaxReceiveSize": "Unlimited"})
            .as_object()
            .cloned()
            .unwrap(),
    };
    let mut obj = receive("Default internal receive connector EDGE01", "00:05:00");
    obj.properties
        .insert("MaxMessageSize".into(), json!("35 MB (36,700,160 bytes)"));
    for (site_text, size) in [
        ("", "<finite size from the EDSP>"),
        ("[values]\nmax_receive_size = \"25MB\"\n", "25MB"),
    ] {
        let site = Site::parse(std::path::Path::new("site.toml"), site_text).unwrap();
        let ctx = Context {
            site: &site,
            transport_config: Some(&org),
            inventory: None,
        };
        let j = judge(&binding, &obj, &ctx);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(
            j.fix.as_deref(),
            Some(format!("-MaxMessageSize {size}").as_str())
        );
        assert!(
            j.advice[0].contains(&format!("Set-TransportConfig -MaxReceiveSize {size}")),
            "{:?}",
            j.advice
        );
    }
}

/// A fix that is a note (an exception's justification, which may span lines) is one comment
/// line: pasting it runs nothing.
#[test]
fn note_fixes_are_single_comment_lines() {
    let binding = edge_binding(
        "Exchange Receive connectors must control the number of recipients.",
        "Get-ReceiveConnector | Select Name, Identity, ConnectionTimeout\nIf the value of ConnectionTimeout is not set to 00:05:00, this is a finding.",
    );
    let obj = receive("Relay", "00:10:00");
    let line = fix::command(
        &binding,
        &fix::target(&obj),
        "# accepted risk\nRemove-Item C:\\ -Recurse\r\nend",
    );
    assert!(!line.contains(['\n', '\r']), "{line}");
    assert!(
        matches!(tokenize(&line).unwrap()[..], [Token::Comment(_)]),
        "{line}"
    );
}
