//! Peer suite: the JTS XML tests (locationtech/jts `testxml`, as shipped in
//! tests/data/jts-testxml), run against landpool's area kernels and geo's predicates.
//!
//! * Overlay ops on polygonal operands (`intersection[NG]`, `union[NG]`, `difference[NG]`,
//!   `symdifference[NG]`): landpool computes only the intersection *area* a∩b, so each op
//!   is checked by its area: ∩ = a∩b, ∪ = |A| + |B| − a∩b, A−B = |A| − a∩b, Δ = |A| + |B| −
//!   2·a∩b, against the area of the expected geometry, within 1e-9 of |A| + |B|.
//! * `overlayAreaTest` (robust/overlay): the file only says "true" (JTS's OverlayArea agrees
//!   with its OverlayNG); here the default kernel must agree with plain geo BooleanOps within
//!   1e-6 of |A| + |B| (JTS's normalisation and threshold), and with the triangulated and,
//!   where an operand is convex, the Sutherland–Hodgman kernels within 1e-9 of |A| + |B|.
//! * Predicates (`intersects`, `contains`, `covers`, `coveredBy`, `within`, `relate`): geo's
//!   `Relate`; for polygonal pairs, the engine's covered short cut is also checked against
//!   `covers`.
//!
//! * Validity (`isValid` in TestValid*.xml, TestInvalid*.xml) on polygonal operands:
//!   `geom::validity::validate_geometry` must agree with JTS, and where the case's
//!   description names the JTS error in parentheses, one reported problem must be of that
//!   JTS class.
//!
//! Counts are printed; every skip is listed with its reason; any failure not in the
//! allow-list (each entry with the reason found when investigating it) fails the test.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Area, Geometry, MultiPolygon, Relate};
use landpool::geom::clip::{
    AreaOperand, BooleanOpsKernel, ConvexClipKernel, DefaultKernel, TriangulatedClipKernel,
};
use landpool::geom::validity::{ProblemKind, make_valid_geometry, validate_geometry};
use landpool::geom::{IntersectionAreaKernel, OverlayOptions, overlay_areas};
use wkt::TryFromWkt;

const AREA_FILES: &[&str] = &[
    "general/TestOverlayAA.xml",
    "general/TestOverlayAAPrec.xml",
    "general/TestNGOverlayA.xml",
    "general/TestNGOverlayAPrec.xml",
    "misc/TestOverlay.xml",
];
const PREDICATE_FILES: &[&str] = &[
    "general/TestRelateAA.xml",
    "general/TestPreparedPolygonPredicate.xml",
];

/// Known failures: (file, case number (1-based), op) → reason found when investigating.
const ALLOWED_FAILURES: &[(&str, usize, &str, &str)] = &[(
    "misc/TestOverlay.xml",
    2,
    "union",
    "GEOS #488, a robustness regression case (almost-coincident segments; it only has to \
     produce a valid result). Investigated: the expected union has area 7.68600e-5, i.e. it \
     implies a∩b = 3.836e-7, while two independent methods agree on a∩b = 4.84695e-7 \
     (earcut + Sutherland-Hodgman: 4.846950100e-7; geo/i_overlay: 4.846949998e-7) and geo's \
     own union has area 7.67579e-5 = |A| + |B| - a∩b. Both operands are valid. The expected \
     geometry was produced by a snapping overlay that moved the near-coincident edges.",
)];

#[derive(Default)]
struct Tally {
    pass: usize,
    skip: BTreeMap<String, Vec<String>>,
    fail: Vec<String>,
    allowed: Vec<String>,
}

impl Tally {
    fn skip(&mut self, reason: &str, what: String) {
        self.skip.entry(reason.to_string()).or_default().push(what);
    }
    fn fail(&mut self, file: &str, case: usize, op: &str, msg: String) {
        let what = format!("{file} case {case} {op}: {msg}");
        match ALLOWED_FAILURES
            .iter()
            .find(|(f, c, o, _)| *f == file && *c == case && *o == op)
        {
            Some((_, _, _, reason)) => self.allowed.push(format!("{what} [allowed: {reason}]")),
            None => self.fail.push(what),
        }
    }
    fn report(&self, title: &str) {
        let skipped: usize = self.skip.values().map(Vec::len).sum();
        println!(
            "== {title}: pass {} / skip {} / fail {} / allowed failures {}",
            self.pass,
            skipped,
            self.fail.len(),
            self.allowed.len()
        );
        for (reason, items) in &self.skip {
            println!("  skip ({} × {reason}):", items.len());
            for i in items {
                println!("    {i}");
            }
        }
        for a in &self.allowed {
            println!("  ALLOWED FAILURE {a}");
        }
        for f in &self.fail {
            println!("  FAIL {f}");
        }
    }
}

struct Op {
    name: String,
    args: [String; 3],
    expected: String,
}

struct Case {
    number: usize,
    desc: String,
    a: Option<String>,
    b: Option<String>,
    ops: Vec<Op>,
}

struct Run {
    fixed_precision: bool,
    cases: Vec<Case>,
}

fn parse_file(rel: &str) -> Run {
    let path = common::data(&format!("jts-testxml/testxml/{rel}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let root = doc.root_element();
    let fixed_precision = root
        .children()
        .find(|n| n.has_tag_name("precisionModel"))
        .is_some_and(|pm| {
            pm.attribute("type").is_some_and(|t| t == "FIXED") || pm.attribute("scale").is_some()
        });
    let text_of = |n: roxmltree::Node<'_, '_>| -> String {
        n.children()
            .filter_map(|c| c.text())
            .collect::<String>()
            .trim()
            .to_string()
    };
    let mut cases = Vec::new();
    for (k, case) in root
        .children()
        .filter(|n| n.has_tag_name("case"))
        .enumerate()
    {
        let child = |tag: &str| case.children().find(|n| n.has_tag_name(tag)).map(text_of);
        let mut ops = Vec::new();
        for test in case.children().filter(|n| n.has_tag_name("test")) {
            for op in test.children().filter(|n| n.has_tag_name("op")) {
                let attr = |n: &str| op.attribute(n).unwrap_or_default().to_string();
                ops.push(Op {
                    name: attr("name"),
                    args: [attr("arg1"), attr("arg2"), attr("arg3")],
                    expected: text_of(op),
                });
            }
        }
        cases.push(Case {
            number: k + 1,
            desc: child("desc").unwrap_or_default(),
            a: child("a"),
            b: child("b"),
            ops,
        });
    }
    Run {
        fixed_precision,
        cases,
    }
}

/// WKT, or hex WKB (some robust cases are written that way).
fn parse_wkt(s: &str) -> Result<Geometry<f64>, String> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()) {
        let bytes: Vec<u8> = (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let mut r = WkbReader { b: &bytes, pos: 0 };
        return r.geometry();
    }
    Geometry::<f64>::try_from_wkt_str(s).map_err(|e| format!("{e}"))
}

/// A minimal (E)WKB reader for the suite's hex operands: 2-D, Z and M are read and dropped.
struct WkbReader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl WkbReader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let out: [u8; N] = self
            .b
            .get(self.pos..self.pos + N)
            .ok_or("WKB truncated")?
            .try_into()
            .map_err(|_| "WKB truncated")?;
        self.pos += N;
        Ok(out)
    }
    fn u32(&mut self, le: bool) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
    fn f64(&mut self, le: bool) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if le {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }
    fn coords(&mut self, le: bool, dims: usize) -> Result<Vec<geo::Coord<f64>>, String> {
        let n = self.u32(le)?;
        (0..n)
            .map(|_| {
                let x = self.f64(le)?;
                let y = self.f64(le)?;
                for _ in 2..dims {
                    self.f64(le)?;
                }
                Ok(geo::Coord { x, y })
            })
            .collect()
    }
    fn geometry(&mut self) -> Result<Geometry<f64>, String> {
        let le = self.take::<1>()?[0] == 1;
        let raw = self.u32(le)?;
        let mut dims = 2;
        if raw & 0x8000_0000 != 0 {
            dims += 1;
        }
        if raw & 0x4000_0000 != 0 {
            dims += 1;
        }
        if raw & 0x2000_0000 != 0 {
            self.u32(le)?; // SRID
        }
        let iso = raw & 0x0FFF_FFFF;
        dims += match iso / 1000 {
            1 | 2 => 1,
            3 => 2,
            _ => 0,
        };
        let ty = iso % 1000;
        let polygon = |r: &mut Self| -> Result<geo::Polygon<f64>, String> {
            let n = r.u32(le)?;
            let mut rings = (0..n)
                .map(|_| r.coords(le, dims).map(geo::LineString::new))
                .collect::<Result<Vec<_>, _>>()?;
            if rings.is_empty() {
                return Ok(geo::Polygon::new(geo::LineString::new(vec![]), vec![]));
            }
            let shell = rings.remove(0);
            Ok(geo::Polygon::new(shell, rings))
        };
        Ok(match ty {
            1 => {
                let c = (self.f64(le)?, self.f64(le)?);
                for _ in 2..dims {
                    self.f64(le)?;
                }
                Geometry::Point(c.into())
            }
            2 => Geometry::LineString(geo::LineString::new(self.coords(le, dims)?)),
            3 => Geometry::Polygon(polygon(self)?),
            4..=7 => {
                let n = self.u32(le)?;
                let parts = (0..n)
                    .map(|_| self.geometry())
                    .collect::<Result<Vec<_>, _>>()?;
                if ty == 6 {
                    let polys = parts
                        .into_iter()
                        .map(|g| match g {
                            Geometry::Polygon(p) => Ok(p),
                            _ => Err("MULTIPOLYGON part is not a polygon".to_string()),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Geometry::MultiPolygon(geo::MultiPolygon::new(polys))
                } else {
                    Geometry::GeometryCollection(geo::GeometryCollection::new_from(parts))
                }
            }
            other => return Err(format!("WKB geometry type {other} not supported")),
        })
    }
}

fn polygonal(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        Geometry::Rect(r) => Some(MultiPolygon::new(vec![r.to_polygon()])),
        _ => None,
    }
}

fn isect_area(
    kernel: &dyn IntersectionAreaKernel,
    a: &MultiPolygon<f64>,
    b: &MultiPolygon<f64>,
) -> f64 {
    match (AreaOperand::new(a), AreaOperand::new(b)) {
        (Some(oa), Some(ob)) => kernel
            .intersection_area(&oa, &ob)
            .unwrap_or_else(|e| panic!("kernel {}: {e}", kernel.name())),
        _ => 0.0,
    }
}

/// Resolves an op argument ("A"/"B", case-insensitive) to the case's geometry text.
fn arg<'c>(case: &'c Case, name: &str) -> Option<&'c String> {
    match name.to_ascii_uppercase().as_str() {
        "A" => case.a.as_ref(),
        "B" => case.b.as_ref(),
        _ => None,
    }
}

fn run_area_file(rel: &str, tally: &mut Tally) {
    let run = parse_file(rel);
    for case in &run.cases {
        for op in &case.ops {
            let what = format!("{rel} case {} ({}) {}", case.number, case.desc, op.name);
            let base = op.name.trim_end_matches("NG").trim_end_matches("SR");
            if !matches!(
                base,
                "intersection" | "union" | "difference" | "symdifference"
            ) {
                tally.skip("op not about polygon overlay area", what);
                continue;
            }
            if op.name.ends_with("SR") {
                tally.skip(
                    "snap-rounding op (…SR, grid size in arg3): expected result is snapped",
                    what,
                );
                continue;
            }
            if run.fixed_precision {
                tally.skip(
                    "fixed precision model: expected result is snap-rounded to a grid",
                    what,
                );
                continue;
            }
            let (Some(ta), Some(tb)) = (arg(case, &op.args[0]), arg(case, &op.args[1])) else {
                tally.skip("unary op or missing operand", what);
                continue;
            };
            let (ga, gb, ge) = match (parse_wkt(ta), parse_wkt(tb), parse_wkt(&op.expected)) {
                (Ok(a), Ok(b), Ok(e)) => (a, b, e),
                (a, b, e) => {
                    let msg = [a.err(), b.err(), e.err()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("; ");
                    tally.skip("operand not readable as WKT", format!("{what}: {msg}"));
                    continue;
                }
            };
            let (Some(a), Some(b)) = (polygonal(&ga), polygonal(&gb)) else {
                tally.skip("non-polygonal operand", what);
                continue;
            };
            let area_a = a.unsigned_area();
            let area_b = b.unsigned_area();
            let i = isect_area(&DefaultKernel, &a, &b);
            let ours = match base {
                "intersection" => i,
                "union" => area_a + area_b - i,
                "difference" => area_a - i,
                _ => area_a + area_b - 2.0 * i,
            };
            let expected = ge.unsigned_area();
            let tol = 1e-9 * (area_a + area_b).max(1e-300);
            if (ours - expected).abs() <= tol {
                tally.pass += 1;
            } else {
                tally.fail(
                    rel,
                    case.number,
                    &op.name,
                    format!("area {ours} expected {expected} (a∩b = {i})"),
                );
            }
        }
    }
}

fn run_overlay_area_tests(tally: &mut Tally) {
    let dir = common::data("jts-testxml/testxml/robust/overlay");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("robust/overlay")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    files.sort();
    for name in files {
        let rel = format!("robust/overlay/{name}");
        let run = parse_file(&rel);
        for case in &run.cases {
            for op in case.ops.iter().filter(|o| o.name == "overlayAreaTest") {
                let what = format!("{rel} case {} ({})", case.number, case.desc);
                let (Some(ta), Some(tb)) = (arg(case, &op.args[0]), arg(case, &op.args[1])) else {
                    tally.skip("missing operand", what);
                    continue;
                };
                let (ga, gb) = match (parse_wkt(ta), parse_wkt(tb)) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(e), _) | (_, Err(e)) => {
                        tally.skip("operand not readable as WKT", format!("{what}: {e}"));
                        continue;
                    }
                };
                let (Some(a), Some(b)) = (polygonal(&ga), polygonal(&gb)) else {
                    tally.skip("non-polygonal operand", what);
                    continue;
                };
                // JTS/GEOS normalise the area delta by the total area of the operands.
                let scale = (a.unsigned_area() + b.unsigned_area()).max(1e-300);
                let ours = isect_area(&DefaultKernel, &a, &b);
                let geo_plain = isect_area(&BooleanOpsKernel { preclip: false }, &a, &b);
                let mut ok = (ours - geo_plain).abs() <= 1e-6 * scale;
                let tri = isect_area(&TriangulatedClipKernel, &a, &b);
                ok &= (ours - tri).abs() <= 1e-9 * scale;
                let mut msg =
                    format!("default {ours} vs geo BooleanOps {geo_plain}, triangulated {tri}");
                let oa = AreaOperand::new(&a);
                let ob = AreaOperand::new(&b);
                if let (Some(oa), Some(ob)) = (oa, ob)
                    && (oa.convex_ring.is_some() || ob.convex_ring.is_some())
                {
                    let sh = ConvexClipKernel
                        .intersection_area(&oa, &ob)
                        .expect("one operand is convex");
                    ok &= (ours - sh).abs() <= 1e-9 * scale;
                    msg.push_str(&format!(", SH {sh}"));
                }
                if ok {
                    tally.pass += 1;
                } else {
                    tally.fail(&rel, case.number, &op.name, msg);
                }
            }
        }
    }
}

fn run_predicate_file(rel: &str, tally: &mut Tally) {
    let run = parse_file(rel);
    for case in &run.cases {
        for op in &case.ops {
            let what = format!("{rel} case {} ({}) {}", case.number, case.desc, op.name);
            let (Some(ta), Some(tb)) = (arg(case, &op.args[0]), arg(case, &op.args[1])) else {
                tally.skip("unary op or missing operand", what);
                continue;
            };
            let (Ok(a), Ok(b)) = (parse_wkt(ta), parse_wkt(tb)) else {
                tally.skip("operand not readable as WKT", what);
                continue;
            };
            let expected = match op.expected.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    tally.skip("expected value is not a boolean", what);
                    continue;
                }
            };
            let im = a.relate(&b);
            let got = match op.name.as_str() {
                "intersects" => im.is_intersects(),
                "contains" => im.is_contains(),
                "covers" => im.is_covers(),
                "coveredBy" => im.is_coveredby(),
                "within" => im.is_within(),
                "disjoint" => !im.is_intersects(),
                "relate" => match im.matches(&op.args[2]) {
                    Ok(m) => m,
                    Err(e) => {
                        tally.skip("bad relate pattern", format!("{what}: {e:?}"));
                        continue;
                    }
                },
                _ => {
                    tally.skip("predicate not mapped", what);
                    continue;
                }
            };
            if got != expected {
                tally.fail(
                    rel,
                    case.number,
                    &op.name,
                    format!("geo says {got}, expected {expected}"),
                );
                continue;
            }
            // The engine's covered short cut must never claim more than `covers`.
            if op.name == "covers"
                && let (Some(pa), Some(pb)) = (polygonal(&a), polygonal(&b))
            {
                let t = overlay_areas(
                    std::slice::from_ref(&pb),
                    std::slice::from_ref(&pa),
                    &OverlayOptions {
                        sliver_floor: 0.0,
                        threads: Some(1),
                    },
                );
                if t.pieces.iter().any(|p| p.covered) && !expected {
                    tally.fail(
                        rel,
                        case.number,
                        "covers (engine short cut)",
                        "overlay marked B covered by A".into(),
                    );
                    continue;
                }
            }
            tally.pass += 1;
        }
    }
}

#[test]
fn jts_overlay_area_suite() {
    let mut tally = Tally::default();
    for f in AREA_FILES {
        assert!(
            Path::new(&common::data(&format!("jts-testxml/testxml/{f}"))).exists(),
            "{f}"
        );
        run_area_file(f, &mut tally);
    }
    tally.report("JTS overlay (area of result)");
    assert!(tally.pass >= 100, "too few checks ran: {}", tally.pass);
    // Every allow-listed failure still fails (a fixed one must leave the list).
    assert_eq!(tally.allowed.len(), ALLOWED_FAILURES.len());
    assert!(
        tally.fail.is_empty(),
        "{} unexplained failures",
        tally.fail.len()
    );
}

#[test]
fn jts_robust_overlay_area_tests() {
    let mut tally = Tally::default();
    run_overlay_area_tests(&mut tally);
    tally.report("JTS robust/overlay overlayAreaTest");
    assert!(tally.pass >= 20, "too few checks ran: {}", tally.pass);
    assert!(
        tally.fail.is_empty(),
        "{} unexplained failures",
        tally.fail.len()
    );
}

#[test]
fn jts_polygon_predicates() {
    let mut tally = Tally::default();
    for f in PREDICATE_FILES {
        run_predicate_file(f, &mut tally);
    }
    tally.report("JTS polygon predicates");
    assert!(tally.pass >= 80, "too few checks ran: {}", tally.pass);
    assert!(
        tally.fail.is_empty(),
        "{} unexplained failures",
        tally.fail.len()
    );
}

const VALIDITY_FILES: &[&str] = &[
    "general/TestValid.xml",
    "general/TestValid2.xml",
    "general/TestValid2-big.xml",
    "misc/TestValid.xml",
    "misc/TestInvalidA.xml",
];

/// Validity cases where landpool deliberately differs from JTS: (file, case) → reason.
const VALIDITY_EXCEPTIONS: &[(&str, usize, &str)] = &[
    (
        "general/TestValid.xml",
        16,
        "POLYGON (EMPTY, EMPTY, EMPTY): valid for JTS (an empty geometry), but landpool reports \
         an empty geometry as a problem (kind Empty: a null parcel cannot be measured) and \
         lists it as unusable",
    ),
    (
        "general/TestValid2.xml",
        747,
        "POLYGON EMPTY: valid for JTS, reported as Empty by landpool (as case 16)",
    ),
];

/// TestInvalidA descriptions name no JTS error; these cases' classes (JTS 1.20 `IsValidOp`
/// on the same input) are asserted explicitly.
const INVALID_A_CLASSES: &[(usize, &str)] = &[
    (1, "Ring Self-intersection"),
    (4, "Ring Self-intersection"),
    (32, "Self-intersection"),
    (47, "Hole lies outside shell"),
    (50, "Hole lies outside shell"),
    (51, "Interior is disconnected"),
    (56, "Nested holes"),
    (57, "Interior is disconnected"),
    (58, "Interior is disconnected"),
    (63, "Nested shells"),
    (64, "Nested shells"),
];

/// The JTS error named in parentheses at the end of a case description, if any.
fn jts_error_in_desc(desc: &str) -> Option<&'static str> {
    let d = desc.to_ascii_lowercase();
    let open = d.rfind('(')?;
    let named = &d[open..];
    [
        ("self-intersection", "Self-intersection"),
        (
            "too few distinct points",
            "Too few distinct points in geometry component",
        ),
        ("hole outside shell", "Hole lies outside shell"),
        ("nested holes", "Nested holes"),
        ("nested shells", "Nested shells"),
        ("interior disconnected", "Interior is disconnected"),
    ]
    .into_iter()
    .find(|(k, _)| named.contains(k))
    .map(|(_, jts)| jts)
}

/// A reported problem is of the JTS class `jts` (a ring self-touch is JTS's ring
/// self-intersection, a form of self-intersection).
fn has_jts_class(kinds: &[ProblemKind], jts: &str) -> bool {
    kinds.iter().any(|k| {
        k.jts_error() == jts
            || (jts == "Self-intersection" && *k == ProblemKind::RingSelfIntersection)
    })
}

#[derive(Default)]
struct ValidityCounts {
    valid_agree: usize,
    invalid_agree: usize,
    class_checked: usize,
    repaired: usize,
}

fn run_validity_file(rel: &str, tally: &mut Tally, counts: &mut ValidityCounts) {
    let run = parse_file(rel);
    for case in &run.cases {
        for op in case.ops.iter().filter(|o| o.name == "isValid") {
            let what = format!("{rel} case {} ({})", case.number, case.desc);
            let Some(text) = arg(case, &op.args[0]) else {
                tally.skip("missing operand", what);
                continue;
            };
            // The wkt crate reads no NaN; 1e999 reads as +inf, equally non-finite.
            let g = match parse_wkt(&text.replace("NaN", "1e999")) {
                Ok(g) => g,
                Err(e) => {
                    tally.skip("operand not readable as WKT", format!("{what}: {e}"));
                    continue;
                }
            };
            let Some(mp) = polygonal(&g) else {
                tally.skip("non-polygonal operand", what);
                continue;
            };
            let expected = op.expected.eq_ignore_ascii_case("true");
            let problems = validate_geometry(&mp);
            let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
            if std::env::var_os("JTS_VERBOSE").is_some() && !expected {
                println!("  kinds {what}: {kinds:?}");
            }
            let exception = VALIDITY_EXCEPTIONS
                .iter()
                .find(|(f, c, _)| *f == rel && *c == case.number);
            let mut failure = None;
            if problems.is_empty() != expected {
                failure = Some(format!("JTS isValid = {expected}, landpool: {problems:?}"));
            } else if let Some(jts) = jts_error_in_desc(&case.desc)
                .or_else(|| {
                    INVALID_A_CLASSES
                        .iter()
                        .find(|(c, _)| rel == "misc/TestInvalidA.xml" && *c == case.number)
                        .map(|(_, jts)| *jts)
                })
                .filter(|_| !expected)
            {
                counts.class_checked += 1;
                if !has_jts_class(&kinds, jts) {
                    failure = Some(format!("description names {jts:?}, landpool: {problems:?}"));
                }
            }
            if failure.is_none() && !problems.iter().any(|p| p.kind.is_unrepairable()) && !expected
            {
                match make_valid_geometry(&mp) {
                    Ok(fixed) if fixed.0.is_empty() || validate_geometry(&fixed).is_empty() => {
                        counts.repaired += 1;
                    }
                    Ok(fixed) => {
                        failure = Some(format!(
                            "repair left it invalid: {:?}",
                            validate_geometry(&fixed)
                        ));
                    }
                    Err(e) => failure = Some(format!("repair failed: {e}")),
                }
            }
            match (failure, exception) {
                (None, None) => {
                    tally.pass += 1;
                    if expected {
                        counts.valid_agree += 1;
                    } else {
                        counts.invalid_agree += 1;
                    }
                }
                (Some(msg), Some((_, _, reason))) => tally
                    .allowed
                    .push(format!("{what}: {msg} [exception: {reason}]")),
                (Some(msg), None) => tally.fail.push(format!("{what}: {msg}")),
                (None, Some(_)) => tally
                    .fail
                    .push(format!("{what}: listed exception now agrees")),
            }
        }
    }
}

#[test]
fn jts_polygon_validity() {
    let mut tally = Tally::default();
    let mut counts = ValidityCounts::default();
    for f in VALIDITY_FILES {
        run_validity_file(f, &mut tally, &mut counts);
    }
    tally.report("JTS polygon validity (isValid)");
    println!(
        "   agree: {} valid, {} invalid; JTS class checked: {}; invalid ones repaired: {}",
        counts.valid_agree, counts.invalid_agree, counts.class_checked, counts.repaired
    );
    assert!(
        tally.fail.is_empty(),
        "{} unexplained failures",
        tally.fail.len()
    );
    assert_eq!(tally.allowed.len(), VALIDITY_EXCEPTIONS.len());
    // Every polygonal isValid case of the five files is run (none silently skipped).
    assert_eq!((counts.valid_agree, counts.invalid_agree), (278, 122));
    assert_eq!(counts.class_checked, 52);
    // Every invalid case but the NaN one (unrepairable) repairs to a valid geometry.
    assert_eq!(counts.repaired, 121);
}
