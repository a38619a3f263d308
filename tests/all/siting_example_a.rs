//! Retained-land siting on worked example A (policy.md §9 extended): a 20,000 m² site inside,
//! 12,000 m² sites outside at 15,000 and 9,000 yuan/m² against an on-site 12,000.

use std::path::{Path, PathBuf};

use geo::{MultiPolygon, Polygon, polygon};
use landpool::geom::overlay::OverlayOptions;
use landpool::geom::placement::Placement;
use landpool::geom::topology::self_overlaps;
use landpool::project::{Computation, assess_project_file};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: got {a}, expected {b}");
}

#[test]
fn example_a_shortfall_and_offsite_conversions() {
    let run = assess_project_file(&fixture("example_a/project.toml")).unwrap();
    let Computation::New(a) = &run.report.computation else {
        panic!("2022 rules expected")
    };
    let s = run.report.siting.as_ref().expect("siting section");
    let rights = a.rights_floor_area_m2;
    let required = a.retained.retained_land_area_m2;

    close(s.price_onsite.unwrap(), 12_000.0, 1e-9, "on-site price");
    close(s.fit.inside_m2, 20_000.0, 1e-6, "inside sites");
    close(s.fit.shortfall_m2, required - 20_000.0, 1e-6, "shortfall");
    close(
        s.fit.shortfall_m2,
        9_231.52,
        0.01,
        "shortfall (hand-computed)",
    );

    let site = |id: &str| s.sites.iter().find(|r| r.site_id == id).unwrap();
    let inside = site("S-IN");
    assert_eq!(inside.placement, Placement::Inside);
    let hi = site("S-OUT-HI");
    let lo = site("S-OUT-LO");
    assert_eq!(hi.placement, Placement::Outside);
    assert_eq!(lo.placement, Placement::Outside);
    close(hi.price.unwrap(), 15_000.0, 1e-9, "price of S-OUT-HI");
    close(lo.price.unwrap(), 9_000.0, 1e-9, "price of S-OUT-LO");

    // The whole rights floor area converted at each site's price: policy.md §9's last rows.
    let full_hi = hi.full_rights_conversion.as_ref().unwrap();
    let full_lo = lo.full_rights_conversion.as_ref().unwrap();
    close(
        full_hi.offsite_rights_m2,
        rights * 12_000.0 / 15_000.0,
        1e-6,
        "full @15,000",
    );
    close(
        full_hi.offsite_rights_m2,
        88_029.09,
        0.01,
        "table: 88,029.09",
    );
    close(
        full_lo.offsite_rights_m2,
        rights,
        1e-9,
        "full @9,000 is capped",
    );
    close(
        full_lo.offsite_rights_m2,
        110_036.36,
        0.01,
        "table: 110,036.36",
    );
    assert!(full_lo.capped && !full_hi.capped);

    // The shortfall goes to the first outside site; it carries its share of the rights.
    close(
        hi.shortfall_taken_m2,
        9_231.52,
        0.01,
        "S-OUT-HI takes the shortfall",
    );
    close(
        lo.shortfall_taken_m2,
        0.0,
        1e-12,
        "nothing left for S-OUT-LO",
    );
    let carried = rights * s.fit.shortfall_m2 / required;
    close(
        hi.onsite_rights_m2,
        carried,
        1e-6,
        "rights carried off-site",
    );
    close(
        hi.conversion.as_ref().unwrap().offsite_rights_m2,
        carried * 0.8,
        1e-6,
        "converted at 12,000 / 15,000",
    );
    assert!(
        run.report
            .findings
            .iter()
            .any(|f| f.code == "retained_land_shortfall")
    );
}

#[test]
fn assess_and_siting_give_identical_siting_figures() {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["assess", "--quiet"])
        .arg(fixture("example_a/project.toml"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).unwrap()).unwrap();
    let output = assert_cmd::Command::cargo_bin("landpool")
        .unwrap()
        .args(["siting", "--json"])
        .arg(fixture("example_a/project.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let alone: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["siting"], alone);
    assert!(out.path().join("sites.geojson").is_file());
}

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
    polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)]
}

/// A site with a hole holding another site: no land is counted twice.
#[test]
fn site_in_the_hole_of_another_does_not_overlap() {
    let outer = square(0.0, 0.0, 100.0, 100.0);
    let hole = square(40.0, 40.0, 60.0, 60.0);
    let ring = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]);
    let sites = vec![
        MultiPolygon::new(vec![ring]),
        MultiPolygon::new(vec![hole.clone()]),
        // This one overlaps the ring: must be found.
        MultiPolygon::new(vec![square(90.0, 90.0, 110.0, 110.0)]),
    ];
    let report = self_overlaps(&sites, &OverlayOptions::default());
    let pairs: Vec<(usize, usize)> = report.overlaps.iter().map(|o| (o.a, o.b)).collect();
    assert_eq!(pairs, vec![(0, 2)]);
    close(report.overlaps[0].area, 100.0, 1e-6, "overlap area");
}
