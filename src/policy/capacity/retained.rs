//! Retained land (留用土地) of the 2022 rules: its area from the planned floor area, the check
//! of its planned FAR against the 深标 base FAR of its use, and the check of its residential
//! FAR against the zone's residential cap (policy.md §5).

use serde::Serialize;

use super::REL_TOL;
use super::input::RetainedPlan;
use crate::policy::rules::{RuleSet, Sourced};
use crate::policy::{Finding, FindingCode, Severity, UsedValues, policy_err};

/// Retained land (留用土地) and the checks of its FAR.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetainedSummary {
    /// The plan of the retained land.
    pub plan: RetainedPlan,
    /// 深标 base FAR of the retained use in the zone (the minimum planned FAR), when the
    /// rule set has one.
    pub min_far: Option<Sourced<f64>>,
    /// 深标 residential cap of the zone (near-metro where applicable).
    pub cap_far: Option<Sourced<f64>>,
    /// planned floor area / planned FAR, m².
    pub retained_land_area_m2: f64,
    /// Residential floor area on the retained land (residential uses' rights floor area and
    /// the shared floor area, which is housing), m².
    pub residential_floor_area_m2: f64,
    /// Residential FAR = residential floor area / retained-land area; checked against the cap.
    pub residential_far: f64,
}

/// The floor areas the retained land carries.
pub(super) struct RetainedFloors {
    /// 规划容积, m².
    pub planned_m2: f64,
    /// Of which residential, m².
    pub residential_m2: f64,
}

/// Retained-land area = planned floor area / planned FAR, with the FAR findings.
pub(super) fn retained_land(
    rules: &RuleSet,
    plan: &RetainedPlan,
    floors: &RetainedFloors,
    used: &mut UsedValues,
    findings: &mut Vec<Finding>,
) -> crate::Result<RetainedSummary> {
    let far = plan.planned_far;
    if !(far.is_finite() && far > 0.0) {
        return Err(policy_err(format!("planned FAR must be > 0, got {far}")));
    }
    let area = floors.planned_m2 / far;
    let min_far = rules.shenbiao.base_far(plan.zone, &plan.use_key).cloned();
    check_base(plan, min_far.as_ref(), used, findings);
    let cap_far = rules
        .shenbiao
        .cap_far(plan.zone, rules.shenbiao.residential_use(), plan.near_metro)
        .cloned();
    let residential_far = if area > 0.0 {
        floors.residential_m2 / area
    } else {
        0.0
    };
    if let Some(c) = &cap_far
        && floors.residential_m2 > 0.0
    {
        let cap = used.take(c);
        if residential_far > cap + REL_TOL {
            findings.push(Finding::new(
                FindingCode::ResidentialFarAboveCap,
                Severity::Violation,
                format!(
                    "residential FAR {residential_far:.4} on the retained land ({:.2} m² of \
                     residential floor area on {area:.2} m²) exceeds the 深标 residential cap \
                     {cap} of density zone {}{}",
                    floors.residential_m2,
                    plan.zone,
                    if plan.near_metro { " (near metro)" } else { "" }
                ),
                &[("residential_far", residential_far), ("cap_far", cap)],
            ));
        }
    }
    Ok(RetainedSummary {
        plan: plan.clone(),
        min_far,
        cap_far,
        retained_land_area_m2: area,
        residential_floor_area_m2: floors.residential_m2,
        residential_far,
    })
}

/// The planned FAR against the 深标 base FAR of the retained use (a warning when the rule
/// set has none for that use and zone).
fn check_base(
    plan: &RetainedPlan,
    min_far: Option<&Sourced<f64>>,
    used: &mut UsedValues,
    findings: &mut Vec<Finding>,
) {
    let far = plan.planned_far;
    match min_far {
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
}
