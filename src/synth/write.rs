//! Writing a district: from memory ([`write_district`]) or streamed
//! ([`write_synthetic_district`]).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::defects::{plan_defects, stream_parcels};
use super::district::manifest;
use super::layers::{building_schema, parcel_schema, polygon, small_layers, synth_crs};
use super::parcels::{ParcelOut, parcel_id};
use super::plan::Plan;
use super::{District, LAYER_FILES, MANIFEST_FILE, Manifest, SynthOptions};
use crate::error::{Error, Result};
use crate::io::write::{
    CoordFormat, GeoJsonFeatureWriter, encode_geojson_feature, geojson_crs_name, write_atomic,
    write_geojson_layer, write_json_pretty,
};
use crate::model::Field;

/// Coordinates are already rounded to millimetres: the shortest form prints them exactly.
const COORDS: CoordFormat = CoordFormat::Shortest;

/// Writes a district: one GeoJSON per layer (see [`LAYER_FILES`]) and `manifest.json`,
/// each atomically. Creates `dir` if needed. Returns the paths written.
pub fn write_district(dir: &Path, district: &District) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for (file, layer) in district.layers() {
        let path = dir.join(file);
        write_geojson_layer(&path, layer, None)?;
        written.push(path);
    }
    let path = dir.join(MANIFEST_FILE);
    write_json_pretty(&path, &district.manifest)?;
    written.push(path);
    Ok(written)
}

/// Generates and writes a district without holding parcels or buildings in memory; the
/// files are identical to `write_district(dir, &generate(opts)?)`.
pub fn write_synthetic_district(dir: &Path, opts: &SynthOptions) -> Result<Manifest> {
    opts.validate()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let plan = Plan::new(opts);
    let crs = geojson_crs_name(&synth_crs());
    let crs = crs.as_deref();
    let (parcels_path, buildings_path) = (dir.join(LAYER_FILES[0]), dir.join(LAYER_FILES[1]));
    let parcel_fields = parcel_schema();
    let building_fields = building_schema();
    let mut counts = (0, 0);
    let mut found = Vec::new();
    write_atomic(&parcels_path, |pw: &mut BufWriter<File>| {
        write_atomic(&buildings_path, |bw: &mut BufWriter<File>| {
            let mut pf = GeoJsonFeatureWriter::begin(pw, &parcels_path, "parcels", crs, COORDS)?;
            let mut bf =
                GeoJsonFeatureWriter::begin(bw, &buildings_path, "buildings", crs, COORDS)?;
            let names = |fields: &[Field]| -> Vec<String> {
                fields.iter().map(|f| f.name.clone()).collect()
            };
            let (parcel_names, building_names) = (names(&parcel_fields), names(&building_fields));
            let encode =
                |p: &ParcelOut| -> std::result::Result<(Vec<u8>, Option<Vec<u8>>), String> {
                    let mut parcel = Vec::with_capacity(512);
                    let props = parcel_names.iter().map(String::as_str).zip(&p.attrs);
                    encode_geojson_feature(&mut parcel, &polygon(p.ring.clone()), props, COORDS)?;
                    let building = match &p.building {
                        Some((ring, attrs)) => {
                            let mut b = Vec::with_capacity(384);
                            let props = building_names.iter().map(String::as_str).zip(attrs);
                            encode_geojson_feature(&mut b, &polygon(ring.clone()), props, COORDS)?;
                            Some(b)
                        }
                        None => None,
                    };
                    Ok((parcel, building))
                };
            // Encoding runs in the parallel stage; a failure there (impossible for finite
            // synthetic coordinates) is reported by re-encoding in the sink.
            let prepare = |p: &mut ParcelOut| p.encoded = encode(p).ok();
            found = stream_parcels(&plan, prepare, |p| {
                let owned;
                let (parcel, building) = match &p.encoded {
                    Some((parcel, building)) => (parcel, building),
                    None => {
                        owned = encode(p).map_err(|message| Error::Feature {
                            path: parcels_path.clone(),
                            feature: parcel_id(p.ordinal),
                            message,
                        })?;
                        (&owned.0, &owned.1)
                    }
                };
                pf.write_encoded(parcel)?;
                if let Some(b) = building {
                    bf.write_encoded(b)?;
                }
                Ok(())
            })?;
            counts = (pf.count(), bf.count());
            bf.finish()?;
            pf.finish()?;
            Ok(())
        })
    })?;
    let count: usize = plan.row_counts().iter().sum();
    let (small, small_defects) = small_layers(&plan, &plan_defects(&plan, count).small);
    found.extend(small_defects);
    let small_layers = [
        &small.density_zones,
        &small.projects,
        &small.retained_sites,
        &small.land_prices,
    ];
    for (layer, file) in small_layers.iter().zip(&LAYER_FILES[2..]) {
        write_geojson_layer(&dir.join(file), layer, None)?;
    }
    let mut entries = vec![
        ("parcels", LAYER_FILES[0], counts.0),
        ("buildings", LAYER_FILES[1], counts.1),
    ];
    for (layer, file) in small_layers.iter().zip(&LAYER_FILES[2..]) {
        entries.push((layer.name.as_str(), file, layer.features.len()));
    }
    let manifest = manifest(&plan, &entries, found);
    write_json_pretty(&dir.join(MANIFEST_FILE), &manifest)?;
    Ok(manifest)
}
