//! report.xlsx (assess) and district.xlsx (batch), read back with calamine: every figure of
//! the computation sheet equals report.json, every formula recomputed from the cells equals
//! its cached value (the rights floor area exactly), the tables hold every parcel, site,
//! finding and unofficial value, and two runs give the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use serde_json::Value;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report_xlsx-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn landpool(args: &[&str]) {
    let out = Command::new(cargo_bin("landpool"))
        .args(args)
        .output()
        .expect("run landpool");
    assert!(
        out.status.success(),
        "landpool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assess(project: &str, out: &Path) {
    let project = repo(project);
    landpool(&[
        "assess",
        project.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
}

fn report_json(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// A value of report.json by the dotted path of the sheet's `report.json` column.
fn lookup<'v>(v: &'v Value, path: &str) -> &'v Value {
    let mut v = v;
    for part in path.split('.') {
        let (key, idx) = part.split_once('[').map_or((part, None), |(k, i)| {
            (k, Some(i.trim_end_matches(']').parse::<usize>().unwrap()))
        });
        v = &v[key];
        if let Some(i) = idx {
            v = &v[i];
        }
    }
    assert!(!v.is_null(), "{path} not in report.json");
    v
}

fn number(d: &Data) -> Option<f64> {
    match d {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn text(d: Option<&Data>) -> String {
    match d {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Column indices of the computation sheet.
const VALUE: u32 = 2;
const JSON: u32 = 10;
const HEADER_ROW: u32 = 3;

struct Book {
    values: Range<Data>,
    formulas: Range<String>,
}

fn sheet(path: &Path, name: &str) -> Book {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open xlsx");
    Book {
        values: wb.worksheet_range(name).expect("sheet"),
        formulas: wb.worksheet_formula(name).expect("formulas"),
    }
}

// ---- a small evaluator of the formulas the sheets use: + - * / ( ), SUM, SUMPRODUCT ----

/// Zero-based (row, col) of an A1 reference.
fn a1(r: &str) -> (u32, u32) {
    let r = r.replace('$', "");
    let split = r.find(|c: char| c.is_ascii_digit()).unwrap();
    let (letters, digits) = r.split_at(split);
    let col = letters
        .chars()
        .fold(0u32, |acc, c| acc * 26 + (c as u32 - 'A' as u32 + 1))
        - 1;
    (digits.parse::<u32>().unwrap() - 1, col)
}

struct Eval<'a> {
    tokens: Vec<String>,
    pos: usize,
    cells: &'a Range<Data>,
}

impl<'a> Eval<'a> {
    fn new(formula: &str, cells: &'a Range<Data>) -> Eval<'a> {
        let mut tokens = Vec::new();
        let mut cur = String::new();
        for c in formula.trim_start_matches('=').chars() {
            if c.is_ascii_alphanumeric() || c == '.' || c == '$' || c == '_' {
                cur.push(c);
            } else {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
                if !c.is_whitespace() {
                    tokens.push(c.to_string());
                }
            }
        }
        if !cur.is_empty() {
            tokens.push(cur);
        }
        Eval {
            tokens,
            pos: 0,
            cells,
        }
    }

    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.pos).map(String::as_str)
    }

    fn next(&mut self) -> String {
        self.pos += 1;
        self.tokens[self.pos - 1].clone()
    }

    fn cell(&self, r: &str) -> f64 {
        let (row, col) = a1(r);
        self.cells
            .get_value((row, col))
            .and_then(number)
            .unwrap_or(0.0)
    }

    /// The numbers of a range, in row order (SUM skips blanks and text, as Excel does).
    fn range(&mut self) -> Vec<f64> {
        let from = a1(&self.next());
        assert_eq!(self.next(), ":");
        let to = a1(&self.next());
        let mut v = Vec::new();
        for row in from.0..=to.0 {
            for col in from.1..=to.1 {
                v.extend(self.cells.get_value((row, col)).and_then(number));
            }
        }
        v
    }

    fn expr(&mut self) -> f64 {
        let mut v = self.term();
        while let Some(op) = self.peek().filter(|t| *t == "+" || *t == "-") {
            let add = op == "+";
            self.pos += 1;
            let r = self.term();
            v = if add { v + r } else { v - r };
        }
        v
    }

    fn term(&mut self) -> f64 {
        let mut v = self.factor();
        while let Some(op) = self.peek().filter(|t| *t == "*" || *t == "/") {
            let mul = op == "*";
            self.pos += 1;
            let r = self.factor();
            v = if mul { v * r } else { v / r };
        }
        v
    }

    fn factor(&mut self) -> f64 {
        let t = self.next();
        match t.as_str() {
            "(" => {
                let v = self.expr();
                assert_eq!(self.next(), ")");
                v
            }
            "-" => -self.factor(),
            "SUM" => {
                assert_eq!(self.next(), "(");
                let v = self.range().iter().fold(0.0, |a, x| a + x);
                assert_eq!(self.next(), ")");
                v
            }
            "SUMPRODUCT" => {
                assert_eq!(self.next(), "(");
                let a = self.range();
                assert_eq!(self.next(), ",");
                let b = self.range();
                assert_eq!(self.next(), ")");
                a.iter().zip(&b).fold(0.0, |s, (x, y)| s + x * y)
            }
            t if t.starts_with(|c: char| c.is_ascii_digit()) => t.parse().unwrap(),
            t => self.cell(t),
        }
    }
}

fn evaluate(formula: &str, cells: &Range<Data>) -> f64 {
    let mut e = Eval::new(formula, cells);
    let v = e.expr();
    assert_eq!(e.pos, e.tokens.len(), "formula {formula} not fully read");
    v
}

/// Every formula of a sheet: (row, col, formula).
fn formulas(b: &Book) -> Vec<(u32, u32, String)> {
    let (r0, c0) = b.formulas.start().unwrap_or((0, 0));
    b.formulas
        .cells()
        .filter(|(_, _, f)| !f.is_empty())
        .map(|(r, c, f)| (r as u32 + r0, c as u32 + c0, f.clone()))
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    let s = a.abs().max(b.abs());
    if s == 0.0 { 0.0 } else { (a - b).abs() / s }
}

/// The computation sheet: every row naming a report.json path holds that value exactly
/// (numbers written, or formulas' cached values), and every formula recomputes to its
/// cached value. Returns the number of figures checked.
fn check_computation(xlsx: &Path, report: &Value) -> usize {
    let b = sheet(xlsx, "computation");
    let v = &b.values;
    assert_eq!(text(v.get_value((HEADER_ROW, JSON))), "report.json");
    let mut figures = 0;
    for row in HEADER_ROW + 1..=v.end().unwrap().0 {
        let path = text(v.get_value((row, JSON)));
        if path.is_empty() {
            continue;
        }
        let expected = lookup(report, &path);
        let cell = v.get_value((row, VALUE)).unwrap();
        match expected {
            Value::Bool(x) => assert_eq!(text(Some(cell)), x.to_string(), "{path}"),
            _ => {
                let got = number(cell).unwrap_or_else(|| panic!("{path}: {cell:?}"));
                assert_eq!(got, expected.as_f64().unwrap(), "{path} (row {})", row + 1);
            }
        }
        figures += 1;
    }
    let all = formulas(&b);
    assert!(all.len() >= 5, "live formulas: {all:?}");
    for (row, col, f) in &all {
        let cached = number(v.get_value((*row, *col)).unwrap()).unwrap();
        let recomputed = evaluate(f, v);
        assert!(
            rel(recomputed, cached) <= 1e-12,
            "{f} at row {}: recomputed {recomputed}, cached {cached}",
            row + 1
        );
    }
    figures
}

#[test]
fn report_xlsx_figures_and_formulas_match_report_json() {
    let out = scratch("example_a");
    assess("tests/fixtures/example_a/project.toml", &out);
    let report = report_json(&out);
    let xlsx = out.join("report.xlsx");
    let n = check_computation(&xlsx, &report);
    assert!(n >= 25, "{n} figures");

    // The rights floor area (权益容积): its formula recomputed from the cells it names
    // equals the cached value exactly, and that is report.json's figure.
    let b = sheet(&xlsx, "computation");
    let rights_row = (HEADER_ROW..=b.values.end().unwrap().0)
        .find(|r| text(b.values.get_value((*r, JSON))) == "computation.rights_floor_area_m2")
        .unwrap();
    let f = formulas(&b)
        .into_iter()
        .find(|(r, c, _)| *r == rights_row && *c == VALUE)
        .map(|(_, _, f)| f)
        .expect("rights floor area is a formula");
    assert!(f.contains('*') && f.contains('+'), "{f}");
    let cached = number(b.values.get_value((rights_row, VALUE)).unwrap()).unwrap();
    assert_eq!(evaluate(&f, &b.values), cached);
    assert_eq!(
        cached,
        report["computation"]["rights_floor_area_m2"]
            .as_f64()
            .unwrap()
    );

    // Editing a coefficient changes the result: raise the first use's function coefficient
    // f_u, recompute its helper s_u/f_u, φ, then R — the rights floor area moves.
    let row_of = |path: &str| {
        (HEADER_ROW..=b.values.end().unwrap().0)
            .find(|r| text(b.values.get_value((*r, JSON))) == path)
            .unwrap()
    };
    let formula_at = |row: u32, col: u32| {
        formulas(&b)
            .into_iter()
            .find(|(r, c, _)| *r == row && *c == col)
            .map(|(_, _, f)| f)
            .unwrap()
    };
    let mut cells = b.values.clone();
    let fu = row_of("computation.function.uses[0].coef.value");
    let old_fu = number(cells.get_value((fu, VALUE)).unwrap()).unwrap();
    cells.set_value((fu, VALUE), Data::Float(old_fu * 1.1));
    let helper = evaluate(&formula_at(fu, 4), &cells);
    cells.set_value((fu, 4), Data::Float(helper));
    let phi_row = row_of("computation.function.function_coef");
    let phi = evaluate(&formula_at(phi_row, VALUE), &cells);
    cells.set_value((phi_row, VALUE), Data::Float(phi));
    let edited = evaluate(&f, &cells);
    assert!(
        edited > cached * 1.001,
        "R {cached} -> {edited} after raising f_u"
    );
}

#[test]
fn report_xlsx_tables_hold_every_parcel_site_finding_and_unofficial_value() {
    let out = scratch("tables");
    assess("tests/fixtures/example_a/project.toml", &out);
    let report = report_json(&out);
    let xlsx = out.join("report.xlsx");
    let data_rows = |name: &str| {
        let b = sheet(&xlsx, name);
        let end = b.values.end().map_or(0, |e| e.0);
        (3..=end).map(|r| (r, b.values.clone())).collect::<Vec<_>>()
    };
    let parcels = report["parcels"].as_array().unwrap();
    let rows = data_rows("parcels");
    assert_eq!(rows.len(), parcels.len());
    for ((r, v), p) in rows.iter().zip(parcels) {
        assert_eq!(text(v.get_value((*r, 0))), p["parcel_id"].as_str().unwrap());
        assert_eq!(number(v.get_value((*r, 5)).unwrap()), p["area_m2"].as_f64());
        assert_eq!(
            number(v.get_value((*r, 6)).unwrap()),
            p["area_inside_m2"].as_f64()
        );
        assert_eq!(
            v.get_value((*r, 7)).and_then(number),
            p["counted_area_m2"].as_f64()
        );
    }
    let sites = report["siting"]["sites"].as_array().unwrap();
    let rows = data_rows("sites");
    assert_eq!(rows.len(), sites.len());
    for ((r, v), s) in rows.iter().zip(sites) {
        assert_eq!(text(v.get_value((*r, 0))), s["site_id"].as_str().unwrap());
        assert_eq!(number(v.get_value((*r, 2)).unwrap()), s["area_m2"].as_f64());
        assert_eq!(
            number(v.get_value((*r, 3)).unwrap()),
            s["inside_m2"].as_f64()
        );
        assert_eq!(
            number(v.get_value((*r, 7)).unwrap()),
            s["onsite_rights_m2"].as_f64()
        );
    }
    let findings = report["findings"].as_array().unwrap();
    let warnings = report["warnings"].as_array().unwrap();
    let rows = data_rows("findings");
    assert_eq!(rows.len(), findings.len() + warnings.len());
    for ((r, v), f) in rows.iter().zip(findings) {
        assert_eq!(text(v.get_value((*r, 0))), f["code"].as_str().unwrap());
        assert_eq!(text(v.get_value((*r, 2))), f["message"].as_str().unwrap());
    }
    let unofficial = report["not_official_values"].as_array().unwrap();
    assert!(!unofficial.is_empty(), "example A uses illustrative values");
    let rows = data_rows("unofficial");
    assert_eq!(rows.len(), unofficial.len());
    for ((r, v), u) in rows.iter().zip(unofficial) {
        assert_eq!(text(v.get_value((*r, 0))), u["key"].as_str().unwrap());
        assert_eq!(text(v.get_value((*r, 3))), "illustrative");
    }
}

#[test]
fn report_xlsx_is_byte_identical_across_runs_and_on_the_sample() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    assess("data/sample/project.toml", &a);
    assess("data/sample/project.toml", &b);
    let bytes = std::fs::read(a.join("report.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip file");
    assert_eq!(bytes, std::fs::read(b.join("report.xlsx")).unwrap());
    // The sample's computation sheet too: figures and formulas.
    let n = check_computation(&a.join("report.xlsx"), &report_json(&a));
    assert!(n >= 25, "{n} figures");
}

#[test]
fn district_xlsx_totals_are_sum_formulas_over_the_projects() {
    let out = scratch("district");
    let district = repo("data/sample/district.toml");
    landpool(&[
        "batch",
        district.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let xlsx = out.join("district.xlsx");
    let b = sheet(&xlsx, "projects");
    let v = &b.values;
    let header: Vec<String> = (0..v.width() as u32)
        .map(|c| text(v.get_value((2, c))))
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap() as u32;
    let csv = std::fs::read_to_string(out.join("projects.csv")).unwrap();
    let projects = csv.lines().count() - 1;
    let total_row = 3 + projects as u32;
    assert_eq!(text(v.get_value((total_row, 0))), "district total");
    let all = formulas(&b);
    assert!(
        all.iter()
            .any(|(_, c, _)| *c == col("rights_floor_area_m2"))
    );
    for (row, c, f) in &all {
        assert_eq!(*row, total_row);
        assert!(f.starts_with("SUM("), "{f}");
        let cached = number(v.get_value((*row, *c)).unwrap()).unwrap();
        assert_eq!(evaluate(f, v), cached, "{f}");
    }
    // The total of the rights floor area equals the sum of every project's report.json.
    let mut sum = 0.0;
    for r in 3..total_row {
        let id = text(v.get_value((r, 0)));
        let dir = out.join("projects").join(&id);
        if let Ok(t) = std::fs::read_to_string(dir.join("report.json")) {
            let rep: Value = serde_json::from_str(&t).unwrap();
            let x = rep["computation"]["rights_floor_area_m2"]
                .as_f64()
                .or(rep["computation"]["base_floor_area_m2"].as_f64())
                .unwrap();
            assert_eq!(
                number(v.get_value((r, col("rights_floor_area_m2"))).unwrap()),
                Some(x)
            );
            sum += x;
        }
    }
    let total = number(
        v.get_value((total_row, col("rights_floor_area_m2")))
            .unwrap(),
    )
    .unwrap();
    assert!(rel(total, sum) <= 1e-12, "{total} vs {sum}");
    let second: Vec<u8> = {
        let again = scratch("district-2");
        landpool(&[
            "batch",
            district.to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
            "--quiet",
        ]);
        std::fs::read(again.join("district.xlsx")).unwrap()
    };
    assert_eq!(
        std::fs::read(&xlsx).unwrap(),
        second,
        "district.xlsx deterministic"
    );
}
