//! Peer test: Almere cadastral plots × zoning-plan designations (georust/geo fixtures) against
//! the GEOS reference overlay (shapely 2.2 / GEOS 3.14.1, zones made valid first).

use crate::common;

use std::collections::BTreeMap;

use geo::{MakeValid, MultiPolygon, Validation};
use landpool::geom::aggregate::{area_conservation, zone_shares};
use landpool::geom::{OverlayOptions, TargetIndex};

struct RefRow {
    plot_area: f64,
    isect_area: f64,
}

fn load() -> (Vec<MultiPolygon<f64>>, Vec<MultiPolygon<f64>>, usize) {
    let plots: Vec<MultiPolygon<f64>> = common::geometries(common::read(&common::data(
        "nl-almere-plots-zones/plots_epsg28992.geojson",
    )));
    let mut repaired = 0;
    let zones: Vec<MultiPolygon<f64>> = common::geometries(common::read(&common::data(
        "nl-almere-plots-zones/zones_epsg28992.geojson",
    )))
    .into_iter()
    .map(|g| {
        if g.is_valid() {
            g
        } else {
            repaired += 1;
            g.make_valid().expect("zone repair")
        }
    })
    .collect();
    (plots, zones, repaired)
}

fn reference() -> BTreeMap<(usize, usize), RefRow> {
    let path = common::data("nl-almere-plots-zones/reference_overlay_plots_x_zones_geos.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("reference csv");
    let mut out = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.expect("csv row");
        let f = |i: usize| rec.get(i).expect("column").parse::<f64>().expect("number");
        out.insert(
            (f(0) as usize, f(1) as usize),
            RefRow {
                plot_area: f(2),
                isect_area: f(3),
            },
        );
    }
    out
}

/// The CSV is written with 6 decimals: ±5e-7 m² of rounding on top of the 1e-6 relative.
const REL: f64 = 1e-6;
const ABS: f64 = 1e-6;

#[test]
fn plots_x_zones_match_geos_reference() {
    let (plots, zones, repaired) = load();
    assert_eq!(plots.len(), 316);
    assert_eq!(zones.len(), 91);
    assert_eq!(repaired, 1, "SOURCE.md: exactly one zone is invalid");
    let reference = reference();
    assert_eq!(reference.len(), 974);

    let opts = OverlayOptions::default();
    let index = TargetIndex::new(&zones);
    let table = index.overlay(&plots, &opts);
    assert!(table.errors.is_empty(), "pair errors: {:?}", table.errors);

    // Plot areas.
    for ((p, _), row) in &reference {
        assert!(
            common::close(table.source_areas[*p], row.plot_area, REL, ABS),
            "plot {p}: area {} vs reference {}",
            table.source_areas[*p],
            row.plot_area
        );
    }
    let total: f64 = table.source_areas.iter().sum();
    assert!(
        common::close(total, 763_889.265_089_996_3, 1e-9, 0.0),
        "{total}"
    );

    // Every counted piece matches a reference row.
    let mut worst = 0.0f64;
    let mut covered = 0;
    let mut mismatches = Vec::new();
    for piece in &table.pieces {
        covered += usize::from(piece.covered);
        let row = reference
            .get(&(piece.source, piece.target))
            .unwrap_or_else(|| {
                panic!(
                    "extra piece plot {} × zone {}: {} m²",
                    piece.source, piece.target, piece.area
                )
            });
        // Below 1 m² the CSV's 6 decimals dominate any relative figure.
        if row.isect_area > 1.0 {
            worst = worst.max((piece.area - row.isect_area).abs() / row.isect_area);
        }
        if !common::close(piece.area, row.isect_area, REL, ABS) {
            mismatches.push(format!(
                "plot {} × zone {}: {} vs reference {} (covered {})",
                piece.source, piece.target, piece.area, row.isect_area, piece.covered
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // Every reference row above the floor is a counted piece.
    let ours: BTreeMap<(usize, usize), f64> = table
        .pieces
        .iter()
        .map(|p| ((p.source, p.target), p.area))
        .collect();
    let mut below_floor = 0;
    for (key, row) in &reference {
        if row.isect_area > opts.sliver_floor {
            assert!(
                ours.contains_key(key),
                "missing piece plot {} × zone {}: reference {} m²",
                key.0,
                key.1,
                row.isect_area
            );
        } else {
            below_floor += 1;
        }
    }
    println!(
        "almere: {} pieces ({} covered short cuts), {} slivers, {} reference rows below the \
         floor, worst relative difference (pieces > 1 m²) {worst:.3e}",
        table.pieces.len(),
        covered,
        table.slivers.len(),
        below_floor
    );
    assert_eq!(table.pieces.len() + below_floor, reference.len());

    // Shares per plot agree with the reference shares' definition.
    let shares = zone_shares(&table);
    assert_eq!(shares.len(), plots.len());
    // Area conservation per plot (zones overlap, so it can be negative; plots at the edge
    // of the plan are partly outside every zone) equals the reference's.
    let mut ref_sum = vec![0.0; plots.len()];
    for ((p, _), row) in &reference {
        ref_sum[*p] += row.isect_area;
    }
    for (i, d) in area_conservation(&table).iter().enumerate() {
        let a = table.source_areas[i];
        let expected = (a - ref_sum[i]) / a;
        assert!(
            (d - expected).abs() < 1e-6,
            "plot {i}: discrepancy {d} vs reference {expected}"
        );
    }
    for (i, row) in shares.iter().enumerate() {
        for z in row {
            assert!((z.share - z.area / table.source_areas[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn thread_count_does_not_change_the_table() {
    let (plots, zones, _) = load();
    let index = TargetIndex::new(&zones);
    let one = index.overlay(
        &plots,
        &OverlayOptions {
            threads: Some(1),
            ..OverlayOptions::default()
        },
    );
    let four = index.overlay(
        &plots,
        &OverlayOptions {
            threads: Some(4),
            ..OverlayOptions::default()
        },
    );
    assert_eq!(one, four);
}

#[test]
fn plot_layer_topology_and_contiguity() {
    use geo::Area;
    use landpool::geom::contiguity::{ContiguityOptions, contiguous_components};
    use landpool::geom::topology::self_overlaps;
    let (plots, _, _) = load();
    // The cadastral plots partition the area: the sum of their areas equals the area of their
    // union (GEOS: 763889.2650899963 vs 763889.2650899959), so no pair overlaps above the floor.
    let report = self_overlaps(&plots, &OverlayOptions::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report.overlaps.is_empty(),
        "unexpected overlaps: {:?}",
        report.overlaps
    );
    let sliver_area: f64 = report.slivers.iter().map(|o| o.area).sum();
    println!(
        "almere self-overlay: {} sliver overlaps totalling {sliver_area:e} m²",
        report.slivers.len()
    );
    // Their union is one polygon (GEOS: 1 part), joined by shared edges.
    let comps = contiguous_components(&plots, &ContiguityOptions::default());
    println!("almere contiguity: {} component(s)", comps.len());
    assert_eq!(comps.len(), 1);
    let total: f64 = plots.iter().map(|p| p.unsigned_area()).sum();
    assert!(common::close(comps[0].area, total, 1e-12, 0.0));
    assert_eq!(comps[0].members, (0..plots.len()).collect::<Vec<_>>());
    // Gaps inside the layer's bounding rectangle: covered area = the plots' area (they do
    // not overlap), gap area = rectangle − plots, and the gap parts add up to it.
    let boundary = geo::MultiPolygon::new(vec![
        geo::BoundingRect::bounding_rect(&geo::MultiPolygon::new(
            plots.iter().flat_map(|p| p.0.clone()).collect(),
        ))
        .expect("bbox")
        .to_polygon(),
    ]);
    let gaps = landpool::geom::topology::gaps(&boundary, &plots, 1e-3).expect("gaps");
    assert!(
        common::close(gaps.covered_area, total, 1e-7, 0.0),
        "{}",
        gaps.covered_area
    );
    assert!(common::close(
        gaps.gap_area,
        gaps.boundary_area - total,
        1e-6,
        0.0
    ));
    let parts: f64 = gaps.gaps.iter().map(|p| p.unsigned_area()).sum();
    assert!(
        // BooleanOps (snap-rounded) difference: a few 1e-9 relative.
        common::close(parts, gaps.gap_area, 1e-8, 0.0),
        "parts {parts} gap {} boundary {} covered {}",
        gaps.gap_area,
        gaps.boundary_area,
        gaps.covered_area
    );
}
