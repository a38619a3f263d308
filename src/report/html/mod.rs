//! Self-contained HTML reports for people: `report.html` beside each project's report.json
//! and `index.html` for a batch. One file each, no network: the CSS, the JavaScript and the
//! maps (inline SVG in the layer's projected coordinates) are in the page. The page shows the
//! unofficial values first, then the key figures, the map, the computation chain with every
//! coefficient's value, rule-set key, source and status, the siting, the findings and a
//! sortable parcel table. Labels are Chinese by default ([`Lang`]); the output is the same
//! bytes for the same input (no timestamps, input order everywhere).

mod assets;
mod chain;
mod index;
mod labels;
mod map;
mod project;
mod project_map;
mod sensitivity;
mod tables;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

pub use index::index_html;
pub use labels::Lang;
pub use project::{project_html, report_html_without_map};
pub use sensitivity::{sensitivity_html, sensitivity_section};

use crate::batch::BatchRun;
use crate::io::write::write_atomic;
use crate::project::{ProjectReport, ProjectRun};
use crate::{Error, Result};

/// The file name of a project's HTML report.
pub const REPORT_HTML: &str = "report.html";
/// The file name of a batch's HTML index.
pub const INDEX_HTML: &str = "index.html";

/// Writes a project's `report.html` (with its map) atomically.
pub fn write_project_html(path: &Path, run: &ProjectRun, lang: Lang) -> Result<()> {
    write_text(path, &project_html(run, lang))
}

/// Writes a batch project's `report.html` atomically: the report without a map (a batch
/// keeps no per-project layers), linking back to the district index at `index_href`.
pub fn write_report_html(
    path: &Path,
    report: &ProjectReport,
    lang: Lang,
    index_href: &str,
) -> Result<()> {
    write_text(path, &report_html_without_map(report, lang, index_href))
}

/// Writes the stand-alone sensitivity page atomically.
pub fn write_sensitivity_html(
    path: &Path,
    s: &crate::sensitivity::Sensitivity,
    lang: Lang,
) -> Result<()> {
    write_text(path, &sensitivity_html(s, lang))
}

/// Writes a batch's `index.html` atomically.
pub fn write_index_html(path: &Path, run: &BatchRun, lang: Lang) -> Result<()> {
    write_text(path, &index_html(run, lang))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(text.as_bytes()).map_err(|e| Error::io(path, e))
    })
}

/// Escapes text for HTML content and attribute values (newlines kept as `&#10;`, so that
/// hover texts keep their lines).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

/// `x` with `decimals` decimals and thousands separators (`-` for a non-finite number).
pub(crate) fn num(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    // Rounded to zero is not negative.
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("-{out}")
    } else {
        out
    }
}

/// An area in m², two decimals.
pub(crate) fn m2(x: f64) -> String {
    num(x, 2)
}

/// A coefficient or FAR, four decimals.
pub(crate) fn coef(x: f64) -> String {
    num(x, 4)
}

/// A serde enum's name as in report.json (`counted`, `inside`, `illustrative`, …).
pub(crate) fn code_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A whole page: head with the inline CSS, the error hook first in the body (so that any
/// later script error is recorded on `<body data-js-errors>`), then `body`, then the script.
pub(crate) fn page(lang: Lang, title: &str, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + assets::CSS.len() + assets::JS.len() + 512);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"landpool {}\">\n<title>{}</title>\n\
         <style>{}</style>\n</head>\n<body>\n<script>{}</script>\n",
        lang.code(),
        env!("CARGO_PKG_VERSION"),
        esc(title),
        assets::CSS,
        assets::ERROR_HOOK
    );
    s.push_str(body);
    let _ = write!(
        s,
        "\n<div id=\"tip\" hidden></div>\n<script>{}</script>\n</body>\n</html>\n",
        assets::JS
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes() {
        assert_eq!(num(1234567.891, 2), "1,234,567.89");
        assert_eq!(num(-0.001, 2), "0.00");
        assert_eq!(num(-1500.0, 0), "-1,500");
        assert_eq!(num(f64::NAN, 2), "-");
        assert_eq!(esc("a<b & \"c\"\nd"), "a&lt;b &amp; &quot;c&quot;&#10;d");
    }
}
