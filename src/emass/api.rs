//! The eMASS REST API client: client-certificate TLS (PEM or PKCS#12, pure-Rust rustls), the
//! `api-key` and `user-uid` headers, retries of 429 and 5xx with bounded backoff, and eMASS's
//! own error text on a 4xx. Requests are built as values first so that `--dry-run` can print
//! them instead of sending them; the key and the api-key are never printed.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How the client proves who it is.
#[derive(Debug, Clone)]
pub enum Identity {
    /// A certificate (chain) and its private key in PEM files.
    Pem {
        /// Certificate PEM.
        cert: PathBuf,
        /// Private key PEM (PKCS#8, PKCS#1 or SEC1, unencrypted).
        key: PathBuf,
    },
    /// A PKCS#12 file (`.p12`, `.pfx`) and its password.
    Pkcs12 {
        /// The file.
        file: PathBuf,
        /// Its password (may be empty).
        password: String,
    },
    /// No client certificate (only with `--allow-http` to a local mock).
    None,
}

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Base URL (`https://emass.example.mil`), no trailing slash needed.
    pub url: String,
    /// The `api-key` header.
    pub api_key: String,
    /// The `user-uid` header (sent on POST).
    pub user_uid: String,
    /// The client certificate.
    pub identity: Identity,
    /// CA certificates (PEM) to trust instead of the built-in roots.
    pub ca: Option<PathBuf>,
    /// Whether `http://` is allowed.
    pub allow_http: bool,
    /// Retries of a 429 or 5xx answer (and of a connection failure) before giving up.
    pub retries: u32,
    /// First backoff; doubled per retry.
    pub backoff: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
}

/// One request: what `--dry-run` prints and what is sent.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST`.
    pub method: &'static str,
    /// Path and query (`/api/systems/7/test-results`).
    pub path: String,
    /// Content-Type.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// What `--dry-run` shows of the body (the JSON, or the file sent).
    pub shown_body: String,
    /// What the request is about (a file name, "test results", "POA&M items"), for messages.
    pub concerns: String,
    /// The file of a device-scan upload (its body is made when sent).
    pub upload: Option<Upload>,
}

/// The file of a multipart upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file.
    pub file: PathBuf,
    /// Its name in the form.
    pub name: String,
    /// The multipart boundary.
    pub boundary: String,
}

impl Request {
    /// A JSON POST.
    pub fn json(path: String, body: &serde_json::Value, concerns: &str) -> Request {
        let text = serde_json::to_string_pretty(body).unwrap_or_default();
        Request {
            method: "POST",
            path,
            content_type: "application/json".into(),
            body: text.clone().into_bytes(),
            shown_body: text,
            concerns: concerns.to_string(),
            upload: None,
        }
    }

    /// A multipart POST of one file in the form field `filename` (the device-scan upload). The
    /// file is read when the request is sent, so a fleet's files are never all in memory.
    pub fn file_upload(path: String, file: &Path, size: u64) -> Request {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().replace(['"', '\r', '\n'], "_"))
            .unwrap_or_else(|| "checklist".into());
        let boundary = format!("exstig-{}", uuid::Uuid::new_v4().simple());
        Request {
            method: "POST",
            path,
            content_type: format!("multipart/form-data; boundary={boundary}"),
            body: Vec::new(),
            shown_body: format!("multipart/form-data: filename={name} ({size} bytes)"),
            concerns: file.display().to_string(),
            upload: Some(Upload {
                file: file.to_path_buf(),
                name,
                boundary,
            }),
        }
    }

    /// The bytes to send: the JSON, or the multipart body around the file read now.
    pub fn body_bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        let Some(upload) = &self.upload else {
            return Ok(std::borrow::Cow::Borrowed(&self.body));
        };
        let bytes = std::fs::read(&upload.file)?;
        let (name, boundary) = (&upload.name, &upload.boundary);
        let mut body = Vec::with_capacity(bytes.len() + 256);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Ok(std::borrow::Cow::Owned(body))
    }

    /// The `--dry-run` text: method, path, body.
    pub fn describe(&self) -> String {
        format!("{} {}\n{}\n", self.method, self.path, self.shown_body)
    }
}

/// Why a request failed.
#[derive(Debug)]
pub enum ApiError {
    /// eMASS answered with an error status; its own text.
    Status {
        /// HTTP status.
        code: u16,
        /// eMASS's error text (or the body).
        message: String,
    },
    /// No answer (connection, TLS, timeout).
    Transport(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Status { code, message } => write!(f, "eMASS answered {code}: {message}"),
            ApiError::Transport(why) => write!(f, "{why}"),
        }
    }
}

/// A connected client.
pub struct Client {
    agent: ureq::Agent,
    connection: Connection,
}

impl Client {
    /// Checks the connection settings, loads the certificates and builds the agent.
    pub fn new(connection: Connection) -> Result<Client> {
        let url = connection.url.trim_end_matches('/').to_string();
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("http://") {
            if !connection.allow_http {
                return Err(Error::Usage(format!(
                    "--url {url}: plain http:// sends the api-key unencrypted; use https:// (or --allow-http for a local mock)"
                )));
            }
        } else if !lower.starts_with("https://") {
            return Err(Error::Usage(format!("--url {url}: not an http(s) URL")));
        } else if matches!(connection.identity, Identity::None) {
            return Err(Error::Usage(
                "eMASS needs a client certificate: give --cert and --key, or --pkcs12".into(),
            ));
        }
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(ca) = &connection.ca {
            let pem = crate::fsio::read_bytes(ca)?;
            let certs = pem_certificates(ca, &pem)?;
            tls = tls.root_certs(ureq::tls::RootCerts::Specific(Arc::new(certs)));
        }
        if let Some(cert) = client_cert(&connection.identity)? {
            tls = tls.client_cert(Some(cert));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls.build())
            .http_status_as_error(false)
            .timeout_global(Some(connection.timeout))
            .build()
            .into();
        Ok(Client {
            agent,
            connection: Connection { url, ..connection },
        })
    }

    /// Sends a request, retrying 429, 5xx and connection failures up to the bound; returns the
    /// JSON answer.
    pub fn send(&self, request: &Request) -> std::result::Result<serde_json::Value, ApiError> {
        let url = format!("{}{}", self.connection.url, request.path);
        let body = request
            .body_bytes()
            .map_err(|e| ApiError::Transport(format!("reading {}: {e}", request.concerns)))?;
        let mut attempt = 0;
        loop {
            let outcome = self
                .agent
                .post(&url)
                .header("api-key", &self.connection.api_key)
                .header("user-uid", &self.connection.user_uid)
                .header("Accept", "application/json")
                .header("Content-Type", &request.content_type)
                .send(&body[..]);
            let retryable = match outcome {
                Ok(mut response) => {
                    let code = response.status().as_u16();
                    let text = response.body_mut().read_to_string().unwrap_or_default();
                    if (200..300).contains(&code) {
                        return Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null));
                    }
                    let error = ApiError::Status {
                        code,
                        message: error_text(&text),
                    };
                    if code == 429 || code >= 500 {
                        error
                    } else {
                        return Err(error);
                    }
                }
                Err(e) => ApiError::Transport(format!("{e}")),
            };
            if attempt >= self.connection.retries {
                return Err(retryable);
            }
            std::thread::sleep(self.connection.backoff * 2u32.pow(attempt.min(6)));
            attempt += 1;
        }
    }
}

/// eMASS's error text: `meta.errorMessage` of its JSON error body, else the body itself.
fn error_text(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let message = parsed.as_ref().and_then(|v| {
        v.pointer("/meta/errorMessage")
            .or_else(|| v.get("errorMessage"))
            .or_else(|| v.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_string)
    });
    match message {
        Some(m) => m,
        None if body.trim().is_empty() => "(no error text)".into(),
        None => crate::emass::cap(body.trim(), 500),
    }
}

/// Every certificate of a PEM file.
fn pem_certificates(path: &Path, pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(Error::input(path, format!("not a PEM file: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(Error::input(path, "no CERTIFICATE in this PEM file"));
    }
    Ok(certs)
}

/// The client certificate of an identity.
fn client_cert(identity: &Identity) -> Result<Option<ureq::tls::ClientCert>> {
    match identity {
        Identity::None => Ok(None),
        Identity::Pem { cert, key } => {
            let certs = pem_certificates(cert, &crate::fsio::read_bytes(cert)?)?;
            let key_pem = crate::fsio::read_bytes(key)?;
            let key = ureq::tls::parse_pem(&key_pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::PrivateKey(k)) => Some(k),
                    _ => None,
                })
                .next()
                .ok_or_else(|| {
                    Error::input(
                        key,
                        "no unencrypted PRIVATE KEY in this PEM file (an encrypted key: convert it, or use --pkcs12)",
                    )
                })?;
            Ok(Some(ureq::tls::ClientCert::new_with_certs(&certs, key)))
        }
        Identity::Pkcs12 { file, password } => {
            let bytes = crate::fsio::read_bytes(file)?;
            let store = p12_keystore::KeyStore::from_pkcs12(
                &bytes,
                password,
                p12_keystore::Pkcs12ImportPolicy::Relaxed,
            )
            .map_err(|e| {
                Error::input(
                    file,
                    format!("not a readable PKCS#12 file (wrong password?): {e}"),
                )
            })?;
            let (_, chain) = store.private_key_chain().ok_or_else(|| {
                Error::input(
                    file,
                    "no private key with its certificate in this PKCS#12 file",
                )
            })?;
            let certs: Vec<ureq::tls::Certificate<'static>> = chain
                .certs()
                .iter()
                .map(|c| ureq::tls::Certificate::from_der(c.as_der()).to_owned())
                .collect();
            if certs.is_empty() {
                return Err(Error::input(file, "the PKCS#12 key has no certificate"));
            }
            // ureq takes a key from DER only with a kind it does not export; PEM names it.
            let pem = pkcs8_pem(chain.key().as_der());
            let key = ureq::tls::PrivateKey::from_pem(pem.as_bytes())
                .map_err(|e| Error::input(file, format!("the PKCS#12 private key: {e}")))?;
            Ok(Some(ureq::tls::ClientCert::new_with_certs(&certs, key)))
        }
    }
}

/// A PKCS#8 DER key as PEM text.
fn pkcs8_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// `/api/systems/{id}/device-scan-results?scanType=disaStigViewerCklCklb`.
pub fn scan_path(system_id: u64) -> String {
    format!("/api/systems/{system_id}/device-scan-results?scanType=disaStigViewerCklCklb")
}

/// `/api/systems/{id}/test-results`.
pub fn test_results_path(system_id: u64) -> String {
    format!("/api/systems/{system_id}/test-results")
}

/// `/api/systems/{id}/poams`.
pub fn poams_path(system_id: u64) -> String {
    format!("/api/systems/{system_id}/poams")
}

/// The POA&M items as the API's request body: the required fields, the risk fields some
/// instances require, milestones with Unix dates; one AP per item (the first; all are in the
/// description).
pub fn poam_body(items: &[crate::emass::poam::PoamItem]) -> serde_json::Value {
    let unix = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0)
    };
    let body: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            let mut o = serde_json::Map::new();
            let mut put = |k: &str, v: serde_json::Value| {
                o.insert(k.to_string(), v);
            };
            put("status", item.status.into());
            put("vulnerabilityDescription", item.description.clone().into());
            put("sourceIdentifyingVulnerability", item.source.clone().into());
            let org = item
                .office_org
                .split(',')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            put(
                "pocOrganization",
                crate::emass::cap(if org.is_empty() { "Unknown" } else { &org }, 100).into(),
            );
            put("resources", crate::emass::cap(&item.resources, 250).into());
            put("identifiedInCFOAuditOrOtherReview", false.into());
            if let Some(d) = item.scheduled {
                put("scheduledCompletionDate", unix(d).into());
            }
            if !item.comments.is_empty() {
                put("comments", item.comments.clone().into());
            }
            if let Some(ap) = item.aps.first() {
                put("assessmentProcedure", ap.clone().into());
            }
            if let Some(c) = item.rev4_controls.first() {
                put("controlAcronym", c.clone().into());
            }
            put("securityChecks", item.security_checks.join(",").into());
            put(
                "rawSeverity",
                crate::emass::poam::PoamSettings::default()
                    .policy(item.raw_cat)
                    .severity
                    .into(),
            );
            let p = &item.policy;
            put("severity", p.severity.into());
            put("relevanceOfThreat", p.relevance.clone().into());
            put("likelihood", p.likelihood.clone().into());
            put("impact", p.impact.clone().into());
            put("residualRiskLevel", p.residual.clone().into());
            put(
                "mitigations",
                "None in place; see Recommendations for the fix.".into(),
            );
            if !item.impact_description.is_empty() {
                put("impactDescription", item.impact_description.clone().into());
            }
            if !item.recommendations.is_empty() {
                put("recommendations", item.recommendations.clone().into());
            }
            put("devicesAffected", item.devices.join(", ").into());
            if !item.milestones.is_empty() {
                let milestones: Vec<serde_json::Value> = item
                    .milestones
                    .iter()
                    .map(|(text, date)| {
                        serde_json::json!({
                            "description": crate::emass::cap(text, 2000),
                            "scheduledCompletionDate": unix(*date),
                        })
                    })
                    .collect();
                put("milestones", milestones.into());
            }
            serde_json::Value::Object(o)
        })
        .collect();
    serde_json::Value::Array(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_base64_matches_the_standard_alphabet_and_padding() {
        let pem = pkcs8_pem(b"Man is");
        assert!(pem.contains("\nTWFuIGlz\n"), "{pem}");
        assert!(pkcs8_pem(b"Ma").contains("\nTWE=\n"));
        assert!(pkcs8_pem(b"M").contains("\nTQ==\n"));
    }

    #[test]
    fn the_error_text_is_emass_own_message() {
        assert_eq!(
            error_text(r#"{"meta":{"code":403,"errorMessage":"Access denied"}}"#),
            "Access denied"
        );
        assert_eq!(error_text("plain"), "plain");
        assert_eq!(error_text(""), "(no error text)");
    }

    #[test]
    fn a_file_upload_is_one_multipart_field_named_filename() {
        let dir = std::env::temp_dir().join(format!("exstig-upload-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("a.ckl");
        std::fs::write(&file, b"<CHECKLIST/>").expect("write");
        let r = Request::file_upload(scan_path(7), &file, 12);
        let body = String::from_utf8(r.body_bytes().expect("read").into_owned()).expect("utf8");
        assert!(
            body.contains("name=\"filename\"; filename=\"a.ckl\""),
            "{body}"
        );
        assert!(body.contains("<CHECKLIST/>"));
        assert!(
            r.content_type
                .starts_with("multipart/form-data; boundary=exstig-")
        );
        assert_eq!(
            r.describe(),
            "POST /api/systems/7/device-scan-results?scanType=disaStigViewerCklCklb\nmultipart/form-data: filename=a.ckl (12 bytes)\n"
        );
    }
}
