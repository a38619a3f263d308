//! The function coefficient (留用土地功能修正系数) of the planned use mix and the mix
//! constraints of the 2022 rules (policy.md §3, \[N\] Table 1).

use serde::Serialize;

use super::REL_TOL;
use super::input::UseShare;
use crate::policy::rules::{RuleSet, Sourced};
use crate::policy::{Finding, FindingCode, Severity, UsedValues, check_nonneg, policy_err};

/// One planned use of the rights floor area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionUse {
    /// Planned use (key of `[function]`).
    pub use_id: String,
    /// Floor-area share s_u.
    pub share: f64,
    /// f_u.
    pub coef: Sourced<f64>,
    /// 取值比例 k_u = (s_u / f_u) × function_coef.
    pub k: f64,
    /// Rights floor area of this use = s_u × rights floor area.
    pub rights_floor_area_m2: f64,
}

/// 留用土地功能修正系数 of the mix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionSummary {
    /// function_coef = 1 / Σ (s_u / f_u).
    pub function_coef: f64,
    /// Each planned use with its share, coefficient and rights floor area.
    pub uses: Vec<FunctionUse>,
}

/// Function coefficient `1 / Σ (s_u / f_u)` and the 取值比例 `k_u` of a use mix [N 表1].
/// Shares must add up to 1. Rights floor area per use is left at 0 (filled by [`super::assess`]).
pub fn function_coefficient(
    rules: &RuleSet,
    mix: &[UseShare],
    used: &mut impl UsedSink,
) -> crate::Result<FunctionSummary> {
    let r = rules.rules_2022()?;
    if mix.is_empty() {
        return Err(policy_err(
            "the function mix of the rights floor area is empty",
        ));
    }
    let mut sum_share = 0.0;
    let mut denom = 0.0;
    let mut uses = Vec::new();
    for u in mix {
        let s = check_nonneg(&format!("share of use `{}`", u.use_id), u.share)?;
        if uses.iter().any(|x: &FunctionUse| x.use_id == u.use_id) {
            return Err(policy_err(format!(
                "use `{}` appears twice in the function mix",
                u.use_id
            )));
        }
        let f = r.functions.get(&u.use_id).ok_or_else(|| {
            policy_err(format!(
                "no function coefficient for use `{}`; the rule set has: {}",
                u.use_id,
                r.functions.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        used.mark(&f.provenance.key);
        sum_share += s;
        denom += s / f.value;
        uses.push(FunctionUse {
            use_id: u.use_id.clone(),
            share: s,
            coef: f.clone(),
            k: 0.0,
            rights_floor_area_m2: 0.0,
        });
    }
    if (sum_share - 1.0).abs() > REL_TOL {
        return Err(policy_err(format!(
            "the function-mix shares add up to {sum_share}, not 1"
        )));
    }
    let function_coef = 1.0 / denom;
    for u in &mut uses {
        u.k = u.share / u.coef.value * function_coef;
    }
    Ok(FunctionSummary {
        function_coef,
        uses,
    })
}

/// Something that records which rule values were used (lets [`function_coefficient`] be
/// called on its own with `&mut ()`).
pub trait UsedSink {
    /// Records that the rule value with this key was used.
    fn mark(&mut self, key: &str);
}

impl UsedSink for () {
    fn mark(&mut self, _key: &str) {}
}

impl UsedSink for UsedValues {
    fn mark(&mut self, key: &str) {
        self.mark_key(key);
    }
}

/// Findings of the mix constraints: shared-ownership minimum, industrial maximum,
/// residential first.
pub(super) fn mix_findings(
    rules: &RuleSet,
    function: &FunctionSummary,
    used: &mut UsedValues,
    findings: &mut Vec<Finding>,
) {
    let Ok(r) = rules.rules_2022() else { return };
    let m = &r.function_mix;
    let share_of = |ids: &[String]| -> f64 {
        function
            .uses
            .iter()
            .filter(|u| ids.contains(&u.use_id))
            .map(|u| u.share)
            .sum()
    };
    let residential = share_of(&m.residential_uses);
    let shared_own = share_of(std::slice::from_ref(&m.shared_ownership_use));
    let min_so = used.take(&m.min_shared_ownership_of_residential);
    if residential > 0.0 {
        let ratio = shared_own / residential;
        if ratio < min_so - REL_TOL {
            findings.push(Finding::new(
                FindingCode::SharedOwnershipBelowMin,
                Severity::Violation,
                format!(
                    "shared-ownership housing (共有产权住房) is {:.2}% of the residential rights floor area; at least {:.2}% is required",
                    ratio * 100.0,
                    min_so * 100.0
                ),
                &[("shared_ownership_of_residential", ratio), ("minimum", min_so)],
            ));
        }
    }
    let industrial = share_of(&m.industrial_uses);
    let max_ind = used.take(&m.max_industrial_share);
    if industrial > max_ind + REL_TOL {
        findings.push(Finding::new(
            FindingCode::IndustrialOverMax,
            Severity::Violation,
            format!(
                "industrial use is {:.2}% of the rights floor area; at most {:.2}% is allowed",
                industrial * 100.0,
                max_ind * 100.0
            ),
            &[("industrial_share", industrial), ("maximum", max_ind)],
        ));
    }
    if residential + REL_TOL < industrial {
        findings.push(Finding::new(
            FindingCode::ResidentialNotLeading,
            Severity::Warning,
            "the rules put residential use first (以居住为主导), but the industrial share exceeds the residential share".into(),
            &[("residential_share", residential), ("industrial_share", industrial)],
        ));
    }
}
