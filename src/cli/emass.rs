//! `exstig emass`: test results per assessment procedure (`test-results`), and the upload of
//! checklists, test results and POA&M items through the eMASS REST API (`upload`).

use crate::cci::{CciTable, Revision};
use crate::emass::api::{self, Client, Connection, Identity, Request};
use crate::emass::test_results;
use crate::emass::{FleetReview, poam};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

/// The checklists of a review and how they map to eMASS.
#[derive(Debug, Clone, clap::Args)]
pub struct ReviewArgs {
    /// Checklists: CKL, CKLB or XCCDF results, any mix, any number of hosts.
    #[arg(value_name = "CHECKLIST", required = true)]
    pub checklists: Vec<PathBuf>,
    /// NIST SP 800-53 revision of the controls and assessment procedures.
    #[arg(long, value_enum, default_value = "5")]
    pub nist_rev: Revision,
    /// DISA's CCI list (U_CCI_List.xml or .zip) to use instead of the embedded table; the APs
    /// still come from the embedded map.
    #[arg(long, value_name = "FILE")]
    pub cci_list: Option<PathBuf>,
    /// The review date (YYYY-MM-DD; default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

impl ReviewArgs {
    /// The CCI table in force and notes about a user list.
    pub fn table(&self) -> Result<(Cow<'static, CciTable>, Vec<String>)> {
        crate::cci::table_for(self.cci_list.as_deref())
    }

    /// The rolled-up checklists.
    pub fn fleet(&self) -> Result<FleetReview> {
        FleetReview::read(&self.checklists)
    }

    /// `--date`, or today (UTC).
    pub fn date(&self) -> Result<chrono::NaiveDate> {
        match &self.date {
            // UTC: eMASS refuses a test date after its own today.
            None => Ok(chrono::Utc::now().date_naive()),
            Some(text) => chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| Error::Usage(format!("--date {text}: not a date (YYYY-MM-DD)"))),
        }
    }
}

/// Arguments of `exstig emass`.
#[derive(Debug, clap::Args)]
pub struct EmassArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// One test result per assessment procedure, rolled up across rules and hosts: the JSON
    /// body of POST /api/systems/{id}/test-results, or CSV for people.
    TestResults(TestResultsArgs),
    /// Upload checklists (one per call), and optionally the test results and POA&M items,
    /// through the eMASS REST API.
    Upload(Box<UploadArgs>),
}

/// Arguments of `exstig emass test-results`.
#[derive(Debug, clap::Args)]
pub struct TestResultsArgs {
    /// The checklists.
    #[command(flatten)]
    pub review: ReviewArgs,
    /// Output: .json (the API request body) or .csv.
    #[arg(short, long, value_name = "RESULTS.json|.csv")]
    pub output: PathBuf,
    /// Who tested: "Last, First" (100 characters at most).
    #[arg(long, value_name = "\"Last, First\"")]
    pub tested_by: String,
}

/// Arguments of `exstig emass upload`.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The checklists; CKL and CKLB files are uploaded, XCCDF results only feed the test
    /// results and POA&M.
    #[command(flatten)]
    pub review: ReviewArgs,
    /// eMASS base URL.
    #[arg(long, env = "EMASS_URL", value_name = "URL")]
    pub url: String,
    /// The eMASS system id.
    #[arg(long, env = "EMASS_SYSTEM_ID", value_name = "N")]
    pub system_id: u64,
    /// The api-key eMASS issued (never printed).
    #[arg(long, env = "EMASS_API_KEY", value_name = "K", hide_env_values = true)]
    pub api_key: String,
    /// The user-uid (EDIPI) the API acts for.
    #[arg(long, env = "EMASS_USER_UID", value_name = "U")]
    pub user_uid: String,
    /// Client certificate (PEM).
    #[arg(
        long,
        env = "EMASS_CERT",
        value_name = "PEM",
        requires = "key",
        conflicts_with = "pkcs12"
    )]
    pub cert: Option<PathBuf>,
    /// Its private key (PEM, unencrypted).
    #[arg(long, env = "EMASS_KEY", value_name = "PEM", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Client certificate and key in one PKCS#12 file (.p12/.pfx).
    #[arg(long, env = "EMASS_PKCS12", value_name = "FILE")]
    pub pkcs12: Option<PathBuf>,
    /// The PKCS#12 password (never printed).
    #[arg(
        long,
        env = "EMASS_PKCS12_PASSWORD",
        value_name = "P",
        hide_env_values = true,
        default_value = ""
    )]
    pub pkcs12_password: String,
    /// CA certificates (PEM) to trust for the eMASS server instead of the built-in roots.
    #[arg(long, env = "EMASS_CA", value_name = "PEM")]
    pub ca: Option<PathBuf>,
    /// Allow an http:// URL (a local mock); the certificate is then optional.
    #[arg(long)]
    pub allow_http: bool,
    /// Also post the test results (needs --tested-by).
    #[arg(long, requires = "tested_by")]
    pub test_results: bool,
    /// Who tested: "Last, First".
    #[arg(long, env = "EMASS_TESTED_BY", value_name = "\"Last, First\"")]
    pub tested_by: Option<String>,
    /// Also post the POA&M items of the Open rules.
    #[arg(long)]
    pub poam: bool,
    /// Site file for the POA&M ([poam], [[exception]]).
    #[arg(long, value_name = "site.toml")]
    pub site: Option<PathBuf>,
    /// Print each request (method, path, body) instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
    /// Retries of a 429/5xx answer or a failed connection.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
    /// First backoff between retries in milliseconds (doubled each retry).
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    pub backoff_ms: u64,
    /// Timeout of one request in seconds.
    #[arg(long, default_value_t = 120, value_name = "S")]
    pub timeout: u64,
}

/// Runs `exstig emass`.
pub fn run(args: &EmassArgs) -> Result<i32> {
    match &args.action {
        Action::TestResults(a) => run_test_results(a),
        Action::Upload(a) => run_upload(a),
    }
}

/// Checks "Last, First" against eMASS's rule and length.
fn check_tested_by(text: &str) -> Result<String> {
    let t = text.trim();
    let ok = t
        .split_once(',')
        .is_some_and(|(last, first)| !last.trim().is_empty() && !first.trim().is_empty());
    if !ok {
        return Err(Error::Usage(format!(
            "--tested-by \"{text}\": eMASS wants \"Last, First\""
        )));
    }
    if t.chars().count() > test_results::MAX_TESTED_BY {
        return Err(Error::Usage(format!(
            "--tested-by is longer than eMASS's {} characters",
            test_results::MAX_TESTED_BY
        )));
    }
    Ok(t.to_string())
}

/// Unix time of a date at midnight UTC; eMASS refuses a test date in the future.
fn unix_date(date: chrono::NaiveDate) -> Result<i64> {
    if date > chrono::Utc::now().date_naive() {
        return Err(Error::Usage(format!(
            "--date {date} is in the future; eMASS refuses test results dated after today"
        )));
    }
    Ok(date
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0))
}

/// Builds the test results and prints the warnings and what was left out.
fn build_results(
    review: &ReviewArgs,
    fleet: &FleetReview,
    tested_by: &str,
) -> Result<(test_results::TestResults, Vec<String>)> {
    let tested_by = check_tested_by(tested_by)?;
    let date = unix_date(review.date()?)?;
    let (table, notes) = review.table()?;
    let results = test_results::build(fleet, &table, review.nist_rev, &tested_by, date)?;
    let mut warnings = notes;
    warnings.extend(results.warnings.iter().cloned());
    if !results.not_reviewed.is_empty() {
        warnings.push(format!(
            "no result for {} assessment procedure{} whose rules were all Not_Reviewed: {}",
            results.not_reviewed.len(),
            if results.not_reviewed.len() == 1 {
                ""
            } else {
                "s"
            },
            results.not_reviewed.join(", ")
        ));
    }
    Ok((results, warnings))
}

fn run_test_results(args: &TestResultsArgs) -> Result<i32> {
    let ext = args
        .output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "json" && ext != "csv" {
        return Err(Error::Usage(format!(
            "{}: name the output .json (the API request body) or .csv",
            args.output.display()
        )));
    }
    check_tested_by(&args.tested_by)?;
    let inputs: Vec<&std::path::Path> = args
        .review
        .checklists
        .iter()
        .map(PathBuf::as_path)
        .chain(args.review.cci_list.as_deref())
        .collect();
    crate::fsio::check_outputs(
        &[args.output.as_path()],
        &inputs,
        crate::fsio::WriteOptions::default(),
        false,
    )?;
    let fleet = args.review.fleet()?;
    let (results, warnings) = build_results(&args.review, &fleet, &args.tested_by)?;
    let text = if ext == "json" {
        test_results::to_json(&results.results)
    } else {
        test_results::to_csv(&results.results)
    };
    crate::fsio::write_atomic(&args.output, text.as_bytes())?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "{}: {} test result{}",
        args.output.display(),
        results.results.len(),
        if results.results.len() == 1 { "" } else { "s" }
    );
    Ok(if results.warnings.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

fn run_upload(args: &UploadArgs) -> Result<i32> {
    let identity = match (&args.cert, &args.key, &args.pkcs12) {
        (Some(cert), Some(key), _) => Identity::Pem {
            cert: cert.clone(),
            key: key.clone(),
        },
        (_, _, Some(file)) => Identity::Pkcs12 {
            file: file.clone(),
            password: args.pkcs12_password.clone(),
        },
        _ => Identity::None,
    };
    let connection = Connection {
        url: args.url.clone(),
        api_key: args.api_key.clone(),
        user_uid: args.user_uid.clone(),
        identity,
        ca: args.ca.clone(),
        allow_http: args.allow_http,
        retries: args.retries,
        backoff: Duration::from_millis(args.backoff_ms),
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    // Everything is built before the first request: bad input stops the run with nothing sent.
    let client = if args.dry_run {
        None
    } else {
        Some(Client::new(connection)?)
    };
    let mut requests: Vec<Request> = Vec::new();
    for path in &args.review.checklists {
        // Each file is read and checked now, so that a broken one stops the run before any
        // request; its bytes are read again when sent.
        let bytes = crate::fsio::read_bytes(path)?;
        let text = crate::fsio::decode_text(path, &bytes)?;
        if crate::merge::Format::of_text(&text).is_none() {
            return Err(Error::input(
                path,
                "neither a CKL (XML) nor a CKLB (JSON) checklist",
            ));
        }
        crate::reviews::read(path)?;
        if !crate::reviews::is_xccdf_results(&text) {
            requests.push(Request::file_upload(
                api::scan_path(args.system_id),
                path,
                bytes.len() as u64,
            ));
        }
    }
    let need_fleet = args.test_results || args.poam;
    let fleet = if need_fleet {
        Some(args.review.fleet()?)
    } else {
        None
    };
    let mut warnings = Vec::new();
    if let (true, Some(fleet), Some(tested_by)) = (args.test_results, &fleet, &args.tested_by) {
        let (results, notes) = build_results(&args.review, fleet, tested_by)?;
        warnings.extend(notes);
        if !results.results.is_empty() {
            requests.push(Request::json(
                api::test_results_path(args.system_id),
                &serde_json::to_value(&results.results).unwrap_or_default(),
                "test results",
            ));
        }
    }
    if let (true, Some(fleet)) = (args.poam, &fleet) {
        let site = match &args.site {
            Some(p) => crate::site::Site::load(p)?,
            None => crate::site::Site::default(),
        };
        let (table, _) = args.review.table()?;
        let options = poam::PoamOptions {
            table: &table,
            revision: args.review.nist_rev,
            settings: site.poam.clone(),
            exceptions: site.exception.clone(),
            site_name: site.display_name(),
            date: args.review.date()?,
            include_na: false,
            per_host: false,
        };
        let built = poam::build(fleet, &options)?;
        warnings.extend(built.warnings.iter().cloned());
        if !built.items.is_empty() {
            requests.push(Request::json(
                api::poams_path(args.system_id),
                &api::poam_body(&built.items),
                "POA&M items",
            ));
        }
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let Some(client) = client else {
        for r in &requests {
            print!("{}", r.describe());
        }
        eprintln!("dry run: {} request(s) not sent", requests.len());
        return Ok(EXIT_OK);
    };
    for (i, request) in requests.iter().enumerate() {
        match client.send(request) {
            Ok(answer) => println!("{}", summary(request, &answer)),
            Err(e) => {
                let what = format!(
                    "{} {} ({}): {e}",
                    request.method, request.path, request.concerns
                );
                if i == 0 {
                    return Err(Error::Usage(format!("{what}; nothing was uploaded")));
                }
                eprintln!(
                    "exstig: error: {what}; stopped after {i} of {} request(s) went through",
                    requests.len()
                );
                return Ok(EXIT_FINDINGS);
            }
        }
    }
    Ok(EXIT_OK)
}

/// The summary line of one answered request: per file `assetsImported`, else the count of
/// items eMASS reports as saved.
fn summary(request: &Request, answer: &serde_json::Value) -> String {
    let data = answer.get("data").and_then(|d| d.as_array());
    let rows = data.map(|d| d.as_slice()).unwrap_or_default();
    if request.path.contains("device-scan-results") {
        let imported: i64 = rows
            .iter()
            .filter_map(|r| r.get("assetsImported").and_then(|v| v.as_i64()))
            .sum();
        let errors: Vec<String> = rows
            .iter()
            .filter_map(|r| r.get("errors"))
            .filter(|e| !e.is_null() && e.as_array().is_none_or(|a| !a.is_empty()))
            .map(|e| e.to_string())
            .collect();
        let mut line = format!("{}: assetsImported {imported}", request.concerns);
        if !errors.is_empty() {
            line.push_str(&format!(" (eMASS: {})", errors.join("; ")));
        }
        return line;
    }
    let saved = rows
        .iter()
        .filter(|r| r.get("success").and_then(|s| s.as_bool()).unwrap_or(false))
        .count();
    format!(
        "{}: {saved} of {} saved",
        request.concerns,
        rows.len().max(saved)
    )
}
