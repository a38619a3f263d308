//! One test per bug fixed so far, so that none comes back.
//!
//! Most fixed bugs already had a test written with the fix, in the module of its topic; those
//! are listed in [`COVERED`] (bug, fixing commit, module and test) and
//! `covered_bugs_keep_their_tests` fails if one of them is renamed or removed without this
//! list being updated. The bugs that had no test have one here, each from real layers or a
//! CLI run, with a comment naming the bug and the commit that fixed it.
//!
//! Fixed bugs covered by unit tests in `src/` (not checked here, since those files move):
//! - non-finite coordinates reached the R-tree and panicked; now listed, never matched
//!   (b9ec405): `geom::overlay::tests::non_finite_coordinates_are_listed_not_matched`.
//! - a panicking area kernel took the whole overlay down; now a pair error (3660b5c):
//!   `geom::overlay::tests::a_panicking_pair_becomes_a_pair_error`.
//! - project file without `[input]`: `repair` defaulted to false; and `rules = "rules_2018"`
//!   was rejected (4daa279): `project::config::tests::input_defaults_without_an_input_table`,
//!   `project::config::tests::rules_2018_is_spelled_as_documented` (and the CLI tests below).
//! - any `WORD:…` naming no existing file was taken for a GDAL connection string (so `ab:x` got
//!   a database error) (c8fe66e): `io::source::tests::parses_files_layers_and_connections`.
//! - the PostgreSQL connect-timeout check sliced a multibyte string (ebd68c2, `gdal` only):
//!   `io::ogr::tests::postgres_strings_get_a_connect_timeout_unless_they_have_one`.
//! - the MSRV was declared 1.85 while let-chains and geo 0.33 need 1.88 (b5b9d80): the MSRV
//!   step of `.ci/run` (clippy's `incompatible_msrv`, dependencies' rust-version).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use landpool::Value;
use landpool::io::{ReadOptions, read_layer};

/// A fixed bug whose test lives in another module: (bug, fixing commit, module, test name).
struct Covered {
    bug: &'static str,
    commit: &'static str,
    module: &'static str,
    test: &'static str,
}

const fn covered(
    bug: &'static str,
    commit: &'static str,
    module: &'static str,
    test: &'static str,
) -> Covered {
    Covered {
        bug,
        commit,
        module,
        test,
    }
}

/// Fixed bugs and the tests that assert the fixed behaviour.
const COVERED: &[Covered] = &[
    covered(
        "retained_use = \"spaceport\" (no 深标 use) ran with a warning and exit 0",
        "7328622",
        "config_validation",
        "a_retained_use_or_zone_the_rule_sets_lack_is_refused",
    ),
    covered(
        "report.html browser test hung: Chromium's DOM dump filled an unread pipe",
        "841c98a",
        "report_html",
        "reports_open_in_headless_chromium",
    ),
    covered(
        "parcels without buildings reported floor_area_m2 = -0 (the sum of no values)",
        "bfb86c1",
        "cli_assess_gpkg",
        "results_geopackage_holds_every_table_and_is_reproducible",
    ),
    covered(
        "without an [input] table repair was off, so a bow tie was measured as 'outside'",
        "4daa279",
        "cli_assess_errors",
        "i_invalid_parcel_is_repaired_and_reported_by_default",
    ),
    covered(
        "rules = \"rules_2018\" (as documented) was rejected",
        "4daa279",
        "cli_assess_errors",
        "j_rules_2018_with_plan_2018_reports_the_2018_figures",
    ),
    covered(
        "repair = false: an invalid parcel meeting the project must be an error naming it",
        "4daa279",
        "cli_assess_errors",
        "i_invalid_parcel_without_repair_is_an_error_naming_it",
    ),
    covered(
        "repair = false: an invalid parcel away from the project gets geometry_error",
        "4daa279",
        "cli_assess_errors",
        "i_invalid_parcel_away_from_the_project_without_repair_is_listed",
    ),
    covered(
        "tenure failures printed Debug values instead of naming the attribute",
        "4daa279",
        "cli_assess_errors",
        "b_missing_tenure_code_names_parcel_and_attribute",
    ),
    covered(
        "an unknown tenure code printed Debug values instead of the code and the remedy",
        "4daa279",
        "cli_assess_errors",
        "a_unknown_tenure_code_names_parcel_value_and_remedy",
    ),
    covered(
        "a boundary layer without the project id did not list the ids it has",
        "4daa279",
        "cli_assess_errors",
        "h_boundary_layer_without_the_project_id",
    ),
    covered(
        "a straddling site that is not allowed counted in the fit and off-site",
        "0dcd9ff",
        "cli_siting",
        "edge_vertex_across_overshoot_and_hole_placements",
    ),
    covered(
        "a repeated parcel id let one parcel take another's status",
        "a5c117d",
        "cli_assess_errors",
        "repeated_parcel_id_is_an_error_listing_the_features",
    ),
    covered(
        "a repeated site id let one site take another's placement",
        "a5c117d",
        "cli_siting",
        "repeated_site_id_is_an_error",
    ),
    covered(
        "a geographic [input] to_crs was a usage error, not a project-file error naming the key",
        "a5c117d",
        "cli_assess_errors",
        "geographic_to_crs_in_the_project_file_names_the_key",
    ),
    covered(
        "CRS advice on a project layer did not name the project file's [input] settings",
        "a5c117d",
        "cli_assess_errors",
        "geographic_layer_points_to_the_project_file_settings",
    ),
    covered(
        "an empty or zero-area parcel passed for 'outside' with no reason",
        "2377103",
        "cli_assess_errors",
        "degenerate_parcel_gets_geometry_error_status_and_a_warning",
    ),
    covered(
        "the draft's placeholder effective date was missing from the unofficial values",
        "11248ea",
        "assess_example_a",
        "worked_example_a_every_figure",
    ),
    covered(
        "a wrong layer name in a project file was a usage error, not one naming the key",
        "9acf6c9",
        "cli_assess_gpkg",
        "wrong_layer_in_the_project_file_names_the_key_and_the_layers",
    ),
    covered(
        "repair was not deterministic (MakeValid output order), so threads changed results",
        "31e86de",
        "validity_flanders",
        "repair_is_identical_whatever_the_thread_count",
    ),
];

/// The source of a module of this binary, by name.
fn module_source(module: &str) -> &'static str {
    match module {
        "assess_example_a" => include_str!("assess_example_a.rs"),
        "cli_assess_errors" => include_str!("cli_assess_errors.rs"),
        "cli_assess_gpkg" => include_str!("cli_assess_gpkg.rs"),
        "cli_siting" => include_str!("cli_siting.rs"),
        "config_validation" => include_str!("config_validation.rs"),
        "report_html" => include_str!("report_html.rs"),
        "validity_flanders" => include_str!("validity_flanders.rs"),
        other => panic!("module {other} is not in module_source"),
    }
}

#[test]
fn covered_bugs_keep_their_tests() {
    for c in COVERED {
        let source = module_source(c.module);
        let at = source.find(&format!("fn {}()", c.test)).unwrap_or_else(|| {
            panic!(
                "bug fixed in {} ({}): test {}::{} is gone; update COVERED",
                c.commit, c.bug, c.module, c.test
            )
        });
        let before = &source[..at];
        assert!(
            before.trim_end().ends_with("#[test]"),
            "{}::{} is not a #[test]",
            c.module,
            c.test
        );
    }
}

/// Bug (fixed in bfb86c1): the GeoJSON reader parsed some numbers 1 ulp off, because
/// serde_json's default number parser rounds twice for 17-digit decimals (the
/// `float_roundtrip` feature was off). Every coordinate and float attribute written in
/// Rust's shortest round-trip form must read back bit for bit.
#[test]
fn geojson_numbers_read_back_bit_for_bit() {
    // Deterministic 17-digit values around Shenzhen in EPSG:4547 (x ~ 5e5, y ~ 2.5e6).
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut expected = Vec::new();
    let mut features = Vec::new();
    for i in 0..500 {
        let (x, y) = (
            480_000.0 + 50_000.0 * next(),
            2_480_000.0 + 50_000.0 * next(),
        );
        let value = 1_000.0 * next();
        let ring = format!(
            "[[{x},{y}],[{},{y}],[{},{}],[{x},{y}]]",
            x + 10.0,
            x + 10.0,
            y + 10.0
        );
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"id":{i},"value":{value}}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        ));
        expected.push((x, y, value));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("numbers.geojson");
    std::fs::write(
        &path,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .unwrap();

    let layer = read_layer(&path, &ReadOptions::default()).unwrap();
    let value_field = layer.field_index("value").unwrap();
    assert_eq!(layer.features.len(), expected.len());
    for (f, &(x, y, value)) in layer.features.iter().zip(&expected) {
        let first = f.geometry.0[0].exterior().0[0];
        assert_eq!(
            (first.x.to_bits(), first.y.to_bits()),
            (x.to_bits(), y.to_bits()),
            "feature {}: ({x}, {y}) read as ({}, {})",
            f.index,
            first.x,
            first.y
        );
        match &f.attributes[value_field] {
            Value::Float(v) => assert_eq!(v.to_bits(), value.to_bits(), "{value} read as {v}"),
            other => panic!("feature {}: value {other:?}", f.index),
        }
    }
}

/// Bug (fixed in f42ccda): `landpool batch` collected the district validation summary
/// (every layer read, its problems and repairs) but never wrote `inputs.json`.
#[test]
fn batch_writes_the_district_inputs_json() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(cargo_bin("landpool"))
        .args(["batch", "--quiet"])
        .arg(sample.join("district.toml"))
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success());
    let text =
        std::fs::read_to_string(out.path().join("inputs.json")).expect("batch writes inputs.json");
    let inputs: serde_json::Value = serde_json::from_str(&text).unwrap();
    let inputs = inputs.as_array().expect("one entry per layer");
    let parcels = inputs
        .iter()
        .find(|i| i["role"] == "parcels")
        .expect("the parcel layer is listed");
    let sample_parcels = read_layer(&sample.join("parcels.geojson"), &ReadOptions::default())
        .unwrap()
        .features
        .len();
    assert_eq!(parcels["features"].as_u64(), Some(sample_parcels as u64));
    assert!(parcels["repairs"].is_object(), "{parcels}");
    assert!(inputs.iter().any(|i| i["role"] == "boundary"), "{text}");
}

/// Bug (fixed in cd58bef): `landpool inspect` printed with `println!`, which panics when
/// stdout is a closed pipe (`landpool inspect … | head`). It must end with an error.
#[test]
fn inspect_into_a_closed_pipe_is_an_error_not_a_panic() {
    let parcels = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/parcels.geojson");
    let mut child = Command::new(cargo_bin("landpool"))
        .arg("inspect")
        .arg(&parcels)
        .args(["--features", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before landpool writes (the report is far larger than a pipe
    // buffer, so it could not finish writing even if it started first).
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.to_lowercase().contains("broken pipe"), "{stderr}");
}
