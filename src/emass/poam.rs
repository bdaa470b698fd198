//! The POA&M: one item per weakness (a STIG rule Open on one or more hosts), and the eMASS
//! import spreadsheet in its 2025 (26 columns) or 2018 (22 columns) layout.
//!
//! The sheet is eMASS's: the classification banner in row 1, the label/value header block in
//! rows 2-6, the column headers in row 7 with eMASS's exact strings (stray spaces included),
//! items from row 8, each milestone on its own row under its item, dates as real Excel dates,
//! and the template's data-validation lists (on a hidden `Sheet1`, as the template has them).

use super::{FleetReview, RuleReview, aps_of, cap, us_date};
use crate::cci::{CciTable, Revision};
use crate::checklist::Status;
use crate::error::{Error, Result};
use chrono::NaiveDate;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, FormatAlign, Formula, Workbook,
};
use serde::Deserialize;
use std::path::Path;

/// The eMASS risk scale (Severity, Relevance of Threat, Likelihood, Impact, Residual Risk).
pub const RISK_LEVELS: [&str; 5] = ["Very Low", "Low", "Moderate", "High", "Very High"];

/// The POA&M statuses eMASS knows (the template's hidden list).
pub const STATUSES: [&str; 5] = [
    "Completed",
    "Ongoing",
    "Not Applicable",
    "Archived",
    "Risk Accepted",
];

/// Longest Control Vulnerability Description eMASS takes.
pub const MAX_DESCRIPTION: usize = 2000;

/// The spreadsheet layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Layout {
    /// The current eMASS template: 26 columns A..Z with Devices Affected.
    #[default]
    #[value(name = "2025")]
    Y2025,
    /// The RMF template MITRE SAF ships: 22 columns A..V.
    #[value(name = "2018")]
    Y2018,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Blank,
    ItemId,
    Description,
    Control,
    OfficeOrg,
    SecurityChecks,
    Resources,
    Scheduled,
    MilestoneId,
    Milestone,
    MilestoneChanges,
    Source,
    Status,
    Comments,
    RawSeverity,
    Devices,
    Mitigations,
    Predisposing,
    Severity,
    Relevance,
    ThreatDescription,
    Likelihood,
    Impact,
    ImpactDescription,
    Residual,
    Recommendations,
    ResultingRisk,
}

/// The 2025 layout: row-7 headers in eMASS's spelling, and what each column holds.
pub const HEADERS_2025: [&str; 26] = [
    "POA&M Item ID",
    "Control Vulnerability Description",
    "Controls / APs",
    "Office/Org",
    "Security Checks",
    "Resources Required",
    "Scheduled Completion Date",
    "Milestone ID",
    "Milestone with Completion Dates",
    "Milestone Changes",
    "Source Identifying Vulnerability ",
    "Status",
    "Comments",
    "Raw Severity",
    "Devices Affected",
    "Mitigations (in-house and in conjunction with the Navy CSSP)",
    "Predisposing Conditions",
    "Severity",
    "Relevance of Threat",
    "Threat Description",
    "Likelihood",
    "Impact",
    "Impact Description",
    "Residual Risk Level",
    "Recommendations",
    "Resulting Residual Risk after Proposed Mitigations",
];

const FIELDS_2025: [Field; 26] = [
    Field::ItemId,
    Field::Description,
    Field::Control,
    Field::OfficeOrg,
    Field::SecurityChecks,
    Field::Resources,
    Field::Scheduled,
    Field::MilestoneId,
    Field::Milestone,
    Field::MilestoneChanges,
    Field::Source,
    Field::Status,
    Field::Comments,
    Field::RawSeverity,
    Field::Devices,
    Field::Mitigations,
    Field::Predisposing,
    Field::Severity,
    Field::Relevance,
    Field::ThreatDescription,
    Field::Likelihood,
    Field::Impact,
    Field::ImpactDescription,
    Field::Residual,
    Field::Recommendations,
    Field::ResultingRisk,
];

/// The 2018 layout's row-7 headers (A7 is the template's stray copy of C7).
pub const HEADERS_2018: [&str; 22] = [
    "Control Vulnerability Description",
    "POA&M Item ID",
    "Control Vulnerability Description",
    "Security Control Number (NC/NA controls only)",
    "Office/Org",
    "Security Checks",
    "Resources Required",
    "Scheduled Completion Date",
    "Milestone with Completion Dates",
    "Milestone Changes",
    "Source Identifying Vulnerability ",
    "Status",
    "Comments",
    " Raw Severity",
    "Mitigations",
    "Severity",
    "Relevance of Threat",
    "Likelihood",
    "Impact",
    "Impact Description",
    "Residual Risk Level",
    "Recommendations",
];

const FIELDS_2018: [Field; 22] = [
    Field::Blank,
    Field::ItemId,
    Field::Description,
    Field::Control,
    Field::OfficeOrg,
    Field::SecurityChecks,
    Field::Resources,
    Field::Scheduled,
    Field::Milestone,
    Field::MilestoneChanges,
    Field::Source,
    Field::Status,
    Field::Comments,
    Field::RawSeverity,
    Field::Mitigations,
    Field::Severity,
    Field::Relevance,
    Field::Likelihood,
    Field::Impact,
    Field::ImpactDescription,
    Field::Residual,
    Field::Recommendations,
];

impl Layout {
    /// The row-7 headers.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Layout::Y2025 => &HEADERS_2025,
            Layout::Y2018 => &HEADERS_2018,
        }
    }

    fn fields(self) -> &'static [Field] {
        match self {
            Layout::Y2025 => &FIELDS_2025,
            Layout::Y2018 => &FIELDS_2018,
        }
    }

    /// The 0-based column of a field.
    fn column(self, field: Field) -> Option<u16> {
        self.fields()
            .iter()
            .position(|f| *f == field)
            .map(|i| i as u16)
    }
}

/// One milestone template of the site file: `{ text = "...", days = 14 }` (days after the
/// review date).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneTemplate {
    /// What is to be done.
    pub text: String,
    /// Days after the review date.
    pub days: u32,
}

/// `[poam.cat1]` / `cat2` / `cat3`: what an item of that CAT gets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatSettings {
    /// Days from the review date to the Scheduled Completion Date.
    pub days: Option<u32>,
    /// Relevance of Threat.
    pub relevance_of_threat: Option<String>,
    /// Likelihood.
    pub likelihood: Option<String>,
    /// Impact.
    pub impact: Option<String>,
    /// Residual Risk Level.
    pub residual_risk_level: Option<String>,
    /// Milestones.
    pub milestones: Option<Vec<MilestoneTemplate>>,
}

/// The `[poam]` table of the site file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PoamSettings {
    /// System / Project Name (D5).
    pub system_name: String,
    /// System Type (K2).
    pub system_type: String,
    /// OMB Project ID (N2).
    pub omb_project_id: String,
    /// Exported By (D3).
    pub exported_by: String,
    /// DoD Component (D4).
    pub dod_component: String,
    /// POC Name (K4).
    pub poc_name: String,
    /// POC Phone (K5).
    pub poc_phone: String,
    /// POC E-Mail (K6).
    pub poc_email: String,
    /// Security Costs (N5).
    pub security_costs: String,
    /// DoD IT Registration No (D6).
    pub dod_it_registration: String,
    /// Office/Org of every item: "Organization, First Last, Phone, Email".
    pub office_org: String,
    /// Resources Required of every item (eMASS requires a value; `Staff time` by default).
    pub resources_required: String,
    /// CAT I settings.
    pub cat1: CatSettings,
    /// CAT II settings.
    pub cat2: CatSettings,
    /// CAT III settings.
    pub cat3: CatSettings,
}

/// What an item of one CAT gets, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatPolicy {
    /// Days to the Scheduled Completion Date.
    pub days: u32,
    /// Severity (from the CAT; not overridable: the severity override decides it).
    pub severity: &'static str,
    /// Relevance of Threat.
    pub relevance: String,
    /// Likelihood.
    pub likelihood: String,
    /// Impact.
    pub impact: String,
    /// Residual Risk Level.
    pub residual: String,
    /// Milestones.
    pub milestones: Vec<MilestoneTemplate>,
}

impl PoamSettings {
    /// The policy of CAT `cat` (1-3): MITRE SAF's risk table by CAT unless the site says
    /// otherwise; 30/90/180 days; one milestone on the completion date.
    pub fn policy(&self, cat: u8) -> CatPolicy {
        let (given, days, severity, likelihood, impact, residual) = match cat {
            1 => (&self.cat1, 30, "High", "Moderate", "High", "Moderate"),
            3 => (&self.cat3, 180, "Low", "Low", "Low", "Low"),
            _ => (
                &self.cat2, 90, "Moderate", "Moderate", "Moderate", "Moderate",
            ),
        };
        let days = given.days.unwrap_or(days);
        let or = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_string());
        CatPolicy {
            days,
            severity,
            relevance: or(&given.relevance_of_threat, "Moderate"),
            likelihood: or(&given.likelihood, likelihood),
            impact: or(&given.impact, impact),
            residual: or(&given.residual_risk_level, residual),
            milestones: given.milestones.clone().unwrap_or_else(|| {
                vec![MilestoneTemplate {
                    text: "Apply the fix on the devices affected and confirm it with a new review"
                        .into(),
                    days,
                }]
            }),
        }
    }

    /// Checks the risk words against eMASS's scale and the milestones against the completion
    /// date (eMASS refuses a milestone after it); `path` names the site file.
    pub fn check(&self, path: &Path) -> Result<()> {
        for cat in 1..=3 {
            let p = self.policy(cat);
            for (key, value) in [
                ("relevance_of_threat", &p.relevance),
                ("likelihood", &p.likelihood),
                ("impact", &p.impact),
                ("residual_risk_level", &p.residual),
            ] {
                if !RISK_LEVELS.contains(&value.as_str()) {
                    return Err(Error::input(
                        path,
                        format!(
                            "[poam.cat{cat}] {key} = \"{value}\" is not one of eMASS's values: {}",
                            RISK_LEVELS.join(", ")
                        ),
                    ));
                }
            }
            if p.milestones.is_empty() {
                return Err(Error::input(
                    path,
                    format!(
                        "[poam.cat{cat}] milestones is empty: eMASS refuses an Ongoing item without a milestone"
                    ),
                ));
            }
            for m in &p.milestones {
                if m.days > p.days {
                    return Err(Error::input(
                        path,
                        format!(
                            "[poam.cat{cat}] milestone \"{}\" falls {} days after the review, past the scheduled completion ({} days): eMASS refuses it",
                            m.text, m.days, p.days
                        ),
                    ));
                }
                if m.text.trim().is_empty() {
                    return Err(Error::input(
                        path,
                        format!("[poam.cat{cat}] a milestone has no text"),
                    ));
                }
            }
        }
        if self.resources_required.chars().count() > 250 {
            return Err(Error::input(
                path,
                "[poam] resources_required is longer than eMASS's 250 characters",
            ));
        }
        Ok(())
    }
}

/// One POA&M item.
#[derive(Debug, Clone, PartialEq)]
pub struct PoamItem {
    /// Control Vulnerability Description (at most 2,000 characters).
    pub description: String,
    /// The APs of the rule's CCIs for the chosen revision.
    pub aps: Vec<String>,
    /// The rev 4 controls (the API's `controlAcronym` is rev 4 defined).
    pub rev4_controls: Vec<String>,
    /// Office/Org.
    pub office_org: String,
    /// Rule ID and Vuln ID.
    pub security_checks: Vec<String>,
    /// Resources Required.
    pub resources: String,
    /// Source Identifying Vulnerability: STIG title, version and release.
    pub source: String,
    /// `Ongoing`, `Risk Accepted` or `Not Applicable`.
    pub status: &'static str,
    /// Comments (dates after the text).
    pub comments: String,
    /// DISA's CAT (1-3).
    pub raw_cat: u8,
    /// The CAT after severity overrides.
    pub cat: u8,
    /// Severity, Relevance of Threat, Likelihood, Impact, Residual Risk Level.
    pub policy: CatPolicy,
    /// Impact Description (the rule's discussion when the checklist has it).
    pub impact_description: String,
    /// Recommendations: the fix text and exstig's fix commands.
    pub recommendations: String,
    /// Scheduled Completion Date (None for Risk Accepted and Not Applicable items).
    pub scheduled: Option<NaiveDate>,
    /// Milestones with their dates (none for Risk Accepted and Not Applicable items).
    pub milestones: Vec<(String, NaiveDate)>,
    /// Devices Affected (host names).
    pub devices: Vec<String>,
}

/// How the POA&M is made.
#[derive(Debug, Clone)]
pub struct PoamOptions<'a> {
    /// The CCI table.
    pub table: &'a CciTable,
    /// The NIST revision of the APs.
    pub revision: Revision,
    /// `[poam]` of the site file.
    pub settings: PoamSettings,
    /// The site's exceptions (an Open rule with an approved open exception is Risk Accepted).
    pub exceptions: Vec<crate::site::Exception>,
    /// The site file's name, for comments.
    pub site_name: String,
    /// The review date.
    pub date: NaiveDate,
    /// Not_Applicable rules become items (status Not Applicable).
    pub include_na: bool,
    /// One item per host instead of one per weakness.
    pub per_host: bool,
}

/// The items and what the user must hear about.
#[derive(Debug, Clone, Default)]
pub struct Poam {
    /// The items in rule order.
    pub items: Vec<PoamItem>,
    /// Warnings (incomplete review, CCIs without AP).
    pub warnings: Vec<String>,
    /// Whether a warning makes the result partial (exit code 1).
    pub partial: bool,
}

/// Builds the POA&M of a fleet.
pub fn build(fleet: &FleetReview, options: &PoamOptions) -> Result<Poam> {
    let mut poam = Poam::default();
    if let Some(nr) = fleet.not_reviewed_warning() {
        poam.warnings
            .push(format!("a POA&M from an incomplete review: {nr}"));
    }
    for rule in &fleet.rules {
        let open = rule.any(Status::Open);
        let na_only = !open && options.include_na && rule.any(Status::NotApplicable);
        if !open && !na_only {
            continue;
        }
        let (aps, without) = aps_of(rule, options.table, options.revision)?;
        if rule.ccis.is_empty() {
            poam.partial = true;
            poam.warnings.push(format!(
                "{}: rule {} carries no CCI; its item has no control or AP (a system-level item)",
                first_file(rule),
                rule.rule_id
            ));
        }
        if !without.is_empty() {
            poam.partial = true;
            poam.warnings.push(format!(
                "{}: rule {} cites {} with no rev {} assessment procedure; {}",
                first_file(rule),
                rule.rule_id,
                without.join(", "),
                options.revision.number(),
                if aps.is_empty() {
                    "its item has no AP (a system-level item)"
                } else {
                    "the item names the other CCIs' APs only"
                }
            ));
        }
        let status = if open {
            Status::Open
        } else {
            Status::NotApplicable
        };
        if options.per_host {
            for host in rule.hosts_with(status) {
                let mut single = rule.clone();
                single.hosts = vec![host.clone()];
                poam.items.push(item(&single, status, aps.clone(), options));
            }
        } else {
            poam.items.push(item(rule, status, aps, options));
        }
    }
    Ok(poam)
}

fn first_file(rule: &RuleReview) -> String {
    rule.hosts
        .first()
        .map(|h| h.file.display().to_string())
        .unwrap_or_default()
}

/// The valid site exception of an Open rule that makes it Risk Accepted: status open, an
/// approver, not expired on the review date.
fn risk_acceptance<'a>(
    rule: &RuleReview,
    options: &'a PoamOptions,
) -> Option<&'a crate::site::Exception> {
    let base = crate::benchmark::rule_id_base(&rule.rule_id);
    options.exceptions.iter().find(|e| {
        let id = e.rule.trim();
        let names_rule = id.eq_ignore_ascii_case(&rule.rule_ver)
            || id.eq_ignore_ascii_case(&rule.vuln_id)
            || crate::benchmark::rule_id_base(id).eq_ignore_ascii_case(base);
        names_rule
            && e.status == crate::site::ExceptionStatus::Open
            && e.approved_by
                .as_deref()
                .is_some_and(|a| !a.trim().is_empty())
            && e.expires.is_none_or(|d| d >= options.date)
    })
}

fn item(rule: &RuleReview, status: Status, aps: Vec<String>, options: &PoamOptions) -> PoamItem {
    let hosts = rule.hosts_with(status);
    let devices: Vec<String> = hosts.iter().map(|h| h.host.clone()).collect();
    let cat = if status == Status::Open {
        rule.effective_cat()
    } else {
        rule.raw_cat()
    };
    let policy = options.settings.policy(cat);
    let accepted = (status == Status::Open)
        .then(|| risk_acceptance(rule, options))
        .flatten();
    let item_status = match (status, accepted) {
        (Status::NotApplicable, _) => "Not Applicable",
        (_, Some(_)) => "Risk Accepted",
        _ => "Ongoing",
    };
    let date = options.date;
    let (scheduled, milestones) = if item_status == "Ongoing" {
        let scheduled = date + chrono::Days::new(u64::from(policy.days));
        let milestones = policy
            .milestones
            .iter()
            .map(|m| (m.text.clone(), date + chrono::Days::new(u64::from(m.days))))
            .collect();
        (Some(scheduled), milestones)
    } else {
        (None, Vec::new())
    };
    // What was found: the first line of each host's finding details.
    let mut found = String::new();
    for h in &hosts {
        if !h.finding.is_empty() {
            found.push_str(&format!("\n{}: {}", h.host, h.finding));
        }
    }
    let verb = if status == Status::Open {
        "Open"
    } else {
        "Not Applicable"
    };
    let description = cap(
        &format!(
            "{}\n{verb} on {} of {} host{} reviewed ({}).{found}",
            rule.title,
            hosts.len(),
            rule.hosts.len(),
            if rule.hosts.len() == 1 { "" } else { "s" },
            devices.join(", ")
        ),
        MAX_DESCRIPTION,
    );
    let rev4_controls = rule
        .ccis
        .iter()
        .filter_map(|c| options.table.get(c))
        .map(|r| r.rev4.control.clone())
        .filter(|c| !c.is_empty())
        .fold(Vec::<String>::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        });
    let mut comments = Vec::new();
    comments.push(format!(
        "{} {verb} on {} as of {}",
        rule.rule_id,
        devices.join(", "),
        us_date(date)
    ));
    for h in &hosts {
        if !h.severity_override.trim().is_empty() {
            comments.push(format!(
                "Severity overridden to {} on {}: {}",
                h.severity_override.trim(),
                h.host,
                h.severity_justification.trim()
            ));
        }
    }
    if RuleReview::cat_of(&rule.severity) == 2 && rule.severity.trim().is_empty() {
        comments.push("The checklist gives no severity; CAT II assumed".into());
    }
    if let Some(e) = accepted {
        comments.push(format!(
            "Risk accepted by {} ({} line {}): {}{}",
            e.approved_by.as_deref().unwrap_or_default(),
            options.site_name,
            e.line,
            e.justification.trim(),
            e.expires
                .map(|d| format!("; expires {}", us_date(d)))
                .unwrap_or_default()
        ));
    }
    let mut recommendations = rule.fix_text.trim().to_string();
    let commands: Vec<String> = hosts
        .iter()
        .flat_map(|h| h.fix_commands.iter().cloned())
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        });
    if !commands.is_empty() {
        if !recommendations.is_empty() {
            recommendations.push_str("\n\n");
        }
        recommendations.push_str("exstig fix (Exchange Management Shell):\n");
        recommendations.push_str(&commands.join("\n"));
    }
    let source = format!(
        "{} :: Version {}, {}",
        rule.stig_title, rule.stig_version, rule.release_info
    );
    PoamItem {
        description,
        aps,
        rev4_controls,
        office_org: options.settings.office_org.clone(),
        security_checks: [rule.rule_id.clone(), rule.vuln_id.clone()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect(),
        resources: if options.settings.resources_required.trim().is_empty() {
            "Staff time".into()
        } else {
            options.settings.resources_required.clone()
        },
        source: cap(source.trim(), MAX_DESCRIPTION),
        status: item_status,
        comments: cap(&comments.join("\n"), MAX_DESCRIPTION),
        raw_cat: rule.raw_cat(),
        cat,
        policy,
        impact_description: cap(rule.discussion.trim(), MAX_DESCRIPTION),
        recommendations: cap(&recommendations, MAX_DESCRIPTION),
        scheduled,
        milestones,
        devices,
    }
}

/// `I`, `II`, `III`.
pub fn roman(cat: u8) -> &'static str {
    match cat {
        1 => "I",
        3 => "III",
        _ => "II",
    }
}

/// The classification banner of row 1, from the checklists' MARKING.
pub fn banner(markings: &[String]) -> String {
    let marking = if markings.is_empty() {
        "CUI".to_string()
    } else {
        markings.join(" // ")
    };
    format!("***** {marking} *****")
}

fn excel_date(date: NaiveDate) -> ExcelDateTime {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
        .unwrap_or_else(|_| ExcelDateTime::from_ymd(1900, 1, 1).expect("a valid date"))
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Usage(format!("writing the POA&M workbook: {e}"))
}

/// The workbook's bytes: the POA&M sheet first, a hidden `Sheet1` with the validation lists.
pub fn to_xlsx(
    poam: &Poam,
    layout: Layout,
    settings: &PoamSettings,
    markings: &[String],
    date: NaiveDate,
) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let date_format = Format::new()
        .set_num_format("m/d/yyyy")
        .set_align(FormatAlign::Top);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let last_col = (layout.headers().len() - 1) as u16;
    {
        let sheet = workbook.add_worksheet();
        sheet.set_name("POA&M").map_err(xlsx_error)?;
        sheet
            .merge_range(0, 0, 0, last_col, &banner(markings), &header)
            .map_err(xlsx_error)?;
        // Rows 2-6: the label/value block as the template places it.
        let labels: [(u32, u16, u16, &str); 11] = [
            (1, 0, 2, "Date Exported:"),
            (1, 9, 9, "System Type:"),
            (1, 12, 12, "OMB Project ID:"),
            (2, 0, 2, "Exported By:"),
            (3, 0, 2, "DoD Component:"),
            (3, 9, 9, "POC Name:"),
            (4, 0, 2, "System / Project Name:"),
            (4, 9, 9, "POC Phone:"),
            (4, 12, 12, "Security Costs:"),
            (5, 0, 2, "DoD IT Registration No:"),
            (5, 9, 9, "POC E-Mail:"),
        ];
        for (row, first, last, text) in labels {
            if first == last {
                sheet
                    .write_string_with_format(row, first, text, &bold)
                    .map_err(xlsx_error)?;
            } else {
                sheet
                    .merge_range(row, first, row, last, text, &bold)
                    .map_err(xlsx_error)?;
            }
        }
        let values: [(u32, u16, u16, &str); 10] = [
            (1, 10, 11, &settings.system_type),
            (1, 13, 15, &settings.omb_project_id),
            (2, 3, 8, &settings.exported_by),
            (3, 3, 8, &settings.dod_component),
            (3, 10, 11, &settings.poc_name),
            (4, 3, 8, &settings.system_name),
            (4, 10, 11, &settings.poc_phone),
            (4, 13, 15, &settings.security_costs),
            (5, 3, 8, &settings.dod_it_registration),
            (5, 10, 11, &settings.poc_email),
        ];
        for (row, first, last, text) in values {
            sheet
                .merge_range(row, first, row, last, text, &Format::new())
                .map_err(xlsx_error)?;
        }
        sheet
            .merge_range(1, 3, 1, 8, "", &date_format)
            .map_err(xlsx_error)?;
        sheet
            .write_datetime_with_format(1, 3, excel_date(date), &date_format)
            .map_err(xlsx_error)?;
        for (col, text) in layout.headers().iter().enumerate() {
            sheet
                .write_string_with_format(6, col as u16, *text, &header)
                .map_err(xlsx_error)?;
            sheet.set_column_width(col as u16, 18).map_err(xlsx_error)?;
        }
        let mut row = 7u32;
        for item in &poam.items {
            write_item(sheet, layout, item, row, &wrap, &date_format)?;
            row += item.milestones.len().max(1) as u32;
        }
        add_validations(sheet, layout)?;
    }
    let lists = workbook.add_worksheet();
    lists.set_name("Sheet1").map_err(xlsx_error)?;
    for (i, level) in RISK_LEVELS.iter().enumerate() {
        lists
            .write_string(i as u32 + 1, 1, *level)
            .map_err(xlsx_error)?;
    }
    for (i, status) in STATUSES.iter().enumerate() {
        lists
            .write_string(i as u32 + 1, 3, *status)
            .map_err(xlsx_error)?;
    }
    for (i, cat) in ["I", "II", "III"].iter().enumerate() {
        lists
            .write_string(i as u32 + 1, 5, *cat)
            .map_err(xlsx_error)?;
    }
    lists.set_hidden(true);
    workbook.save_to_buffer().map_err(xlsx_error)
}

fn write_item(
    sheet: &mut rust_xlsxwriter::Worksheet,
    layout: Layout,
    item: &PoamItem,
    row: u32,
    wrap: &Format,
    date_format: &Format,
) -> Result<()> {
    let p = &item.policy;
    for (col, field) in layout.fields().iter().enumerate() {
        let col = col as u16;
        let text: String = match field {
            Field::Description => item.description.clone(),
            Field::Control => item.aps.join("; "),
            Field::OfficeOrg => item.office_org.clone(),
            Field::SecurityChecks => item.security_checks.join("; "),
            Field::Resources => item.resources.clone(),
            Field::Source => item.source.clone(),
            Field::Status => item.status.to_string(),
            Field::Comments => item.comments.clone(),
            Field::RawSeverity => roman(item.raw_cat).to_string(),
            Field::Devices => item.devices.join(", "),
            Field::Severity => p.severity.to_string(),
            Field::Relevance => p.relevance.clone(),
            Field::Likelihood => p.likelihood.clone(),
            Field::Impact => p.impact.clone(),
            Field::ImpactDescription => item.impact_description.clone(),
            Field::Residual => p.residual.clone(),
            Field::Recommendations => item.recommendations.clone(),
            Field::Scheduled => {
                if let Some(d) = item.scheduled {
                    sheet
                        .write_datetime_with_format(row, col, excel_date(d), date_format)
                        .map_err(xlsx_error)?;
                }
                continue;
            }
            Field::Milestone | Field::MilestoneId => {
                for (i, (text, date)) in item.milestones.iter().enumerate() {
                    let r = row + i as u32;
                    if *field == Field::MilestoneId {
                        sheet
                            .write_number(r, col, (i + 1) as f64)
                            .map_err(xlsx_error)?;
                    } else {
                        sheet
                            .write_string_with_format(
                                r,
                                col,
                                format!("{text} {}", us_date(*date)),
                                wrap,
                            )
                            .map_err(xlsx_error)?;
                    }
                }
                continue;
            }
            Field::Blank
            | Field::ItemId
            | Field::MilestoneChanges
            | Field::Mitigations
            | Field::Predisposing
            | Field::ThreatDescription
            | Field::ResultingRisk => continue,
        };
        if !text.is_empty() {
            sheet
                .write_string_with_format(row, col, text, wrap)
                .map_err(xlsx_error)?;
        }
    }
    Ok(())
}

/// The template's validations: the completion date a date, the risk columns and Raw Severity
/// lists on `Sheet1`, and (both layouts) Status from the template's status list.
fn add_validations(sheet: &mut rust_xlsxwriter::Worksheet, layout: Layout) -> Result<()> {
    const LAST_ROW: u32 = 1_048_575;
    let list = |range: &str| DataValidation::new().allow_list_formula(Formula::new(range));
    let risk = list("=Sheet1!$B$1:$B$6");
    for field in [
        Field::Severity,
        Field::Relevance,
        Field::Likelihood,
        Field::Impact,
        Field::Residual,
    ] {
        if let Some(col) = layout.column(field) {
            sheet
                .add_data_validation(7, col, LAST_ROW, col, &risk)
                .map_err(xlsx_error)?;
        }
    }
    if let Some(col) = layout.column(Field::RawSeverity) {
        sheet
            .add_data_validation(7, col, LAST_ROW, col, &list("=Sheet1!$F$1:$F$4"))
            .map_err(xlsx_error)?;
    }
    if let Some(col) = layout.column(Field::Status) {
        sheet
            .add_data_validation(7, col, LAST_ROW, col, &list("=Sheet1!$D$1:$D$6"))
            .map_err(xlsx_error)?;
    }
    if let Some(col) = layout.column(Field::Scheduled) {
        let floor = ExcelDateTime::from_ymd(1905, 3, 4).map_err(xlsx_error)?;
        let date = DataValidation::new()
            .allow_date(DataValidationRule::GreaterThanOrEqualTo(floor))
            .set_error_title("Not a date")
            .map_err(xlsx_error)?
            .set_error_message("The scheduled completion date is a date (MM/DD/YYYY).")
            .map_err(xlsx_error)?;
        sheet
            .add_data_validation(7, col, LAST_ROW, col, &date)
            .map_err(xlsx_error)?;
    }
    Ok(())
}
