//! Golden test: worked example A of policy.md §9 built as real layers and run through the
//! whole pipeline (read → validate → cut by the boundary → overlay zones and buildings →
//! classify tenure → 2022 draft rules), both through the library and through the binary.

use std::path::{Path, PathBuf};

use landpool::project::{Computation, ParcelStatus, assess_project_file};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() / scale <= rel,
        "{what}: got {actual}, expected {expected} (rel tol {rel})"
    );
}

/// The policy.md table rounds to two decimals: the exact figure must round to it.
fn assert_table(actual: f64, table: f64, what: &str) {
    assert!(
        (actual - table).abs() <= 0.005 + 1e-9,
        "{what}: got {actual}, table says {table}"
    );
}

#[test]
fn worked_example_a_every_figure() {
    let run = assess_project_file(&fixture("example_a/project.toml")).expect("assess example A");
    let Computation::New(a) = &run.report.computation else {
        panic!("example A must use the 2022 draft rules");
    };
    let exact_land_coef = 1.0 / 3.0;
    let exact_base_far = 17.0 / 6.0;
    let exact_building = 0.05 * 0.928;
    let exact_function = 1.0 / (0.8 / 1.0 + 0.2 / 2.5);
    let exact_rights =
        (exact_land_coef + exact_building) * 90_000.0 * exact_base_far * exact_function;

    assert_rel(a.counted_land_area_m2, 90_000.0, 1e-9, "counted land area");
    assert_rel(
        a.land_rights_coef,
        exact_land_coef,
        1e-9,
        "land-rights coefficient",
    );
    assert_rel(a.density.base_far, exact_base_far, 1e-9, "density base FAR");
    assert_rel(
        a.buildings.existing_far,
        75_000.0 / 90_000.0,
        1e-9,
        "existing FAR",
    );
    assert_rel(
        a.buildings.building_type_coef,
        0.928,
        1e-9,
        "building-type coefficient",
    );
    assert_rel(
        a.buildings.building_rights_coef,
        0.0464,
        1e-9,
        "building-rights coef",
    );
    assert_rel(
        a.function.function_coef,
        exact_function,
        1e-9,
        "function coefficient",
    );
    assert_rel(
        a.rights_floor_area_m2,
        exact_rights,
        1e-6,
        "rights floor area",
    );

    assert_table(a.rights_floor_area_m2, 110_036.36, "rights floor area");
    let by_use = |id: &str| {
        a.function
            .uses
            .iter()
            .find(|u| u.use_id == id)
            .map(|u| u.rights_floor_area_m2)
            .unwrap_or(f64::NAN)
    };
    assert_table(by_use("market_housing"), 88_029.09, "market housing");
    assert_table(
        by_use("shared_ownership_housing"),
        22_007.27,
        "shared ownership",
    );
    assert_table(a.shared.floor_area_m2, 16_505.45, "shared floor area");
    assert_table(a.shared.government_m2, 9_903.27, "shared: government");
    assert_table(a.shared.holders_market_m2, 6_602.18, "shared: holders");
    assert_rel(
        a.facility_floor_area_m2,
        5_000.0,
        1e-12,
        "facility floor area",
    );
    assert_rel(
        a.planned_floor_area_m2,
        exact_rights * 1.15 + 5_000.0,
        1e-9,
        "planned floor area",
    );
    assert!((a.planned_floor_area_m2 - 131_541.82).abs() < 0.02);
    assert!((a.retained.retained_land_area_m2 - 29_231.52).abs() < 0.01);
    assert_rel(
        a.retained.retained_land_area_m2,
        a.planned_floor_area_m2 / 4.5,
        1e-12,
        "retained-land area",
    );

    // Zones: 60,000 m² in zone 3, 30,000 m² in zone 4.
    let zone_area = |z: u8| {
        a.density
            .zones
            .iter()
            .filter(|s| s.zone == z)
            .map(|s| s.area_m2)
            .sum::<f64>()
    };
    assert_rel(zone_area(3), 60_000.0, 1e-9, "zone 3 land");
    assert_rel(zone_area(4), 30_000.0, 1e-9, "zone 4 land");

    // Every parcel is in the table; P4 (state reserve) is excluded with a reason.
    let rows = &run.report.parcels;
    assert_eq!(rows.len(), 4);
    let p4 = rows.iter().find(|r| r.parcel_id == "P4").expect("P4 row");
    assert_eq!(p4.status, ParcelStatus::Excluded);
    assert!(p4.reason.as_deref().unwrap_or("").contains("state_reserve"));
    assert_eq!(
        rows.iter()
            .filter(|r| r.status == ParcelStatus::Counted)
            .count(),
        3
    );
    // The illustrative tables example A relies on are listed as not official.
    let keys: Vec<&str> = run
        .report
        .not_official_values
        .iter()
        .map(|v| v.key.as_str())
        .collect();
    assert!(keys.iter().any(|k| k.starts_with("intensity")), "{keys:?}");
    assert!(
        keys.iter().any(|k| k.starts_with("building_type")),
        "{keys:?}"
    );
    assert!(keys.iter().any(|k| k.starts_with("function")), "{keys:?}");
    // The transition rule chose the rules by the draft's placeholder effective date.
    assert!(keys.contains(&"transition.effective_date"), "{keys:?}");
}

const CRS: &str = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}}"#;

fn rect_feature(props: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> String {
    let (ox, oy) = (490_000.0, 2_515_000.0);
    format!(
        r#"{{"type":"Feature","properties":{props},"geometry":{{"type":"Polygon","coordinates":[[[{a},{b}],[{c},{b}],[{c},{d}],[{a},{d}],[{a},{b}]]]}}}}"#,
        a = ox + x0,
        b = oy + y0,
        c = ox + x1,
        d = oy + y1
    )
}

fn collection(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection",{CRS},"features":[{}]}}"#,
        features.join(",")
    )
}

/// A parcel that straddles the boundary and two density zones counts exactly its inside
/// pieces, each in its own zone.
#[test]
fn straddling_parcel_counts_only_its_inside_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: String| std::fs::write(d.join(name), text).unwrap();
    write(
        "boundary.geojson",
        collection(&[rect_feature(
            r#"{"project_id":"S"}"#,
            0.0,
            0.0,
            400.0,
            250.0,
        )]),
    );
    write(
        "zones.geojson",
        collection(&[
            rect_feature(r#"{"density_zone":3}"#, -100.0, -100.0, 240.0, 350.0),
            rect_feature(r#"{"density_zone":4}"#, 240.0, -100.0, 600.0, 350.0),
        ]),
    );
    write(
        "parcels.geojson",
        collection(&[
            // 200..450 crosses the zone edge at 240 and the boundary at 400.
            rect_feature(
                r#"{"parcel_id":"X","tenure_code":"WWS"}"#,
                200.0,
                0.0,
                450.0,
                250.0,
            ),
            rect_feature(
                r#"{"parcel_id":"Y","tenure_code":"FNGS"}"#,
                0.0,
                0.0,
                200.0,
                250.0,
            ),
            // Wholly outside: listed with status outside.
            rect_feature(
                r#"{"parcel_id":"Z","tenure_code":"FNGS"}"#,
                450.0,
                0.0,
                500.0,
                250.0,
            ),
        ]),
    );
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rules");
    write(
        "project.toml",
        format!(
            r#"
[project]
id = "S"
assessment_date = 2026-06-30
entered_plan_date = 2026-03-01
rules = "new"
[rule_sets]
new = "{new}"
rules_2018 = "{old}"
[layers]
parcels = "parcels.geojson"
boundary = "boundary.geojson"
density_zones = "zones.geojson"
[tenure]
rules = [{{ field = "tenure_code", codes = {{ WWS = "unfinished_requisition", FNGS = "collective_nonagri_commercial" }} }}]
[plan]
function_mix = [{{ use_id = "market_housing", share = 0.8 }}, {{ use_id = "shared_ownership_housing", share = 0.2 }}]
shared_ratio = 0.1
shared_disposition = "A"
planned_far = 4.0
retained_zone = 3
"#,
            new = rules.join("shenzhen-2022-draft.toml").display(),
            old = rules.join("shenzhen-2018.toml").display()
        ),
    );
    let run = assess_project_file(&d.join("project.toml")).expect("assess");
    let rows = &run.report.parcels;
    let x = rows.iter().find(|r| r.parcel_id == "X").unwrap();
    assert_rel(x.area_m2, 250.0 * 250.0, 1e-12, "X whole area");
    assert_rel(x.area_inside_m2, 200.0 * 250.0, 1e-9, "X inside area");
    let zone = |z: u8| {
        x.zones
            .iter()
            .find(|a| a.zone == z)
            .map(|a| a.area_m2)
            .unwrap_or(0.0)
    };
    assert_rel(zone(3), 40.0 * 250.0, 1e-9, "X in zone 3");
    assert_rel(zone(4), 160.0 * 250.0, 1e-9, "X in zone 4");
    let z = rows.iter().find(|r| r.parcel_id == "Z").unwrap();
    assert_eq!(z.status, ParcelStatus::Outside);
    let Computation::New(a) = &run.report.computation else {
        panic!("2022 rules expected");
    };
    assert_rel(a.counted_land_area_m2, 100_000.0, 1e-9, "counted land");
    // Base FAR: 60,000 m² at 3.0 (Y and the 40 m strip of X), 40,000 m² at 2.5 (rest of X).
    let expected = (60_000.0 * 3.0 + 40_000.0 * 2.5) / 100_000.0;
    assert_rel(a.density.base_far, expected, 1e-9, "base FAR");
}

/// The binary writes the three outputs and prints the warning block first.
#[test]
fn cli_assess_example_a_writes_outputs() {
    let out = tempfile::tempdir().unwrap();
    let assert = assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess"])
        .arg(fixture("example_a/project.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(stdout.starts_with("WARNING"), "{stdout}");
    assert!(stdout.contains("110,036.36"), "{stdout}");
    for f in ["report.json", "parcels.csv", "parcels.geojson"] {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    // A second run gives byte-identical files, and `landpool diff` agrees.
    let out2 = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess", "--quiet"])
        .arg(fixture("example_a/project.toml"))
        .arg("--out")
        .arg(out2.path())
        .assert()
        .success();
    for f in ["report.json", "parcels.csv", "parcels.geojson"] {
        assert_eq!(
            std::fs::read(out.path().join(f)).unwrap(),
            std::fs::read(out2.path().join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .arg("diff")
        .arg(out.path().join("report.json"))
        .arg(out2.path().join("report.json"))
        .assert()
        .code(0);
}
