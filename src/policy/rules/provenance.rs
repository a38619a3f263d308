//! Provenance of rule values: every value carries its dotted key, source and status.

use serde::Serialize;

/// How authoritative a rule value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Published and in force.
    Official,
    /// From a published draft (the 2022 drafting note).
    Draft,
    /// Not published: a placeholder so the pipeline runs; every report must list it.
    Illustrative,
}

impl Status {
    /// Parses `official`, `draft` or `illustrative`.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "official" => Some(Status::Official),
            "draft" => Some(Status::Draft),
            "illustrative" => Some(Status::Illustrative),
            _ => None,
        }
    }

    /// The status as written in rule sets and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Official => "official",
            Status::Draft => "draft",
            Status::Illustrative => "illustrative",
        }
    }
}

/// Where a rule value comes from: its dotted key in the rule set, its source and status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// Dotted key of the value in the rule set (`shared.max_ratio_of_rights`).
    pub key: String,
    /// Where the value comes from.
    pub source: String,
    /// official, draft or illustrative.
    pub status: Status,
}

/// A rule value with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Its key, source and status.
    pub provenance: Provenance,
}

/// One scalar value of a rule set as listed in reports (`value` as written, e.g. `1/0.6`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleValue {
    /// Dotted key of the value in the rule set (`shared.max_ratio_of_rights`).
    pub key: String,
    /// The value as written.
    pub value: String,
    /// The numeric value, for numbers.
    pub numeric: Option<f64>,
    /// Where the value comes from.
    pub source: String,
    /// official, draft or illustrative.
    pub status: Status,
}
