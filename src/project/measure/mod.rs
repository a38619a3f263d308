//! Measuring a project: every area the policy engine needs, from the layers, with the
//! geometry engine. Also the per-parcel status table, so no parcel is dropped silently.
//!
//! [`measure`] runs named steps, each in its own module, with a typed result between
//! them: the boundary and the parcels cut by it (`boundary`), the status row of every
//! parcel (`rows`), tenure (`tenure`), density-zone weighting (`zones`), existing
//! floor area (`buildings`), the inside parcels (`inside`), then the fallback and
//! retained-land zones (`fallback`). Geometry is borrowed from the layers, never copied
//! layer-wide.

mod boundary;
mod buildings;
mod fallback;
mod inside;
mod policy_input;
mod rows;
mod tenure;
mod uncovered;
mod zones;

use std::collections::BTreeMap;

use geo::MultiPolygon;
use serde::Serialize;

use super::ProjectLayers;
use super::config::ProjectFile;
use crate::geom::overlay::{OverlayOptions, PairError};
use crate::model::{Feature, Layer, Value};
use crate::policy::Finding;
use crate::policy::rules::Shenbiao;
use crate::{Error, Result};

pub(crate) use boundary::project_boundary;
pub use inside::InsideParcel;
pub use policy_input::{policy_input_2018, policy_input_2022};
pub use rows::{ParcelRow, ParcelStatus, parcel_rows};
pub use uncovered::{FallbackBasis, FallbackPart};

/// Everything measured for a project.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    /// The boundary feature used.
    pub boundary_feature: String,
    /// Planar area of the project boundary, m².
    pub boundary_area_m2: f64,
    #[serde(skip)]
    pub(crate) boundary_geometry: MultiPolygon<f64>,
    /// The parcels inside the boundary (at or above the sliver floor), in layer order.
    pub inside: Vec<InsideParcel>,
    /// Area inside the boundary covered by no parcel (roads, water, gaps), m².
    pub boundary_not_in_parcels_m2: f64,
    /// The connected parts of the land no density zone covers, each with the zone it takes.
    pub uncovered_fallback: Vec<FallbackPart>,
    /// Floor area of buildings inside the boundary but on no parcel inside it, m².
    pub floor_area_off_parcels_m2: f64,
    /// Areas of the contiguous groups of unfinished-requisition land (2018 eligibility).
    pub contiguous_unfinished_areas_m2: Vec<f64>,
    /// The retained land's density zone (留用土地所在密度分区).
    pub retained_zone: u8,
    /// The retained land lies near a metro station.
    pub retained_near_metro: bool,
    /// How the retained land's zone and metro flag were found.
    pub retained_zone_reason: String,
    /// Geometry of each inside part, aligned with `inside`.
    #[serde(skip)]
    pub(crate) inside_geoms: Vec<MultiPolygon<f64>>,
    /// Parcels with their status (all of the layer), before the policy's verdicts.
    #[serde(skip)]
    pub(crate) rows: Vec<ParcelRow>,
    #[serde(skip)]
    pub(crate) findings: Vec<Finding>,
    #[serde(skip)]
    pub(crate) warnings: Vec<String>,
}

/// Findings and warnings gathered along the steps, in the order the steps ran.
#[derive(Debug, Default)]
struct Notes {
    findings: Vec<Finding>,
    warnings: Vec<String>,
}

impl Notes {
    /// One warning per overlay pair that failed: that piece is not counted.
    fn pair_errors(&mut self, errors: &[PairError], what: &str) {
        for e in errors {
            self.warnings.push(format!(
                "overlay of source #{} with {what} #{} failed: {}; that piece is not counted",
                e.source, e.target, e.message
            ));
        }
    }
}

/// Measures the project: boundary, inside parts, zones, buildings, contiguity. The density
/// zones are those of `shenbiao` (the 深标 table of the rule set that applies).
pub fn measure(
    config: &ProjectFile,
    layers: &ProjectLayers,
    shenbiao: &Shenbiao,
) -> Result<Measurement> {
    let opts = OverlayOptions {
        sliver_floor: config.input.sliver_floor_m2,
        threads: None,
    };
    let mut notes = Notes::default();
    let boundary = boundary::ProjectBoundary::find(config, &layers.boundary)?;
    let unusable = boundary::unusable_parcels(config, layers, &boundary, &mut notes)?;
    let clip = boundary::clip_parcels(&layers.parcels, &unusable, &boundary, &opts);
    let mut rows = rows::initial_rows(
        &layers.parcels,
        &unusable,
        &clip,
        opts.sliver_floor,
        &mut notes,
    )?;
    let tenure = tenure::classify_inside(config, &layers.parcels, &clip.cuts)?;
    let zones = zones::ZoneWeighting::measure(
        config,
        &layers.density_zones,
        shenbiao,
        &clip.geometries,
        &opts,
        &mut notes,
    )?;
    let floor = buildings::BuildingFloor::measure(
        config,
        layers.buildings.as_ref(),
        &clip.geometries,
        &boundary,
        &opts,
        &mut notes,
    )?;
    let planned = inside::planned_construction_areas(
        layers.planned_construction_land.as_ref(),
        &clip.geometries,
        &opts,
    );
    let figures = inside::PartFigures {
        tenure: &tenure,
        zone_areas: &zones.by_part,
        floor: &floor.by_part,
        planned_construction: planned.as_deref(),
    };
    let inside = inside::assemble(config, &layers.parcels, &clip, &figures, &opts, &mut notes)?;
    rows::record_inside(&mut rows, &clip.cuts, &inside.parcels, &floor.by_part);
    inside::overlap_findings(&inside.parcels, &clip.geometries, &opts, &mut notes);
    let mut inside = inside;
    let uncovered = uncovered::uncovered_zones(
        &inside.parcels,
        &clip.geometries,
        &zones,
        shenbiao,
        config.plan.uncovered_next_to_ecologically_sensitive,
        opts.sliver_floor,
        &mut notes,
    );
    for (p, z) in inside.parcels.iter_mut().zip(uncovered.by_parcel) {
        p.uncovered_zones = z;
    }
    let parcels_inside: f64 = inside.parcels.iter().map(|p| p.area_inside_m2).sum();
    let contiguous_unfinished_areas_m2 = inside::contiguous_unfinished_areas(
        &inside.parcels,
        &clip.geometries,
        layers.planned_construction_land.as_ref(),
        &opts,
    );
    let retained = fallback::retained_zone(config, layers, &inside.parcels, &zones, &opts)?;

    Ok(Measurement {
        boundary_feature: layers.boundary.feature_ref(boundary.feature).to_string(),
        boundary_area_m2: boundary.area_m2,
        boundary_geometry: boundary.feature.geometry.clone(),
        inside: inside.parcels,
        boundary_not_in_parcels_m2: (boundary.area_m2 - parcels_inside).max(0.0),
        uncovered_fallback: uncovered.parts,
        floor_area_off_parcels_m2: floor.off_parcels_m2,
        contiguous_unfinished_areas_m2,
        retained_zone: retained.zone,
        retained_near_metro: retained.near_metro,
        retained_zone_reason: retained.reason,
        inside_geoms: clip.geometries,
        rows,
        findings: notes.findings,
        warnings: notes.warnings,
    })
}

fn feature_error(layer: &Layer, f: &Feature, message: String) -> Error {
    Error::Feature {
        path: layer.source.to_path_buf(),
        feature: layer.feature_ref(f).to_string(),
        message,
    }
}

/// The parcel's id attribute, or `file#index` when it has none.
fn parcel_label(layer: &Layer, f: &Feature) -> String {
    f.key
        .clone()
        .unwrap_or_else(|| layer.feature_ref(f).to_string())
}

/// A yes/no attribute: true for `true`, non-zero numbers and "1", "true", "yes", "y", "是".
pub(crate) fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i != 0,
        Some(Value::Float(f)) => *f != 0.0,
        Some(Value::Str(s)) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "y" | "是"
        ),
        _ => false,
    }
}

/// `BTreeMap` of per-feature reasons, keyed by feature index (the parcel layer's `index`).
type ReasonByFeature = BTreeMap<usize, String>;
