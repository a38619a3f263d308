//! The two renderings of an [`InspectReport`]: the text report and the JSON document of
//! `landpool inspect --json`.

use std::io::Write;

use serde_json::json;

use super::inspect::InspectReport;
use crate::geom::repair::repair_lines;
use crate::model::layer::FieldKind;

fn kind_name(k: FieldKind) -> &'static str {
    match k {
        FieldKind::Bool => "bool",
        FieldKind::Int => "int",
        FieldKind::Float => "float",
        FieldKind::Date => "date",
        FieldKind::String => "string",
        FieldKind::Mixed => "mixed",
    }
}

impl InspectReport {
    /// The JSON report: layer, CRS, counts, extent, area, schema, problems, repairs and
    /// unusable features (`null` when repair was refused), and with `features` every
    /// feature with its area and attributes.
    pub fn to_json(&self, features: bool) -> serde_json::Value {
        let layer = &self.layer;
        let feature_rows = features.then(|| {
            layer
                .features
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let attrs: serde_json::Map<String, serde_json::Value> = layer
                        .schema
                        .iter()
                        .zip(&f.attributes)
                        .map(|(fld, v)| {
                            (
                                fld.name.clone(),
                                serde_json::to_value(v).unwrap_or_default(),
                            )
                        })
                        .collect();
                    json!({
                        "ref": layer.feature_ref(f).to_string(),
                        "index": f.index,
                        "key": f.key,
                        "area_m2": self.areas.as_ref().and_then(|a| a.get(i)),
                        "attributes": attrs,
                    })
                })
                .collect::<Vec<_>>()
        });
        json!({
            "layer": layer.source.to_string(),
            "name": layer.name,
            "crs": self.crs,
            "declared_crs": self.declared_crs,
            "feature_count": layer.features.len(),
            "bbox": self.bbox.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
            "total_area_m2": self.total_area(),
            "area_not_computed_because": self.area_refusal,
            "schema": layer.schema,
            "problems": self.problems,
            "repairs": self.repairs.as_ref().map(|r| &r.repaired),
            "unusable": self.repairs.as_ref().map(|r| &r.unusable),
            "features": feature_rows,
        })
    }

    /// Writes the text report; with `features`, one line per feature.
    pub fn write_text(&self, out: &mut dyn Write, features: bool) -> std::io::Result<()> {
        self.write_header(out)?;
        self.write_problems(out)?;
        if features {
            self.write_features(out)?;
        }
        Ok(())
    }

    fn write_header(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let layer = &self.layer;
        writeln!(out, "layer:    {}", layer.source)?;
        match &self.crs {
            Some(c) => writeln!(out, "CRS:      {c} — {}", c.kind_description())?,
            None => writeln!(out, "CRS:      none declared")?,
        }
        if self.reprojected
            && let Some(d) = &self.declared_crs
        {
            writeln!(out, "          (reprojected from {d})")?;
        }
        writeln!(out, "features: {}", layer.features.len())?;
        match self.bbox {
            Some(r) => writeln!(
                out,
                "bbox:     {:.6} {:.6} {:.6} {:.6}",
                r.min().x,
                r.min().y,
                r.max().x,
                r.max().y
            )?,
            None => writeln!(out, "bbox:     (no coordinates)")?,
        }
        match (self.total_area(), &self.area_refusal) {
            (Some(a), _) => {
                writeln!(out, "area:     {a:.3} m² ({:.6} km²)", a / 1e6)?;
                if let Some(u) = self.crs.as_ref().filter(|c| c.has_non_metre_unit()) {
                    let unit = u
                        .unit
                        .as_ref()
                        .map_or("a non-metre unit", |u| u.name.as_str());
                    writeln!(
                        out,
                        "          (coordinates in {unit}, converted to metres for areas)"
                    )?;
                }
            }
            (None, Some(why)) => writeln!(out, "area:     not computed: {why}")?,
            (None, None) => {}
        }
        writeln!(out, "schema:   {} field(s)", layer.schema.len())?;
        for f in &layer.schema {
            writeln!(out, "  {:<20} {}", f.name, kind_name(f.kind))?;
        }
        Ok(())
    }

    fn write_problems(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "geometry problems: {} in {} feature(s)",
            self.problems.len(),
            self.problem_features()
        )?;
        for p in &self.problems {
            writeln!(out, "  {}: {}", p.feature, p.message)?;
        }
        if let Some(r) = &self.repairs {
            writeln!(out, "repairs:  {}", r.repaired.len())?;
            let lines = repair_lines(r);
            let (repaired, _) = lines.split_at(r.repaired.len().min(lines.len()));
            for line in repaired {
                writeln!(out, "  {line}")?;
            }
            writeln!(out, "unusable: {}", r.unusable.len())?;
            for u in &r.unusable {
                writeln!(out, "  {}: {}", u.feature, u.reason)?;
            }
        }
        Ok(())
    }

    fn write_features(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let layer = &self.layer;
        writeln!(out, "features:")?;
        for (i, f) in layer.features.iter().enumerate() {
            let area = self
                .areas
                .as_ref()
                .and_then(|a| a.get(i))
                .map_or_else(|| "-".to_string(), |a| format!("{a:.3}"));
            let attrs: Vec<String> = layer
                .schema
                .iter()
                .zip(&f.attributes)
                .map(|(fld, v)| format!("{}={v}", fld.name))
                .collect();
            writeln!(
                out,
                "  {}: area {area}; {}",
                layer.feature_ref(f),
                attrs.join(", ")
            )?;
        }
        Ok(())
    }
}
