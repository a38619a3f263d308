//! `landpool inspect`: what is in a layer (CRS, count, extent, area, schema) and what is wrong
//! with its geometries.

use std::process::ExitCode;

use std::io::Write;

use anyhow::Context;
use geo::{BoundingRect, Rect};
use serde_json::json;

use landpool::geom::validity::{self, RepairReport};
use landpool::io::crs::{self, Crs};
use landpool::io::{LayerSource, ReadOptions, read_source};
use landpool::{FieldKind, Layer};

const AFTER_HELP: &str = "\
Exit codes:
  0  the layer was read and has no invalid geometry left (after --repair, if given)
  1  input problem: unreadable file, bad CRS, or invalid geometries that are not repaired
     (the report is still printed)
  2  usage error (bad option or argument)

Areas are computed only in a projected CRS and are always m²: a layer in feet (or any other
linear unit) is converted to metres for measuring. A geographic layer needs --to-crs; a layer
without CRS needs --crs; Web Mercator and plate carrée need --to-crs (or
--allow-distorted-areas).

Examples:
  # GBK shapefile in the Shenzhen local plane system (no .prj, no .cpg):
  landpool inspect qu.shp --encoding gbk --crs local --id-field JDNAME
  # DataV/AutoNavi GeoJSON (GCJ-02 lon/lat) measured in CGCS2000 / GK CM 114E:
  landpool inspect 440300_full.json --crs gcj02 --to-crs EPSG:4547 --id-field name
  # One layer of a GeoPackage:
  landpool inspect district.gpkg:parcels --id-field parcel_id
  # Find and repair self-intersecting polygons, machine-readable:
  landpool inspect buildings.geojson --repair --json";

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
    /// Shapefile attribute encoding when there is no .cpg (gbk, gb18030, utf-8, latin1).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Attribute used as each feature's id in messages.
    #[arg(long = "id-field", value_name = "FIELD")]
    pub id_field: Option<String>,
    /// Measure areas even in a CRS with large scale error (Web Mercator, plate carrée),
    /// which are otherwise refused.
    #[arg(long = "allow-distorted-areas")]
    pub allow_distorted_areas: bool,
    /// Repair invalid geometries (MakeValid) and report area before/after.
    #[arg(long)]
    pub repair: bool,
    /// List every feature with its area and attributes (for small layers).
    #[arg(long)]
    pub features: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Bool => "bool",
        FieldKind::Int => "int",
        FieldKind::Float => "float",
        FieldKind::Date => "date",
        FieldKind::String => "string",
        FieldKind::Mixed => "mixed",
    }
}

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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let assume_crs = args.crs.as_deref().map(Crs::parse).transpose()?;
    let to_crs = args.to_crs.as_deref().map(Crs::parse).transpose()?;
    let opts = ReadOptions {
        encoding: args.encoding.clone(),
        assume_crs,
        key_field: args.id_field.clone(),
    };
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
    let mut layer = read_source(&source, &opts)?;
    let declared_crs = layer.crs.clone();
    if let Some(to) = &to_crs {
        crs::reproject_layer(&mut layer, to).with_context(|| format!("reprojecting {source}"))?;
    }
    let problems = validity::validate_layer(&layer);
    let mut repair = if args.repair {
        Some(validity::repair_layer(&mut layer))
    } else {
        None
    };
    // The layer as the file has it (or as --to-crs made it): CRS, unit and extent shown.
    let bbox = layer_bbox(&layer);
    let native_crs = layer.crs.clone();
    // Areas only in a projected CRS, in m² (a layer in feet is converted to metres here);
    // otherwise say why (the message of prepare_for_areas).
    let area_options = crs::AreaOptions {
        target: None,
        allow_distorted: args.allow_distorted_areas,
    };
    let area_refusal = crs::prepare_for_areas_with(&mut layer, area_options)
        .err()
        .map(|e| e.to_string());
    // Repairs were measured in the layer's own unit: their areas in m² too.
    if let (Some(r), Some(m)) = (
        &mut repair,
        native_crs.as_ref().and_then(Crs::metres_per_unit),
    ) && area_refusal.is_none()
    {
        for x in &mut r.repaired {
            x.area_before *= m * m;
            x.area_after *= m * m;
        }
    }
    let areas: Option<Vec<f64>> = area_refusal.is_none().then(|| {
        layer
            .features
            .iter()
            .map(|f| validity::unsigned_area(&f.geometry))
            .collect()
    });
    let total_area: Option<f64> = areas.as_ref().map(|a| a.iter().sum());
    let problem_features = {
        let mut v: Vec<usize> = problems.iter().map(|p| p.feature.index).collect();
        v.dedup();
        v.len()
    };
    let unresolved = match &repair {
        None => problem_features,
        Some(r) => r.unusable.len(),
    };

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let report = json!({
            "layer": layer.source.to_string(),
            "name": layer.name,
            "crs": native_crs,
            "declared_crs": declared_crs,
            "feature_count": layer.features.len(),
            "bbox": bbox.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
            "total_area_m2": total_area,
            "area_not_computed_because": area_refusal,
            "schema": layer.schema,
            "problems": problems,
            "repairs": repair.as_ref().map(|r: &RepairReport| &r.repaired),
            "unusable": repair.as_ref().map(|r| &r.unusable),
            "features": args.features.then(|| {
                layer.features.iter().enumerate().map(|(i, f)| {
                    let attrs: serde_json::Map<String, serde_json::Value> = layer
                        .schema
                        .iter()
                        .zip(&f.attributes)
                        .map(|(fld, v)| (fld.name.clone(), serde_json::to_value(v).unwrap_or_default()))
                        .collect();
                    json!({
                        "ref": layer.feature_ref(f).to_string(),
                        "index": f.index,
                        "key": f.key,
                        "area_m2": areas.as_ref().and_then(|a| a.get(i)),
                        "attributes": attrs,
                    })
                }).collect::<Vec<_>>()
            }),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(out, "layer:    {}", layer.source)?;
        match &native_crs {
            Some(c) => writeln!(out, "CRS:      {c} — {}", c.kind_description())?,
            None => writeln!(out, "CRS:      none declared")?,
        }
        if to_crs.is_some()
            && let Some(d) = &declared_crs
        {
            writeln!(out, "          (reprojected from {d})")?;
        }
        writeln!(out, "features: {}", layer.features.len())?;
        match bbox {
            Some(r) => writeln!(
                out,
                "bbox:     {:.6} {:.6} {:.6} {:.6}",
                r.min().x,
                r.min().y,
                r.max().x,
                r.max().y
            )?,
            None => writeln!(out, "bbox:     (no coordinates)")?,
        }
        match (total_area, &area_refusal) {
            (Some(a), _) => {
                writeln!(out, "area:     {a:.3} m² ({:.6} km²)", a / 1e6)?;
                if let Some(c) = native_crs.as_ref().filter(|c| c.has_non_metre_unit()) {
                    writeln!(
                        out,
                        "          (coordinates in {}, converted to metres for areas)",
                        c.unit
                            .as_ref()
                            .map_or("a non-metre unit", |u| u.name.as_str())
                    )?;
                }
            }
            (None, Some(why)) => writeln!(out, "area:     not computed: {why}")?,
            (None, None) => {}
        }
        writeln!(out, "schema:   {} field(s)", layer.schema.len())?;
        for f in &layer.schema {
            writeln!(out, "  {:<20} {}", f.name, kind_name(f.kind))?;
        }
        writeln!(
            out,
            "geometry problems: {} in {} feature(s)",
            problems.len(),
            problem_features
        )?;
        for p in &problems {
            writeln!(out, "  {}: {}", p.feature, p.message)?;
        }
        if let Some(r) = &repair {
            writeln!(out, "repairs:  {}", r.repaired.len())?;
            for x in &r.repaired {
                writeln!(
                    out,
                    "  {}: area {:.3} → {:.3} ({})",
                    x.feature, x.area_before, x.area_after, x.problem
                )?;
            }
            writeln!(out, "unusable: {}", r.unusable.len())?;
            for u in &r.unusable {
                writeln!(out, "  {}: {}", u.feature, u.reason)?;
            }
        }
        if args.features {
            writeln!(out, "features:")?;
            for (i, f) in layer.features.iter().enumerate() {
                let area = areas
                    .as_ref()
                    .and_then(|a| a.get(i))
                    .map_or_else(|| "-".to_string(), |a| format!("{a:.3}"));
                let attrs: Vec<String> = layer
                    .schema
                    .iter()
                    .zip(&f.attributes)
                    .map(|(fld, v)| format!("{}={v}", fld.name))
                    .collect();
                writeln!(
                    out,
                    "  {}: area {area}; {}",
                    layer.feature_ref(f),
                    attrs.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    if unresolved > 0 {
        eprintln!(
            "{}: {unresolved} feature(s) with invalid geometry{}",
            layer.source,
            if args.repair {
                " could not be repaired"
            } else {
                "; rerun with --repair to fix them"
            }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
