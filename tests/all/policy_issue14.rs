//! Regressions for the "Wrong" items of issue 14, each built from real layers (GeoJSON files
//! written to a temporary folder) and run through `assess` (read → measure → policy → report).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use landpool::policy::Severity;
use landpool::project::measure::FallbackBasis;
use landpool::project::{Computation, ParcelStatus, ProjectRun, assess_project_file};
use serde_json::{Value, json};

/// A rectangle `[x0, y0] – [x1, y1]` (metres, EPSG:4547 near Guangming) as a GeoJSON ring.
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    let (x0, y0, x1, y1) = (
        490_000.0 + x0,
        2_515_000.0 + y0,
        490_000.0 + x1,
        2_515_000.0 + y1,
    );
    json!({ "type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] })
}

/// Writes a GeoJSON layer of `(properties, geometry)` features.
fn write_layer(dir: &Path, name: &str, features: &[(Value, Value)]) {
    let features: Vec<Value> = features
        .iter()
        .map(|(p, g)| json!({ "type": "Feature", "properties": p, "geometry": g }))
        .collect();
    let fc = json!({
        "type": "FeatureCollection",
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::4547" } },
        "features": features,
    });
    std::fs::write(dir.join(format!("{name}.geojson")), fc.to_string()).unwrap();
}

/// A parcel feature: id, tenure code (the sample's code table) and geometry.
fn parcel(id: &str, code: &str, geometry: Value) -> (Value, Value) {
    (
        json!({
            "parcel_id": id, "tenure_code": code, "land_use": "residential",
            "grant_date": if code == "GYCR" { json!("2000-01-01") } else { Value::Null },
            "term_years": Value::Null, "legal_area": Value::Null, "major_project": false,
        }),
        geometry,
    )
}

/// A density-zone feature.
fn zone(number: u8, geometry: Value) -> (Value, Value) {
    (
        json!({ "density_zone": number, "metro_500m": false }),
        geometry,
    )
}

/// A project folder: the layers are written by the caller; this writes the boundary and
/// `project.toml` (`rules` = "new" or "rules_2018"; `extra` is appended, e.g. layers).
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Boundary `rect`, project file with the given rule choice, plan and extra layers.
    fn project(&self, boundary: Value, rules: &str, plan: &str, layers: &[&str]) -> PathBuf {
        write_layer(
            self.path(),
            "boundary",
            &[(
                json!({ "project_id": "T-1", "entered_plan_date": "2019-03-01",
                        "plan_approved": rules == "rules_2018", "major_project": false }),
                boundary,
            )],
        );
        let root = env!("CARGO_MANIFEST_DIR");
        let mut text = format!(
            r#"[project]
id = "T-1"
name = "issue 14 regression"
assessment_date = 2026-06-30
rules = "{rules}"

[rule_sets]
new = "{root}/data/rules/shenzhen-2022-draft.toml"
rules_2018 = "{root}/data/rules/shenzhen-2018.toml"

[layers]
parcels = "parcels.geojson"
boundary = "boundary.geojson"
density_zones = "density_zones.geojson"
"#
        );
        for l in layers {
            writeln!(text, "{l} = \"{l}.geojson\"").unwrap();
        }
        text.push_str(
            r#"
[tenure]
[[tenure.rules]]
field = "tenure_code"
codes = { FNGS = "collective_nonagri_commercial", FNGY = "collective_nonagri_industrial", WWS = "unfinished_requisition", ZDFH = "requisition_return", JWC = "old_village", YZWC = "requisitioned_ungranted", GYCR = "state_granted", GYCB = "state_reserve" }
"#,
        );
        text.push_str(plan);
        let path = self.path().join("project.toml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// The 2022 plan of the sample, with the given retained use and planned FAR.
fn plan_2022(retained_use: &str, planned_far: f64, extra: &str) -> String {
    format!(
        r#"
[plan]
function_mix = [
  {{ use_id = "market_housing", share = 0.8 }},
  {{ use_id = "shared_ownership_housing", share = 0.2 }},
]
facilities = [{{ name = "kindergarten", floor_area_m2 = 4500 }}]
shared_ratio = 0.15
shared_disposition = "A"
planned_far = {planned_far}
retained_use = "{retained_use}"
retained_zone = 3
{extra}
"#
    )
}

/// The 2018 plan (retained-land area as an input).
const PLAN_2018: &str = r#"
[plan]
function_mix = [{ use_id = "market_housing", share = 1.0 }]
shared_ratio = 0.0
shared_disposition = "A"
planned_far = 3.0
retained_use = "residential"
retained_zone = 3

[plan_2018]
retained_land_area_m2 = 10000
plot_far = 3.2
shared_ratio = 0.1
"#;

fn run(path: &Path) -> ProjectRun {
    assess_project_file(path).unwrap_or_else(|e| panic!("assess: {e}"))
}

fn row<'a>(run: &'a ProjectRun, id: &str) -> &'a landpool::project::ParcelRow {
    run.report
        .parcels
        .iter()
        .find(|r| r.parcel_id == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

/// Issue 14: state-granted and state-reserve land is outside 6号文's scope: reported as
/// excluded with the reason, never "counted", in 2018 runs.
#[test]
fn scope_2018_excludes_state_granted_and_state_reserve_land() {
    let fx = Fixture::new();
    write_layer(
        fx.path(),
        "parcels",
        &[
            parcel("U1", "WWS", rect(0.0, 0.0, 100.0, 50.0)),
            parcel("G1", "GYCR", rect(100.0, 0.0, 150.0, 50.0)),
            parcel("R1", "GYCB", rect(150.0, 0.0, 200.0, 50.0)),
        ],
    );
    write_layer(
        fx.path(),
        "density_zones",
        &[zone(3, rect(-10.0, -10.0, 210.0, 60.0))],
    );
    let project = fx.project(rect(0.0, 0.0, 200.0, 50.0), "rules_2018", PLAN_2018, &[]);
    let run = run(&project);
    let Computation::Rules2018(a) = &run.report.computation else {
        panic!("the 2018 rules were asked for");
    };
    assert!(
        a.eligible,
        "5000 m² of contiguous unfinished requisition land"
    );
    assert_eq!(a.counted_parcels, vec!["U1".to_string()]);
    assert_eq!(row(&run, "U1").status, ParcelStatus::Counted);
    for id in ["G1", "R1"] {
        let r = row(&run, id);
        assert_eq!(r.status, ParcelStatus::Excluded, "{id}");
        assert_eq!(r.counted_area_m2, None, "{id}");
        assert!(
            r.reason
                .as_deref()
                .unwrap_or("")
                .contains("scope of the 2018 rules"),
            "{id}: {:?}",
            r.reason
        );
    }
}

/// Issue 14: the ≥ 3000 m² contiguity test of the 2018 rules counts only the planned
/// construction land (规划建设用地) of the unfinished-requisition parcels. Two separate
/// 1,000 m² strips of it inside 40,000 m² of such parcels: 1,000 m² contiguous, not eligible.
#[test]
fn contiguity_2018_counts_only_planned_construction_land() {
    let fx = Fixture::new();
    write_layer(
        fx.path(),
        "parcels",
        &[
            parcel("U1", "WWS", rect(0.0, 0.0, 100.0, 200.0)),
            parcel("U2", "WWS", rect(100.0, 0.0, 200.0, 200.0)),
        ],
    );
    write_layer(
        fx.path(),
        "density_zones",
        &[zone(3, rect(-10.0, -10.0, 210.0, 210.0))],
    );
    // Both strips lie in U1; 80 m apart.
    write_layer(
        fx.path(),
        "planned_construction_land",
        &[
            (json!({ "name": "a" }), rect(0.0, 0.0, 10.0, 100.0)),
            (json!({ "name": "b" }), rect(90.0, 100.0, 100.0, 200.0)),
        ],
    );
    let project = fx.project(
        rect(0.0, 0.0, 200.0, 200.0),
        "rules_2018",
        PLAN_2018,
        &["planned_construction_land"],
    );
    let run = run(&project);
    let Computation::Rules2018(a) = &run.report.computation else {
        panic!("the 2018 rules were asked for");
    };
    let mut areas = run
        .report
        .measurement
        .contiguous_unfinished_areas_m2
        .clone();
    areas.sort_by(f64::total_cmp);
    assert_eq!(areas.len(), 2, "{areas:?}");
    for a in &areas {
        assert!((a - 1_000.0).abs() < 1e-6, "{areas:?}");
    }
    assert!((a.largest_contiguous_area_m2 - 1_000.0).abs() < 1e-6);
    assert!(!a.eligible);
    assert!(a.findings.iter().any(|f| f.code == "not_eligible_2018"));

    // Without the layer the whole 40,000 m² is one contiguous group (eligible).
    let project = fx.project(rect(0.0, 0.0, 200.0, 200.0), "rules_2018", PLAN_2018, &[]);
    let Computation::Rules2018(b) = &run_report(&project) else {
        panic!("2018");
    };
    assert!((b.largest_contiguous_area_m2 - 40_000.0).abs() < 1e-6);
    assert!(b.eligible);
}

fn run_report(path: &Path) -> Computation {
    run(path).report.computation
}

/// The 2022 computation of a 200 m × 200 m project of one collective commercial parcel in
/// density zone 3 (residential base 3.0, cap 5.5; commercial base 4.0).
fn assess_2022(plan: &str) -> landpool::policy::Assessment {
    let fx = Fixture::new();
    write_layer(
        fx.path(),
        "parcels",
        &[parcel("C1", "FNGS", rect(0.0, 0.0, 200.0, 200.0))],
    );
    write_layer(
        fx.path(),
        "density_zones",
        &[zone(3, rect(-10.0, -10.0, 210.0, 210.0))],
    );
    let project = fx.project(rect(0.0, 0.0, 200.0, 200.0), "new", plan, &[]);
    match run_report(&project) {
        Computation::New(a) => *a,
        Computation::Rules2018(_) => panic!("the 2022 rules were asked for"),
    }
}

fn codes(a: &landpool::policy::Assessment) -> Vec<&str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

/// Issue 14: the residential cap bounds the residential floor area on the retained land,
/// not the whole planned FAR: 30% industrial rights at planned FAR 5.8 (> cap 5.5) keep the
/// residential FAR under the cap.
#[test]
fn residential_cap_compares_residential_floor_area() {
    let mix = r#"function_mix = [
  { use_id = "market_housing", share = 0.56 },
  { use_id = "shared_ownership_housing", share = 0.14 },
  { use_id = "industrial", share = 0.30 },
]"#;
    let plan = plan_2022("residential", 5.8, "").replace(
        r#"function_mix = [
  { use_id = "market_housing", share = 0.8 },
  { use_id = "shared_ownership_housing", share = 0.2 },
]"#,
        mix,
    );
    let a = assess_2022(&plan);
    assert!(
        a.findings.iter().all(|f| f.severity != Severity::Violation),
        "{:?}",
        codes(&a)
    );
    let r = &a.retained;
    let residential = 0.70 * a.rights_floor_area_m2 + a.shared.floor_area_m2;
    assert!((r.residential_floor_area_m2 - residential).abs() < 1e-6);
    assert!(
        r.residential_far < 5.5 && r.residential_far > 3.0,
        "{}",
        r.residential_far
    );
    assert_eq!(r.cap_far.as_ref().map(|c| c.value), Some(5.5));
}

/// Issue 14: a retained use other than residential is checked too: its planned FAR against
/// the base FAR of that use, and the residential floor area on it against the residential cap.
#[test]
fn non_residential_retained_use_is_checked() {
    let a = assess_2022(&plan_2022("commercial", 6.2, ""));
    assert_eq!(a.retained.min_far.as_ref().map(|b| b.value), Some(4.0));
    assert!(
        a.retained.residential_far > 5.5,
        "{}",
        a.retained.residential_far
    );
    assert!(
        codes(&a).contains(&"residential_far_above_cap"),
        "{:?}",
        codes(&a)
    );
    let low = assess_2022(&plan_2022("commercial", 3.5, ""));
    assert!(
        codes(&low).contains(&"planned_far_below_base"),
        "{:?}",
        codes(&low)
    );
    assert!(!codes(&low).contains(&"residential_far_above_cap"));
}

/// Issue 14: 2018 projects do not get the 2022 land-price conversion off-site; retained land
/// outside the project has the 2018 base floor area `S拆除重建 × 地块容积率 ⊕ FA利益统筹 × 1.5`
/// (⊕ = "+", both illustrative rule-set values, listed as not official).
#[test]
fn offsite_2018_uses_the_floor_area_rule_not_the_price_ratio() {
    let fx = Fixture::new();
    write_layer(
        fx.path(),
        "parcels",
        &[parcel("U1", "WWS", rect(0.0, 0.0, 100.0, 50.0))],
    );
    write_layer(
        fx.path(),
        "density_zones",
        &[zone(3, rect(-10.0, -10.0, 300.0, 60.0))],
    );
    write_layer(
        fx.path(),
        "buildings",
        &[(
            json!({ "use": "residential", "floor_area": 2000.0 }),
            rect(60.0, 10.0, 80.0, 30.0),
        )],
    );
    let site = |id: &str, g| (json!({ "site_id": id, "project_id": "T-1", "use": "R" }), g);
    write_layer(
        fx.path(),
        "retained_sites",
        &[
            site("S-in", rect(0.0, 0.0, 40.0, 50.0)),
            site("S-out", rect(120.0, 0.0, 220.0, 50.0)),
        ],
    );
    write_layer(
        fx.path(),
        "land_prices",
        &[
            (json!({ "price": 12000.0 }), rect(-10.0, -10.0, 110.0, 60.0)),
            (json!({ "price": 8000.0 }), rect(110.0, -10.0, 300.0, 60.0)),
        ],
    );
    let project = fx.project(
        rect(0.0, 0.0, 100.0, 50.0),
        "rules_2018",
        PLAN_2018,
        &["buildings", "retained_sites", "land_prices"],
    );
    let run = run(&project);
    let siting = run.report.siting.as_ref().expect("a siting section");
    assert!((siting.fit.shortfall_m2 - 8_000.0).abs() < 1e-6);
    let out = siting.sites.iter().find(|s| s.site_id == "S-out").unwrap();
    assert!((out.shortfall_taken_m2 - 5_000.0).abs() < 1e-6);
    assert!(out.conversion.is_none(), "no land-price conversion in 2018");
    assert!(out.full_rights_conversion.is_none());
    let b = out.base_2018.as_ref().expect("the 2018 base floor area");
    // S = 5,000 m² × 3.2 + (2,000 m² × 5,000 / 8,000) × 1.5
    assert!(
        (b.base_floor_area_m2 - (16_000.0 + 1_875.0)).abs() < 1e-6,
        "{b:?}"
    );
    assert!((b.existing_floor_area_m2 - 1_250.0).abs() < 1e-6);
    // The sites table (sites.geojson, results.gpkg) carries it too.
    let layer = run.layers.retained_sites.as_ref().expect("sites layer");
    let table = landpool::report::tables::sites_table(layer, siting);
    let column = table
        .fields
        .iter()
        .position(|f| f.name == "base_floor_area_2018_m2")
        .expect("a base_floor_area_2018_m2 column");
    let at = siting
        .sites
        .iter()
        .position(|s| s.site_id == "S-out")
        .unwrap();
    match &table.rows[at].values[column] {
        landpool::Value::Float(v) => assert!((v - 17_875.0).abs() < 1e-6, "{v}"),
        other => panic!("base_floor_area_2018_m2 = {other:?}"),
    }
    let summary = landpool::report::assessment::siting_table(siting);
    assert!(
        summary.contains("2018 base") && summary.contains("17,875.00"),
        "{summary}"
    );
    let listed: Vec<&str> = run
        .report
        .not_official_values
        .iter()
        .map(|v| v.key.as_str())
        .collect();
    for k in ["offsite.existing_floor_area_multiplier", "offsite.operator"] {
        assert!(listed.contains(&k), "{k} not listed: {listed:?}");
    }
}

/// Issue 14 (深标 4.1.3): land no density zone covers takes the zone of the adjoining area —
/// for each connected uncovered part, the zone sharing the longest boundary with it, not the
/// zone covering most of the parcel; a part no zone touches takes the nearest, reported as
/// such; next to an ecologically sensitive area, one zone lower (a project option).
#[test]
fn uncovered_land_takes_the_adjoining_zone() {
    let fx = Fixture::new();
    write_layer(
        fx.path(),
        "parcels",
        &[
            parcel("P1", "FNGS", rect(0.0, 0.0, 200.0, 100.0)),
            parcel("P2", "FNGS", rect(300.0, 0.0, 400.0, 100.0)),
        ],
    );
    // Zone 3 covers most of P1, zone 4 adjoins its uncovered strip (x 150–200) along 100 m,
    // zone 5 along 10 m (a tab below the boundary); nothing touches P2 (nearest: zone 5).
    write_layer(
        fx.path(),
        "density_zones",
        &[
            zone(3, rect(-10.0, -10.0, 100.0, 110.0)),
            zone(4, rect(100.0, 0.0, 150.0, 110.0)),
            zone(5, rect(150.0, -20.0, 160.0, 0.0)),
        ],
    );
    let boundary = rect(0.0, 0.0, 400.0, 100.0);
    let project = fx.project(
        boundary.clone(),
        "new",
        &plan_2022("residential", 3.5, ""),
        &[],
    );
    let run = run(&project);
    let parts = &run.report.measurement.uncovered_fallback;
    assert_eq!(parts.len(), 2, "{parts:?}");
    let strip = parts.iter().find(|p| p.parcel_ids == ["P1"]).unwrap();
    assert_eq!((strip.adjoining_zone, strip.zone), (4, 4));
    assert!((strip.area_m2 - 5_000.0).abs() < 1e-6);
    match strip.basis {
        FallbackBasis::Adjoining { shared_boundary_m } => {
            assert!(
                (shared_boundary_m - 100.0).abs() < 1e-6,
                "{shared_boundary_m}"
            )
        }
        other => panic!("P1's strip adjoins zone 4: {other:?}"),
    }
    let island = parts.iter().find(|p| p.parcel_ids == ["P2"]).unwrap();
    assert_eq!(island.zone, 5);
    match island.basis {
        FallbackBasis::Nearest { distance_m } => assert!((distance_m - 140.0).abs() < 1e-6),
        other => panic!("nothing touches P2: {other:?}"),
    }
    let nearest: Vec<_> = run
        .report
        .findings
        .iter()
        .filter(|f| f.code == "uncovered_land_zone" && f.severity == Severity::Warning)
        .collect();
    assert_eq!(nearest.len(), 1, "the nearest-zone fallback is reported");
    assert!(nearest[0].message.contains("nearest"));
    let Computation::New(a) = &run.report.computation else {
        panic!("2022");
    };
    let fallback_in = |z: u8| {
        a.density
            .zones
            .iter()
            .find(|s| s.zone == z)
            .map_or(0.0, |s| s.fallback_area_m2)
    };
    assert!((fallback_in(4) - 5_000.0).abs() < 1e-6);
    assert!((fallback_in(5) - 10_000.0).abs() < 1e-6);
    assert_eq!(fallback_in(3), 0.0);
    // 10,000 m² at 3.0, 10,000 m² at 2.5, 10,000 m² at 1.5.
    assert!(
        (a.density.base_far - 7.0 / 3.0).abs() < 1e-9,
        "{}",
        a.density.base_far
    );

    // Next to an ecologically sensitive area: one zone lower (zone 5 is the lowest).
    let project = fx.project(
        boundary,
        "new",
        &plan_2022(
            "residential",
            3.5,
            "uncovered_next_to_ecologically_sensitive = true",
        ),
        &[],
    );
    let run = assess_project_file(&project).unwrap();
    let parts = &run.report.measurement.uncovered_fallback;
    let strip = parts.iter().find(|p| p.parcel_ids == ["P1"]).unwrap();
    assert_eq!((strip.adjoining_zone, strip.zone), (4, 5));
    assert!(strip.ecologically_sensitive);
}
