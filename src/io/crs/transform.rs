//! Coordinate transformations between two CRSs, by one of two backends: the pure-Rust
//! `proj4rs` (always built) or the PROJ C library (`proj` cargo feature).

use std::fmt;

use crate::error::{Error, Result};
use crate::model::crs::Crs;

/// Which library computes coordinate transformations.
///
/// The pure-Rust `proj4rs` path is always built; PROJ (the C library, through the `proj`
/// crate) only with the `proj` cargo feature, which also makes it the [`Default`] used by
/// [`super::reproject_layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `proj4rs`, from the CRSs' proj4 definitions.
    PureRust,
    /// PROJ, from `EPSG:n` where the CRS has a code, else from its proj4 definition
    /// (`proj` cargo feature).
    #[cfg(feature = "proj")]
    Proj,
}

impl Default for Backend {
    /// PROJ when built with the `proj` feature, else pure Rust.
    fn default() -> Self {
        #[cfg(feature = "proj")]
        return Backend::Proj;
        #[cfg(not(feature = "proj"))]
        return Backend::PureRust;
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::PureRust => "proj4rs",
            #[cfg(feature = "proj")]
            Backend::Proj => "PROJ",
        })
    }
}

/// A coordinate transformation from one CRS to another, in (x, y) order: longitude/latitude
/// in degrees for geographic CRSs, easting/northing for projected ones, whatever the
/// authority's axis order.
///
/// Neither `Send` nor `Sync` in any build: a PROJ object belongs to the thread that made it,
/// and keeping the pure-Rust build the same means enabling the `proj` feature breaks no
/// caller. Construction is cheap; make one per thread (as [`super::reproject_layer`] does).
pub struct Transformer {
    engine: Engine,
    /// Opts out of `Send`/`Sync` (see above).
    _single_thread: std::marker::PhantomData<*const ()>,
}

/// The library-specific state of a [`Transformer`].
enum Engine {
    /// proj4rs works in radians for geographic systems: converted at both ends. Boxed: a
    /// `proj4rs::Proj` is large.
    PureRust {
        src: Box<proj4rs::Proj>,
        dst: Box<proj4rs::Proj>,
        src_geographic: bool,
        dst_geographic: bool,
    },
    /// Made by `Proj::new_known_crs`, whose axis order is normalised to (lon, lat) /
    /// (easting, northing).
    #[cfg(feature = "proj")]
    Proj(proj::Proj),
}

impl Transformer {
    /// The transformation `from` → `to` computed by `backend`. Fails when a CRS has no
    /// definition (e.g. the local planar system or an unidentified WKT) or when the backend
    /// rejects it.
    pub fn new(from: &Crs, to: &Crs, backend: Backend) -> Result<Transformer> {
        Transformer::build(from, to, backend).map_err(Error::Usage)
    }

    /// Like [`Transformer::new`], with the bare message as error (for callers that add the
    /// file name).
    pub(super) fn build(
        from: &Crs,
        to: &Crs,
        backend: Backend,
    ) -> std::result::Result<Self, String> {
        let engine = match backend {
            Backend::PureRust => {
                let make = |crs: &Crs| -> std::result::Result<Box<proj4rs::Proj>, String> {
                    let def = proj4_of(crs)?;
                    proj4rs::Proj::from_proj_string(def)
                        .map(Box::new)
                        .map_err(|e| format!("cannot use CRS `{crs}` ({def}): {e}"))
                };
                Engine::PureRust {
                    src: make(from)?,
                    dst: make(to)?,
                    src_geographic: from.is_geographic(),
                    dst_geographic: to.is_geographic(),
                }
            }
            #[cfg(feature = "proj")]
            Backend::Proj => {
                // PROJ knows EPSG codes itself; a bare proj4 string must be marked as a CRS,
                // otherwise PROJ reads it as a coordinate operation.
                let def = |crs: &Crs| -> std::result::Result<String, String> {
                    match crs.epsg {
                        Some(code) => Ok(format!("EPSG:{code}")),
                        None => {
                            let def = proj4_of(crs)?;
                            Ok(if def.contains("+type=crs") {
                                def.to_string()
                            } else {
                                format!("{def} +type=crs")
                            })
                        }
                    }
                };
                let proj = proj::Proj::new_known_crs(&def(from)?, &def(to)?, None)
                    .map_err(|e| format!("PROJ cannot relate {from} and {to}: {e}"))?;
                Engine::Proj(proj)
            }
        };
        Ok(Transformer {
            engine,
            _single_thread: std::marker::PhantomData,
        })
    }

    /// The library doing the work.
    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::PureRust { .. } => Backend::PureRust,
            #[cfg(feature = "proj")]
            Engine::Proj(_) => Backend::Proj,
        }
    }

    /// Transforms one (x, y) coordinate. Non-finite input or output is an error naming the
    /// coordinate.
    pub fn convert(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        self.convert_or_message(x, y)
            .map_err(|message| Error::Geometry {
                feature: format!("coordinate ({x}, {y})"),
                message,
            })
    }

    /// Like [`Transformer::convert`], with the bare message as error.
    pub(super) fn convert_or_message(
        &self,
        x: f64,
        y: f64,
    ) -> std::result::Result<(f64, f64), String> {
        if !x.is_finite() || !y.is_finite() {
            return Err(format!("non-finite coordinate ({x}, {y})"));
        }
        let (ox, oy) = match &self.engine {
            Engine::PureRust {
                src,
                dst,
                src_geographic,
                dst_geographic,
            } => {
                let mut p = if *src_geographic {
                    (x.to_radians(), y.to_radians(), 0.0)
                } else {
                    (x, y, 0.0)
                };
                proj4rs::transform::transform(src, dst, &mut p)
                    .map_err(|e| format!("coordinate ({x}, {y}): {e}"))?;
                if *dst_geographic {
                    (p.0.to_degrees(), p.1.to_degrees())
                } else {
                    (p.0, p.1)
                }
            }
            #[cfg(feature = "proj")]
            Engine::Proj(proj) => proj
                .convert((x, y))
                .map_err(|e| format!("coordinate ({x}, {y}): {e}"))?,
        };
        if ox.is_finite() && oy.is_finite() {
            Ok((ox, oy))
        } else {
            Err(format!(
                "coordinate ({x}, {y}) has no finite image ({ox}, {oy}) in the target CRS"
            ))
        }
    }
}

impl fmt::Debug for Transformer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transformer")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// The proj4 definition of `crs`, or why it cannot be reprojected.
fn proj4_of(crs: &Crs) -> std::result::Result<&str, String> {
    crs.proj4.as_deref().ok_or_else(|| {
        format!(
            "CRS `{crs}` has no proj4 definition, so it cannot be reprojected \
             (a local planar system cannot be related to EPSG systems, nor a WKT whose \
             projection landpool does not translate; give the CRS with --crs EPSG:n or a \
             proj4 string)"
        )
    })
}
