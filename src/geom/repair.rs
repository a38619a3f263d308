//! The one repair policy of every command (`inspect`, `overlay`, `assess`, `batch`) and of
//! the library entry points in [`crate::pipeline`]: validate each feature once, then either
//! repair the invalid ones (the default; every repair is listed with its area before and
//! after) or refuse the layer with an error naming the file, the feature and the problem
//! (`--no-repair`).
//!
//! This module only decides; the repair itself is [`validity::repair_validated`], the one
//! repair path (MakeValid, canonicalised) that [`validity::repair_layer`] uses too.
//!
//! Invalid polygons must not be measured as they are: a self-intersecting ring's shoelace
//! area counts its lobes with opposite signs, so an overlay of real parcels silently gets
//! negative or shrunken pieces.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::geom::validity::{self, FeatureProblem, RepairReport};
use crate::model::layer::{FeatureRef, Layer};

/// What to do with invalid geometry of an input layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairPolicy {
    /// Repair every invalid feature (MakeValid) and list each repair. The default.
    #[default]
    Repair,
    /// Refuse a layer with any invalid feature: an error naming the file, the feature and
    /// the problem (`--no-repair`).
    Refuse,
}

impl RepairPolicy {
    /// `Refuse` when `no_repair` is set (the `--no-repair` flag), else `Repair`.
    pub fn from_no_repair(no_repair: bool) -> RepairPolicy {
        if no_repair {
            RepairPolicy::Refuse
        } else {
            RepairPolicy::Repair
        }
    }
}

/// What validation found in one layer and what repair did about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LayerRepairs {
    /// Every problem found, in feature order (before any repair).
    pub problems: Vec<FeatureProblem>,
    /// The repairs made (feature, problem, area before and after) and the features that
    /// could not be repaired. Empty when the layer was valid.
    pub report: RepairReport,
}

impl LayerRepairs {
    /// Number of distinct features with at least one problem.
    pub fn problem_features(&self) -> usize {
        count_features(&self.problems)
    }

    /// True when nothing was repaired and nothing is unusable.
    pub fn is_empty(&self) -> bool {
        self.report.repaired.is_empty() && self.report.unusable.is_empty()
    }
}

/// Validates every feature of `layer` once and applies `policy`: with
/// [`RepairPolicy::Repair`] the invalid features are repaired in place (see
/// [`validity::repair_validated`]); with [`RepairPolicy::Refuse`] any problem is an error (see
/// [`refusal`]) and the layer is left as it was.
///
/// ```
/// use geo::wkt;
/// use landpool::geom::repair::{RepairPolicy, validate_and_repair};
/// use landpool::{Feature, Layer};
///
/// let bowtie = geo::MultiPolygon::new(vec![wkt!(POLYGON((0. 0.,0. 10.,10. 0.,10. 10.,0. 0.)))]);
/// let feature = Feature { index: 0, key: Some("P1".into()), geometry: bowtie, attributes: vec![] };
/// let mut layer = Layer {
///     source: "parcels.geojson".into(), name: "parcels".into(), crs: None,
///     schema: vec![], features: vec![feature],
/// };
/// let refused = validate_and_repair(&mut layer.clone(), RepairPolicy::Refuse).unwrap_err();
/// assert!(refused.to_string().contains("parcels.geojson#0 (P1)"));
///
/// let done = validate_and_repair(&mut layer, RepairPolicy::Repair).unwrap();
/// let repair = &done.report.repaired[0];
/// assert_eq!((repair.area_before, repair.area_after), (0.0, 50.0));
/// ```
pub fn validate_and_repair(layer: &mut Layer, policy: RepairPolicy) -> Result<LayerRepairs> {
    let problems = validity::validate_layer(layer);
    if policy == RepairPolicy::Refuse
        && let Some(e) = refusal(layer, &problems)
    {
        return Err(e);
    }
    let report = validity::repair_validated(layer, &problems);
    Ok(LayerRepairs { problems, report })
}

/// The error refusing `layer` because of `problems` (`--no-repair`), or `None` when there
/// is no problem. It names the file, every invalid feature (up to 20) and its problems, and
/// says how to repair.
pub fn refusal(layer: &Layer, problems: &[FeatureProblem]) -> Option<Error> {
    let first = problems.first()?;
    let features = count_features(problems);
    let mut lines: Vec<String> = Vec::new();
    let mut last: Option<&FeatureProblem> = None;
    for p in problems {
        match last {
            Some(l) if l.feature == p.feature => {
                if let Some(line) = lines.last_mut() {
                    line.push_str("; ");
                    line.push_str(&p.message);
                }
            }
            _ => lines.push(format!("{}: {}", p.feature, p.message)),
        }
        last = Some(p);
    }
    const SHOWN: usize = 20;
    let more = lines.len().saturating_sub(SHOWN);
    lines.truncate(SHOWN);
    if more > 0 {
        lines.push(format!("... and {more} more feature(s)"));
    }
    let feature = match features {
        1 => first.feature.to_string(),
        n => format!("{} and {} more", first.feature, n - 1),
    };
    Some(Error::Feature {
        path: layer.source.to_path_buf(),
        feature,
        message: format!(
            "invalid geometry in {features} feature(s) and repair is off (--no-repair); fix \
             the data, or drop --no-repair to repair it with MakeValid (every repair is \
             reported):\n  {}",
            lines.join("\n  ")
        ),
    })
}

/// One line per repair and per unusable feature, as the commands print them:
/// `<feature>: area <before> → <after> (<problem>)` and `<feature>: not repaired: <reason>`.
pub fn repair_lines(report: &RepairReport) -> Vec<String> {
    let repaired = report.repaired.iter().map(|r| {
        format!(
            "{}: area {:.3} → {:.3} ({})",
            r.feature, r.area_before, r.area_after, r.problem
        )
    });
    let unusable = report
        .unusable
        .iter()
        .map(|u| format!("{}: not repaired: {}", u.feature, u.reason));
    repaired.chain(unusable).collect()
}

fn count_features(problems: &[FeatureProblem]) -> usize {
    let mut v: Vec<&FeatureRef> = problems.iter().map(|p| &p.feature).collect();
    v.dedup();
    v.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layer::Feature;
    use geo::{MultiPolygon, Polygon, wkt};

    fn layer(geoms: Vec<Polygon<f64>>) -> Layer {
        Layer {
            source: "t.geojson".into(),
            name: "t".into(),
            crs: None,
            schema: Vec::new(),
            features: geoms
                .into_iter()
                .enumerate()
                .map(|(index, p)| Feature {
                    index,
                    key: None,
                    geometry: MultiPolygon::new(vec![p]),
                    attributes: vec![crate::Value::Int(index as i64)],
                })
                .collect(),
        }
    }

    fn fixture() -> Layer {
        layer(vec![
            wkt!(POLYGON((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.))),
            wkt!(POLYGON((0. 0., 0. 10., 10. 0., 10. 10., 0. 0.))),
            wkt!(POLYGON((20. 0., 24. 0., 24. 4., 20. 4., 20. 0.))),
            wkt!(POLYGON((30. 0., 30. 2., 32. 0., 32. 2., 30. 0.))),
        ])
    }

    #[test]
    fn repair_replaces_each_invalid_feature_by_its_make_valid_and_lists_the_areas() {
        let original = fixture();
        let mut ours = fixture();
        let done = validate_and_repair(&mut ours, RepairPolicy::Repair).unwrap();
        assert_eq!(done.problem_features(), 2);
        let repaired: Vec<usize> = done
            .report
            .repaired
            .iter()
            .map(|r| r.feature.index)
            .collect();
        assert_eq!(repaired, vec![1, 3], "in feature order");
        for (a, b) in ours.features.iter().zip(&original.features) {
            assert_eq!(a.attributes, b.attributes, "attributes stay in place");
            let invalid = !validity::validate_geometry(&b.geometry).is_empty();
            // The reference is the per-geometry repair, independent of the layer code.
            let expected = if invalid {
                validity::make_valid_geometry(&b.geometry).unwrap()
            } else {
                b.geometry.clone()
            };
            assert_eq!(a.geometry, expected, "feature {}", b.index);
        }
        for r in &done.report.repaired {
            let before = &original.features[r.feature.index].geometry;
            let after = &ours.features[r.feature.index].geometry;
            assert_eq!(r.area_before, validity::unsigned_area(before));
            assert_eq!(r.area_after, validity::unsigned_area(after));
        }
        assert_eq!(done.report, validity::repair_layer(&mut fixture()));
    }

    #[test]
    fn refusal_names_file_feature_and_problem_and_leaves_the_layer() {
        let mut l = fixture();
        let before = l.features[1].geometry.clone();
        let e = validate_and_repair(&mut l, RepairPolicy::Refuse)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(
                "t.geojson: feature t.geojson#1 and 1 more: invalid geometry in 2 feature(s)"
            ),
            "{e}"
        );
        assert!(
            e.contains("t.geojson#3: ") && e.contains("elf-intersection"),
            "{e}"
        );
        assert!(e.contains("--no-repair"), "{e}");
        assert_eq!(l.features[1].geometry, before);
        let mut valid = layer(vec![wkt!(POLYGON((0. 0., 1. 0., 1. 1., 0. 0.)))]);
        let done = validate_and_repair(&mut valid, RepairPolicy::Refuse).unwrap();
        assert!(done.is_empty() && done.problems.is_empty());
    }

    #[test]
    fn repair_lines_show_areas_and_unusable_reasons() {
        let mut l = fixture();
        l.features[0].geometry = MultiPolygon::new(vec![]);
        let done = validate_and_repair(&mut l, RepairPolicy::Repair).unwrap();
        let lines = repair_lines(&done.report);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("t.geojson#1: area 0.000 → 50.000 ("),
            "{lines:?}"
        );
        assert!(
            lines[2].starts_with("t.geojson#0: not repaired: "),
            "{lines:?}"
        );
    }
}
