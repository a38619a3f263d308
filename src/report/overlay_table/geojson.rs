//! The piece geometries with both sides' attributes, as GeoJSON.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use geo::{BooleanOps, MultiPolygon};
use rayon::prelude::*;

use super::{feature_id, share};
use crate::error::{Error, Result};
use crate::geom::{OverlayTable, Piece};
use crate::io::write::{CoordFormat, GeoJsonFeatureWriter, encode_geojson_feature, write_atomic};
use crate::model::layer::{Feature, Layer, Value};

/// Property names of the GeoJSON pieces: the piece's own fields first, then the source's
/// attributes, then the target's; a name used on both sides (or by a piece field) gets the
/// prefix `src_` / `tgt_`.
pub fn piece_property_names(source: &Layer, target: &Layer) -> (Vec<String>, Vec<String>) {
    let src: BTreeSet<&str> = source.schema.iter().map(|f| f.name.as_str()).collect();
    let tgt: BTreeSet<&str> = target.schema.iter().map(|f| f.name.as_str()).collect();
    // A name is prefixed when the other side, or a piece field, uses it too.
    let names = |layer: &Layer, other: &BTreeSet<&str>, prefix: &str| -> Vec<String> {
        layer
            .schema
            .iter()
            .map(|f| {
                let n = f.name.as_str();
                if other.contains(n) || PIECE_FIELDS.contains(&n) {
                    format!("{prefix}{n}")
                } else {
                    n.to_string()
                }
            })
            .collect()
    };
    let src_names = names(source, &tgt, "src_");
    let tgt_names = names(target, &src, "tgt_");
    (src_names, tgt_names)
}

/// The piece's own GeoJSON properties.
pub(super) const PIECE_FIELDS: &[&str] =
    &["source_id", "target_id", "area", "source_share", "covered"];

/// Both sides of an overlay, to build each piece's geometry and own values from.
pub(super) struct PieceSides<'a> {
    pub(super) source: &'a Layer,
    pub(super) source_geoms: &'a [MultiPolygon<f64>],
    pub(super) target: &'a Layer,
    pub(super) target_geoms: &'a [MultiPolygon<f64>],
    pub(super) table: &'a OverlayTable,
}

impl<'a> PieceSides<'a> {
    /// A piece's geometry (source ∩ target with geo's BooleanOps; a covered piece is the
    /// source itself), its own values (in [`PIECE_FIELDS`] order) and both features. A
    /// failed intersection is an error naming both features.
    pub(super) fn piece(
        &self,
        p: &Piece,
    ) -> Result<(MultiPolygon<f64>, [Value; 5], &'a Feature, &'a Feature)> {
        let (source, target) = (self.source, self.target);
        let (Some(sf), Some(tf)) = (source.features.get(p.source), target.features.get(p.target))
        else {
            return Err(Error::Geometry {
                feature: format!("piece {} × {}", p.source, p.target),
                message: "piece refers to a missing feature".into(),
            });
        };
        let empty = MultiPolygon::new(vec![]);
        let sg = self.source_geoms.get(p.source).unwrap_or(&empty);
        let tg = self.target_geoms.get(p.target).unwrap_or(&empty);
        let geometry = if p.covered {
            sg.clone()
        } else {
            catch_unwind(AssertUnwindSafe(|| sg.intersection(tg))).map_err(|_| Error::Geometry {
                feature: format!("{} × {}", source.feature_ref(sf), target.feature_ref(tf)),
                message: "the intersection geometry could not be computed (BooleanOps \
                          panicked)"
                    .into(),
            })?
        };
        let a_i = self
            .table
            .source_areas
            .get(p.source)
            .copied()
            .unwrap_or(0.0);
        let own = [
            Value::Str(feature_id(sf)),
            Value::Str(feature_id(tf)),
            Value::Float(p.area),
            Value::Float(share(p.area, a_i)),
            Value::Bool(p.covered),
        ];
        Ok((geometry, own, sf, tf))
    }
}

/// Writes the pieces with their geometry (source ∩ target computed with geo's BooleanOps;
/// a covered piece is the source itself) and both sides' attributes, as a GeoJSON
/// FeatureCollection named `name`. `table` must be the ungrouped table. Features are encoded
/// in parallel on the current rayon pool and written in table order. A failed intersection
/// is an error naming both features.
#[allow(clippy::too_many_arguments)]
pub fn write_pieces_geojson(
    path: &Path,
    name: &str,
    crs_name: Option<&str>,
    source: &Layer,
    source_geoms: &[MultiPolygon<f64>],
    target: &Layer,
    target_geoms: &[MultiPolygon<f64>],
    table: &OverlayTable,
) -> Result<()> {
    let (src_names, tgt_names) = piece_property_names(source, target);
    let pieces = PieceSides {
        source,
        source_geoms,
        target,
        target_geoms,
        table,
    };
    let encode = |p: &Piece| -> Result<Vec<u8>> {
        let (geometry, own, sf, tf) = pieces.piece(p)?;
        let props = PIECE_FIELDS
            .iter()
            .copied()
            .zip(own.iter())
            .chain(src_names.iter().map(String::as_str).zip(&sf.attributes))
            .chain(tgt_names.iter().map(String::as_str).zip(&tf.attributes));
        let mut buf = Vec::new();
        encode_geojson_feature(&mut buf, &geometry, props, CoordFormat::Shortest).map_err(
            |message| Error::Geometry {
                feature: format!("{} × {}", source.feature_ref(sf), target.feature_ref(tf)),
                message,
            },
        )?;
        Ok(buf)
    };
    // Encode in bounded batches so memory stays proportional to the batch, not the layer.
    const BATCH: usize = 8_192;
    write_atomic(path, |w| {
        let mut fw = GeoJsonFeatureWriter::begin(w, path, name, crs_name, CoordFormat::Shortest)?;
        for batch in table.pieces.chunks(BATCH) {
            let encoded: Vec<Result<Vec<u8>>> = batch.par_iter().map(encode).collect();
            for e in encoded {
                fw.write_encoded(&e?)?;
            }
        }
        fw.finish()?;
        Ok(())
    })
}
