//! Retained-land placement against a real boundary: 光明区 (Guangming, adcode 440311) from
//! the DataV export (GCJ-02 → WGS84 → EPSG:4547), with sites built from its own vertices:
//! well inside, far outside, across an edge, sharing an edge from inside, touching at one
//! vertex from outside, and a 1e-4 m² overshoot under the digitising tolerance.

use std::path::Path;

use geo::{
    Area, BoundingRect, Coord, Distance, Euclidean, InteriorPoint, LineString, MultiPolygon, Point,
    Polygon, Relate,
};
use landpool::geom::placement::{Placement, SitePlacement, place_sites};
use landpool::io::crs::{Crs, reproject_layer};
use landpool::io::{ReadOptions, read_layer};

const DATAV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/shenzhen-districts/datav_gcj02/440300_full.json"
);

/// The digitising tolerance of the sample project ([siting] tolerance_m2).
const TOLERANCE_M2: f64 = 0.01;

fn guangming() -> MultiPolygon<f64> {
    let opts = ReadOptions {
        assume_crs: Some(Crs::gcj02()),
        ..Default::default()
    };
    let mut layer = read_layer(Path::new(DATAV), &opts).expect("read DataV districts");
    reproject_layer(&mut layer, &Crs::parse("EPSG:4547").unwrap()).expect("to EPSG:4547");
    let gm = layer
        .features
        .iter()
        .find(|f| layer.attr(f, "adcode").and_then(|v| v.as_f64()) == Some(440_311.0))
        .expect("光明区 (adcode 440311)");
    assert_eq!(
        layer.attr(gm, "name").map(|v| v.to_string()).as_deref(),
        Some("光明区")
    );
    gm.geometry.clone()
}

/// The exterior ring of the largest polygon (the district proper).
fn main_ring(b: &MultiPolygon<f64>) -> Vec<Coord<f64>> {
    let largest =
        b.0.iter()
            .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
            .expect("a polygon");
    largest.exterior().0.clone()
}

fn mp(ring: Vec<Coord<f64>>) -> MultiPolygon<f64> {
    MultiPolygon::new(vec![Polygon::new(LineString::new(ring), vec![])])
}

fn square(cx: f64, cy: f64, half: f64) -> MultiPolygon<f64> {
    mp(vec![
        Coord {
            x: cx - half,
            y: cy - half,
        },
        Coord {
            x: cx + half,
            y: cy - half,
        },
        Coord {
            x: cx + half,
            y: cy + half,
        },
        Coord {
            x: cx - half,
            y: cy + half,
        },
        Coord {
            x: cx - half,
            y: cy - half,
        },
    ])
}

fn place(site: &MultiPolygon<f64>, boundary: &MultiPolygon<f64>) -> SitePlacement {
    place_sites(std::slice::from_ref(site), boundary, TOLERANCE_M2)
        .remove(0)
        .expect("placement")
}

fn rel_close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1e-300),
        "{what}: got {a}, expected {b} (rel {rel})"
    );
}

/// inside + outside = site area, within 1e-6 relative.
fn areas_add_up(p: &SitePlacement, site: &MultiPolygon<f64>, what: &str) {
    rel_close(
        p.area,
        site.unsigned_area(),
        1e-9,
        &format!("{what}: site area"),
    );
    rel_close(
        p.inside_area + p.outside_area,
        p.area,
        1e-6,
        &format!("{what}: inside + outside"),
    );
}

fn sub(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    Coord {
        x: a.x - b.x,
        y: a.y - b.y,
    }
}

fn len(v: Coord<f64>) -> f64 {
    v.x.hypot(v.y)
}

/// Index `i` of the longest edge ring[i] → ring[i + 1].
fn longest_edge(ring: &[Coord<f64>]) -> usize {
    (0..ring.len() - 1)
        .max_by(|&i, &j| len(sub(ring[i + 1], ring[i])).total_cmp(&len(sub(ring[j + 1], ring[j]))))
        .unwrap()
}

/// Distance from `p` to every boundary edge except edge `skip` of the main ring.
fn distance_to_edges(
    b: &MultiPolygon<f64>,
    ring: &[Coord<f64>],
    skip: Option<usize>,
    p: Point,
) -> f64 {
    let mut d = f64::INFINITY;
    for poly in &b.0 {
        for r in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for line in r.lines() {
                let same = skip.is_some_and(|i| line.start == ring[i] && line.end == ring[i + 1]);
                if !same {
                    d = d.min(Euclidean.distance(&p, &line));
                }
            }
        }
    }
    d
}

/// Unit normal of edge `i` pointing into the district.
fn inward_normal(b: &MultiPolygon<f64>, ring: &[Coord<f64>], i: usize) -> Coord<f64> {
    let e = sub(ring[i + 1], ring[i]);
    let l = len(e);
    let n = Coord {
        x: -e.y / l,
        y: e.x / l,
    };
    let mid = Coord {
        x: (ring[i].x + ring[i + 1].x) / 2.0,
        y: (ring[i].y + ring[i + 1].y) / 2.0,
    };
    let probe = Point::from(Coord {
        x: mid.x + n.x,
        y: mid.y + n.y,
    });
    if b.relate(&probe).is_contains() {
        n
    } else {
        Coord { x: -n.x, y: -n.y }
    }
}

#[test]
fn guangming_area_and_self_placement() {
    let b = guangming();
    let km2 = b.unsigned_area() / 1e6;
    eprintln!("光明区 in EPSG:4547: {km2:.4} km²");
    // SOURCE.md: ≈ 155.93 km² in an Albers equal-area projection; EPSG:4547 (central
    // meridian 114°E, Guangming at ≈ 113.9°E) distorts areas by far less than 0.1 %.
    rel_close(km2, 155.93, 1e-3, "光明区 area against SOURCE.md");
    // Measured here and by the IO tests' reprojection: 155.8258 km².
    rel_close(km2, 155.8258, 1e-5, "光明区 area as measured");
    // The district placed against itself lies wholly inside, with its whole area.
    let p = place(&b, &b);
    assert_eq!(p.placement, Placement::Inside);
    rel_close(p.inside_area, b.unsigned_area(), 1e-9, "self inside area");
    assert!(p.outside_area <= TOLERANCE_M2, "{}", p.outside_area);
}

#[test]
fn guangming_inside_outside_and_across() {
    let b = guangming();
    let ring = main_ring(&b);

    // Well inside: a square around an interior point, a quarter of its clearance wide.
    let ip = b.interior_point().expect("interior point");
    let clearance = distance_to_edges(&b, &ring, None, ip);
    let half = (clearance / 4.0).min(200.0);
    assert!(
        half > 1.0,
        "interior point too close to the boundary: {clearance}"
    );
    let inside = square(ip.x(), ip.y(), half);
    let p = place(&inside, &b);
    assert_eq!(p.placement, Placement::Inside);
    assert!(!p.tolerance_used);
    areas_add_up(&p, &inside, "inside square");
    rel_close(p.inside_area, 4.0 * half * half, 1e-9, "inside square area");

    // Far outside: 50 km east of the district's extent.
    let bbox = b.bounding_rect().unwrap();
    let outside = square(bbox.max().x + 50_000.0, bbox.center().y, 100.0);
    let p = place(&outside, &b);
    assert_eq!(p.placement, Placement::Outside);
    assert_eq!(p.inside_area, 0.0);
    assert!(!p.tolerance_used);
    areas_add_up(&p, &outside, "outside square");

    // Across: a square centred on the midpoint of the longest edge. Any line through the
    // centre of a square halves it, so inside = outside = area / 2 as long as no other
    // part of the boundary comes near the square (checked).
    let i = longest_edge(&ring);
    let (a, c) = (ring[i], ring[i + 1]);
    let mid = Point::new((a.x + c.x) / 2.0, (a.y + c.y) / 2.0);
    let half = (len(sub(c, a)) / 4.0).min(25.0);
    assert!(
        distance_to_edges(&b, &ring, Some(i), mid) > half * 2.0_f64.sqrt() * 1.01,
        "another edge comes near the test square"
    );
    let across = square(mid.x(), mid.y(), half);
    let p = place(&across, &b);
    assert_eq!(p.placement, Placement::Straddling);
    assert!(!p.tolerance_used);
    areas_add_up(&p, &across, "across square");
    let area = 4.0 * half * half;
    rel_close(p.inside_area, area / 2.0, 1e-6, "across: inside half");
    rel_close(p.outside_area, area / 2.0, 1e-6, "across: outside half");
}

#[test]
fn guangming_on_the_edge_at_a_vertex_and_overshoot() {
    let b = guangming();
    let ring = main_ring(&b);
    let i = longest_edge(&ring);
    let (a, c) = (ring[i], ring[i + 1]);
    let n = inward_normal(&b, &ring, i);
    let edge_len = len(sub(c, a));
    let mid = Coord {
        x: (a.x + c.x) / 2.0,
        y: (a.y + c.y) / 2.0,
    };

    // Sharing the whole edge from inside: the triangle of the edge's two vertices (the
    // boundary's own coordinates) and a point 1 m inside. Checked with the DE-9IM relate
    // first, so the test says something about placement, not about the construction.
    let apex = Coord {
        x: mid.x + n.x,
        y: mid.y + n.y,
    };
    let on_edge = mp(vec![a, c, apex, a]);
    assert!(
        b.relate(&on_edge).is_covers(),
        "construction: triangle not covered"
    );
    let p = place(&on_edge, &b);
    assert_eq!(p.placement, Placement::Inside);
    areas_add_up(&p, &on_edge, "triangle on the edge");
    rel_close(
        p.inside_area,
        edge_len / 2.0,
        1e-6,
        "triangle on the edge area",
    );
    assert!(
        p.outside_area <= 1e-6,
        "no land outside, got {} m²",
        p.outside_area
    );
    assert_eq!(p.tolerance_used, p.outside_area > 0.0);

    // Touching from outside at one vertex only: a 2 m square with a corner on a convex
    // vertex, pointing away from the district along the outer bisector.
    let mut touching = None;
    for k in 1..ring.len() - 1 {
        let v = ring[k];
        let (u1, u2) = (sub(ring[k - 1], v), sub(ring[k + 1], v));
        let (l1, l2) = (len(u1), len(u2));
        if l1 < 5.0 || l2 < 5.0 {
            continue;
        }
        let bis = Coord {
            x: u1.x / l1 + u2.x / l2,
            y: u1.y / l1 + u2.y / l2,
        };
        let lb = len(bis);
        if lb < 0.2 {
            continue; // nearly straight: no clear outside wedge
        }
        let out = Coord {
            x: -bis.x / lb,
            y: -bis.y / lb,
        };
        // The square's sides leave v at ±45° from the outer bisector.
        let s = 2.0 / 2.0_f64.sqrt();
        let r1 = Coord {
            x: s * (out.x - out.y),
            y: s * (out.y + out.x),
        };
        let r2 = Coord {
            x: s * (out.x + out.y),
            y: s * (out.y - out.x),
        };
        let sq = mp(vec![
            v,
            Coord {
                x: v.x + r1.x,
                y: v.y + r1.y,
            },
            Coord {
                x: v.x + r1.x + r2.x,
                y: v.y + r1.y + r2.y,
            },
            Coord {
                x: v.x + r2.x,
                y: v.y + r2.y,
            },
            v,
        ]);
        if b.relate(&sq).is_touches() {
            touching = Some(sq);
            break;
        }
    }
    let touching = touching.expect("a vertex where a square touches from outside");
    let p = place(&touching, &b);
    assert_eq!(p.placement, Placement::Outside);
    areas_add_up(&p, &touching, "square at a vertex");
    assert!(p.inside_area <= 1e-6, "{}", p.inside_area);
    assert_eq!(p.tolerance_used, p.inside_area > 0.0);

    // A 1e-4 m² overshoot: a 0.1 m stretch of the edge's middle, 10 m inward and 1 mm
    // outward (0.1 × 0.001 = 1e-4 m²): inside under the 0.01 m² tolerance, and reported.
    let t = Coord {
        x: (c.x - a.x) / edge_len,
        y: (c.y - a.y) / edge_len,
    };
    let at = |along: f64, across: f64| Coord {
        x: mid.x + t.x * along + n.x * across,
        y: mid.y + t.y * along + n.y * across,
    };
    let over = mp(vec![
        at(-0.05, -0.001),
        at(0.05, -0.001),
        at(0.05, 10.0),
        at(-0.05, 10.0),
        at(-0.05, -0.001),
    ]);
    let p = place(&over, &b);
    eprintln!(
        "overshoot: outside {:e} m² of {} m²",
        p.outside_area, p.area
    );
    assert_eq!(p.placement, Placement::Inside);
    assert!(p.tolerance_used, "the tolerance decided it");
    areas_add_up(&p, &over, "overshoot");
    rel_close(p.outside_area, 1e-4, 0.05, "overshoot area");
}
