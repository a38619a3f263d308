//! `landpool check` (issue 16.4): the committed cases (worked example A, its table, the
//! bundled sample) pass; a case whose expected figure is moved beyond its tolerance fails
//! that figure with exit 1; JUnit XML is well formed.

use std::path::Path;
use std::process::Output;

use assert_cmd::cargo::cargo_bin;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn check(args: &[&str]) -> Output {
    std::process::Command::new(cargo_bin("landpool"))
        .arg("check")
        .args(args)
        .output()
        .expect("run landpool check")
}

#[test]
fn committed_cases_pass() {
    let golden = format!("{MANIFEST}/tests/cases/example_a");
    let table = format!("{MANIFEST}/tests/cases/example_a_table");
    let sample = format!("{MANIFEST}/data/cases/sample");
    let out = check(&[&golden, &table, &sample]);
    // Per-figure lines on stdout, the closing count on stderr.
    let stdout =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("3 case(s): 3 passed, 0 failed"), "{stdout}");
}

/// The worked-example table with one figure moved by 1 m² (tolerance 0.005 m²): that figure
/// fails, the others pass, exit 1, and the JUnit file records one failure.
#[test]
fn a_figure_beyond_its_tolerance_fails_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let case_dir = dir.path().join("moved");
    std::fs::create_dir_all(&case_dir).unwrap();
    let text =
        std::fs::read_to_string(Path::new(MANIFEST).join("tests/cases/example_a_table/case.toml"))
            .unwrap()
            .replace(
                "project = \"../../fixtures/example_a/project.toml\"",
                &format!("project = \"{MANIFEST}/tests/fixtures/example_a/project.toml\""),
            );
    let moved = text.replace(
        "planned_floor_area = { value = 131541.82,",
        "planned_floor_area = { value = 131542.82,",
    );
    assert_ne!(moved, text, "the edit changed nothing");
    std::fs::write(case_dir.join("case.toml"), moved).unwrap();
    let junit = dir.path().join("junit.xml");
    let out = check(&[
        case_dir.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let failing: Vec<&str> = stdout
        .lines()
        // The figure lines are indented; the case's own line starts with FAIL too.
        .filter(|l| l.starts_with("  FAIL"))
        .collect();
    assert_eq!(failing.len(), 1, "{stdout}");
    assert!(failing[0].contains("planned_floor_area"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, 1, "{xml}");
}
