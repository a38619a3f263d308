//! Seeded, reproducible synthetic districts (parcels, buildings, density zones, projects,
//! retained-land sites, land prices) in EPSG:4547 near Guangming, Shenzhen.
//!
//! Every random decision is drawn from a self-contained SplitMix64 stream keyed by the
//! seed and the entity's lattice position, so the output is byte-identical for a seed
//! whatever the crate versions or thread count. Coordinates are rounded to millimetres.
//!
//! * [`generate`] builds a [`District`] in memory (tests, small districts);
//! * [`write_district`] writes one GeoJSON per layer plus `manifest.json`;
//! * [`write_synthetic_district`] streams the same files without holding the parcels in
//!   memory (million-parcel districts); its output is identical to
//!   `write_district(dir, &generate(opts))`.

mod parcels;
mod plan;
mod rng;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::crs::{Crs, CrsKind};
use crate::io::write::{
    CoordFormat, GeoJsonFeatureWriter, encode_geojson_feature, geojson_crs_name, write_atomic,
    write_geojson_layer, write_json_pretty,
};
use crate::layer::{Feature, Field, FieldKind, Layer, Value};

pub use plan::{CELL_SIZE_M, ORIGIN_X, ORIGIN_Y, TENURE_CLASSES, TenureClass};
pub use rng::Rng;

use parcels::{A_GRANT_DATE, A_TENURE_CODE, A_TENURE_NAME, A_TERM_YEARS, ParcelOut, parcel_id};
use plan::{Plan, ring_area};

/// Options of the generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthOptions {
    /// Approximate number of parcels (the lattice has about this many cells; merges and
    /// splits make the exact count vary slightly).
    pub parcels: usize,
    /// Number of project boundaries (项目范围).
    pub projects: usize,
    pub seed: u64,
    /// Number of deliberate defects to plant (listed in the manifest).
    pub defects: usize,
    /// Fraction of the district area (0–0.9) left without a density zone, next to the
    /// first project, to exercise the "adjacent zone" fallback.
    pub uncovered_zone_fraction: f64,
    /// Move project 2 so that it overlaps project 1.
    pub overlapping_projects: bool,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            parcels: 3000,
            projects: 2,
            seed: 20221,
            defects: 0,
            uncovered_zone_fraction: 0.0,
            overlapping_projects: false,
        }
    }
}

impl SynthOptions {
    /// Checks the options; errors are [`Error::Usage`].
    pub fn validate(&self) -> Result<()> {
        if self.parcels < 4 {
            return Err(Error::Usage(format!(
                "--parcels must be at least 4 (got {})",
                self.parcels
            )));
        }
        if self.parcels > 50_000_000 {
            return Err(Error::Usage(format!(
                "--parcels must be at most 50,000,000 (got {})",
                self.parcels
            )));
        }
        if self.projects > 99_999 {
            return Err(Error::Usage(format!(
                "--projects must be at most 99,999 (got {})",
                self.projects
            )));
        }
        // Projects need room: at least ~100 cells each.
        if self.projects > 0 && self.parcels / self.projects < 100 {
            return Err(Error::Usage(format!(
                "{} projects need at least {} parcels",
                self.projects,
                self.projects * 100
            )));
        }
        if !(0.0..=0.9).contains(&self.uncovered_zone_fraction) {
            return Err(Error::Usage(format!(
                "--uncovered-zone-fraction must be between 0 and 0.9 (got {})",
                self.uncovered_zone_fraction
            )));
        }
        if self.defects > self.parcels / 4 {
            return Err(Error::Usage(format!(
                "--defects must be at most a quarter of the parcels ({})",
                self.parcels / 4
            )));
        }
        Ok(())
    }
}

/// A generated district: six layers in EPSG:4547 and the manifest describing them.
#[derive(Debug, Clone)]
pub struct District {
    /// 宗地: `parcel_id, tenure_code, tenure_name, land_use, grant_date, term_years,
    /// legal_area, major_project`.
    pub parcels: Layer,
    /// 现状建筑: `building_id, parcel_id, use, floors, floor_area`.
    pub buildings: Layer,
    /// 密度分区: `zone_id, density_zone, metro_500m`.
    pub density_zones: Layer,
    /// 项目范围: `project_id, name, entered_plan_date, plan_approved, major_project`.
    pub projects: Layer,
    /// 留用土地: `site_id, project_id, use, placement`.
    pub retained_sites: Layer,
    /// 基准地价: `price_zone_id, price`.
    pub land_prices: Layer,
    pub manifest: Manifest,
}

impl District {
    /// The layers in file order, with their file names.
    pub fn layers(&self) -> [(&'static str, &Layer); 6] {
        [
            (LAYER_FILES[0], &self.parcels),
            (LAYER_FILES[1], &self.buildings),
            (LAYER_FILES[2], &self.density_zones),
            (LAYER_FILES[3], &self.projects),
            (LAYER_FILES[4], &self.retained_sites),
            (LAYER_FILES[5], &self.land_prices),
        ]
    }
}

/// File names written by [`write_district`] (plus `manifest.json`).
pub const LAYER_FILES: [&str; 6] = [
    "parcels.geojson",
    "buildings.geojson",
    "density_zones.geojson",
    "projects.geojson",
    "retained_sites.geojson",
    "land_prices.geojson",
];
pub const MANIFEST_FILE: &str = "manifest.json";

/// Coordinates are already rounded to millimetres: the shortest form prints them exactly.
const COORDS: CoordFormat = CoordFormat::Shortest;

/// `manifest.json`: what was generated, how, and which defects were planted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub synthetic: bool,
    pub options: SynthOptions,
    pub crs: String,
    /// `[min_x, min_y, max_x, max_y]` of the district rectangle.
    pub district_bounds: [f64; 4],
    pub district_area_m2: f64,
    pub cell_size_m: f64,
    /// Parcel lattice `[columns, rows]`.
    pub grid: [usize; 2],
    pub layers: Vec<ManifestLayer>,
    pub defects: Vec<Defect>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestLayer {
    pub name: String,
    pub file: String,
    pub features: usize,
}

/// One deliberate defect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// `self_intersecting_parcel`, `duplicate_parcel`, `unknown_tenure_code`,
    /// `missing_tenure_code`, `invalid_grant_date`, `density_zone_out_of_range`,
    /// `invalid_project_date`.
    pub kind: String,
    pub layer: String,
    /// 0-based feature position in the layer's file.
    pub index: usize,
    /// The feature's id attribute.
    pub id: String,
    pub description: String,
}

const DEFECT_KINDS: [&str; 7] = [
    "self_intersecting_parcel",
    "duplicate_parcel",
    "unknown_tenure_code",
    "missing_tenure_code",
    "invalid_grant_date",
    "density_zone_out_of_range",
    "invalid_project_date",
];

/// The CRS of every synthetic layer: CGCS2000 / 3-degree Gauss-Kruger CM 114E.
pub fn synth_crs() -> Crs {
    Crs {
        name: "EPSG:4547".into(),
        epsg: Some(4547),
        proj4: Some(
            "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs"
                .into(),
        ),
        kind: CrsKind::Projected,
    }
}

fn field(name: &str, kind: FieldKind) -> Field {
    Field {
        name: name.into(),
        kind,
    }
}

fn parcel_schema() -> Vec<Field> {
    use FieldKind::*;
    vec![
        field("parcel_id", String),
        field("tenure_code", String),
        field("tenure_name", String),
        field("land_use", String),
        field("grant_date", Date),
        field("term_years", Int),
        field("legal_area", Float),
        field("major_project", Bool),
    ]
}

fn building_schema() -> Vec<Field> {
    use FieldKind::*;
    vec![
        field("building_id", String),
        field("parcel_id", String),
        field("use", String),
        field("floors", Int),
        field("floor_area", Float),
    ]
}

fn empty_layer(name: &str, schema: Vec<Field>) -> Layer {
    Layer {
        source: crate::model::SourceLabel::Memory(format!("{name}.geojson")),
        name: name.into(),
        crs: Some(synth_crs()),
        schema,
        features: Vec::new(),
    }
}

fn polygon(ring: Vec<Coord>) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(LineString(ring), Vec::new())])
}

fn push(layer: &mut Layer, ring: Vec<Coord>, attributes: Vec<Value>) {
    let key = attributes.first().and_then(Value::as_text);
    let index = layer.features.len();
    layer.features.push(Feature {
        index,
        key,
        geometry: polygon(ring),
        attributes,
    });
}

/// Chinese numeral for 1–999 (项目一, 项目十二, 项目一百零五); Arabic digits beyond.
fn chinese_number(n: usize) -> String {
    if n > 999 {
        return n.to_string();
    }
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let (h, t, u) = (n / 100 % 10, n / 10 % 10, n % 10);
    let mut s = String::new();
    if h > 0 {
        s.push_str(D[h]);
        s.push('百');
    }
    if t > 0 {
        if !(h == 0 && t == 1) {
            s.push_str(D[t]);
        }
        s.push('十');
    } else if h > 0 && u > 0 {
        s.push('零');
    }
    if u > 0 || n == 0 {
        s.push_str(D[u]);
    }
    s
}

/// Everything except parcels and buildings (small layers, built in memory).
struct SmallLayers {
    density_zones: Layer,
    projects: Layer,
    retained_sites: Layer,
    land_prices: Layer,
}

fn small_layers(plan: &Plan, defects: &[(usize, usize)]) -> (SmallLayers, Vec<Defect>) {
    use FieldKind::*;
    let seed = plan.opts.seed;
    let mut found = Vec::new();

    let mut zones = empty_layer(
        "density_zones",
        vec![
            field("zone_id", String),
            field("density_zone", Int),
            field("metro_500m", Bool),
        ],
    );
    for z in plan.density_zones() {
        let id = format!("Z{:05}", z.j * plan.zones.nx + z.i + 1);
        push(
            &mut zones,
            z.ring,
            vec![
                Value::Str(id),
                Value::Int(z.density),
                Value::Bool(z.metro_500m),
            ],
        );
    }

    let mut projects = empty_layer(
        "projects",
        vec![
            field("project_id", String),
            field("name", String),
            field("entered_plan_date", Date),
            field("plan_approved", Bool),
            field("major_project", Bool),
        ],
    );
    const SUBDISTRICTS: [&str; 6] = ["凤凰", "玉塘", "马田", "公明", "新湖", "光明"];
    for (p, shape) in plan.projects.iter().enumerate() {
        let mut r = Rng::keyed(seed, 100, p as u64, 0);
        let days = r.int(0, 7 * 365 - 1);
        let approved_draw = r.chance(if days < 5 * 365 { 0.6 } else { 0.2 });
        // The first project is a recent one (entered the annual plan in 2026, plan not yet
        // approved), so that every district has a project the 2022 draft rules can assess;
        // the others spread over 2019–2025 and mostly fall under the 2018 rules.
        let (days, approved) = if p == 0 {
            (7 * 365 + 40 + days % 90, false)
        } else {
            (days, approved_draw)
        };
        let date = NaiveDate::from_ymd_opt(2019, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(days as u64)));
        let name = format!(
            "光明{}片区土地整备利益统筹项目{}",
            SUBDISTRICTS[p % SUBDISTRICTS.len()],
            chinese_number(p + 1)
        );
        push(
            &mut projects,
            shape.ring.clone(),
            vec![
                Value::Str(format!("GM-{:03}", p + 1)),
                Value::Str(name),
                date.map_or(Value::Null, Value::Date),
                Value::Bool(approved),
                Value::Bool(r.chance(0.2)),
            ],
        );
    }

    let mut sites = empty_layer(
        "retained_sites",
        vec![
            field("site_id", String),
            field("project_id", String),
            field("use", String),
            field("placement", String),
        ],
    );
    for s in plan.retained_sites() {
        let project_id = format!("GM-{:03}", s.project + 1);
        push(
            &mut sites,
            s.ring,
            vec![
                Value::Str(format!("{project_id}-S{}", s.number)),
                Value::Str(project_id),
                Value::Str(s.land_use.into()),
                Value::Str(s.placement.as_str().into()),
            ],
        );
    }

    let mut prices = empty_layer(
        "land_prices",
        vec![field("price_zone_id", String), field("price", Int)],
    );
    for (k, (ring, price)) in plan.price_zones().into_iter().enumerate() {
        push(
            &mut prices,
            ring,
            vec![Value::Str(format!("LP{:03}", k + 1)), Value::Int(price)],
        );
    }

    // Defects on the small layers.
    for &(kind, target) in defects {
        match DEFECT_KINDS[kind] {
            "density_zone_out_of_range" if !zones.features.is_empty() => {
                let k = target % zones.features.len();
                let f = &mut zones.features[k];
                f.attributes[1] = Value::Int(7);
                found.push(Defect {
                    kind: DEFECT_KINDS[kind].into(),
                    layer: "density_zones".into(),
                    index: k,
                    id: f.key.clone().unwrap_or_default(),
                    description: "density_zone = 7 (valid classes are 1–5)".into(),
                });
            }
            "invalid_project_date" if !projects.features.is_empty() => {
                let k = target % projects.features.len();
                let f = &mut projects.features[k];
                f.attributes[2] = Value::Str("2022-13-01".into());
                found.push(Defect {
                    kind: DEFECT_KINDS[kind].into(),
                    layer: "projects".into(),
                    index: k,
                    id: f.key.clone().unwrap_or_default(),
                    description: "entered_plan_date = \"2022-13-01\" (no month 13)".into(),
                });
            }
            _ => {}
        }
    }
    (
        SmallLayers {
            density_zones: zones,
            projects,
            retained_sites: sites,
            land_prices: prices,
        },
        found,
    )
}

/// The defects to plant: `(kind index, target seed)`; parcel targets are resolved to
/// distinct parcel ordinals.
struct DefectPlan {
    small: Vec<(usize, usize)>,
    /// (kind index, parcel ordinal), sorted by ordinal.
    parcels: Vec<(usize, usize)>,
}

fn plan_defects(plan: &Plan, parcel_count: usize) -> DefectPlan {
    let mut small = Vec::new();
    let mut on_parcels = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for d in 0..plan.opts.defects {
        let mut kind = d % DEFECT_KINDS.len();
        let mut r = Rng::keyed(plan.opts.seed, plan::P_DEFECT, d as u64, 0);
        let target = r.next_u64() as usize;
        if kind == 6 && plan.projects.is_empty() {
            kind = 2;
        }
        if kind >= 5 {
            small.push((kind, target));
            continue;
        }
        let mut ordinal = target % parcel_count.max(1);
        while !used.insert(ordinal) {
            ordinal = (ordinal + 1) % parcel_count.max(1);
        }
        on_parcels.push((kind, ordinal));
    }
    on_parcels.sort_by_key(|&(_, o)| o);
    DefectPlan {
        small,
        parcels: on_parcels,
    }
}

/// Applies a parcel defect; returns the duplicate to append for `duplicate_parcel`.
fn apply_parcel_defect(
    kind: usize,
    p: &mut ParcelOut,
    duplicate_ordinal: usize,
    found: &mut Vec<Defect>,
) -> Option<ParcelOut> {
    let id = parcel_id(p.ordinal);
    let mut defect = |description: String, index: usize, id: String| {
        found.push(Defect {
            kind: DEFECT_KINDS[kind].into(),
            layer: "parcels".into(),
            index,
            id,
            description,
        })
    };
    match DEFECT_KINDS[kind] {
        "self_intersecting_parcel" => {
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for c in &p.ring {
                (x0, y0, x1, y1) = (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y));
            }
            let (a, b, c, d) = (
                Coord { x: x0, y: y0 },
                Coord { x: x1, y: y1 },
                Coord { x: x1, y: y0 },
                Coord { x: x0, y: y1 },
            );
            p.ring = vec![a, b, c, d, a];
            defect(
                "bow-tie ring over the parcel's bounding box (self-intersection)".into(),
                p.ordinal,
                id,
            );
            None
        }
        "duplicate_parcel" => {
            let mut dup = p.clone();
            dup.ordinal = duplicate_ordinal;
            dup.building = None;
            dup.encoded = None;
            let dup_id = parcel_id(duplicate_ordinal);
            dup.attrs[0] = Value::Str(dup_id.clone());
            defect(
                format!("same geometry and attributes as {id} (overlaps it completely)"),
                duplicate_ordinal,
                dup_id,
            );
            Some(dup)
        }
        "unknown_tenure_code" => {
            p.attrs[A_TENURE_CODE] = Value::Str("XXQT".into());
            p.attrs[A_TENURE_NAME] = Value::Str("未知权属".into());
            defect(
                "tenure_code \"XXQT\" is not in the code table".into(),
                p.ordinal,
                id,
            );
            None
        }
        "missing_tenure_code" => {
            p.attrs[A_TENURE_CODE] = Value::Null;
            defect("tenure_code is null".into(), p.ordinal, id);
            None
        }
        _ => {
            // invalid_grant_date
            p.attrs[A_TENURE_CODE] = Value::Str(TENURE_CLASSES[plan::GYCR].code.into());
            p.attrs[A_TENURE_NAME] = Value::Str(TENURE_CLASSES[plan::GYCR].name.into());
            p.attrs[A_GRANT_DATE] = Value::Str("2015-02-30".into());
            if p.attrs[A_TERM_YEARS].is_null() {
                p.attrs[A_TERM_YEARS] = Value::Int(50);
            }
            defect(
                "GYCR parcel with grant_date \"2015-02-30\" (no such day)".into(),
                p.ordinal,
                id,
            );
            None
        }
    }
}

/// Streams all parcels with their defects applied (duplicates appended at the end).
/// Returns the parcel defects in file order.
fn stream_parcels<P, F>(plan: &Plan, prepare: P, mut sink: F) -> Result<Vec<Defect>>
where
    P: Fn(&mut ParcelOut) + Sync,
    F: FnMut(&ParcelOut) -> Result<()>,
{
    let count: usize = plan.row_counts().iter().sum();
    let defects = plan_defects(plan, count);
    let mut found = Vec::new();
    let mut duplicates = Vec::new();
    let mut next = defects.parcels.iter().peekable();
    plan.for_each_parcel(prepare, |mut p| {
        while let Some(&&(kind, ordinal)) = next.peek() {
            if ordinal != p.ordinal {
                break;
            }
            next.next();
            // The parallel stage's encoding is stale once a defect changes the parcel.
            p.encoded = None;
            let dup_ordinal = count + duplicates.len();
            if let Some(dup) = apply_parcel_defect(kind, &mut p, dup_ordinal, &mut found) {
                duplicates.push(dup);
            }
        }
        sink(&p)
    })?;
    for d in &duplicates {
        sink(d)?;
    }
    Ok(found)
}

fn manifest(plan: &Plan, layers: &[(&str, &str, usize)], defects: Vec<Defect>) -> Manifest {
    let b = plan.bounds();
    Manifest {
        generator: "landpool synth".into(),
        synthetic: true,
        options: plan.opts.clone(),
        crs: "EPSG:4547".into(),
        district_bounds: b,
        district_area_m2: (b[2] - b[0]) * (b[3] - b[1]),
        cell_size_m: CELL_SIZE_M,
        grid: [plan.parcels.nx, plan.parcels.ny],
        layers: layers
            .iter()
            .map(|(name, file, n)| ManifestLayer {
                name: (*name).into(),
                file: (*file).into(),
                features: *n,
            })
            .collect(),
        defects,
    }
}

/// Generates a district in memory. Errors only for invalid options.
pub fn generate(opts: &SynthOptions) -> Result<District> {
    opts.validate()?;
    let plan = Plan::new(opts);
    let mut parcels = empty_layer("parcels", parcel_schema());
    let mut buildings = empty_layer("buildings", building_schema());
    let mut found = stream_parcels(
        &plan,
        |_| {},
        |p| {
            push(&mut parcels, p.ring.clone(), p.attrs.clone());
            if let Some((ring, attrs)) = &p.building {
                push(&mut buildings, ring.clone(), attrs.clone());
            }
            Ok(())
        },
    )?;
    let count: usize = plan.row_counts().iter().sum();
    let (small, small_defects) = small_layers(&plan, &plan_defects(&plan, count).small);
    found.extend(small_defects);
    let all = [
        &parcels,
        &buildings,
        &small.density_zones,
        &small.projects,
        &small.retained_sites,
        &small.land_prices,
    ];
    let entries: Vec<(&str, &str, usize)> = all
        .iter()
        .zip(LAYER_FILES)
        .map(|(l, f)| (l.name.as_str(), f, l.features.len()))
        .collect();
    let manifest = manifest(&plan, &entries, found);
    Ok(District {
        parcels,
        buildings,
        density_zones: small.density_zones,
        projects: small.projects,
        retained_sites: small.retained_sites,
        land_prices: small.land_prices,
        manifest,
    })
}

/// Writes a district: one GeoJSON per layer (see [`LAYER_FILES`]) and `manifest.json`,
/// each atomically. Creates `dir` if needed. Returns the paths written.
pub fn write_district(dir: &Path, district: &District) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for (file, layer) in district.layers() {
        let path = dir.join(file);
        write_geojson_layer(&path, layer, None)?;
        written.push(path);
    }
    let path = dir.join(MANIFEST_FILE);
    write_json_pretty(&path, &district.manifest)?;
    written.push(path);
    Ok(written)
}

/// Generates and writes a district without holding parcels or buildings in memory; the
/// files are identical to `write_district(dir, &generate(opts)?)`.
pub fn write_synthetic_district(dir: &Path, opts: &SynthOptions) -> Result<Manifest> {
    opts.validate()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let plan = Plan::new(opts);
    let crs = geojson_crs_name(&synth_crs());
    let crs = crs.as_deref();
    let (parcels_path, buildings_path) = (dir.join(LAYER_FILES[0]), dir.join(LAYER_FILES[1]));
    let parcel_fields = parcel_schema();
    let building_fields = building_schema();
    let mut counts = (0, 0);
    let mut found = Vec::new();
    write_atomic(&parcels_path, |pw: &mut BufWriter<File>| {
        write_atomic(&buildings_path, |bw: &mut BufWriter<File>| {
            let mut pf = GeoJsonFeatureWriter::begin(pw, &parcels_path, "parcels", crs, COORDS)?;
            let mut bf =
                GeoJsonFeatureWriter::begin(bw, &buildings_path, "buildings", crs, COORDS)?;
            let names = |fields: &[Field]| -> Vec<String> {
                fields.iter().map(|f| f.name.clone()).collect()
            };
            let (parcel_names, building_names) = (names(&parcel_fields), names(&building_fields));
            let encode =
                |p: &ParcelOut| -> std::result::Result<(Vec<u8>, Option<Vec<u8>>), String> {
                    let mut parcel = Vec::with_capacity(512);
                    let props = parcel_names.iter().map(String::as_str).zip(&p.attrs);
                    encode_geojson_feature(&mut parcel, &polygon(p.ring.clone()), props, COORDS)?;
                    let building = match &p.building {
                        Some((ring, attrs)) => {
                            let mut b = Vec::with_capacity(384);
                            let props = building_names.iter().map(String::as_str).zip(attrs);
                            encode_geojson_feature(&mut b, &polygon(ring.clone()), props, COORDS)?;
                            Some(b)
                        }
                        None => None,
                    };
                    Ok((parcel, building))
                };
            // Encoding runs in the parallel stage; a failure there (impossible for finite
            // synthetic coordinates) is reported by re-encoding in the sink.
            let prepare = |p: &mut ParcelOut| p.encoded = encode(p).ok();
            found = stream_parcels(&plan, prepare, |p| {
                let owned;
                let (parcel, building) = match &p.encoded {
                    Some((parcel, building)) => (parcel, building),
                    None => {
                        owned = encode(p).map_err(|message| Error::Feature {
                            path: parcels_path.clone(),
                            feature: parcel_id(p.ordinal),
                            message,
                        })?;
                        (&owned.0, &owned.1)
                    }
                };
                pf.write_encoded(parcel)?;
                if let Some(b) = building {
                    bf.write_encoded(b)?;
                }
                Ok(())
            })?;
            counts = (pf.count(), bf.count());
            bf.finish()?;
            pf.finish()?;
            Ok(())
        })
    })?;
    let count: usize = plan.row_counts().iter().sum();
    let (small, small_defects) = small_layers(&plan, &plan_defects(&plan, count).small);
    found.extend(small_defects);
    let small_layers = [
        &small.density_zones,
        &small.projects,
        &small.retained_sites,
        &small.land_prices,
    ];
    for (layer, file) in small_layers.iter().zip(&LAYER_FILES[2..]) {
        write_geojson_layer(&dir.join(file), layer, None)?;
    }
    let mut entries = vec![
        ("parcels", LAYER_FILES[0], counts.0),
        ("buildings", LAYER_FILES[1], counts.1),
    ];
    for (layer, file) in small_layers.iter().zip(&LAYER_FILES[2..]) {
        entries.push((layer.name.as_str(), file, layer.features.len()));
    }
    let manifest = manifest(&plan, &entries, found);
    write_json_pretty(&dir.join(MANIFEST_FILE), &manifest)?;
    Ok(manifest)
}

/// Sum of the planar (shoelace) areas of a layer's polygons in m², holes subtracted.
pub fn layer_area(layer: &Layer) -> f64 {
    layer
        .features
        .iter()
        .flat_map(|f| f.geometry.0.iter())
        .map(|p| {
            ring_area(&p.exterior().0) - p.interiors().iter().map(|r| ring_area(&r.0)).sum::<f64>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(105), "一百零五");
        assert_eq!(chinese_number(110), "一百一十");
    }
}
