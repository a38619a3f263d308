//! The 2022 draft computation: rights floor area (权益容积), facility (配套容积), shared
//! (共享容积) and planned floor area (规划容积), and the retained-land area (留用土地面积).
//!
//! Inputs are measured numbers filled by the integrator's pipeline; nothing here knows
//! geometry or files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::{
    Combination, IntensityBand, Method, Provenance, RuleSet, RuleValue, Sourced, Status, TenureCoef,
};
use super::siting::{OffsiteConversion, SiteFit, offsite_rights, site_fit};
use super::tenure::TenureClass;
use super::term::{add_years, at_least_years_after, term_correction, years_between};
use super::{Finding, Severity, UsedValues, check_nonneg, policy_err};

/// The 深标 use whose base FAR is the density base FAR of the rights formula \[N\].
pub const DENSITY_BASE_USE: &str = "residential";

/// Area of a parcel inside one density zone (密度分区), m².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneArea {
    pub zone: u8,
    pub area_m2: f64,
}

/// Existing building floor area of one building use (现状建筑面积), m².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildingArea {
    /// Key of the `[building_type]` table (commercial, factory, residential, ...).
    pub building_use: String,
    pub floor_area_m2: f64,
}

/// One parcel inside the project boundary, as measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParcelInput {
    /// Printable feature reference.
    pub id: String,
    pub tenure: TenureClass,
    /// Area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// For unfinished_requisition / requisitioned_ungranted: the part inside the planned
    /// construction land (土地整备规划建设用地), m², when that layer is given; only this part
    /// counts \[N\]. Ignored (with a warning) for other classes.
    #[serde(default)]
    pub planned_construction_area_m2: Option<f64>,
    /// Legal area from an attribute (certificate, approval, recognition); overrides the
    /// measured area when given. Both are reported.
    #[serde(default)]
    pub legal_area_m2: Option<f64>,
    /// Land use (用途) for the term table and by-use coefficients: residential, commercial,
    /// industrial, mixed, ...
    #[serde(default)]
    pub land_use: Option<String>,
    /// Grant date (出让日期), state_granted only.
    #[serde(default)]
    pub grant_date: Option<NaiveDate>,
    /// Granted term in years (出让年期); absent = the statutory term of the use.
    #[serde(default)]
    pub term_years: Option<f64>,
    /// Inside a major-project / industrial / comprehensive consolidation area (exempt from
    /// the 15-year rule).
    #[serde(default)]
    pub in_major_project: bool,
    /// Areas of the parcel (inside the boundary) per density zone.
    #[serde(default)]
    pub zone_areas: Vec<ZoneArea>,
    /// Area of the parcel no density zone covers.
    #[serde(default)]
    pub uncovered_area_m2: f64,
    /// Existing buildings on the parcel inside the project.
    #[serde(default)]
    pub buildings: Vec<BuildingArea>,
}

/// The zone given to land no density zone covers [S 4.1.3], chosen by the integrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FallbackZone {
    pub zone: u8,
    /// E.g. "adjacent zone 4" or "one zone lower than adjacent zone 3: ecologically sensitive".
    pub reason: String,
}

/// Floor-area share of one planned use of the rights floor area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseShare {
    /// Key of the `[function]` table (market_housing, shared_ownership_housing, industrial).
    pub use_id: String,
    pub share: f64,
}

/// A public facility on retained land (配套设施).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub name: String,
    pub floor_area_m2: f64,
}

/// The retained-land plan: planned FAR and where it lies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetainedPlan {
    /// Planned FAR (规划容积率).
    pub planned_far: f64,
    /// Density zone of the retained land.
    pub zone: u8,
    /// 深标 use key of the retained land (residential, commercial, industrial_m0, ...).
    pub use_key: String,
    /// Within the metro radius (轨道站点 500 m), for the near-metro cap.
    #[serde(default)]
    pub near_metro: bool,
}

/// A proposed retained-land site outside the project with its land price (§6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OffsiteSite {
    pub id: String,
    /// Benchmark land price of the site (基准地价), area-weighted upstream.
    pub price: f64,
}

/// Retained-land siting figures measured upstream (留用土地落地).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SitingInput {
    /// Areas of the proposed sites inside the project boundary, m².
    #[serde(default)]
    pub inside_site_areas_m2: Vec<f64>,
    /// Land price of the project (on-site), needed for off-site conversion.
    #[serde(default)]
    pub onsite_price: Option<f64>,
    #[serde(default)]
    pub offsite_sites: Vec<OffsiteSite>,
}

/// Off-site conversion of the rights floor area to one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffsiteResult {
    pub site_id: String,
    pub conversion: OffsiteConversion,
}

/// Everything the 2022 computation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInput {
    pub project_id: String,
    /// Assessment date (评估基准日): eligibility and remaining terms are measured to it.
    pub assessment_date: NaiveDate,
    pub parcels: Vec<ParcelInput>,
    /// Buildings known only at project level (not attributed to a parcel).
    #[serde(default)]
    pub project_buildings: Vec<BuildingArea>,
    /// Zone for uncovered land; required when any counted parcel has uncovered area.
    #[serde(default)]
    pub uncovered_fallback: Option<FallbackZone>,
    pub function_mix: Vec<UseShare>,
    #[serde(default)]
    pub facilities: Vec<Facility>,
    /// Requested shared floor area as a fraction of rights floor area.
    pub shared_ratio: f64,
    /// Disposition option id of shared floor area (`A` or `B`).
    pub shared_disposition: String,
    pub retained: RetainedPlan,
    /// Siting figures; absent = no fit / off-site figures in the assessment.
    #[serde(default)]
    pub siting: Option<SitingInput>,
}

/// Term-correction detail of a state-granted parcel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermDetail {
    pub land_use: String,
    pub grant_date: NaiveDate,
    pub term_years: f64,
    pub expiry_date: NaiveDate,
    /// Remaining years n at the assessment date (calendar anniversaries).
    pub remaining_years: f64,
    pub statutory_years: Sourced<f64>,
    pub rate: Sourced<f64>,
    /// K = (1 − (1+r)^−n) / (1 − (1+r)^−N).
    pub k: f64,
    pub base: Sourced<f64>,
}

/// A counted parcel with its land-rights coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountedParcel {
    pub id: String,
    pub tenure: TenureClass,
    pub area_inside_m2: f64,
    pub planned_construction_area_m2: Option<f64>,
    pub legal_area_m2: Option<f64>,
    /// Area counted in the land area: the legal area if given, else (for the two
    /// requisition classes) the planned-construction-land area if given, else the inside area.
    pub counted_area_m2: f64,
    /// 土地权益修正系数 of the parcel.
    pub land_rights_coef: f64,
    pub coef_provenance: Vec<Provenance>,
    pub term: Option<TermDetail>,
    /// Eligible only through the major-project exemption.
    pub major_project_exemption: bool,
}

/// A parcel not counted, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedParcel {
    pub id: String,
    pub tenure: TenureClass,
    pub area_inside_m2: f64,
    /// `state_reserve` or `state_granted_under_min_years`.
    pub reason_code: String,
    pub reason: String,
}

/// Counted land area and its mean land-rights coefficient by class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassArea {
    pub tenure: TenureClass,
    pub counted_area_m2: f64,
    /// Area-weighted mean coefficient of the class.
    pub land_rights_coef: f64,
}

/// Counted land per density zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneShare {
    pub zone: u8,
    pub area_m2: f64,
    /// Of which uncovered land assigned to this zone by the fallback.
    pub fallback_area_m2: f64,
    pub base_far: Sourced<f64>,
}

/// Density-zone base FAR (密度分区基准容积率), area-weighted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensitySummary {
    pub use_key: String,
    pub base_far: f64,
    pub zones: Vec<ZoneShare>,
    /// The fallback applied to uncovered land, with its area.
    pub fallback: Option<FallbackZone>,
    pub fallback_area_m2: f64,
}

/// Existing floor area of one building use with its coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingUseShare {
    pub building_use: String,
    pub floor_area_m2: f64,
    pub coef: Sourced<f64>,
}

/// Building rights (建筑权益修正系数) and its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingSummary {
    /// Existing floor area counted (counted parcels + project-level), m².
    pub existing_floor_area_m2: f64,
    pub by_use: Vec<BuildingUseShare>,
    /// Floor area on excluded parcels, not counted.
    pub excluded_floor_area_m2: f64,
    /// 现状容积率 = existing floor area / counted land area.
    pub existing_far: f64,
    pub intensity_band: IntensityBand,
    /// 开发强度修正系数.
    pub intensity_coef: f64,
    /// 建筑性质修正系数, floor-area weighted.
    pub building_type_coef: f64,
    pub combination: Sourced<Combination>,
    /// 建筑权益修正系数.
    pub building_rights_coef: f64,
}

/// One planned use of the rights floor area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionUse {
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
    pub uses: Vec<FunctionUse>,
}

/// Shared floor area (共享容积) and its disposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedSummary {
    pub requested_ratio: f64,
    pub max_ratio: Sourced<f64>,
    /// Cap = max_ratio × rights floor area.
    pub cap_floor_area_m2: f64,
    /// As requested (a request over the cap is a finding, not clipped).
    pub floor_area_m2: f64,
    pub disposition: String,
    /// Handed to the government.
    pub government_m2: f64,
    /// Market housing kept by the rights holders.
    pub holders_market_m2: f64,
    /// Shared-ownership housing.
    pub shared_ownership_m2: f64,
}

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

/// The full 2022 assessment: every figure, intermediate and coefficient with provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub method: Method,
    pub rule_set_id: String,
    pub rule_set_path: String,
    pub project_id: String,
    pub assessment_date: NaiveDate,
    pub parcels: Vec<CountedParcel>,
    pub excluded: Vec<ExcludedParcel>,
    /// Sum of the measured inside areas of all parcels given, m².
    pub total_inside_area_m2: f64,
    /// 土地面积 counted, m².
    pub counted_land_area_m2: f64,
    pub by_class: Vec<ClassArea>,
    /// 土地权益修正系数 (area-weighted).
    pub land_rights_coef: f64,
    pub density: DensitySummary,
    pub buildings: BuildingSummary,
    pub function: FunctionSummary,
    /// 权益容积, m².
    pub rights_floor_area_m2: f64,
    pub facilities: Vec<Facility>,
    /// 配套容积, m².
    pub facility_floor_area_m2: f64,
    pub shared: SharedSummary,
    /// 规划容积 = rights + facility + shared, m².
    pub planned_floor_area_m2: f64,
    pub retained: RetainedSummary,
    /// Inside sites against the required retained-land area (when siting was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_fit: Option<SiteFit>,
    /// Rights floor area converted to each off-site site (when siting was given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub offsite: Vec<OffsiteResult>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    /// Every rule value used, with source and status.
    pub rule_values_used: Vec<RuleValue>,
    /// The illustrative (unpublished) values used — must be shown in every report.
    pub illustrative_values_used: Vec<RuleValue>,
}

/// Relative tolerance for sums of measured areas and shares.
const REL_TOL: f64 = 1e-6;

/// Runs the 2022 draft computation.
pub fn assess(rules: &RuleSet, input: &ProjectInput) -> crate::Result<Assessment> {
    let r = rules.rules_2022()?;
    let mut used = UsedValues::default();
    let mut warnings = Vec::new();
    let mut findings = Vec::new();

    // --- Eligibility and counted land -------------------------------------------------------
    let min_years = used.take(&r.state_granted_min_years);
    let mut parcels = Vec::new();
    let mut excluded = Vec::new();
    let mut counted_inputs: Vec<&ParcelInput> = Vec::new();
    let mut total_inside = 0.0;
    let mut excluded_floor = 0.0;
    for p in &input.parcels {
        let inside = check_nonneg(&format!("parcel {}: area inside", p.id), p.area_inside_m2)?;
        total_inside += inside;
        if let Some(l) = p.legal_area_m2 {
            check_nonneg(&format!("parcel {}: legal area", p.id), l)?;
        }
        let coef_rule = r.tenure.get(&p.tenure).ok_or_else(|| {
            policy_err(format!(
                "rule set `{}` has no tenure class `{}` (parcel {})",
                rules.id, p.tenure, p.id
            ))
        })?;
        let floor: f64 = p.buildings.iter().map(|b| b.floor_area_m2).sum();
        if matches!(coef_rule, TenureCoef::Excluded) {
            excluded.push(ExcludedParcel {
                id: p.id.clone(),
                tenure: p.tenure,
                area_inside_m2: inside,
                reason_code: p.tenure.as_str().to_string(),
                reason: format!(
                    "{} land is not counted in the land area (rule tenure.{})",
                    p.tenure, p.tenure
                ),
            });
            excluded_floor += floor;
            continue;
        }
        let mut exemption = false;
        if p.tenure == TenureClass::StateGranted {
            let grant = p.grant_date.ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: state_granted land needs a grant date (出让日期)",
                    p.id
                ))
            })?;
            if !at_least_years_after(grant, input.assessment_date, min_years) {
                if p.in_major_project {
                    exemption = true;
                } else {
                    let years = years_between(grant, input.assessment_date);
                    excluded.push(ExcludedParcel {
                        id: p.id.clone(),
                        tenure: p.tenure,
                        area_inside_m2: inside,
                        reason_code: "state_granted_under_min_years".into(),
                        reason: format!(
                            "granted {grant}, {years:.2} years before the assessment date {}: under the {min_years} years required (not in a major-project area)",
                            input.assessment_date
                        ),
                    });
                    excluded_floor += floor;
                    continue;
                }
            }
        }
        let planned_construction = match p.planned_construction_area_m2 {
            Some(a) if counts_planned_construction_only(p.tenure) => Some(check_nonneg(
                &format!("parcel {}: planned-construction-land area", p.id),
                a,
            )?),
            Some(_) => {
                warnings.push(format!(
                    "parcel {}: a planned-construction-land area was given for {} land; it applies only to unfinished_requisition and requisitioned_ungranted land and is ignored",
                    p.id, p.tenure
                ));
                None
            }
            None => None,
        };
        let counted = p.legal_area_m2.or(planned_construction).unwrap_or(inside);
        let (coef, prov, term) = parcel_coef(p, coef_rule, input.assessment_date, r, &mut used)?;
        parcels.push(CountedParcel {
            id: p.id.clone(),
            tenure: p.tenure,
            area_inside_m2: inside,
            planned_construction_area_m2: planned_construction,
            legal_area_m2: p.legal_area_m2,
            counted_area_m2: counted,
            land_rights_coef: coef,
            coef_provenance: prov,
            term,
            major_project_exemption: exemption,
        });
        counted_inputs.push(p);
    }
    if excluded_floor > 0.0 {
        warnings.push(format!(
            "{excluded_floor:.2} m² of existing floor area on excluded parcels is not counted in the existing FAR"
        ));
    }
    let counted_land: f64 = parcels.iter().map(|p| p.counted_area_m2).sum();
    if counted_land <= 0.0 {
        return Err(policy_err(format!(
            "project {}: no counted land (all parcels excluded or of zero area)",
            input.project_id
        )));
    }

    // --- Land-rights coefficient (area-weighted) --------------------------------------------
    let land_rights_coef = parcels
        .iter()
        .map(|p| p.counted_area_m2 * p.land_rights_coef)
        .sum::<f64>()
        / counted_land;
    let mut class_acc: BTreeMap<TenureClass, (f64, f64)> = BTreeMap::new();
    for p in &parcels {
        let e = class_acc.entry(p.tenure).or_default();
        e.0 += p.counted_area_m2;
        e.1 += p.counted_area_m2 * p.land_rights_coef;
    }
    let by_class = class_acc
        .into_iter()
        .map(|(tenure, (a, ac))| ClassArea {
            tenure,
            counted_area_m2: a,
            land_rights_coef: if a > 0.0 { ac / a } else { 0.0 },
        })
        .collect();

    // --- Density base FAR --------------------------------------------------------------------
    let density = density_base(
        rules,
        input,
        &counted_inputs,
        &parcels,
        &mut used,
        &mut warnings,
    )?;

    // --- Building rights ---------------------------------------------------------------------
    let buildings = building_rights(
        rules,
        input,
        &counted_inputs,
        counted_land,
        excluded_floor,
        &mut used,
        &mut warnings,
    )?;

    // --- Function coefficient ----------------------------------------------------------------
    let mut function = function_coefficient(rules, &input.function_mix, &mut used)?;

    // --- Rights floor area --------------------------------------------------------------------
    let rights = (land_rights_coef + buildings.building_rights_coef)
        * counted_land
        * density.base_far
        * function.function_coef;
    for u in &mut function.uses {
        u.rights_floor_area_m2 = u.share * rights;
    }
    mix_findings(rules, &function, &mut used, &mut findings);

    // --- Facility, shared, planned ------------------------------------------------------------
    let mut facility = 0.0;
    for f in &input.facilities {
        facility += check_nonneg(
            &format!("facility `{}`: floor area", f.name),
            f.floor_area_m2,
        )?;
    }
    let shared = shared_floor_area(rules, input, rights, &mut used, &mut findings)?;
    let planned = rights + facility + shared.floor_area_m2;

    // --- Retained land -----------------------------------------------------------------------
    let retained = retained_land(rules, &input.retained, planned, &mut used, &mut findings)?;

    // --- Siting ------------------------------------------------------------------------------
    let mut site_fit_result = None;
    let mut offsite = Vec::new();
    if let Some(siting) = &input.siting {
        let fit = site_fit(retained.retained_land_area_m2, &siting.inside_site_areas_m2)?;
        if fit.shortfall_m2 > 0.0 {
            findings.push(Finding::new(
                "retained_land_shortfall",
                Severity::Info,
                format!(
                    "the inside sites ({:.2} m²) fall {:.2} m² short of the required retained-land area {:.2} m²: the rest must be sited outside the project",
                    fit.inside_m2, fit.shortfall_m2, fit.required_m2
                ),
                &[
                    ("required_m2", fit.required_m2),
                    ("inside_m2", fit.inside_m2),
                    ("shortfall_m2", fit.shortfall_m2),
                ],
            ));
        }
        site_fit_result = Some(fit);
        if !siting.offsite_sites.is_empty() {
            let onsite_price = siting.onsite_price.ok_or_else(|| {
                policy_err("off-site sites were given without the on-site land price")
            })?;
            for site in &siting.offsite_sites {
                let conversion = offsite_rights(rights, onsite_price, site.price)
                    .map_err(|e| policy_err(format!("off-site site {}: {e}", site.id)))?;
                offsite.push(OffsiteResult {
                    site_id: site.id.clone(),
                    conversion,
                });
            }
        }
    }

    let rule_values_used = used.records(rules);
    let illustrative_values_used = rule_values_used
        .iter()
        .filter(|v| v.status == Status::Illustrative)
        .cloned()
        .collect();
    Ok(Assessment {
        method: Method::RightsFloorArea2022,
        rule_set_id: rules.id.clone(),
        rule_set_path: rules.path.clone(),
        project_id: input.project_id.clone(),
        assessment_date: input.assessment_date,
        parcels,
        excluded,
        total_inside_area_m2: total_inside,
        counted_land_area_m2: counted_land,
        by_class,
        land_rights_coef,
        density,
        buildings,
        function,
        rights_floor_area_m2: rights,
        facilities: input.facilities.clone(),
        facility_floor_area_m2: facility,
        shared,
        planned_floor_area_m2: planned,
        retained,
        site_fit: site_fit_result,
        offsite,
        findings,
        warnings,
        rule_values_used,
        illustrative_values_used,
    })
}

/// Classes whose land counts only inside the planned construction land \[N\].
fn counts_planned_construction_only(t: TenureClass) -> bool {
    matches!(
        t,
        TenureClass::UnfinishedRequisition | TenureClass::RequisitionedUngranted
    )
}

/// The land-rights coefficient of one counted parcel.
fn parcel_coef(
    p: &ParcelInput,
    rule: &TenureCoef,
    assessment_date: NaiveDate,
    r: &super::rules::Rules2022,
    used: &mut UsedValues,
) -> crate::Result<(f64, Vec<Provenance>, Option<TermDetail>)> {
    let need_use = || {
        p.land_use.clone().ok_or_else(|| {
            policy_err(format!(
                "parcel {}: {} land needs a land use (用途) for its coefficient",
                p.id, p.tenure
            ))
        })
    };
    match rule {
        TenureCoef::Fixed(c) => Ok((used.take(c), vec![c.provenance.clone()], None)),
        TenureCoef::ByUse(m) => {
            let u = need_use()?;
            let c = m.get(&u).ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: no {} coefficient for land use `{u}`; the rule set has: {}",
                    p.id,
                    p.tenure,
                    m.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            Ok((used.take(c), vec![c.provenance.clone()], None))
        }
        TenureCoef::TermCorrected { base } => {
            let u = need_use()?;
            let tu = r.term.get(&u).ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: no term-correction entry for land use `{u}`; the rule set has: {}",
                    p.id,
                    r.term.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            let grant = p.grant_date.ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: state_granted land needs a grant date",
                    p.id
                ))
            })?;
            let n_stat = used.take(&tu.statutory_years);
            let rate = used.take(&tu.rate);
            let term_years = match p.term_years {
                Some(t) => check_nonneg(&format!("parcel {}: term years", p.id), t)?,
                None => n_stat,
            };
            let expiry = add_years(grant, term_years).ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: term of {term_years} years is out of range",
                    p.id
                ))
            })?;
            let remaining = years_between(assessment_date, expiry);
            let k = term_correction(rate, remaining, n_stat);
            let b = used.take(base);
            Ok((
                b * k,
                vec![
                    base.provenance.clone(),
                    tu.statutory_years.provenance.clone(),
                    tu.rate.provenance.clone(),
                ],
                Some(TermDetail {
                    land_use: u,
                    grant_date: grant,
                    term_years,
                    expiry_date: expiry,
                    remaining_years: remaining,
                    statutory_years: tu.statutory_years.clone(),
                    rate: tu.rate.clone(),
                    k,
                    base: base.clone(),
                }),
            ))
        }
        TenureCoef::Excluded => Err(policy_err(format!(
            "parcel {}: {} land is excluded",
            p.id, p.tenure
        ))),
    }
}

fn density_base(
    rules: &RuleSet,
    input: &ProjectInput,
    counted_inputs: &[&ParcelInput],
    parcels: &[CountedParcel],
    used: &mut UsedValues,
    warnings: &mut Vec<String>,
) -> crate::Result<DensitySummary> {
    // zone → (area, fallback area)
    let mut acc: BTreeMap<u8, (f64, f64)> = BTreeMap::new();
    let mut fallback_total = 0.0;
    for (p, c) in counted_inputs.iter().zip(parcels) {
        let mut measured = check_nonneg(
            &format!("parcel {}: uncovered area", p.id),
            p.uncovered_area_m2,
        )?;
        for z in &p.zone_areas {
            measured += check_nonneg(&format!("parcel {}: zone {} area", p.id, z.zone), z.area_m2)?;
        }
        if measured <= 0.0 {
            if c.counted_area_m2 > 0.0 {
                return Err(policy_err(format!(
                    "parcel {}: no density-zone areas given (zone areas and uncovered area are all zero)",
                    p.id
                )));
            }
            continue;
        }
        let tol = (REL_TOL * p.area_inside_m2).max(0.01);
        if (measured - p.area_inside_m2).abs() > tol {
            warnings.push(format!(
                "parcel {}: zone areas + uncovered area = {measured:.3} m² differ from the inside area {:.3} m²; zone shares are used as proportions",
                p.id, p.area_inside_m2
            ));
        }
        // Zone shares weight the counted area (which may be the legal area).
        let scale = c.counted_area_m2 / measured;
        for z in &p.zone_areas {
            acc.entry(z.zone).or_default().0 += z.area_m2 * scale;
        }
        if p.uncovered_area_m2 > 0.0 {
            let fb = input.uncovered_fallback.as_ref().ok_or_else(|| {
                policy_err(format!(
                    "parcel {}: {:.3} m² lie outside every density zone and no fallback zone was given (深标 4.1.3: adjacent zone, one lower next to ecologically sensitive land)",
                    p.id, p.uncovered_area_m2
                ))
            })?;
            let a = p.uncovered_area_m2 * scale;
            let e = acc.entry(fb.zone).or_default();
            e.0 += a;
            e.1 += a;
            fallback_total += a;
        }
    }
    let mut zones = Vec::new();
    let mut weighted = 0.0;
    let mut total = 0.0;
    for (zone, (area, fb)) in acc {
        let base = rules
            .shenbiao
            .base_far(zone, DENSITY_BASE_USE)
            .ok_or_else(|| {
                policy_err(format!(
                    "rule set `{}` has no {DENSITY_BASE_USE} base FAR for density zone {zone}",
                    rules.id
                ))
            })?;
        let b = used.take(base);
        weighted += area * b;
        total += area;
        zones.push(ZoneShare {
            zone,
            area_m2: area,
            fallback_area_m2: fb,
            base_far: base.clone(),
        });
    }
    if total <= 0.0 {
        return Err(policy_err("no counted land lies in any density zone"));
    }
    Ok(DensitySummary {
        use_key: DENSITY_BASE_USE.to_string(),
        base_far: weighted / total,
        zones,
        fallback: if fallback_total > 0.0 {
            input.uncovered_fallback.clone()
        } else {
            None
        },
        fallback_area_m2: fallback_total,
    })
}

fn building_rights(
    rules: &RuleSet,
    input: &ProjectInput,
    counted_inputs: &[&ParcelInput],
    counted_land: f64,
    excluded_floor: f64,
    used: &mut UsedValues,
    warnings: &mut Vec<String>,
) -> crate::Result<BuildingSummary> {
    let r = rules.rules_2022()?;
    let mut by_use: BTreeMap<String, f64> = BTreeMap::new();
    let all = counted_inputs
        .iter()
        .flat_map(|p| p.buildings.iter().map(move |b| (p.id.as_str(), b)))
        .chain(input.project_buildings.iter().map(|b| ("(project)", b)));
    for (owner, b) in all {
        let a = check_nonneg(
            &format!("{owner}: floor area of `{}` buildings", b.building_use),
            b.floor_area_m2,
        )?;
        *by_use.entry(b.building_use.clone()).or_default() += a;
    }
    let existing: f64 = by_use.values().sum();
    let mut shares = Vec::new();
    let mut weighted = 0.0;
    for (u, a) in &by_use {
        let c = r.building_types.get(u).ok_or_else(|| {
            policy_err(format!(
                "no building-type coefficient for building use `{u}`; the rule set has: {}",
                r.building_types
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        weighted += a * used.take(c);
        shares.push(BuildingUseShare {
            building_use: u.clone(),
            floor_area_m2: *a,
            coef: c.clone(),
        });
    }
    let existing_far = existing / counted_land;
    let band = r
        .intensity_bands
        .iter()
        .find(|b| existing_far >= b.min_far && b.max_far.is_none_or(|m| existing_far < m))
        .ok_or_else(|| {
            policy_err(format!(
                "existing FAR {existing_far} falls in no intensity band of rule set `{}`",
                rules.id
            ))
        })?;
    let intensity_coef = used.take(&band.coef);
    let building_type_coef = if existing > 0.0 {
        weighted / existing
    } else {
        warnings.push(
            "no existing buildings: building-type coefficient taken as 0, building rights as the intensity coefficient of FAR 0".into(),
        );
        0.0
    };
    let combination = r.combination.clone();
    let building_rights_coef = match used.take(&combination) {
        Combination::Product => intensity_coef * building_type_coef,
        Combination::Sum => intensity_coef + building_type_coef,
    };
    Ok(BuildingSummary {
        existing_floor_area_m2: existing,
        by_use: shares,
        excluded_floor_area_m2: excluded_floor,
        existing_far,
        intensity_band: band.clone(),
        intensity_coef,
        building_type_coef,
        combination,
        building_rights_coef,
    })
}

/// Function coefficient `1 / Σ (s_u / f_u)` and the 取值比例 `k_u` of a use mix [N 表1].
/// Shares must add up to 1. Rights floor area per use is left at 0 (filled by [`assess`]).
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

fn mix_findings(
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
                "shared_ownership_below_min",
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
            "industrial_over_max",
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
            "residential_not_leading",
            Severity::Warning,
            "the rules put residential use first (以居住为主导), but the industrial share exceeds the residential share".into(),
            &[("residential_share", residential), ("industrial_share", industrial)],
        ));
    }
}

fn shared_floor_area(
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
            "shared_over_cap",
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

fn retained_land(
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
                    "planned_far_below_base",
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
            "no_base_far",
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
                "planned_far_above_cap",
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
