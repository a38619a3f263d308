//! Placement of sites against a boundary: inside, outside or straddling, by area with a
//! digitising tolerance. Area-based placement gives covers semantics for free: a site lying
//! on the boundary line from inside has no outside area (inside); a site touching it from
//! outside, along an edge or at a vertex, has no inside area (outside).

use geo::MultiPolygon;
use serde::Serialize;

use super::overlay::{OverlayOptions, overlay_areas};

/// Where a site lies relative to a boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Wholly inside the boundary (within the tolerance).
    Inside,
    /// Wholly outside the boundary (within the tolerance).
    Outside,
    /// Partly inside and partly outside.
    Straddling,
}

/// The placement of one site with its areas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SitePlacement {
    /// Where the site lies.
    pub placement: Placement,
    /// Area of the site.
    pub area: f64,
    /// Area of the site inside the boundary.
    pub inside_area: f64,
    /// Area of the site outside the boundary.
    pub outside_area: f64,
    /// The tolerance decided the placement (a non-zero part at or below it was ignored).
    pub tolerance_used: bool,
}

/// Places each site; `Err` (with the reason) for a site with no area or a failed overlay.
pub fn place_sites(
    sites: &[MultiPolygon<f64>],
    boundary: &MultiPolygon<f64>,
    tolerance: f64,
) -> Vec<Result<SitePlacement, String>> {
    let opts = OverlayOptions {
        sliver_floor: 0.0,
        threads: None,
    };
    let table = overlay_areas(sites, std::slice::from_ref(boundary), &opts);
    let mut inside = vec![0.0; sites.len()];
    for p in table.pieces.iter().chain(&table.slivers) {
        inside[p.source] += p.area;
    }
    let mut failed = vec![None; sites.len()];
    for e in &table.errors {
        failed[e.source] = Some(e.message.clone());
    }
    (0..sites.len())
        .map(|i| {
            if let Some(m) = &failed[i] {
                return Err(format!("overlay with the boundary failed: {m}"));
            }
            let area = table.source_areas[i];
            if area.is_nan() || area <= 0.0 {
                return Err("the site geometry is empty or has no area".into());
            }
            let inside_area = inside[i].min(area);
            let outside_area = (area - inside_area).max(0.0);
            let (placement, tolerance_used) = if outside_area <= tolerance {
                (Placement::Inside, outside_area > 0.0)
            } else if inside_area <= tolerance {
                (Placement::Outside, inside_area > 0.0)
            } else {
                (Placement::Straddling, false)
            };
            Ok(SitePlacement {
                placement,
                area,
                inside_area,
                outside_area,
                tolerance_used,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString, Polygon, polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
        ]])
    }

    fn place(site: MultiPolygon<f64>) -> SitePlacement {
        let boundary = rect(0.0, 0.0, 100.0, 100.0);
        place_sites(&[site], &boundary, 0.01).remove(0).unwrap()
    }

    #[test]
    fn on_the_boundary_edge_from_inside_is_inside() {
        let p = place(rect(0.0, 0.0, 10.0, 100.0));
        assert_eq!(p.placement, Placement::Inside);
        assert!(!p.tolerance_used);
    }

    #[test]
    fn touching_from_outside_is_outside() {
        assert_eq!(
            place(rect(100.0, 0.0, 120.0, 50.0)).placement,
            Placement::Outside
        );
        // Only one vertex in common.
        assert_eq!(
            place(rect(100.0, 100.0, 110.0, 110.0)).placement,
            Placement::Outside
        );
    }

    #[test]
    fn across_is_straddling_with_both_areas() {
        let p = place(rect(90.0, 0.0, 110.0, 10.0));
        assert_eq!(p.placement, Placement::Straddling);
        assert!((p.inside_area - 100.0).abs() < 1e-9);
        assert!((p.outside_area - 100.0).abs() < 1e-9);
    }

    #[test]
    fn tiny_overshoot_is_inside_under_the_tolerance() {
        // 1e-4 m² outside: 1e-4 m wide, 1 m tall.
        let p = place(rect(50.0, 0.0, 100.0001, 1.0));
        assert_eq!(p.placement, Placement::Inside);
        assert!(p.tolerance_used);
        assert!((p.outside_area - 1e-4).abs() < 1e-8);
    }

    #[test]
    fn empty_site_is_an_error() {
        let boundary = rect(0.0, 0.0, 100.0, 100.0);
        let empty = MultiPolygon::new(vec![Polygon::new(
            LineString::<f64>::new(Vec::<Coord<f64>>::new()),
            vec![],
        )]);
        assert!(place_sites(&[empty], &boundary, 0.01)[0].is_err());
    }
}
