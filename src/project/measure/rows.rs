//! The status row of every parcel of the layer: measured here, completed with the policy's
//! verdicts by [`parcel_rows`], so that no parcel is dropped silently.

use std::collections::BTreeMap;

use serde::Serialize;

use super::boundary::{ClippedParcels, InsideCut};
use super::inside::InsideParcel;
use super::{Measurement, Notes, ReasonByFeature, feature_error, parcel_label};
use crate::Result;
use crate::model::Layer;
use crate::policy::capacity::ZoneArea;
use crate::policy::tenure::TenureClass;
use crate::project::Computation;

/// What happened to a parcel of the parcel layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    /// Inside the project and counted in the land area.
    Counted,
    /// Inside the project, not counted (state reserve, under 15 years, ...): see the reason.
    Excluded,
    /// Only a sliver (below the floor) lies inside the boundary: not counted.
    Sliver,
    /// Entirely outside the project boundary.
    Outside,
    /// The geometry is unusable (empty, non-finite) or its intersection failed.
    GeometryError,
}

/// One parcel of the input layer with its measured figures and status.
#[derive(Debug, Clone, Serialize)]
pub struct ParcelRow {
    /// The parcel id attribute, or `file#index` when there is none.
    pub parcel_id: String,
    /// Position of the feature in its file.
    pub feature_index: usize,
    /// What happened to the parcel.
    pub status: ParcelStatus,
    /// Why the parcel is excluded, a sliver or a geometry error.
    pub reason: Option<String>,
    /// Tenure class (权属类型), for parcels inside the project.
    pub tenure: Option<TenureClass>,
    /// Planar area of the whole parcel, m².
    pub area_m2: f64,
    /// Area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// Area counted in the land area (legal area override or inside area), m².
    pub counted_area_m2: Option<f64>,
    /// 土地权益修正系数 applied to the parcel.
    pub land_rights_coef: Option<f64>,
    /// Inside area per density zone.
    pub zones: Vec<ZoneArea>,
    /// Inside area no density zone covers, m².
    pub uncovered_m2: f64,
    /// Existing floor area on the inside part, m².
    pub floor_area_m2: f64,
}

/// A row per parcel after the cut: outside unless the cut says otherwise, with the
/// unusable, area-less and sliver parcels marked. A failed intersection is an error.
pub(super) fn initial_rows(
    parcels: &Layer,
    unusable: &ReasonByFeature,
    clip: &ClippedParcels,
    sliver_floor: f64,
    notes: &mut Notes,
) -> Result<Vec<ParcelRow>> {
    let mut rows: Vec<ParcelRow> = parcels
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| ParcelRow {
            parcel_id: parcel_label(parcels, f),
            feature_index: f.index,
            status: ParcelStatus::Outside,
            reason: None,
            tenure: None,
            area_m2: clip.source_areas.get(i).copied().unwrap_or(0.0),
            area_inside_m2: 0.0,
            counted_area_m2: None,
            land_rights_coef: None,
            zones: Vec::new(),
            uncovered_m2: 0.0,
            floor_area_m2: 0.0,
        })
        .collect();
    mark_geometry_errors(parcels, unusable, &mut rows, notes);
    for &(i, area) in &clip.slivers {
        rows[i].status = ParcelStatus::Sliver;
        rows[i].area_inside_m2 = area;
        rows[i].reason = Some(format!(
            "only {area:.6} m² inside the boundary, below the sliver floor {sliver_floor} m²"
        ));
    }
    if let Some((i, msg)) = clip.errors.first() {
        return Err(feature_error(
            parcels,
            &parcels.features[*i],
            format!(
                "{msg} ({} parcel(s) failed; the inside area cannot be measured)",
                clip.errors.len()
            ),
        ));
    }
    Ok(rows)
}

/// Marks unusable parcels and parcels without area as geometry errors (the latter with a
/// warning listing them).
fn mark_geometry_errors(
    parcels: &Layer,
    unusable: &ReasonByFeature,
    rows: &mut [ParcelRow],
    notes: &mut Notes,
) {
    let mut no_area = Vec::new();
    let mut unrepairable = Vec::new();
    for (row, f) in rows.iter_mut().zip(&parcels.features) {
        if let Some(reason) = unusable.get(&f.index) {
            row.status = ParcelStatus::GeometryError;
            row.reason = Some(format!("unusable geometry: {reason}"));
            unrepairable.push(parcels.feature_ref(f).to_string());
        } else if !(row.area_m2 > 0.0 && row.area_m2.is_finite()) {
            // An empty or degenerate (e.g. collinear) ring is valid to the checks but has
            // no area: without this it would pass for a parcel outside the project.
            row.status = ParcelStatus::GeometryError;
            row.reason = Some("the geometry is empty or has no area".into());
            no_area.push(parcels.feature_ref(f).to_string());
        }
    }
    if !unrepairable.is_empty() {
        notes.warnings.push(format!(
            "{} parcel(s) have unusable geometry (invalid, and repair left no area), listed \
             with status geometry_error and not counted: {}",
            unrepairable.len(),
            unrepairable.join(", ")
        ));
    }
    if !no_area.is_empty() {
        notes.warnings.push(format!(
            "{} parcel(s) have no area (empty or degenerate geometry), listed with status \
             geometry_error and not counted: {}",
            no_area.len(),
            no_area.join(", ")
        ));
    }
}

/// Writes the inside parcels' figures into their rows.
pub(super) fn record_inside(
    rows: &mut [ParcelRow],
    cuts: &[InsideCut],
    inside: &[InsideParcel],
    floor_by_part: &[BTreeMap<String, f64>],
) {
    for ((cut, parcel), floor) in cuts.iter().zip(inside).zip(floor_by_part) {
        let row = &mut rows[cut.source];
        row.area_inside_m2 = cut.area_m2;
        row.tenure = Some(parcel.tenure);
        row.zones = parcel.zones.clone();
        row.uncovered_m2 = parcel.uncovered_m2;
        // fold from +0.0: `sum()` of no values is -0.0, which reports would print as "-0".
        row.floor_area_m2 = floor.values().fold(0.0, |a, b| a + b);
    }
}

/// Every parcel of the layer with its final status: the measurement's rows completed with
/// the policy's verdicts (counted with its coefficient, or excluded with the reason).
pub fn parcel_rows(m: &Measurement, computation: &Computation) -> Vec<ParcelRow> {
    let mut rows = m.rows.clone();
    let by_index: BTreeMap<usize, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.feature_index, i))
        .collect();
    let by_id: BTreeMap<&str, usize> = m
        .inside
        .iter()
        .filter_map(|p| {
            by_index
                .get(&p.feature_index)
                .map(|i| (p.parcel_id.as_str(), *i))
        })
        .collect();
    for p in &m.inside {
        if let Some(&i) = by_index.get(&p.feature_index) {
            rows[i].status = ParcelStatus::Counted;
        }
    }
    match computation {
        Computation::New(a) => {
            for c in &a.parcels {
                if let Some(&i) = by_id.get(c.id.as_str()) {
                    rows[i].counted_area_m2 = Some(c.counted_area_m2);
                    rows[i].land_rights_coef = Some(c.land_rights_coef);
                }
            }
            for e in &a.excluded {
                if let Some(&i) = by_id.get(e.id.as_str()) {
                    rows[i].status = ParcelStatus::Excluded;
                    rows[i].reason = Some(e.reason.clone());
                }
            }
        }
        Computation::Rules2018(a) => {
            // The 2018 rules count no per-parcel coefficient: the inside area is the figure.
            for p in &m.inside {
                if let Some(&i) = by_index.get(&p.feature_index) {
                    rows[i].counted_area_m2 = Some(p.area_inside_m2);
                }
            }
            for e in &a.excluded {
                if let Some(&i) = by_id.get(e.id.as_str()) {
                    rows[i].status = ParcelStatus::Excluded;
                    rows[i].counted_area_m2 = None;
                    rows[i].reason = Some(e.reason.clone());
                }
            }
        }
    }
    rows
}
