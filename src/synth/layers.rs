//! The synthetic layers' schemas and features, and the small layers (zones, projects,
//! sites, prices) built in memory.

use chrono::NaiveDate;
use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::Defect;
use super::defects::plant_small_layer_defects;
use super::plan::Plan;
use super::rng::Rng;
use crate::io::crs::{Crs, CrsKind, LinearUnit};
use crate::model::{Feature, Field, FieldKind, Layer, Value};

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
        unit: Some(LinearUnit::metre()),
    }
}

fn field(name: &str, kind: FieldKind) -> Field {
    Field {
        name: name.into(),
        kind,
    }
}

pub(super) fn parcel_schema() -> Vec<Field> {
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

pub(super) fn building_schema() -> Vec<Field> {
    use FieldKind::*;
    vec![
        field("building_id", String),
        field("parcel_id", String),
        field("use", String),
        field("floors", Int),
        field("floor_area", Float),
    ]
}

pub(super) fn empty_layer(name: &str, schema: Vec<Field>) -> Layer {
    Layer {
        source: crate::model::SourceLabel::Memory(format!("{name}.geojson")),
        name: name.into(),
        crs: Some(synth_crs()),
        schema,
        features: Vec::new(),
    }
}

pub(super) fn polygon(ring: Vec<Coord>) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(LineString(ring), Vec::new())])
}

pub(super) fn push(layer: &mut Layer, ring: Vec<Coord>, attributes: Vec<Value>) {
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
pub(super) struct SmallLayers {
    pub(super) density_zones: Layer,
    pub(super) projects: Layer,
    pub(super) retained_sites: Layer,
    pub(super) land_prices: Layer,
}

/// Builds the small layers and plants their defects (`(kind index, target seed)`).
pub(super) fn small_layers(plan: &Plan, defects: &[(usize, usize)]) -> (SmallLayers, Vec<Defect>) {
    let mut zones = density_zones_layer(plan);
    let mut projects = projects_layer(plan);
    let found = plant_small_layer_defects(defects, &mut zones, &mut projects);
    (
        SmallLayers {
            density_zones: zones,
            projects,
            retained_sites: sites_layer(plan),
            land_prices: prices_layer(plan),
        },
        found,
    )
}

/// 密度分区: `zone_id, density_zone, metro_500m`.
fn density_zones_layer(plan: &Plan) -> Layer {
    use FieldKind::*;
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

    zones
}

/// 项目范围: `project_id, name, entered_plan_date, plan_approved, major_project`.
fn projects_layer(plan: &Plan) -> Layer {
    use FieldKind::*;
    let seed = plan.opts.seed;
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

    projects
}

/// 留用土地: `site_id, project_id, use, placement`.
fn sites_layer(plan: &Plan) -> Layer {
    use FieldKind::*;
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

    sites
}

/// 基准地价: `price_zone_id, price`.
fn prices_layer(plan: &Plan) -> Layer {
    use FieldKind::*;
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

    prices
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
