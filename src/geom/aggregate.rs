//! Aggregations over an [`OverlayTable`], defined exactly as PySAL tobler's
//! `area_interpolate` (tobler 0.13, `_area_interpolate_binning`), plus the per-source views
//! the policy engine needs (zone shares, area-weighted means) and an area-conservation check.
//!
//! Notation: `a_ij` = area(source i ∩ target j) (the table's counted pieces), `a_i` = area of
//! source i, `a_j` = area of target j, `v_i` a source value.
//!
//! Only [`OverlayTable::pieces`] are counted; slivers below the floor are not (use a floor of
//! 0 to reproduce tobler, which keeps every non-zero intersection).

use std::collections::BTreeMap;

use super::overlay::OverlayTable;

/// tobler's guard against division by zero: `den + (den == 0)`.
fn guarded(den: f64) -> f64 {
    if den == 0.0 { 1.0 } else { den }
}

/// Σ_j a_ij per source (the source's total intersected area).
pub fn source_intersected_areas(table: &OverlayTable) -> Vec<f64> {
    let mut sums = vec![0.0; table.source_areas.len()];
    for p in &table.pieces {
        if let Some(s) = sums.get_mut(p.source) {
            *s += p.area;
        }
    }
    sums
}

/// Σ_i a_ij per target (the target's total intersected area).
pub fn target_intersected_areas(table: &OverlayTable) -> Vec<f64> {
    let mut sums = vec![0.0; table.target_areas.len()];
    for p in &table.pieces {
        if let Some(s) = sums.get_mut(p.target) {
            *s += p.area;
        }
    }
    sums
}

/// Extensive variable (counts: population, floor area) per target: v_j = Σ_i v_i·a_ij/d_i.
///
/// As in tobler, `allocate_total = true` (tobler's default) divides by the source's total
/// *intersected* area d_i = Σ_k a_ik, so the whole value of a source is allocated even where
/// targets do not cover it; `allocate_total = false` divides by the source's area d_i = a_i,
/// so the part of a source outside every target is lost. A zero denominator counts as 1.
/// Non-finite values count as 0 (tobler's `_nan_check`/`_inf_check`).
///
/// `values` must have one entry per source; extra pieces with out-of-range sources are
/// ignored.
pub fn extensive(table: &OverlayTable, values: &[f64], allocate_total: bool) -> Vec<f64> {
    let den: Vec<f64> = if allocate_total {
        source_intersected_areas(table)
    } else {
        table.source_areas.clone()
    };
    let mut out = vec![0.0; table.target_areas.len()];
    for p in &table.pieces {
        let (Some(v), Some(d), Some(o)) = (
            values.get(p.source),
            den.get(p.source),
            out.get_mut(p.target),
        ) else {
            continue;
        };
        *o += finite_or_zero(*v) * p.area / guarded(*d);
    }
    out
}

/// Intensive variable (rates, densities, prices) per target: v_j = Σ_i v_i·a_ij/Σ_k a_kj.
///
/// tobler divides by the target's total *intersected* area (column sum of the area table),
/// not by the target's own area: a target only partly covered by sources still gets a true
/// weighted mean. A zero denominator counts as 1; non-finite values count as 0.
pub fn intensive(table: &OverlayTable, values: &[f64]) -> Vec<f64> {
    let den = target_intersected_areas(table);
    let mut out = vec![0.0; table.target_areas.len()];
    for p in &table.pieces {
        let (Some(v), Some(d), Some(o)) = (
            values.get(p.source),
            den.get(p.target),
            out.get_mut(p.target),
        ) else {
            continue;
        };
        *o += finite_or_zero(*v) * p.area / guarded(*d);
    }
    out
}

/// Categorical shares per target: for each category k, Σ_{i: cat_i = k} a_ij / a_j with a_j
/// the target's area (tobler's `categorical_frequency=True`). Sources with `None` are
/// skipped. Categories are returned in sorted order.
pub fn categorical<K: Ord + Clone>(
    table: &OverlayTable,
    categories: &[Option<K>],
) -> BTreeMap<K, Vec<f64>> {
    let n = table.target_areas.len();
    let mut out: BTreeMap<K, Vec<f64>> = BTreeMap::new();
    for k in categories.iter().flatten() {
        out.entry(k.clone()).or_insert_with(|| vec![0.0; n]);
    }
    for p in &table.pieces {
        let Some(Some(k)) = categories.get(p.source) else {
            continue;
        };
        let Some(a_j) = table.target_areas.get(p.target) else {
            continue;
        };
        if let Some(col) = out.get_mut(k)
            && let Some(o) = col.get_mut(p.target)
        {
            *o += p.area / guarded(*a_j);
        }
    }
    out
}

/// One target's share of a source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoneShare {
    /// Position of the target in the target slice.
    pub target: usize,
    /// area(source ∩ target).
    pub area: f64,
    /// area / area(source); shares of one source add up to more than 1 where targets overlap.
    pub share: f64,
}

/// Per source, the targets it meets with their areas and shares, in target order.
pub fn zone_shares(table: &OverlayTable) -> Vec<Vec<ZoneShare>> {
    let mut out = vec![Vec::new(); table.source_areas.len()];
    for p in &table.pieces {
        let (Some(row), Some(a_i)) = (out.get_mut(p.source), table.source_areas.get(p.source))
        else {
            continue;
        };
        row.push(ZoneShare {
            target: p.target,
            area: p.area,
            share: if *a_i > 0.0 { p.area / a_i } else { 0.0 },
        });
    }
    out
}

/// An area-weighted mean of target values over one source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaWeightedMean {
    /// Σ_j a_ij·x_j / Σ_j a_ij over the targets with a finite value.
    pub mean: f64,
    /// Σ_j a_ij over those targets: how much of the source the mean speaks for.
    pub covered_area: f64,
}

/// Per source, the area-weighted mean of a target attribute (e.g. density-zone base FAR,
/// land price) over the part of the source covered by targets with a finite value;
/// `None` when no such target meets the source.
pub fn area_weighted_mean(
    table: &OverlayTable,
    target_values: &[f64],
) -> Vec<Option<AreaWeightedMean>> {
    let n = table.source_areas.len();
    let mut num = vec![0.0; n];
    let mut den = vec![0.0; n];
    for p in &table.pieces {
        let Some(x) = target_values
            .get(p.target)
            .copied()
            .filter(|x| x.is_finite())
        else {
            continue;
        };
        if let (Some(nu), Some(de)) = (num.get_mut(p.source), den.get_mut(p.source)) {
            *nu += p.area * x;
            *de += p.area;
        }
    }
    num.into_iter()
        .zip(den)
        .map(|(nu, de)| {
            (de > 0.0).then(|| AreaWeightedMean {
                mean: nu / de,
                covered_area: de,
            })
        })
        .collect()
}

/// Area conservation where the targets tile the sources: per source,
/// (a_i − Σ_j a_ij − Σ slivers) / a_i (the absolute discrepancy when a_i = 0).
/// Slivers are included: they are real area, only below the reporting floor.
pub fn area_conservation(table: &OverlayTable) -> Vec<f64> {
    let mut sums = vec![0.0; table.source_areas.len()];
    for p in table.pieces.iter().chain(&table.slivers) {
        if let Some(s) = sums.get_mut(p.source) {
            *s += p.area;
        }
    }
    table
        .source_areas
        .iter()
        .zip(sums)
        .map(|(a, s)| if *a > 0.0 { (a - s) / a } else { -s })
        .collect()
}

fn finite_or_zero(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geom::overlay::Piece;

    fn table() -> OverlayTable {
        // Source 0 (area 4) half in target 0, a quarter in target 1, a quarter uncovered.
        // Source 1 (area 2) wholly in target 1.
        OverlayTable {
            pieces: vec![
                Piece {
                    source: 0,
                    target: 0,
                    area: 2.0,
                    covered: false,
                },
                Piece {
                    source: 0,
                    target: 1,
                    area: 1.0,
                    covered: false,
                },
                Piece {
                    source: 1,
                    target: 1,
                    area: 2.0,
                    covered: true,
                },
            ],
            slivers: vec![],
            errors: vec![],
            source_areas: vec![4.0, 2.0],
            target_areas: vec![10.0, 5.0],
            ..OverlayTable::default()
        }
    }

    #[test]
    fn tobler_definitions() {
        let t = table();
        let e = extensive(&t, &[30.0, 10.0], true);
        assert_eq!(e, vec![20.0, 20.0]);
        let e = extensive(&t, &[30.0, 10.0], false);
        assert_eq!(e, vec![15.0, 17.5]);
        let i = intensive(&t, &[30.0, 10.0]);
        assert_eq!(i, vec![30.0, 30.0 / 3.0 + 10.0 * 2.0 / 3.0]);
        let c = categorical(&t, &[Some("a"), Some("b")]);
        assert_eq!(c["a"], vec![0.2, 0.2]);
        assert_eq!(c["b"], vec![0.0, 0.4]);
        let m = area_weighted_mean(&t, &[1.0, 4.0]);
        assert_eq!(
            m[0],
            Some(AreaWeightedMean {
                mean: 2.0,
                covered_area: 3.0
            })
        );
        assert_eq!(area_conservation(&t), vec![0.25, 0.0]);
        let z = zone_shares(&t);
        assert_eq!(z[0][1].share, 0.25);
    }
}
