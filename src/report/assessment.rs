//! Outputs of `landpool assess`: `report.json` (every figure, for machines and `landpool
//! diff`), `parcels.csv`, `parcels.geojson` and `sites.geojson` (every parcel and site with
//! its status), `results.gpkg` or database tables (the same rows, see [`tables`]), and the
//! summary table printed for people.

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::io::gpkg::write_gpkg;
use crate::io::output_dir::StagedDir;
use crate::io::source::{LayerSource, redact_password};
use crate::io::write::{
    TableFormat, write_csv, write_json_pretty, write_table, write_table_geojson,
};
use crate::model::Layer;
use crate::project::{ParcelRow, ProjectReport, ProjectRun, SitingReport};
use crate::report::html::{Lang, REPORT_HTML, write_project_html};
use crate::report::tables;

pub use crate::report::summary::summary_table;

/// Where `landpool assess` writes a project's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// A folder: report.json, parcels.csv, parcels.geojson, sites.geojson and results.gpkg.
    Directory(PathBuf),
    /// One GeoPackage (`*.gpkg`) with the layers parcels, sites, project_summary and
    /// not_official_values.
    GeoPackage(PathBuf),
    /// Tables `<prefix>parcels`, `<prefix>sites`, ... in a database (`PG:…`; needs the
    /// `gdal` feature), created or replaced in one transaction.
    Database {
        /// The connection string.
        dsn: String,
        /// Prefix of the table names.
        prefix: String,
    },
}

impl OutputTarget {
    /// Reads `--out` as written: a `PG:…` (or other GDAL) connection string, a `.gpkg` file,
    /// or a folder. `prefix` names database tables (default `landpool_<project id>_`).
    pub fn parse(out: &str, prefix: Option<&str>, project_id: &str) -> OutputTarget {
        match LayerSource::parse(out) {
            LayerSource::Connection { dsn, .. } => OutputTarget::Database {
                dsn,
                prefix: prefix.map_or_else(|| default_table_prefix(project_id), str::to_string),
            },
            LayerSource::File { .. }
                if Path::new(out)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("gpkg")) =>
            {
                OutputTarget::GeoPackage(PathBuf::from(out))
            }
            LayerSource::File { .. } => OutputTarget::Directory(PathBuf::from(out)),
        }
    }
}

impl fmt::Display for OutputTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputTarget::Directory(p) | OutputTarget::GeoPackage(p) => {
                write!(f, "{}", p.display())
            }
            OutputTarget::Database { dsn, prefix } => {
                write!(f, "{} (tables {prefix}*)", redact_password(dsn))
            }
        }
    }
}

/// `landpool_<id>_` with the project id lower-cased and reduced to `[a-z0-9_]`, so that
/// database tables need no quoting and never replace an input table such as `parcels`.
pub fn default_table_prefix(project_id: &str) -> String {
    let id: String = project_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("landpool_{id}_")
}

/// Writes a project's results to a folder, a GeoPackage or a database (`lang`: the
/// language of a folder's report.html).
pub fn write_run(target: &OutputTarget, run: &ProjectRun, lang: Lang) -> Result<()> {
    match target {
        OutputTarget::Directory(dir) => write_outputs(dir, run, lang),
        OutputTarget::GeoPackage(path) => write_gpkg(path, &tables::project_tables(run)),
        OutputTarget::Database { dsn, prefix } => write_database(dsn, prefix, run),
    }
}

#[cfg(feature = "gdal")]
fn write_database(dsn: &str, prefix: &str, run: &ProjectRun) -> Result<()> {
    crate::io::ogr::write_tables(dsn, &tables::project_tables(run), prefix)
}

#[cfg(not(feature = "gdal"))]
fn write_database(dsn: &str, _prefix: &str, _run: &ProjectRun) -> Result<()> {
    Err(crate::Error::Usage(format!(
        "writing to {} needs a build with the `gdal` feature (cargo build --release \
         --features gdal); or write a GeoPackage (--out results.gpkg) and load it with ogr2ogr",
        redact_password(dsn)
    )))
}

/// Writes report.json, report.html (in `lang`), parcels.csv, parcels.geojson, sites.geojson
/// (when the project has sites) and results.gpkg (all tables in one GeoPackage) into the
/// folder `dir`, which is replaced as a whole ([`StagedDir`]): it holds the old run or this
/// one, never a mix.
pub fn write_outputs(dir: &Path, run: &ProjectRun, lang: Lang) -> Result<()> {
    write_outputs_with(dir, run, lang, None)
}

/// [`write_outputs`], plus the spatial tables (parcels, sites) as `<table>.<ext>` in
/// `format` (`assess --format parquet|fgb`), inside the same atomically replaced folder.
pub fn write_outputs_with(
    dir: &Path,
    run: &ProjectRun,
    lang: Lang,
    format: Option<TableFormat>,
) -> Result<()> {
    let staged = StagedDir::begin(dir)?;
    write_output_files(staged.path(), run, lang)?;
    if let Some(format) = format {
        for table in tables::project_tables(run).iter().filter(|t| t.spatial) {
            let file = format!("{}.{}", table.name, format.extension());
            write_table(&staged.path().join(file), table, format)?;
        }
    }
    staged.commit()
}

/// The files of [`write_outputs`], written into `dir`.
fn write_output_files(dir: &Path, run: &ProjectRun, lang: Lang) -> Result<()> {
    write_report_json(&dir.join("report.json"), &run.report)?;
    write_project_html(&dir.join(REPORT_HTML), run, lang)?;
    crate::report::xlsx::write_report_xlsx(
        &dir.join(crate::report::xlsx::REPORT_XLSX),
        &run.report,
    )?;
    write_parcels_csv(&dir.join("parcels.csv"), &run.report.parcels)?;
    let tables = tables::project_tables(run);
    for table in tables.iter().filter(|t| t.spatial) {
        write_table_geojson(&dir.join(format!("{}.geojson", table.name)), table)?;
    }
    write_gpkg(&dir.join(RESULTS_GPKG), &tables)
}

/// The GeoPackage `write_outputs` puts in the folder.
pub const RESULTS_GPKG: &str = "results.gpkg";

/// The project's retained-land sites with their placement, price and converted rights.
pub fn write_sites_geojson(path: &Path, layer: &Layer, siting: &SitingReport) -> Result<()> {
    write_table_geojson(path, &tables::sites_table(layer, siting))
}

/// The siting table: site, use, area, inside / outside area, status, price, converted rights
/// (2022) or the 2018 off-site base floor area.
pub fn siting_table(siting: &SitingReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Retained-land siting (required {} m², inside sites {} m², {} {} m²; on-site price {})",
        thousands(siting.fit.required_m2, 2),
        thousands(siting.fit.inside_m2, 2),
        if siting.fit.shortfall_m2 > 0.0 {
            "shortfall"
        } else {
            "surplus"
        },
        thousands(siting.fit.shortfall_m2.max(siting.fit.surplus_m2), 2),
        siting
            .price_onsite
            .map_or("unknown".to_string(), |p| format!(
                "{} yuan/m²",
                thousands(p, 2)
            ))
    );
    let _ = writeln!(
        s,
        "  {:<12} {:<14} {:>12} {:>12} {:>12} {:<11} {:>10} {:>14} {:>14} {:>14}",
        "site",
        "use",
        "area",
        "inside",
        "outside",
        "status",
        "price",
        "rights carried",
        "converted",
        "2018 base"
    );
    for r in &siting.sites {
        let _ = writeln!(
            s,
            "  {:<12} {:<14} {:>12} {:>12} {:>12} {:<11} {:>10} {:>14} {:>14} {:>14}",
            r.site_id,
            r.use_.as_deref().unwrap_or("-"),
            thousands(r.area_m2, 2),
            thousands(r.inside_m2, 2),
            thousands(r.outside_m2, 2),
            tables::placement_name(r.placement),
            r.price.map_or("-".to_string(), |p| thousands(p, 0)),
            thousands(r.onsite_rights_m2, 2),
            r.conversion
                .as_ref()
                .map_or("-".to_string(), |c| thousands(c.offsite_rights_m2, 2)),
            r.base_2018
                .as_ref()
                .map_or("-".to_string(), |b| thousands(b.base_floor_area_m2, 2)),
        );
    }
    s
}

/// The report as pretty JSON (keys in a fixed order: byte-identical for the same input).
pub fn write_report_json(path: &Path, report: &ProjectReport) -> Result<()> {
    write_json_pretty(path, report)
}

/// The columns of parcels.csv (and of report.xlsx's parcels sheet).
pub(crate) const PARCEL_COLUMNS: &[&str] = &[
    "parcel_id",
    "feature_index",
    "status",
    "reason",
    "tenure",
    "area_m2",
    "area_inside_m2",
    "counted_area_m2",
    "land_rights_coef",
    "zone_areas",
    "uncovered_m2",
    "floor_area_m2",
];

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// One row per parcel of the layer.
pub fn write_parcels_csv(path: &Path, rows: &[ParcelRow]) -> Result<()> {
    write_csv(
        path,
        PARCEL_COLUMNS,
        rows.iter().map(|r| {
            vec![
                r.parcel_id.clone(),
                r.feature_index.to_string(),
                tables::parcel_status_name(r),
                r.reason.clone().unwrap_or_default(),
                r.tenure.map(|t| t.to_string()).unwrap_or_default(),
                r.area_m2.to_string(),
                r.area_inside_m2.to_string(),
                opt(r.counted_area_m2),
                opt(r.land_rights_coef),
                tables::zone_cell(r),
                r.uncovered_m2.to_string(),
                r.floor_area_m2.to_string(),
            ]
        }),
    )
}

/// The parcel layer's geometries with the status columns.
pub fn write_parcels_geojson(path: &Path, layer: &Layer, rows: &[ParcelRow]) -> Result<()> {
    write_table_geojson(path, &tables::parcels_table(layer, rows))
}

/// `x` with `decimals` decimals and thousands separators (`-1,234.50`).
pub(crate) fn thousands(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}
