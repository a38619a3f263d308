//! Case files of `landpool check`: a project file and what its report must say, either a
//! golden report.json or expected figures with a tolerance each.
//!
//! ```toml
//! # case.toml; paths are relative to this file
//! project = "../../fixtures/example_a/project.toml"
//! golden = "report.json"            # optional: the whole report must match
//! rel_tol = 1e-9                    # default tolerance of the golden and of every figure
//! abs_tol = 1e-12
//!
//! [figures]                         # optional: named figures (aliases or report.json paths)
//! rights_floor_area = { value = 110036.36, abs_tol = 0.005 }
//! "computation.shared.floor_area_m2" = { value = 16505.45, rel_tol = 1e-6 }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The file name looked for when a case is given as a folder.
pub const CASE_FILE: &str = "case.toml";

/// Default relative tolerance (as `landpool diff`).
pub const DEFAULT_REL_TOL: f64 = 1e-9;
/// Default absolute tolerance (values near zero).
pub const DEFAULT_ABS_TOL: f64 = 1e-12;

/// One expected figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFigure {
    /// The expected value.
    pub value: f64,
    /// Largest accepted `|actual − expected| / max(|actual|, |expected|)` (default: the
    /// case's `rel_tol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel_tol: Option<f64>,
    /// Differences up to this absolute value pass too (default: the case's `abs_tol`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abs_tol: Option<f64>,
}

/// The case file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The project file, relative to the case file.
    pub project: PathBuf,
    /// The golden report.json, relative to the case file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub golden: Option<PathBuf>,
    /// Default relative tolerance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rel_tol: Option<f64>,
    /// Default absolute tolerance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abs_tol: Option<f64>,
    /// Expected figures by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub figures: BTreeMap<String, ExpectedFigure>,
}

/// A loaded case with its paths resolved.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case file.
    pub path: PathBuf,
    /// The case's name: its folder's name (or the file stem when not `case.toml`).
    pub name: String,
    /// The case file as written (what `--bless` rewrites).
    pub file: CaseFile,
    /// The project file.
    pub project: PathBuf,
    /// The golden report, when the case has one.
    pub golden: Option<PathBuf>,
    /// Default relative tolerance.
    pub rel_tol: f64,
    /// Default absolute tolerance.
    pub abs_tol: f64,
}

impl Case {
    /// Loads a case from a case file or a folder holding `case.toml`.
    pub fn load(arg: &Path) -> Result<Case> {
        let path = if arg.is_dir() {
            arg.join(CASE_FILE)
        } else {
            arg.to_path_buf()
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let file: CaseFile = toml::from_str(&text).map_err(|e| parse_error(&path, &text, &e))?;
        let config = |key: &str, message: String| Error::Config {
            path: path.clone(),
            line: None,
            column: None,
            key: key.into(),
            message,
        };
        if file.golden.is_none() && file.figures.is_empty() {
            return Err(config(
                "",
                "a case needs `golden = \"report.json\"` or a [figures] table".into(),
            ));
        }
        let tols = [("rel_tol", file.rel_tol), ("abs_tol", file.abs_tol)];
        let figure_tols = file
            .figures
            .iter()
            .flat_map(|(k, f)| [(k.as_str(), f.rel_tol), (k.as_str(), f.abs_tol)]);
        for (key, t) in tols.into_iter().chain(figure_tols) {
            if let Some(t) = t
                && !(t.is_finite() && t >= 0.0)
            {
                return Err(config(
                    key,
                    format!("a tolerance must be a number >= 0, got {t}"),
                ));
            }
        }
        let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
        Ok(Case {
            name: case_name(&path),
            project: base.join(&file.project),
            golden: file.golden.as_ref().map(|g| base.join(g)),
            rel_tol: file.rel_tol.unwrap_or(DEFAULT_REL_TOL),
            abs_tol: file.abs_tol.unwrap_or(DEFAULT_ABS_TOL),
            file,
            path,
        })
    }

    /// The tolerances of one expected figure (its own, else the case's).
    pub fn tolerances(&self, f: &ExpectedFigure) -> (f64, f64) {
        (
            f.rel_tol.unwrap_or(self.rel_tol),
            f.abs_tol.unwrap_or(self.abs_tol),
        )
    }
}

fn case_name(path: &Path) -> String {
    let is_default = path.file_name().is_some_and(|n| n == CASE_FILE);
    let named = if is_default {
        path.parent().and_then(Path::file_name)
    } else {
        path.file_stem()
    };
    named.map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e.span().map_or((None, None), |s| {
        let before = text.get(..s.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (Some(line), Some(column))
    });
    Error::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

/// The comment lines at the top of a case file (kept when `--bless` rewrites it).
pub fn leading_comments(text: &str) -> String {
    text.lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A case file as TOML, one inline table per figure (the layout of hand-written cases).
pub fn case_toml(file: &CaseFile, header: &str) -> String {
    let mut s = header.to_string();
    let path = |p: &Path| toml_string(&p.to_string_lossy());
    s.push_str(&format!("project = {}\n", path(&file.project)));
    if let Some(g) = &file.golden {
        s.push_str(&format!("golden = {}\n", path(g)));
    }
    for (k, v) in [("rel_tol", file.rel_tol), ("abs_tol", file.abs_tol)] {
        if let Some(v) = v {
            s.push_str(&format!("{k} = {}\n", toml_float(v)));
        }
    }
    if !file.figures.is_empty() {
        s.push_str("\n[figures]\n");
    }
    for (name, f) in &file.figures {
        let mut parts = vec![format!("value = {}", toml_float(f.value))];
        for (k, v) in [("rel_tol", f.rel_tol), ("abs_tol", f.abs_tol)] {
            if let Some(v) = v {
                parts.push(format!("{k} = {}", toml_float(v)));
            }
        }
        s.push_str(&format!(
            "{} = {{ {} }}\n",
            toml_key(name),
            parts.join(", ")
        ));
    }
    s
}

/// A float as TOML writes it (`5000.0`, `1e-9`; Rust's shortest round-trip digits).
fn toml_float(v: f64) -> String {
    if v.is_finite() {
        format!("{v:?}")
    } else if v.is_nan() {
        "nan".into()
    } else if v > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// A bare key when it may be one, else a quoted key.
fn toml_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { k.to_string() } else { toml_string(k) }
}

/// A basic TOML string with its escapes.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
