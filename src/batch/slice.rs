//! The plan of work: the district layers indexed once, and each project's slice of them
//! (an R-tree query around its boundary, never a scan of the district).

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, MultiPolygon, Rect};

use crate::geom::index::TargetIndex;
use crate::model::{Feature, Layer, Value};
use crate::project::config::FieldMap;
use crate::project::{LayerSummary, ProjectLayers};

/// The geometry of every indexed district layer, borrowed from the features (an absent
/// layer has none).
pub(super) struct DistrictGeometries<'a> {
    pub(super) parcels: Vec<&'a MultiPolygon<f64>>,
    zones: Vec<&'a MultiPolygon<f64>>,
    buildings: Vec<&'a MultiPolygon<f64>>,
    planned_construction: Vec<&'a MultiPolygon<f64>>,
    prices: Vec<&'a MultiPolygon<f64>>,
    /// The polygons of each dissolved constraint layer.
    constraints: Vec<Vec<&'a MultiPolygon<f64>>>,
}

/// References to the geometry of a layer's features, in layer order.
pub(super) fn geometries(layer: &Layer) -> Vec<&MultiPolygon<f64>> {
    layer.features.iter().map(|f| &f.geometry).collect()
}

impl<'a> DistrictGeometries<'a> {
    /// Borrows the geometry of the district layers.
    pub(super) fn of(layers: &'a ProjectLayers) -> Self {
        let optional = |l: &'a Option<Layer>| l.as_ref().map(geometries).unwrap_or_default();
        DistrictGeometries {
            parcels: geometries(&layers.parcels),
            zones: geometries(&layers.density_zones),
            buildings: optional(&layers.buildings),
            planned_construction: optional(&layers.planned_construction_land),
            prices: optional(&layers.land_prices),
            constraints: layers
                .constraints
                .iter()
                .map(|c| c.polygons.iter().collect())
                .collect(),
        }
    }
}

/// The R-tree indexes of the district layers, built once for every project.
pub(super) struct DistrictIndex<'a> {
    pub(super) parcels: TargetIndex<'a>,
    pub(super) zones: TargetIndex<'a>,
    buildings: TargetIndex<'a>,
    planned_construction: TargetIndex<'a>,
    prices: TargetIndex<'a>,
    /// One index per constraint layer, over its dissolved polygons.
    constraints: Vec<TargetIndex<'a>>,
}

impl<'a> DistrictIndex<'a> {
    /// Indexes every district layer.
    pub(super) fn new(g: &'a DistrictGeometries<'_>) -> Self {
        DistrictIndex {
            parcels: TargetIndex::new(&g.parcels),
            zones: TargetIndex::new(&g.zones),
            buildings: TargetIndex::new(&g.buildings),
            planned_construction: TargetIndex::new(&g.planned_construction),
            prices: TargetIndex::new(&g.prices),
            constraints: g.constraints.iter().map(|c| TargetIndex::new(c)).collect(),
        }
    }
}

/// Retained-land sites grouped by the project they name, once, not searched per project
/// (`""`: sites naming no project).
pub(super) type SitesByProject = BTreeMap<String, Vec<usize>>;

/// Groups the sites of the district by their project attribute.
pub(super) fn sites_by_project(sites: Option<&Layer>, fields: &FieldMap) -> SitesByProject {
    let mut by: SitesByProject = BTreeMap::new();
    if let Some(s) = sites {
        for (i, f) in s.features.iter().enumerate() {
            let p = s
                .attr(f, &fields.site_project)
                .and_then(Value::as_text)
                .unwrap_or_default();
            by.entry(p).or_default().push(i);
        }
    }
    by
}

/// The district index and the inputs every project slice is cut from.
pub(super) struct SliceSource<'a> {
    pub(super) layers: &'a ProjectLayers,
    pub(super) index: &'a DistrictIndex<'a>,
    pub(super) sites_by_project: &'a SitesByProject,
}

impl SliceSource<'_> {
    /// The part of the district layers one project needs: features near its boundary
    /// (`bbox`), its own sites and the sites naming no project, and the zones and prices
    /// around those sites too.
    pub(super) fn project_layers(
        &self,
        id: &str,
        boundary: &Feature,
        bbox: Rect<f64>,
    ) -> ProjectLayers {
        let layers = self.layers;
        let index = self.index;
        let sites = layers.retained_sites.as_ref().map(|s| {
            // Sites naming this project, plus sites naming none (they may belong to any).
            let mut mine: Vec<usize> = self.sites_by_project.get(id).cloned().unwrap_or_default();
            mine.extend(self.sites_by_project.get("").into_iter().flatten());
            mine.sort_unstable();
            subset(s, &mine)
        });
        // Zones are needed around the sites too (the retained land's zone), even off-site ones.
        let zone_box = sites
            .iter()
            .flat_map(|s| s.features.iter())
            .filter_map(|f| f.geometry.bounding_rect())
            .fold(bbox, union_rect);
        let parcel_ids = index.parcels.candidates(&bbox);
        let zone_ids = index.zones.candidates(&zone_box);
        let building_ids = index.buildings.candidates(&bbox);
        let pcl_ids = index.planned_construction.candidates(&bbox);
        // Prices are needed over the counted land and over every site, on- or off-site.
        let price_ids = index.prices.candidates(&zone_box);
        let keep = kept_features(layers, boundary, [&parcel_ids, &building_ids, &zone_ids]);
        ProjectLayers {
            parcels: subset(&layers.parcels, &parcel_ids),
            boundary: subset_features(&layers.boundary, std::slice::from_ref(boundary)),
            density_zones: subset(&layers.density_zones, &zone_ids),
            buildings: layers.buildings.as_ref().map(|b| subset(b, &building_ids)),
            retained_sites: sites,
            land_prices: layers.land_prices.as_ref().map(|l| subset(l, &price_ids)),
            planned_construction_land: layers
                .planned_construction_land
                .as_ref()
                .map(|p| subset(p, &pcl_ids)),
            // The constraints were dissolved once for the district: each project takes the
            // polygons near its boundary and its sites.
            constraints: layers
                .constraints
                .iter()
                .zip(&index.constraints)
                .map(|(c, ix)| c.subset(&ix.candidates(&zone_box)))
                .collect(),
            summaries: summaries_for(&layers.summaries, &keep),
        }
    }
}

/// (source, feature index) of the features a project receives whose repairs and problems
/// its report lists: parcels, buildings, zones (ids in that order) and its boundary.
fn kept_features(
    layers: &ProjectLayers,
    boundary: &Feature,
    [parcel_ids, building_ids, zone_ids]: [&Vec<usize>; 3],
) -> BTreeSet<(String, usize)> {
    let mut keep: BTreeSet<(String, usize)> = BTreeSet::new();
    for (layer, ids) in [
        (Some(&layers.parcels), parcel_ids),
        (layers.buildings.as_ref(), building_ids),
        (Some(&layers.density_zones), zone_ids),
    ] {
        if let Some(l) = layer {
            let src = l.source.to_string();
            keep.extend(ids.iter().map(|&i| (src.clone(), l.features[i].index)));
        }
    }
    let src = layers.boundary.source.to_string();
    keep.insert((src, boundary.index));
    keep
}

/// A layer holding only the given features (in the given, ascending, order).
fn subset(layer: &Layer, indices: &[usize]) -> Layer {
    Layer {
        source: layer.source.clone(),
        name: layer.name.clone(),
        crs: layer.crs.clone(),
        schema: layer.schema.clone(),
        features: indices.iter().map(|&i| layer.features[i].clone()).collect(),
    }
}

fn subset_features(layer: &Layer, features: &[Feature]) -> Layer {
    Layer {
        source: layer.source.clone(),
        name: layer.name.clone(),
        crs: layer.crs.clone(),
        schema: layer.schema.clone(),
        features: features.to_vec(),
    }
}

fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
        geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
    )
}

/// The summaries restricted to the features one project receives, so that each project's
/// report lists only its own repairs and problems.
fn summaries_for(all: &[LayerSummary], keep: &BTreeSet<(String, usize)>) -> Vec<LayerSummary> {
    all.iter()
        .map(|s| {
            let mut s = s.clone();
            let k = |src: &str, i: usize| keep.contains(&(src.to_string(), i));
            s.problems.retain(|p| k(&p.feature.source, p.feature.index));
            s.repairs
                .repaired
                .retain(|r| k(&r.feature.source, r.feature.index));
            s.repairs
                .unusable
                .retain(|u| k(&u.feature.source, u.feature.index));
            s
        })
        .collect()
}
