//! `landpool overlay` as a library call: the area-weighted overlay of a source layer with
//! a target layer, with tobler-compatible aggregations, and its output files.
//!
//! Steps (in order, each with a typed result): read both layers → check and prepare their
//! CRS (reprojection, `planar_degrees`) → apply the [`RepairPolicy`] (validate once,
//! repair or refuse) → overlay on a target index (progress through a callback) → refuse
//! an incomplete table → group by `by` and aggregate. [`write_overlay`] then writes the
//! pieces file, `<stem>.targets.csv` and `<stem>.repairs.csv`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use geo::MultiPolygon;

use super::overlay_steps as steps;
use crate::error::{Error, Result};
use crate::geom::OverlayTable;
use crate::geom::repair::{LayerRepairs, RepairPolicy};
use crate::io::crs::{Crs, Reprojected};
use crate::model::{Layer, SourceLabel};
use crate::report::overlay_table::{AggregateSpec, TargetGroups, TargetsTable};

pub use steps::OutFormat;

/// Everything `landpool overlay` is asked to do, with CRS already parsed.
#[derive(Debug, Clone, Default)]
pub struct OverlayOptions {
    /// Source layer (e.g. parcels).
    pub source: PathBuf,
    /// Target layer (e.g. density zones).
    pub target: PathBuf,
    /// CRS the source coordinates are in, overriding the file's declaration.
    pub source_crs: Option<Crs>,
    /// CRS the target coordinates are in, overriding the file's declaration.
    pub target_crs: Option<Crs>,
    /// Reproject both layers to this projected CRS before measuring.
    pub to_crs: Option<Crs>,
    /// Planar areas in the layers' own units, even degrees (tobler/GeoPandas mode).
    pub planar_degrees: bool,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée).
    pub allow_distorted_areas: bool,
    /// Shapefile attribute encoding when there is no `.cpg`.
    pub encoding: Option<String>,
    /// Source attribute used as the source id (default: feature index).
    pub source_id: Option<String>,
    /// Target attribute used as the target id (default: feature index).
    pub target_id: Option<String>,
    /// Group targets by this target attribute.
    pub by: Option<String>,
    /// Source attributes to aggregate per target.
    pub aggregate: AggregateSpec,
    /// Pieces below this area are not counted (default 0.001 m², 0 with `planar_degrees`).
    pub sliver_floor: Option<f64>,
    /// Worker threads (`None`: all cores). The result does not depend on it.
    pub threads: Option<usize>,
    /// Repair invalid input polygons (default) or refuse them.
    pub repair: RepairPolicy,
}

impl OverlayOptions {
    /// The sliver floor in force: the one given, else 0.001 (0 with `planar_degrees`).
    pub fn effective_sliver_floor(&self) -> f64 {
        self.sliver_floor
            .unwrap_or(if self.planar_degrees { 0.0 } else { 1e-3 })
    }

    /// Usage errors that need no data: a negative or non-finite sliver floor.
    pub fn check(&self) -> Result<()> {
        match self.sliver_floor {
            Some(f) if !(f.is_finite() && f >= 0.0) => Err(Error::Usage(format!(
                "--sliver-floor {f}: must be a finite number ≥ 0"
            ))),
            _ => Ok(()),
        }
    }
}

/// One layer that was reprojected before measuring.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerReprojection {
    /// The layer.
    pub source: SourceLabel,
    /// From and to which CRS.
    pub reprojected: Reprojected,
}

/// What validation and repair did to both input layers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputRepairs {
    /// The source layer.
    pub source: LayerRepairs,
    /// The target layer.
    pub target: LayerRepairs,
}

/// How long the computing phases took.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OverlayTimings {
    /// Reading, CRS preparation and repair.
    pub read: Duration,
    /// The overlay proper and its completeness check (grouping and aggregation follow).
    pub overlay: Duration,
}

/// The result of [`overlay_layers`]. The layers keep their attributes; their geometries
/// (repaired where needed) are in `source_geoms` / `target_geoms`.
#[derive(Debug, Clone)]
pub struct OverlayResult {
    /// The options the run was made with.
    pub options: OverlayOptions,
    /// The source layer, geometries moved to `source_geoms`.
    pub source: Layer,
    /// The target layer, geometries moved to `target_geoms`.
    pub target: Layer,
    /// Source geometries as measured.
    pub source_geoms: Vec<MultiPolygon<f64>>,
    /// Target geometries as measured.
    pub target_geoms: Vec<MultiPolygon<f64>>,
    /// Layers reprojected before measuring.
    pub reprojections: Vec<LayerReprojection>,
    /// Problems found and repairs made.
    pub repairs: InputRepairs,
    /// The ungrouped overlay table.
    pub table: OverlayTable,
    /// The `by` groups, when grouping.
    pub groups: Option<TargetGroups>,
    /// The table grouped by `by`, when grouping.
    pub grouped: Option<OverlayTable>,
    /// The label of each target (or group) of the counted table.
    pub labels: Vec<String>,
    /// The per-target aggregations, when any were asked for.
    pub targets_table: Option<TargetsTable>,
    /// Phase durations.
    pub timings: OverlayTimings,
}

/// Headline figures of an overlay, for a summary line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverlaySummary {
    /// Number of sources.
    pub sources: usize,
    /// Number of targets.
    pub targets: usize,
    /// Pieces at or above the sliver floor.
    pub pieces: usize,
    /// Pieces whose source lies wholly inside the target.
    pub covered: usize,
    /// Sum of the pieces' areas.
    pub intersected_area: f64,
    /// Rows of the grouped table, when grouping.
    pub grouped_rows: Option<usize>,
    /// Sources with no piece above the floor.
    pub unmet_sources: usize,
    /// Pieces below the floor.
    pub slivers: usize,
    /// Their total area.
    pub sliver_area: f64,
}

impl OverlayResult {
    /// The table the outputs count: grouped when grouping, else the plain table.
    pub fn counted(&self) -> &OverlayTable {
        self.grouped.as_ref().unwrap_or(&self.table)
    }

    /// Headline figures of the ungrouped table.
    pub fn summary(&self) -> OverlaySummary {
        let t = &self.table;
        let mut met = vec![false; t.source_areas.len()];
        for p in &t.pieces {
            if let Some(m) = met.get_mut(p.source) {
                *m = true;
            }
        }
        OverlaySummary {
            sources: t.source_areas.len(),
            targets: t.target_areas.len(),
            pieces: t.pieces.len(),
            covered: t.pieces.iter().filter(|p| p.covered).count(),
            intersected_area: t.pieces.iter().fold(0.0, |s, p| s + p.area),
            grouped_rows: self.grouped.as_ref().map(|g| g.pieces.len()),
            unmet_sources: met.iter().filter(|m| !**m).count(),
            slivers: t.slivers.len(),
            sliver_area: t.slivers.iter().fold(0.0, |s, p| s + p.area),
        }
    }
}

/// The files [`write_overlay`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFiles {
    /// The pieces file (`.csv`, `.json` or `.geojson`).
    pub pieces: PathBuf,
    /// `<stem>.targets.csv`, when aggregations were asked for.
    pub targets: Option<PathBuf>,
    /// `<stem>.repairs.csv`, when an input polygon was repaired or is unusable.
    pub repairs: Option<PathBuf>,
}

/// Reads both layers, prepares their CRS, applies the repair policy, overlays and
/// aggregates; nothing is written. `progress(done, total)` is called after each block of
/// sources. On the `threads` pool when given.
///
/// ```
/// use landpool::pipeline::overlay::{OverlayOptions, overlay_layers};
///
/// let dir = tempfile::tempdir().unwrap();
/// let square = |x: f64, id: &str| format!(r#"{{"type":"Feature","properties":{{"id":"{id}"}},
///   "geometry":{{"type":"Polygon","coordinates":[[[{x},0],[{x1},0],[{x1},10],[{x},10],[{x},0]]]}}}}"#,
///   x1 = x + 10.0);
/// let layer = |name: &str, features: Vec<String>| {
///     let path = dir.path().join(name);
///     std::fs::write(&path, format!(r#"{{"type":"FeatureCollection","crs":{{"type":"name",
///       "properties":{{"name":"EPSG:4547"}}}},"features":[{}]}}"#, features.join(","))).unwrap();
///     path
/// };
/// // A bow tie source (its signed area is 0) over two squares side by side.
/// let bowtie = r#"{"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Polygon",
///   "coordinates":[[[0,0],[0,10],[20,0],[20,10],[0,0]]]}}"#.to_string();
/// let opts = OverlayOptions {
///     source: layer("source.geojson", vec![bowtie]),
///     target: layer("target.geojson", vec![square(0.0, "L"), square(10.0, "R")]),
///     source_id: Some("id".into()),
///     ..OverlayOptions::default()
/// };
/// let result = overlay_layers(&opts, &mut |_, _| {}).unwrap();
/// assert_eq!(result.repairs.source.report.repaired.len(), 1);
/// assert!((result.summary().intersected_area - 100.0).abs() < 1e-9);
/// ```
pub fn overlay_layers(
    opts: &OverlayOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<OverlayResult> {
    opts.check()?;
    steps::on_pool(opts.threads, || compute(opts, progress))
}

/// [`overlay_layers`], then [`write_overlay`] to `out`, all on the `threads` pool. The
/// output format and the `by` option are checked before anything is read; nothing is
/// written when the overlay or an aggregation fails.
///
/// ```
/// use landpool::pipeline::overlay::{OverlayOptions, overlay_to_files};
///
/// let dir = tempfile::tempdir().unwrap();
/// let zones = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
///     .join("data/sample/density_zones.geojson");
/// let opts = OverlayOptions { source: zones.clone(), target: zones, ..Default::default() };
/// let out = dir.path().join("self.csv");
/// let (result, written) = overlay_to_files(&opts, &out, &mut |_, _| {}).unwrap();
/// assert_eq!(written.pieces, out);
/// assert!(written.repairs.is_none(), "the sample zones are valid");
/// assert!(result.summary().pieces >= result.summary().sources);
/// ```
pub fn overlay_to_files(
    opts: &OverlayOptions,
    out: &Path,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<(OverlayResult, WrittenFiles)> {
    let format = check_output(opts, out)?;
    steps::on_pool(opts.threads, || {
        let result = compute(opts, progress)?;
        let written = steps::write_outputs(&result, out, format)?;
        Ok((result, written))
    })
}

/// The usage checks [`overlay_to_files`] makes before reading anything: the output format
/// (by `out`'s extension), `by` only with a .csv/.json pieces table, and
/// [`OverlayOptions::check`]. Returns the format.
pub fn check_output(opts: &OverlayOptions, out: &Path) -> Result<OutFormat> {
    let format = OutFormat::from_path(out)?;
    if !matches!(format, OutFormat::Csv | OutFormat::Json) && opts.by.is_some() {
        return Err(Error::Usage(
            "--by applies to the .csv/.json pieces table and the targets table, not to \
             .geojson/.parquet piece geometries; drop --by or write .csv/.json"
                .into(),
        ));
    }
    opts.check()?;
    Ok(format)
}

/// Writes the pieces file in the format of `out`'s extension, `<stem>.targets.csv` when
/// aggregations were computed, and `<stem>.repairs.csv` when an input polygon was repaired
/// or is unusable. Every file is replaced atomically.
pub fn write_overlay(result: &OverlayResult, out: &Path) -> Result<WrittenFiles> {
    steps::write_outputs(result, out, OutFormat::from_path(out)?)
}

fn compute(
    opts: &OverlayOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<OverlayResult> {
    let start = Instant::now();
    let (mut source, mut target) = steps::read_inputs(opts)?;
    let reprojections = steps::prepare_crs(&mut source, &mut target, opts)?;
    let repairs = InputRepairs {
        source: crate::geom::repair::validate_and_repair(&mut source, opts.repair)?,
        target: crate::geom::repair::validate_and_repair(&mut target, opts.repair)?,
    };
    let groups = opts
        .by
        .as_deref()
        .map(|by| TargetGroups::new(&target, by))
        .transpose()?;
    let read = start.elapsed();
    let source_geoms = steps::take_geometries(&mut source);
    let target_geoms = steps::take_geometries(&mut target);
    let table = steps::overlay_table(&source_geoms, &target_geoms, opts, progress);
    steps::check_table(&table, &source, &target)?;
    let overlay = start.elapsed().saturating_sub(read);
    let aggregated = steps::aggregate(&source, &target, groups.as_ref(), &table, opts)?;
    Ok(OverlayResult {
        options: opts.clone(),
        source,
        target,
        source_geoms,
        target_geoms,
        reprojections,
        repairs,
        table,
        groups,
        grouped: aggregated.grouped,
        labels: aggregated.labels,
        targets_table: aggregated.targets_table,
        timings: OverlayTimings { read, overlay },
    })
}
