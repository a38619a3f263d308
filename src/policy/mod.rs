//! The policy engine: rule sets with provenance, tenure classification, rights floor area,
//! eligibility and retained-land siting. It takes measured quantities (areas, shares) and
//! knows no file formats.

pub mod capacity;
pub mod rules;
pub mod rules2018;
pub mod siting;
pub mod tenure;
pub mod term;
mod toml_doc;
pub mod transition;

use std::collections::BTreeMap;

use serde::Serialize;

pub use capacity::{
    Assessment, BuildingArea, Facility, FallbackZone, OffsiteSite, ParcelInput, ProjectInput,
    RetainedPlan, SitingInput, UseShare, ZoneArea, assess,
};
pub use rules::{Method, Provenance, RuleSet, RuleValue, Sourced, Status};
pub use rules2018::{Assessment2018, ProjectInput2018, assess_2018};
pub use siting::{OffsiteConversion, SiteFit, offsite_rights, site_fit};
pub use tenure::{TenureClass, TenureError, TenureRules, TenureRulesConfig};
pub use transition::{
    RuleChoice, TransitionBranch, TransitionDecision, TransitionInput, select_rules,
};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    /// A policy constraint is violated: the scheme as given does not comply.
    Violation,
}

/// A checked constraint that does not hold (or a notable fact): reported, not an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. `shared_over_cap`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The figures behind the finding.
    pub values: BTreeMap<String, f64>,
}

impl Finding {
    pub(crate) fn new(
        code: &str,
        severity: Severity,
        message: String,
        values: &[(&str, f64)],
    ) -> Finding {
        Finding {
            code: code.to_string(),
            severity,
            message,
            values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }
}

/// Records which rule values a computation used, to list them (and the illustrative ones).
#[derive(Debug, Default)]
pub(crate) struct UsedValues {
    keys: std::collections::BTreeSet<String>,
}

impl UsedValues {
    pub fn take<T: Clone>(&mut self, s: &Sourced<T>) -> T {
        self.keys.insert(s.provenance.key.clone());
        s.value.clone()
    }

    pub fn mark_key(&mut self, key: &str) {
        self.keys.insert(key.to_string());
    }

    /// The rule set's records of the values used, in rule-set order.
    pub fn records(&self, rules: &RuleSet) -> Vec<RuleValue> {
        rules
            .values()
            .iter()
            .filter(|v| self.keys.contains(&v.key))
            .cloned()
            .collect()
    }
}

/// Rejects NaN, infinite and negative inputs with a message naming the quantity.
pub(crate) fn check_nonneg(what: &str, v: f64) -> crate::Result<f64> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(crate::Error::Policy {
            message: format!("{what} must be a finite number ≥ 0, got {v}"),
        })
    }
}

pub(crate) fn policy_err(message: impl Into<String>) -> crate::Error {
    crate::Error::Policy {
        message: message.into(),
    }
}
