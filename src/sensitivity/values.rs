//! Which illustrative values the sensitivity moves, and why the others are skipped.

use serde::Serialize;

use crate::policy::rules::{RuleSet, RuleValue};
use crate::project::{Computation, ProjectReport};

/// Why an illustrative value the project used is not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A date (the rules' effective date): a relative change has no meaning.
    Date,
    /// A text or choice (an operator, a combination rule): discrete.
    Discrete,
    /// A whole number of years or months: a relative change is not a value the rule takes.
    WholeNumber,
    /// The value is 0: a relative change leaves it at 0.
    Zero,
    /// Read by the transition rule or the siting, not by the computation of the figures.
    NotReadByFigures,
}

impl SkipReason {
    /// The reason in words (English; report.html translates).
    pub fn explain(self) -> &'static str {
        match self {
            SkipReason::Date => "a date: a relative change has no meaning",
            SkipReason::Discrete => "a text or choice: discrete",
            SkipReason::WholeNumber => "a whole number of years or months",
            SkipReason::Zero => "zero: a relative change leaves it at zero",
            SkipReason::NotReadByFigures => {
                "not read by the computation of the three figures (transition rule or siting)"
            }
        }
    }
}

/// An illustrative value the project used that was not moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedValue {
    /// Dotted rule-set key.
    pub key: String,
    /// The value as written.
    pub value: String,
    /// Its source.
    pub source: String,
    /// Why it was not moved.
    pub reason: SkipReason,
    /// The reason in words.
    pub explanation: &'static str,
}

/// The illustrative values split into those to move and those skipped.
pub(super) struct Selection {
    /// Numbers the figures' computation read, in the report's order.
    pub movable: Vec<RuleValue>,
    /// The rest, with the reason.
    pub skipped: Vec<SkippedValue>,
}

/// Splits the report's not-official values: a value is moved when the computation of the
/// figures read it (its own record, `rule_values_used`) and it is a nonzero continuous
/// number of the chosen rule set.
pub(super) fn select(report: &ProjectReport, chosen: &RuleSet) -> Selection {
    let used = match &report.computation {
        Computation::New(a) => &a.rule_values_used,
        Computation::Rules2018(a) => &a.rule_values_used,
    };
    let mut movable = Vec::new();
    let mut skipped = Vec::new();
    for v in &report.not_official_values {
        let read =
            used.iter().any(|u| u.key == v.key) && chosen.values().iter().any(|c| c.key == v.key);
        match skip_reason(v, read) {
            None => movable.push(v.clone()),
            Some(reason) => skipped.push(SkippedValue {
                key: v.key.clone(),
                value: v.value.clone(),
                source: v.source.clone(),
                reason,
                explanation: reason.explain(),
            }),
        }
    }
    Selection { movable, skipped }
}

fn skip_reason(v: &RuleValue, read_by_figures: bool) -> Option<SkipReason> {
    let Some(x) = v.numeric else {
        return Some(
            if chrono::NaiveDate::parse_from_str(&v.value, "%Y-%m-%d").is_ok() {
                SkipReason::Date
            } else {
                SkipReason::Discrete
            },
        );
    };
    if v.key.ends_with("_years") || v.key.ends_with("_months") {
        return Some(SkipReason::WholeNumber);
    }
    if !read_by_figures {
        return Some(SkipReason::NotReadByFigures);
    }
    (x == 0.0).then_some(SkipReason::Zero)
}
