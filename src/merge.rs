//! Merging checklists without losing a word: automatic results into a reviewed checklist
//! (`exstig evaluate --merge-into`), and checklists of one asset into each other (`exstig merge`).
//!
//! # Policy
//!
//! Rules are matched within the STIG of the same `stigid`: by `Rule_ID` (with revision), then by
//! the Rule ID without revision, then — only when the two checklists are from different releases —
//! by STIG ID (`Rule_Ver`). An incoming STIG the checklist does not have is added as a new iSTIG.
//! Only incoming rules that carry a result are considered: a status other than Not_Reviewed, or
//! FINDING_DETAILS that start with exstig's marker line (`exstig <version> automated result`).
//! Only STATUS, FINDING_DETAILS and COMMENTS of matched rules change; STIG_DATA, severity
//! overrides and justifications, the ASSET, other iSTIGs and rules without an incoming result stay
//! exactly as they were.
//!
//! * **Protected reviews.** A human's NotAFinding / Not_Applicable with a human comment is not
//!   overwritten by an automatic result unless [`MergePolicy::overwrite_manual`]; when the statuses
//!   disagree the report marks a conflict. A protected review is left exactly as it was.
//! * **Human statuses never fall back to Not_Reviewed.** An automatic Not_Reviewed (the tool could
//!   not decide) does not replace a status a human set; its details are still attached.
//! * **FINDING_DETAILS.** Details that start with the exstig marker are exstig's own and are
//!   replaced by the new automatic details. Details a human wrote are kept word for word and the
//!   automatic result is attached below them between the lines [`BLOCK_BEGIN`] and [`BLOCK_END`];
//!   the next merge replaces only what is between those lines.
//! * **COMMENTS** a human wrote are never replaced: exstig's comment (e.g. the fix command of an
//!   Open rule) is attached in the same begin/end block. Comments count as exstig's own when they
//!   are blank, start with the marker, hold only an attached block, or equal the incoming
//!   automatic comment exactly (the same result written again). A comment exstig wrote in an
//!   earlier run that differs from today's is therefore kept as if a human wrote it: words are
//!   never lost, at the price of an old fix hint staying until someone deletes it.
//! * **Human results from another file** (`exstig merge`): statuses follow the precedence; texts
//!   are united (a text already contained in the other is not repeated); an empty severity
//!   override is filled from the incoming file, a different one is kept and reported.
//! * **Precedence**: [`Precedence::Newest`] (default: the incoming file is newer), [`Precedence::OpenWins`]
//!   (an Open on either side wins, even over a protected review), [`Precedence::ManualWins`] (any
//!   human status beats an automatic one). [`MergePolicy::overwrite_manual`] wins over
//!   `ManualWins`.
//! * **Recognizing exstig's own text.** Details are exstig's when they start with the marker or
//!   hold only an attached block. When merge writes an automatic comment it adds a line
//!   `exstig comment digest: <16 hex> (bookkeeping, not part of the result: ...)` (SHA-256 of
//!   the comment, and a plain explanation for the assessor who reads it) to the automatic
//!   details, so the next merge knows exactly whether a human has edited the comment since. Checklists written by
//!   `exstig evaluate` carry no digest; there a comment is taken as exstig's when it starts like
//!   evaluate's verdict comments (`Open: `, `NotAFinding: `, `Not applicable: `, `Not reviewed: `)
//!   or exception notes. A replaced comment is kept in the report (`replaced_comments`).
//! * **Length.** Automatic text attached to long human text is cut (with a marker), or left out,
//!   so that STIG Viewer's 32,767-character limit never removes human words.
//! * **One result per rule.** When several incoming rules match one checklist rule, the first
//!   applies and the others are reported as ignored.
//!
//! Merging is idempotent: applying the same incoming checklist twice changes nothing the second time.

use crate::checklist::{Checklist, ChecklistStig, MAX_TEXT_CHARS, Status, Vuln, text_length};
use crate::error::{Error, Result};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// First line of an automatic result block attached below human-written text.
pub const BLOCK_BEGIN: &str = "[exstig automated result: begin]";
/// Last line of an automatic result block attached below human-written text.
pub const BLOCK_END: &str = "[exstig automated result: end]";

/// Which side wins when both checklists have a result for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Precedence {
    /// The incoming (newer) result wins, except over a protected human review.
    #[default]
    Newest,
    /// An Open on either side wins; otherwise as `newest`.
    OpenWins,
    /// A human status wins over an automatic one; between two humans, the newer.
    ManualWins,
}

/// How a merge resolves disagreements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MergePolicy {
    /// Status precedence.
    pub precedence: Precedence,
    /// Let automatic results replace protected human reviews (NotAFinding / Not_Applicable with a comment).
    pub overwrite_manual: bool,
}

/// How an incoming rule was matched to a rule of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// Same Rule ID, revision included.
    RuleId,
    /// Same Rule ID without the revision (`SV-221202`).
    RuleIdBase,
    /// Same STIG ID (`Rule_Ver`), the checklists being from different releases.
    StigId,
}

/// What the merge did to one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Status, details or comments changed.
    Updated,
    /// The incoming result was applied but equals what the checklist already held.
    Unchanged,
    /// The checklist's review was kept (protected, or the policy preferred it).
    Kept,
    /// The incoming rule matches no rule of the checklist; nothing was changed.
    Unmatched,
    /// An earlier incoming rule already matched the same checklist rule; this one was ignored.
    Ignored,
}

/// One line of the merge report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The file the incoming result came from (empty when merged from memory).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// The STIG (`stigid`).
    pub stig: String,
    /// The checklist's Rule ID (the incoming one when unmatched).
    pub rule_id: String,
    /// The STIG ID (`Rule_Ver`).
    pub stig_id: String,
    /// The incoming Rule ID.
    pub incoming_rule_id: String,
    /// How the rules were matched; `None` when unmatched.
    pub matched_by: Option<MatchedBy>,
    /// Status before the merge (CKL spelling).
    #[serde(serialize_with = "ckl_status")]
    pub before: Status,
    /// The incoming status.
    #[serde(serialize_with = "ckl_status")]
    pub incoming: Status,
    /// Status after the merge.
    #[serde(serialize_with = "ckl_status")]
    pub after: Status,
    /// What was done.
    pub action: Action,
    /// Whether a human review and the incoming result disagree.
    pub conflict: bool,
    /// Why, in words.
    pub why: String,
    /// The earlier COMMENTS, when exstig replaced a comment it recognized as its own (kept here
    /// so that no word is lost even if the recognition was wrong).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_comments: Option<String>,
}

fn ckl_status<S: serde::Serializer>(status: &Status, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(status.ckl())
}

/// Everything a merge did, per rule, plus STIG-level notes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The policy the merge followed.
    pub policy: MergePolicy,
    /// One entry per incoming rule with a result.
    pub rules: Vec<RuleChange>,
    /// STIG-level events: STIGs added, releases that differ, host names that differ.
    pub notes: Vec<String>,
    /// The incoming STIGs the checklist did not have, added whole as new iSTIGs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added_stigs: Vec<AddedStig>,
}

/// An incoming STIG added to the checklist as a new iSTIG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedStig {
    /// The STIG (`stigid`).
    pub stig: String,
    /// Its release (`V2R6`).
    pub release: String,
    /// Its number of rules.
    pub rules: usize,
    /// How many of them carry a result.
    pub with_result: usize,
}

impl MergeReport {
    /// Number of rules whose review changed.
    pub fn updated(&self) -> usize {
        self.count(|r| r.action == Action::Updated)
    }

    /// Number of rules where a human review and the incoming result disagree.
    pub fn conflicts(&self) -> usize {
        self.count(|r| r.conflict)
    }

    fn count(&self, pred: impl Fn(&RuleChange) -> bool) -> usize {
        self.rules.iter().filter(|r| pred(r)).count()
    }

    /// Appends another report (a later file of the same merge).
    pub fn extend(&mut self, other: MergeReport) {
        self.rules.extend(other.rules);
        self.notes.extend(other.notes);
        self.added_stigs.extend(other.added_stigs);
    }

    /// Sets the source file name on every entry that has none.
    pub fn set_source(&mut self, source: &str) {
        for rule in self.rules.iter_mut().filter(|r| r.source.is_empty()) {
            rule.source = source.to_string();
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into())
    }

    /// The report for the file `path`: text ([`MergeReport::to_text`]) when it ends in `.txt`,
    /// else JSON.
    pub fn render_for(&self, path: &Path) -> String {
        let text = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        if text { self.to_text() } else { self.to_json() }
    }

    /// The report for a terminal: notes, then every rule that changed, was kept against the
    /// incoming result, or was unmatched, then a one-line summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        for r in &self.rules {
            if r.action == Action::Unchanged {
                continue;
            }
            let label = match (r.action, r.conflict) {
                (_, true) => "CONFLICT",
                (Action::Updated, _) if r.before == r.after => "refreshed",
                (Action::Updated, _) => "updated",
                (Action::Kept, _) => "kept",
                (Action::Unmatched, _) => "unmatched",
                (Action::Ignored, _) => "ignored",
                (Action::Unchanged, _) => "unchanged",
            };
            let change = match r.action {
                Action::Unmatched => format!("incoming {}", r.incoming.ckl()),
                _ => format!("{} -> {}", r.before.ckl(), r.after.ckl()),
            };
            out.push_str(&format!(
                "{label:<9} {} {} {}: {change} ({})\n",
                r.stig, r.rule_id, r.stig_id, r.why
            ));
        }
        for added in &self.added_stigs {
            out.push_str(&format!(
                "merge: STIG {} ({}) added as a new iSTIG: {} rules, {} with a result\n",
                added.stig, added.release, added.rules, added.with_result
            ));
        }
        if !self.added_stigs.is_empty() && self.rules.is_empty() {
            return out;
        }
        out.push_str(&format!(
            "merge: {} rules with a result in the checklist's STIGs, {} updated, {} unchanged, {} kept, {} unmatched or ignored, {} conflicts\n",
            self.rules.len(),
            self.updated(),
            self.count(|r| r.action == Action::Unchanged),
            self.count(|r| r.action == Action::Kept),
            self.count(|r| matches!(r.action, Action::Unmatched | Action::Ignored)),
            self.conflicts()
        ));
        out
    }
}

/// Whether `text` starts with exstig's marker line `exstig <version> automated result` (any
/// version, so results of older exstig releases are recognized too).
pub fn is_automatic(text: &str) -> bool {
    let first = text.trim_start().lines().next().unwrap_or("").trim_end();
    first.starts_with("exstig ") && first.ends_with("automated result")
}

/// Where an attached automatic block sits in a text: byte range from its begin line to the end
/// of its end line (or of the text, when the end line was lost).
fn block_range(text: &str) -> Option<(usize, usize)> {
    let start = text.find(BLOCK_BEGIN)?;
    let end = text[start..]
        .find(BLOCK_END)
        .map_or(text.len(), |i| start + i + BLOCK_END.len());
    Some((start, end))
}

/// The part of a text a human wrote: empty when the whole text is exstig's, else the text
/// without an attached automatic block.
pub fn human_part(text: &str) -> String {
    if is_automatic(text) {
        return String::new();
    }
    match block_range(text) {
        Some((start, end)) => {
            let before = &text[..start];
            let before = before.strip_suffix("\n\n").unwrap_or(before);
            format!("{before}{}", &text[end..])
        }
        None => text.to_string(),
    }
}

/// Two texts of two reviewers united part by part: the human words of both (see
/// [`union_text`]), then the newer automatic part (the incoming one when it has one) attached.
pub fn unite(existing: &str, incoming: &str) -> String {
    let human = union_text(&human_part(existing), &human_part(incoming));
    let automatic = match automatic_part(incoming) {
        "" => automatic_part(existing),
        newer => newer,
    };
    with_automatic(&human, automatic)
}

/// `existing` with its automatic part set to `automatic`: exstig's own or empty text is replaced
/// outright; human text is kept word for word and the automatic text is attached (or its earlier
/// attached block replaced) between [`BLOCK_BEGIN`] and [`BLOCK_END`].
pub fn with_automatic(existing: &str, automatic: &str) -> String {
    if existing.trim().is_empty() || is_automatic(existing) {
        return automatic.to_string();
    }
    match block_range(existing) {
        Some((start, end)) if automatic.is_empty() => {
            let before = &existing[..start];
            let before = before.strip_suffix("\n\n").unwrap_or(before);
            format!("{before}{}", &existing[end..])
        }
        Some((start, end)) => {
            let (before, after) = (&existing[..start], &existing[end..]);
            match fit_automatic(text_length(before) + text_length(after), automatic) {
                Some(automatic) => {
                    format!("{before}{BLOCK_BEGIN}\n{automatic}\n{BLOCK_END}{after}")
                }
                None => with_automatic(existing, ""),
            }
        }
        None if automatic.is_empty() => existing.to_string(),
        None => match fit_automatic(text_length(existing) + 2, automatic) {
            Some(automatic) => format!("{existing}\n\n{BLOCK_BEGIN}\n{automatic}\n{BLOCK_END}"),
            None => existing.to_string(),
        },
    }
}

/// Marks automatic text cut so that the human text beside it fits STIG Viewer's limit.
pub const CUT_MARKER: &str =
    "[... automatic result cut by exstig to keep the human text within 32,767 characters]";

/// The automatic text, cut (with [`CUT_MARKER`]) when it would push a field holding `human`
/// characters of human text over [`MAX_TEXT_CHARS`]: the writers would otherwise truncate the end
/// of the field, and the human words must never be what is lost. `None` when not even the cut
/// block fits: the field then keeps only the human text (the report still gives the result).
fn fit_automatic(human: usize, automatic: &str) -> Option<Cow<'_, str>> {
    let frame = text_length(BLOCK_BEGIN) + text_length(BLOCK_END) + 2;
    if human + frame + text_length(automatic) <= MAX_TEXT_CHARS {
        return Some(automatic.into());
    }
    let mut room = MAX_TEXT_CHARS.checked_sub(human + frame + text_length(CUT_MARKER) + 1)?;
    let kept: String = automatic
        .chars()
        .take_while(|c| {
            let fits = c.len_utf16() <= room;
            room = room.saturating_sub(c.len_utf16());
            fits
        })
        .collect();
    Some(format!("{kept}\n{CUT_MARKER}").into())
}

/// Whether a text is exstig's alone: it carries exstig's marker or an attached block, and no
/// human words besides.
pub fn is_own_text(text: &str) -> bool {
    if is_automatic(text) {
        return true;
    }
    // The human part is what surrounds the attached block (see `human_part`).
    block_range(text).is_some_and(|(start, end)| {
        text[..start].trim().is_empty() && text[end..].trim().is_empty()
    })
}

/// The automatic part of a text: all of it when it starts with the marker, else the content of
/// an attached block, else nothing.
pub fn automatic_part(text: &str) -> &str {
    if is_automatic(text) {
        return text;
    }
    match block_range(text) {
        Some((start, end)) => {
            let inner = &text[start + BLOCK_BEGIN.len()..end];
            let inner = inner.strip_prefix('\n').unwrap_or(inner);
            let inner = inner.strip_suffix(BLOCK_END).unwrap_or(inner);
            inner.strip_suffix('\n').unwrap_or(inner)
        }
        None => "",
    }
}

/// Two human texts united without repeating one already contained in the other.
pub fn union_text(existing: &str, incoming: &str) -> String {
    let (e, i) = (existing.trim(), incoming.trim());
    if i.is_empty() || e.contains(i) {
        existing.to_string()
    } else if e.is_empty() || incoming.contains(existing) {
        incoming.to_string()
    } else {
        format!("{existing}\n\n{incoming}")
    }
}

/// The review fields of a rule (what a merge may change).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Review {
    status: Status,
    details: String,
    comments: String,
    severity_override: String,
    severity_justification: String,
}

impl Review {
    fn of(v: &Vuln) -> Review {
        Review {
            status: v.status,
            details: v.finding_details.clone(),
            comments: v.comments.clone(),
            severity_override: v.severity_override.clone(),
            severity_justification: v.severity_justification.clone(),
        }
    }

    fn apply(self, v: &mut Vuln) {
        v.status = self.status;
        v.finding_details = self.details;
        v.comments = self.comments;
        v.severity_override = self.severity_override;
        v.severity_justification = self.severity_justification;
    }
}

/// Whether an incoming rule carries a result worth merging.
fn has_result(v: &Vuln) -> bool {
    v.status != Status::NotReviewed || is_own_text(&v.finding_details)
}

/// The outcome of merging one rule: the new review, what was done, whether it is a conflict, why.
struct Decision {
    review: Review,
    action: Action,
    conflict: bool,
    why: String,
    replaced_comments: Option<String>,
}

/// Decides the review of one matched rule. `note` is added to automatic details (how the rule
/// was matched across releases).
fn decide(existing: &Vuln, incoming: &Vuln, policy: &MergePolicy, note: Option<&str>) -> Decision {
    let before = Review::of(existing);
    let keep = |why: String, conflict: bool| Decision {
        review: before.clone(),
        action: Action::Kept,
        conflict,
        why,
        replaced_comments: None,
    };
    let incoming_open = incoming.status == Status::Open;
    let existing_open = existing.status == Status::Open;
    let disagree = existing.status != incoming.status;
    let open_wins = policy.precedence == Precedence::OpenWins;

    if open_wins && existing_open && !incoming_open {
        return keep(
            "open-wins: the checklist's Open stays".into(),
            disagree && is_human_status(existing, incoming),
        );
    }

    if !is_own_text(&incoming.finding_details) {
        return decide_human(existing, incoming, policy, before);
    }

    // The incoming rule is an automatic result.
    let incoming_details = without_digest(automatic_part(&incoming.finding_details));
    let automatic_details = match note {
        Some(n) => format!("{incoming_details}\n\n{n}"),
        None => incoming_details.to_string(),
    };
    let human_status = is_human_status(existing, incoming);
    let human_comment = !own_comment(existing, incoming);
    let protected = human_status
        && matches!(existing.status, Status::NotAFinding | Status::NotApplicable)
        && human_comment;
    let open_overrides = open_wins && incoming_open;
    if protected && !policy.overwrite_manual && !open_overrides {
        let why = if disagree {
            format!(
                "human review with a comment kept; the automatic result is {} (use --overwrite-manual to replace it)",
                incoming.status.ckl()
            )
        } else {
            "human review with a comment kept; the automatic result agrees".into()
        };
        return keep(why, disagree);
    }
    if human_status
        && policy.precedence == Precedence::ManualWins
        && !policy.overwrite_manual
        && !open_overrides
    {
        return keep(
            format!(
                "manual-wins: the human status stays; the automatic result is {}",
                incoming.status.ckl()
            ),
            disagree,
        );
    }
    if human_status && incoming.status == Status::NotReviewed {
        if existing.finding_details.trim().is_empty() {
            // Attaching details here would make the human status look like exstig's next time.
            return keep(
                "the automatic check could not decide; the human status stays".into(),
                false,
            );
        }
        let mut review = before.clone();
        review.details = with_automatic(&existing.finding_details, &automatic_details);
        return finish(
            before,
            review,
            "the automatic check could not decide; the human status stays and the details are attached".into(),
            false,
        );
    }
    let (comments, automatic_details) = if human_comment {
        (
            with_automatic(&existing.comments, &incoming.comments),
            automatic_details,
        )
    } else if incoming.comments.is_empty() {
        (String::new(), automatic_details)
    } else {
        let digest = comment_digest_line(&incoming.comments);
        (
            incoming.comments.clone(),
            format!("{}\n{digest}", automatic_details.trim_end_matches('\n')),
        )
    };
    let replaced =
        (!human_comment && !existing.comments.trim().is_empty() && existing.comments != comments)
            .then(|| existing.comments.clone());
    let review = Review {
        status: incoming.status,
        details: with_automatic(&existing.finding_details, &automatic_details),
        comments,
        ..before.clone()
    };
    let conflict = human_status && disagree;
    let why = if protected {
        "automatic result replaces the human status (--overwrite-manual or open-wins); the human texts are kept".into()
    } else if conflict && human_comment {
        format!(
            "automatic result {} replaces the human {} and its comment stays: only a human NotAFinding or Not_Applicable with a comment is protected; the human texts are kept",
            incoming.status.ckl(),
            existing.status.ckl()
        )
    } else if conflict {
        format!(
            "automatic result {} replaces the human {}, which had no comment to protect it; the human texts are kept",
            incoming.status.ckl(),
            existing.status.ckl()
        )
    } else {
        "automatic result".into()
    };
    let mut decision = finish(before, review, why, conflict);
    decision.replaced_comments = replaced;
    decision
}

/// A human result from another checklist (`exstig merge`).
fn decide_human(
    existing: &Vuln,
    incoming: &Vuln,
    policy: &MergePolicy,
    before: Review,
) -> Decision {
    let existing_automatic = is_own_text(&existing.finding_details);
    let mut review = before.clone();
    let mut notes = Vec::new();
    let status_from_incoming = match policy.precedence {
        _ if incoming.status == Status::NotReviewed => false,
        Precedence::OpenWins if existing.status == Status::Open => false,
        _ => true,
    };
    if status_from_incoming {
        review.status = incoming.status;
    } else if incoming.status != existing.status {
        notes.push(format!("status {} kept", existing.status.ckl()));
    }
    review.details = unite(&existing.finding_details, &incoming.finding_details);
    review.comments = unite(&existing.comments, &incoming.comments);
    for (field, text) in [
        ("FINDING_DETAILS", &review.details),
        ("COMMENTS", &review.comments),
    ] {
        if text_length(text) > MAX_TEXT_CHARS {
            notes.push(format!(
                "the united {field} exceed 32,767 UTF-16 units: kept whole, but STIG Viewer and STIG Manager cut them on import"
            ));
        }
    }
    let incoming_override = (
        incoming.severity_override.as_str(),
        incoming.severity_justification.as_str(),
    );
    let existing_override = (
        existing.severity_override.as_str(),
        existing.severity_justification.as_str(),
    );
    if existing_override == ("", "") {
        review.severity_override = incoming.severity_override.clone();
        review.severity_justification = incoming.severity_justification.clone();
    } else if incoming_override != ("", "") && incoming_override != existing_override {
        notes.push("the incoming severity override differs and was not taken".into());
    }
    let conflict = !existing_automatic
        && existing.status != Status::NotReviewed
        && incoming.status != Status::NotReviewed
        && existing.status != incoming.status;
    let mut why = "human result from the incoming checklist".to_string();
    for n in notes {
        why.push_str("; ");
        why.push_str(&n);
    }
    finish(before, review, why, conflict)
}

fn finish(before: Review, review: Review, why: String, conflict: bool) -> Decision {
    let action = if review == before {
        Action::Unchanged
    } else {
        Action::Updated
    };
    Decision {
        review,
        action,
        conflict,
        why,
        replaced_comments: None,
    }
}

/// Whether the checklist's status was set by a human: a status other than Not_Reviewed with
/// details that are not exstig's, or with a human comment.
fn is_human_status(existing: &Vuln, incoming: &Vuln) -> bool {
    existing.status != Status::NotReviewed
        && (!is_own_text(&existing.finding_details) || !own_comment(existing, incoming))
}

/// Whether the checklist's comment holds no human words: blank, exstig's (marker or only an
/// attached block), or exactly the incoming automatic comment (the same result written again).
fn own_comment(existing: &Vuln, incoming: &Vuln) -> bool {
    let comments = existing.comments.trim();
    let details = &existing.finding_details;
    comments.is_empty()
        || human_part(comments).trim().is_empty()
        || existing.comments == incoming.comments
        || digest_line(details).map(digest_of) == Some(comment_digest(&existing.comments).as_str())
        || (is_own_text(details) && digest_line(details).is_none() && looks_like_evaluate(comments))
}

/// The line merge adds to the automatic details it writes: a digest of the COMMENTS it wrote
/// with them, so that the next merge knows, exactly, whether a human has edited the comment
/// since (when the digest still matches, the comment is exstig's and may be refreshed).
/// The line says in plain words what it is, since assessors read FINDING_DETAILS: an XML comment
/// inside a VULN would hide it (DISA's XSD and STIG Manager's parser accept one), but STIG
/// Viewer drops comments when it saves, and the CKLB has no per-rule place for tool data that
/// every consumer keeps.
pub fn comment_digest_line(comments: &str) -> String {
    format!(
        "{DIGEST_PREFIX}{} {DIGEST_EXPLANATION}",
        comment_digest(comments)
    )
}

/// The 16 hex digits of SHA-256 of `comments`.
fn comment_digest(comments: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(comments.as_bytes());
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest in a digest line (the words after it, if any, are ignored, so lines written
/// before the explanation was added are read too).
fn digest_of(line: &str) -> &str {
    line.strip_prefix(DIGEST_PREFIX)
        .unwrap_or(line)
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// The start of the comment digest line.
pub const DIGEST_PREFIX: &str = "exstig comment digest: ";

/// What follows the digest: the line explains itself to the people who read the details.
pub const DIGEST_EXPLANATION: &str = "(bookkeeping, not part of the result: a fingerprint of the COMMENTS exstig wrote, so that the next merge can tell whether a person has edited them)";

/// The comment digest line of a text's automatic part, if any.
fn digest_line(details: &str) -> Option<&str> {
    automatic_part(details)
        .lines()
        .rev()
        .find(|l| l.starts_with(DIGEST_PREFIX))
}

/// The text without comment digest lines.
fn without_digest(text: &str) -> Cow<'_, str> {
    if !text.contains(DIGEST_PREFIX) {
        return Cow::Borrowed(text);
    }
    let kept: Vec<&str> = text
        .split('\n')
        .filter(|l| !l.starts_with(DIGEST_PREFIX))
        .collect();
    Cow::Owned(kept.join("\n"))
}

/// Whether a comment, found with exstig's details and no digest (a checklist `exstig evaluate`
/// wrote), starts the way exstig's verdict comments and exception notes start.
fn looks_like_evaluate(comments: &str) -> bool {
    let first = comments.lines().next().unwrap_or("");
    const LEADS: [&str; 6] = [
        "Open: ",
        "NotAFinding: ",
        "Not applicable: ",
        "Not reviewed: ",
        "Not_Applicable: ",
        "Not_Reviewed: ",
    ];
    LEADS.iter().any(|l| first.starts_with(l))
        || first.contains(": exception refused: ")
        || first.contains(": status set by the ")
}

/// Looks up the rules of one STIG by Rule ID, Rule ID without revision, and STIG ID (first
/// occurrence wins when a checklist repeats one).
pub struct RuleIndex {
    by_id: HashMap<String, usize>,
    by_base: HashMap<String, usize>,
    by_stig_id: HashMap<String, usize>,
}

impl RuleIndex {
    /// Indexes the rules of `stig`.
    pub fn new(stig: &ChecklistStig) -> RuleIndex {
        let n = stig.vulns.len();
        let mut index = RuleIndex {
            by_id: HashMap::with_capacity(n),
            by_base: HashMap::with_capacity(n),
            by_stig_id: HashMap::with_capacity(n),
        };
        for (i, v) in stig.vulns.iter().enumerate() {
            index.by_id.entry(v.rule_id().to_string()).or_insert(i);
            index
                .by_base
                .entry(crate::benchmark::rule_id_base(v.rule_id()).to_string())
                .or_insert(i);
            if !v.stig_id().is_empty() {
                index.by_stig_id.entry(v.stig_id().to_string()).or_insert(i);
            }
        }
        index
    }

    /// The position of the rule matching `vuln`: by Rule ID, then Rule ID without revision, then
    /// (only when `other_release`) by STIG ID.
    pub fn find(&self, vuln: &Vuln, other_release: bool) -> Option<(usize, MatchedBy)> {
        let rule_id = vuln.rule_id();
        if !rule_id.is_empty() {
            if let Some(&i) = self.by_id.get(rule_id) {
                return Some((i, MatchedBy::RuleId));
            }
            if let Some(&i) = self.by_base.get(crate::benchmark::rule_id_base(rule_id)) {
                return Some((i, MatchedBy::RuleIdBase));
            }
        }
        self.by_stig_id
            .get(vuln.stig_id())
            .filter(|_| other_release)
            .map(|&i| (i, MatchedBy::StigId))
    }
}

/// Whether two versions of a STIG are from different releases.
pub fn other_release(a: &ChecklistStig, b: &ChecklistStig) -> bool {
    release_of(a) != release_of(b)
}

/// The release of a STIG as `V2R6` (or its raw releaseinfo).
pub fn release_of(stig: &ChecklistStig) -> String {
    match crate::checklist::cklb::release_number(stig.info("releaseinfo")) {
        Some(r) => format!("V{}R{r}", stig.info("version")),
        None => format!(
            "version {} {}",
            stig.info("version"),
            stig.info("releaseinfo")
        ),
    }
}

/// The key that matches a STIG across checklists: `stigid`, else the title.
pub fn stig_key(stig: &ChecklistStig) -> &str {
    match stig.info("stigid") {
        "" => stig.info("title"),
        id => id,
    }
}

/// Merges every result of `incoming` into `existing` following `policy` (see the module doc).
/// Touches only STATUS, FINDING_DETAILS, COMMENTS (and, for human results, an empty severity
/// override) of matched rules, and appends STIGs the checklist does not have.
pub fn merge_into(
    existing: &mut Checklist,
    incoming: &Checklist,
    policy: &MergePolicy,
) -> MergeReport {
    let mut report = MergeReport {
        policy: *policy,
        ..MergeReport::default()
    };
    let (ours, theirs) = (
        existing.asset.host_name.trim(),
        incoming.asset.host_name.trim(),
    );
    if !ours.is_empty() && !theirs.is_empty() && !ours.eq_ignore_ascii_case(theirs) {
        report.notes.push(format!(
            "the incoming HOST_NAME '{theirs}' differs from the checklist's '{ours}'; the checklist's ASSET is kept"
        ));
    }
    for stig in &incoming.stigs {
        let key = stig_key(stig);
        match existing.stigs.iter_mut().find(|s| stig_key(s) == key) {
            Some(target) => merge_stig(target, stig, policy, &mut report),
            None => {
                report.added_stigs.push(AddedStig {
                    stig: key.to_string(),
                    release: release_of(stig),
                    rules: stig.vulns.len(),
                    with_result: stig.vulns.iter().filter(|v| has_result(v)).count(),
                });
                existing.stigs.push(stig.clone());
            }
        }
    }
    report
}

fn merge_stig(
    target: &mut ChecklistStig,
    incoming: &ChecklistStig,
    policy: &MergePolicy,
    report: &mut MergeReport,
) {
    let stig = stig_key(target).to_string();
    let (ours, theirs) = (release_of(target), release_of(incoming));
    let other_release = ours != theirs;
    if other_release {
        report.notes.push(format!(
            "STIG {stig}: the checklist is {ours}, the incoming results are {theirs}; rules are matched by Rule ID, then Rule ID without revision, then STIG ID"
        ));
    }
    let index = RuleIndex::new(target);
    let mut applied = std::collections::HashSet::new();
    for vuln in incoming.vulns.iter().filter(|v| has_result(v)) {
        let rule_id = vuln.rule_id();
        let found = index.find(vuln, other_release);
        let Some((index, matched_by)) = found else {
            report.rules.push(RuleChange {
                source: String::new(),
                stig: stig.clone(),
                rule_id: rule_id.to_string(),
                stig_id: vuln.stig_id().to_string(),
                incoming_rule_id: rule_id.to_string(),
                matched_by: None,
                before: Status::NotReviewed,
                incoming: vuln.status,
                after: Status::NotReviewed,
                action: Action::Unmatched,
                conflict: false,
                replaced_comments: None,
                why: format!(
                    "no rule with this Rule ID{} in the checklist's {stig} ({ours})",
                    if other_release { " or STIG ID" } else { "" }
                ),
            });
            continue;
        };
        if !applied.insert(index) {
            let existing = &target.vulns[index];
            report.rules.push(RuleChange {
                source: String::new(),
                stig: stig.clone(),
                rule_id: existing.rule_id().to_string(),
                stig_id: existing.stig_id().to_string(),
                incoming_rule_id: rule_id.to_string(),
                matched_by: Some(matched_by),
                before: existing.status,
                incoming: vuln.status,
                after: existing.status,
                action: Action::Ignored,
                conflict: false,
                why: "an earlier incoming rule already gave this rule its result".into(),
                replaced_comments: None,
            });
            continue;
        }
        let existing = &mut target.vulns[index];
        let note = match matched_by {
            MatchedBy::RuleId => None,
            MatchedBy::RuleIdBase => Some(format!(
                "exstig merge: result of rule {rule_id} ({theirs}) applied to this checklist's {} ({ours}), matched by Rule ID without revision.",
                existing.rule_id()
            )),
            MatchedBy::StigId => Some(format!(
                "exstig merge: result of rule {rule_id} ({theirs}) applied to this checklist's {} ({ours}), matched by STIG ID {}.",
                existing.rule_id(),
                existing.stig_id()
            )),
        };
        let decision = decide(existing, vuln, policy, note.as_deref());
        let before = existing.status;
        let mut why = decision.why;
        if matched_by != MatchedBy::RuleId {
            why.push_str(match matched_by {
                MatchedBy::StigId => "; matched by STIG ID across releases",
                _ => "; matched by Rule ID without revision",
            });
        }
        report.rules.push(RuleChange {
            source: String::new(),
            stig: stig.clone(),
            rule_id: existing.rule_id().to_string(),
            stig_id: existing.stig_id().to_string(),
            incoming_rule_id: rule_id.to_string(),
            matched_by: Some(matched_by),
            before,
            incoming: vuln.status,
            after: decision.review.status,
            action: decision.action,
            conflict: decision.conflict,
            why,
            replaced_comments: decision.replaced_comments,
        });
        decision.review.apply(existing);
    }
}

/// The two checklist file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// STIG Viewer 2.x XML.
    Ckl,
    /// STIG Viewer 3 JSON.
    Cklb,
}

impl Format {
    /// The format a path's extension names (`.ckl` / `.cklb`, any case).
    pub fn of_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "ckl" => Ok(Format::Ckl),
            "cklb" => Ok(Format::Cklb),
            _ => Err(Error::Usage(format!(
                "{}: the output file must end in .ckl or .cklb",
                path.display()
            ))),
        }
    }

    /// The format of a checklist text: JSON is CKLB, XML is CKL.
    pub fn of_text(text: &str) -> Option<Format> {
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('{') => Some(Format::Cklb),
            Some('<') => Some(Format::Ckl),
            _ => None,
        }
    }
}

/// Reads a CKL or CKLB file (format recognized from the content).
pub fn read_checklist(path: &Path) -> Result<Checklist> {
    let text = crate::fsio::read_text(path)?;
    match Format::of_text(&text) {
        Some(Format::Cklb) => crate::checklist::cklb::read(path, &text),
        Some(Format::Ckl) => read_ckl(path, &text),
        None => Err(Error::input(
            path,
            "neither a CKL (XML) nor a CKLB (JSON) checklist",
        )),
    }
}

/// Parses CKL text read from `path`.
pub fn read_ckl(path: &Path, text: &str) -> Result<Checklist> {
    crate::checklist::ckl::read(path, text)
}

/// The bytes of `checklist` in the format `path`'s extension names. For CKL, a TECH_AREA the
/// DISA schema does not allow (CKLB files hold free text, e.g. `None`) is written empty, so the
/// output validates; `exstig convert` names the change.
pub fn render_checklist(path: &Path, checklist: &Checklist) -> Result<Vec<u8>> {
    Ok(match Format::of_path(path)? {
        Format::Ckl => {
            use crate::checklist::ckl::{TECH_AREAS, write};
            let area = checklist.asset.tech_area.trim();
            match TECH_AREAS.iter().find(|a| a.eq_ignore_ascii_case(area)) {
                Some(a) if *a == checklist.asset.tech_area => write(checklist).into_bytes(),
                found => {
                    let mut fitted = checklist.clone();
                    fitted.asset.tech_area = found.copied().unwrap_or_default().to_string();
                    write(&fitted).into_bytes()
                }
            }
        }
        Format::Cklb => crate::checklist::cklb::write(checklist)?.into_bytes(),
    })
}

/// Writes `checklist` to `path` atomically as CKL or CKLB, chosen by the extension.
pub fn write_checklist(path: &Path, checklist: &Checklist) -> Result<()> {
    let bytes = render_checklist(path, checklist)?;
    crate::fsio::write_atomic(path, &bytes)
}

/// The backup path of an in-place write: the first of `X.ckl.bak`, `X.ckl.1.bak`,
/// `X.ckl.2.bak` ... that does not exist yet, so an earlier backup (the original a first
/// in-place run kept) is never overwritten.
pub fn backup_path(path: &Path) -> PathBuf {
    let numbered = |n: usize| {
        let mut name = path.as_os_str().to_owned();
        if n == 0 {
            name.push(".bak");
        } else {
            name.push(format!(".{n}.bak"));
        }
        PathBuf::from(name)
    };
    (0..)
        .map(numbered)
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| numbered(0))
}

/// Replaces `path` by `checklist` (same format as its extension), keeping the original as
/// [`backup_path`]: the output is rendered first, the original copied to the backup, then the
/// new file renamed over the original. Any failure leaves the original untouched. Returns the
/// backup's path.
pub fn write_in_place(path: &Path, checklist: &Checklist) -> Result<PathBuf> {
    let bytes = render_checklist(path, checklist)?;
    let backup = write_backup(path)?;
    crate::fsio::write_atomic(path, &bytes)?;
    Ok(backup)
}

/// Copies the file at `path` to its [`backup_path`] (with the original's mode), before it is
/// replaced; returns the backup's path.
pub fn write_backup(path: &Path) -> Result<PathBuf> {
    let backup = backup_path(path);
    crate::fsio::write_copy(path, &backup)?;
    Ok(backup)
}

/// Reads the checklist at `existing_path` and merges `evaluated` into it; returns the merged
/// checklist (not written) and the report. For `exstig evaluate --merge-into`.
pub fn merge_file(
    existing_path: &Path,
    evaluated: &Checklist,
    policy: &MergePolicy,
) -> Result<(Checklist, MergeReport)> {
    let mut checklist = read_checklist(existing_path)?;
    let report = merge_into(&mut checklist, evaluated, policy);
    Ok((checklist, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTO: &str = "exstig 0.1.0 automated result\nconnector A: pass";

    fn vuln(rule_id: &str, stig_id: &str, status: Status, details: &str, comments: &str) -> Vuln {
        Vuln {
            stig_data: vec![
                ("Vuln_Num".into(), "V-1".into()),
                ("Severity".into(), "medium".into()),
                ("Rule_ID".into(), rule_id.into()),
                ("Rule_Ver".into(), stig_id.into()),
            ],
            status,
            finding_details: details.into(),
            comments: comments.into(),
            ..Vuln::default()
        }
    }

    fn checklist(release: &str, vulns: Vec<Vuln>) -> Checklist {
        Checklist {
            stigs: vec![ChecklistStig {
                info: vec![
                    ("version".into(), Some("2".into())),
                    ("stigid".into(), Some("EX".into())),
                    (
                        "releaseinfo".into(),
                        Some(format!("Release: {release} Benchmark Date: 1 Jan 2025")),
                    ),
                ],
                vulns,
                ..ChecklistStig::default()
            }],
            ..Checklist::default()
        }
    }

    fn merged(existing: Vuln, incoming: Vuln, policy: MergePolicy) -> (Vuln, MergeReport) {
        let mut a = checklist("1", vec![existing]);
        let b = checklist("1", vec![incoming]);
        let report = merge_into(&mut a, &b, &policy);
        (a.stigs[0].vulns[0].clone(), report)
    }

    #[test]
    fn evaluate_marker_is_recognized() {
        assert!(is_automatic(crate::evaluate::DETAILS_MARKER));
        assert!(is_own_text(&format!(
            "{}\nInventory: x.json\n",
            crate::evaluate::DETAILS_MARKER
        )));
    }

    #[test]
    fn marker_is_recognized_for_any_version() {
        assert!(is_automatic("exstig 0.1.0 automated result\nx"));
        assert!(is_automatic("exstig 9.9.9-beta automated result"));
        assert!(!is_automatic(
            "checked by hand\nexstig 0.1.0 automated result"
        ));
        assert!(!is_automatic(""));
    }

    #[test]
    fn automatic_text_is_attached_below_human_text_and_replaced_next_time() {
        let once = with_automatic("I checked it.", AUTO);
        assert!(once.starts_with("I checked it.\n\n"));
        assert!(once.contains(BLOCK_BEGIN) && once.ends_with(BLOCK_END));
        assert_eq!(with_automatic(&once, AUTO), once);
        let newer = with_automatic(&once, "exstig 0.2.0 automated result\nfail");
        assert!(newer.starts_with("I checked it.\n\n"));
        assert!(newer.contains("fail") && !newer.contains("connector A"));
        assert_eq!(with_automatic(&newer, ""), "I checked it.");
        let typed_below = format!("{once}\nadded later by a human");
        let refreshed = with_automatic(&typed_below, "exstig 0.2.0 automated result\nfail");
        assert!(
            refreshed.ends_with("\nadded later by a human"),
            "{refreshed}"
        );
        assert_eq!(
            with_automatic("exstig 0.0.1 automated result\nold", AUTO),
            AUTO
        );
    }

    #[test]
    fn long_human_text_keeps_every_word_and_the_automatic_part_is_cut() {
        let human = "h".repeat(MAX_TEXT_CHARS - 400);
        let automatic = format!("exstig 0.1.0 automated result\n{}", "a".repeat(500));
        let merged = with_automatic(&human, &automatic);
        assert!(merged.starts_with(&human));
        assert!(merged.chars().count() <= MAX_TEXT_CHARS, "{}", merged.len());
        assert!(merged.contains(CUT_MARKER) && merged.ends_with(BLOCK_END));
        assert_eq!(with_automatic(&merged, &automatic), merged);
        assert_eq!(crate::checklist::clean_text(&merged), merged);
        let full = "h".repeat(MAX_TEXT_CHARS - 100);
        assert_eq!(with_automatic(&full, &automatic), full);
        assert_eq!(
            with_automatic(&merged.replace(&human, &full), &automatic),
            full
        );
    }

    #[test]
    fn unreviewed_rule_takes_the_automatic_result() {
        let (v, report) = merged(
            vuln("SV-1r1_rule", "EX-1", Status::NotReviewed, "", ""),
            vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, "run Set-X"),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::Open);
        assert_eq!(
            v.finding_details,
            format!("{AUTO}\n{}", comment_digest_line("run Set-X"))
        );
        assert_eq!(v.comments, "run Set-X");
        assert_eq!(report.rules[0].action, Action::Updated);
        assert!(!report.rules[0].conflict);
    }

    #[test]
    fn replaced_human_status_says_what_happened() {
        let (v, report) = merged(
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::Open,
                "Seen on the console.",
                "ticket 42",
            ),
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::NotAFinding,
                AUTO,
                "NotAFinding: ok.",
            ),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::NotAFinding);
        let why = &report.rules[0].why;
        assert!(report.rules[0].conflict);
        assert!(
            why.contains("replaces the human Open and its comment stays")
                && why.contains(
                    "only a human NotAFinding or Not_Applicable with a comment is protected"
                )
                && !why.contains("no protecting comment"),
            "{why}"
        );
        let (_, report) = merged(
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::Open,
                "Seen on the console.",
                "",
            ),
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::NotAFinding,
                AUTO,
                "NotAFinding: ok.",
            ),
            MergePolicy::default(),
        );
        assert!(
            report.rules[0]
                .why
                .contains("which had no comment to protect it"),
            "{}",
            report.rules[0].why
        );
    }

    #[test]
    fn digest_line_explains_itself_and_old_lines_are_still_read() {
        let line = comment_digest_line("run Set-X");
        assert!(
            line.contains("bookkeeping, not part of the result"),
            "{line}"
        );
        let bare = format!("{DIGEST_PREFIX}{}", comment_digest("run Set-X"));
        for digest in [line.as_str(), bare.as_str()] {
            let existing = vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::Open,
                &format!("{AUTO}\n{digest}"),
                "run Set-X",
            );
            let incoming = vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, "run Set-Y");
            assert!(own_comment(&existing, &incoming), "{digest}");
            let edited = Vuln {
                comments: "run Set-X, then ask the ISSM".into(),
                ..existing
            };
            assert!(!own_comment(&edited, &incoming), "{digest}");
        }
    }

    #[test]
    fn commented_human_not_a_finding_is_protected_and_conflict_reported() {
        let human = vuln(
            "SV-1r1_rule",
            "EX-1",
            Status::NotAFinding,
            "",
            "ISSO accepted",
        );
        let (v, report) = merged(
            human.clone(),
            vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, ""),
            MergePolicy::default(),
        );
        assert_eq!(v, human);
        assert_eq!(report.rules[0].action, Action::Kept);
        assert!(report.rules[0].conflict);
        let (v, report) = merged(
            human.clone(),
            vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, "fix"),
            MergePolicy {
                overwrite_manual: true,
                ..MergePolicy::default()
            },
        );
        assert_eq!(v.status, Status::Open);
        assert!(v.comments.starts_with("ISSO accepted\n\n"));
        assert!(v.comments.contains("fix"));
        assert!(report.rules[0].conflict);
    }

    #[test]
    fn open_wins_beats_protection_and_keeps_existing_open() {
        let policy = MergePolicy {
            precedence: Precedence::OpenWins,
            overwrite_manual: false,
        };
        let human = vuln(
            "SV-1r1_rule",
            "EX-1",
            Status::NotAFinding,
            "",
            "ISSO accepted",
        );
        let (v, _) = merged(
            human,
            vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, ""),
            policy,
        );
        assert_eq!(v.status, Status::Open);
        assert_eq!(v.comments, "ISSO accepted");
        let open = vuln("SV-1r1_rule", "EX-1", Status::Open, AUTO, "");
        let (v, report) = merged(
            open.clone(),
            vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, AUTO, ""),
            policy,
        );
        assert_eq!(v, open);
        assert_eq!(report.rules[0].action, Action::Kept);
    }

    #[test]
    fn manual_wins_keeps_any_human_status() {
        let human = vuln("SV-1r1_rule", "EX-1", Status::Open, "seen by hand", "");
        let policy = MergePolicy {
            precedence: Precedence::ManualWins,
            overwrite_manual: false,
        };
        let (v, report) = merged(
            human.clone(),
            vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, AUTO, ""),
            policy,
        );
        assert_eq!(v, human);
        assert!(report.rules[0].conflict);
        let (v, _) = merged(
            human,
            vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, AUTO, ""),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::NotAFinding);
        assert!(v.finding_details.starts_with("seen by hand\n\n"));
    }

    #[test]
    fn automatic_not_reviewed_never_erases_a_human_status() {
        let (v, _) = merged(
            vuln("SV-1r1_rule", "EX-1", Status::Open, "by hand", ""),
            vuln("SV-1r1_rule", "EX-1", Status::NotReviewed, AUTO, ""),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::Open);
        assert!(v.finding_details.contains(AUTO));
    }

    #[test]
    fn earlier_automatic_result_is_refreshed() {
        let (v, report) = merged(
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::Open,
                "exstig 0.0.9 automated result\nold",
                "fix",
            ),
            vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, AUTO, ""),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::NotAFinding);
        assert_eq!(v.finding_details, AUTO);
        // A comment that differs from the new automatic one may be a human's: it is kept.
        assert_eq!(v.comments, "fix");
        assert_eq!(report.rules[0].action, Action::Updated);
        let (v, report) = merged(
            vuln(
                "SV-1r1_rule",
                "EX-1",
                Status::Open,
                "exstig 0.0.9 automated result\nold",
                "fix",
            ),
            vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, AUTO, "fix"),
            MergePolicy::default(),
        );
        assert_eq!(
            (v.status, v.comments.as_str()),
            (Status::NotAFinding, "fix")
        );
        assert!(!report.rules[0].conflict);
    }

    #[test]
    fn rules_match_by_base_then_stig_id_across_releases_and_say_so() {
        let mut a = checklist(
            "5",
            vec![
                vuln("SV-1r1_rule", "EX-1", Status::NotReviewed, "", ""),
                vuln("SV-2r1_rule", "EX-2", Status::NotReviewed, "", ""),
            ],
        );
        let b = checklist(
            "6",
            vec![
                vuln("SV-1r9_rule", "EX-1", Status::Open, AUTO, ""),
                vuln("SV-7r1_rule", "EX-2", Status::NotAFinding, AUTO, ""),
                vuln("SV-8r1_rule", "EX-8", Status::Open, AUTO, ""),
            ],
        );
        let report = merge_into(&mut a, &b, &MergePolicy::default());
        let kinds: Vec<_> = report.rules.iter().map(|r| r.matched_by).collect();
        assert_eq!(
            kinds,
            [Some(MatchedBy::RuleIdBase), Some(MatchedBy::StigId), None]
        );
        assert_eq!(a.stigs[0].vulns[1].status, Status::NotAFinding);
        assert!(
            a.stigs[0].vulns[1]
                .finding_details
                .contains("matched by STIG ID EX-2")
        );
        assert_eq!(a.stigs[0].vulns[1].rule_id(), "SV-2r1_rule");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("V2R5") && n.contains("V2R6"))
        );
        let again = merge_into(&mut a.clone(), &b, &MergePolicy::default());
        assert_eq!(again.updated(), 0);
    }

    #[test]
    fn stig_id_matching_is_only_across_releases() {
        let mut a = checklist(
            "5",
            vec![vuln("SV-2r1_rule", "EX-2", Status::NotReviewed, "", "")],
        );
        let b = checklist(
            "5",
            vec![vuln("SV-7r1_rule", "EX-2", Status::Open, AUTO, "")],
        );
        let report = merge_into(&mut a, &b, &MergePolicy::default());
        assert_eq!(report.rules[0].action, Action::Unmatched);
        assert_eq!(a.stigs[0].vulns[0].status, Status::NotReviewed);
    }

    #[test]
    fn human_results_from_another_file_unite_texts_and_fill_overrides() {
        let mut incoming = vuln("SV-1r1_rule", "EX-1", Status::NotAFinding, "seen B", "ok B");
        incoming.severity_override = "low".into();
        incoming.severity_justification = "because".into();
        let (v, report) = merged(
            vuln("SV-1r1_rule", "EX-1", Status::Open, "seen A", "ok A"),
            incoming.clone(),
            MergePolicy::default(),
        );
        assert_eq!(v.status, Status::NotAFinding);
        assert_eq!(v.finding_details, "seen A\n\nseen B");
        assert_eq!(v.comments, "ok A\n\nok B");
        assert_eq!(v.severity_override, "low");
        assert!(report.rules[0].conflict);
        let (again, _) = merged(v.clone(), incoming, MergePolicy::default());
        assert_eq!(again, v);
    }

    #[test]
    fn missing_stig_is_added_and_unevaluated_rules_are_untouched() {
        let mut a = checklist(
            "1",
            vec![vuln("SV-1r1_rule", "EX-1", Status::NotReviewed, "", "c")],
        );
        let mut b = checklist(
            "1",
            vec![vuln("SV-1r1_rule", "EX-1", Status::NotReviewed, "", "x")],
        );
        let before = a.clone();
        let report = merge_into(&mut a, &b, &MergePolicy::default());
        assert_eq!(a, before);
        assert!(report.rules.is_empty());
        b.stigs[0].info[1].1 = Some("OTHER".into());
        let report = merge_into(&mut a, &b, &MergePolicy::default());
        assert_eq!(a.stigs.len(), 2);
        assert_eq!(report.added_stigs.len(), 1);
        assert_eq!(
            (
                report.added_stigs[0].stig.as_str(),
                report.added_stigs[0].rules
            ),
            ("OTHER", 1)
        );
        let text = report.to_text();
        assert!(
            text.contains(
                "merge: STIG OTHER (V2R1) added as a new iSTIG: 1 rules, 0 with a result"
            ) && !text.contains("0 rules with a result"),
            "{text}"
        );
        merge_into(&mut a, &b, &MergePolicy::default());
        assert_eq!(a.stigs.len(), 2);
    }
}
