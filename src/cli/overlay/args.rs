//! The options of `landpool overlay` and its help text.

use std::path::PathBuf;

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
  .parquet  the same piece geometries and columns as GeoParquet (WKB, CRS in the `geo`
            metadata; reads in GeoPandas, DuckDB spatial, SedonaDB, Apache Sedona).
With --extensive/--intensive/--categorical a second file <out stem>.targets.csv gets one row
per target (or per --by value): target, target_area, intersected_area, then one column per
extensive and intensive attribute and one per category (<attribute>_<category>), computed
exactly as PySAL tobler's area_interpolate:
  extensive    v_j = Σ_i v_i·a_ij / a_i   (a_i: source area; with --allocate-total, tobler's
               default, Σ_k a_ik: the source's intersected area)
  intensive    v_j = Σ_i v_i·a_ij / Σ_k a_kj
  categorical  share of the target's area covered by sources of each category
Null attribute values count as 0; pieces below --sliver-floor are not counted.

Invalid polygons (self-intersecting rings, overlapping parts, ...) of either layer are
repaired first (MakeValid, as assess does): each repair is listed on stderr with its area
before and after, in <out stem>.repairs.csv (layer, feature, status, problem, area_before,
area_after) and, for .json, under meta.repairs. --no-repair refuses them instead.

Areas are computed only in a projected CRS (metres): a geographic layer needs --to-crs, a
layer without CRS needs --crs. --planar-degrees computes planar areas in whatever units the
layers are in (degrees² for lon/lat), as tobler and GeoPandas do without projecting; it is
meant for comparisons with those tools, not for land areas.

The output does not depend on --threads. Files are replaced atomically. The progress bar is
shown only when stderr is a terminal.

Exit codes: 0 written; 1 input problem (unreadable layer, missing attribute, CRS problem,
failed intersection, invalid geometry with --no-repair); 2 usage error.

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
    /// Source layer (e.g. parcels): GeoJSON (.geojson, .json), Shapefile (.shp),
    /// GeoPackage (file.gpkg:layer), FlatGeobuf (.fgb) or GeoParquet (.parquet).
    #[arg(long, value_name = "FILE")]
    pub source: PathBuf,
    /// Target layer (e.g. density zones, project boundaries).
    #[arg(long, value_name = "FILE")]
    pub target: PathBuf,
    /// Output file: .csv, .json, .geojson or .parquet (see below).
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
    /// Do not repair invalid polygons: an invalid feature is an error naming it (exit 1).
    #[arg(long = "no-repair")]
    pub no_repair: bool,
}
