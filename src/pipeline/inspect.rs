//! `landpool inspect` as a library call: what is in a layer (CRS, count, extent, area,
//! schema) and what is wrong with its geometries, repaired by default.
//!
//! Steps: [`read_for_inspection`] (read, reproject) → [`inspect_loaded`] (validate once,
//! repair or not by the [`RepairPolicy`], measure). The report renders itself as text
//! ([`InspectReport::write_text`]) or JSON ([`InspectReport::to_json`]).

use geo::{BoundingRect, Rect};

use crate::error::{Error, Result};
use crate::geom::repair::{self, RepairPolicy};
use crate::geom::validity::{self, FeatureProblem, RepairReport};
use crate::io::crs::{self, Crs};
use crate::io::{LayerSource, ReadOptions, read_source};
use crate::model::layer::Layer;

/// What to inspect and how.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// The layer: a path, `file.gpkg:layer`, or a connection string.
    pub source: LayerSource,
    /// Encoding, assumed CRS and id attribute.
    pub read: ReadOptions,
    /// Reproject to this CRS before measuring.
    pub to_crs: Option<Crs>,
    /// Repair invalid geometry (default) or refuse it.
    pub repair: RepairPolicy,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée).
    pub allow_distorted_areas: bool,
}

/// The result of [`inspect_layer`]: the layer as measured and everything found in it.
#[derive(Debug, Clone)]
pub struct InspectReport {
    /// The layer after reprojection and repair, in metres when it was in feet (or another
    /// non-metre unit) and areas were computed.
    pub layer: Layer,
    /// The CRS of the layer as read (or reprojected), in its own unit: what is shown.
    pub crs: Option<Crs>,
    /// The CRS the source declared (or that was assumed), before any reprojection.
    pub declared_crs: Option<Crs>,
    /// True when the layer was reprojected to [`InspectOptions::to_crs`].
    pub reprojected: bool,
    /// The policy applied.
    pub policy: RepairPolicy,
    /// Every geometry problem found (before repair), in feature order.
    pub problems: Vec<FeatureProblem>,
    /// What repair did; `None` under [`RepairPolicy::Refuse`].
    pub repairs: Option<RepairReport>,
    /// Unsigned area of each feature (m²), when the CRS allows areas.
    pub areas: Option<Vec<f64>>,
    /// Why areas were not computed (e.g. a geographic CRS), when they were not.
    pub area_refusal: Option<String>,
    /// Extent of all finite coordinates.
    pub bbox: Option<Rect<f64>>,
}

impl InspectReport {
    /// Sum of [`InspectReport::areas`].
    pub fn total_area(&self) -> Option<f64> {
        self.areas.as_ref().map(|a| a.iter().sum())
    }

    /// Number of distinct features with at least one problem.
    pub fn problem_features(&self) -> usize {
        let mut v: Vec<usize> = self.problems.iter().map(|p| p.feature.index).collect();
        v.dedup();
        v.len()
    }

    /// Features whose geometry is still invalid: the unusable ones after repair, or every
    /// problem feature when repair was refused.
    pub fn unresolved(&self) -> usize {
        match &self.repairs {
            Some(r) => r.unusable.len(),
            None => self.problem_features(),
        }
    }

    /// The `--no-repair` error (file, features, problems) when the policy is
    /// [`RepairPolicy::Refuse`] and the layer has problems.
    pub fn refusal(&self) -> Option<Error> {
        match self.policy {
            RepairPolicy::Refuse => repair::refusal(&self.layer, &self.problems),
            RepairPolicy::Repair => None,
        }
    }
}

/// Reads, reprojects, validates, repairs and measures one layer. Invalid geometry never
/// makes this fail: the report lists it, and [`InspectReport::refusal`] gives the error
/// for `--no-repair`.
///
/// ```
/// use landpool::io::{LayerSource, ReadOptions};
/// use landpool::pipeline::inspect::{InspectOptions, inspect_layer};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("bowtie.geojson");
/// std::fs::write(&path, r#"{"type":"FeatureCollection","features":[{"type":"Feature",
///   "properties":{"id":"P1"},"geometry":{"type":"Polygon",
///   "coordinates":[[[0,0],[0,10],[10,0],[10,10],[0,0]]]}}]}"#).unwrap();
/// let report = inspect_layer(&InspectOptions {
///     source: LayerSource::parse(&path.to_string_lossy()),
///     read: ReadOptions { assume_crs: Some(landpool::io::crs::Crs::local_planar()),
///                         key_field: Some("id".into()), ..ReadOptions::default() },
///     to_crs: None,
///     repair: Default::default(),
///     allow_distorted_areas: false,
/// }).unwrap();
/// assert_eq!(report.problem_features(), 1);
/// assert_eq!(report.repairs.as_ref().unwrap().repaired[0].area_after, 50.0);
/// assert_eq!(report.total_area(), Some(50.0));
/// ```
pub fn inspect_layer(opts: &InspectOptions) -> Result<InspectReport> {
    let (layer, declared_crs) = read_for_inspection(opts)?;
    Ok(inspect_loaded(
        layer,
        declared_crs,
        opts.to_crs.is_some(),
        opts.repair,
        opts.allow_distorted_areas,
    ))
}

/// Step 1: reads the layer and reprojects it to [`InspectOptions::to_crs`]; returns the
/// layer and the CRS it declared.
pub fn read_for_inspection(opts: &InspectOptions) -> Result<(Layer, Option<Crs>)> {
    let mut layer = read_source(&opts.source, &opts.read)?;
    let declared_crs = layer.crs.clone();
    if let Some(to) = &opts.to_crs {
        crs::reproject_layer(&mut layer, to).map_err(|e| match e {
            Error::Crs { path, message } => Error::Crs {
                path,
                message: format!("reprojecting {}: {message}", opts.source),
            },
            other => other,
        })?;
    }
    Ok((layer, declared_crs))
}

/// Step 2: validates every feature once, repairs the invalid ones unless `policy` refuses
/// repair, and measures the result (areas only in a projected CRS, always m²: a layer in
/// feet is converted to metres by [`crs::prepare_for_areas_with`], and its repair areas
/// with it). The extent stays in the layer's own unit.
pub fn inspect_loaded(
    mut layer: Layer,
    declared_crs: Option<Crs>,
    reprojected: bool,
    policy: RepairPolicy,
    allow_distorted_areas: bool,
) -> InspectReport {
    let problems = validity::validate_layer(&layer);
    let mut repairs = match policy {
        RepairPolicy::Repair => Some(validity::repair_validated(&mut layer, &problems)),
        RepairPolicy::Refuse => None,
    };
    let bbox = layer_bbox(&layer);
    let crs = layer.crs.clone();
    let area_options = crs::AreaOptions {
        target: None,
        allow_distorted: allow_distorted_areas,
    };
    let area_refusal = crs::prepare_for_areas_with(&mut layer, area_options)
        .err()
        .map(|e| e.to_string());
    // Repairs were measured in the layer's own unit: their areas in m² too.
    if let (Some(r), Some(m)) = (&mut repairs, crs.as_ref().and_then(Crs::metres_per_unit))
        && area_refusal.is_none()
    {
        for x in &mut r.repaired {
            x.area_before *= m * m;
            x.area_after *= m * m;
        }
    }
    let areas = area_refusal.is_none().then(|| {
        layer
            .features
            .iter()
            .map(|f| validity::unsigned_area(&f.geometry))
            .collect()
    });
    InspectReport {
        layer,
        crs,
        declared_crs,
        reprojected,
        policy,
        problems,
        repairs,
        areas,
        area_refusal,
        bbox,
    }
}

/// Extent of every finite bounding box of the layer's features.
fn layer_bbox(layer: &Layer) -> Option<Rect<f64>> {
    layer
        .features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect())
        .filter(|r| {
            [r.min().x, r.min().y, r.max().x, r.max().y]
                .iter()
                .all(|v| v.is_finite())
        })
        .reduce(|a, b| {
            Rect::new(
                geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
            )
        })
}
