//! The district index of a batch: every project on a map coloured by its status (ok, with
//! findings, failed), a sortable project table linking to each project's report, and the
//! overlapping projects.

use std::fmt::Write as _;

use geo::MultiPolygon;

use super::labels::Lang;
use super::map::{Frame, Label, Shape, SvgMap};
use super::project::section;
use super::tables::{Cell, Column, Row, sortable};
use super::{REPORT_HTML, code_name, esc, m2, page};
use crate::batch::{BatchRun, ProjectOutcome, ProjectStatus};
use crate::model::Value;
use crate::policy::Severity;
use crate::report::batch::project_dir_name;

/// District parcels drawn under the projects up to this many (more would make the page
/// heavy without helping to read the projects).
const MAX_BACKGROUND_PARCELS: usize = 20_000;

/// The index page of a batch run.
pub fn index_html(run: &BatchRun, lang: Lang) -> String {
    let title = lang.t("district_index");
    let mut b = format!("<main><header><h1>{}</h1>", esc(title));
    let _ = write!(b, "<dl class=\"facts\">{}</dl></header>", counts(run, lang));
    section(&mut b, "map", lang, &index_map(run, lang));
    section(&mut b, "projects", lang, &project_table(run, lang));
    if !run.overlaps.is_empty() {
        section(&mut b, "overlaps", lang, &overlaps(run));
    }
    b.push_str("</main>");
    page(lang, title, &b)
}

fn status_name(s: ProjectStatus) -> String {
    code_name(&s)
}

/// `projects/<id>/report.html`, relative to the index.
fn report_href(p: &ProjectOutcome) -> String {
    format!("projects/{}/{REPORT_HTML}", project_dir_name(&p.project_id))
}

fn counts(run: &BatchRun, lang: Lang) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<div><dt>{}</dt><dd>{}</dd></div>",
        lang.t("projects"),
        run.projects.len()
    );
    for st in [
        ProjectStatus::Ok,
        ProjectStatus::Findings,
        ProjectStatus::Failed,
    ] {
        let n = run.projects.iter().filter(|p| p.status == st).count();
        let _ = write!(
            s,
            "<div><dt>{}</dt><dd>{n}</dd></div>",
            esc(status_label(st, lang))
        );
    }
    let _ = write!(
        s,
        "<div><dt>{}</dt><dd>{}</dd></div>",
        lang.t("parcels"),
        run.parcels.len()
    );
    s
}

fn project_tip(p: &ProjectOutcome, lang: Lang) -> String {
    let mut tip = format!(
        "{} {}\n{}: {}",
        p.project_id,
        p.name.as_deref().unwrap_or(""),
        lang.t("status"),
        status_label(p.status, lang)
    );
    for (k, v) in &p.headline {
        if let Value::Float(x) = v {
            let _ = write!(tip, "\n{}: {}", lang.t(k), m2(*x));
        }
    }
    if let Some(e) = &p.error {
        let _ = write!(tip, "\n{}: {e}", lang.t("error"));
    }
    tip
}

fn status_label(s: ProjectStatus, lang: Lang) -> &'static str {
    match s {
        ProjectStatus::Ok => lang.t("ps_ok"),
        ProjectStatus::Findings => lang.t("ps_findings"),
        ProjectStatus::Failed => lang.t("ps_failed"),
    }
}

fn index_map(run: &BatchRun, lang: Lang) -> String {
    let layer = &run.boundary_layer;
    let Some(frame) = Frame::of(layer.features.iter().map(|f| &f.geometry)) else {
        return format!("<p>{}</p>", lang.t("none"));
    };
    let mut map = SvgMap::begin(frame, "map index-map", lang.t("map"));
    if run.parcels_layer.features.len() <= MAX_BACKGROUND_PARCELS {
        let background: Vec<Shape<'_>> = run
            .parcels_layer
            .features
            .iter()
            .map(|f| Shape {
                class: "district-parcel".into(),
                id: String::new(),
                tip: String::new(),
                href: None,
                geometry: &f.geometry,
            })
            .collect();
        map.group("district-parcels", &background);
    }
    let empty = MultiPolygon(Vec::new());
    let shapes: Vec<Shape<'_>> = run
        .projects
        .iter()
        .map(|p| Shape {
            class: format!("project ps-{}", status_name(p.status)),
            id: p.project_id.clone(),
            tip: project_tip(p, lang),
            href: (p.status != ProjectStatus::Failed).then(|| report_href(p)),
            geometry: layer
                .features
                .iter()
                .find(|f| f.index == p.feature_index)
                .map_or(&empty, |f| &f.geometry),
        })
        .collect();
    map.group("projects", &shapes);
    let labels: Vec<Label<'_>> = shapes
        .iter()
        .map(|s| Label {
            text: s.id.clone(),
            class: "project-label",
            geometry: s.geometry,
        })
        .collect();
    map.labels("project-labels", &labels);
    let svg = map.finish(lang.t("grid_north"));
    let mut legend = String::from("<div class=\"legend\"><div class=\"lg-fixed\">");
    for st in [
        ProjectStatus::Ok,
        ProjectStatus::Findings,
        ProjectStatus::Failed,
    ] {
        let _ = write!(
            legend,
            "<div class=\"lg-item\"><svg width=\"22\" height=\"16\" viewBox=\"0 0 22 16\"><rect \
             class=\"project ps-{}\" x=\"2\" y=\"2\" width=\"18\" height=\"12\"/></svg><span>{}\
             </span></div>",
            status_name(st),
            status_label(st, lang)
        );
    }
    legend.push_str("</div></div>");
    format!(
        "<div class=\"map-row\"><div class=\"map-wrap\">{svg}</div>{legend}</div>\
         <p class=\"note\">{} {}</p>",
        lang.t("map_note"),
        lang.t("not_on_map")
    )
}

fn project_table(run: &BatchRun, lang: Lang) -> String {
    let figure_keys: Vec<&str> = run
        .projects
        .iter()
        .find(|p| !p.headline.is_empty())
        .map(|p| p.headline.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    let mut columns = vec![
        Column::text(lang.t("project_id")),
        Column::text(lang.t("name")),
        Column::text(lang.t("status")),
        Column::num(lang.t("findings_count")),
        Column::num(lang.t("violations")),
    ];
    columns.extend(figure_keys.iter().map(|k| {
        if *k == "rules" {
            Column::text(lang.t(k))
        } else {
            Column::num(lang.t(k))
        }
    }));
    columns.push(Column::text(lang.t("error")));
    let rows: Vec<Row> = run
        .projects
        .iter()
        .map(|p| project_row(p, &figure_keys, lang))
        .collect();
    sortable("projects", &columns, &rows)
}

fn project_row(p: &ProjectOutcome, figure_keys: &[&str], lang: Lang) -> Row {
    let st = status_name(p.status);
    let id = if p.status == ProjectStatus::Failed {
        esc(&p.project_id)
    } else {
        format!(
            "<a href=\"{}\">{}</a>",
            esc(&report_href(p)),
            esc(&p.project_id)
        )
    };
    let violations = p
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Violation)
        .count();
    let mut cells = vec![
        Cell::html(id),
        Cell::text(p.name.as_deref().unwrap_or("")),
        Cell::html(format!(
            "<span class=\"badge ps-{st}\">{}</span>",
            esc(status_label(p.status, lang))
        )),
        Cell::num(p.findings.len() as f64, 0),
        Cell::num(violations as f64, 0),
    ];
    let rules_2018 = p
        .headline
        .iter()
        .any(|(k, v)| *k == "rules" && matches!(v, Value::Str(s) if s == "2018"));
    for k in figure_keys {
        let v = p.headline.iter().find(|(hk, _)| hk == k).map(|(_, v)| v);
        cells.push(match v {
            // The 2018 rules' base floor area sits in the rights floor area column: say so.
            Some(Value::Float(x)) if rules_2018 && *k == "rights_floor_area_m2" => Cell {
                html: format!(
                    "<span title=\"{}\">{}</span>",
                    esc(lang.t("base_floor_area_2018")),
                    super::num(*x, 2)
                ),
                sort: Some(*x),
            },
            Some(Value::Float(x)) if k.ends_with("_m2") => Cell::num(*x, 2),
            Some(Value::Float(x)) => Cell::num(*x, 4),
            Some(Value::Str(s)) => Cell::text(lang.t(s)),
            _ if rules_2018 => Cell {
                html: format!(
                    "<span class=\"na\" title=\"{}\">n/a</span>",
                    esc(lang.t("not_a_2018_figure"))
                ),
                sort: Some(f64::NEG_INFINITY),
            },
            _ => Cell::opt(None, 0),
        });
    }
    cells.push(Cell::text(p.error.as_deref().unwrap_or("")));
    Row {
        attrs: format!(" data-id=\"{}\"", esc(&p.project_id)),
        cells,
    }
}

fn overlaps(run: &BatchRun) -> String {
    let mut s = String::from("<ul class=\"warnings\">");
    for o in &run.overlaps {
        let _ = write!(
            s,
            "<li>{} ∩ {}: {} m² ({})</li>",
            esc(&o.project_a),
            esc(&o.project_b),
            m2(o.overlap_m2),
            esc(&o.parcels_in_both.join(" "))
        );
    }
    s.push_str("</ul>");
    s
}
