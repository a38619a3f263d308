//! Parcels (宗地) and buildings: a jittered lattice of shared vertices, with some cells
//! merged with their east neighbour, some split along a jittered diagonal and a few edges
//! carrying an extra vertex that both neighbours share, so the parcels tile the district
//! exactly. Rows are independent, so they are generated in parallel and emitted in order.

use chrono::NaiveDate;
use geo::Coord;
use rayon::prelude::*;

use super::plan::{
    CELL_SIZE_M, GYCR, LAND_USES, P_BUILDING, P_DIAGONAL, P_EDGE_H, P_EDGE_V, P_MERGE,
    P_PARCEL_ATTR, P_SPLIT, P_TENURE_BLOCK, Plan, TENURE_CLASSES, cm, diamond_angle, mm, ring_area,
    vertex_mean,
};
use super::rng::Rng;
use crate::model::Value;

const P_MERGE_PAIR: f64 = 0.16;
const P_SPLIT_CELL: f64 = 0.09;
const P_EDGE_VERTEX: f64 = 0.05;
/// Tenure clusters are blocks of this many cells square.
const TENURE_BLOCK_CELLS: usize = 6;
/// Rows generated in parallel per batch (bounds memory for million-parcel districts).
const ROWS_PER_BATCH: usize = 32;

/// Parcel attribute positions (see `parcel_schema`).
pub(crate) const A_TENURE_CODE: usize = 1;
pub(crate) const A_TENURE_NAME: usize = 2;
pub(crate) const A_GRANT_DATE: usize = 4;
pub(crate) const A_TERM_YEARS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Whole,
    MergeWest,
    MergeEast,
    /// Split along the south-west–north-east diagonal (false) or the other one (true).
    Split(bool),
}

/// One generated parcel with its optional building.
#[derive(Debug, Clone)]
pub(crate) struct ParcelOut {
    pub ordinal: usize,
    /// Closed counter-clockwise ring.
    pub ring: Vec<Coord>,
    pub attrs: Vec<Value>,
    pub building: Option<(Vec<Coord>, Vec<Value>)>,
    /// GeoJSON of the parcel and of its building, when encoded in the parallel stage.
    pub encoded: Option<(Vec<u8>, Option<Vec<u8>>)>,
}

/// The shape of one parcel before attributes.
struct Draft {
    ring: Vec<Coord>,
    /// Convex-ish core polygon (open) that the building footprint is scaled from.
    base: Vec<Coord>,
    /// 0, or 1 for the second half of a split cell.
    part: u64,
}

pub(crate) fn parcel_id(ordinal: usize) -> String {
    format!("P{:07}", ordinal + 1)
}

impl Plan {
    fn cell_kind(&self, i: usize, j: usize) -> CellKind {
        let seed = self.opts.seed;
        let west = i / 2 * 2;
        if west + 1 < self.parcels.nx
            && Rng::keyed(seed, P_MERGE, (i / 2) as u64, j as u64).chance(P_MERGE_PAIR)
        {
            return if i == west {
                CellKind::MergeWest
            } else {
                CellKind::MergeEast
            };
        }
        let mut r = Rng::keyed(seed, P_SPLIT, i as u64, j as u64);
        if r.chance(P_SPLIT_CELL) {
            CellKind::Split(r.chance(0.5))
        } else {
            CellKind::Whole
        }
    }

    /// Number of parcels in each lattice row (cheap: decisions only, no geometry).
    pub(crate) fn row_counts(&self) -> Vec<usize> {
        (0..self.parcels.ny)
            .map(|j| {
                (0..self.parcels.nx)
                    .map(|i| match self.cell_kind(i, j) {
                        CellKind::Whole | CellKind::MergeWest => 1,
                        CellKind::MergeEast => 0,
                        CellKind::Split(_) => 2,
                    })
                    .sum()
            })
            .collect()
    }

    /// Extra vertex on the horizontal edge from vertex (i, j) to (i+1, j), if any.
    fn mid_h(&self, i: usize, j: usize) -> Option<Coord> {
        if j == 0 || j == self.parcels.ny {
            return None;
        }
        let r = Rng::keyed(self.opts.seed, P_EDGE_H, i as u64, j as u64);
        self.edge_vertex(r, self.parcels.vertex(i, j), self.parcels.vertex(i + 1, j))
    }

    /// Extra vertex on the vertical edge from vertex (i, j) to (i, j+1), if any.
    fn mid_v(&self, i: usize, j: usize) -> Option<Coord> {
        if i == 0 || i == self.parcels.nx {
            return None;
        }
        let r = Rng::keyed(self.opts.seed, P_EDGE_V, i as u64, j as u64);
        self.edge_vertex(r, self.parcels.vertex(i, j), self.parcels.vertex(i, j + 1))
    }

    fn edge_vertex(&self, mut r: Rng, a: Coord, b: Coord) -> Option<Coord> {
        if !r.chance(P_EDGE_VERTEX) {
            return None;
        }
        // A third sit on the edge (collinear), the rest bend it slightly.
        let offset = if r.chance(1.0 / 3.0) {
            0.0
        } else {
            r.range(-0.05, 0.05) * CELL_SIZE_M
        };
        Some(round(offset_midpoint(a, b, offset)))
    }

    fn cell_drafts(&self, i: usize, j: usize, out: &mut Vec<Draft>) {
        let v = |a: usize, b: usize| self.parcels.vertex(a, b);
        let kind = self.cell_kind(i, j);
        if kind == CellKind::MergeEast {
            return;
        }
        let (a, b, c, d) = (v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1));
        let (h_s, h_n) = (self.mid_h(i, j), self.mid_h(i, j + 1));
        let (v_w, v_e) = (self.mid_v(i, j), self.mid_v(i + 1, j));
        match kind {
            CellKind::Whole => out.push(Draft {
                ring: ring([Some(a), h_s, Some(b), v_e, Some(c), h_n, Some(d), v_w]),
                base: vec![a, b, c, d],
                part: 0,
            }),
            CellKind::MergeWest => {
                let (b2, c2) = (v(i + 2, j), v(i + 2, j + 1));
                out.push(Draft {
                    ring: ring([
                        Some(a),
                        h_s,
                        Some(b),
                        self.mid_h(i + 1, j),
                        Some(b2),
                        self.mid_v(i + 2, j),
                        Some(c2),
                        self.mid_h(i + 1, j + 1),
                        Some(c),
                        h_n,
                        Some(d),
                        v_w,
                    ]),
                    base: vec![a, b, b2, c2, c, d],
                    part: 0,
                });
            }
            CellKind::Split(other_diagonal) => {
                let mut r = Rng::keyed(self.opts.seed, P_DIAGONAL, i as u64, j as u64);
                let (p, q) = if other_diagonal { (b, d) } else { (a, c) };
                let len = ((q - p).x.hypot((q - p).y)).max(1e-9);
                let m = Some(round(offset_midpoint(p, q, r.range(-0.06, 0.06) * len)));
                if other_diagonal {
                    out.push(Draft {
                        ring: ring([Some(a), h_s, Some(b), m, Some(d), v_w, None, None]),
                        base: vec![a, b, d],
                        part: 0,
                    });
                    out.push(Draft {
                        ring: ring([Some(b), v_e, Some(c), h_n, Some(d), m, None, None]),
                        base: vec![b, c, d],
                        part: 1,
                    });
                } else {
                    out.push(Draft {
                        ring: ring([Some(a), h_s, Some(b), v_e, Some(c), m, None, None]),
                        base: vec![a, b, c],
                        part: 0,
                    });
                    out.push(Draft {
                        ring: ring([Some(a), m, Some(c), h_n, Some(d), v_w, None, None]),
                        base: vec![a, c, d],
                        part: 1,
                    });
                }
            }
            CellKind::MergeEast => {}
        }
    }

    /// Tenure class index, whether the parcel lies in a project core (for grant dates),
    /// and the block's major-project flag.
    fn tenure(&self, i: usize, j: usize, rep: Coord, r: &mut Rng) -> (usize, bool, bool) {
        let freq: Vec<f64> = TENURE_CLASSES.iter().map(|t| t.frequency).collect();
        let (bi, bj) = (i / TENURE_BLOCK_CELLS, j / TENURE_BLOCK_CELLS);
        let mut block = Rng::keyed(self.opts.seed, P_TENURE_BLOCK, bi as u64, bj as u64);
        let block_class = block.weighted(&freq);
        let major = block.chance(0.03);
        let noise = r.chance(0.08);
        let noise_class = r.weighted(&freq);
        // Project cores are divided into sectors, one per tenure class, so that every
        // project holds every class (weights: the frequency, at least 8%).
        for p in &self.projects {
            let d = rep - p.centre;
            if d.x.hypot(d.y) < p.core_radius() {
                let weights: Vec<f64> = freq.iter().map(|f| f.max(0.08)).collect();
                let total: f64 = weights.iter().sum();
                let mut a = (diamond_angle(d) + p.sector_offset) % 4.0 / 4.0 * total;
                let mut class = weights.len() - 1;
                for (k, w) in weights.iter().enumerate() {
                    if a < *w {
                        class = k;
                        break;
                    }
                    a -= w;
                }
                return (class, true, major);
            }
        }
        (if noise { noise_class } else { block_class }, false, major)
    }

    fn parcel(&self, i: usize, j: usize, draft: Draft, ordinal: usize) -> ParcelOut {
        let key_j = (j as u64) * 4 + draft.part;
        let mut r = Rng::keyed(self.opts.seed, P_PARCEL_ATTR, i as u64, key_j);
        let rep = vertex_mean(&draft.base);
        let area = ring_area(&draft.ring);
        let (class, in_core, major) = self.tenure(i, j, rep, &mut r);
        let tenure = TENURE_CLASSES[class];
        let land_use = r.weighted(&tenure.use_weights);
        let (grant_date, term_years) = if class == GYCR {
            // In project cores, alternate parcels are granted more and less than 15 years
            // before 2026-06-30, so both sides of the eligibility rule occur.
            let year = match (in_core, (i + j + draft.part as usize).is_multiple_of(2)) {
                (true, true) => r.int(1995, 2008),
                (true, false) => r.int(2013, 2024),
                (false, _) => r.int(1993, 2024),
            };
            let (month, day) = (r.int(1, 12) as u32, r.int(1, 28) as u32);
            let date = NaiveDate::from_ymd_opt(year as i32, month, day);
            (
                date.map_or(Value::Null, Value::Date),
                Value::Int([70, 50, 40][land_use]),
            )
        } else {
            (Value::Null, Value::Null)
        };
        let certified = matches!(tenure.code, "FNGS" | "FNGY" | "ZDFH" | "GYCR");
        let legal_area = if certified && r.chance(0.1) {
            Value::Float(cm(area * (1.0 + r.range(-0.02, 0.02))))
        } else {
            Value::Null
        };
        let id = parcel_id(ordinal);
        let building = self.building(i, key_j, &draft, area, class, land_use, &id, ordinal);
        ParcelOut {
            ordinal,
            attrs: vec![
                Value::Str(id),
                Value::Str(tenure.code.to_string()),
                Value::Str(tenure.name.to_string()),
                Value::Str(LAND_USES[land_use].to_string()),
                grant_date,
                term_years,
                legal_area,
                Value::Bool(major),
            ],
            ring: draft.ring,
            building,
            encoded: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn building(
        &self,
        i: usize,
        key_j: u64,
        draft: &Draft,
        parcel_area: f64,
        class: usize,
        land_use: usize,
        parcel_id: &str,
        ordinal: usize,
    ) -> Option<(Vec<Coord>, Vec<Value>)> {
        let mut r = Rng::keyed(self.opts.seed, P_BUILDING, i as u64, key_j);
        let p_built = match TENURE_CLASSES[class].code {
            "GYCB" => 0.3,
            "JWC" => 0.95,
            _ => 0.72,
        };
        if !r.chance(p_built) {
            return None;
        }
        let mut k = if draft.base.len() == 3 {
            r.range(0.45, 0.65)
        } else {
            r.range(0.55, 0.8)
        };
        let centre = vertex_mean(&draft.base);
        let mut footprint = None;
        for _ in 0..4 {
            let mut f: Vec<Coord> = draft
                .base
                .iter()
                .map(|p| round(centre + (*p - centre) * k))
                .collect();
            f.push(f[0]);
            if strictly_inside(&f, &draft.ring) {
                footprint = Some(f);
                break;
            }
            k *= 0.7;
        }
        let footprint = footprint?;
        let (use_name, far) = match LAND_USES[land_use] {
            "residential" => ("residential", r.range(1.0, 2.5)),
            "industrial" if r.chance(0.75) => ("factory", r.range(0.5, 1.8)),
            "industrial" => ("warehouse", r.range(0.3, 0.8)),
            _ if r.chance(0.6) => ("commercial", r.range(0.6, 2.5)),
            _ => ("office", r.range(1.0, 3.0)),
        };
        let fp_area = ring_area(&footprint);
        let floors = ((far * parcel_area / fp_area).round() as i64).max(1);
        let attrs = vec![
            Value::Str(format!("B{:07}", ordinal + 1)),
            Value::Str(parcel_id.to_string()),
            Value::Str(use_name.to_string()),
            Value::Int(floors),
            Value::Float(cm(fp_area * floors as f64)),
        ];
        Some((footprint, attrs))
    }

    /// All parcels of row `j`, numbered from `first`.
    fn row(&self, j: usize, first: usize) -> Vec<ParcelOut> {
        let mut out = Vec::with_capacity(self.parcels.nx + self.parcels.nx / 8);
        let mut drafts = Vec::with_capacity(2);
        for i in 0..self.parcels.nx {
            drafts.clear();
            self.cell_drafts(i, j, &mut drafts);
            for d in drafts.drain(..) {
                let ordinal = first + out.len();
                out.push(self.parcel(i, j, d, ordinal));
            }
        }
        out
    }

    /// Generates every parcel in order (rows in parallel batches, each parcel passed to
    /// `prepare` in the parallel stage; output independent of the thread count) and hands
    /// each to `sink`. Returns the number of parcels.
    pub(crate) fn for_each_parcel<P, F>(&self, prepare: P, mut sink: F) -> crate::Result<usize>
    where
        P: Fn(&mut ParcelOut) + Sync,
        F: FnMut(ParcelOut) -> crate::Result<()>,
    {
        let counts = self.row_counts();
        let mut starts = Vec::with_capacity(counts.len());
        let mut total = 0;
        for c in &counts {
            starts.push(total);
            total += c;
        }
        let ny = self.parcels.ny;
        let mut j0 = 0;
        while j0 < ny {
            let j1 = (j0 + ROWS_PER_BATCH).min(ny);
            let rows: Vec<Vec<ParcelOut>> = (j0..j1)
                .into_par_iter()
                .map(|j| {
                    let mut row = self.row(j, starts[j]);
                    row.iter_mut().for_each(&prepare);
                    row
                })
                .collect();
            for p in rows.into_iter().flatten() {
                sink(p)?;
            }
            j0 = j1;
        }
        Ok(total)
    }
}

fn round(c: Coord) -> Coord {
    Coord {
        x: mm(c.x),
        y: mm(c.y),
    }
}

/// Midpoint of a–b moved `offset` metres along the left normal.
fn offset_midpoint(a: Coord, b: Coord, offset: f64) -> Coord {
    let d = b - a;
    let len = d.x.hypot(d.y).max(1e-9);
    (a + b) / 2.0 + Coord { x: -d.y, y: d.x } * (offset / len)
}

/// A closed ring from optional vertices (absent edge vertices are skipped).
fn ring<const N: usize>(pts: [Option<Coord>; N]) -> Vec<Coord> {
    let mut r: Vec<Coord> = pts.into_iter().flatten().collect();
    if let Some(first) = r.first().copied() {
        r.push(first);
    }
    r
}

fn cross(o: Coord, a: Coord, b: Coord) -> f64 {
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
}

fn on_segment(p: Coord, a: Coord, b: Coord) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// True if the closed segments a–b and c–d share any point (touching counts).
fn segments_meet(a: Coord, b: Coord, c: Coord, d: Coord) -> bool {
    let (d1, d2) = (cross(c, d, a), cross(c, d, b));
    let (d3, d4) = (cross(a, b, c), cross(a, b, d));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(a, c, d))
        || (d2 == 0.0 && on_segment(b, c, d))
        || (d3 == 0.0 && on_segment(c, a, b))
        || (d4 == 0.0 && on_segment(d, a, b))
}

/// Even-odd point-in-ring test (closed ring).
fn point_in_ring(p: Coord, ring: &[Coord]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// True if the closed ring `inner` lies in the interior of the closed ring `outer`: no
/// boundary contact at all, and one vertex inside.
pub(crate) fn strictly_inside(inner: &[Coord], outer: &[Coord]) -> bool {
    let o = outer[0];
    let shift = |c: &Coord| *c - o;
    let inner: Vec<Coord> = inner.iter().map(shift).collect();
    let outer: Vec<Coord> = outer.iter().map(shift).collect();
    for e in inner.windows(2) {
        for f in outer.windows(2) {
            if segments_meet(e[0], e[1], f[0], f[1]) {
                return false;
            }
        }
    }
    inner.first().is_some_and(|p| point_in_ring(*p, &outer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn strict_containment_rejects_touching_and_crossing() {
        let sq = vec![c(0., 0.), c(10., 0.), c(10., 10.), c(0., 10.), c(0., 0.)];
        let inner = vec![c(2., 2.), c(8., 2.), c(8., 8.), c(2., 8.), c(2., 2.)];
        let touching = vec![c(0., 2.), c(8., 2.), c(8., 8.), c(0., 8.), c(0., 2.)];
        let crossing = vec![c(5., 5.), c(15., 5.), c(15., 8.), c(5., 8.), c(5., 5.)];
        assert!(strictly_inside(&inner, &sq));
        assert!(!strictly_inside(&touching, &sq));
        assert!(!strictly_inside(&crossing, &sq));
        assert!(!strictly_inside(&sq, &inner));
    }
}
