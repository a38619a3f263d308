//! The district-wide tables: every parcel with its tenure and density base FAR, then the
//! roll-up of the projects' outcomes (which projects hold each parcel, which overlap).

use std::collections::{BTreeMap, BTreeSet};

use geo::MultiPolygon;
use rayon::prelude::*;
use serde::Serialize;

use super::DistrictFile;
use super::project::ProjectOutcome;
use crate::geom::aggregate::area_weighted_mean;
use crate::geom::index::TargetIndex;
use crate::geom::overlay::OverlayOptions;
use crate::geom::topology::self_overlaps;
use crate::model::{Layer, Value};
use crate::policy::tenure::{TenureClass, TenureRules};
use crate::project::config::FieldMap;
use crate::project::{ProjectLayers, RuleSets};
use crate::{Error, Result};

/// A district parcel with what the batch knows of it.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictParcel {
    /// The parcel id attribute, or `file#index`.
    pub parcel_id: String,
    /// Position of the feature in its file.
    pub feature_index: usize,
    /// Tenure class (权属类型), when a rule matched.
    pub tenure: Option<TenureClass>,
    /// Why no tenure rule matched.
    pub tenure_error: Option<String>,
    /// Planar area, m².
    pub area_m2: f64,
    /// Residential 深标 base FAR area-weighted over the zones covering the parcel.
    pub density_base_far: Option<f64>,
    /// Share of the parcel covered by density zones.
    pub zone_covered_share: f64,
    /// The projects whose inside parcels include this one.
    pub project_ids: Vec<String>,
}

/// Two projects whose boundaries overlap.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectOverlap {
    /// The first project (lower position in the boundary layer).
    pub project_a: String,
    /// The second project.
    pub project_b: String,
    /// Area of the boundaries' overlap, m².
    pub overlap_m2: f64,
    /// Parcels counted in both.
    pub parcels_in_both: Vec<String>,
}

/// The district parcel table: tenure and area-weighted residential base FAR of every
/// parcel (`project_ids` are filled in by [`attach_projects`]).
pub(super) fn district_parcels(
    district: &DistrictFile,
    layers: &ProjectLayers,
    rules: &RuleSets,
    parcel_geoms: &[&MultiPolygon<f64>],
    zone_index: &TargetIndex<'_>,
    opts: &OverlayOptions,
) -> Result<Vec<DistrictParcel>> {
    let zone_table = zone_index.overlay(parcel_geoms, opts);
    let zone_far = density_base_far_by_zone(&layers.density_zones, &district.fields, rules);
    let means = area_weighted_mean(&zone_table, &zone_far);
    let tenure_rules = TenureRules::new(district.tenure.clone()).map_err(|m| Error::Config {
        path: district.path.clone(),
        line: None,
        column: None,
        key: "tenure".into(),
        message: m,
    })?;
    let parcels_layer = &layers.parcels;
    Ok(parcels_layer
        .features
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let (tenure, tenure_error) =
                match tenure_rules.classify(&|n: &str| parcels_layer.attr(f, n)) {
                    Ok(c) => (Some(c), None),
                    Err(e) => (None, Some(e.to_string())),
                };
            let area = zone_table.source_areas[i];
            let mean = means[i];
            DistrictParcel {
                parcel_id: f
                    .key
                    .clone()
                    .unwrap_or_else(|| parcels_layer.feature_ref(f).to_string()),
                feature_index: f.index,
                tenure,
                tenure_error,
                area_m2: area,
                density_base_far: mean.map(|m| m.mean),
                zone_covered_share: match mean {
                    Some(m) if area > 0.0 => m.covered_area / area,
                    _ => 0.0,
                },
                project_ids: Vec::new(),
            }
        })
        .collect())
}

/// The 深标 density base FAR of each density-zone feature (NaN where the attribute names no
/// zone of the rule set's table or the table has no value): base use and zones come from
/// the 2022 rule set.
fn density_base_far_by_zone(zones: &Layer, fields: &FieldMap, rules: &RuleSets) -> Vec<f64> {
    let shenbiao = &rules.new.shenbiao;
    zones
        .features
        .iter()
        .map(|f| {
            zones
                .attr(f, &fields.density_zone)
                .and_then(Value::as_f64)
                .and_then(|z| shenbiao.zone_of_value(z))
                .and_then(|z| shenbiao.density_base_far(z))
                .map_or(f64::NAN, |s| s.value)
        })
        .collect()
}

/// Position in the parcel table of each parcel, by feature index.
pub(super) type ParcelPositions = BTreeMap<usize, usize>;

/// Records in every parcel the projects whose inside parcels include it.
pub(super) fn attach_projects(
    parcels: &mut [DistrictParcel],
    projects: &[ProjectOutcome],
) -> ParcelPositions {
    let index_of: ParcelPositions = parcels
        .iter()
        .enumerate()
        .map(|(i, p)| (p.feature_index, i))
        .collect();
    for p in projects {
        for fi in &p.inside_parcels {
            if let Some(&i) = index_of.get(fi) {
                parcels[i].project_ids.push(p.project_id.clone());
            }
        }
    }
    index_of
}

/// The pairs of projects whose boundaries overlap, with the parcels counted in both.
pub(super) fn project_overlaps(
    boundaries: &Layer,
    projects: &[ProjectOutcome],
    parcels: &[DistrictParcel],
    index_of: &ParcelPositions,
    opts: &OverlayOptions,
) -> Vec<ProjectOverlap> {
    let boundary_geoms = super::slice::geometries(boundaries);
    self_overlaps(&boundary_geoms, opts)
        .overlaps
        .iter()
        .map(|o| {
            let (a, b) = (&projects[o.a], &projects[o.b]);
            let in_a: BTreeSet<usize> = a.inside_parcels.iter().copied().collect();
            let parcels_in_both = b
                .inside_parcels
                .iter()
                .filter(|i| in_a.contains(i))
                .filter_map(|i| index_of.get(i).map(|&k| parcels[k].parcel_id.clone()))
                .collect();
            ProjectOverlap {
                project_a: a.project_id.clone(),
                project_b: b.project_id.clone(),
                overlap_m2: o.area,
                parcels_in_both,
            }
        })
        .collect()
}
