//! `landpool assess` on broken copies of worked example A: each breaks one thing and checks
//! the exit code (1 bad input, 2 usage), that nothing panics, and that stderr names the file
//! and the feature or key at fault. Also the repair of an invalid parcel, the 2018 rules
//! with and without [plan_2018], and that every parcel of the sample gets a status.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tempfile::TempDir;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of tests/fixtures/example_a with the rule-set paths made absolute.
fn example_a() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a");
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let rules = format!("\"{MANIFEST}/data/rules/");
    let toml = read(&dir, "project.toml").replace("\"../../../data/rules/", &rules);
    assert!(toml.contains(&rules));
    write(&dir, "project.toml", &toml);
    dir
}

fn read(dir: &TempDir, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

fn write(dir: &TempDir, name: &str, text: &str) {
    std::fs::write(dir.path().join(name), text).unwrap();
}

/// Replaces `from` (which must occur) with `to` in a file of the copy.
fn replace(dir: &TempDir, name: &str, from: &str, to: &str) {
    let text = read(dir, name);
    assert!(text.contains(from), "{name} lacks {from:?}");
    write(dir, name, &text.replacen(from, to, 1));
}

/// Edits a GeoJSON file of the copy.
fn edit_json(dir: &TempDir, name: &str, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_str(&read(dir, name)).unwrap();
    edit(&mut v);
    write(dir, name, &serde_json::to_string_pretty(&v).unwrap());
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).expect("needle");
    text[..at].matches('\n').count() + 1
}

struct Outcome {
    code: Option<i32>,
    stderr: String,
    out: PathBuf,
    _out_dir: TempDir,
}

fn assess(dir: &TempDir) -> Outcome {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().to_path_buf();
    let o = assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess", "--quiet"])
        .arg(dir.path().join("project.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    Outcome {
        code: o.status.code(),
        stderr,
        out,
        _out_dir: out_dir,
    }
}

/// Exit code 1 and every `needle` in stderr.
fn fails_naming(o: &Outcome, needles: &[&str]) {
    assert_eq!(o.code, Some(1), "exit code; stderr: {}", o.stderr);
    for n in needles {
        assert!(o.stderr.contains(n), "stderr lacks {n:?}:\n{}", o.stderr);
    }
}

fn report(o: &Outcome) -> Value {
    assert_eq!(o.code, Some(0), "stderr: {}", o.stderr);
    serde_json::from_str(&std::fs::read_to_string(o.out.join("report.json")).unwrap()).unwrap()
}

fn parcel_row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["parcel_id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

fn set_prop(v: &mut Value, feature: usize, key: &str, value: Value) {
    v["features"][feature]["properties"][key] = value;
}

fn remove_prop(v: &mut Value, feature: usize, key: &str) {
    let props = v["features"][feature]["properties"]
        .as_object_mut()
        .unwrap();
    assert!(
        props.remove(key).is_some(),
        "feature {feature} had no {key}"
    );
}

#[test]
fn the_unbroken_copy_succeeds() {
    let dir = example_a();
    let r = report(&assess(&dir));
    assert_eq!(r["parcels"].as_array().unwrap().len(), 4);
}

#[test]
fn a_unknown_tenure_code_names_parcel_value_and_remedy() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", |v| {
        set_prop(v, 1, "tenure_code", json!("XXXX"))
    });
    fails_naming(
        &assess(&dir),
        &[
            "parcels.geojson",
            "#1 (P2)",
            "`tenure_code` = \"XXXX\"",
            "add a rule or a default class in [tenure]",
            "project.toml",
        ],
    );
}

#[test]
fn b_missing_floor_area_names_building_and_attribute() {
    let dir = example_a();
    edit_json(&dir, "buildings.geojson", |v| {
        remove_prop(v, 0, "floor_area")
    });
    fails_naming(
        &assess(&dir),
        &["buildings.geojson", "#0", "`floor_area`", "missing"],
    );
}

#[test]
fn b_missing_tenure_code_names_parcel_and_attribute() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", |v| {
        remove_prop(v, 2, "tenure_code")
    });
    fails_naming(
        &assess(&dir),
        &[
            "parcels.geojson",
            "#2 (P3)",
            "attribute `tenure_code` is missing",
        ],
    );
}

#[test]
fn c_missing_layer_file_names_key_and_path() {
    let dir = example_a();
    std::fs::remove_file(dir.path().join("density_zones.geojson")).unwrap();
    let missing = dir.path().join("density_zones.geojson");
    fails_naming(
        &assess(&dir),
        &[
            "project.toml",
            "layers.density_zones",
            &missing.display().to_string(),
            "does not exist",
        ],
    );
}

#[test]
fn d_rule_set_without_a_table_names_file_and_key() {
    let dir = example_a();
    let rules =
        std::fs::read_to_string(Path::new(MANIFEST).join("data/rules/shenzhen-2022-draft.toml"))
            .unwrap();
    // Drop the whole [building_type] table (up to the next table header).
    let start = rules.find("\n[building_type]\n").expect("[building_type]");
    let end = start + 1 + rules[start + 1..].find("\n[").unwrap();
    let broken = format!("{}{}", &rules[..start], &rules[end..]);
    assert!(!broken.contains("[building_type]"));
    write(&dir, "rules.toml", &broken);
    let abs = format!("{MANIFEST}/data/rules/shenzhen-2022-draft.toml");
    replace(&dir, "project.toml", &abs, "rules.toml");
    let o = assess(&dir);
    fails_naming(&o, &["rules.toml", "building_type", "missing table"]);
}

#[test]
fn d_rule_set_with_a_bad_value_names_file_line_and_key() {
    let dir = example_a();
    let rules =
        std::fs::read_to_string(Path::new(MANIFEST).join("data/rules/shenzhen-2022-draft.toml"))
            .unwrap();
    let start = rules.find("\n[building_type]\n").unwrap();
    let at = start + rules[start..].find("\nfactory = 0.8").unwrap() + 1;
    let broken = format!(
        "{}factory = \"0.8x\"{}",
        &rules[..at],
        &rules[at + "factory = 0.8".len()..]
    );
    let line = line_of(&broken, "factory = \"0.8x\"");
    write(&dir, "rules.toml", &broken);
    let abs = format!("{MANIFEST}/data/rules/shenzhen-2022-draft.toml");
    replace(&dir, "project.toml", &abs, "rules.toml");
    let o = assess(&dir);
    fails_naming(
        &o,
        &[&format!("rules.toml:{line}:"), "building_type.factory"],
    );
}

#[test]
fn e_negative_floor_area_names_building() {
    let dir = example_a();
    edit_json(&dir, "buildings.geojson", |v| {
        set_prop(v, 1, "floor_area", json!(-5.0))
    });
    fails_naming(
        &assess(&dir),
        &["buildings.geojson", "#1", "-5", "negative"],
    );
}

#[test]
fn f_malformed_project_file_gives_line_and_column() {
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "planned_far = 4.5",
        "planned_far = = 4.5",
    );
    let line = line_of(&read(&dir, "project.toml"), "planned_far = = 4.5");
    fails_naming(
        &assess(&dir),
        &[&format!("project.toml:{line}:15:"), "plan.planned_far"],
    );
}

#[test]
fn g_unknown_key_in_project_file_names_it() {
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "retained_zone = 3",
        "retained_zone = 3\nplaned_far = 4.0",
    );
    let line = line_of(&read(&dir, "project.toml"), "planed_far");
    fails_naming(
        &assess(&dir),
        &[
            &format!("project.toml:{line}:1:"),
            "plan.planed_far",
            "unknown field `planed_far`",
            "planned_far",
        ],
    );
}

#[test]
fn h_boundary_layer_without_the_project_id() {
    let dir = example_a();
    edit_json(&dir, "boundary.geojson", |v| {
        let f = v["features"][0].clone();
        v["features"].as_array_mut().unwrap().push(f);
        set_prop(v, 0, "project_id", json!("OTHER"));
        set_prop(v, 1, "project_id", json!("X2"));
    });
    fails_naming(
        &assess(&dir),
        &[
            "boundary.geojson",
            "2 boundary features",
            "project_id = \"EX-A\"",
            "found: OTHER, X2",
        ],
    );
}

/// P1 (80 × 250 m) redrawn as a bow tie: same corners, crossing at its centre. Its signed
/// area is zero; repaired it is two triangles of 5,000 m² each.
fn bow_tie_p1(v: &mut Value) {
    v["features"][0]["geometry"]["coordinates"] = json!([[
        [490000.0, 2515000.0],
        [490080.0, 2515250.0],
        [490080.0, 2515000.0],
        [490000.0, 2515250.0],
        [490000.0, 2515000.0]
    ]]);
}

#[test]
fn i_invalid_parcel_is_repaired_and_reported_by_default() {
    let dir = example_a();
    // No [input] table in the fixture: repair is on by default.
    assert!(!read(&dir, "project.toml").contains("[input]"));
    edit_json(&dir, "parcels.geojson", bow_tie_p1);
    let r = report(&assess(&dir));
    let parcels = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "parcels")
        .unwrap();
    assert_eq!(parcels["problems"][0]["kind"], "self_intersection");
    let repaired = parcels["repairs"]["repaired"].as_array().unwrap();
    assert_eq!(repaired.len(), 1, "{parcels}");
    assert_eq!(repaired[0]["feature"]["key"], "P1");
    assert_eq!(repaired[0]["area_before"].as_f64(), Some(0.0));
    let after = repaired[0]["area_after"].as_f64().unwrap();
    assert!((after - 10_000.0).abs() < 1e-6, "{after}");
    let p1 = parcel_row(&r, "P1");
    assert_eq!(p1["status"], "counted");
    assert!((p1["area_inside_m2"].as_f64().unwrap() - 10_000.0).abs() < 1e-6);
}

#[test]
fn i_invalid_parcel_without_repair_is_an_error_naming_it() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", bow_tie_p1);
    replace(
        &dir,
        "project.toml",
        "[layers]",
        "[input]\nrepair = false\n\n[layers]",
    );
    fails_naming(
        &assess(&dir),
        &[
            "parcels.geojson",
            "#0 (P1)",
            "self-intersection",
            "repair = false",
        ],
    );
}

#[test]
fn i_invalid_parcel_away_from_the_project_without_repair_is_listed() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", |v| {
        let mut far = v["features"][0].clone();
        far["properties"]["parcel_id"] = json!("FAR");
        far["geometry"]["coordinates"] = json!([[
            [495000.0, 2515000.0],
            [495080.0, 2515250.0],
            [495080.0, 2515000.0],
            [495000.0, 2515250.0],
            [495000.0, 2515000.0]
        ]]);
        v["features"].as_array_mut().unwrap().push(far);
    });
    replace(
        &dir,
        "project.toml",
        "[layers]",
        "[input]\nrepair = false\n\n[layers]",
    );
    let r = report(&assess(&dir));
    let far = parcel_row(&r, "FAR");
    assert_eq!(far["status"], "geometry_error");
    let reason = far["reason"].as_str().unwrap();
    assert!(reason.contains("repair = false"), "{reason}");
    assert!(reason.contains("self-intersection"), "{reason}");
    // The project's own figures are untouched.
    assert_eq!(parcel_row(&r, "P1")["status"], "counted");
}

#[test]
fn j_rules_2018_without_plan_2018_names_the_key() {
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "entered_plan_date = 2026-03-01",
        "entered_plan_date = 2020-03-01",
    );
    replace(
        &dir,
        "project.toml",
        "rules = \"new\"",
        "rules = \"rules_2018\"",
    );
    fails_naming(
        &assess(&dir),
        &["project.toml", "plan_2018", "retained_land_area_m2"],
    );
}

#[test]
fn j_rules_2018_with_plan_2018_reports_the_2018_figures() {
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "entered_plan_date = 2026-03-01",
        "entered_plan_date = 2020-03-01",
    );
    replace(
        &dir,
        "project.toml",
        "rules = \"new\"",
        "rules = \"rules_2018\"",
    );
    let toml = read(&dir, "project.toml")
        + "\n[plan_2018]\nretained_land_area_m2 = 40000\nplot_far = 3.2\nshared_ratio = 0.1\n";
    write(&dir, "project.toml", &toml);
    let r = report(&assess(&dir));
    assert_eq!(r["rule_selection"]["chosen"], "rules2018");
    let c = &r["computation"];
    assert_eq!(c["rule_set_id"], "shenzhen-2018");
    assert_eq!(c["eligible"], true);
    // P3 (unfinished requisition, 160 × 250 m) is the one contiguous group.
    assert!((c["largest_contiguous_area_m2"].as_f64().unwrap() - 40_000.0).abs() < 1e-6);
    let f = |k: &str| c[k].as_f64().unwrap_or_else(|| panic!("{k}"));
    assert!((f("retained_land_area_m2") - 40_000.0).abs() < 1e-9);
    assert!((f("base_floor_area_m2") - 128_000.0).abs() < 1e-6);
    assert!((f("shared_floor_area_m2") - 12_800.0).abs() < 1e-6);
    assert!((f("government_buyback_m2") - 7_680.0).abs() < 1e-6);
    assert!((f("planned_floor_area_m2") - 140_800.0).abs() < 1e-6);
    // The siting uses the 2018 retained-land area.
    assert!((r["siting"]["fit"]["required_m2"].as_f64().unwrap() - 40_000.0).abs() < 1e-9);
}

#[test]
fn k_rules_choice_the_dates_forbid_is_an_error() {
    // The 2018 rules asked for after the transition window (2026-01-01 + 6 months).
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "entered_plan_date = 2026-03-01",
        "entered_plan_date = 2026-08-01",
    );
    replace(
        &dir,
        "project.toml",
        "rules = \"new\"",
        "rules = \"rules_2018\"",
    );
    fails_naming(
        &assess(&dir),
        &[
            "project.toml",
            "project.rules",
            "not allowed",
            "after the transition window",
        ],
    );
    // The new rules asked for where an approved plan under the 2018 rules stands.
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "entered_plan_date = 2026-03-01",
        "entered_plan_date = 2020-03-01",
    );
    replace(
        &dir,
        "project.toml",
        "plan_approved = false",
        "plan_approved = true",
    );
    fails_naming(
        &assess(&dir),
        &["project.toml", "project.rules", "not allowed", "approved"],
    );
}

#[test]
fn usage_errors_exit_2_and_a_missing_project_file_exits_1() {
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .arg("assess")
        .assert()
        .code(2);
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess", "project.toml", "--no-such-option"])
        .assert()
        .code(2);
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let o = assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .arg("assess")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
}

/// Every parcel of the sample's parcel layer is a row of parcels.csv with a status.
#[test]
fn sample_every_parcel_has_a_status_row() {
    let out = tempfile::tempdir().unwrap();
    let project = Path::new(MANIFEST).join("data/sample/project.toml");
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess", "--quiet"])
        .arg(&project)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let layer: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(MANIFEST).join("data/sample/parcels.geojson")).unwrap(),
    )
    .unwrap();
    let features = layer["features"].as_array().unwrap();
    let mut csv = csv::Reader::from_path(out.path().join("parcels.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id_col, index_col, status_col) = (col("parcel_id"), col("feature_index"), col("status"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), features.len(), "one row per parcel feature");
    let allowed = ["counted", "excluded", "sliver", "outside", "geometry_error"];
    let mut seen = vec![false; features.len()];
    for row in &rows {
        let i: usize = row[index_col].parse().unwrap();
        assert!(!seen[i], "feature {i} listed twice");
        seen[i] = true;
        assert_eq!(
            features[i]["properties"]["parcel_id"].as_str(),
            Some(&row[id_col]),
            "row for feature {i}"
        );
        assert!(
            allowed.contains(&&row[status_col]),
            "status {:?}",
            &row[status_col]
        );
    }
    let counted = rows.iter().filter(|r| &r[status_col] == "counted").count();
    let outside = rows.iter().filter(|r| &r[status_col] == "outside").count();
    assert!(
        counted > 0 && outside > 0,
        "{counted} counted, {outside} outside"
    );
}

#[test]
fn repeated_parcel_id_is_an_error_listing_the_features() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", |v| {
        set_prop(v, 1, "parcel_id", json!("P1"))
    });
    fails_naming(
        &assess(&dir),
        &[
            "parcels.geojson",
            "`parcel_id` must be unique",
            "P1 (#0, #1)",
        ],
    );
}

#[test]
fn geographic_to_crs_in_the_project_file_names_the_key() {
    let dir = example_a();
    replace(
        &dir,
        "project.toml",
        "[layers]",
        "[input]\nto_crs = \"EPSG:4326\"\n\n[layers]",
    );
    fails_naming(
        &assess(&dir),
        &["project.toml", "input.to_crs", "not projected"],
    );
}

#[test]
fn geographic_layer_points_to_the_project_file_settings() {
    let dir = example_a();
    edit_json(&dir, "density_zones.geojson", |v| {
        v["crs"]["properties"]["name"] = json!("urn:ogc:def:crs:EPSG::4326")
    });
    fails_naming(
        &assess(&dir),
        &["density_zones.geojson", "geographic", "[input] to_crs"],
    );
}

/// A parcel whose ring is degenerate (collinear, zero area) is not passed off as outside.
#[test]
fn degenerate_parcel_gets_geometry_error_status_and_a_warning() {
    let dir = example_a();
    edit_json(&dir, "parcels.geojson", |v| {
        v["features"][3]["geometry"]["coordinates"] = json!([[
            [490200.0, 2515000.0],
            [490300.0, 2515000.0],
            [490400.0, 2515000.0],
            [490200.0, 2515000.0]
        ]]);
    });
    let r = report(&assess(&dir));
    let p4 = parcel_row(&r, "P4");
    assert_eq!(p4["status"], "geometry_error");
    let reason = p4["reason"].as_str().unwrap();
    assert!(
        reason.contains("no area") || reason.contains("zero-area"),
        "{reason}"
    );
    let warned = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("(P4)"));
    assert!(warned, "{}", r["warnings"]);
    assert_eq!(r["parcels"].as_array().unwrap().len(), 4);
}
