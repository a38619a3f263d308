//! Reprojecting layers, and making them fit for area computation.

use geo::{Coord, MapCoordsInPlace};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::gcj02;
use crate::model::crs::{Crs, CrsKind};
use crate::model::layer::{Feature, Layer};

use super::transform::{Backend, Transformer};

/// The CRS change done by [`prepare_for_areas`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reprojected {
    /// The layer's CRS before.
    pub from: Crs,
    /// The CRS it was reprojected to.
    pub to: Crs,
}

/// Making a PROJ transformer costs milliseconds (a database lookup) and it must stay on its
/// thread: one per rayon job of at least this many features, none extra for small layers.
/// Each coordinate is transformed alone, so the split does not change the output.
const FEATURES_PER_TRANSFORMER: usize = 512;

/// Reprojects every feature of `layer` to `to` and sets `layer.crs`.
///
/// GCJ-02 sources are first converted to WGS84 (iterative inversion); a GCJ-02 target is
/// reached through WGS84. A layer without a CRS, or a CRS without a proj4 definition (e.g.
/// the local planar system) cannot be reprojected. Coordinates are transformed by
/// [`Backend::default()`]: PROJ with the `proj` cargo feature, else `proj4rs`.
pub fn reproject_layer(layer: &mut Layer, to: &Crs) -> Result<()> {
    let from = layer.crs.clone().ok_or_else(|| Error::Crs {
        path: layer.source.to_path_buf(),
        message: "the layer has no CRS, so it cannot be reprojected; say which CRS its \
                  coordinates are in with --crs (e.g. --crs EPSG:4326)"
            .into(),
    })?;
    if &from == to {
        return Ok(());
    }
    let route = Route::new(&from, to);
    // Built here first for a clear error, and used for small layers.
    let first = route.transformer().map_err(|message| Error::Crs {
        path: layer.source.to_path_buf(),
        message,
    })?;
    let failures = route.transform_features(&mut layer.features, first.as_ref());
    if let Some((index, message)) = failures.into_iter().min_by_key(|(i, _)| *i) {
        let feature = layer
            .features
            .iter()
            .find(|f| f.index == index)
            .map(|f| layer.feature_ref(f).to_string())
            .unwrap_or_else(|| index.to_string());
        return Err(Error::Crs {
            path: layer.source.to_path_buf(),
            message: format!("reprojection {from} → {to} failed for feature {feature}: {message}"),
        });
    }
    layer.crs = Some(to.clone());
    Ok(())
}

/// How coordinates get from one CRS to another: GCJ-02 ends go through WGS84, and the
/// rest (if the two differ) through a [`Transformer`].
struct Route {
    src_is_gcj: bool,
    dst_is_gcj: bool,
    /// The transformer's ends (WGS84 in place of GCJ-02).
    src: Crs,
    dst: Crs,
    backend: Backend,
}

impl Route {
    fn new(from: &Crs, to: &Crs) -> Route {
        let wgs84_for_gcj = |crs: &Crs| {
            if crs.is_gcj02() {
                Crs::wgs84()
            } else {
                crs.clone()
            }
        };
        Route {
            src_is_gcj: from.is_gcj02(),
            dst_is_gcj: to.is_gcj02(),
            src: wgs84_for_gcj(from),
            dst: wgs84_for_gcj(to),
            backend: Backend::default(),
        }
    }

    /// The transformer between the ends; `None` when no transformation is needed (e.g.
    /// GCJ-02 → WGS84).
    fn transformer(&self) -> std::result::Result<Option<Transformer>, String> {
        if self.src == self.dst {
            return Ok(None);
        }
        Transformer::build(&self.src, &self.dst, self.backend).map(Some)
    }

    /// Transforms every feature in place; the features that failed, with why.
    fn transform_features(
        &self,
        features: &mut [Feature],
        first: Option<&Transformer>,
    ) -> Vec<(usize, String)> {
        if features.len() <= FEATURES_PER_TRANSFORMER {
            return features
                .iter_mut()
                .filter_map(|f| self.transform_feature(first, f))
                .collect();
        }
        let needs_transform = first.is_some();
        features
            .par_iter_mut()
            .with_min_len(FEATURES_PER_TRANSFORMER)
            .map_init(
                || needs_transform.then(|| Transformer::build(&self.src, &self.dst, self.backend)),
                |transformer, f| match transformer {
                    Some(Ok(t)) => self.transform_feature(Some(t), f),
                    Some(Err(e)) => Some((f.index, e.clone())),
                    None => self.transform_feature(None, f),
                },
            )
            .flatten()
            .collect()
    }

    /// Transforms one feature in place; its index and the message if a coordinate failed.
    fn transform_feature(
        &self,
        transformer: Option<&Transformer>,
        f: &mut Feature,
    ) -> Option<(usize, String)> {
        f.geometry
            .try_map_coords_in_place(|c| self.convert(transformer, c))
            .err()
            .map(|e| (f.index, e))
    }

    fn convert(
        &self,
        transformer: Option<&Transformer>,
        c: Coord,
    ) -> std::result::Result<Coord, String> {
        let (mut x, mut y) = (c.x, c.y);
        if self.src_is_gcj {
            (x, y) = gcj02::gcj02_to_wgs84(x, y);
        }
        if let Some(t) = transformer {
            (x, y) = t.convert_or_message(x, y)?;
        }
        if self.dst_is_gcj {
            (x, y) = gcj02::wgs84_to_gcj02(x, y);
        }
        Ok(Coord { x, y })
    }
}

/// What [`prepare_for_areas_with`] may do to make a layer fit for areas.
#[derive(Debug, Clone, Copy, Default)]
pub struct AreaOptions<'a> {
    /// Projected CRS to reproject to (`--to-crs`, `[input] to_crs`).
    pub target: Option<&'a Crs>,
    /// Measure in a CRS with large scale error (Web Mercator, plate carrée) anyway
    /// (`--allow-distorted-areas`, `[input] allow_distorted_areas`).
    pub allow_distorted: bool,
}

/// [`prepare_for_areas_with`] without reprojection target options beyond `target`, and with
/// distorted CRSs refused.
pub fn prepare_for_areas(layer: &mut Layer, target: Option<&Crs>) -> Result<Option<Reprojected>> {
    prepare_for_areas_with(
        layer,
        AreaOptions {
            target,
            allow_distorted: false,
        },
    )
}

/// Makes `layer` fit for area computation, so that planar areas are m²: projected layers in
/// metres are left alone; projected layers in another unit (US survey feet, feet, ...) have
/// their coordinates converted to metres and their CRS replaced by [`Crs::in_metres`];
/// geographic ones are reprojected to `target` (refused with advice when no target is
/// given); a layer without CRS (or with an unidentified one) is refused with advice to
/// assume one with `--crs`. A CRS with large scale error ([`super::area_distortion`]:
/// Web Mercator, plate carrée), as the layer's or as the target, is refused with advice
/// unless [`AreaOptions::allow_distorted`]. A target in feet is reached in its metre twin.
pub fn prepare_for_areas_with(
    layer: &mut Layer,
    opts: AreaOptions<'_>,
) -> Result<Option<Reprojected>> {
    let path = layer.source.to_path_buf();
    let Some(from) = layer.crs.clone() else {
        return Err(Error::Crs {
            path,
            message: "the layer declares no CRS, so areas cannot be computed; say which CRS \
                      its coordinates are in with --crs (e.g. --crs EPSG:4547, or --crs \
                      local for planar metres without EPSG such as the Shenzhen independent \
                      coordinate system)"
                .into(),
        });
    };
    if let Some(to) = opts.target {
        return prepare_to_target(layer, from, to, opts.allow_distorted);
    }
    match from.kind {
        CrsKind::Projected => {
            if !opts.allow_distorted
                && let Some(why) = super::area_distortion(&from)
            {
                return Err(Error::Crs {
                    path,
                    message: format!(
                        "the layer's CRS {from} is {why}; reproject it with --to-crs \
                         EPSG:4547 (CGCS2000 / 3-degree GK CM 114E, Shenzhen) or to the \
                         layer's local projected CRS, or pass --allow-distorted-areas (in a \
                         project file: [input] allow_distorted_areas = true) to measure in \
                         it anyway"
                    ),
                });
            }
            Ok(convert_to_metres(layer, &from))
        }
        CrsKind::Unknown => Err(Error::Crs {
            path,
            message: format!(
                "the layer's CRS `{from}` is not identified, so it is not known to be in metres; \
                 say which CRS it is with --crs (e.g. --crs EPSG:4547, or --crs local for \
                 planar metres)"
            ),
        }),
        CrsKind::Geographic => Err(Error::Crs {
            path,
            message: format!(
                "the layer is in geographic coordinates ({from}, degrees), so areas cannot be \
                 computed; reproject it to a projected CRS with --to-crs (e.g. --to-crs \
                 EPSG:4547 for Shenzhen, CGCS2000 / 3-degree GK CM 114E; EPSG:31370 for \
                 Flanders){}",
                if from.is_gcj02() {
                    ""
                } else {
                    "; if the coordinates come from AutoNavi/DataV/Tencent maps they are GCJ-02: \
                     add --crs gcj02"
                }
            ),
        }),
    }
}

/// The `target` branch of [`prepare_for_areas_with`].
fn prepare_to_target(
    layer: &mut Layer,
    from: Crs,
    to: &Crs,
    allow_distorted: bool,
) -> Result<Option<Reprojected>> {
    if !to.is_projected() {
        return Err(Error::Usage(format!(
            "target CRS {to} is not projected (metres); areas need a projected CRS such as \
             EPSG:4547 (CGCS2000 / 3-degree GK CM 114E, Shenzhen)"
        )));
    }
    if !allow_distorted && let Some(why) = super::area_distortion(to) {
        return Err(Error::Usage(format!(
            "target CRS {to} is {why}; choose a local projected CRS such as EPSG:4547 \
             (CGCS2000 / 3-degree GK CM 114E, Shenzhen), or pass --allow-distorted-areas \
             (in a project file: [input] allow_distorted_areas = true) to measure in it anyway"
        )));
    }
    let metric = to.in_metres();
    if from == metric {
        return Ok(None);
    }
    if &from == to {
        return Ok(convert_to_metres(layer, &from));
    }
    reproject_layer(layer, &metric)?;
    Ok(Some(Reprojected { from, to: metric }))
}

/// Multiplies the coordinates of a layer in a non-metre projected CRS by its metres per
/// unit and relabels it [`Crs::in_metres`]; `None` (nothing done) for metre layers.
fn convert_to_metres(layer: &mut Layer, from: &Crs) -> Option<Reprojected> {
    let factor = from.metres_per_unit().filter(|f| *f != 1.0)?;
    layer.features.par_iter_mut().for_each(|f| {
        f.geometry.map_coords_in_place(|c| Coord {
            x: c.x * factor,
            y: c.y * factor,
        });
    });
    let to = from.in_metres();
    layer.crs = Some(to.clone());
    Some(Reprojected {
        from: from.clone(),
        to,
    })
}
