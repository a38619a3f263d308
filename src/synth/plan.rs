//! The district plan: grid, lattices, projects, density zones, land-price zones and
//! retained-land sites. Everything is a pure function of the options (no hidden state).

use geo::Coord;

use super::SynthOptions;
use super::rng::Rng;
pub use super::tenure_classes::{GYCR, LAND_USES, TENURE_CLASSES, TenureClass};

/// Parcel lattice spacing in metres (cells of ~2,500 m²; split halves ~1,250, merged ~5,000).
pub const CELL_SIZE_M: f64 = 50.0;
/// South-west corner of the district in EPSG:4547 (near Guangming, Shenzhen): easting.
pub const ORIGIN_X: f64 = 490_000.0;
/// South-west corner of the district: northing.
pub const ORIGIN_Y: f64 = 2_515_000.0;
/// Lattice jitter as a fraction of the spacing; below 0.25 every jittered cell stays convex.
const JITTER: f64 = 0.18;
/// Parcels per density zone (密度分区) and per land-price zone (基准地价), roughly.
const PARCELS_PER_DENSITY_ZONE: f64 = 50.0;
const PARCELS_PER_PRICE_ZONE: f64 = 400.0;

// Purposes of the keyed random streams.
pub(crate) const P_PARCEL_VERTEX: u64 = 1;
pub(crate) const P_MERGE: u64 = 2;
pub(crate) const P_SPLIT: u64 = 3;
pub(crate) const P_EDGE_H: u64 = 4;
pub(crate) const P_EDGE_V: u64 = 5;
pub(crate) const P_DIAGONAL: u64 = 6;
pub(crate) const P_TENURE_BLOCK: u64 = 7;
pub(crate) const P_PARCEL_ATTR: u64 = 8;
pub(crate) const P_BUILDING: u64 = 9;
const P_ZONE_VERTEX: u64 = 10;
const P_ZONE_ATTR: u64 = 11;
const P_PRICE_VERTEX: u64 = 12;
const P_PRICE_ATTR: u64 = 13;
const P_PROJECT: u64 = 14;
pub(crate) const P_SITE: u64 = 15;
const P_DISTRICT: u64 = 16;
pub(crate) const P_DEFECT: u64 = 17;

/// Rounds to millimetres, the precision of all synthetic coordinates (so that the files,
/// written with the shortest round-trip format, read back to exactly the same numbers).
#[inline]
pub fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Rounds to 0.01 (areas in m²).
#[inline]
pub fn cm(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Shoelace area of a closed ring (positive for counter-clockwise), computed relative to
/// the first vertex to avoid cancellation with large projected coordinates.
pub fn ring_area(ring: &[Coord]) -> f64 {
    let Some(o) = ring.first() else { return 0.0 };
    let mut twice = 0.0;
    for w in ring.windows(2) {
        let (a, b) = (w[0] - *o, w[1] - *o);
        twice += a.x * b.y - b.x * a.y;
    }
    twice / 2.0
}

/// A jittered lattice of `nx × ny` cells. Interior vertices move freely by up to `JITTER`
/// of the spacing; boundary vertices only along the boundary, so the outline stays an
/// exact rectangle and neighbouring cells share identical vertices.
#[derive(Debug, Clone)]
pub struct Lattice {
    pub seed: u64,
    pub purpose: u64,
    pub origin: Coord,
    pub nx: usize,
    pub ny: usize,
    pub dx: f64,
    pub dy: f64,
}

impl Lattice {
    pub fn vertex(&self, i: usize, j: usize) -> Coord {
        let mut r = Rng::keyed(self.seed, self.purpose, i as u64, j as u64);
        let jx = r.range(-JITTER, JITTER) * self.dx;
        let jy = r.range(-JITTER, JITTER) * self.dy;
        let x_fixed = i == 0 || i == self.nx;
        let y_fixed = j == 0 || j == self.ny;
        Coord {
            x: mm(self.origin.x + i as f64 * self.dx + if x_fixed { 0.0 } else { jx }),
            y: mm(self.origin.y + j as f64 * self.dy + if y_fixed { 0.0 } else { jy }),
        }
    }

    /// The closed counter-clockwise ring of cell (i, j).
    pub fn cell_ring(&self, i: usize, j: usize) -> Vec<Coord> {
        let a = self.vertex(i, j);
        vec![
            a,
            self.vertex(i + 1, j),
            self.vertex(i + 1, j + 1),
            self.vertex(i, j + 1),
            a,
        ]
    }
}

pub fn vertex_mean(pts: &[Coord]) -> Coord {
    let n = pts.len().max(1) as f64;
    let s = pts.iter().fold(Coord { x: 0.0, y: 0.0 }, |acc, p| acc + *p);
    Coord {
        x: s.x / n,
        y: s.y / n,
    }
}

/// "Diamond angle": a monotone stand-in for atan2 in [0, 4) using only exact arithmetic
/// (no libm), so that sector assignment is identical on every platform.
pub fn diamond_angle(d: Coord) -> f64 {
    let (x, y) = (d.x, d.y);
    if x == 0.0 && y == 0.0 {
        0.0
    } else if y >= 0.0 {
        if x >= 0.0 {
            y / (x + y)
        } else {
            1.0 - x / (-x + y)
        }
    } else if x < 0.0 {
        2.0 - y / (-x - y)
    } else {
        3.0 + x / (x - y)
    }
}

/// Unit directions of an octagon, counter-clockwise from east (exact: no trigonometry).
pub fn octagon_dirs() -> [Coord; 8] {
    let h = std::f64::consts::FRAC_1_SQRT_2;
    [
        (1.0, 0.0),
        (h, h),
        (0.0, 1.0),
        (-h, h),
        (-1.0, 0.0),
        (-h, -h),
        (0.0, -1.0),
        (h, -h),
    ]
    .map(|(x, y)| Coord { x, y })
}

/// A project boundary (项目范围) in plan form.
#[derive(Debug, Clone)]
pub struct ProjectShape {
    pub centre: Coord,
    /// Nominal radius; vertices lie between 0.75 and 1.0 of it.
    pub radius: f64,
    /// Closed counter-clockwise ring.
    pub ring: Vec<Coord>,
    /// Rotation of the tenure sectors of the project core, in diamond-angle units.
    pub sector_offset: f64,
}

impl ProjectShape {
    /// Radius of the core whose parcels get sector-wise tenure (inside the boundary).
    pub fn core_radius(&self) -> f64 {
        0.6 * self.radius
    }
}

/// Everything about the district that parcels and other layers are derived from.
#[derive(Debug, Clone)]
pub struct Plan {
    pub opts: SynthOptions,
    pub parcels: Lattice,
    pub width: f64,
    pub height: f64,
    pub projects: Vec<ProjectShape>,
    /// The "city centre" that density and land prices fall off from.
    pub core: Coord,
    pub zones: Lattice,
    pub prices: Lattice,
}

impl Plan {
    pub fn new(opts: &SynthOptions) -> Plan {
        let seed = opts.seed;
        let n = opts.parcels.max(4) as f64;
        // Expected parcels per cell is ~1 (merges and splits balance), aspect 4:3.
        let nx = ((n * 4.0 / 3.0).sqrt().round() as usize).max(2);
        let ny = ((n / nx as f64).ceil() as usize).max(2);
        let origin = Coord {
            x: ORIGIN_X,
            y: ORIGIN_Y,
        };
        let width = nx as f64 * CELL_SIZE_M;
        let height = ny as f64 * CELL_SIZE_M;
        let parcels = Lattice {
            seed,
            purpose: P_PARCEL_VERTEX,
            origin,
            nx,
            ny,
            dx: CELL_SIZE_M,
            dy: CELL_SIZE_M,
        };
        let coarse = |per: f64, purpose: u64| {
            let size = CELL_SIZE_M * per.sqrt();
            let cx = ((width / size).round() as usize).max(2);
            let cy = ((height / size).round() as usize).max(2);
            Lattice {
                seed,
                purpose,
                origin,
                nx: cx,
                ny: cy,
                dx: width / cx as f64,
                dy: height / cy as f64,
            }
        };
        let zones = coarse(PARCELS_PER_DENSITY_ZONE, P_ZONE_VERTEX);
        let prices = coarse(PARCELS_PER_PRICE_ZONE, P_PRICE_VERTEX);
        let mut r = Rng::keyed(seed, P_DISTRICT, 0, 0);
        let core = Coord {
            x: origin.x + width * r.range(0.3, 0.7),
            y: origin.y + height * r.range(0.3, 0.7),
        };
        let projects = project_shapes(opts, origin, width, height);
        Plan {
            opts: opts.clone(),
            parcels,
            width,
            height,
            projects,
            core,
            zones,
            prices,
        }
    }

    pub fn bounds(&self) -> [f64; 4] {
        let o = self.parcels.origin;
        [o.x, o.y, o.x + self.width, o.y + self.height]
    }

    /// Normalised distance from the city core (0 at the core, ~1 at the far corners).
    fn core_distance(&self, p: Coord) -> f64 {
        let d = p - self.core;
        let half_diag = (self.width * self.width + self.height * self.height).sqrt() / 2.0;
        (d.x * d.x + d.y * d.y).sqrt() / half_diag
    }

    /// Density zones (密度分区): `(lattice i, j, ring, density_zone, metro_500m)`, with the
    /// zones nearest the east edge of project 1 removed when an uncovered fraction is asked.
    pub fn density_zones(&self) -> Vec<ZoneCell> {
        let z = &self.zones;
        let mut cells = Vec::with_capacity(z.nx * z.ny);
        for j in 0..z.ny {
            for i in 0..z.nx {
                let ring = z.cell_ring(i, j);
                let c = vertex_mean(&ring[..4]);
                let mut r = Rng::keyed(self.opts.seed, P_ZONE_ATTR, i as u64, j as u64);
                let noise = r.range(-0.5, 0.5);
                let metro = r.unit();
                let base = |p: Coord, noise: f64| -> i64 {
                    (1.0 + (self.core_distance(p) * 5.0 + noise).floor()).clamp(1.0, 5.0) as i64
                };
                // Zones in reach of a project take one class west of its centre and the
                // next class east of it, so that every project spans two density zones.
                let density = match self.projects.iter().find(|p| {
                    let d = c - p.centre;
                    (d.x * d.x + d.y * d.y).sqrt() < p.radius
                }) {
                    Some(p) => {
                        let b = base(p.centre, 0.0);
                        if c.x < p.centre.x {
                            b
                        } else if b < 5 {
                            b + 1
                        } else {
                            4
                        }
                    }
                    None => base(c, noise),
                };
                cells.push(ZoneCell {
                    i,
                    j,
                    ring,
                    density,
                    metro_500m: density <= 3 && metro < 0.12,
                });
            }
        }
        let f = self.opts.uncovered_zone_fraction;
        if f > 0.0 {
            let anchor = match self.projects.first() {
                Some(p) => {
                    p.centre
                        + Coord {
                            x: p.radius,
                            y: 0.0,
                        }
                }
                None => self.core,
            };
            let mut order: Vec<(f64, usize)> = cells
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let d = vertex_mean(&c.ring[..4]) - anchor;
                    (d.x * d.x + d.y * d.y, k)
                })
                .collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let target = f * self.width * self.height;
            let mut dropped = vec![false; cells.len()];
            let mut area = 0.0;
            for (_, k) in order {
                if area >= target {
                    break;
                }
                area += ring_area(&cells[k].ring);
                dropped[k] = true;
            }
            let mut k = 0;
            cells.retain(|_| {
                k += 1;
                !dropped[k - 1]
            });
        }
        cells
    }

    /// Benchmark land-price zones (基准地价): `(ring, price in yuan/m²)`.
    pub fn price_zones(&self) -> Vec<(Vec<Coord>, i64)> {
        let z = &self.prices;
        let mut out = Vec::with_capacity(z.nx * z.ny);
        for j in 0..z.ny {
            for i in 0..z.nx {
                let ring = z.cell_ring(i, j);
                let c = vertex_mean(&ring[..4]);
                let mut r = Rng::keyed(self.opts.seed, P_PRICE_ATTR, i as u64, j as u64);
                let d = self.core_distance(c).min(1.2) / 1.2;
                let price = 19_000.0 - 12_000.0 * d + r.range(-1_500.0, 1_500.0);
                let price = ((price / 100.0).round() * 100.0).clamp(6_000.0, 20_000.0) as i64;
                out.push((ring, price));
            }
        }
        out
    }
}

/// One density-zone cell.
#[derive(Debug, Clone)]
pub struct ZoneCell {
    pub i: usize,
    pub j: usize,
    pub ring: Vec<Coord>,
    pub density: i64,
    pub metro_500m: bool,
}

/// Jittered octagons, one per slot of a coarse grid of the district, so they never overlap;
/// with `overlapping_projects` project 2 is moved onto project 1.
fn project_shapes(
    opts: &SynthOptions,
    origin: Coord,
    width: f64,
    height: f64,
) -> Vec<ProjectShape> {
    let n = opts.projects;
    if n == 0 {
        return Vec::new();
    }
    let kx = (((n as f64) * width / height).sqrt().ceil() as usize).clamp(1, n);
    let ky = n.div_ceil(kx);
    let (sw, sh) = (width / kx as f64, height / ky as f64);
    let radius = (0.35 * sw.min(sh)).min(12.0 * CELL_SIZE_M);
    let dirs = octagon_dirs();
    let mut centres: Vec<Coord> = (0..n)
        .map(|p| {
            let mut r = Rng::keyed(opts.seed, P_PROJECT, p as u64, 0);
            let (a, b) = ((p % kx) as f64, (p / kx) as f64);
            Coord {
                x: origin.x + (a + 0.5 + r.range(-0.1, 0.1)) * sw,
                y: origin.y + (b + 0.5 + r.range(-0.1, 0.1)) * sh,
            }
        })
        .collect();
    if opts.overlapping_projects && n >= 2 {
        let d = centres[1] - centres[0];
        let len = (d.x * d.x + d.y * d.y).sqrt().max(1e-9);
        centres[1] = centres[0] + d * (1.1 * radius / len);
    }
    centres
        .into_iter()
        .enumerate()
        .map(|(p, centre)| {
            let mut r = Rng::keyed(opts.seed, P_PROJECT, p as u64, 1);
            let mut ring: Vec<Coord> = dirs
                .iter()
                .map(|d| {
                    let t = Coord { x: -d.y, y: d.x };
                    let c = centre
                        + *d * (radius * r.range(0.75, 1.0))
                        + t * (radius * r.range(-0.12, 0.12));
                    Coord {
                        x: mm(c.x),
                        y: mm(c.y),
                    }
                })
                .collect();
            ring.push(ring[0]);
            ProjectShape {
                centre,
                radius,
                ring,
                sector_offset: r.range(0.0, 4.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_angle_is_monotone_around_the_circle() {
        let dirs = octagon_dirs();
        let a: Vec<f64> = dirs.iter().map(|d| diamond_angle(*d)).collect();
        assert!(a.windows(2).all(|w| w[0] < w[1]), "{a:?}");
        assert_eq!(a[0], 0.0);
        assert_eq!(a[4], 2.0);
    }

    #[test]
    fn ring_area_of_unit_square() {
        let r = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)].map(|(x, y)| Coord {
            x: x + 5e5,
            y: y + 2.5e6,
        });
        assert!((ring_area(&r) - 1.0).abs() < 1e-9);
    }
}
