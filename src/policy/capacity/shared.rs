//! Facility (配套容积) and shared floor area (共享容积) of the 2022 rules and the disposition
//! of the shared part (policy.md §5).

use serde::Serialize;

use super::REL_TOL;
use super::input::{Facility, ProjectInput};
use crate::policy::rules::{RuleSet, Sourced};
use crate::policy::{Finding, FindingCode, Severity, UsedValues, check_nonneg, policy_err};

/// Shared floor area (共享容积) and its disposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSummary {
    /// Requested shared floor area as a fraction of the rights floor area.
    pub requested_ratio: f64,
    /// Cap as a fraction of the rights floor area (≤ 20%).
    pub max_ratio: Sourced<f64>,
    /// Cap = max_ratio × rights floor area.
    pub cap_floor_area_m2: f64,
    /// As requested (a request over the cap is a finding, not clipped).
    pub floor_area_m2: f64,
    /// Disposition option id (`A` or `B`).
    pub disposition: String,
    /// Handed to the government.
    pub government_m2: f64,
    /// Market housing kept by the rights holders.
    pub holders_market_m2: f64,
    /// Shared-ownership housing.
    pub shared_ownership_m2: f64,
}

/// Facility floor area (配套容积): the sum of the plan's facilities, m².
pub(super) fn facility_floor_area(facilities: &[Facility]) -> crate::Result<f64> {
    let mut facility = 0.0;
    for f in facilities {
        facility += check_nonneg(
            &format!("facility `{}`: floor area", f.name),
            f.floor_area_m2,
        )?;
    }
    Ok(facility)
}

/// Shared floor area as requested, the cap finding and the disposition.
pub(super) fn shared_floor_area(
    rules: &RuleSet,
    input: &ProjectInput,
    rights: f64,
    used: &mut UsedValues,
    findings: &mut Vec<Finding>,
) -> crate::Result<SharedSummary> {
    let r = rules.rules_2022()?;
    let ratio = check_nonneg("shared floor-area ratio", input.shared_ratio)?;
    let max_ratio = used.take(&r.shared.max_ratio_of_rights);
    let floor = ratio * rights;
    let cap = max_ratio * rights;
    if ratio > max_ratio + REL_TOL {
        findings.push(Finding::new(
            FindingCode::SharedOverCap,
            Severity::Violation,
            format!(
                "shared floor area (共享容积) {floor:.2} m² is {:.2}% of the rights floor area; at most {:.2}% ({cap:.2} m²) is allowed",
                ratio * 100.0,
                max_ratio * 100.0
            ),
            &[
                ("shared_ratio", ratio),
                ("max_ratio", max_ratio),
                ("shared_floor_area_m2", floor),
                ("cap_floor_area_m2", cap),
            ],
        ));
    }
    let d = r
        .shared
        .dispositions
        .get(&input.shared_disposition)
        .ok_or_else(|| {
            policy_err(format!(
                "unknown shared floor-area disposition `{}`; the rule set has: {}",
                input.shared_disposition,
                r.shared
                    .dispositions
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    Ok(SharedSummary {
        requested_ratio: ratio,
        max_ratio: r.shared.max_ratio_of_rights.clone(),
        cap_floor_area_m2: cap,
        floor_area_m2: floor,
        disposition: input.shared_disposition.clone(),
        government_m2: floor * used.take(&d.government),
        holders_market_m2: floor * used.take(&d.holders_market),
        shared_ownership_m2: floor * used.take(&d.shared_ownership),
    })
}
