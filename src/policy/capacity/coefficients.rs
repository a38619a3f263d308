//! The land side of the rights formula (policy.md §2): which land counts (eligibility,
//! planned construction land, legal areas) and its land-rights coefficient
//! (土地权益修正系数). The density base FAR and building rights are [`super::density`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::input::{ParcelInput, ProjectInput};
use crate::policy::rules::{Provenance, RuleSet, Rules2022, Sourced, TenureCoef};
use crate::policy::tenure::TenureClass;
use crate::policy::term::{add_years, at_least_years_after, term_correction, years_between};
use crate::policy::{UsedValues, check_nonneg, policy_err};

/// Term-correction detail of a state-granted parcel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermDetail {
    /// Land use whose term table applies.
    pub land_use: String,
    /// Grant date (出让日期).
    pub grant_date: NaiveDate,
    /// Granted term N₀ in years (出让年期).
    pub term_years: f64,
    /// End of the granted term.
    pub expiry_date: NaiveDate,
    /// Remaining years n at the assessment date (calendar anniversaries).
    pub remaining_years: f64,
    /// Statutory maximum term N of the use (出让最高年限).
    pub statutory_years: Sourced<f64>,
    /// Capitalisation rate r (土地还原率).
    pub rate: Sourced<f64>,
    /// K = (1 − (1+r)^−n) / (1 − (1+r)^−N).
    pub k: f64,
    /// Base coefficient of the class before the term correction.
    pub base: Sourced<f64>,
}

/// A counted parcel with its land-rights coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountedParcel {
    /// Printable parcel id.
    pub id: String,
    /// Tenure class (土地权益类型).
    pub tenure: TenureClass,
    /// Measured area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// Part inside the planned construction land, m², when measured.
    pub planned_construction_area_m2: Option<f64>,
    /// Legal area from an attribute, m², when given.
    pub legal_area_m2: Option<f64>,
    /// Area counted in the land area: the legal area if given, else (for the two
    /// requisition classes) the planned-construction-land area if given, else the inside area.
    pub counted_area_m2: f64,
    /// 土地权益修正系数 of the parcel.
    pub land_rights_coef: f64,
    /// The rule values the coefficient came from.
    pub coef_provenance: Vec<Provenance>,
    /// Term correction detail (state-granted land only).
    pub term: Option<TermDetail>,
    /// Eligible only through the major-project exemption.
    pub major_project_exemption: bool,
}

/// A parcel not counted, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedParcel {
    /// Printable parcel id.
    pub id: String,
    /// Tenure class (土地权益类型).
    pub tenure: TenureClass,
    /// Measured area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// `state_reserve` or `state_granted_under_min_years`.
    pub reason_code: String,
    /// Why it is not counted, for the analyst.
    pub reason: String,
}

/// Counted land area and its mean land-rights coefficient by class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassArea {
    /// Tenure class (土地权益类型).
    pub tenure: TenureClass,
    /// Counted area of the class, m².
    pub counted_area_m2: f64,
    /// Area-weighted mean coefficient of the class.
    pub land_rights_coef: f64,
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
    // Boxed: a counted parcel carries its provenance and is much larger than an exclusion.
    Counted(Box<CountedParcel>),
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
                land.parcels.push(*c);
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
        Ok(Verdict::Counted(Box::new(CountedParcel {
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
        })))
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
