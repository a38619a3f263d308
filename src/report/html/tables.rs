//! The tables of the reports: unofficial values, findings, siting, parcels, inputs and rule
//! values. Sortable tables carry a sort key per cell (`data-v`); the page's script sorts.

use std::fmt::Write as _;

use super::labels::Lang;
use super::{code_name, coef, esc, m2, num};
use crate::policy::Finding;
use crate::policy::rules::RuleValue;
use crate::project::{LayerSummary, ParcelRow, SitingReport};

/// A column of a sortable table.
pub(super) struct Column {
    pub(super) label: String,
    /// Sorted as numbers (and right-aligned).
    pub(super) numeric: bool,
}

impl Column {
    pub(super) fn text(label: &str) -> Column {
        Column {
            label: label.to_string(),
            numeric: false,
        }
    }

    pub(super) fn num(label: &str) -> Column {
        Column {
            label: label.to_string(),
            numeric: true,
        }
    }
}

/// A cell: its HTML (already escaped) and, for numbers, the value it sorts by.
pub(super) struct Cell {
    pub(super) html: String,
    pub(super) sort: Option<f64>,
}

impl Cell {
    pub(super) fn text(s: &str) -> Cell {
        Cell {
            html: esc(s),
            sort: None,
        }
    }

    pub(super) fn html(html: String) -> Cell {
        Cell { html, sort: None }
    }

    /// A number shown with `decimals` decimals, sorted by its value.
    pub(super) fn num(x: f64, decimals: usize) -> Cell {
        Cell {
            html: num(x, decimals),
            sort: Some(x),
        }
    }

    /// An optional number (`-` when absent; sorts first).
    pub(super) fn opt(x: Option<f64>, decimals: usize) -> Cell {
        x.map_or(
            Cell {
                html: "-".into(),
                sort: Some(f64::NEG_INFINITY),
            },
            |v| Cell::num(v, decimals),
        )
    }
}

/// A row: attributes of the `<tr>` (already escaped, e.g. ` data-id="P1"`) and its cells.
pub(super) struct Row {
    pub(super) attrs: String,
    pub(super) cells: Vec<Cell>,
}

/// A sortable table (`class="sortable"`; click a heading to sort).
pub(super) fn sortable(id: &str, columns: &[Column], rows: &[Row]) -> String {
    let mut s = format!("<div class=\"scroll\"><table id=\"{id}\" class=\"sortable\"><thead><tr>");
    for c in columns {
        let _ = write!(
            s,
            "<th{}>{}</th>",
            if c.numeric { " data-num=\"1\"" } else { "" },
            esc(&c.label)
        );
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        let _ = write!(s, "<tr{}>", r.attrs);
        for (cell, col) in r.cells.iter().zip(columns) {
            match cell.sort {
                Some(v) if v.is_finite() => {
                    let _ = write!(s, "<td class=\"num\" data-v=\"{v}\">{}</td>", cell.html);
                }
                Some(_) => {
                    let _ = write!(s, "<td class=\"num\" data-v=\"-1e300\">{}</td>", cell.html);
                }
                None if col.numeric => {
                    let _ = write!(s, "<td class=\"num\">{}</td>", cell.html);
                }
                None => {
                    let _ = write!(s, "<td>{}</td>", cell.html);
                }
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// The box at the top: every value that is not official, or a line saying there is none.
pub(super) fn not_official_box(values: &[RuleValue], lang: Lang) -> String {
    if values.is_empty() {
        return format!(
            "<section class=\"official-ok\"><p>{}</p></section>",
            lang.t("all_official")
        );
    }
    let mut s = format!(
        "<section class=\"not-official\" id=\"not-official\"><h2>⚠ {} ({})</h2><p>{}</p>\
         <table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("not_official_title"),
        values.len(),
        lang.t("not_official_note"),
        lang.t("key"),
        lang.t("value"),
        lang.t("source"),
        lang.t("value_status"),
    );
    for v in values {
        let st = code_name(&v.status);
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td><span class=\"badge b-{st}\">{}</span></td></tr>",
            key_html(&v.key),
            esc(&v.value),
            esc(&v.source),
            esc(lang.t(&st)),
        );
    }
    s.push_str("</tbody></table></section>");
    s
}

/// Findings as a table, most severe first (then in report order), and the warnings.
pub(super) fn findings_html(findings: &[Finding], warnings: &[String], lang: Lang) -> String {
    let mut s = String::new();
    if findings.is_empty() {
        let _ = write!(s, "<p>{}</p>", lang.t("none"));
    } else {
        let mut sorted: Vec<&Finding> = findings.iter().collect();
        // Stable: equal severities keep the report's order.
        sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let _ = write!(
            s,
            "<table class=\"findings\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>\
             </thead><tbody>",
            lang.t("severity"),
            lang.t("code"),
            lang.t("message")
        );
        for f in sorted {
            let sev = code_name(&f.severity);
            let _ = write!(
                s,
                "<tr class=\"sev-{sev}\"><td><span class=\"badge b-{sev}\">{}</span></td>\
                 <td><code>{}</code></td><td>{}</td></tr>",
                esc(lang.t(&sev)),
                esc(f.code.as_str()),
                esc(&f.message)
            );
        }
        s.push_str("</tbody></table>");
    }
    if !warnings.is_empty() {
        let _ = write!(s, "<h3>{}</h3><ul class=\"warnings\">", lang.t("warnings"));
        for w in warnings {
            let _ = write!(s, "<li>{}</li>", esc(w));
        }
        s.push_str("</ul>");
    }
    s
}

/// The siting section: the fit of the required area, then one row per site.
pub(super) fn siting_html(siting: &SitingReport, lang: Lang) -> String {
    let fit = &siting.fit;
    let mut s = String::from("<dl class=\"facts\">");
    let mut fact = |k: &str, v: String| {
        let _ = write!(s, "<div><dt>{}</dt><dd>{}</dd></div>", lang.t(k), esc(&v));
    };
    fact("required_m2", m2(fit.required_m2));
    fact("inside_m2", m2(fit.inside_m2));
    if fit.shortfall_m2 > 0.0 {
        fact("shortfall_m2", m2(fit.shortfall_m2));
    } else {
        fact("surplus_m2", m2(fit.surplus_m2));
    }
    fact(
        "price_onsite",
        siting.price_onsite.map_or("-".into(), |p| num(p, 2)),
    );
    s.push_str("</dl>");
    let columns = [
        Column::text(lang.t("site_id")),
        Column::text(lang.t("use")),
        Column::text(lang.t("placement")),
        Column::num(lang.t("area_m2")),
        Column::num(lang.t("inside_m2")),
        Column::num(lang.t("outside_m2")),
        Column::num(lang.t("price")),
        Column::num(lang.t("onsite_rights_m2")),
        Column::num(lang.t("converted_m2")),
    ];
    let rows: Vec<Row> = siting
        .sites
        .iter()
        .map(|r| {
            let placement = code_name(&r.placement);
            Row {
                attrs: format!(" data-id=\"{}\"", esc(&r.site_id)),
                cells: vec![
                    Cell::text(&r.site_id),
                    Cell::text(r.use_.as_deref().unwrap_or("-")),
                    Cell::html(format!(
                        "<span class=\"badge p-{placement}\">{}</span>",
                        esc(lang.t(&placement))
                    )),
                    Cell::num(r.area_m2, 2),
                    Cell::num(r.inside_m2, 2),
                    Cell::num(r.outside_m2, 2),
                    Cell::opt(r.price, 0),
                    Cell::num(r.onsite_rights_m2, 2),
                    Cell::opt(r.conversion.as_ref().map(|c| c.offsite_rights_m2), 2),
                ],
            }
        })
        .collect();
    s.push_str(&sortable("sites", &columns, &rows));
    s
}

/// Every parcel of the layer, in layer order; parcels outside the project are hidden until
/// the reader asks for them.
pub(super) fn parcel_table(rows: &[ParcelRow], lang: Lang) -> String {
    let columns = [
        Column::text(lang.t("parcel_id")),
        Column::text(lang.t("status")),
        Column::text(lang.t("tenure")),
        Column::num(lang.t("area_m2")),
        Column::num(lang.t("area_inside_m2")),
        Column::num(lang.t("counted_area_m2")),
        Column::num(lang.t("land_rights_coef")),
        Column::text(lang.t("zones")),
        Column::num(lang.t("floor_area_m2")),
        Column::text(lang.t("reason")),
    ];
    let table_rows: Vec<Row> = rows.iter().map(|r| parcel_row(r, lang)).collect();
    let outside = rows.iter().filter(|r| code_name(&r.status) == "outside");
    format!(
        "<div class=\"table-tools\"><label><input type=\"checkbox\" class=\"toggle-outside\" \
         data-table=\"parcels\"> {} ({})</label> <label>{} <input type=\"search\" \
         class=\"filter\" data-table=\"parcels\"></label></div><div class=\"hide-outside\" \
         id=\"parcels-wrap\">{}</div>",
        lang.t("show_outside"),
        outside.count(),
        lang.t("filter"),
        sortable("parcels", &columns, &table_rows)
    )
}

fn parcel_row(r: &ParcelRow, lang: Lang) -> Row {
    let status = code_name(&r.status);
    let tenure = r.tenure.map(|t| t.as_str()).unwrap_or("");
    let zones: Vec<String> = r
        .zones
        .iter()
        .map(|z| format!("{}: {}", z.zone, m2(z.area_m2)))
        .collect();
    Row {
        attrs: format!(" data-id=\"{}\" class=\"r-{status}\"", esc(&r.parcel_id)),
        cells: vec![
            Cell::text(&r.parcel_id),
            Cell::html(format!(
                "<span class=\"badge s-{status}\">{}</span>",
                esc(lang.t(&status))
            )),
            Cell::text(if tenure.is_empty() {
                ""
            } else {
                lang.t(tenure)
            }),
            Cell::num(r.area_m2, 2),
            Cell::num(r.area_inside_m2, 2),
            Cell::opt(r.counted_area_m2, 2),
            Cell::opt(r.land_rights_coef, 4),
            Cell::html(format!(
                "<span class=\"nowrap\">{}</span>",
                esc(&zones.join("; "))
            )),
            Cell::num(r.floor_area_m2, 2),
            Cell::text(r.reason.as_deref().unwrap_or("")),
        ],
    }
}

/// The input layers: what was read and what was repaired.
pub(super) fn inputs_html(inputs: &[LayerSummary], lang: Lang) -> String {
    let mut s = format!(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         </tr></thead><tbody>",
        lang.t("role"),
        lang.t("path"),
        lang.t("features"),
        lang.t("crs"),
        lang.t("problems"),
        lang.t("repairs"),
    );
    for l in inputs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&code_name(&l.role)),
            esc(&l.path),
            l.features,
            esc(l.crs.as_deref().unwrap_or("-")),
            l.problems.len(),
            l.repairs.repaired.len() + l.repairs.unusable.len(),
        );
    }
    s.push_str("</tbody></table>");
    s
}

/// Every rule value used with its source and status.
pub(super) fn rule_values_html(values: &[RuleValue], lang: Lang) -> String {
    let columns = [
        Column::text(lang.t("key")),
        Column::text(lang.t("value")),
        Column::text(lang.t("source")),
        Column::text(lang.t("value_status")),
    ];
    let rows: Vec<Row> = values
        .iter()
        .map(|v| {
            let st = code_name(&v.status);
            Row {
                attrs: format!(" class=\"st-{st}\""),
                cells: vec![
                    Cell::html(key_html(&v.key)),
                    Cell::text(&v.value),
                    Cell::text(&v.source),
                    Cell::html(format!(
                        "<span class=\"badge b-{st}\">{}</span>",
                        esc(lang.t(&st))
                    )),
                ],
            }
        })
        .collect();
    sortable("rule-values", &columns, &rows)
}

/// A key figure as a card; `flag` marks a figure that depends on unofficial values.
pub(super) fn card(label: &str, value: &str, flag: bool) -> String {
    format!(
        "<div class=\"card{}\"><div class=\"card-label\">{}</div><div class=\"card-value\">{}\
         </div></div>",
        if flag { " flagged" } else { "" },
        esc(label),
        esc(value)
    )
}

/// A coefficient for a card.
pub(super) fn coef_text(x: f64) -> String {
    coef(x)
}

/// A rule key as code, breakable after its dots (long keys wrap at a word, not mid-word).
pub(super) fn key_html(key: &str) -> String {
    format!("<code>{}</code>", esc(key).replace('.', ".<wbr>"))
}
