//! Retained-land sites (留用土地) of the synthetic projects.

use geo::Coord;

use super::plan::{P_SITE, Plan, mm, octagon_dirs};
use super::rng::Rng;

impl Plan {
    /// Retained-land sites (留用土地): per project 1–3 rotated rectangles, inside their
    /// project except one outside (project 1) and one straddling (the last project).
    pub fn retained_sites(&self) -> Vec<SiteSpec> {
        let n = self.projects.len();
        let dirs = octagon_dirs();
        let [x0, y0, x1, y1] = self.bounds();
        let mut out = Vec::new();
        for (p, shape) in self.projects.iter().enumerate() {
            let mut r = Rng::keyed(self.opts.seed, P_SITE, p as u64, 0);
            let mut placements = vec![Placement::Inside; 1 + r.int(0, 2) as usize];
            if n == 1 {
                placements = vec![Placement::Inside, Placement::Straddling, Placement::Outside];
            } else if p == 0 {
                placements.truncate(2);
                placements.resize(2, Placement::Inside);
                placements[1] = Placement::Outside;
            } else if p == n - 1 {
                placements.truncate(2);
                placements.resize(2, Placement::Inside);
                placements[1] = Placement::Straddling;
            }
            let start = r.int(0, 7) as usize;
            for (k, placement) in placements.into_iter().enumerate() {
                let rad = shape.radius;
                let w = rad * r.range(0.15, 0.3);
                let h = rad * r.range(0.1, 0.22);
                let ux = r.range(-1.0, 1.0);
                let uy = r.range(0.2, 1.0);
                let len = (ux * ux + uy * uy).sqrt();
                let u = Coord {
                    x: ux / len,
                    y: uy / len,
                };
                let use_idx = r.weighted(&[0.6, 0.25, 0.15]);
                let centre = match placement {
                    Placement::Inside => shape.centre + dirs[(start + 2 * k) % 8] * (0.3 * rad),
                    Placement::Straddling => {
                        let m = (start + 1) % 8;
                        let (a, b) = (shape.ring[m], shape.ring[m + 1]);
                        (a + b) / 2.0
                    }
                    Placement::Outside => {
                        // The first direction whose site stays inside the district.
                        let margin = 0.2 * rad;
                        (0..8)
                            .map(|t| shape.centre + dirs[(start + t) % 8] * (1.35 * rad))
                            .find(|c| {
                                c.x - margin > x0
                                    && c.x + margin < x1
                                    && c.y - margin > y0
                                    && c.y + margin < y1
                            })
                            .unwrap_or(shape.centre + dirs[start] * (1.35 * rad))
                    }
                };
                let v = Coord { x: -u.y, y: u.x };
                let (a, b) = (u * (w / 2.0), v * (h / 2.0));
                let ring: Vec<Coord> = [
                    centre - a - b,
                    centre + a - b,
                    centre + a + b,
                    centre - a + b,
                    centre - a - b,
                ]
                .iter()
                .map(|c| Coord {
                    x: mm(c.x),
                    y: mm(c.y),
                })
                .collect();
                out.push(SiteSpec {
                    project: p,
                    number: k + 1,
                    ring,
                    land_use: ["residential", "industrial", "commercial"][use_idx],
                    placement,
                });
            }
        }
        out
    }
}

/// Where the generator put a retained-land site relative to its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Inside the project boundary.
    Inside,
    /// Outside it (an off-site site).
    Outside,
    /// Across the boundary.
    Straddling,
}

impl Placement {
    /// The `placement` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Inside => "inside",
            Placement::Outside => "outside",
            Placement::Straddling => "straddling",
        }
    }
}

/// One generated retained-land site.
#[derive(Debug, Clone)]
pub struct SiteSpec {
    /// Position of its project.
    pub project: usize,
    /// 1-based number of the site within its project.
    pub number: usize,
    /// Closed counter-clockwise ring.
    pub ring: Vec<Coord>,
    /// One of [`super::tenure_classes::LAND_USES`].
    pub land_use: &'static str,
    /// Where it lies relative to its project.
    pub placement: Placement,
}
