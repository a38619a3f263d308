//! `landpool overlay`: area-weighted overlay of a source layer with a target layer, written
//! as a pieces table (CSV/JSON), piece geometries (GeoJSON) and optional per-target
//! aggregations. The attribute-level work is in `landpool::report::overlay_table`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use geo::MultiPolygon;

use landpool::geom::{OverlayOptions, OverlayTable, TargetIndex};
use landpool::io::crs::{self, Crs};
use landpool::io::write::geojson_crs_name;
use landpool::io::{ReadOptions, read_layer};
use landpool::report::overlay_table::{
    self as ot, AggregateSpec, PiecesMeta, TargetGroups, overlay_with_progress,
};
use landpool::{Error, Layer};

const AFTER_HELP: &str = "\
Output (chosen by the extension of --out):
  .csv      one row per piece: source, target (or the --by attribute), area, source_share,
            covered. source/target are the --source-id/--target-id values, else the 0-based
            feature index. area is area(source ∩ target) in m² (CRS units² with
            --planar-degrees); source_share = area / area(source); covered = the source lies
            wholly inside that target. Rows are sorted by source, then target.
  .json     the same rows as {\"meta\": {...}, \"pieces\": [{...}, ...]}.
  .geojson  the piece geometries (source ∩ target, geo BooleanOps) with source_id, target_id,
            area, source_share, covered, then the source's and the target's attributes
            (prefixed src_ / tgt_ where names clash). --by does not apply to .geojson.
With --extensive/--intensive/--categorical a second file <out stem>.targets.csv gets one row
per target (or per --by value): target, target_area, intersected_area, then one column per
extensive and intensive attribute and one per category (<attribute>_<category>), computed
exactly as PySAL tobler's area_interpolate:
  extensive    v_j = Σ_i v_i·a_ij / a_i   (a_i: source area; with --allocate-total, tobler's
               default, Σ_k a_ik: the source's intersected area)
  intensive    v_j = Σ_i v_i·a_ij / Σ_k a_kj
  categorical  share of the target's area covered by sources of each category
Null attribute values count as 0; pieces below --sliver-floor are not counted.

Areas are computed only in a projected CRS (metres): a geographic layer needs --to-crs, a
layer without CRS needs --crs. --planar-degrees computes planar areas in whatever units the
layers are in (degrees² for lon/lat), as tobler and GeoPandas do without projecting; it is
meant for comparisons with those tools, not for land areas.

The output does not depend on --threads. Files are replaced atomically. The progress bar is
shown only when stderr is a terminal.

Exit codes: 0 written; 1 input problem (unreadable layer, missing attribute, CRS problem,
failed intersection); 2 usage error.

Examples:
  # Parcels × density zones, pieces table:
  landpool overlay --source parcels.geojson --target density_zones.geojson --out pieces.csv
  # Share of each parcel per density-zone class, and the land-use mix per class:
  landpool overlay --source parcels.geojson --target density_zones.geojson \\
      --by density_zone --categorical land_use --out by_class.csv
  # Piece geometries with both layers' attributes, for QGIS:
  landpool overlay --source parcels.geojson --target density_zones.geojson --out pieces.geojson
  # tobler-compatible interpolation of lon/lat census tracts to ZIP areas (no .prj):
  landpool overlay --source tracts.shp --target zips.shp --crs EPSG:4326 --planar-degrees \\
      --extensive TOT_POP --allocate-total --out tracts_x_zips.csv";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Source layer (e.g. parcels): GeoJSON (.geojson, .json) or Shapefile (.shp).
    #[arg(long, value_name = "FILE")]
    pub source: PathBuf,
    /// Target layer (e.g. density zones, project boundaries).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Output file: .csv, .json or .geojson (see below).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Group targets by this target attribute: one row per (source, value) in the pieces
    /// table and one per value in the targets table.
    #[arg(long, value_name = "ATTR")]
    pub by: Option<String>,
    /// Source attribute to allocate to targets as an extensive variable (count). Repeatable.
    #[arg(long, value_name = "ATTR")]
    pub extensive: Vec<String>,
    /// Source attribute to average over targets as an intensive variable (rate). Repeatable.
    #[arg(long, value_name = "ATTR")]
    pub intensive: Vec<String>,
    /// Source attribute whose categories' area shares are given per target. Repeatable.
    #[arg(long, value_name = "ATTR")]
    pub categorical: Vec<String>,
    /// Extensive values are divided by the source's intersected area instead of its area
    /// (tobler's default): the whole value is allocated even where no target covers it.
    #[arg(long)]
    pub allocate_total: bool,
    /// Pieces smaller than this (m², or CRS units² with --planar-degrees) are not counted
    /// [default: 0.001, or 0 with --planar-degrees].
    #[arg(long, value_name = "F")]
    pub sliver_floor: Option<f64>,
    /// Source attribute used as the source id in the output (default: feature index).
    #[arg(long = "source-id", value_name = "ATTR")]
    pub source_id: Option<String>,
    /// Target attribute used as the target id in the output (default: feature index).
    #[arg(long = "target-id", value_name = "ATTR")]
    pub target_id: Option<String>,
    /// CRS the coordinates of both layers are in, overriding what the files declare:
    /// EPSG:xxxx, a proj4 string, `local` (planar metres without EPSG) or `gcj02`.
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
    /// Like --crs, for the source layer only (takes precedence over --crs).
    #[arg(long = "source-crs", value_name = "CRS")]
    pub source_crs: Option<String>,
    /// Like --crs, for the target layer only (takes precedence over --crs).
    #[arg(long = "target-crs", value_name = "CRS")]
    pub target_crs: Option<String>,
    /// Reproject both layers to this projected CRS before measuring (e.g. EPSG:4547).
    #[arg(long = "to-crs", value_name = "CRS", conflicts_with = "planar_degrees")]
    pub to_crs: Option<String>,
    /// Compute planar areas in the layers' own units even if they are degrees (tobler /
    /// GeoPandas-compatible mode; not land areas).
    #[arg(long)]
    pub planar_degrees: bool,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée),
    /// which are otherwise refused.
    #[arg(long = "allow-distorted-areas")]
    pub allow_distorted_areas: bool,
    /// Shapefile attribute encoding when there is no .cpg (gbk, gb18030, utf-8, latin1).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Worker threads (default: all cores). The output is the same for any value.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutFormat {
    Csv,
    Json,
    GeoJson,
}

fn usage(msg: String) -> anyhow::Error {
    anyhow::Error::from(Error::Usage(msg))
}

fn out_format(path: &Path) -> anyhow::Result<OutFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => Ok(OutFormat::Csv),
        "json" => Ok(OutFormat::Json),
        "geojson" => Ok(OutFormat::GeoJson),
        _ => Err(usage(format!(
            "--out {}: unknown output format; use a .csv, .json or .geojson file name",
            path.display()
        ))),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = out_format(&args.out)?;
    if format == OutFormat::GeoJson && args.by.is_some() {
        return Err(usage(
            "--by applies to the .csv/.json pieces table and the targets table, not to \
             .geojson piece geometries; drop --by or write .csv/.json"
                .into(),
        ));
    }
    if let Some(f) = args.sliver_floor.filter(|f| !(f.is_finite() && *f >= 0.0)) {
        return Err(usage(format!(
            "--sliver-floor {f}: must be a finite number ≥ 0"
        )));
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.threads {
            b = b.num_threads(usize::from(n));
        }
        b.build().context("starting the worker threads")?
    };
    pool.install(|| run_in_pool(&args, format))
}

fn parse_crs(s: Option<&str>) -> anyhow::Result<Option<Crs>> {
    Ok(s.map(Crs::parse).transpose()?)
}

fn read(
    path: &Path,
    crs: Option<Crs>,
    key: Option<&String>,
    encoding: Option<&String>,
) -> anyhow::Result<Layer> {
    let opts = ReadOptions {
        encoding: encoding.cloned(),
        assume_crs: crs,
        key_field: key.cloned(),
    };
    Ok(read_layer(path, &opts)?)
}

/// Same CRS: same EPSG code when both have one, else the same definition.
fn same_crs(a: &Crs, b: &Crs) -> bool {
    match (a.epsg, b.epsg) {
        (Some(x), Some(y)) => x == y,
        _ => a == b || (a.proj4.is_some() && a.proj4 == b.proj4),
    }
}

fn crs_label(layer: &Layer) -> String {
    layer
        .crs
        .as_ref()
        .map_or_else(|| "no CRS".to_string(), |c| c.to_string())
}

fn take_geometries(layer: &mut Layer) -> Vec<MultiPolygon<f64>> {
    layer
        .features
        .iter_mut()
        .map(|f| std::mem::replace(&mut f.geometry, MultiPolygon::new(vec![])))
        .collect()
}

fn run_in_pool(args: &Args, format: OutFormat) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let both = parse_crs(args.crs.as_deref())?;
    let source_crs = parse_crs(args.source_crs.as_deref())?.or_else(|| both.clone());
    let target_crs = parse_crs(args.target_crs.as_deref())?.or_else(|| both.clone());
    let to_crs = parse_crs(args.to_crs.as_deref())?;

    let mut source = read(
        &args.source,
        source_crs,
        args.source_id.as_ref(),
        args.encoding.as_ref(),
    )?;
    let mut target = read(
        &args.target,
        target_crs,
        args.target_id.as_ref(),
        args.encoding.as_ref(),
    )?;

    if args.planar_degrees {
        for layer in [&source, &target] {
            if layer.crs.is_none() {
                return Err(Error::Crs {
                    path: layer.source.to_path_buf(),
                    message: "the layer declares no CRS; even with --planar-degrees both layers \
                              must be known to be in the same CRS: add --crs (e.g. --crs \
                              EPSG:4326)"
                        .into(),
                }
                .into());
            }
        }
        eprintln!(
            "note: --planar-degrees: areas are planar in the layers' own units ({}; degrees² \
             for lon/lat), as tobler/GeoPandas compute them — not land areas in m²",
            crs_label(&source)
        );
    } else {
        for layer in [&mut source, &mut target] {
            let opts = crs::AreaOptions {
                target: to_crs.as_ref(),
                allow_distorted: args.allow_distorted_areas,
            };
            if let Some(r) = crs::prepare_for_areas_with(layer, opts)? {
                eprintln!("{}: reprojected {} → {}", layer.source, r.from, r.to);
            }
        }
    }
    match (&source.crs, &target.crs) {
        (Some(a), Some(b)) if same_crs(a, b) => {}
        _ => {
            return Err(Error::Crs {
                path: args.target.clone(),
                message: format!(
                    "the layers are in different CRSs (source {}: {}; target: {}); \
                     reproject both to one projected CRS with --to-crs (e.g. --to-crs \
                     EPSG:4547), or correct a wrong declaration with --source-crs/--target-crs",
                    args.source.display(),
                    crs_label(&source),
                    crs_label(&target)
                ),
            }
            .into());
        }
    }

    let groups = args
        .by
        .as_deref()
        .map(|by| TargetGroups::new(&target, by))
        .transpose()?;
    let spec = AggregateSpec {
        extensive: args.extensive.clone(),
        intensive: args.intensive.clone(),
        categorical: args.categorical.clone(),
        allocate_total: args.allocate_total,
    };

    let read_done = start.elapsed();
    let source_geoms = take_geometries(&mut source);
    let target_geoms = take_geometries(&mut target);
    let sliver_floor = args
        .sliver_floor
        .unwrap_or(if args.planar_degrees { 0.0 } else { 1e-3 });
    let opts = OverlayOptions {
        sliver_floor,
        // The caller's pool (built with --threads) is used.
        threads: None,
    };

    let index = TargetIndex::new(&target_geoms);
    let progress = progress_bar(source_geoms.len());
    let table = overlay_with_progress(&index, &source_geoms, &opts, &mut |done| {
        if let Some(p) = &progress {
            p.set_position(done as u64);
        }
    });
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    check_table(&table, &source, &target)?;
    let overlay_done = start.elapsed();

    let grouped = groups.as_ref().map(|g| g.group_table(&table));
    let counted = grouped.as_ref().unwrap_or(&table);
    let labels = ot::target_labels(&target, groups.as_ref());
    // Aggregations are computed (and attribute errors reported) before anything is written.
    let targets_table = if spec.is_empty() {
        None
    } else {
        Some(ot::aggregate_targets(
            &source,
            &labels,
            groups.as_ref(),
            counted,
            &spec,
        )?)
    };

    let crs_text = crs_label(&source);
    match format {
        OutFormat::Csv => {
            ot::write_pieces_csv(&args.out, &source, &labels, groups.as_ref(), counted)?;
        }
        OutFormat::Json => {
            let meta = PiecesMeta {
                source: args.source.display().to_string(),
                target: args.target.display().to_string(),
                crs: crs_text.clone(),
                area_unit: if args.planar_degrees {
                    "crs_units2".into()
                } else {
                    "m2".into()
                },
                sliver_floor,
                by: args.by.clone(),
                slivers: counted.slivers.len(),
            };
            ot::write_pieces_json(&args.out, &meta, &source, &labels, groups.as_ref(), counted)?;
        }
        OutFormat::GeoJson => {
            let name = args
                .out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "pieces".into());
            let crs_name = source.crs.as_ref().and_then(geojson_crs_name);
            ot::write_pieces_geojson(
                &args.out,
                &name,
                crs_name.as_deref(),
                &source,
                &source_geoms,
                &target,
                &target_geoms,
                &table,
            )?;
        }
    }
    let targets_out = match &targets_table {
        Some(t) => {
            let p = ot::targets_path(&args.out);
            ot::write_targets_csv(&p, t)?;
            Some(p)
        }
        None => None,
    };

    let phases = [
        ("read", read_done),
        ("overlay", overlay_done.saturating_sub(read_done)),
        (
            "aggregate+write",
            start.elapsed().saturating_sub(overlay_done),
        ),
    ];
    print_summary(
        args,
        &table,
        counted,
        targets_out.as_deref(),
        start,
        &phases,
    );
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "overlay {bar:40} {pos}/{len} sources ({elapsed}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Pairs the engine could not compute, and features with non-finite coordinates, make the
/// table incomplete: refuse to write it, naming the features.
fn check_table(table: &OverlayTable, source: &Layer, target: &Layer) -> anyhow::Result<()> {
    let sref = |i: usize| {
        source
            .features
            .get(i)
            .map_or_else(|| format!("#{i}"), |f| source.feature_ref(f).to_string())
    };
    let tref = |i: usize| {
        target
            .features
            .get(i)
            .map_or_else(|| format!("#{i}"), |f| target.feature_ref(f).to_string())
    };
    let mut problems: Vec<String> = Vec::new();
    for e in &table.errors {
        problems.push(format!(
            "intersection of {} and {} failed: {}",
            sref(e.source),
            tref(e.target),
            e.message
        ));
    }
    for &s in &table.non_finite_sources {
        problems.push(format!(
            "{}: non-finite (NaN/infinite) coordinates",
            sref(s)
        ));
    }
    for &t in &table.non_finite_targets {
        problems.push(format!(
            "{}: non-finite (NaN/infinite) coordinates",
            tref(t)
        ));
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
    }
    .into())
}

fn print_summary(
    args: &Args,
    table: &OverlayTable,
    counted: &OverlayTable,
    targets_out: Option<&Path>,
    start: Instant,
    phases: &[(&str, std::time::Duration)],
) {
    let met: usize = {
        let mut seen = vec![false; table.source_areas.len()];
        for p in &table.pieces {
            if let Some(s) = seen.get_mut(p.source) {
                *s = true;
            }
        }
        seen.iter().filter(|s| **s).count()
    };
    let total: f64 = table.pieces.iter().fold(0.0, |s, p| s + p.area);
    let sliver_area: f64 = table.slivers.iter().fold(0.0, |s, p| s + p.area);
    let covered = table.pieces.iter().filter(|p| p.covered).count();
    println!(
        "{} sources × {} targets: {} pieces ({} covered), intersected area {}",
        table.source_areas.len(),
        table.target_areas.len(),
        table.pieces.len(),
        covered,
        total
    );
    if counted.pieces.len() != table.pieces.len() {
        println!("  {} rows after grouping by --by", counted.pieces.len());
    }
    let unmet = table.source_areas.len() - met;
    if unmet > 0 {
        println!(
            "  {unmet} sources meet no target (above the sliver floor): not in the pieces table"
        );
    }
    if !table.slivers.is_empty() {
        println!(
            "  {} slivers below the floor, total area {} (not counted)",
            table.slivers.len(),
            sliver_area
        );
    }
    println!("  wrote {}", args.out.display());
    if let Some(p) = targets_out {
        println!("  wrote {}", p.display());
    }
    let phases: Vec<String> = phases
        .iter()
        .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
        .collect();
    println!(
        "done in {:.2} s ({})",
        start.elapsed().as_secs_f64(),
        phases.join(", ")
    );
}
