//! The map of one project: every parcel of the layer (coloured by status or by tenure class),
//! the density zones, the boundary and the retained-land sites by placement. Parcels and
//! sites named by a finding are outlined as conflicts. The frame is the boundary and the
//! sites; parcels beyond it are still in the map (one element per parcel), only off-screen.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use geo::MultiPolygon;

use super::labels::Lang;
use super::map::{Frame, Label, Shape, SvgMap};
use super::{code_name, coef, esc, m2, num};
use crate::model::{Feature, Layer, Value};
use crate::policy::Finding;
use crate::project::{ParcelRow, ProjectRun, SiteRow};

/// Finding codes by the ids (parcels, sites) their messages name.
type Conflicts = BTreeMap<String, BTreeSet<String>>;

/// The map section: controls, the SVG and the legends.
pub(super) fn project_map_html(run: &ProjectRun, lang: Lang) -> String {
    let report = &run.report;
    let boundary = project_boundary(&run.layers.boundary, &report.project.id);
    let sites = site_features(run);
    let frame = Frame::of(
        boundary
            .iter()
            .map(|f| &f.geometry)
            .chain(sites.iter().map(|(_, f)| &f.geometry)),
    )
    .or_else(|| Frame::of(run.layers.parcels.features.iter().map(|f| &f.geometry)));
    let Some(frame) = frame else {
        return format!("<p>{}</p>", lang.t("none"));
    };
    let conflicts = conflicts(&report.findings);
    let empty = MultiPolygon(Vec::new());
    let mut map = SvgMap::begin(frame, "map by-status", lang.t("map"));
    map.group("parcels", &parcel_shapes(run, &empty, &conflicts, lang));
    let (zone_shapes, zone_labels) = zone_shapes(run, lang);
    map.group("zones", &zone_shapes);
    let boundary_shapes: Vec<Shape<'_>> = boundary
        .iter()
        .map(|f| Shape {
            class: "boundary".into(),
            id: report.project.id.clone(),
            tip: format!(
                "{}\n{} {}\n{} m²",
                lang.t("boundary"),
                report.project.id,
                report.project.name.as_deref().unwrap_or(""),
                m2(report.measurement.boundary_area_m2)
            ),
            href: None,
            geometry: &f.geometry,
        })
        .collect();
    map.group("boundaries", &boundary_shapes);
    let site_shapes: Vec<Shape<'_>> = sites
        .iter()
        .map(|(row, f)| site_shape(row, &f.geometry, &conflicts, lang))
        .collect();
    map.group("sites", &site_shapes);
    map.labels("zone-labels", &zone_labels);
    let svg = map.finish(lang.t("grid_north"));
    let mut s = controls(lang);
    let _ = write!(
        s,
        "<div class=\"map-row\"><div class=\"map-wrap\">{svg}</div>{}</div><p class=\"note\">{} \
         {}</p>",
        legends(&report.parcels, lang),
        lang.t("map_note"),
        esc(crs_label(run).as_str())
    );
    s
}

/// The boundary feature(s) of the project: the one whose id is the project's, or the only
/// one (the same choice as the measurement; a layer of several without a match shows all).
fn project_boundary<'a>(layer: &'a Layer, id: &str) -> Vec<&'a Feature> {
    let hits: Vec<&Feature> = layer
        .features
        .iter()
        .filter(|f| f.key.as_deref() == Some(id))
        .collect();
    if hits.is_empty() {
        layer.features.iter().collect()
    } else {
        hits
    }
}

/// Each site row of the siting with its feature.
fn site_features(run: &ProjectRun) -> Vec<(&SiteRow, &Feature)> {
    let (Some(siting), Some(layer)) = (&run.report.siting, &run.layers.retained_sites) else {
        return Vec::new();
    };
    siting
        .sites
        .iter()
        .filter_map(|r| {
            layer
                .features
                .iter()
                .find(|f| f.index == r.feature_index)
                .map(|f| (r, f))
        })
        .collect()
}

/// The ids each finding's message names (words of the message, trimmed of punctuation).
fn conflicts(findings: &[Finding]) -> Conflicts {
    let mut by: Conflicts = BTreeMap::new();
    for f in findings {
        for word in f.message.split_whitespace() {
            let w = word.trim_matches(|c: char| ",;:()[]{}\"'。，；：".contains(c));
            if !w.is_empty() {
                by.entry(w.to_string())
                    .or_default()
                    .insert(f.code.as_str().to_string());
            }
        }
    }
    by
}

fn conflict_line(conflicts: &Conflicts, id: &str, lang: Lang) -> Option<String> {
    conflicts.get(id).map(|codes| {
        format!(
            "{}: {}",
            lang.t("conflict"),
            codes.iter().cloned().collect::<Vec<_>>().join(", ")
        )
    })
}

fn parcel_shapes<'a>(
    run: &'a ProjectRun,
    empty: &'a MultiPolygon<f64>,
    conflicts: &Conflicts,
    lang: Lang,
) -> Vec<Shape<'a>> {
    let features = &run.layers.parcels.features;
    run.report
        .parcels
        .iter()
        .enumerate()
        .map(|(i, r)| {
            // Rows and features are in the same (layer) order; a missing feature still gets
            // its (empty) element, so the map has one per parcel.
            let geometry = features.get(i).map_or(empty, |f| &f.geometry);
            parcel_shape(r, geometry, conflicts, lang)
        })
        .collect()
}

fn parcel_shape<'a>(
    r: &ParcelRow,
    geometry: &'a MultiPolygon<f64>,
    conflicts: &Conflicts,
    lang: Lang,
) -> Shape<'a> {
    let status = code_name(&r.status);
    let tenure = r.tenure.map_or("unclassified", |t| t.as_str());
    let mut tip = format!(
        "{}\n{}: {}\n{}: {}\n{}: {}",
        r.parcel_id,
        lang.t("status"),
        lang.t(&status),
        lang.t("tenure"),
        lang.t(tenure),
        lang.t("area_m2"),
        m2(r.area_m2)
    );
    if r.area_inside_m2 > 0.0 && r.area_inside_m2 < r.area_m2 {
        let _ = write!(
            tip,
            "\n{}: {}",
            lang.t("area_inside_m2"),
            m2(r.area_inside_m2)
        );
    }
    if let (Some(a), Some(c)) = (r.counted_area_m2, r.land_rights_coef) {
        let _ = write!(
            tip,
            "\n{}: {} · λ = {}",
            lang.t("counted_area_m2"),
            m2(a),
            coef(c)
        );
    }
    if !r.zones.is_empty() {
        let zones: Vec<String> = r
            .zones
            .iter()
            .map(|z| format!("{} {}: {} m²", lang.t("zone"), z.zone, m2(z.area_m2)))
            .collect();
        let _ = write!(tip, "\n{}", zones.join("; "));
    }
    if let Some(reason) = &r.reason {
        let _ = write!(tip, "\n{}: {reason}", lang.t("reason"));
    }
    let conflict = conflict_line(conflicts, &r.parcel_id, lang);
    if let Some(c) = &conflict {
        let _ = write!(tip, "\n{c}");
    }
    Shape {
        class: format!(
            "parcel s-{status} t-{tenure}{}",
            if conflict.is_some() { " conflict" } else { "" }
        ),
        id: r.parcel_id.clone(),
        tip,
        href: None,
        geometry,
    }
}

fn site_shape<'a>(
    r: &SiteRow,
    geometry: &'a MultiPolygon<f64>,
    conflicts: &Conflicts,
    lang: Lang,
) -> Shape<'a> {
    let placement = code_name(&r.placement);
    let mut tip = format!(
        "{} {}\n{}: {}\n{}: {}\n{}: {} · {}: {}",
        lang.t("site_id"),
        r.site_id,
        lang.t("placement"),
        lang.t(&placement),
        lang.t("area_m2"),
        m2(r.area_m2),
        lang.t("inside_m2"),
        m2(r.inside_m2),
        lang.t("outside_m2"),
        m2(r.outside_m2),
    );
    if let Some(u) = &r.use_ {
        let _ = write!(tip, "\n{}: {u}", lang.t("use"));
    }
    if let Some(p) = r.price {
        let _ = write!(tip, "\n{}: {}", lang.t("price"), num(p, 0));
    }
    let conflict = conflict_line(conflicts, &r.site_id, lang);
    if let Some(c) = &conflict {
        let _ = write!(tip, "\n{c}");
    }
    Shape {
        class: format!(
            "site p-{placement}{}",
            if conflict.is_some() { " conflict" } else { "" }
        ),
        id: r.site_id.clone(),
        tip,
        href: None,
        geometry,
    }
}

/// The density zones as outlines, with their zone number as label.
fn zone_shapes(run: &ProjectRun, lang: Lang) -> (Vec<Shape<'_>>, Vec<Label<'_>>) {
    let layer = &run.layers.density_zones;
    let field = &run.config.fields.density_zone;
    let mut shapes = Vec::new();
    let mut labels = Vec::new();
    for f in &layer.features {
        let zone = layer
            .attr(f, field)
            .and_then(Value::as_text)
            .unwrap_or_else(|| format!("#{}", f.index));
        shapes.push(Shape {
            class: format!("zone z-{}", css_token(&zone)),
            id: format!("zone-{}", f.index),
            tip: format!("{} {zone}", lang.t("zone")),
            href: None,
            geometry: &f.geometry,
        });
        labels.push(Label {
            text: format!("{} {zone}", lang.t("zone")),
            class: "zone-label",
            geometry: &f.geometry,
        });
    }
    (shapes, labels)
}

fn css_token(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn crs_label(run: &ProjectRun) -> String {
    run.report
        .inputs
        .iter()
        .find_map(|l| l.crs.clone())
        .unwrap_or_default()
}

fn controls(lang: Lang) -> String {
    format!(
        "<div class=\"map-controls\"><span>{}:</span> <label><input type=\"radio\" \
         name=\"colour\" value=\"by-status\" checked> {}</label> <label><input type=\"radio\" \
         name=\"colour\" value=\"by-tenure\"> {}</label> <span class=\"sep\"></span> <label>\
         <input type=\"checkbox\" class=\"layer-toggle\" value=\"zones\" checked> {}</label> \
         <label><input type=\"checkbox\" class=\"layer-toggle\" value=\"sites\" checked> {}\
         </label></div>",
        lang.t("colour_by"),
        lang.t("by_status"),
        lang.t("by_tenure"),
        lang.t("show_zones"),
        lang.t("show_sites"),
    )
}

/// The legends: parcel status and tenure (one shown, by the colour mode), then the rest.
fn legends(rows: &[ParcelRow], lang: Lang) -> String {
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_tenure: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *by_status.entry(code_name(&r.status)).or_default() += 1;
        *by_tenure
            .entry(r.tenure.map_or("unclassified", |t| t.as_str()))
            .or_default() += 1;
    }
    let mut s = String::from("<div class=\"legend\"><div class=\"lg-status\">");
    for st in ["counted", "excluded", "sliver", "outside", "geometry_error"] {
        if let Some(n) = by_status.get(st) {
            swatch(&mut s, &format!("parcel s-{st}"), lang.t(st), Some(*n));
        }
    }
    s.push_str("</div><div class=\"lg-tenure\">");
    for (t, n) in &by_tenure {
        swatch(&mut s, &format!("parcel t-{t}"), lang.t(t), Some(*n));
    }
    s.push_str("</div><div class=\"lg-fixed\">");
    swatch(&mut s, "boundary", lang.t("boundary"), None);
    swatch(&mut s, "zone", lang.t("zone"), None);
    for p in ["inside", "outside", "straddling"] {
        let label = format!("{} · {}", lang.t("show_sites"), lang.t(p));
        swatch(&mut s, &format!("site p-{p}"), &label, None);
    }
    swatch(&mut s, "conflict", lang.t("conflict"), None);
    s.push_str("</div></div>");
    s
}

fn swatch(s: &mut String, class: &str, label: &str, count: Option<usize>) {
    let _ = write!(
        s,
        "<div class=\"lg-item\"><svg width=\"22\" height=\"16\" viewBox=\"0 0 22 16\"><rect \
         class=\"{class}\" x=\"2\" y=\"2\" width=\"18\" height=\"12\"/></svg><span>{}</span>{}\
         </div>",
        esc(label),
        count.map_or(String::new(), |n| format!(
            "<span class=\"lg-n\">{n}</span>"
        ))
    );
}
