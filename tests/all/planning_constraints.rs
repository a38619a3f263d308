//! Issue 15, parts 1 and 2: constraint layers of every kind, enclaves (开天窗) and
//! contiguity (集中连片), from the hand-made rectangles of tests/data/planning
//! (make_fixtures.py), on the layers of worked example A. Coordinates below are metres
//! from example A's origin; the boundary is x 0–400, y 0–250 (100,000 m²), the counted
//! parcels P1 x 0–80, P2 x 80–200, P3 x 200–360 (90,000 m²), P4 x 360–400 is state
//! reserve (excluded). Sites: S-IN x 0–200 y 0–100, S-OUT-HI x 600–720 y 0–100,
//! S-OUT-LO x 800–920 y 0–100 (S-IN 20,000 m², the others 12,000 m² each).

use std::path::{Path, PathBuf};

use landpool::policy::Severity;
use landpool::policy::planning::ConstraintKind;
use landpool::project::planning::{ConstraintOverlay, PlanningAnalysis};
use landpool::project::{ProjectRun, assess_project_file};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/planning")
        .join(name)
}

fn run(name: &str) -> ProjectRun {
    assess_project_file(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn planning(run: &ProjectRun) -> &PlanningAnalysis {
    run.report.planning.as_ref().expect("a planning section")
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

fn constraint(p: &PlanningAnalysis, kind: ConstraintKind) -> &ConstraintOverlay {
    p.constraints
        .iter()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// (site id, area) of a constraint's sites; parcels likewise.
fn site(c: &ConstraintOverlay, id: &str) -> f64 {
    c.sites
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| panic!("{}: no site {id}", c.name), |s| s.part.area_m2)
}

fn parcels(c: &ConstraintOverlay) -> Vec<(String, f64)> {
    c.parcels
        .iter()
        .map(|p| (p.id.clone(), p.part.area_m2))
        .collect()
}

#[test]
fn every_constraint_kind_measured_by_hand() {
    let r = run("project.toml");
    let p = planning(&r);
    assert_eq!(p.constraints.len(), 9);
    // 生态保护红线 x 150–250, y 50–150: 100 × 100 = 10,000 m² of the boundary (0.1);
    // P2 and P3 50 × 100 = 5,000 each (counted 10,000 / 90,000); S-IN 50 × 50 = 2,500.
    let c = constraint(p, ConstraintKind::EcologicalRedLine);
    close(c.boundary.area_m2, 10_000.0, "red line boundary");
    close(c.boundary.share, 0.1, "red line share");
    close(c.counted_land.area_m2, 10_000.0, "red line counted");
    close(
        c.counted_land.share,
        10_000.0 / 90_000.0,
        "red line counted share",
    );
    assert_eq!(parcels(c), [("P2".into(), 5_000.0), ("P3".into(), 5_000.0)]);
    close(site(c, "S-IN"), 2_500.0, "S-IN on red line");
    close(c.sites[0].part.share, 2_500.0 / 20_000.0, "S-IN share");
    close(site(c, "S-OUT-HI"), 0.0, "S-OUT-HI on red line");
    // 永久基本农田 x 600–650 y 0–50 (S-OUT-HI 2,500 m²) and x 400–450 y 0–250, which only
    // shares the boundary's east edge: no project land.
    let c = constraint(p, ConstraintKind::PermanentBasicFarmland);
    close(c.boundary.area_m2, 0.0, "farmland boundary");
    assert!(c.parcels.is_empty());
    close(site(c, "S-OUT-HI"), 2_500.0, "S-OUT-HI on farmland");
    // 城镇开发边界 x −10–350 y −10–260 and x 590–730 y −10–110: outside it, the boundary's
    // x 350–400 (50 × 250 = 12,500, 0.125), P3's x 350–360 (10 × 250 = 2,500) and the whole
    // of S-OUT-LO (120 × 100 = 12,000); S-IN and S-OUT-HI are inside.
    let c = constraint(p, ConstraintKind::UrbanDevelopmentBoundary);
    assert_eq!(c.measured, "outside");
    close(c.boundary.area_m2, 12_500.0, "outside UDB");
    close(c.boundary.share, 0.125, "outside UDB share");
    assert_eq!(parcels(c), [("P3".into(), 2_500.0)]);
    close(site(c, "S-OUT-LO"), 12_000.0, "S-OUT-LO outside");
    close(site(c, "S-IN"), 0.0, "S-IN outside");
    close(site(c, "S-OUT-HI"), 0.0, "S-OUT-HI outside");
    // 基本生态控制线: x 300–400 and x 350–450 (overlapping), y 200–300: dissolved, the
    // project holds x 300–400, y 200–250 = 5,000 m² (0.05), P3 x 300–360 = 3,000.
    let c = constraint(p, ConstraintKind::EcologicalControlLine);
    close(c.boundary.area_m2, 5_000.0, "control line");
    assert_eq!(parcels(c), [("P3".into(), 3_000.0)]);
    // 生态敏感区 x 0–40: 40 × 250 = 10,000, all on P1.
    let c = constraint(p, ConstraintKind::EcologicallySensitive);
    close(c.boundary.area_m2, 10_000.0, "sensitive");
    assert_eq!(parcels(c), [("P1".into(), 10_000.0)]);
    // 重大项目 x 1000–1100: nothing.
    let c = constraint(p, ConstraintKind::MajorProjectArea);
    close(c.boundary.area_m2, 0.0, "major project");
    // 产业空间整备区 x 360–400 y 0–125: 5,000 of the boundary, none of it counted (P4).
    let c = constraint(p, ConstraintKind::IndustrialConsolidationArea);
    close(c.boundary.area_m2, 5_000.0, "industrial area");
    close(c.counted_land.area_m2, 0.0, "industrial area counted");
    // 综合功能整备区 x 0–80 y 125–250: 80 × 125 = 10,000, on P1.
    let c = constraint(p, ConstraintKind::ComprehensiveFunctionArea);
    assert_eq!(parcels(c), [("P1".into(), 10_000.0)]);
    // 其他 = the boundary: everything, share 1.
    let c = constraint(p, ConstraintKind::Other);
    close(c.boundary.share, 1.0, "other");
    close(c.counted_land.area_m2, 90_000.0, "other counted");
}

#[test]
fn conflicts_are_findings_with_their_severities() {
    let r = run("project.toml");
    let f = &r.report.findings;
    let find = |code: &str| {
        f.iter()
            .filter(|x| x.code == code)
            .map(|x| (x.severity, x.values.get("area_m2").copied().unwrap_or(-1.0)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("site_on_ecological_red_line"),
        [(Severity::Violation, 2_500.0)]
    );
    assert_eq!(
        find("site_on_permanent_basic_farmland"),
        [(Severity::Violation, 2_500.0)]
    );
    assert_eq!(
        find("site_outside_urban_development_boundary"),
        [(Severity::Violation, 12_000.0)]
    );
    assert_eq!(
        find("project_in_ecological_control_line"),
        [(Severity::Warning, 5_000.0)]
    );
    // P4 (x 360–400, 10,000 m²) is the only enclave, along the east edge.
    assert_eq!(find("enclave_notch"), [(Severity::Info, 10_000.0)]);
    assert!(find("enclave_hole").is_empty());
    assert!(find("consolidated_land_fragmented").is_empty());
    // The figures of example A are unchanged by the constraints.
    let json = serde_json::to_value(&r.report.computation).unwrap_or_default();
    close(
        json["rights_floor_area_m2"].as_f64().unwrap_or(0.0),
        110_036.363_636,
        "rights floor area",
    );
}

#[test]
fn example_a_without_constraints_has_no_planning_section() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example_a/project.toml");
    let r = assess_project_file(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.report.planning.is_none());
    let json = serde_json::to_value(&r.report).unwrap_or_default();
    assert!(json.get("planning").is_none());
}

#[test]
fn a_hole_and_a_notch_with_their_parcels() {
    let r = run("project_enclaves.toml");
    let e = &planning(&r).enclaves;
    assert_eq!((e.count, e.holes, e.notches), (2, 1, 1));
    // Hole x 100–200 y 100–150 = 5,000 m²: E (x 120–180, y 110–140, 1,800 m², state
    // reserve) and 3,200 m² no parcel covers. Notch x 320–400 y 100–150 = 4,000 m²: D.
    let hole = &e.enclaves[0];
    assert_eq!(hole.kind, "hole");
    close(hole.area_m2, 5_000.0, "hole");
    assert_eq!(hole.parcels.len(), 1);
    assert_eq!(hole.parcels[0].parcel_id, "E");
    close(hole.parcels[0].area_m2, 1_800.0, "E");
    assert!(hole.parcels[0].reason.is_some());
    close(hole.not_in_parcels_m2, 3_200.0, "hole not in parcels");
    let notch = &e.enclaves[1];
    assert_eq!(notch.kind, "notch");
    close(notch.area_m2, 4_000.0, "notch");
    assert_eq!(notch.parcels[0].parcel_id, "D");
    close(notch.not_in_parcels_m2, 0.0, "notch not in parcels");
    close(e.area_m2, 9_000.0, "enclaves");
    // Consolidated land A + B + C + C2 = 40,000 + 40,000 + 5,000 + 6,000 = 91,000 m², one
    // block. Its perimeter: the outline 1,300 − 50 (the notch's mouth) + 80 + 50 + 80 =
    // 1,460, plus the hole's 300 = 1,760; Polsby–Popper 4π·91,000 / 1,760². The boundary's:
    // 4π·100,000 / 1,300².
    let c = &planning(&r).contiguity;
    assert_eq!(c.components, 1);
    close(c.consolidated_area_m2, 91_000.0, "consolidated");
    close(c.largest_share, 1.0, "largest share");
    let pp = |a: f64, p: f64| 4.0 * std::f64::consts::PI * a / (p * p);
    close(
        c.consolidated_polsby_popper.unwrap_or(0.0),
        pp(91_000.0, 1_760.0),
        "consolidated PP",
    );
    close(
        c.boundary_polsby_popper.unwrap_or(0.0),
        pp(100_000.0, 1_300.0),
        "boundary PP",
    );
    let codes: Vec<(&str, Severity)> = r
        .report
        .findings
        .iter()
        .filter(|f| f.code.as_str().starts_with("enclave"))
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    assert_eq!(
        codes,
        [
            ("enclave_hole", Severity::Warning),
            ("enclave_notch", Severity::Info)
        ]
    );
}

#[test]
fn consolidated_land_split_in_two_blocks() {
    let r = run("project_fragmented.toml");
    let p = planning(&r);
    // A x 0–400 y 0–100 (40,000) and B y 160–250 (36,000), split by the excluded strip M
    // (y 100–160, 24,000 m², a notch touching both side edges).
    let c = &p.contiguity;
    assert_eq!(c.components, 2);
    assert_eq!(c.component_areas_m2, [40_000.0, 36_000.0]);
    close(c.largest_share, 40_000.0 / 76_000.0, "largest share");
    assert_eq!((p.enclaves.count, p.enclaves.notches), (1, 1));
    close(p.enclaves.area_m2, 24_000.0, "strip");
    let f: Vec<_> = r
        .report
        .findings
        .iter()
        .filter(|f| f.code == "consolidated_land_fragmented")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn unknown_kind_names_the_key_and_the_allowed_kinds() {
    let text = std::fs::read_to_string(data("project.toml")).unwrap_or_default();
    let bad = text.replacen(
        "kind = \"permanent_basic_farmland\"",
        "kind = \"farmland\"",
        1,
    );
    let path = data("bad_kind.toml");
    let e = landpool::project::ProjectFile::from_toml_str(&bad, &path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("bad_kind.toml"), "{e}");
    assert!(e.contains("constraints[1].kind"), "{e}");
    assert!(
        e.contains("ecological_red_line") && e.contains("comprehensive_function_area"),
        "{e}"
    );
    // The line of the second [[constraints]] table's kind.
    let line = bad
        .lines()
        .position(|l| l.contains("\"farmland\""))
        .map_or(0, |i| i + 1);
    assert!(
        e.contains(&format!("line {line}")) || e.contains(&format!(":{line}:")),
        "{e}"
    );
}
