//! The named steps of [`super::overlay`]: reading, CRS preparation, the overlay on an
//! index, the completeness check, aggregation and writing.

use std::path::Path;

use geo::MultiPolygon;

use super::overlay::{LayerReprojection, OverlayOptions, OverlayResult, WrittenFiles};
use crate::error::{Error, Result};
use crate::geom::{OverlayOptions as EngineOptions, OverlayTable, TargetIndex};
use crate::io::crs::{self, Crs};
use crate::io::write::geojson_crs_name;
use crate::io::{ReadOptions, read_layer};
use crate::model::Layer;
use crate::report::overlay_table::{
    self as ot, PiecesMeta, PiecesRepairs, TargetGroups, TargetsTable, overlay_with_progress,
};

/// The pieces file's format, chosen by the extension of the output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    /// `.csv`: one row per piece.
    Csv,
    /// `.json`: `{"meta": {...}, "pieces": [...]}`.
    Json,
    /// `.geojson`: the piece geometries with both sides' attributes.
    GeoJson,
    /// `.parquet`: the same piece geometries and columns as GeoParquet (`parquet` feature).
    #[cfg(feature = "parquet")]
    GeoParquet,
}

impl OutFormat {
    /// The format of `path` by its extension (case-insensitive); a usage error otherwise.
    pub fn from_path(path: &Path) -> Result<OutFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" => Ok(OutFormat::Csv),
            "json" => Ok(OutFormat::Json),
            "geojson" => Ok(OutFormat::GeoJson),
            #[cfg(feature = "parquet")]
            "parquet" => Ok(OutFormat::GeoParquet),
            _ => Err(Error::Usage(format!(
                "--out {}: unknown output format; use a .csv, .json, .geojson or .parquet \
                 (GeoParquet, `parquet` feature) file name",
                path.display()
            ))),
        }
    }
}

/// Runs `work` on a pool of `threads` workers, or on the current pool when `None`.
pub(super) fn on_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> Result<T> + Send,
) -> Result<T> {
    match threads {
        None => work(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::Usage(format!("cannot start {n} worker threads: {e}")))?
            .install(work),
    }
}

/// Step 1: reads the source and the target layer.
pub(super) fn read_inputs(opts: &OverlayOptions) -> Result<(Layer, Layer)> {
    let read = |path: &Path, crs: &Option<Crs>, key: &Option<String>| {
        let ro = ReadOptions {
            encoding: opts.encoding.clone(),
            assume_crs: crs.clone(),
            key_field: key.clone(),
        };
        read_layer(path, &ro)
    };
    let source = read(&opts.source, &opts.source_crs, &opts.source_id)?;
    let target = read(&opts.target, &opts.target_crs, &opts.target_id)?;
    Ok((source, target))
}

fn crs_label(layer: &Layer) -> String {
    layer
        .crs
        .as_ref()
        .map_or_else(|| "no CRS".to_string(), |c| c.to_string())
}

/// Same CRS: same EPSG code when both have one, else the same definition.
fn same_crs(a: &Crs, b: &Crs) -> bool {
    match (a.epsg, b.epsg) {
        (Some(x), Some(y)) => x == y,
        _ => a == b || (a.proj4.is_some() && a.proj4 == b.proj4),
    }
}

/// Step 2: makes both layers measurable in one CRS. With `planar_degrees` both must
/// declare a CRS; otherwise each is made area-ready (reprojected to `to_crs`, or refused
/// when geographic). Then both must be in the same CRS.
pub(super) fn prepare_crs(
    source: &mut Layer,
    target: &mut Layer,
    opts: &OverlayOptions,
) -> Result<Vec<LayerReprojection>> {
    let mut reprojections = Vec::new();
    if opts.planar_degrees {
        if let Some(layer) = [&*source, &*target].into_iter().find(|l| l.crs.is_none()) {
            return Err(Error::Crs {
                path: layer.source.to_path_buf(),
                message: "the layer declares no CRS; even with --planar-degrees both layers \
                          must be known to be in the same CRS: add --crs (e.g. --crs \
                          EPSG:4326)"
                    .into(),
            });
        }
    } else {
        for layer in [&mut *source, &mut *target] {
            let area_options = crs::AreaOptions {
                target: opts.to_crs.as_ref(),
                allow_distorted: opts.allow_distorted_areas,
            };
            if let Some(r) = crs::prepare_for_areas_with(layer, area_options)? {
                reprojections.push(LayerReprojection {
                    source: layer.source.clone(),
                    reprojected: r,
                });
            }
        }
    }
    match (&source.crs, &target.crs) {
        (Some(a), Some(b)) if same_crs(a, b) => Ok(reprojections),
        _ => Err(Error::Crs {
            path: opts.target.clone(),
            message: format!(
                "the layers are in different CRSs (source {}: {}; target: {}); \
                 reproject both to one projected CRS with --to-crs (e.g. --to-crs \
                 EPSG:4547), or correct a wrong declaration with --source-crs/--target-crs",
                opts.source.display(),
                crs_label(source),
                crs_label(target)
            ),
        }),
    }
}

/// Moves the geometries out of a layer (the overlay and the writers take them apart from
/// the attributes, and a copy of a million polygons is not needed).
pub(super) fn take_geometries(layer: &mut Layer) -> Vec<MultiPolygon<f64>> {
    layer
        .features
        .iter_mut()
        .map(|f| std::mem::replace(&mut f.geometry, MultiPolygon::new(vec![])))
        .collect()
}

/// Step 4: the overlay on a target index, block by block with `progress(done, total)`.
pub(super) fn overlay_table(
    source_geoms: &[MultiPolygon<f64>],
    target_geoms: &[MultiPolygon<f64>],
    opts: &OverlayOptions,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> OverlayTable {
    let engine = EngineOptions {
        sliver_floor: opts.effective_sliver_floor(),
        // The caller's pool (built for `threads`) is used.
        threads: None,
    };
    let index = TargetIndex::new(target_geoms);
    let total = source_geoms.len();
    overlay_with_progress(&index, source_geoms, &engine, &mut |done| {
        progress(done, total)
    })
}

/// Step 5: pairs the engine could not compute, and features with non-finite coordinates,
/// make the table incomplete: an error naming them (up to 20), and nothing is written.
pub(super) fn check_table(table: &OverlayTable, source: &Layer, target: &Layer) -> Result<()> {
    let name = |layer: &Layer, i: usize| {
        layer
            .features
            .get(i)
            .map_or_else(|| format!("#{i}"), |f| layer.feature_ref(f).to_string())
    };
    let mut problems: Vec<String> = Vec::new();
    for e in &table.errors {
        problems.push(format!(
            "intersection of {} and {} failed: {}",
            name(source, e.source),
            name(target, e.target),
            e.message
        ));
    }
    for &s in &table.non_finite_sources {
        let n = name(source, s);
        problems.push(format!("{n}: non-finite (NaN/infinite) coordinates"));
    }
    for &t in &table.non_finite_targets {
        let n = name(target, t);
        problems.push(format!("{n}: non-finite (NaN/infinite) coordinates"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    let shown: Vec<String> = problems.into_iter().take(20).collect();
    Err(Error::Geometry {
        feature: format!("{n} feature(s) or pair(s)"),
        message: format!(
            "nothing written:\n  {}{}",
            shown.join("\n  "),
            if n > 20 { "\n  ..." } else { "" }
        ),
    })
}

/// What [`aggregate`] computes.
pub(super) struct Aggregated {
    pub grouped: Option<OverlayTable>,
    pub labels: Vec<String>,
    pub targets_table: Option<TargetsTable>,
}

/// Step 6: groups the table by `by`, labels its targets and computes the aggregations
/// (attribute errors surface here, before anything is written).
pub(super) fn aggregate(
    source: &Layer,
    target: &Layer,
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
    opts: &OverlayOptions,
) -> Result<Aggregated> {
    let grouped = groups.map(|g| g.group_table(table));
    let counted = grouped.as_ref().unwrap_or(table);
    let labels = ot::target_labels(target, groups);
    let targets_table = if opts.aggregate.is_empty() {
        None
    } else {
        Some(ot::aggregate_targets(
            source,
            &labels,
            groups,
            counted,
            &opts.aggregate,
        )?)
    };
    Ok(Aggregated {
        grouped,
        labels,
        targets_table,
    })
}

fn pieces_repairs(result: &OverlayResult) -> PiecesRepairs {
    PiecesRepairs {
        source: result.repairs.source.report.clone(),
        target: result.repairs.target.report.clone(),
    }
}

/// Step 7: writes the pieces file, the targets table and the repairs table.
pub(super) fn write_outputs(
    result: &OverlayResult,
    out: &Path,
    format: OutFormat,
) -> Result<WrittenFiles> {
    let repairs = pieces_repairs(result);
    write_pieces(result, out, format, &repairs)?;
    let targets = match &result.targets_table {
        Some(t) => {
            let p = ot::targets_path(out);
            ot::write_targets_csv(&p, t)?;
            Some(p)
        }
        None => None,
    };
    let repairs_file = if repairs.is_empty() {
        None
    } else {
        let p = ot::repairs_path(out);
        ot::write_repairs_csv(&p, &repairs)?;
        Some(p)
    };
    Ok(WrittenFiles {
        pieces: out.to_path_buf(),
        targets,
        repairs: repairs_file,
    })
}

/// The pieces file in `format`: the counted (grouped) table as CSV or JSON, or the piece
/// geometries of the ungrouped table as GeoJSON.
fn write_pieces(
    result: &OverlayResult,
    out: &Path,
    format: OutFormat,
    repairs: &PiecesRepairs,
) -> Result<()> {
    let (source, target) = (&result.source, &result.target);
    let (groups, counted, labels) = (result.groups.as_ref(), result.counted(), &result.labels);
    match format {
        OutFormat::Csv => ot::write_pieces_csv(out, source, labels, groups, counted),
        OutFormat::Json => {
            let meta = pieces_meta(result, repairs);
            ot::write_pieces_json(out, &meta, source, labels, groups, counted)
        }
        OutFormat::GeoJson => {
            let name = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "pieces".into());
            let crs_name = source.crs.as_ref().and_then(geojson_crs_name);
            ot::write_pieces_geojson(
                out,
                &name,
                crs_name.as_deref(),
                source,
                &result.source_geoms,
                target,
                &result.target_geoms,
                &result.table,
            )
        }
        #[cfg(feature = "parquet")]
        OutFormat::GeoParquet => ot::write_pieces_parquet(
            out,
            source,
            &result.source_geoms,
            target,
            &result.target_geoms,
            &result.table,
        ),
    }
}

/// The `meta` object of the JSON pieces file.
fn pieces_meta(result: &OverlayResult, repairs: &PiecesRepairs) -> PiecesMeta {
    let opts = &result.options;
    PiecesMeta {
        source: opts.source.display().to_string(),
        target: opts.target.display().to_string(),
        crs: crs_label(&result.source),
        area_unit: if opts.planar_degrees {
            "crs_units2"
        } else {
            "m2"
        }
        .into(),
        sliver_floor: opts.effective_sliver_floor(),
        by: opts.by.clone(),
        slivers: result.counted().slivers.len(),
        repairs: repairs.clone(),
    }
}
