//! Attribute-level glue of `landpool overlay`: the geometry engine ([`crate::geom`]) gives an
//! [`OverlayTable`] of (source index, target index, area) pieces; this module turns it into
//! files people use — the pieces table (CSV or JSON), the piece geometries with both sides'
//! attributes (GeoJSON), and per-target aggregations of source attributes with PySAL
//! tobler's semantics (`<out stem>.targets.csv`).
//!
//! It lives in `report` because it knows layers, attributes and file formats, which the
//! geometry engine must not. Everything here is deterministic: rows follow the table order
//! (source, then target or group), floats are written in Rust's shortest round-trip form,
//! and parallel work is collected in order, so the files do not depend on the thread count.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use geo::{BooleanOps, MultiPolygon};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::geom::aggregate;
use crate::geom::{OverlayOptions, OverlayTable, Piece, TargetIndex};
use crate::io::write::{CoordFormat, GeoJsonFeatureWriter, encode_geojson_feature, write_atomic};
use crate::layer::{Feature, Layer, Value};

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

/// Targets grouped by the value of one attribute (`--by`): labels in sorted order.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroups {
    /// The attribute name.
    pub attribute: String,
    /// Distinct values as text, sorted.
    pub labels: Vec<String>,
    /// Group of each target (index into `labels`).
    pub of_target: Vec<usize>,
}

impl TargetGroups {
    /// Groups the targets of `layer` by `attribute`. A missing field or a null value is an
    /// error naming the file and feature.
    pub fn new(layer: &Layer, attribute: &str) -> Result<TargetGroups> {
        let field = field_index(layer, attribute)?;
        let mut texts = Vec::with_capacity(layer.features.len());
        for f in &layer.features {
            let text = f
                .attributes
                .get(field)
                .and_then(Value::as_text)
                .ok_or_else(|| Error::Feature {
                    path: layer.source.to_path_buf(),
                    feature: layer.feature_ref(f).to_string(),
                    message: format!("`{attribute}` is null; every target needs a --by value"),
                })?;
            texts.push(text);
        }
        let labels: Vec<String> = texts
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let position: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let of_target = texts
            .iter()
            .map(|t| position.get(t.as_str()).copied().unwrap_or(0))
            .collect();
        Ok(TargetGroups {
            attribute: attribute.to_string(),
            labels,
            of_target,
        })
    }

    /// The table with targets replaced by groups: pieces of one source in one group are
    /// merged (areas added; `covered` if any merged piece was), group areas are the sums of
    /// their targets' areas. The aggregations of [`crate::geom::aggregate`] applied to the
    /// grouped table treat each group as one target (the union of its targets, which do
    /// not overlap in a partition such as density zones).
    pub fn group_table(&self, table: &OverlayTable) -> OverlayTable {
        let mut target_areas = vec![0.0; self.labels.len()];
        for (t, a) in table.target_areas.iter().enumerate() {
            if let Some(g) = self.of_target.get(t).and_then(|g| target_areas.get_mut(*g)) {
                *g += a;
            }
        }
        let merge = |pieces: &[Piece]| -> Vec<Piece> {
            let mut merged: BTreeMap<(usize, usize), Piece> = BTreeMap::new();
            for p in pieces {
                let group = self.of_target.get(p.target).copied().unwrap_or(0);
                merged
                    .entry((p.source, group))
                    .and_modify(|m| {
                        m.area += p.area;
                        m.covered |= p.covered;
                    })
                    .or_insert(Piece {
                        target: group,
                        ..*p
                    });
            }
            merged.into_values().collect()
        };
        OverlayTable {
            pieces: merge(&table.pieces),
            slivers: merge(&table.slivers),
            errors: table.errors.clone(),
            source_areas: table.source_areas.clone(),
            target_areas,
            non_finite_sources: table.non_finite_sources.clone(),
            non_finite_targets: table.non_finite_targets.clone(),
        }
    }
}

fn field_index(layer: &Layer, name: &str) -> Result<usize> {
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

/// Labels of the table's targets: target ids, or group labels with `--by`.
pub fn target_labels(target: &Layer, groups: Option<&TargetGroups>) -> Vec<String> {
    match groups {
        Some(g) => g.labels.clone(),
        None => target.features.iter().map(feature_id).collect(),
    }
}

fn share(area: f64, source_area: f64) -> f64 {
    if source_area > 0.0 {
        area / source_area
    } else {
        0.0
    }
}

/// Header of the pieces table; the second column is `target` or the `--by` attribute.
pub fn pieces_header(groups: Option<&TargetGroups>) -> Vec<String> {
    let target_col = groups.map_or("target", |g| g.attribute.as_str());
    ["source", target_col, "area", "source_share", "covered"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Writes the pieces table as CSV: one row per piece of `table` (already grouped when
/// `--by` is used), columns [`pieces_header`].
pub fn write_pieces_csv(
    path: &Path,
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
) -> Result<()> {
    let header = pieces_header(groups);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = table
        .pieces
        .iter()
        .map(|p| piece_cells(source, target_labels, table, p));
    crate::io::write::write_csv(path, &header, rows)
}

fn piece_cells(
    source: &Layer,
    target_labels: &[String],
    table: &OverlayTable,
    p: &Piece,
) -> [String; 5] {
    let src = source
        .features
        .get(p.source)
        .map(feature_id)
        .unwrap_or_else(|| p.source.to_string());
    let tgt = target_labels
        .get(p.target)
        .cloned()
        .unwrap_or_else(|| p.target.to_string());
    let a_i = table.source_areas.get(p.source).copied().unwrap_or(0.0);
    [
        src,
        tgt,
        p.area.to_string(),
        share(p.area, a_i).to_string(),
        p.covered.to_string(),
    ]
}

/// What the JSON pieces file says about the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PiecesMeta {
    pub source: String,
    pub target: String,
    pub crs: String,
    /// `m2`, or `crs_units2` in `--planar-degrees` mode.
    pub area_unit: String,
    pub sliver_floor: f64,
    pub by: Option<String>,
    pub slivers: usize,
}

/// Writes the pieces table as JSON: `{"meta": {...}, "pieces": [{...}, ...]}` with one piece
/// object per line.
pub fn write_pieces_json(
    path: &Path,
    meta: &PiecesMeta,
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
) -> Result<()> {
    let header = pieces_header(groups);
    let io = |e: std::io::Error| Error::io(path, e);
    let json = |e: serde_json::Error| Error::io(path, std::io::Error::other(e));
    write_atomic(path, |w| {
        w.write_all(b"{\"meta\":").map_err(io)?;
        serde_json::to_writer(&mut *w, meta).map_err(json)?;
        w.write_all(b",\"pieces\":[").map_err(io)?;
        for (n, p) in table.pieces.iter().enumerate() {
            let [s, t, area, sh, _] = piece_cells(source, target_labels, table, p);
            let a_i = table.source_areas.get(p.source).copied().unwrap_or(0.0);
            let mut row = serde_json::Map::new();
            row.insert(header[0].clone(), s.into());
            row.insert(header[1].clone(), t.into());
            row.insert(header[2].clone(), json_number(p.area, &area));
            row.insert(header[3].clone(), json_number(share(p.area, a_i), &sh));
            row.insert(header[4].clone(), p.covered.into());
            w.write_all(if n == 0 { b"\n" } else { b",\n" })
                .map_err(io)?;
            serde_json::to_writer(&mut *w, &row).map_err(json)?;
        }
        w.write_all(b"\n]}\n").map_err(io)
    })
}

fn json_number(v: f64, text: &str) -> serde_json::Value {
    serde_json::Number::from_f64(v)
        .map(serde_json::Value::Number)
        .unwrap_or_else(|| text.into())
}

/// Source attributes aggregated to targets (tobler `area_interpolate` semantics).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AggregateSpec {
    /// Extensive variables (counts): v_j = Σ_i v_i·a_ij/d_i.
    pub extensive: Vec<String>,
    /// Intensive variables (rates, densities): v_j = Σ_i v_i·a_ij/Σ_k a_kj.
    pub intensive: Vec<String>,
    /// Categorical variables: per category, the share of the target's area.
    pub categorical: Vec<String>,
    /// tobler's `allocate_total`: divide extensive values by the source's intersected area
    /// (true) rather than its full area (false).
    pub allocate_total: bool,
}

impl AggregateSpec {
    pub fn is_empty(&self) -> bool {
        self.extensive.is_empty() && self.intensive.is_empty() && self.categorical.is_empty()
    }
}

/// A per-target table: a header and one row per target (or group), all cells as text.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetsTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Numeric column of the source layer: nulls are NaN (counted as 0 by the aggregations, as
/// tobler does); a value that is not a number is an error naming the feature.
fn numeric_column(layer: &Layer, name: &str) -> Result<Vec<f64>> {
    let i = field_index(layer, name)?;
    layer
        .features
        .iter()
        .map(|f| match f.attributes.get(i) {
            None | Some(Value::Null) => Ok(f64::NAN),
            Some(v) => v.as_f64().ok_or_else(|| Error::Feature {
                path: layer.source.to_path_buf(),
                feature: layer.feature_ref(f).to_string(),
                message: format!("`{name}` = {v} is not a number"),
            }),
        })
        .collect()
}

/// Builds the per-target table: `target` (id, or the `--by` attribute), `target_area`,
/// `intersected_area` (Σ_i a_ij), then one column per extensive and intensive variable (its
/// name) and one per category of each categorical variable (`{variable}_{category}`, as
/// tobler names them, categories sorted). Every target (or group) has a row, in order.
pub fn aggregate_targets(
    source: &Layer,
    target_labels: &[String],
    groups: Option<&TargetGroups>,
    table: &OverlayTable,
    spec: &AggregateSpec,
) -> Result<TargetsTable> {
    let mut header = vec![
        groups
            .map_or("target", |g| g.attribute.as_str())
            .to_string(),
        "target_area".to_string(),
        "intersected_area".to_string(),
    ];
    let mut columns: Vec<Vec<f64>> = vec![
        table.target_areas.clone(),
        aggregate::target_intersected_areas(table),
    ];
    for name in &spec.extensive {
        let values = numeric_column(source, name)?;
        header.push(name.clone());
        columns.push(aggregate::extensive(table, &values, spec.allocate_total));
    }
    for name in &spec.intensive {
        let values = numeric_column(source, name)?;
        header.push(name.clone());
        columns.push(aggregate::intensive(table, &values));
    }
    for name in &spec.categorical {
        let i = field_index(source, name)?;
        let cats: Vec<Option<String>> = source
            .features
            .iter()
            .map(|f| f.attributes.get(i).and_then(Value::as_text))
            .collect();
        for (cat, col) in aggregate::categorical(table, &cats) {
            header.push(format!("{name}_{cat}"));
            columns.push(col);
        }
    }
    let rows = target_labels
        .iter()
        .enumerate()
        .map(|(j, label)| {
            std::iter::once(label.clone())
                .chain(
                    columns
                        .iter()
                        .map(|c| c.get(j).copied().unwrap_or(0.0).to_string()),
                )
                .collect()
        })
        .collect();
    Ok(TargetsTable { header, rows })
}

/// Writes a [`TargetsTable`] as CSV, atomically.
pub fn write_targets_csv(path: &Path, t: &TargetsTable) -> Result<()> {
    let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
    crate::io::write::write_csv(path, &header, &t.rows)
}

/// `<dir>/<stem>.targets.csv` for an output path `<dir>/<stem>.<ext>`.
pub fn targets_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "overlay".into());
    out.with_file_name(format!("{stem}.targets.csv"))
}

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
const PIECE_FIELDS: &[&str] = &["source_id", "target_id", "area", "source_share", "covered"];

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
    let empty = MultiPolygon::new(vec![]);
    let encode = |p: &Piece| -> Result<Vec<u8>> {
        let (Some(sf), Some(tf)) = (source.features.get(p.source), target.features.get(p.target))
        else {
            return Err(Error::Geometry {
                feature: format!("piece {} × {}", p.source, p.target),
                message: "piece refers to a missing feature".into(),
            });
        };
        let sg = source_geoms.get(p.source).unwrap_or(&empty);
        let tg = target_geoms.get(p.target).unwrap_or(&empty);
        let pair = || format!("{} × {}", source.feature_ref(sf), target.feature_ref(tf));
        let geometry = if p.covered {
            sg.clone()
        } else {
            catch_unwind(AssertUnwindSafe(|| sg.intersection(tg))).map_err(|_| Error::Geometry {
                feature: pair(),
                message: "the intersection geometry could not be computed (BooleanOps \
                              panicked)"
                    .into(),
            })?
        };
        let a_i = table.source_areas.get(p.source).copied().unwrap_or(0.0);
        let own = [
            Value::Str(feature_id(sf)),
            Value::Str(feature_id(tf)),
            Value::Float(p.area),
            Value::Float(share(p.area, a_i)),
            Value::Bool(p.covered),
        ];
        let props = PIECE_FIELDS
            .iter()
            .copied()
            .zip(own.iter())
            .chain(src_names.iter().map(String::as_str).zip(&sf.attributes))
            .chain(tgt_names.iter().map(String::as_str).zip(&tf.attributes));
        let mut buf = Vec::new();
        encode_geojson_feature(&mut buf, &geometry, props, CoordFormat::Shortest).map_err(
            |message| Error::Geometry {
                feature: pair(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::{Field, FieldKind};
    use geo::{Rect, coord};

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
