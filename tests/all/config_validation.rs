//! Load-time validation of project files, district files and CSV overrides (issue 13):
//! every nonsense value the fuzzing campaign saw accepted is refused with exit 1 and a
//! message `file:line: key: what is wrong; allowed: …`. One test per family of values.

use std::path::Path;

use assert_cmd::cargo::cargo_bin;
use tempfile::TempDir;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

/// Worked example A in a temporary folder, with its rule-set paths made absolute.
fn example_a() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(MANIFEST).join("tests/fixtures/example_a");
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join("project.toml"))
        .unwrap()
        .replace(
            "\"../../../data/rules/",
            &format!("\"{MANIFEST}/data/rules/"),
        );
    std::fs::write(dir.path().join("project.toml"), text).unwrap();
    dir
}

/// Runs `assess` on example A after `edit` of its project file: (exit code, stderr).
fn assess_edited(edit: impl Fn(String) -> String) -> (Option<i32>, String) {
    let dir = example_a();
    let path = dir.path().join("project.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changed nothing");
    std::fs::write(&path, edited).unwrap();
    let o = std::process::Command::new(cargo_bin("landpool"))
        .args(["assess", "--quiet"])
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Replaces the first line starting with `key =` by `key = value`, or appends the line to
/// `[table]` when the key is not written.
fn set(text: &str, table: &str, key: &str, value: &str) -> String {
    let mut out = Vec::new();
    let (mut in_table, mut done) = (false, false);
    for line in text.lines() {
        if line.starts_with('[') {
            if in_table && !done {
                out.push(format!("{key} = {value}"));
                done = true;
            }
            in_table = line.trim() == format!("[{table}]");
            out.push(line.to_string());
            if in_table && !text.contains(&format!("\n{key} =")) && !done {
                out.push(format!("{key} = {value}"));
                done = true;
            }
            continue;
        }
        if in_table && !done && line.starts_with(&format!("{key} =")) {
            out.push(format!("{key} = {value}"));
            done = true;
            continue;
        }
        out.push(line.to_string());
    }
    if !done {
        out.push(format!("[{table}]"));
        out.push(format!("{key} = {value}"));
    }
    out.join("\n") + "\n"
}

/// The run fails with exit 1 naming project.toml, a line, the key and what is allowed.
fn refused(table: &str, key: &str, value: &str) -> String {
    let (code, stderr) = assess_edited(|t| set(&t, table, key, value));
    assert_eq!(code, Some(1), "{table}.{key} = {value}: {stderr}");
    let dotted = format!("{table}.{key}");
    assert!(
        stderr.contains("project.toml:") && stderr.contains(&dotted),
        "{dotted} = {value}: {stderr}"
    );
    assert!(stderr.contains("allowed"), "{dotted} = {value}: {stderr}");
    stderr
}

#[test]
fn the_unedited_example_is_accepted() {
    let (code, stderr) = assess_edited(|t| t.replace("planned_far = 4.5", "planned_far = 4.50"));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn non_finite_and_negative_tolerances_are_refused() {
    refused("input", "sliver_floor_m2", "nan");
    refused("input", "sliver_floor_m2", "1e12");
    refused("siting", "tolerance_m2", "-1");
    refused("siting", "tolerance_m2", "inf");
}

#[test]
fn out_of_range_plan_values_are_refused() {
    refused("plan", "planned_far", "100");
    refused("plan", "planned_far", "-1");
    refused("plan", "retained_zone", "99");
    refused("plan", "shared_ratio", "1.5");
    let e = refused("plan", "shared_disposition", "\"C\"");
    assert!(e.contains("\"A\" or \"B\""), "{e}");
}

#[test]
fn a_facility_of_1e308_m2_is_refused() {
    let (code, stderr) =
        assess_edited(|t| t.replace("floor_area_m2 = 5000", "floor_area_m2 = 1e308"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("plan.facilities[0].floor_area_m2"),
        "{stderr}"
    );
}

#[test]
fn function_mix_not_adding_up_to_one_names_the_key() {
    let (code, stderr) = assess_edited(|t| t.replace("share = 0.2 }", "share = 0.3 }"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("plan.function_mix") && stderr.contains("project.toml:"),
        "{stderr}"
    );
}

#[test]
fn implausible_assessment_dates_are_refused() {
    refused("project", "assessment_date", "1900-01-01");
    refused("project", "assessment_date", "9999-12-31");
}

#[test]
fn an_unknown_encoding_is_refused() {
    let e = refused("input", "encoding", "\"klingon\"");
    assert!(e.contains("gbk"), "{e}");
}

/// `input.crs = "garbage"` is a configuration problem (exit 1), not a usage error (2).
#[test]
fn a_garbage_crs_in_the_project_file_exits_1() {
    refused("input", "crs", "\"garbage\"");
}

#[test]
fn a_field_name_the_layer_lacks_is_refused_naming_the_layer_and_its_fields() {
    let (code, stderr) = assess_edited(|t| set(&t, "fields", "parcel_id", "\"nonexistent\""));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("fields.parcel_id")
            && stderr.contains("parcels.geojson")
            && stderr.contains("tenure_code"),
        "{stderr}"
    );
}

/// A CSV override `retained_zone = 3.5` was cast to 3, and NaN to 0.
#[test]
fn batch_override_zones_must_be_whole_numbers() {
    for bad in ["3.5", "NaN"] {
        let root = tempfile::tempdir().unwrap();
        for folder in ["sample", "rules"] {
            let (from, to) = (
                Path::new(MANIFEST).join("data").join(folder),
                root.path().join(folder),
            );
            std::fs::create_dir(&to).unwrap();
            for e in std::fs::read_dir(&from).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
        let district = root.path().join("sample/district.toml");
        let text = std::fs::read_to_string(&district).unwrap().replace(
            "# project_parameters = \"project_parameters.csv\"",
            "project_parameters = \"project_parameters.csv\"",
        );
        std::fs::write(&district, text).unwrap();
        std::fs::write(
            root.path().join("sample/project_parameters.csv"),
            format!("project_id,retained_zone\nGM-001,{bad}\n"),
        )
        .unwrap();
        let o = std::process::Command::new(cargo_bin("landpool"))
            .args(["batch", "--quiet"])
            .arg(&district)
            .arg("--out")
            .arg(root.path().join("out"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let projects = std::fs::read_to_string(root.path().join("out/projects.csv")).unwrap();
        let row = projects
            .lines()
            .find(|l| l.starts_with("GM-001,"))
            .unwrap_or_else(|| panic!("{projects}"));
        assert!(row.contains("failed"), "{bad}: {row}");
        let why = row.contains("whole number") || row.contains("finite number");
        assert!(row.contains("retained_zone") && why, "{bad}: {row}");
    }
}

/// A missing rule-set file printed its OS error twice and did not name `rule_sets.new`.
#[test]
fn a_missing_rule_set_names_its_key_and_the_os_error_once() {
    let (code, stderr) = assess_edited(|t| {
        let start = t.find("new = \"").unwrap();
        let end = start + t[start..].find('\n').unwrap();
        format!(
            "{}new = \"/nonexistent/new.toml\"{}",
            &t[..start],
            &t[end..]
        )
    });
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("rule_sets.new"), "{stderr}");
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

/// A `[project] id` that is not the id of the boundary layer's only feature was accepted
/// and the report carried the wrong id.
#[test]
fn a_project_id_not_in_a_one_feature_boundary_layer_is_refused() {
    let (code, stderr) = assess_edited(|t| t.replace("id = \"EX-A\"", "id = \"EX-Z\""));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("EX-Z") && stderr.contains("boundary"),
        "{stderr}"
    );
}

/// Regression (issue 13): `retained_use = "spaceport"` ran with a warning and exit 0. The use
/// and the zone must be in the rule sets' 深标 table; the message lists what is.
#[test]
fn a_retained_use_or_zone_the_rule_sets_lack_is_refused() {
    let e = refused("plan", "retained_use", "\"spaceport\"");
    assert!(
        e.contains("\"spaceport\"") && e.contains("\"residential\""),
        "{e}"
    );
    assert!(e.contains("project.toml:38:"), "the line of the key: {e}");
    // A use the table has is accepted.
    let (code, stderr) = assess_edited(|t| set(&t, "plan", "retained_use", "\"commercial\""));
    assert_eq!(code, Some(0), "{stderr}");
}

/// Fuzz case: a function-mix use the 2022 rule set has no coefficient for ended in
/// `error: policy: …` naming neither the project file nor the key.
#[test]
fn a_function_mix_use_the_rule_set_lacks_names_the_file_line_and_key() {
    let (code, err) = assess_edited(|t| {
        t.replace(
            "use_id = \"shared_ownership_housing\"",
            "use_id = \"spaceport\"",
        )
    });
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("project.toml:") && err.contains("plan.function_mix[1].use_id"),
        "{err}"
    );
    assert!(err.contains("\"spaceport\"") && err.contains("allowed: \"industrial\""));
    assert!(!err.contains("policy:"), "{err}");
}
