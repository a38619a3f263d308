//! The project boundary (项目范围) and the parcels cut by it.

use std::collections::BTreeMap;

use geo::{Area, MultiPolygon};

use super::{Notes, ReasonByFeature, feature_error};
use crate::geom::boundary::clip_to_boundary;
use crate::geom::overlay::OverlayOptions;
use crate::model::{Feature, Layer};
use crate::project::config::ProjectFile;
use crate::project::{LayerRole, LayerSummary, ProjectLayers};
use crate::{Error, Result};

/// The boundary feature of the project and its area.
pub(super) struct ProjectBoundary<'a> {
    pub(super) feature: &'a Feature,
    /// Planar area, m² (positive).
    pub(super) area_m2: f64,
}

impl<'a> ProjectBoundary<'a> {
    /// The project's boundary feature; an error when it has no area.
    pub(super) fn find(config: &ProjectFile, layer: &'a Layer) -> Result<ProjectBoundary<'a>> {
        let feature = project_boundary(config, layer)?;
        let area_m2 = feature.geometry.unsigned_area();
        if area_m2 <= 0.0 {
            return Err(feature_error(
                layer,
                feature,
                "the project boundary has no area".into(),
            ));
        }
        Ok(ProjectBoundary { feature, area_m2 })
    }
}

/// Picks the project's boundary feature: the only one, or the one whose id attribute is the
/// project id.
pub(crate) fn project_boundary<'a>(config: &ProjectFile, layer: &'a Layer) -> Result<&'a Feature> {
    let layer_error = |message: String| Error::Feature {
        path: layer.source.to_path_buf(),
        feature: "(layer)".into(),
        message,
    };
    match layer.features.as_slice() {
        [] => Err(layer_error("the boundary layer has no features".into())),
        // One feature: it is the project's unless its id attribute names another project
        // (then the report would carry the wrong id).
        [only] => match only.key.as_deref() {
            Some(key) if key != config.project.id => Err(layer_error(format!(
                "the only boundary feature has {} = {key:?}, not the project id {:?}; \
                 check [project] id in {}, or set [fields] boundary_id to the attribute \
                 holding the project id",
                config.fields.boundary_id,
                config.project.id,
                config.path.display()
            ))),
            _ => Ok(only),
        },
        many => {
            let id = &config.project.id;
            let hits: Vec<&Feature> = many
                .iter()
                .filter(|f| f.key.as_deref() == Some(id.as_str()))
                .collect();
            match hits.as_slice() {
                [one] => Ok(one),
                [] => Err(layer_error(no_boundary_message(config, many))),
                _ => Err(layer_error(format!(
                    "{} boundary features have {} = {id:?}",
                    hits.len(),
                    config.fields.boundary_id
                ))),
            }
        }
    }
}

/// Why none of several boundary features is the project's, with the ids found.
fn no_boundary_message(config: &ProjectFile, many: &[Feature]) -> String {
    let found: Vec<String> = many
        .iter()
        .take(10)
        .map(|f| f.key.clone().unwrap_or_else(|| "(none)".into()))
        .collect();
    format!(
        "{} boundary features and none has {} = {:?} (found: {}{}); \
         check [project] id, or set [fields] boundary_id to the attribute \
         holding the project id",
        many.len(),
        config.fields.boundary_id,
        config.project.id,
        found.join(", "),
        if many.len() > found.len() {
            ", …"
        } else {
            ""
        }
    )
}

/// Parcels whose geometry could not be repaired (or, with `[input] repair = false`, was
/// not): they take no part in the geometry. Keyed by feature index, with the reason.
pub(super) fn unusable_parcels(
    config: &ProjectFile,
    layers: &ProjectLayers,
    boundary: &ProjectBoundary<'_>,
    notes: &mut Notes,
) -> Result<ReasonByFeature> {
    let mut unusable: ReasonByFeature = layers
        .summaries
        .iter()
        .filter(|s| s.role == LayerRole::Parcels)
        .flat_map(|s| s.repairs.unusable.iter())
        .map(|u| (u.feature.index, u.reason.clone()))
        .collect();
    if !config.input.repair {
        not_repaired(
            config,
            layers,
            &boundary.feature.geometry,
            &mut unusable,
            notes,
        )?;
    }
    Ok(unusable)
}

/// `[input] repair = false`: invalid geometry is not measured as it is, because its area and
/// its cut by the boundary would be wrong without a word. An invalid parcel that may lie in
/// the project (its extent meets the boundary's) is an error naming it; one wholly away
/// from the project is listed with status `geometry_error`. Invalid features of the other
/// layers are warnings.
fn not_repaired(
    config: &ProjectFile,
    layers: &ProjectLayers,
    boundary: &MultiPolygon<f64>,
    unusable: &mut ReasonByFeature,
    notes: &mut Notes,
) -> Result<()> {
    let parcels = &layers.parcels;
    let mut in_project = Vec::new();
    for s in &layers.summaries {
        if s.problems.is_empty() {
            continue;
        }
        if s.role != LayerRole::Parcels {
            notes.warnings.push(format!(
                "{} feature problem(s) in {} were not repaired ([input] repair = false), \
                 first: {}: {}; areas involving them may be wrong",
                s.problems.len(),
                s.path,
                s.problems[0].feature,
                s.problems[0].message
            ));
            continue;
        }
        sort_invalid_parcels(s, parcels, boundary, &mut in_project, unusable);
    }
    if in_project.is_empty() {
        return Ok(());
    }
    Err(Error::Feature {
        path: parcels.source.to_path_buf(),
        feature: format!("{} parcel(s)", in_project.len()),
        message: format!(
            "invalid geometry in the project and [input] repair = false in {}, so the \
             parcel cannot be measured; fix it or set repair = true (every repair is \
             reported):\n  {}",
            config.path.display(),
            in_project.join("\n  ")
        ),
    })
}

/// Sorts the invalid parcels of a summary into those that may lie in the project (listed
/// in `in_project`) and those wholly away from it (made unusable).
fn sort_invalid_parcels(
    summary: &LayerSummary,
    parcels: &Layer,
    boundary: &MultiPolygon<f64>,
    in_project: &mut Vec<String>,
    unusable: &mut ReasonByFeature,
) {
    use geo::{BoundingRect, Intersects};
    let boundary_box = boundary.bounding_rect();
    let mut by_feature: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for p in &summary.problems {
        by_feature
            .entry(p.feature.index)
            .or_default()
            .push(p.message.as_str());
    }
    for (index, messages) in by_feature {
        let Some(f) = parcels.features.iter().find(|f| f.index == index) else {
            continue;
        };
        let near = match (f.geometry.bounding_rect(), boundary_box) {
            (Some(a), Some(b)) => a.intersects(&b),
            _ => true,
        };
        let what = messages.join("; ");
        if near {
            in_project.push(format!("{}: {what}", parcels.feature_ref(f)));
        } else {
            unusable.insert(
                index,
                format!("invalid geometry not repaired ([input] repair = false): {what}"),
            );
        }
    }
}

/// Where a parcel's inside part came from, and its measured area.
#[derive(Debug, Clone, Copy)]
pub(super) struct InsideCut {
    /// Position of the parcel in the parcel layer.
    pub(super) source: usize,
    /// Area inside the boundary, m² (the overlay engine's exact figure).
    pub(super) area_m2: f64,
    /// The whole parcel lies inside (no cut was needed).
    pub(super) covered: bool,
}

/// The parcels cut by the boundary.
pub(super) struct ClippedParcels {
    /// Parts at or above the sliver floor, in layer order.
    pub(super) cuts: Vec<InsideCut>,
    /// Geometry of each inside part, aligned with `cuts`.
    pub(super) geometries: Vec<MultiPolygon<f64>>,
    /// Parcels whose inside part is below the floor: (position, area).
    pub(super) slivers: Vec<(usize, f64)>,
    /// Parcels whose intersection failed: (position, message), ascending.
    pub(super) errors: Vec<(usize, String)>,
    /// Planar area of every parcel, by position.
    pub(super) source_areas: Vec<f64>,
}

/// Cuts every usable parcel by the boundary (unusable ones count as empty, so positions
/// stay aligned with the layer). The parcels' geometry is borrowed, not copied.
pub(super) fn clip_parcels(
    parcels: &Layer,
    unusable: &ReasonByFeature,
    boundary: &ProjectBoundary<'_>,
    opts: &OverlayOptions,
) -> ClippedParcels {
    let empty = MultiPolygon::new(vec![]);
    let geoms: Vec<&MultiPolygon<f64>> = parcels
        .features
        .iter()
        .map(|f| {
            if unusable.contains_key(&f.index) {
                &empty
            } else {
                &f.geometry
            }
        })
        .collect();
    let clipped = clip_to_boundary(&geoms, &boundary.feature.geometry, opts);
    let (cuts, geometries) = clipped
        .inside
        .into_iter()
        .map(|part| {
            let cut = InsideCut {
                source: part.source,
                area_m2: part.area,
                covered: part.covered,
            };
            (cut, part.geometry)
        })
        .unzip();
    ClippedParcels {
        cuts,
        geometries,
        slivers: clipped.slivers,
        errors: clipped.errors,
        source_areas: clipped.source_areas,
    }
}
