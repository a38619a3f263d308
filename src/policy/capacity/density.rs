//! The density-zone base FAR (密度分区基准容积率, policy.md §3) area-weighted over the counted
//! land, and the building-rights coefficient (建筑权益修正系数) from the existing buildings.

use std::collections::BTreeMap;

use serde::Serialize;

use super::REL_TOL;
use super::coefficients::CountedParcel;
use super::input::{FallbackZone, ParcelInput, ProjectInput};
use crate::policy::rules::{Combination, IntensityBand, RuleSet, Sourced};
use crate::policy::{UsedValues, check_nonneg, policy_err};

/// Counted land per density zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneShare {
    /// Density zone number (密度分区).
    pub zone: u8,
    /// Counted land in the zone, m².
    pub area_m2: f64,
    /// Of which uncovered land assigned to this zone by the fallback.
    pub fallback_area_m2: f64,
    /// The zone's 深标 base FAR of the density base use.
    pub base_far: Sourced<f64>,
}

/// Density-zone base FAR (密度分区基准容积率), area-weighted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DensitySummary {
    /// The 深标 use whose base FAR is weighted (residential).
    pub use_key: String,
    /// Area-weighted density base FAR.
    pub base_far: f64,
    /// Counted land per zone.
    pub zones: Vec<ZoneShare>,
    /// The fallback applied to uncovered land, with its area.
    pub fallback: Option<FallbackZone>,
    /// Uncovered land assigned by a fallback zone, m².
    pub fallback_area_m2: f64,
}

/// Existing floor area of one building use with its coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingUseShare {
    /// Building use (key of `[building_type]`).
    pub building_use: String,
    /// Existing floor area of the use, m².
    pub floor_area_m2: f64,
    /// Building-type coefficient of the use (建筑性质修正系数).
    pub coef: Sourced<f64>,
}

/// Building rights (建筑权益修正系数) and its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BuildingSummary {
    /// Existing floor area counted (counted parcels + project-level), m².
    pub existing_floor_area_m2: f64,
    /// Floor area and coefficient per building use.
    pub by_use: Vec<BuildingUseShare>,
    /// Floor area on excluded parcels, not counted.
    pub excluded_floor_area_m2: f64,
    /// 现状容积率 = existing floor area / counted land area.
    pub existing_far: f64,
    /// The intensity band the existing FAR falls in.
    pub intensity_band: IntensityBand,
    /// 开发强度修正系数.
    pub intensity_coef: f64,
    /// 建筑性质修正系数, floor-area weighted.
    pub building_type_coef: f64,
    /// How the intensity and building-type coefficients combine.
    pub combination: Sourced<Combination>,
    /// 建筑权益修正系数.
    pub building_rights_coef: f64,
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
            let a = p.uncovered_area_m2 * scale;
            for (zone, share) in uncovered_shares(input, p)? {
                let e = acc.entry(zone).or_default();
                e.0 += a * share;
                e.1 += a * share;
            }
            fallback_total += a;
        }
    }
    let mut zones = Vec::new();
    let mut weighted = 0.0;
    let mut total = 0.0;
    for (zone, (area, fb)) in acc {
        let base = rules.shenbiao.density_base_far(zone).ok_or_else(|| {
            policy_err(format!(
                "rule set `{}` has no {} base FAR for density zone {zone}",
                rules.id,
                rules.shenbiao.density_base_use()
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
        use_key: rules.shenbiao.density_base_use().to_string(),
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

/// The zones a parcel's uncovered land takes, with their shares (summing to 1): the
/// measured zones of its uncovered parts, else the project's fallback zone.
fn uncovered_shares(input: &ProjectInput, p: &ParcelInput) -> crate::Result<Vec<(u8, f64)>> {
    let mut total = 0.0;
    for z in &p.uncovered_zones {
        total += check_nonneg(
            &format!("parcel {}: uncovered area in zone {}", p.id, z.zone),
            z.area_m2,
        )?;
    }
    if total > 0.0 {
        return Ok(p
            .uncovered_zones
            .iter()
            .map(|z| (z.zone, z.area_m2 / total))
            .collect());
    }
    let fb = input.uncovered_fallback.as_ref().ok_or_else(|| {
        policy_err(format!(
            "parcel {}: {:.3} m² lie outside every density zone and no fallback zone was given (深标 4.1.3: adjacent zone, one lower next to ecologically sensitive land)",
            p.id, p.uncovered_area_m2
        ))
    })?;
    Ok(vec![(fb.zone, 1.0)])
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
