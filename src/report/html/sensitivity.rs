//! The sensitivity section (tornado charts as inline SVG, one per figure, and the skipped
//! values) and the stand-alone sensitivity.html page. No script is needed: the hover texts
//! are SVG `<title>` elements.

use std::fmt::Write as _;

use super::labels::Lang;
use super::{esc, m2, num, page};
use crate::sensitivity::{FigureSensitivity, Sensitivity};

/// Chart geometry, px.
const WIDTH: f64 = 960.0;
const LABEL_W: f64 = 330.0;
const RIGHT_W: f64 = 150.0;
const ROW_H: f64 = 24.0;
const TOP: f64 = 30.0;
/// Bar colours: value lowered, value raised, envelope.
const LOW_FILL: &str = "#4c78a8";
const HIGH_FILL: &str = "#f58518";
const ENVELOPE_FILL: &str = "#adb5bd";

fn t(lang: Lang, key: &str) -> &'static str {
    let (zh, en) = match key {
        "title" => (
            "敏感性分析（示意值）",
            "Sensitivity to the illustrative values",
        ),
        "intro" => (
            "每个示意值（未公布）单独上下浮动，其余取值不变；条形按对结果的影响幅度排序。",
            "Each illustrative (unpublished) value moves down and up on its own, the others as in the rule set; bars ranked by swing.",
        ),
        "low" => ("取值 −", "value −"),
        "high" => ("取值 +", "value +"),
        "envelope" => (
            "综合区间（全部同时取不利/有利端）",
            "envelope (all values at once)",
        ),
        "base" => ("基准", "base"),
        "skipped" => ("未浮动的示意值", "Illustrative values not moved"),
        "none" => (
            "计算结果未读取任何可浮动的示意值。",
            "The figures read no illustrative value that can move.",
        ),
        "rights_floor_area_m2" => ("权益容积 (m²)", "Rights floor area (m²)"),
        "planned_floor_area_m2" => ("规划容积 (m²)", "Planned floor area (m²)"),
        "retained_land_area_m2" => ("留用土地面积 (m²)", "Retained-land area (m²)"),
        "definition" => ("综合区间定义：", "Envelope: "),
        _ => ("", ""),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The content of the sensitivity section: one tornado per figure, then the skipped values.
pub fn sensitivity_section(s: &Sensitivity, lang: Lang) -> String {
    let pct = num(s.range * 100.0, 1);
    let mut b = format!(
        "<p class=\"note\">{} ±{pct}% · <code>{}</code></p>",
        t(lang, "intro"),
        esc(&s.rule_set_id)
    );
    if s.values.is_empty() {
        let _ = write!(b, "<p>{}</p>", t(lang, "none"));
    }
    for f in s.figures.iter().filter(|f| !f.bars.is_empty()) {
        let _ = write!(b, "<h3>{}</h3>", t(lang, f.figure.key()));
        b.push_str(&tornado_svg(f, &pct, lang));
    }
    let _ = write!(
        b,
        "<p class=\"note\">{}{}</p>",
        t(lang, "definition"),
        esc(s.envelope_definition)
    );
    if !s.skipped.is_empty() {
        let _ = write!(
            b,
            "<h3>{}</h3><table class=\"sensitivity-skipped\"><tbody>",
            t(lang, "skipped")
        );
        for v in &s.skipped {
            let _ = write!(
                b,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&v.key),
                esc(&v.value),
                esc(v.explanation)
            );
        }
        b.push_str("</tbody></table>");
    }
    b
}

/// The stand-alone page (sensitivity.html).
pub fn sensitivity_html(s: &Sensitivity, lang: Lang) -> String {
    let body = format!(
        "<main><header><h1>{}</h1><p class=\"project-name\">{}</p></header>\
         <section id=\"sensitivity\">{}</section></main>",
        t(lang, "title"),
        esc(&s.project_id),
        sensitivity_section(s, lang)
    );
    page(
        lang,
        &format!("{} — {}", s.project_id, t(lang, "title")),
        &body,
    )
}

/// The section title, for the project report.
pub fn sensitivity_title(lang: Lang) -> &'static str {
    t(lang, "title")
}

/// One tornado: a bar per value from the figure at `value × (1 − range)` to the figure at
/// `× (1 + range)` around the base line, and the envelope bar on top.
fn tornado_svg(f: &FigureSensitivity, pct: &str, lang: Lang) -> String {
    let env = &f.envelope;
    let mut lo = env.low.min(f.base);
    let mut hi = env.high.max(f.base);
    for b in &f.bars {
        lo = lo.min(b.at_low).min(b.at_high);
        hi = hi.max(b.at_low).max(b.at_high);
    }
    let pad = ((hi - lo) * 0.05).max(f.base.abs() * 1e-6).max(1e-9);
    let (lo, hi) = (lo - pad, hi + pad);
    let plot_w = WIDTH - LABEL_W - RIGHT_W;
    let x = |v: f64| LABEL_W + (v - lo) / (hi - lo) * plot_w;
    let rows = f.bars.len() + 1;
    let height = TOP + ROW_H * rows as f64 + 34.0;
    let mut s = format!(
        "<svg class=\"tornado\" data-figure=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" style=\"max-width:{WIDTH}px\" \
         font-size=\"12\" font-family=\"inherit\">",
        f.figure.key()
    );
    let _ = write!(
        s,
        "<rect x=\"{LABEL_W}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{LOW_FILL}\"/>\
         <text x=\"{}\" y=\"14\">{}{pct}%</text>\
         <rect x=\"{}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{HIGH_FILL}\"/>\
         <text x=\"{}\" y=\"14\">{}{pct}%</text>",
        LABEL_W + 16.0,
        t(lang, "low"),
        LABEL_W + 130.0,
        LABEL_W + 146.0,
        t(lang, "high"),
    );
    let y0 = TOP;
    let title = format!(
        "{}: {} – {} m²",
        t(lang, "envelope"),
        m2(env.low),
        m2(env.high)
    );
    bar_row(&mut s, y0, t(lang, "envelope"), &title, |s, y| {
        rect(s, x(env.low), x(env.high), y, ENVELOPE_FILL, "envelope");
    });
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{:.1}\" class=\"swing\">{} – {}</text>",
        WIDTH - RIGHT_W + 6.0,
        y0 + 16.0,
        m2(env.low),
        m2(env.high)
    );
    for (i, b) in f.bars.iter().enumerate() {
        let y = y0 + ROW_H * (i + 1) as f64;
        let title = format!(
            "{}\n{}{pct}%: {} m²\n{}{pct}%: {} m²",
            b.key,
            t(lang, "low"),
            m2(b.at_low),
            t(lang, "high"),
            m2(b.at_high)
        );
        bar_row(&mut s, y, &b.key, &title, |s, y| {
            rect(s, x(f.base), x(b.at_low), y, LOW_FILL, "bar-low");
            rect(s, x(f.base), x(b.at_high), y, HIGH_FILL, "bar-high");
        });
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\">±{} ({}%)</text>",
            WIDTH - RIGHT_W + 6.0,
            y + 16.0,
            m2(b.swing / 2.0),
            num(b.swing_ratio * 100.0, 2)
        );
    }
    let bottom = y0 + ROW_H * rows as f64;
    let xb = x(f.base);
    let _ = write!(
        s,
        "<line x1=\"{xb:.2}\" y1=\"{:.1}\" x2=\"{xb:.2}\" y2=\"{bottom:.1}\" stroke=\"#1d2330\" \
         stroke-width=\"1.5\"/><text x=\"{xb:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{} {}</text>",
        y0 - 2.0,
        bottom + 16.0,
        t(lang, "base"),
        m2(f.base)
    );
    for v in [lo + pad, hi - pad] {
        let _ = write!(
            s,
            "<text x=\"{:.2}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#5d6778\">{}</text>",
            x(v),
            bottom + 30.0,
            m2(v)
        );
    }
    s.push_str("</svg>");
    s
}

/// One row: the label at the left, the bars drawn by `draw`, the hover text.
fn bar_row(s: &mut String, y: f64, label: &str, title: &str, draw: impl FnOnce(&mut String, f64)) {
    let _ = write!(
        s,
        "<g class=\"row\"><title>{}</title><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        esc(title),
        LABEL_W - 8.0,
        y + 16.0,
        esc(label)
    );
    draw(s, y);
    s.push_str("</g>");
}

fn rect(s: &mut String, xa: f64, xb: f64, y: f64, fill: &str, class: &str) {
    let (left, w) = (xa.min(xb), (xa - xb).abs().max(1.0));
    let _ = write!(
        s,
        "<rect class=\"{class}\" x=\"{left:.2}\" y=\"{:.1}\" width=\"{w:.2}\" height=\"{:.1}\" fill=\"{fill}\"/>",
        y + 4.0,
        ROW_H - 8.0
    );
}
