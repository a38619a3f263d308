//! Attribute-level glue of `landpool overlay`: the geometry engine ([`crate::geom`]) gives an
//! [`OverlayTable`] of (source index, target index, area) pieces; this module turns it into
//! files people use — the pieces table (CSV or JSON), the piece geometries with both sides'
//! attributes (GeoJSON), and per-target aggregations of source attributes with PySAL
//! tobler's semantics (`<out stem>.targets.csv`).
//!
//! Submodules, re-exported here: `groups` (`--by`), `pieces` (CSV/JSON pieces table),
//! `targets` (tobler aggregations), `geojson` (piece geometries), `repairs` (the repairs
//! sidecar table).
//!
//! It lives in `report` because it knows layers, attributes and file formats, which the
//! geometry engine must not. Everything here is deterministic: rows follow the table order
//! (source, then target or group), floats are written in Rust's shortest round-trip form,
//! and parallel work is collected in order, so the files do not depend on the thread count.

use geo::MultiPolygon;

use crate::error::{Error, Result};
use crate::geom::{OverlayOptions, OverlayTable, Piece, TargetIndex};
use crate::model::layer::{Feature, Layer};

mod geojson;
mod groups;
#[cfg(feature = "parquet")]
mod parquet;
mod pieces;
mod repairs;
mod targets;

pub use geojson::{piece_property_names, write_pieces_geojson};
pub use groups::TargetGroups;
#[cfg(feature = "parquet")]
pub use parquet::write_pieces_parquet;
pub use pieces::{PiecesMeta, PiecesRepairs, pieces_header, write_pieces_csv, write_pieces_json};
pub use repairs::{repairs_path, write_repairs_csv};
pub use targets::{
    AggregateSpec, TargetsTable, aggregate_targets, target_labels, targets_path, write_targets_csv,
};

/// Sources per engine call: the unit of progress reporting. The engine concatenates rows in
/// source order, so splitting the sources into blocks gives the same table as one call.
pub const PROGRESS_BLOCK: usize = 16_384;

/// Overlays `sources` with the indexed targets block by block, calling `on_block(done)` with
/// the number of sources processed so far after each block. Identical to
/// `index.overlay(sources, opts)`.
pub fn overlay_with_progress(
    index: &TargetIndex<'_>,
    sources: &[MultiPolygon<f64>],
    opts: &OverlayOptions,
    on_block: &mut dyn FnMut(usize),
) -> OverlayTable {
    let mut table = OverlayTable {
        target_areas: index.target_areas(),
        non_finite_targets: index.non_finite_targets(),
        ..OverlayTable::default()
    };
    let shift = |p: Piece, first: usize| Piece {
        source: p.source + first,
        ..p
    };
    let mut first = 0;
    for block in sources.chunks(PROGRESS_BLOCK) {
        let part = index.overlay(block, opts);
        table.source_areas.extend(part.source_areas);
        table
            .pieces
            .extend(part.pieces.into_iter().map(|p| shift(p, first)));
        table
            .slivers
            .extend(part.slivers.into_iter().map(|p| shift(p, first)));
        table.errors.extend(part.errors.into_iter().map(|mut e| {
            e.source += first;
            e
        }));
        table
            .non_finite_sources
            .extend(part.non_finite_sources.into_iter().map(|s| s + first));
        first += block.len();
        on_block(first);
    }
    table
}

/// The id of a feature in output tables: its key (`--source-id`/`--target-id` attribute)
/// when one was chosen, else its 0-based index in the file.
pub fn feature_id(feature: &Feature) -> String {
    match &feature.key {
        Some(k) => k.clone(),
        None => feature.index.to_string(),
    }
}

pub(crate) fn field_index(layer: &Layer, name: &str) -> Result<usize> {
    layer.field_index(name).ok_or_else(|| Error::Feature {
        path: layer.source.to_path_buf(),
        feature: "(schema)".into(),
        message: format!(
            "attribute `{name}` not found; fields are: {}",
            layer
                .schema
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

pub(crate) fn share(area: f64, source_area: f64) -> f64 {
    if source_area > 0.0 {
        area / source_area
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layer::{Field, FieldKind, Value};
    use geo::{Rect, coord};
    use std::path::{Path, PathBuf};

    fn square(x: f64, y: f64, s: f64) -> MultiPolygon<f64> {
        MultiPolygon::new(vec![
            Rect::new(coord! { x: x, y: y }, coord! { x: x + s, y: y + s }).to_polygon(),
        ])
    }

    fn layer(name: &str, field: &str, values: Vec<Value>, geoms: Vec<MultiPolygon<f64>>) -> Layer {
        Layer {
            source: crate::model::SourceLabel::Memory(format!("{name}.geojson")),
            name: name.into(),
            crs: None,
            schema: vec![Field {
                name: field.into(),
                kind: FieldKind::Mixed,
            }],
            features: values
                .into_iter()
                .zip(geoms)
                .enumerate()
                .map(|(index, (v, geometry))| Feature {
                    index,
                    key: None,
                    geometry,
                    attributes: vec![v],
                })
                .collect(),
        }
    }

    /// Two 10 × 10 sources side by side; three targets: left half of source 0, right half
    /// of source 0, and all of source 1; the first and last targets share class "a".
    fn fixture() -> (Layer, Layer, OverlayTable) {
        let src_geoms = vec![square(0.0, 0.0, 10.0), square(10.0, 0.0, 10.0)];
        let tgt_geoms = vec![
            MultiPolygon::new(vec![
                Rect::new(coord! { x: 0.0, y: 0.0 }, coord! { x: 5.0, y: 10.0 }).to_polygon(),
            ]),
            MultiPolygon::new(vec![
                Rect::new(coord! { x: 5.0, y: 0.0 }, coord! { x: 10.0, y: 10.0 }).to_polygon(),
            ]),
            square(10.0, 0.0, 10.0),
        ];
        let table = TargetIndex::new(&tgt_geoms).overlay(&src_geoms, &OverlayOptions::default());
        let source = layer(
            "src",
            "pop",
            vec![Value::Int(100), Value::Str("40".into())],
            src_geoms,
        );
        let target = layer(
            "tgt",
            "class",
            vec![
                Value::Str("a".into()),
                Value::Str("b".into()),
                Value::Str("a".into()),
            ],
            tgt_geoms,
        );
        (source, target, table)
    }

    #[test]
    fn grouping_merges_pieces_per_source_and_class() {
        let (_, target, table) = fixture();
        assert_eq!(table.pieces.len(), 3);
        let groups = TargetGroups::new(&target, "class").unwrap();
        assert_eq!(groups.labels, ["a", "b"]);
        assert_eq!(groups.of_target, [0, 1, 0]);
        let g = groups.group_table(&table);
        assert_eq!(g.target_areas, [150.0, 50.0]);
        let rows: Vec<(usize, usize, f64)> = g
            .pieces
            .iter()
            .map(|p| (p.source, p.target, p.area))
            .collect();
        assert_eq!(rows, [(0, 0, 50.0), (0, 1, 50.0), (1, 0, 100.0)]);
    }

    #[test]
    fn extensive_by_class_splits_source_values_by_area() {
        let (source, target, table) = fixture();
        let groups = TargetGroups::new(&target, "class").unwrap();
        let g = groups.group_table(&table);
        let labels = target_labels(&target, Some(&groups));
        let spec = AggregateSpec {
            extensive: vec!["pop".into()],
            ..AggregateSpec::default()
        };
        let t = aggregate_targets(&source, &labels, Some(&groups), &g, &spec).unwrap();
        assert_eq!(
            t.header,
            ["class", "target_area", "intersected_area", "pop"]
        );
        // Class a: half of source 0 (50) + all of source 1 (40); class b: the other half.
        assert_eq!(t.rows[0], ["a", "150", "150", "90"]);
        assert_eq!(t.rows[1], ["b", "50", "50", "50"]);
    }

    #[test]
    fn non_numeric_value_and_null_group_are_errors_naming_the_feature() {
        let (mut source, mut target, table) = fixture();
        source.features[1].attributes[0] = Value::Str("many".into());
        let spec = AggregateSpec {
            intensive: vec!["pop".into()],
            ..AggregateSpec::default()
        };
        let labels = target_labels(&target, None);
        let e = aggregate_targets(&source, &labels, None, &table, &spec)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("src.geojson") && e.contains("#1") && e.contains("many"),
            "{e}"
        );
        target.features[2].attributes[0] = Value::Null;
        let e = TargetGroups::new(&target, "class").unwrap_err().to_string();
        assert!(e.contains("tgt.geojson#2") && e.contains("null"), "{e}");
    }

    #[test]
    fn blocks_give_the_same_table_as_one_call() {
        let sources: Vec<MultiPolygon<f64>> = (0..PROGRESS_BLOCK + 10)
            .map(|i| square((i % 200) as f64, (i / 200) as f64, 1.5))
            .collect();
        let targets = vec![square(0.0, 0.0, 50.0), square(50.0, 0.0, 200.0)];
        let index = TargetIndex::new(&targets);
        let opts = OverlayOptions::default();
        let mut calls = Vec::new();
        let blocked = overlay_with_progress(&index, &sources, &opts, &mut |d| calls.push(d));
        assert_eq!(calls, [PROGRESS_BLOCK, PROGRESS_BLOCK + 10]);
        assert_eq!(blocked, index.overlay(&sources, &opts));
    }

    #[test]
    fn targets_file_sits_next_to_the_output() {
        assert_eq!(
            targets_path(Path::new("out/pieces.csv")),
            PathBuf::from("out/pieces.targets.csv")
        );
    }
}
