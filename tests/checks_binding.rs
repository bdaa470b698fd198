//! Rule binding across every DISA benchmark release in ../shared/benchmarks: each connector rule
//! of the research crosswalk (research/exchange-connector-rules.csv, one row per rule per
//! release) binds to the check of its concept with the expected value of its own check text,
//! no other rule binds to a connector check, and the embedded catalog binds like DISA's files.

mod common;

use exstig::checks::{self, Comparison, Expected, RuleScope};
use exstig::inventory::values::{Size, TimeSpan};
use std::collections::HashMap;

/// The check each research concept key must bind to.
fn check_of(concept: &str) -> &'static str {
    match concept.split_whitespace().next().unwrap_or("") {
        "RC-01" => "receive.connection-timeout",
        "RC-02" | "RC-03" => "receive.domain-secure",
        "RC-04" => "receive.auth-tls-basic",
        "RC-05" => "receive.auth-tls",
        "RC-06" => "receive.no-anonymous",
        "RC-07" => "receive.max-recipients",
        "RC-08" => "receive.chunking",
        "RC-09" => "receive.naming",
        "RC-10" => "receive.tarpit-interval",
        "RC-11" => "receive.max-hop-count",
        "RC-12" => "receive.max-inbound-connection",
        "RC-13" => "receive.max-message-size",
        "RC-14" => "receive.banner",
        "SC-01" => "send.smart-host",
        "SC-02" => "send.domain-secure",
        "SC-03" => "send.tls-domain",
        "SC-04" => "send.tls-auth-level",
        "SC-05" => "send.inactivity-timeout",
        "SC-06" => "send.max-message-size",
        "SC-07" => "send.naming",
        "TS-01" => "transport.max-outbound-connections",
        "TS-02" => "transport.retry-count",
        "ADJ-01" => "transport.max-per-domain-outbound",
        "ADJ-02" => "org.max-receive-size",
        "ADJ-03" => "org.max-send-size",
        "ADJ-04" => "org.max-recipient-envelope",
        "ADJ-05" => "transport.connectivity-log",
        "ADJ-06" => "org.internal-smtp-servers",
        "ADJ-07" => "transport.dns-servers",
        other => panic!("unknown concept {other}"),
    }
}

/// Minimal RFC 4180 reader (quoted fields with commas, quotes and newlines).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn every_release_binds_every_connector_rule_to_its_check() {
    let Some(shared) = common::shared("binding across releases") else {
        return;
    };
    let text = std::fs::read_to_string(shared.join("research/exchange-connector-rules.csv"))
        .expect("read the crosswalk CSV");
    let rows = parse_csv(&text);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (file, concept, rule_id, condition) = (
        col("file"),
        col("concept"),
        col("rule_id"),
        col("finding_condition"),
    );
    let mut by_file: HashMap<String, Vec<&Vec<String>>> = HashMap::new();
    for row in rows.iter().skip(1).filter(|r| r.len() == header.len()) {
        by_file.entry(row[file].clone()).or_default().push(row);
    }
    assert!(by_file.len() >= 25, "the crosswalk covers every release");
    let mut checked = 0;
    for (name, rows) in &by_file {
        let benchmark = exstig::benchmark::load(&shared.join("benchmarks").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let role = checks::benchmark_role(&benchmark);
        for row in rows {
            let rule = benchmark
                .find_rule(&row[rule_id])
                .unwrap_or_else(|| panic!("{name}: {} missing", row[rule_id]));
            let binding = checks::bind(&benchmark, rule).unwrap_or_else(|| {
                panic!("{name} {} ({}) is not bound", rule.stig_id, row[concept])
            });
            assert_eq!(
                binding.spec.id,
                check_of(&row[concept]),
                "{name} {} {}",
                rule.stig_id,
                row[concept]
            );
            // Expected values follow each release's own text.
            match binding.spec.id {
                "receive.connection-timeout" => {
                    let minutes = if role == Some(exstig::inventory::ServerRole::Edge) {
                        5
                    } else {
                        10
                    };
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Time(TimeSpan::from_seconds(60 * minutes))),
                        "{name} {}",
                        rule.stig_id
                    );
                }
                "receive.auth-tls" => {
                    let includes = row[condition].contains("does not include");
                    assert_eq!(
                        binding.comparison,
                        if includes {
                            Comparison::Includes
                        } else {
                            Comparison::Equal
                        },
                        "{name} {}",
                        rule.stig_id
                    );
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Flags(["Tls"].into_iter().collect()))
                    );
                    assert_eq!(
                        binding.scope,
                        RuleScope::Internal.min_for_title(&rule.title)
                    );
                }
                "receive.auth-tls-basic" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Flags(
                            ["Tls", "BasicAuth", "BasicAuthRequireTLS"]
                                .into_iter()
                                .collect()
                        ))
                    );
                    assert_eq!(binding.comparison, Comparison::Equal);
                    assert_eq!(binding.scope, RuleScope::Internet);
                }
                "receive.domain-secure" => {
                    let internal = row[concept].starts_with("RC-03");
                    assert_eq!(
                        binding.scope,
                        if internal {
                            RuleScope::Internal
                        } else {
                            RuleScope::Internet
                        },
                        "{name} {}",
                        rule.stig_id
                    );
                    assert_eq!(binding.expected, Some(Expected::Bool(true)));
                }
                "receive.no-anonymous" => {
                    let any = row[condition].contains("ANY Receive connector");
                    assert_eq!(
                        binding.scope,
                        if any {
                            RuleScope::All
                        } else {
                            RuleScope::Internal
                        },
                        "{name} {}",
                        rule.stig_id
                    );
                }
                "receive.tarpit-interval" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Time(TimeSpan::from_seconds(5)))
                    );
                    assert_eq!(binding.comparison, Comparison::AtLeast);
                }
                "receive.banner" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Text("220 SMTP Server Ready".into())),
                        "{name} {}",
                        rule.stig_id
                    );
                }
                "receive.max-recipients"
                | "receive.max-inbound-connection"
                | "org.max-recipient-envelope" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Number(5000)),
                        "{name} {}",
                        rule.stig_id
                    );
                    assert!(
                        binding.edsp_allowed,
                        "{name} {} allows an EDSP value",
                        rule.stig_id
                    );
                }
                "receive.max-hop-count" => assert_eq!(binding.expected, Some(Expected::Number(60))),
                "receive.max-inbound-connection-scope" => unreachable!(),
                "transport.retry-count" => {
                    assert_eq!(binding.expected, Some(Expected::Number(10)));
                    assert_eq!(binding.comparison, Comparison::AtMost);
                }
                "transport.max-outbound-connections" => {
                    assert_eq!(binding.expected, Some(Expected::Number(1000)))
                }
                "transport.max-per-domain-outbound" => {
                    assert_eq!(binding.expected, Some(Expected::Number(20)))
                }
                "org.max-receive-size" | "org.max-send-size" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Size(Size::Bytes(10 << 20))),
                        "{name} {}",
                        rule.stig_id
                    )
                }
                "send.inactivity-timeout" => assert_eq!(
                    binding.expected,
                    Some(Expected::Time(TimeSpan::from_seconds(600)))
                ),
                "send.tls-auth-level" => {
                    assert_eq!(
                        binding.expected,
                        Some(Expected::Flags(["DomainValidation"].into_iter().collect())),
                        "{name} {}",
                        rule.stig_id
                    );
                    assert_eq!(binding.scope, RuleScope::Internal);
                }
                "send.smart-host" => assert_eq!(binding.scope, RuleScope::Internet),
                "send.domain-secure" | "send.tls-domain" => {
                    assert_eq!(binding.scope, RuleScope::Internal)
                }
                "receive.chunking" | "transport.connectivity-log" => {
                    assert_eq!(binding.expected, Some(Expected::Bool(true)))
                }
                _ => {}
            }
            checked += 1;
        }
        // No other rule binds to a connector or transport check (message tracking rules have
        // their own); other families bind the rest.
        let listed: Vec<&str> = rows.iter().map(|r| r[rule_id].as_str()).collect();
        for rule in &benchmark.rules {
            if listed.contains(&rule.rule_id.as_str()) {
                continue;
            }
            if let Some(b) = checks::bind(&benchmark, rule)
                && ["receive.", "send.", "transport.", "org."]
                    .iter()
                    .any(|family| b.spec.id.starts_with(family))
            {
                assert!(
                    matches!(
                        b.spec.id,
                        "transport.message-tracking-log" | "transport.subject-logging"
                    ),
                    "{name} {} ({}) binds to {} but is not a connector rule",
                    rule.stig_id,
                    rule.title,
                    b.spec.id
                );
            }
        }
    }
    assert!(checked >= 560, "checked {checked} rules");
}

/// The scope a title gives (helper for the assertions above).
trait TitleScope {
    fn min_for_title(self, title: &str) -> RuleScope;
}

impl TitleScope for RuleScope {
    fn min_for_title(self, title: &str) -> RuleScope {
        if title.to_ascii_lowercase().contains("internal") {
            self
        } else {
            RuleScope::All
        }
    }
}

#[test]
fn catalog_binds_like_the_disa_files() {
    for name in exstig::catalog::names() {
        let benchmark = exstig::catalog::get(name).expect("catalog entry");
        let role = checks::benchmark_role(&benchmark);
        let mut bound = 0;
        for rule in &benchmark.rules {
            let Some(b) = checks::bind(&benchmark, rule) else {
                continue;
            };
            bound += 1;
            if b.spec.value != checks::ValueType::Other
                && !matches!(b.comparison, Comparison::SameAsGlobal | Comparison::Naming)
            {
                assert!(
                    b.expected.is_some(),
                    "{name} {} has an expected value",
                    rule.stig_id
                );
            }
            match b.spec.id {
                "receive.connection-timeout" => {
                    let minutes = if role == Some(exstig::inventory::ServerRole::Edge) {
                        5
                    } else {
                        10
                    };
                    assert_eq!(
                        b.expected,
                        Some(Expected::Time(TimeSpan::from_seconds(60 * minutes))),
                        "{name}"
                    );
                }
                "receive.auth-tls" => {
                    let includes = name.ends_with("mailbox") && !name.contains("2013");
                    assert_eq!(
                        b.comparison,
                        if includes {
                            Comparison::Includes
                        } else {
                            Comparison::Equal
                        },
                        "{name}"
                    );
                }
                "receive.no-anonymous" => {
                    let any = name.ends_with("mailbox");
                    assert_eq!(
                        b.scope,
                        if any {
                            RuleScope::All
                        } else {
                            RuleScope::Internal
                        },
                        "{name}"
                    );
                }
                _ => {}
            }
        }
        assert!(bound >= 17, "{name}: {bound} rules bound");
        // Same checks as the DISA file it was built from, when ../shared is there.
        if let Some(shared) = common::shared("catalog vs DISA binding")
            && let Some(entry) = exstig::catalog::entry(name)
        {
            let path = shared.join("benchmarks").join(&entry.built_from);
            let disa = exstig::benchmark::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            {
                assert!(!disa.rules.is_empty());
                for rule in &disa.rules {
                    let from_disa = checks::bind(&disa, rule)
                        .map(|b| (b.spec.id, b.scope, b.comparison, b.expected));
                    let catalog_rule = benchmark.find_rule(&rule.rule_id).expect("same rules");
                    let from_catalog = checks::bind(&benchmark, catalog_rule)
                        .map(|b| (b.spec.id, b.scope, b.comparison, b.expected));
                    assert_eq!(from_catalog, from_disa, "{name} {}", rule.stig_id);
                }
            }
        }
    }
}

#[test]
fn stig_id_that_changed_meaning_binds_by_cmdlet() {
    let Some(shared) = common::shared("EX13-MB-000115") else {
        return;
    };
    let old = exstig::benchmark::load(
        &shared.join("benchmarks/U_MS_Exchange_2013_Mailbox_STIG_V1R2_Manual-xccdf.xml"),
    )
    .unwrap();
    let new = exstig::benchmark::load(
        &shared.join("benchmarks/U_MS_Exchange_2013_Mailbox_STIG_V2R3_Manual-xccdf.xml"),
    )
    .unwrap();
    let bind = |b: &exstig::benchmark::Benchmark| {
        checks::bind(b, b.find_rule("EX13-MB-000115").unwrap())
            .unwrap()
            .spec
            .id
    };
    assert_eq!(bind(&old), "send.domain-secure");
    assert_eq!(bind(&new), "receive.domain-secure");
}

/// The server or host check a rule title names, read here independently of the code's title
/// words (`None`: not one of those families' rules).
fn host_or_server_check(title: &str) -> Option<&'static str> {
    let t = title.to_ascii_lowercase();
    let has = |w: &str| t.contains(w);
    Some(if has("schusestrongcrypto") {
        "server.strong-crypto"
    } else if has("dod certificates") {
        "server.dod-certificates"
    } else if has("accepted domains") && has("configured") {
        "server.accepted-domains"
    } else if has("diagnostic log level") {
        "server.event-log-level"
    } else if has("signed scripts") {
        "server.execution-policy"
    } else if has("customer experience") {
        "server.customer-feedback"
    } else if has("fatal errors") {
        "server.error-reporting"
    } else if has("service pack") || has("cumulative update") {
        "server.current-build"
    } else if has("more than one edge") || t.trim() == "exchange must provide redundancy." {
        "server.edge-redundancy"
    } else if has("partition") {
        if has("audit") {
            "host.audit-partition"
        } else if has("queue") {
            "host.queue-partition"
        } else if has("mailbox databases") {
            "host.database-partition"
        } else {
            "host.os-partition"
        }
    } else if has("audit data") {
        if has("read") {
            "host.audit-acl-read"
        } else if has("deletion") {
            "host.audit-acl-delete"
        } else if has("modification") || t.starts_with("exchange must protect") {
            "host.audit-acl-modify"
        } else {
            "host.audit-acl"
        }
    } else if has("application directory") {
        "host.application-directory-acl"
    } else if has("services must be documented") {
        "host.services"
    } else if has("imap4") {
        "host.imap4-disabled"
    } else if has("pop3") {
        "host.pop3-disabled"
    } else {
        return None;
    })
}

#[test]
fn every_release_binds_the_server_and_host_rules_by_meaning() {
    let Some(shared) = common::shared("server and host rules across releases") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(shared.join("benchmarks"))
        .expect("benchmarks")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut per_role: HashMap<String, Vec<(String, std::collections::BTreeSet<&str>)>> =
        HashMap::new();
    let mut checked = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Ok(benchmark) = exstig::benchmark::load(path) else {
            continue;
        };
        let mut found = std::collections::BTreeSet::new();
        for rule in &benchmark.rules {
            let want = host_or_server_check(&rule.title);
            let got = checks::bind(&benchmark, rule).map(|b| b.spec.id);
            let ours = got.filter(|id| id.starts_with("server.") || id.starts_with("host."));
            // The generic 2010 audit title reads the permission its text names.
            let want = match (want, ours) {
                (Some("host.audit-acl"), Some(id)) if id.starts_with("host.audit-acl") => Some(id),
                _ => want,
            };
            assert_eq!(ours, want, "{name} {} {}", rule.stig_id, rule.title);
            if let Some(id) = ours {
                found.insert(id);
                checked += 1;
            }
        }
        let role = match checks::benchmark_role(&benchmark) {
            Some(r) => r.as_str().to_string(),
            None => "other".into(),
        };
        let version = if name.contains("2010") {
            "2010"
        } else {
            "2013+"
        };
        per_role
            .entry(format!("{role} {version}"))
            .or_default()
            .push((name, found));
    }
    assert!(checked >= 300, "checked {checked} rules");
    // Every 2013-2019 release of a role binds the checks of these families that all of them share.
    for role in ["Edge 2013+", "Mailbox 2013+"] {
        let releases = &per_role[role];
        let base: Vec<&str> = match role {
            "Edge 2013+" => vec![
                "server.dod-certificates",
                "server.accepted-domains",
                "server.event-log-level",
                "server.execution-policy",
                "server.customer-feedback",
                "server.error-reporting",
                "server.current-build",
                "host.audit-acl-read",
                "host.audit-acl-modify",
                "host.audit-acl-delete",
                "host.audit-partition",
                "host.application-directory-acl",
                "host.services",
                "host.os-partition",
            ],
            _ => vec![
                "server.dod-certificates",
                "server.event-log-level",
                "server.execution-policy",
                "server.customer-feedback",
                "server.error-reporting",
                "server.current-build",
                "host.audit-acl-read",
                "host.audit-acl-modify",
                "host.audit-acl-delete",
                "host.audit-partition",
                "host.application-directory-acl",
                "host.services",
                "host.os-partition",
                "host.imap4-disabled",
                "host.pop3-disabled",
                "host.database-partition",
            ],
        };
        assert!(releases.len() >= 5, "{role}: {} releases", releases.len());
        for (name, found) in releases {
            // A release may lack a rule (2013 Edge V1R6 has no service pack rule), not more.
            let missing: Vec<&&str> = base.iter().filter(|id| !found.contains(*id)).collect();
            assert!(
                missing.len() <= 1,
                "{name} binds no rule to {missing:?}: {found:?}"
            );
        }
    }
}

/// Issue 12: the "internal Send connectors must require encryption" rule of every release is
/// read by its own wording: TlsDomain alone (2010, 2013), TlsDomain and DomainSecureEnabled
/// (2016 Edge V2R2), the smart-host branch (2016 Edge V2R3 and later), or DomainSecureEnabled
/// or DomainValidation with the TlsDomain (2019 Edge).
#[test]
fn send_encryption_rule_reading_follows_each_release() {
    let Some(dir) = common::shared("send_encryption_rule_reading_follows_each_release") else {
        return;
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.join("benchmarks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let Ok(benchmark) = exstig::benchmark::load(&path) else {
            continue;
        };
        for rule in &benchmark.rules {
            let Some(b) = checks::bind(&benchmark, rule).filter(|b| b.spec.id == "send.tls-domain")
            else {
                continue;
            };
            seen += 1;
            let reading = (
                b.validation_method,
                b.smart_host_branch,
                b.domain_secure_too,
            );
            let name = path.file_name().unwrap().to_string_lossy();
            let expected = if name.contains("2019_Edge") {
                (true, false, false)
            } else if name.contains("2016_Edge") && name.contains("V2R2") {
                (false, false, true)
            } else if name.contains("2016_Edge") {
                (false, true, false)
            } else {
                (false, false, false)
            };
            assert_eq!(reading, expected, "{name} {}", rule.stig_id);
        }
    }
    assert!(seen >= 19, "{seen} releases bind the rule");
}

/// The embedded catalog, which carries no check text, reads the Send connector rules' branches
/// (smart host, validation method, DomainSecureEnabled too, DNS routing) from its check terms
/// as the DISA file it was built from reads them from the text.
#[test]
fn catalog_reads_send_rule_branches_like_the_disa_files() {
    let Some(shared) = common::shared("catalog send-rule branches") else {
        return;
    };
    let mut compared = 0;
    for name in exstig::catalog::names() {
        let benchmark = exstig::catalog::get(name).unwrap();
        let entry = exstig::catalog::entry(name).unwrap();
        let disa = exstig::benchmark::load(&shared.join("benchmarks").join(&entry.built_from))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let reading = |b: &exstig::benchmark::Benchmark, r: &exstig::benchmark::Rule| {
            checks::bind(b, r).map(|b| {
                (
                    b.spec.id,
                    b.smart_host_branch,
                    b.validation_method,
                    b.domain_secure_too,
                    b.dns_routing_off,
                )
            })
        };
        for rule in &disa.rules {
            let from_disa = reading(&disa, rule);
            if from_disa.is_none_or(|r| !r.0.starts_with("send.")) {
                continue;
            }
            let from_catalog = reading(&benchmark, benchmark.find_rule(&rule.rule_id).unwrap());
            assert_eq!(from_catalog, from_disa, "{name} {}", rule.stig_id);
            compared += 1;
        }
    }
    assert!(compared >= 20, "{compared}");
}

/// The antispam check a rule's title names (None: a rule no antispam check decides).
fn antispam_check_of(title: &str) -> Option<&'static str> {
    let t = title.to_ascii_lowercase();
    let has = |w: &str| t.contains(w);
    Some(if has("hyperlink") {
        "antispam.hyperlink-agent"
    } else if has("blank sender") && has("reject") {
        "antispam.blank-sender-action"
    } else if has("blank sender") {
        "antispam.blank-sender-blocking"
    } else if has("archived") {
        "antispam.quarantine-mailbox"
    } else if has("sender filter") && has("domains") {
        "antispam.blocked-domains"
    } else if has("sender filter") {
        "antispam.sender-filter"
    } else if has("recipients must not be blocked") {
        "antispam.recipient-validation"
    } else if has("recipient filter") {
        "antispam.recipient-filter"
    } else if has("block level") {
        "antispam.srl-block-threshold"
    } else if has("reputation") {
        "antispam.sender-reputation"
    } else if has("attachment") {
        "antispam.attachment-types"
    } else if has("evaluation filter") {
        "antispam.content-filter"
    } else if has("block list") {
        "antispam.block-list-provider"
    } else if has("malformed") {
        "antispam.spoofed-domain-action"
    } else if has("sender identification") {
        "antispam.sender-id"
    } else if has("allow list entries") {
        "antispam.ip-allow-list-empty"
    } else if has("allow list connection") {
        "antispam.ip-allow-list-filter"
    } else if has("filtering installed") {
        "antispam.installed"
    } else if has("filtering enabled") {
        "antispam.filtering-enabled"
    } else if has("automatic updates") {
        "antispam.malware-updates"
    } else if has("malware agent must be enabled") {
        "antispam.malware-agent-enabled"
    } else if has("malware") || has("malicious code") {
        "antispam.malware-agent-disabled"
    } else {
        return None;
    })
}

#[test]
fn every_release_binds_the_antispam_rules_by_meaning() {
    let Some(shared) = common::shared("antispam binding across releases") else {
        return;
    };
    // The cmdlets of the family: a rule whose check runs one of them (and no Get-TransportConfig,
    // whose "anti-spam filtering configured" rule is the transport family's) is the family's.
    let cmdlets = [
        "get-senderfilterconfig",
        "get-contentfilterconfig",
        "get-recipientfilterconfig",
        "get-senderreputationconfig",
        "get-senderidconfig",
        "get-ipallowlistentry",
        "get-ipallowlistconfig",
        "get-ipblocklistprovider",
        "get-attachmentfilterentry",
        "get-transportagent",
        "get-malwarefilteringserver",
    ];
    let mut bound = 0;
    let mut per_file = Vec::new();
    for entry in std::fs::read_dir(shared.join("benchmarks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xml") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let benchmark = exstig::benchmark::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut here = 0;
        for rule in &benchmark.rules {
            let lower = rule.check_content.to_ascii_lowercase();
            let runs_ours =
                cmdlets.iter().any(|c| lower.contains(c)) && !lower.contains("get-transportconfig");
            let binding = checks::bind(&benchmark, rule);
            let id = binding.as_ref().map(|b| b.spec.id);
            if id.is_some_and(|id| id.starts_with("antispam.")) {
                assert!(runs_ours, "{name} {} binds {id:?}", rule.stig_id);
            }
            if !runs_ours {
                continue;
            }
            let want = antispam_check_of(&rule.title)
                .unwrap_or_else(|| panic!("{name} {}: {}", rule.stig_id, rule.title));
            assert_eq!(id, Some(want), "{name} {} {}", rule.stig_id, rule.title);
            let b = binding.unwrap();
            match want {
                "antispam.blank-sender-action" | "antispam.spoofed-domain-action" => assert_eq!(
                    b.expected,
                    Some(Expected::Text("Reject".into())),
                    "{name} {}",
                    rule.stig_id
                ),
                "antispam.srl-block-threshold" => {
                    assert_eq!(b.expected, Some(Expected::Number(6)));
                    assert!(b.edsp_allowed, "{name} {}: signoff", rule.stig_id);
                }
                "antispam.recipient-validation" => {
                    assert_eq!(b.expected, Some(Expected::Bool(false)))
                }
                "antispam.installed" | "antispam.filtering-enabled" => assert!(
                    b.not_applicable_with_antispam,
                    "{name} {}: the EEMSG note",
                    rule.stig_id
                ),
                _ => {}
            }
            here += 1;
        }
        per_file.push((name, here));
        bound += here;
    }
    // Every Edge release binds the family's Edge rules, every Mailbox release its own.
    for (name, here) in &per_file {
        let least = if name.contains("Edge") {
            16
        } else if name.contains("Mailbox") && !name.contains("2010") {
            3
        } else {
            0
        };
        assert!(*here >= least, "{name}: {here} antispam rules");
    }
    assert!(bound >= 300, "{bound} antispam rules bound");
}
