//! Retained land (留用土地) of the 2022 rules: its area from the planned floor area and the
//! checks of its planned FAR against the 深标 base and cap (policy.md §5).

use serde::Serialize;

use super::REL_TOL;
use super::input::RetainedPlan;
use crate::policy::rules::{RuleSet, Sourced};
use crate::policy::{Finding, FindingCode, Severity, UsedValues, policy_err};

/// Retained land (留用土地) and the checks of its planned FAR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetainedSummary {
    pub plan: RetainedPlan,
    /// 深标 base FAR of the use in the zone (the minimum).
    pub min_far: Option<Sourced<f64>>,
    /// 深标 cap of the use in the zone (near-metro where applicable).
    pub cap_far: Option<Sourced<f64>>,
    /// planned floor area / planned FAR, m².
    pub retained_land_area_m2: f64,
}

/// Retained-land area = planned floor area / planned FAR, with the FAR findings.
pub(super) fn retained_land(
    rules: &RuleSet,
    plan: &RetainedPlan,
    planned: f64,
    used: &mut UsedValues,
    findings: &mut Vec<Finding>,
) -> crate::Result<RetainedSummary> {
    let far = plan.planned_far;
    if !(far.is_finite() && far > 0.0) {
        return Err(policy_err(format!("planned FAR must be > 0, got {far}")));
    }
    let min_far = rules.shenbiao.base_far(plan.zone, &plan.use_key).cloned();
    let cap_far = rules
        .shenbiao
        .cap_far(plan.zone, &plan.use_key, plan.near_metro)
        .cloned();
    match &min_far {
        Some(b) => {
            let base = used.take(b);
            if far < base - REL_TOL {
                findings.push(Finding::new(
                    FindingCode::PlannedFarBelowBase,
                    Severity::Violation,
                    format!(
                        "planned FAR {far} is below the 深标 base FAR {base} of `{}` in density zone {}",
                        plan.use_key, plan.zone
                    ),
                    &[("planned_far", far), ("base_far", base)],
                ));
            }
        }
        None => findings.push(Finding::new(
            FindingCode::NoBaseFar,
            Severity::Warning,
            format!(
                "the rule set has no 深标 base FAR for `{}` in density zone {}: the minimum FAR was not checked",
                plan.use_key, plan.zone
            ),
            &[("planned_far", far)],
        )),
    }
    if let Some(c) = &cap_far {
        let cap = used.take(c);
        if far > cap + REL_TOL {
            findings.push(Finding::new(
                FindingCode::PlannedFarAboveCap,
                Severity::Violation,
                format!(
                    "planned FAR {far} exceeds the 深标 cap {cap} of `{}` in density zone {}{}",
                    plan.use_key,
                    plan.zone,
                    if plan.near_metro { " (near metro)" } else { "" }
                ),
                &[("planned_far", far), ("cap_far", cap)],
            ));
        }
    }
    Ok(RetainedSummary {
        plan: plan.clone(),
        min_far,
        cap_far,
        retained_land_area_m2: planned / far,
    })
}
