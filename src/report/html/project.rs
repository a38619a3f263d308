//! The page of one project: header, unofficial values, key figures, map, computation chain,
//! siting, findings, parcels, inputs and rule values, in that order.

use std::fmt::Write as _;

use super::chain::{chain_html, rule_values_used};
use super::labels::Lang;
use super::project_map::project_map_html;
use super::tables::{
    card, coef_text, findings_html, inputs_html, not_official_box, parcel_table, rule_values_html,
    siting_html,
};
use super::{code_name, esc, m2, page};
use crate::project::{Computation, ProjectReport, ProjectRun};

/// The HTML report of an assessed project, with its map.
pub fn project_html(run: &ProjectRun, lang: Lang) -> String {
    let map = project_map_html(run, lang);
    let sensitivity = run
        .sensitivity
        .as_ref()
        .map(|s| super::sensitivity::sensitivity_section(s, lang));
    report_page(&run.report, lang, &map, None, sensitivity.as_deref())
}

/// The HTML report of a project without a map (a batch project: the district index has the
/// map), linking back to the index at `index_href`.
pub fn report_html_without_map(report: &ProjectReport, lang: Lang, index_href: &str) -> String {
    let map = format!(
        "<p class=\"note\">{} <a href=\"{}\">{}</a></p>",
        lang.t("map_absent"),
        esc(index_href),
        lang.t("back_to_index")
    );
    report_page(report, lang, &map, Some(index_href), None)
}

/// `sensitivity`: the sensitivity section's content, shown after the computation chain.
fn report_page(
    report: &ProjectReport,
    lang: Lang,
    map: &str,
    back: Option<&str>,
    sensitivity: Option<&str>,
) -> String {
    let title = format!(
        "{} {} — {}",
        report.project.id,
        report.project.name.as_deref().unwrap_or(""),
        lang.t("project_report")
    );
    let mut b = String::new();
    let mut present = vec!["not-official", "headline", "map", "chain"];
    if sensitivity.is_some() {
        present.push("sensitivity");
    }
    if report.siting.is_some() {
        present.push("siting");
    }
    present.extend(["findings", "parcels", "rule_values"]);
    b.push_str(&nav(lang, &present, back));
    b.push_str("<main>");
    b.push_str(&header(report, lang));
    b.push_str(&not_official_box(&report.not_official_values, lang));
    section(&mut b, "headline", lang, &headline(report, lang));
    section(&mut b, "map", lang, map);
    section(
        &mut b,
        "chain",
        lang,
        &chain_html(&report.computation, lang),
    );
    if let Some(content) = sensitivity {
        let _ = write!(
            b,
            "<section id=\"sensitivity\"><h2>{}</h2>{content}</section>",
            super::sensitivity::sensitivity_title(lang)
        );
    }
    if let Some(siting) = &report.siting {
        section(&mut b, "siting", lang, &siting_html(siting, lang));
    }
    section(
        &mut b,
        "findings",
        lang,
        &findings_html(&report.findings, &report.warnings, lang),
    );
    section(
        &mut b,
        "parcels",
        lang,
        &parcel_table(&report.parcels, lang),
    );
    section(&mut b, "inputs", lang, &inputs_html(&report.inputs, lang));
    section(
        &mut b,
        "rule_values",
        lang,
        &rule_values_html(rule_values_used(&report.computation), lang),
    );
    b.push_str("</main>");
    page(lang, &title, &b)
}

/// `<section id=key><h2>label</h2>content</section>`.
pub(super) fn section(b: &mut String, key: &str, lang: Lang, content: &str) {
    let _ = write!(
        b,
        "<section id=\"{key}\"><h2>{}</h2>{content}</section>",
        lang.t(key)
    );
}

/// The navigation bar: a link to each section present, in page order.
fn nav(lang: Lang, sections: &[&str], back: Option<&str>) -> String {
    let mut s = String::from("<nav>");
    if let Some(href) = back {
        let _ = write!(
            s,
            "<a href=\"{}\">← {}</a>",
            esc(href),
            lang.t("back_to_index")
        );
    }
    for &key in sections {
        let label = match key {
            "not-official" => "⚠",
            "sensitivity" => super::sensitivity::sensitivity_title(lang),
            _ => lang.t(key),
        };
        let _ = write!(s, "<a href=\"#{key}\">{label}</a>");
    }
    s.push_str("</nav>");
    s
}

fn header(report: &ProjectReport, lang: Lang) -> String {
    let p = &report.project;
    let rules = code_name(&report.rule_selection.chosen);
    let mut s = format!(
        "<header><h1>{}</h1><p class=\"project-name\">{} {}</p><dl class=\"facts\">",
        lang.t("project_report"),
        esc(&p.id),
        esc(p.name.as_deref().unwrap_or(""))
    );
    let mut fact = |k: &str, v: &str| {
        let _ = write!(s, "<div><dt>{}</dt><dd>{}</dd></div>", lang.t(k), esc(v));
    };
    fact("assessment_date", &p.assessment_date.to_string());
    fact("rules", &lang.with_code(&rules));
    fact("rule_reason", &report.rule_selection.reason);
    fact(
        "crs",
        report
            .inputs
            .iter()
            .find_map(|l| l.crs.as_deref())
            .unwrap_or("-"),
    );
    fact(
        "tool",
        &format!("{} {}", report.tool.name, report.tool.version),
    );
    s.push_str("</dl></header>");
    s
}

/// The key figures as cards; computed figures are flagged when unofficial values are used.
fn headline(report: &ProjectReport, lang: Lang) -> String {
    let flag = !report.not_official_values.is_empty();
    let mut s = String::from("<div class=\"cards\">");
    let mut add = |key: &str, value: String, flagged: bool| {
        s.push_str(&card(lang.t(key), &value, flagged));
    };
    add(
        "boundary_area_m2",
        m2(report.measurement.boundary_area_m2),
        false,
    );
    match &report.computation {
        Computation::New(a) => {
            add("counted_land_area_m2", m2(a.counted_land_area_m2), false);
            add("land_rights_coef", coef_text(a.land_rights_coef), flag);
            add("density_base_far", coef_text(a.density.base_far), flag);
            add(
                "building_rights_coef",
                coef_text(a.buildings.building_rights_coef),
                flag,
            );
            add("function_coef", coef_text(a.function.function_coef), flag);
            add("rights_floor_area_m2", m2(a.rights_floor_area_m2), flag);
            add(
                "facility_floor_area_m2",
                m2(a.facility_floor_area_m2),
                false,
            );
            add("shared_floor_area_m2", m2(a.shared.floor_area_m2), flag);
            add("planned_floor_area_m2", m2(a.planned_floor_area_m2), flag);
            add(
                "retained_land_area_m2",
                m2(a.retained.retained_land_area_m2),
                flag,
            );
        }
        Computation::Rules2018(a) => {
            add(
                "largest_contiguous_area_m2",
                m2(a.largest_contiguous_area_m2),
                false,
            );
            add("eligible", a.eligible.to_string(), false);
            add("retained_land_area_m2", m2(a.retained_land_area_m2), false);
            add("base_floor_area_m2", m2(a.base_floor_area_m2), flag);
            add("shared_floor_area_m2", m2(a.shared_floor_area_m2), flag);
            add("planned_floor_area_m2", m2(a.planned_floor_area_m2), flag);
        }
    }
    s.push_str("</div>");
    if flag {
        let _ = write!(
            s,
            "<p class=\"note flag-note\">⚠ {}</p>",
            lang.t("not_official_note")
        );
    }
    s
}
