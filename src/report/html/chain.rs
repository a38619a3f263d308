//! The computation chain as formulas with the numbers put in, one step per figure, each with
//! the coefficients it used: value, rule-set key, source and status (official, draft,
//! illustrative).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::labels::Lang;
use super::tables::key_html;
use super::{code_name, coef, esc, m2};
use crate::policy::rules::{Provenance, RuleValue, Sourced};
use crate::policy::{Assessment, Assessment2018};
use crate::project::Computation;

/// One coefficient of a step.
struct CoefRow {
    label: String,
    value: String,
    key: String,
    source: String,
    /// `official`, `draft` or `illustrative`.
    status: String,
}

impl CoefRow {
    fn sourced(label: impl Into<String>, s: &Sourced<f64>) -> CoefRow {
        CoefRow::of(label, coef(s.value), &s.provenance)
    }

    fn of(label: impl Into<String>, value: String, p: &Provenance) -> CoefRow {
        CoefRow {
            label: label.into(),
            value,
            key: p.key.clone(),
            source: p.source.clone(),
            status: code_name(&p.status),
        }
    }
}

/// One step: a title, the formula with its numbers, an optional note and its coefficients.
struct Step {
    title: String,
    formula: String,
    note: Option<String>,
    coefs: Vec<CoefRow>,
}

impl Step {
    fn new(title: &str, formula: String) -> Step {
        Step {
            title: title.to_string(),
            formula,
            note: None,
            coefs: Vec::new(),
        }
    }

    fn note(mut self, note: String) -> Step {
        self.note = Some(note);
        self
    }

    fn coefs(mut self, coefs: Vec<CoefRow>) -> Step {
        self.coefs = coefs;
        self
    }
}

/// The chain of the computation as an ordered list.
pub(super) fn chain_html(c: &Computation, lang: Lang) -> String {
    let steps = match c {
        Computation::New(a) => steps_2022(a, lang),
        Computation::Rules2018(a) => steps_2018(a, lang),
    };
    let mut s = String::from("<ol class=\"chain\">");
    for step in &steps {
        step_html(&mut s, step, lang);
    }
    s.push_str("</ol>");
    s
}

fn step_html(s: &mut String, step: &Step, lang: Lang) {
    let _ = write!(
        s,
        "<li><h3>{}</h3><div class=\"formula\">{}</div>",
        esc(&step.title),
        esc(&step.formula)
    );
    if let Some(n) = &step.note {
        let _ = write!(s, "<p class=\"note\">{}</p>", esc(n));
    }
    if !step.coefs.is_empty() {
        let _ = write!(
            s,
            "<table class=\"coefs\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
             <th>{}</th></tr></thead><tbody>",
            lang.t("coefficients"),
            lang.t("value"),
            lang.t("key"),
            lang.t("source"),
            lang.t("value_status")
        );
        for r in &step.coefs {
            let _ = write!(
                s,
                "<tr class=\"st-{st}\"><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>\
                 <td><span class=\"badge b-{st}\">{}</span></td></tr>",
                esc(&r.label),
                esc(&r.value),
                key_html(&r.key),
                esc(&r.source),
                esc(lang.t(&r.status)),
                st = esc(&r.status),
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</li>");
}

fn steps_2022(a: &Assessment, lang: Lang) -> Vec<Step> {
    vec![
        counted_land_step(a, lang),
        land_rights_step(a, lang),
        density_step(a, lang),
        building_step(a, lang),
        function_step(a, lang),
        rights_step(a, lang),
        facility_step(a, lang),
        shared_step(a, lang),
        Step::new(
            lang.t("planned_floor_area_m2"),
            format!(
                "P = R + F + S = {} + {} + {} = {} m²",
                m2(a.rights_floor_area_m2),
                m2(a.facility_floor_area_m2),
                m2(a.shared.floor_area_m2),
                m2(a.planned_floor_area_m2)
            ),
        ),
        retained_step(a, lang),
    ]
}

fn counted_land_step(a: &Assessment, lang: Lang) -> Step {
    let excluded: f64 = a.excluded.iter().map(|p| p.area_inside_m2).sum();
    Step::new(
        lang.t("counted_land_area_m2"),
        format!("A = Σ aᵢ = {} m²", m2(a.counted_land_area_m2)),
    )
    .note(format!(
        "{} {} ({} m²); {} {} ({} m²)",
        a.parcels.len(),
        lang.t("counted"),
        m2(a.counted_land_area_m2),
        a.excluded.len(),
        lang.t("excluded_parcels"),
        m2(excluded)
    ))
}

fn land_rights_step(a: &Assessment, lang: Lang) -> Step {
    let mut coefs = Vec::new();
    for c in &a.by_class {
        // The rule keys behind the class's parcels (term corrections add their own).
        let provs: BTreeSet<(&str, &str, String)> = a
            .parcels
            .iter()
            .filter(|p| p.tenure == c.tenure)
            .flat_map(|p| p.coef_provenance.iter())
            .map(|p| (p.key.as_str(), p.source.as_str(), code_name(&p.status)))
            .collect();
        let label = format!(
            "{} · {} m²",
            lang.t(c.tenure.as_str()),
            m2(c.counted_area_m2)
        );
        for (i, (key, source, status)) in provs.into_iter().enumerate() {
            coefs.push(CoefRow {
                label: if i == 0 { label.clone() } else { "".into() },
                value: if i == 0 {
                    coef(c.land_rights_coef)
                } else {
                    "".into()
                },
                key: key.to_string(),
                source: source.to_string(),
                status,
            });
        }
    }
    Step::new(
        lang.t("land_rights_coef"),
        format!(
            "λ = Σ aᵢ·cᵢ / A = {} / {} = {}",
            m2(a.land_rights_coef * a.counted_land_area_m2),
            m2(a.counted_land_area_m2),
            coef(a.land_rights_coef)
        ),
    )
    .coefs(coefs)
}

fn density_step(a: &Assessment, lang: Lang) -> Step {
    let d = &a.density;
    let coefs = d
        .zones
        .iter()
        .map(|z| {
            CoefRow::sourced(
                format!("{} {} · {} m²", lang.t("zone"), z.zone, m2(z.area_m2)),
                &z.base_far,
            )
        })
        .collect();
    let mut step = Step::new(
        lang.t("density_base_far"),
        format!(
            "FAR_b = Σ a_z·FAR_z / Σ a_z = {} ({})",
            coef(d.base_far),
            d.use_key
        ),
    )
    .coefs(coefs);
    if let Some(f) = &d.fallback {
        step = step.note(format!(
            "{} m² → {} {}: {}",
            m2(d.fallback_area_m2),
            lang.t("zone"),
            f.zone,
            f.reason
        ));
    }
    step
}

fn building_step(a: &Assessment, lang: Lang) -> Step {
    let b = &a.buildings;
    let band = &b.intensity_band;
    let band_label = format!(
        "ι: {} [{}, {})",
        lang.t("band"),
        coef(band.min_far),
        band.max_far.map_or("∞".to_string(), coef)
    );
    let mut coefs = vec![CoefRow::sourced(band_label, &band.coef)];
    coefs.extend(b.by_use.iter().map(|u| {
        CoefRow::sourced(
            format!("τ: {} · {} m²", u.building_use, m2(u.floor_area_m2)),
            &u.coef,
        )
    }));
    let combination = code_name(&b.combination.value);
    coefs.push(CoefRow::of(
        lang.t("combination"),
        combination.clone(),
        &b.combination.provenance,
    ));
    let op = if combination == "sum" { "+" } else { "×" };
    Step::new(
        lang.t("building_rights_coef"),
        format!(
            "FAR_e = E / A = {} / {} = {};  τ = Σ E_u·c_u / E = {};  β = ι {op} τ = {} {op} {} = {}",
            m2(b.existing_floor_area_m2),
            m2(a.counted_land_area_m2),
            coef(b.existing_far),
            coef(b.building_type_coef),
            coef(b.intensity_coef),
            coef(b.building_type_coef),
            coef(b.building_rights_coef)
        ),
    )
    .note(format!(
        "{}: {} m²",
        lang.t("excluded_parcels"),
        m2(b.excluded_floor_area_m2)
    ))
    .coefs(coefs)
}

fn function_step(a: &Assessment, lang: Lang) -> Step {
    let f = &a.function;
    let coefs = f
        .uses
        .iter()
        .map(|u| {
            CoefRow::sourced(
                format!(
                    "{} · {} {} · k = {} · R_u = {} m²",
                    u.use_id,
                    lang.t("share"),
                    coef(u.share),
                    coef(u.k),
                    m2(u.rights_floor_area_m2)
                ),
                &u.coef,
            )
        })
        .collect();
    let terms: Vec<String> = f
        .uses
        .iter()
        .map(|u| format!("{}/{}", coef(u.share), coef(u.coef.value)))
        .collect();
    Step::new(
        lang.t("function_coef"),
        format!(
            "φ = 1 / Σ (s_u / f_u) = 1 / ({}) = {}",
            terms.join(" + "),
            coef(f.function_coef)
        ),
    )
    .coefs(coefs)
}

fn rights_step(a: &Assessment, lang: Lang) -> Step {
    Step::new(
        lang.t("rights_floor_area_m2"),
        format!(
            "R = (λ + β) × A × FAR_b × φ = ({} + {}) × {} × {} × {} = {} m²",
            coef(a.land_rights_coef),
            coef(a.buildings.building_rights_coef),
            m2(a.counted_land_area_m2),
            coef(a.density.base_far),
            coef(a.function.function_coef),
            m2(a.rights_floor_area_m2)
        ),
    )
}

fn facility_step(a: &Assessment, lang: Lang) -> Step {
    let items: Vec<String> = a
        .facilities
        .iter()
        .map(|f| format!("{} {} m²", f.name, m2(f.floor_area_m2)))
        .collect();
    let step = Step::new(
        lang.t("facility_floor_area_m2"),
        format!("F = Σ = {} m²", m2(a.facility_floor_area_m2)),
    );
    if items.is_empty() {
        step
    } else {
        step.note(items.join("; "))
    }
}

fn shared_step(a: &Assessment, lang: Lang) -> Step {
    let s = &a.shared;
    Step::new(
        lang.t("shared_floor_area_m2"),
        format!(
            "S = r × R = {} × {} = {} m²  (≤ {} × R = {} m²)",
            coef(s.requested_ratio),
            m2(a.rights_floor_area_m2),
            m2(s.floor_area_m2),
            coef(s.max_ratio.value),
            m2(s.cap_floor_area_m2)
        ),
    )
    .note(format!(
        "{} {}: {} {}; {} {}; {} {}",
        lang.t("disposition"),
        s.disposition,
        lang.t("government_m2"),
        m2(s.government_m2),
        lang.t("holders_market_m2"),
        m2(s.holders_market_m2),
        lang.t("shared_ownership_m2"),
        m2(s.shared_ownership_m2)
    ))
    .coefs(vec![CoefRow::sourced(
        lang.t("shared_max_ratio"),
        &s.max_ratio,
    )])
}

fn retained_step(a: &Assessment, lang: Lang) -> Step {
    let r = &a.retained;
    let mut coefs = Vec::new();
    if let Some(m) = &r.min_far {
        coefs.push(CoefRow::sourced(lang.t("min_far"), m));
    }
    if let Some(c) = &r.cap_far {
        coefs.push(CoefRow::sourced(lang.t("cap_far"), c));
    }
    Step::new(
        lang.t("retained_land_area_m2"),
        format!(
            "L = P / FAR_plan = {} / {} = {} m²",
            m2(a.planned_floor_area_m2),
            coef(r.plan.planned_far),
            m2(r.retained_land_area_m2)
        ),
    )
    .note(format!(
        "{} {} · {} · {} {}",
        lang.t("zone"),
        r.plan.zone,
        r.plan.use_key,
        lang.t("planned_far"),
        coef(r.plan.planned_far)
    ))
    .coefs(coefs)
}

fn steps_2018(a: &Assessment2018, lang: Lang) -> Vec<Step> {
    vec![
        Step::new(
            lang.t("eligible"),
            format!(
                "{} ≥ {} m² → {}",
                m2(a.largest_contiguous_area_m2),
                m2(a.min_contiguous_area.value),
                a.eligible
            ),
        )
        .note(a.eligibility_reason.clone())
        .coefs(vec![CoefRow::sourced(
            lang.t("min_contiguous"),
            &a.min_contiguous_area,
        )]),
        Step::new(
            lang.t("base_floor_area_m2"),
            format!(
                "B = L × FAR = {} × {} = {} m²",
                m2(a.retained_land_area_m2),
                coef(a.plot_far),
                m2(a.base_floor_area_m2)
            ),
        ),
        Step::new(
            lang.t("shared_floor_area_m2"),
            format!(
                "S = r × B = {} × {} = {} m²  (≤ {} × B = {} m²)",
                coef(a.shared_requested_ratio),
                m2(a.base_floor_area_m2),
                m2(a.shared_floor_area_m2),
                coef(a.shared_max_ratio.value),
                m2(a.shared_cap_floor_area_m2)
            ),
        )
        .note(format!(
            "{} {}; {} {}",
            lang.t("government_m2"),
            m2(a.government_buyback_m2),
            lang.t("holders_market_m2"),
            m2(a.holders_m2)
        ))
        .coefs(vec![
            CoefRow::sourced(lang.t("shared_max_ratio"), &a.shared_max_ratio),
            CoefRow::sourced(lang.t("buyback"), &a.buyback_ratio),
        ]),
        Step::new(
            lang.t("planned_floor_area_m2"),
            format!(
                "P = B + F + S = {} + {} + {} = {} m²",
                m2(a.base_floor_area_m2),
                m2(a.facility_floor_area_m2),
                m2(a.shared_floor_area_m2),
                m2(a.planned_floor_area_m2)
            ),
        ),
    ]
}

/// Every rule value the computation used, unofficial ones first.
pub(super) fn rule_values_used(c: &Computation) -> &[RuleValue] {
    match c {
        Computation::New(a) => &a.rule_values_used,
        Computation::Rules2018(a) => &a.rule_values_used,
    }
}
