//! `exstig emass upload`: the dry run (requests printed, secrets never), the requests against
//! eMASS's own API description served by the Prism mock (with the required fields, enums and
//! lengths the description states in words checked here, since Prism does not enforce them),
//! error answers and retries against a scripted local server, and client-certificate TLS
//! against a local rustls server with a test CA made here.

mod common;

use exstig::checklist::{Checklist, ChecklistStig, Status, ckl, cklb};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const API_KEY: &str = "SECRET-API-KEY-4711";

/// HOST-A (CKL) and HOST-B (CKLB) of the 2019 Edge STIG, one rule Open on both, one
/// NotAFinding.
fn checklists(dir: &Path) -> Vec<PathBuf> {
    let benchmark = exstig::catalog::get("exchange-2019-edge").unwrap();
    let table = exstig::cci::embedded();
    let stig = ChecklistStig::from_benchmark(&benchmark);
    let open = stig
        .vulns
        .iter()
        .position(|v| {
            v.attrs("CCI_REF")
                .all(|c| table.get(c).is_some_and(|r| !r.rev5.ap.is_empty()))
        })
        .unwrap();
    let make = |host: &str| {
        let mut s = stig.clone();
        s.vulns[open].status = Status::Open;
        s.vulns[open].finding_details = "found 42".into();
        s.vulns[open + 1].status = Status::NotAFinding;
        let mut c = Checklist {
            stigs: vec![s],
            ..Checklist::default()
        };
        c.asset.host_name = host.into();
        c
    };
    let a = dir.join("HOST-A.ckl");
    let b = dir.join("HOST-B.cklb");
    std::fs::write(&a, ckl::write(&make("HOST-A"))).unwrap();
    std::fs::write(&b, cklb::write(&make("HOST-B")).unwrap()).unwrap();
    vec![a, b]
}

/// Runs exstig with extra environment variables (and none of the EMASS_ ones of the caller).
fn exstig_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_exstig"));
    cmd.args(args).current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("EMASS_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `upload` arguments before the checklists.
fn upload_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "emass",
        "upload",
        "--url",
        url,
        "--system-id",
        "7",
        "--api-key",
        API_KEY,
        "--user-uid",
        "1234567890",
        "--retries",
        "2",
        "--backoff-ms",
        "10",
        "--timeout",
        "20",
    ];
    args.extend_from_slice(extra);
    args.extend(["HOST-A.ckl", "HOST-B.cklb"]);
    args
}

/// The dry run's requests: (method and path line, body text).
fn dry_run_requests(stdout: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("POST /api/") {
            out.push((line.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

#[test]
fn dry_run_prints_each_request_and_never_the_api_key() {
    let dir = common::temp_dir("upload-dry");
    checklists(&dir);
    let mut args = vec![
        "emass",
        "upload",
        "--system-id",
        "7",
        "--dry-run",
        "--test-results",
        "--tested-by",
        "Smith, Jane",
        "--poam",
        "--cert",
        "missing-cert.pem",
        "--key",
        "missing-key.pem",
    ];
    args.extend(["HOST-A.ckl", "HOST-B.cklb"]);
    let out = exstig_env(
        &dir,
        &args,
        &[
            ("EMASS_URL", "https://emass.example.mil"),
            ("EMASS_API_KEY", API_KEY),
            ("EMASS_USER_UID", "1234567890"),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!stdout.contains(API_KEY) && !text(&out.stderr).contains(API_KEY));
    let requests = dry_run_requests(&stdout);
    let lines: Vec<&str> = requests.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        lines,
        [
            "POST /api/systems/7/device-scan-results?scanType=disaStigViewerCklCklb",
            "POST /api/systems/7/device-scan-results?scanType=disaStigViewerCklCklb",
            "POST /api/systems/7/test-results",
            "POST /api/systems/7/poams",
        ]
    );
    assert!(requests[0].1.contains("filename=HOST-A.ckl"));
    assert!(requests[1].1.contains("filename=HOST-B.cklb"));
    check_test_results_body(&requests[2].1);
    check_poams_body(&requests[3].1);
}

/// The test-results body against the description's words: every field required, the status
/// enum, testedBy 100 and description 4,000 characters, testDate an integer not in the future.
fn check_test_results_body(body: &str) {
    let json: serde_json::Value = serde_json::from_str(body).expect(body);
    let items = json.as_array().expect("an array");
    assert!(!items.is_empty());
    let now = chrono::Utc::now().timestamp();
    for item in items {
        for key in [
            "testedBy",
            "testDate",
            "description",
            "complianceStatus",
            "assessmentProcedure",
        ] {
            assert!(item.get(key).is_some(), "{key} is required: {item}");
        }
        assert!(
            ["Compliant", "Non-Compliant", "Not Applicable"]
                .contains(&item["complianceStatus"].as_str().unwrap())
        );
        assert!(item["testedBy"].as_str().unwrap().chars().count() <= 100);
        assert!(item["description"].as_str().unwrap().chars().count() <= 4000);
        assert!(item["testDate"].as_i64().unwrap() <= now);
        assert!(!item["assessmentProcedure"].as_str().unwrap().is_empty());
    }
}

/// The POA&M body: the always-required fields, scheduledCompletionDate and milestones for
/// Ongoing items, the risk fields some instances require, enums and lengths.
fn check_poams_body(body: &str) {
    let json: serde_json::Value = serde_json::from_str(body).expect(body);
    let items = json.as_array().expect("an array");
    assert!(!items.is_empty());
    let levels = ["Very Low", "Low", "Moderate", "High", "Very High"];
    for item in items {
        for key in [
            "status",
            "vulnerabilityDescription",
            "sourceIdentifyingVulnerability",
            "pocOrganization",
            "resources",
            "severity",
            "relevanceOfThreat",
            "likelihood",
            "impact",
            "residualRiskLevel",
            "mitigations",
        ] {
            let value = item[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}: {item}"));
            assert!(!value.is_empty(), "{key} empty");
        }
        assert!(
            [
                "Ongoing",
                "Risk Accepted",
                "Completed",
                "Not Applicable",
                "Archived"
            ]
            .contains(&item["status"].as_str().unwrap())
        );
        for key in [
            "severity",
            "relevanceOfThreat",
            "likelihood",
            "impact",
            "residualRiskLevel",
            "rawSeverity",
        ] {
            assert!(levels.contains(&item[key].as_str().unwrap()), "{key}");
        }
        for (key, max) in [
            ("pocOrganization", 100),
            ("resources", 250),
            ("vulnerabilityDescription", 2000),
            ("sourceIdentifyingVulnerability", 2000),
            ("comments", 2000),
            ("mitigations", 2000),
            ("recommendations", 2000),
        ] {
            let n = item[key].as_str().map_or(0, |s| s.chars().count());
            assert!(n <= max, "{key} has {n} characters");
        }
        if item["status"] == "Ongoing" {
            let scheduled = item["scheduledCompletionDate"].as_i64().expect("Unix time");
            let milestones = item["milestones"].as_array().expect("milestones");
            assert!(!milestones.is_empty());
            for m in milestones {
                assert!(!m["description"].as_str().unwrap().is_empty());
                assert!(m["scheduledCompletionDate"].as_i64().unwrap() <= scheduled);
            }
        }
        assert!(item["devicesAffected"].as_str().unwrap().contains("HOST-A"));
    }
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prism, started on 127.0.0.1 with eMASS's API description; killed on drop.
struct Prism(std::process::Child);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn every_request_passes_the_prism_mock_of_emass_api_description() {
    let Some(shared) = common::shared("Prism mock of the eMASS API") else {
        return;
    };
    let prism = common::root().join("tests/node/node_modules/.bin/prism");
    if !prism.exists() {
        assert!(
            std::env::var("CI").is_err(),
            "Prism is required in CI (npm ci in tests/node)"
        );
        eprintln!("skipping: Prism not installed (npm ci --prefix tests/node)");
        return;
    }
    let dir = common::temp_dir("upload-prism");
    checklists(&dir);
    let port = free_port();
    let spec = shared.join("reference/emass/eMASSRestOpenApi-v3.22.yaml");
    let mut child = Command::new(&prism)
        .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prism");
    let stdout = child.stdout.take().unwrap();
    let _guard = Prism(child);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Prism is listening") {
                let _ = ready_tx.send(());
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(90))
        .expect("Prism started within 90 s");
    let url = format!("http://127.0.0.1:{port}");
    let args = upload_args(
        &url,
        &[
            "--allow-http",
            "--test-results",
            "--tested-by",
            "Smith, Jane",
            "--poam",
        ],
    );
    let out = exstig_env(&dir, &args, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("HOST-A.ckl: assetsImported 1"), "{stdout}");
    assert!(stdout.contains("HOST-B.cklb: assetsImported 1"), "{stdout}");
    assert!(stdout.contains("test results: "), "{stdout}");
    assert!(stdout.contains("POA&M items: "), "{stdout}");
    // Prism refuses a request without the api-key the description's security scheme requires,
    // and a body of the wrong type: the mock does check what it can.
    let bad = ureq::post(format!("{url}/api/systems/7/test-results"))
        .config()
        .http_status_as_error(false)
        .build()
        .header("Content-Type", "application/json")
        .send("[{\"testedBy\": 1}]")
        .unwrap();
    assert!(bad.status().as_u16() >= 400, "{}", bad.status());
}

/// A scripted HTTP server: answers each connection with the next (status, body) and records
/// the requests (head and body); stops after the last answer.
fn scripted(answers: Vec<(u16, &'static str)>) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for (status, body) in answers {
            let Ok((stream, _)) = listener.accept() else {
                break;
            };
            seen.push(exchange(stream, status, body));
        }
        seen
    });
    (port, handle)
}

/// Reads one HTTP request from `stream`, answers it and returns the request text.
fn exchange<S: Read + Write>(mut stream: S, status: u16, body: &str) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + Duration::from_secs(10);
    let (head_end, length) = loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 || Instant::now() > deadline {
            return text(&data);
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = text(&data[..at]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (at + 4, length);
        }
    };
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let answer = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes());
    let _ = stream.flush();
    text(&data)
}

const IMPORTED: &str = r#"{"meta":{"code":200},"data":[{"filename":"x","assetsImported":1,"success":true,"systemId":7}]}"#;

#[test]
fn a_401_403_or_422_stops_at_once_with_emass_text_and_the_file() {
    let dir = common::temp_dir("upload-4xx");
    checklists(&dir);
    for (code, message) in [
        (401, "Invalid api-key and certificate combination"),
        (403, "Certificate not trusted"),
        (422, "Unprocessable: scanType"),
    ] {
        let body: &'static str = Box::leak(
            format!(r#"{{"meta":{{"code":{code},"errorMessage":"{message}"}}}}"#).into_boxed_str(),
        );
        let (port, server) = scripted(vec![(code, body), (200, IMPORTED)]);
        let url = format!("http://127.0.0.1:{port}");
        let out = exstig_env(&dir, &upload_args(&url, &["--allow-http"]), &[]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(message) && err.contains(&code.to_string()),
            "{err}"
        );
        assert!(
            err.contains("HOST-A.ckl") && err.contains("device-scan-results"),
            "{err}"
        );
        assert!(!err.contains(API_KEY));
        // Unblock the server's second accept, then count: one request only reached it.
        let _ = TcpStream::connect(("127.0.0.1", port));
        let seen = server.join().unwrap();
        assert!(
            seen[0].contains("api-key: SECRET-API-KEY-4711"),
            "{}",
            seen[0]
        );
        assert!(seen[0].contains("user-uid: 1234567890"));
        assert!(seen[0].contains("name=\"filename\"; filename=\"HOST-A.ckl\""));
        assert!(seen.get(1).is_none_or(|s| s.is_empty()), "no second upload");
    }
    // A 4xx after a first file went through: exit 1, what went through said.
    let (port, server) = scripted(vec![
        (200, IMPORTED),
        (403, r#"{"meta":{"errorMessage":"no"}}"#),
    ]);
    let url = format!("http://127.0.0.1:{port}");
    let out = exstig_env(&dir, &upload_args(&url, &["--allow-http"]), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("HOST-A.ckl: assetsImported 1"));
    assert!(text(&out.stderr).contains("HOST-B.cklb") && text(&out.stderr).contains("1 of 2"));
    server.join().unwrap();
}

#[test]
fn answers_429_and_5xx_are_retried_with_a_bound() {
    let dir = common::temp_dir("upload-retry");
    checklists(&dir);
    let (port, server) = scripted(vec![
        (503, "{}"),
        (429, "{}"),
        (200, IMPORTED),
        (200, IMPORTED),
    ]);
    let url = format!("http://127.0.0.1:{port}");
    let out = exstig_env(&dir, &upload_args(&url, &["--allow-http"]), &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.join().unwrap().len(), 4);
    // Always 500: 1 try + 2 retries, then exit 2.
    let (port, server) = scripted(vec![(500, "{}"), (500, "{}"), (500, "{}"), (200, IMPORTED)]);
    let url = format!("http://127.0.0.1:{port}");
    let out = exstig_env(&dir, &upload_args(&url, &["--allow-http"]), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("500"));
    let _ = TcpStream::connect(("127.0.0.1", port));
    let seen = server.join().unwrap();
    assert_eq!(seen.iter().filter(|s| !s.is_empty()).count(), 3);
}

#[test]
fn an_unreachable_url_plain_http_or_no_certificate_exit_2() {
    let dir = common::temp_dir("upload-unreachable");
    checklists(&dir);
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = exstig_env(&dir, &upload_args(&url, &["--allow-http"]), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("POST /api/systems/7/device-scan-results") && err.contains("HOST-A.ckl"),
        "{err}"
    );
    let out = exstig_env(&dir, &upload_args(&url, &[]), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--allow-http"));
    let out = exstig_env(&dir, &upload_args("https://127.0.0.1:9", &[]), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("client certificate"));
}

/// A test CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.
struct Pki {
    ca: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    p12: PathBuf,
    server: Arc<rustls::ServerConfig>,
}

fn make_pki(dir: &Path) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_cert =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap()
            .signed_by(&server_key, &issuer)
            .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["client.example".to_string()])
        .unwrap()
        .signed_by(&client_key, &issuer)
        .unwrap();
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ca = write("ca.pem", ca_cert.pem());
    let client_cert_path = write("client.pem", client_cert.pem());
    let client_key_path = write("client.key", client_key.serialize_pem());
    // The same identity as PKCS#12.
    let mut store = p12_keystore::KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(
        vec![1u8; 20],
        p12_keystore::PrivateKey::from_der(&client_key.serialize_der()).unwrap(),
        [
            p12_keystore::Certificate::from_der(client_cert.der()).unwrap(),
            p12_keystore::Certificate::from_der(ca_cert.der()).unwrap(),
        ],
    );
    store.add_entry(
        "client",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    let p12 = dir.join("client.p12");
    std::fs::write(&p12, store.writer("pw").write().unwrap()).unwrap();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_cert.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
        .build()
        .unwrap();
    let server = rustls::ServerConfig::builder()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![server_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into()),
        )
        .unwrap();
    Pki {
        ca,
        client_cert: client_cert_path,
        client_key: client_key_path,
        p12,
        server: Arc::new(server),
    }
}

/// A TLS server that requires a client certificate of the test CA; answers `count`
/// connections with `IMPORTED` and records whether each handshake succeeded.
fn tls_server(
    config: Arc<rustls::ServerConfig>,
    count: usize,
) -> (u16, std::thread::JoinHandle<Vec<bool>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut results = Vec::new();
        for _ in 0..count {
            let Ok((tcp, _)) = listener.accept() else {
                break;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let request = exchange(&mut tls, 200, IMPORTED);
            results.push(request.starts_with("POST "));
        }
        results
    });
    (port, handle)
}

#[test]
fn client_certificate_tls_with_pem_or_pkcs12_and_refused_without() {
    let dir = common::temp_dir("upload-tls");
    checklists(&dir);
    let pki = make_pki(&dir);
    let ca = pki.ca.to_str().unwrap().to_string();
    for identity in [
        vec![
            "--cert".to_string(),
            pki.client_cert.to_str().unwrap().to_string(),
            "--key".to_string(),
            pki.client_key.to_str().unwrap().to_string(),
        ],
        vec![
            "--pkcs12".to_string(),
            pki.p12.to_str().unwrap().to_string(),
        ],
    ] {
        let (port, server) = tls_server(pki.server.clone(), 2);
        let url = format!("https://127.0.0.1:{port}");
        let mut extra: Vec<&str> = vec!["--ca", &ca];
        extra.extend(identity.iter().map(String::as_str));
        let out = exstig_env(
            &dir,
            &upload_args(&url, &extra),
            &[("EMASS_PKCS12_PASSWORD", "pw")],
        );
        assert!(
            out.status.success(),
            "{:?}: {}",
            identity,
            text(&out.stderr)
        );
        assert!(text(&out.stdout).contains("HOST-B.cklb: assetsImported 1"));
        assert_eq!(server.join().unwrap(), [true, true]);
    }
    // A client that presents no certificate the server trusts is refused in the handshake.
    let other = common::temp_dir("upload-tls-other");
    let stranger = make_pki(&other);
    let (port, server) = tls_server(pki.server.clone(), 1);
    let url = format!("https://127.0.0.1:{port}");
    let out = exstig_env(
        &dir,
        &upload_args(
            &url,
            &[
                "--ca",
                &ca,
                "--cert",
                stranger.client_cert.to_str().unwrap(),
                "--key",
                stranger.client_key.to_str().unwrap(),
            ],
        ),
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("HOST-A.ckl"));
    assert_eq!(server.join().unwrap(), [false]);
    // A wrong PKCS#12 password names the file.
    let out = exstig_env(
        &dir,
        &upload_args(&url, &["--ca", &ca, "--pkcs12", pki.p12.to_str().unwrap()]),
        &[("EMASS_PKCS12_PASSWORD", "wrong")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("client.p12"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_broken_checklist_stops_the_upload_before_any_request() {
    let dir = common::temp_dir("upload-broken");
    checklists(&dir);
    std::fs::write(dir.join("broken.ckl"), "<CHECKLIST><ASSET><ROLE>None").unwrap();
    let (port, server) = scripted(vec![(200, IMPORTED)]);
    let url = format!("http://127.0.0.1:{port}");
    let mut args = upload_args(&url, &["--allow-http"]);
    args.push("broken.ckl");
    let out = exstig_env(&dir, &args, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.ckl"),
        "{}",
        text(&out.stderr)
    );
    let _ = TcpStream::connect(("127.0.0.1", port));
    let seen = server.join().unwrap();
    assert!(
        seen.iter().all(|s| s.is_empty()),
        "nothing was sent: {seen:?}"
    );
}
