//! The 2018 rules (深规土规〔2018〕6号) computation path: eligibility by contiguous
//! unfinished-requisition land, base floor area from an input retained-land area, shared floor
//! area with government buy-back.

use serde::{Deserialize, Serialize};

use super::capacity::Facility;
use super::rules::{Method, RuleSet, RuleValue, Rules2018, Sourced, Status};
use super::tenure::TenureClass;
use super::{Finding, FindingCode, Severity, UsedValues, check_nonneg, policy_err};

/// Everything the 2018 computation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInput2018 {
    /// Project id.
    pub project_id: String,
    /// Areas of the connected components of the dissolved unfinished-requisition planned
    /// construction land (未完善征（转）地 规划建设用地), m² — computed geometrically upstream.
    pub contiguous_unfinished_areas: Vec<f64>,
    /// Retained-land area inside the project (留用土地面积), m²: an input (the sizing table of
    /// the 2018 rules is not public).
    pub retained_land_area_m2: f64,
    /// Plot FAR of the retained land (地块容积率).
    pub plot_far: f64,
    /// Requested shared floor area as a fraction of the base floor area.
    pub shared_ratio: f64,
    /// Public facilities (配套设施).
    #[serde(default)]
    pub facilities: Vec<Facility>,
    /// The parcels inside the project, for the counted set of the 2018 rules.
    #[serde(default)]
    pub parcels: Vec<Parcel2018>,
}

/// One parcel inside the project, as the 2018 rules see it: its tenure decides whether the
/// rules count it (their scope, [`Rules2018::counts_tenure`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parcel2018 {
    /// Printable parcel id.
    pub id: String,
    /// Tenure class (土地权益类型).
    pub tenure: TenureClass,
}

/// Result of the 2018 computation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment2018 {
    /// The computation (2018 retained-land rules).
    pub method: Method,
    /// Id of the rule set used.
    pub rule_set_id: String,
    /// File the rule set was read from.
    pub rule_set_path: String,
    /// Project id.
    pub project_id: String,
    /// Largest contiguous unfinished-requisition area, m².
    pub largest_contiguous_area_m2: f64,
    /// The eligibility minimum (3000 m²).
    pub min_contiguous_area: Sourced<f64>,
    /// The project is eligible under the 2018 rules.
    pub eligible: bool,
    /// Why the project is (not) eligible.
    pub eligibility_reason: String,
    /// Retained-land area inside the project (an input), m².
    pub retained_land_area_m2: f64,
    /// Plot FAR of the retained land (地块容积率).
    pub plot_far: f64,
    /// 基础容积 = retained land × plot FAR, m².
    pub base_floor_area_m2: f64,
    /// Facility floor area (配套), m².
    pub facility_floor_area_m2: f64,
    /// Requested shared floor area as a fraction of the base floor area.
    pub shared_requested_ratio: f64,
    /// Cap of the shared floor area as a fraction of the base (30%).
    pub shared_max_ratio: Sourced<f64>,
    /// Cap of the shared floor area, m².
    pub shared_cap_floor_area_m2: f64,
    /// 共享容积 as requested, m².
    pub shared_floor_area_m2: f64,
    /// Fraction bought back by the government (60%).
    pub buyback_ratio: Sourced<f64>,
    /// Part of the shared floor area bought back by the government (政府回购), m².
    pub government_buyback_m2: f64,
    /// The rest, kept by the rights holders, m².
    pub holders_m2: f64,
    /// base + facility + shared, m².
    pub planned_floor_area_m2: f64,
    /// Ids of the parcels the 2018 rules count, in input order (the on-site land price is
    /// taken over them). Listed per parcel in the parcel table, not in this section.
    #[serde(skip)]
    pub counted_parcels: Vec<String>,
    /// The parcels outside the 2018 rules' scope, with the reason (also in the parcel table).
    pub excluded: Vec<Excluded2018>,
    /// Violated constraints and notable facts.
    pub findings: Vec<Finding>,
    /// Input problems that did not stop the computation.
    pub warnings: Vec<String>,
    /// Every rule value used, with source and status.
    pub rule_values_used: Vec<RuleValue>,
    /// The illustrative (unpublished) values used.
    pub illustrative_values_used: Vec<RuleValue>,
}

/// Eligibility under the 2018 rules: some contiguous area ≥ the minimum (3000 m²).
/// Returns (eligible, largest area).
pub fn eligible_2018(rules: &RuleSet, contiguous_areas: &[f64]) -> crate::Result<(bool, f64)> {
    let r = rules.rules_2018()?;
    let mut largest = 0.0_f64;
    for (i, a) in contiguous_areas.iter().enumerate() {
        largest = largest.max(check_nonneg(&format!("contiguous area #{i}"), *a)?);
    }
    Ok((
        largest >= r.min_contiguous_unfinished_area_m2.value,
        largest,
    ))
}

/// The counted set of the 2018 rules: the parcels whose tenure they count, in input order.
pub fn counted_parcels(rules: &Rules2018, parcels: &[Parcel2018]) -> Vec<String> {
    parcels
        .iter()
        .filter(|p| rules.counts_tenure(p.tenure))
        .map(|p| p.id.clone())
        .collect()
}

/// A parcel the 2018 rules do not count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded2018 {
    /// Printable parcel id.
    pub id: String,
    /// Its tenure class.
    pub tenure: TenureClass,
    /// Why it is not counted.
    pub reason: String,
}

/// The parcels outside the scope of the 2018 rules (state-granted and state-reserve land).
pub fn excluded_parcels(rules: &Rules2018, parcels: &[Parcel2018]) -> Vec<Excluded2018> {
    parcels
        .iter()
        .filter(|p| !rules.counts_tenure(p.tenure))
        .map(|p| Excluded2018 {
            id: p.id.clone(),
            tenure: p.tenure,
            reason: format!(
                "{}: outside the scope of the 2018 rules (6号文 covers land the community's \
                 successor controls; state-granted and state-reserve land is not counted)",
                p.tenure
            ),
        })
        .collect()
}

/// Runs the 2018 computation. An ineligible project is reported (eligible = false, finding),
/// its figures still computed so the analyst sees them.
pub fn assess_2018(rules: &RuleSet, input: &ProjectInput2018) -> crate::Result<Assessment2018> {
    let r = rules.rules_2018()?;
    let mut used = UsedValues::default();
    let mut findings = Vec::new();
    let warnings = Vec::new();
    let min_area = used.take(&r.min_contiguous_unfinished_area_m2);
    let (eligible, largest) = eligible_2018(rules, &input.contiguous_unfinished_areas)?;
    let eligibility_reason = if eligible {
        format!("largest contiguous unfinished-requisition area {largest:.2} m² ≥ {min_area} m²")
    } else {
        findings.push(Finding::new(
            FindingCode::NotEligible2018,
            Severity::Violation,
            format!(
                "largest contiguous unfinished-requisition planned construction land is {largest:.2} m²; the 2018 rules need ≥ {min_area} m²"
            ),
            &[("largest_contiguous_area_m2", largest), ("minimum_m2", min_area)],
        ));
        format!("largest contiguous unfinished-requisition area {largest:.2} m² < {min_area} m²")
    };
    let retained = check_nonneg("retained-land area", input.retained_land_area_m2)?;
    let plot_far = input.plot_far;
    if !(plot_far.is_finite() && plot_far > 0.0) {
        return Err(policy_err(format!("plot FAR must be > 0, got {plot_far}")));
    }
    let base = retained * plot_far;
    let mut facility = 0.0;
    for f in &input.facilities {
        facility += check_nonneg(
            &format!("facility `{}`: floor area", f.name),
            f.floor_area_m2,
        )?;
    }
    let ratio = check_nonneg("shared floor-area ratio", input.shared_ratio)?;
    let max_ratio = used.take(&r.shared_max_ratio_of_base);
    let shared = ratio * base;
    let cap = max_ratio * base;
    if ratio > max_ratio + 1e-6 {
        findings.push(Finding::new(
            FindingCode::SharedOverCap,
            Severity::Violation,
            format!(
                "shared floor area {shared:.2} m² is {:.2}% of the base floor area; at most {:.2}% ({cap:.2} m²) is allowed",
                ratio * 100.0,
                max_ratio * 100.0
            ),
            &[("shared_ratio", ratio), ("max_ratio", max_ratio)],
        ));
    }
    let buyback = used.take(&r.government_buyback_ratio);
    let rule_values_used = used.records(rules);
    let illustrative_values_used = rule_values_used
        .iter()
        .filter(|v| v.status == Status::Illustrative)
        .cloned()
        .collect();
    Ok(Assessment2018 {
        method: Method::RetainedLand2018,
        rule_set_id: rules.id.clone(),
        rule_set_path: rules.path.clone(),
        project_id: input.project_id.clone(),
        largest_contiguous_area_m2: largest,
        min_contiguous_area: r.min_contiguous_unfinished_area_m2.clone(),
        eligible,
        eligibility_reason,
        retained_land_area_m2: retained,
        plot_far,
        base_floor_area_m2: base,
        facility_floor_area_m2: facility,
        shared_requested_ratio: ratio,
        shared_max_ratio: r.shared_max_ratio_of_base.clone(),
        shared_cap_floor_area_m2: cap,
        shared_floor_area_m2: shared,
        buyback_ratio: r.government_buyback_ratio.clone(),
        government_buyback_m2: shared * buyback,
        holders_m2: shared * (1.0 - buyback),
        planned_floor_area_m2: base + facility + shared,
        counted_parcels: counted_parcels(r, &input.parcels),
        excluded: excluded_parcels(r, &input.parcels),
        findings,
        warnings,
        rule_values_used,
        illustrative_values_used,
    })
}
