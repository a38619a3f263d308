//! The policy engine: rule sets with provenance, tenure classification, rights floor area,
//! eligibility and retained-land siting. It takes measured quantities (areas, shares) and
//! knows no file formats.

pub mod capacity;
mod finding;
pub mod planning;
pub mod rules;
pub mod rules2018;
pub mod siting;
pub mod tenure;
pub mod term;
mod toml_doc;
pub mod transition;

pub use capacity::{
    Assessment, BuildingArea, DENSITY_BASE_USE, Facility, FallbackZone, ParcelInput, ProjectInput,
    RetainedPlan, UseShare, ZoneArea, assess, counts_planned_construction_only,
};
pub use finding::{Finding, FindingCode, Severity};
pub use rules::{Method, Provenance, RuleSet, RuleValue, Sourced, Status};
pub use rules2018::{Assessment2018, Excluded2018, Parcel2018, ProjectInput2018, assess_2018};
pub use siting::{
    Allocation, AllocationInput, FloorArea2018Rule, OffsiteBase2018, OffsiteConversion,
    OffsiteRule, ProposedSite, SiteAllocation, SiteFit, SiteLocation, SitingRules, allocate,
    offsite_rights, site_fit,
};
pub use tenure::{TenureClass, TenureError, TenureRules, TenureRulesConfig};
pub use transition::{
    RuleChoice, TransitionBranch, TransitionDecision, TransitionInput, select_rules,
};

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
