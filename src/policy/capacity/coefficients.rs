//! The coefficients of the rights formula (policy.md §2–§3): the counted land and its
//! land-rights coefficient (土地权益修正系数), the density-zone base FAR (密度分区基准容积率)
//! and the building-rights coefficient (建筑权益修正系数).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::input::{FallbackZone, ParcelInput, ProjectInput};
use super::{DENSITY_BASE_USE, REL_TOL};
use crate::policy::rules::{
    Combination, IntensityBand, Provenance, RuleSet, Rules2022, Sourced, TenureCoef,
};
use crate::policy::tenure::TenureClass;
use crate::policy::term::{add_years, at_least_years_after, term_correction, years_between};
use crate::policy::{UsedValues, check_nonneg, policy_err};

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


/// Classes whose land counts only inside the planned construction land (土地整备规划建设用地)
/// \[N\]: `unfinished_requisition` and `requisitioned_ungranted`. The measurement uses it to
/// decide which parcels need their area inside the planned-construction-land layer.
pub fn counts_planned_construction_only(t: TenureClass) -> bool {
    matches!(
        t,
        TenureClass::UnfinishedRequisition | TenureClass::RequisitionedUngranted
    )
}

/// The counted land (土地面积) and what was left out, from the eligibility step.
pub(super) struct CountedLand<'a> {
    /// Counted parcels with their coefficients.
    pub parcels: Vec<CountedParcel>,
    /// The inputs of the counted parcels, aligned with `parcels`.
    pub inputs: Vec<&'a ParcelInput>,
    pub excluded: Vec<ExcludedParcel>,
    /// Sum of the measured inside areas of all parcels given, m².
    pub total_inside_m2: f64,
    /// Existing floor area on excluded parcels, m².
    pub excluded_floor_m2: f64,
    /// Counted land area, m² (> 0).
    pub area_m2: f64,
}

/// Whether one parcel counts.
enum Verdict {
    Counted(CountedParcel),
    Excluded(ExcludedParcel),
}

/// Eligibility of every parcel and the counted land area; an error when nothing counts.
pub(super) fn counted_land<'a>(
    rules: &RuleSet,
    input: &'a ProjectInput,
    used: &mut UsedValues,
    warnings: &mut Vec<String>,
) -> crate::Result<CountedLand<'a>> {
    let r = rules.rules_2022()?;
    let min_years = used.take(&r.state_granted_min_years);
    let mut land = CountedLand {
        parcels: Vec::new(),
        inputs: Vec::new(),
        excluded: Vec::new(),
        total_inside_m2: 0.0,
        excluded_floor_m2: 0.0,
        area_m2: 0.0,
    };
    for p in &input.parcels {
        let inside = check_nonneg(&format!("parcel {}: area inside", p.id), p.area_inside_m2)?;
        land.total_inside_m2 += inside;
        let judged = ParcelJudgement {
            rules,
            r,
            assessment_date: input.assessment_date,
            min_years,
        };
        match judged.judge(p, inside, used, warnings)? {
            Verdict::Counted(c) => {
                land.parcels.push(c);
                land.inputs.push(p);
            }
            Verdict::Excluded(e) => {
                let floor: f64 = p.buildings.iter().map(|b| b.floor_area_m2).sum();
                land.excluded.push(e);
                land.excluded_floor_m2 += floor;
            }
        }
    }
    if land.excluded_floor_m2 > 0.0 {
        warnings.push(format!(
            "{:.2} m² of existing floor area on excluded parcels is not counted in the existing FAR",
            land.excluded_floor_m2
        ));
    }
    land.area_m2 = land.parcels.iter().map(|p| p.counted_area_m2).sum();
    if land.area_m2 <= 0.0 {
        return Err(policy_err(format!(
            "project {}: no counted land (all parcels excluded or of zero area)",
            input.project_id
        )));
    }
    Ok(land)
}

/// What the eligibility of one parcel depends on.
struct ParcelJudgement<'r> {
    rules: &'r RuleSet,
    r: &'r Rules2022,
    assessment_date: NaiveDate,
    /// Minimum years since grant for state-granted land.
    min_years: f64,
}

impl ParcelJudgement<'_> {
    /// Counted with its coefficient, or excluded with the reason.
    fn judge(
        &self,
        p: &ParcelInput,
        inside: f64,
        used: &mut UsedValues,
        warnings: &mut Vec<String>,
    ) -> crate::Result<Verdict> {
        if let Some(l) = p.legal_area_m2 {
            check_nonneg(&format!("parcel {}: legal area", p.id), l)?;
        }
        let coef_rule = self.r.tenure.get(&p.tenure).ok_or_else(|| {
            policy_err(format!(
                "rule set `{}` has no tenure class `{}` (parcel {})",
                self.rules.id, p.tenure, p.id
            ))
        })?;
        if matches!(coef_rule, TenureCoef::Excluded) {
            return Ok(Verdict::Excluded(ExcludedParcel {
                id: p.id.clone(),
                tenure: p.tenure,
                area_inside_m2: inside,
                reason_code: p.tenure.as_str().to_string(),
                reason: format!(
                    "{} land is not counted in the land area (rule tenure.{})",
                    p.tenure, p.tenure
                ),
            }));
        }
        let exemption = match self.grant_age_exclusion(p, inside)? {
            GrantAge::Excluded(e) => return Ok(Verdict::Excluded(e)),
            GrantAge::Exempt => true,
            GrantAge::Eligible => false,
        };
        let planned_construction = planned_construction_area(p, warnings)?;
        let counted = p.legal_area_m2.or(planned_construction).unwrap_or(inside);
        let (coef, prov, term) = parcel_coef(p, coef_rule, self.assessment_date, self.r, used)?;
        Ok(Verdict::Counted(CountedParcel {
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
        }))
    }

    /// The 15-year rule of state-granted land, with the major-project exemption \[N\].
    fn grant_age_exclusion(&self, p: &ParcelInput, inside: f64) -> crate::Result<GrantAge> {
        if p.tenure != TenureClass::StateGranted {
            return Ok(GrantAge::Eligible);
        }
        let grant = p.grant_date.ok_or_else(|| {
            policy_err(format!(
                "parcel {}: state_granted land needs a grant date (出让日期)",
                p.id
            ))
        })?;
        if at_least_years_after(grant, self.assessment_date, self.min_years) {
            return Ok(GrantAge::Eligible);
        }
        if p.in_major_project {
            return Ok(GrantAge::Exempt);
        }
        let years = years_between(grant, self.assessment_date);
        Ok(GrantAge::Excluded(ExcludedParcel {
            id: p.id.clone(),
            tenure: p.tenure,
            area_inside_m2: inside,
            reason_code: "state_granted_under_min_years".into(),
            reason: format!(
                "granted {grant}, {years:.2} years before the assessment date {}: under the {} years required (not in a major-project area)",
                self.assessment_date, self.min_years
            ),
        }))
    }
}

/// The 15-year rule's verdict on a parcel.
enum GrantAge {
    Eligible,
    /// Under the minimum years but in a major-project area.
    Exempt,
    Excluded(ExcludedParcel),
}

/// The planned-construction-land area where it limits the class; ignored (warned) elsewhere.
fn planned_construction_area(
    p: &ParcelInput,
    warnings: &mut Vec<String>,
) -> crate::Result<Option<f64>> {
    match p.planned_construction_area_m2 {
        Some(a) if counts_planned_construction_only(p.tenure) => Ok(Some(check_nonneg(
            &format!("parcel {}: planned-construction-land area", p.id),
            a,
        )?)),
        Some(_) => {
            warnings.push(format!(
                "parcel {}: a planned-construction-land area was given for {} land; it applies only to unfinished_requisition and requisitioned_ungranted land and is ignored",
                p.id, p.tenure
            ));
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The area-weighted land-rights coefficient and its means by class.
pub(super) struct LandRights {
    /// 土地权益修正系数, `Σ aᵢcᵢ / Σ aᵢ`.
    pub coef: f64,
    pub by_class: Vec<ClassArea>,
}

/// Area-weighted land-rights coefficient over the counted land \[N\].
pub(super) fn land_rights(parcels: &[CountedParcel], counted_land: f64) -> LandRights {
    let coef = parcels
        .iter()
        .map(|p| p.counted_area_m2 * p.land_rights_coef)
        .sum::<f64>()
        / counted_land;
    let mut class_acc: BTreeMap<TenureClass, (f64, f64)> = BTreeMap::new();
    for p in parcels {
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
    LandRights { coef, by_class }
}

/// The land-rights coefficient of one counted parcel.
fn parcel_coef(
    p: &ParcelInput,
    rule: &TenureCoef,
    assessment_date: NaiveDate,
    r: &Rules2022,
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

/// Density-zone base FAR, area-weighted over the counted land (fallback zone for
/// uncovered land).
pub(super) fn density_base(
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

/// Building-rights coefficient from the existing FAR band and the building-type mix.
pub(super) fn building_rights(
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

