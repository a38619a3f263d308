//! Seeded, reproducible synthetic districts (parcels, buildings, density zones, projects,
//! retained-land sites, land prices) in EPSG:4547 near Guangming, Shenzhen.
//!
//! Every random decision is drawn from a self-contained SplitMix64 stream keyed by the
//! seed and the entity's lattice position, so the output is byte-identical for a seed
//! whatever the crate versions or thread count. Coordinates are rounded to millimetres.
//!
//! * [`generate`] builds a [`District`] in memory (tests, small districts);
//! * [`write_district`] writes one GeoJSON per layer plus `manifest.json`;
//! * [`write_synthetic_district`] streams the same files without holding the parcels in
//!   memory (million-parcel districts); its output is identical to
//!   `write_district(dir, &generate(opts))`.

mod defects;
mod district;
mod layers;
mod options;
mod parcels;
mod plan;
mod rng;
mod sites;
mod tenure_classes;
mod write;

use crate::error::Result;
use crate::model::Layer;

pub use district::{Defect, District, LAYER_FILES, MANIFEST_FILE, Manifest, ManifestLayer};
pub use layers::synth_crs;
pub use options::SynthOptions;
pub use plan::{CELL_SIZE_M, ORIGIN_X, ORIGIN_Y, TENURE_CLASSES, TenureClass};
pub use rng::Rng;
pub use write::{write_district, write_synthetic_district};

use defects::{plan_defects, stream_parcels};
use district::manifest;
use layers::{building_schema, empty_layer, parcel_schema, push, small_layers};
use plan::{Plan, ring_area};

/// Generates a district in memory. Errors only for invalid options.
pub fn generate(opts: &SynthOptions) -> Result<District> {
    opts.validate()?;
    let plan = Plan::new(opts);
    let mut parcels = empty_layer("parcels", parcel_schema());
    let mut buildings = empty_layer("buildings", building_schema());
    let mut found = stream_parcels(
        &plan,
        |_| {},
        |p| {
            push(&mut parcels, p.ring.clone(), p.attrs.clone());
            if let Some((ring, attrs)) = &p.building {
                push(&mut buildings, ring.clone(), attrs.clone());
            }
            Ok(())
        },
    )?;
    let count: usize = plan.row_counts().iter().sum();
    let (small, small_defects) = small_layers(&plan, &plan_defects(&plan, count).small);
    found.extend(small_defects);
    let all = [
        &parcels,
        &buildings,
        &small.density_zones,
        &small.projects,
        &small.retained_sites,
        &small.land_prices,
    ];
    let entries: Vec<(&str, &str, usize)> = all
        .iter()
        .zip(LAYER_FILES)
        .map(|(l, f)| (l.name.as_str(), f, l.features.len()))
        .collect();
    let manifest = manifest(&plan, &entries, found);
    Ok(District {
        parcels,
        buildings,
        density_zones: small.density_zones,
        projects: small.projects,
        retained_sites: small.retained_sites,
        land_prices: small.land_prices,
        manifest,
    })
}

/// Sum of the planar (shoelace) areas of a layer's polygons in m², holes subtracted.
pub fn layer_area(layer: &Layer) -> f64 {
    layer
        .features
        .iter()
        .flat_map(|f| f.geometry.0.iter())
        .map(|p| {
            ring_area(&p.exterior().0) - p.interiors().iter().map(|r| ring_area(&r.0)).sum::<f64>()
        })
        .sum()
}
