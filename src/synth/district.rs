//! The generated district in memory and its manifest (`manifest.json`).

use serde::{Deserialize, Serialize};

use super::SynthOptions;
use super::plan::{CELL_SIZE_M, Plan};
use crate::model::Layer;

/// A generated district: six layers in EPSG:4547 and the manifest describing them.
#[derive(Debug, Clone)]
pub struct District {
    /// 宗地: `parcel_id, tenure_code, tenure_name, land_use, grant_date, term_years,
    /// legal_area, major_project`.
    pub parcels: Layer,
    /// 现状建筑: `building_id, parcel_id, use, floors, floor_area`.
    pub buildings: Layer,
    /// 密度分区: `zone_id, density_zone, metro_500m`.
    pub density_zones: Layer,
    /// 项目范围: `project_id, name, entered_plan_date, plan_approved, major_project`.
    pub projects: Layer,
    /// 留用土地: `site_id, project_id, use, placement`.
    pub retained_sites: Layer,
    /// 基准地价: `price_zone_id, price`.
    pub land_prices: Layer,
    /// What was generated and which defects were planted.
    pub manifest: Manifest,
}

impl District {
    /// The layers in file order, with their file names.
    pub fn layers(&self) -> [(&'static str, &Layer); 6] {
        [
            (LAYER_FILES[0], &self.parcels),
            (LAYER_FILES[1], &self.buildings),
            (LAYER_FILES[2], &self.density_zones),
            (LAYER_FILES[3], &self.projects),
            (LAYER_FILES[4], &self.retained_sites),
            (LAYER_FILES[5], &self.land_prices),
        ]
    }
}

/// File names written by `write_district` (plus `manifest.json`).
pub const LAYER_FILES: [&str; 6] = [
    "parcels.geojson",
    "buildings.geojson",
    "density_zones.geojson",
    "projects.geojson",
    "retained_sites.geojson",
    "land_prices.geojson",
];
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `manifest.json`: what was generated, how, and which defects were planted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `landpool synth`.
    pub generator: String,
    /// Always true: the data are synthetic.
    pub synthetic: bool,
    /// The options the district was generated with.
    pub options: SynthOptions,
    /// `EPSG:4547`.
    pub crs: String,
    /// `[min_x, min_y, max_x, max_y]` of the district rectangle.
    pub district_bounds: [f64; 4],
    /// Area of the district rectangle, m².
    pub district_area_m2: f64,
    /// Parcel lattice spacing, m.
    pub cell_size_m: f64,
    /// Parcel lattice `[columns, rows]`.
    pub grid: [usize; 2],
    /// The layers written, with their feature counts.
    pub layers: Vec<ManifestLayer>,
    /// The planted defects.
    pub defects: Vec<Defect>,
}

/// One layer of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestLayer {
    /// Layer name.
    pub name: String,
    /// File name in the output folder.
    pub file: String,
    /// Number of features.
    pub features: usize,
}

/// One deliberate defect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// `self_intersecting_parcel`, `duplicate_parcel`, `unknown_tenure_code`,
    /// `missing_tenure_code`, `invalid_grant_date`, `density_zone_out_of_range`,
    /// `invalid_project_date`.
    pub kind: String,
    /// The layer holding the defective feature.
    pub layer: String,
    /// 0-based feature position in the layer's file.
    pub index: usize,
    /// The feature's id attribute.
    pub id: String,
    /// What is wrong with the feature.
    pub description: String,
}

/// The manifest of a district generated from `plan`.
pub(super) fn manifest(
    plan: &Plan,
    layers: &[(&str, &str, usize)],
    defects: Vec<Defect>,
) -> Manifest {
    let b = plan.bounds();
    Manifest {
        generator: "landpool synth".into(),
        synthetic: true,
        options: plan.opts.clone(),
        crs: "EPSG:4547".into(),
        district_bounds: b,
        district_area_m2: (b[2] - b[0]) * (b[3] - b[1]),
        cell_size_m: CELL_SIZE_M,
        grid: [plan.parcels.nx, plan.parcels.ny],
        layers: layers
            .iter()
            .map(|(name, file, n)| ManifestLayer {
                name: (*name).into(),
                file: (*file).into(),
                features: *n,
            })
            .collect(),
        defects,
    }
}
