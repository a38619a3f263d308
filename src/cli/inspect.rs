//! `landpool inspect`: what is in a layer (CRS, count, extent, area, schema) and what is wrong
//! with its geometries. The work is [`landpool::pipeline::inspect`]; this parses and prints.

use std::io::Write;
use std::process::ExitCode;

use landpool::geom::repair::RepairPolicy;
use landpool::io::crs::Crs;
use landpool::io::{LayerSource, ReadOptions};
use landpool::pipeline::inspect::{InspectOptions, inspect_layer};

const AFTER_HELP: &str = "\
Exit codes:
  0  the layer was read and has no invalid geometry left (invalid polygons are repaired
     and each repair is listed, unless --no-repair)
  1  input problem: unreadable file, bad CRS, invalid geometries that could not be
     repaired, or any invalid geometry with --no-repair (the report is still printed)
  2  usage error (bad option or argument)

Areas are computed only in a projected CRS and are always m²: a layer in feet (or any other
linear unit) is converted to metres for measuring. Web Mercator and plate carrée need
--to-crs (or --allow-distorted-areas). A geographic layer needs --to-crs;
a layer without CRS needs --crs.

Examples:
  # GBK shapefile in the Shenzhen local plane system (no .prj, no .cpg):
  landpool inspect qu.shp --encoding gbk --crs local --id-field JDNAME
  # DataV/AutoNavi GeoJSON (GCJ-02 lon/lat) measured in CGCS2000 / GK CM 114E:
  landpool inspect 440300_full.json --crs gcj02 --to-crs EPSG:4547 --id-field name
  # One layer of a GeoPackage:
  landpool inspect district.gpkg:parcels --id-field parcel_id
  # Find and repair self-intersecting polygons, machine-readable:
  landpool inspect buildings.geojson --json
  # Only check: invalid geometry is an error naming the feature (exit 1):
  landpool inspect buildings.geojson --no-repair";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The layer: GeoJSON (.geojson, .json), Shapefile (.shp) or GeoPackage
    /// (`file.gpkg:layer`); with the `gdal` feature also FileGDB (`folder.gdb:layer`),
    /// FlatGeobuf, PostGIS (`PG:dbname=… host=…`) and any other OGR source.
    pub layer: String,
    /// The layer (table) to read from a multi-layer source, instead of `file:layer`.
    #[arg(long = "layer", value_name = "NAME")]
    pub layer_name: Option<String>,
    /// An SQL statement whose result is the layer (database sources, `gdal` feature).
    #[arg(long, value_name = "SELECT")]
    pub sql: Option<String>,
    /// CRS the coordinates are in, overriding what the file declares: EPSG:xxxx, a proj4
    /// string, `local` (planar metres without EPSG) or `gcj02` (AutoNavi/DataV lon/lat).
    #[arg(long, value_name = "CRS")]
    pub crs: Option<String>,
    /// Reproject to this CRS before measuring (e.g. EPSG:4547 for Shenzhen).
    #[arg(long = "to-crs", value_name = "CRS")]
    pub to_crs: Option<String>,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée),
    /// which are otherwise refused.
    #[arg(long = "allow-distorted-areas")]
    pub allow_distorted_areas: bool,
    /// Shapefile attribute encoding when there is no .cpg (gbk, gb18030, utf-8, latin1).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Attribute used as each feature's id in messages.
    #[arg(long = "id-field", value_name = "FIELD")]
    pub id_field: Option<String>,
    /// Repair invalid geometries (MakeValid) and report area before/after. This is the
    /// default; the flag is kept for scripts that pass it.
    #[arg(long, conflicts_with = "no_repair")]
    pub repair: bool,
    /// Do not repair: any invalid geometry is an error naming the feature (exit 1).
    #[arg(long = "no-repair")]
    pub no_repair: bool,
    /// List every feature with its area and attributes (for small layers).
    #[arg(long)]
    pub features: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut source = LayerSource::parse(&args.layer).with_layer(args.layer_name.clone());
    if let Some(sql) = &args.sql {
        match &mut source {
            LayerSource::Connection { sql: s, .. } => *s = Some(sql.clone()),
            LayerSource::File { .. } => {
                return Err(
                    landpool::Error::Usage("--sql needs a database source (PG:…)".into()).into(),
                );
            }
        }
    }
    let opts = InspectOptions {
        source,
        read: ReadOptions {
            encoding: args.encoding.clone(),
            assume_crs: args.crs.as_deref().map(Crs::parse).transpose()?,
            key_field: args.id_field.clone(),
        },
        to_crs: args.to_crs.as_deref().map(Crs::parse).transpose()?,
        repair: RepairPolicy::from_no_repair(args.no_repair),
        allow_distorted_areas: args.allow_distorted_areas,
    };
    let report = inspect_layer(&opts)?;

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let json = report.to_json(args.features);
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        report.write_text(&mut out, args.features)?;
    }
    out.flush()?;
    // The report is printed first, so that --no-repair still shows every problem.
    if let Some(refusal) = report.refusal() {
        return Err(refusal.into());
    }
    let unresolved = report.unresolved();
    if unresolved > 0 {
        eprintln!(
            "{}: {unresolved} feature(s) with invalid geometry could not be repaired",
            report.layer.source
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
