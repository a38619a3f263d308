//! A small span-aware reader over a parsed TOML document, used by the rule-set loader so that
//! every error — syntax or semantic — names the file, the line, the column and the key.

use std::ops::Range;
use std::path::PathBuf;

use chrono::NaiveDate;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::rules::{Provenance, RuleValue, Sourced, Status};
use crate::Error;

/// The parsed document plus everything needed to report errors and record values.
pub(crate) struct Doc<'i> {
    pub path: PathBuf,
    text: &'i str,
    /// Every scalar rule value read, in reading order.
    pub records: Vec<RuleValue>,
}

/// A table of the document with its dotted key path and inherited provenance.
#[derive(Clone)]
pub(crate) struct Tbl<'t, 'i> {
    pub path: String,
    pub table: &'t DeTable<'i>,
    pub span: Range<usize>,
    source: Option<String>,
    status: Option<Status>,
}

impl Tbl<'_, '_> {
    /// The source and status a bare value in this table would inherit.
    pub fn inherited(&self) -> (Option<&str>, Option<Status>) {
        (self.source.as_deref(), self.status)
    }
}

/// A numeric value together with the text the user wrote (e.g. `1/0.6`).
pub(crate) struct Num {
    pub value: f64,
    pub written: String,
}

impl<'i> Doc<'i> {
    /// Parses `text`; a syntax error becomes a `Config` error with line and column.
    pub fn parse(
        text: &'i str,
        path: impl Into<PathBuf>,
    ) -> Result<(Self, Spanned<DeTable<'i>>), Error> {
        let path = path.into();
        let doc = Doc {
            path,
            text,
            records: Vec::new(),
        };
        match DeTable::parse(text) {
            Ok(t) => Ok((doc, t)),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                Err(doc.err(span, "(syntax)", e.message().to_string()))
            }
        }
    }

    /// The root table (spans of the root are empty: errors point at line 1).
    pub fn root<'t>(&self, root: &'t Spanned<DeTable<'i>>) -> Tbl<'t, 'i> {
        Tbl {
            path: String::new(),
            table: root.get_ref(),
            span: 0..0,
            source: None,
            status: None,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before
            .get(line_start..)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }

    pub fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> Error {
        let (line, column) = self.line_col(span.start);
        Error::Config {
            path: self.path.clone(),
            line: Some(line),
            column: Some(column),
            key: if key.is_empty() {
                "(root)".into()
            } else {
                key.to_string()
            },
            message: message.into(),
        }
    }

    pub fn get<'t>(&self, t: &Tbl<'t, 'i>, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        t.table.get(key)
    }

    fn missing(&self, t: &Tbl<'_, 'i>, key: &str, what: &str) -> Error {
        let where_ = if t.path.is_empty() {
            "the rule set".to_string()
        } else {
            format!("table `{}`", t.path)
        };
        self.err(
            t.span.clone(),
            &join(&t.path, key),
            format!("missing {what} `{key}` in {where_}"),
        )
    }

    /// Rejects keys that the schema does not know (typos would otherwise be ignored).
    pub fn deny_unknown(&self, t: &Tbl<'_, 'i>, allowed: &[&str]) -> Result<(), Error> {
        for (k, _) in t.table.iter() {
            let name: &str = k.get_ref();
            if name != "source" && name != "status" && !allowed.contains(&name) {
                return Err(self.err(
                    k.span(),
                    &join(&t.path, name),
                    format!("unknown key; expected one of: {}", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// Keys of a table other than the provenance keys, in document order of the parsed map.
    pub fn keys<'t>(&self, t: &Tbl<'t, 'i>) -> Vec<(&'t str, Range<usize>)> {
        t.table
            .iter()
            .map(|(k, _)| (k.get_ref().as_ref(), k.span()))
            .filter(|(k, _)| *k != "source" && *k != "status")
            .collect()
    }

    /// Descends into a sub-table, inheriting and possibly overriding `source` / `status`.
    pub fn sub<'t>(
        &self,
        t: &Tbl<'t, 'i>,
        key: &str,
        value: &'t Spanned<DeValue<'i>>,
    ) -> Result<Tbl<'t, 'i>, Error> {
        let path = join(&t.path, key);
        let DeValue::Table(table) = value.get_ref() else {
            return Err(self.err(value.span(), &path, "expected a table"));
        };
        let mut sub = Tbl {
            path,
            table,
            span: value.span(),
            source: t.source.clone(),
            status: t.status,
        };
        if let Some(s) = table.get("source") {
            sub.source = Some(self.as_string(&join(&sub.path, "source"), s)?);
        }
        if let Some(s) = table.get("status") {
            sub.status = Some(self.as_status(&join(&sub.path, "status"), s)?);
        }
        Ok(sub)
    }

    pub fn table<'t>(&self, t: &Tbl<'t, 'i>, key: &str) -> Result<Tbl<'t, 'i>, Error> {
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "table"))?;
        self.sub(t, key, v)
    }

    pub fn opt_table<'t>(&self, t: &Tbl<'t, 'i>, key: &str) -> Result<Option<Tbl<'t, 'i>>, Error> {
        match self.get(t, key) {
            Some(v) => self.sub(t, key, v).map(Some),
            None => Ok(None),
        }
    }

    fn as_string(&self, path: &str, v: &Spanned<DeValue<'i>>) -> Result<String, Error> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.err(v.span(), path, "expected a string")),
        }
    }

    fn as_status(&self, path: &str, v: &Spanned<DeValue<'i>>) -> Result<Status, Error> {
        let s = self.as_string(path, v)?;
        Status::parse(&s).ok_or_else(|| {
            self.err(
                v.span(),
                path,
                format!("unknown status `{s}`; expected official, draft or illustrative"),
            )
        })
    }

    pub fn string(&self, t: &Tbl<'_, 'i>, key: &str) -> Result<String, Error> {
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "key"))?;
        self.as_string(&join(&t.path, key), v)
    }

    pub fn opt_bool(&self, t: &Tbl<'_, 'i>, key: &str) -> Result<Option<bool>, Error> {
        match self.get(t, key) {
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Ok(Some(*b)),
                _ => Err(self.err(v.span(), &join(&t.path, key), "expected true or false")),
            },
            None => Ok(None),
        }
    }

    pub fn string_list(&self, t: &Tbl<'_, 'i>, key: &str) -> Result<Vec<String>, Error> {
        let path = join(&t.path, key);
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "key"))?;
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.err(v.span(), &path, "expected an array of strings"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.as_string(&format!("{path}[{i}]"), item))
            .collect()
    }

    /// The elements of an array of tables (`[[key]]`), each as a table.
    pub fn table_array<'t>(&self, t: &Tbl<'t, 'i>, key: &str) -> Result<Vec<Tbl<'t, 'i>>, Error> {
        let path = join(&t.path, key);
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "array of tables"))?;
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.err(v.span(), &path, "expected an array of tables `[[...]]`"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let mut sub = self.sub(t, key, item)?;
                sub.path = format!("{path}[{i}]");
                Ok(sub)
            })
            .collect()
    }

    /// Reads a plain number or a quotient expression `a/b` written as a string.
    fn as_num(&self, path: &str, v: &Spanned<DeValue<'i>>) -> Result<Num, Error> {
        let bad = |m: &str| self.err(v.span(), path, m.to_string());
        match v.get_ref() {
            DeValue::Integer(i) => {
                let value = i64::from_str_radix(i.as_str(), i.radix())
                    .map_err(|_| bad("integer out of range"))? as f64;
                Ok(Num {
                    value,
                    written: i.to_string(),
                })
            }
            DeValue::Float(f) => {
                let value: f64 = f.as_str().parse().map_err(|_| bad("invalid number"))?;
                if !value.is_finite() {
                    return Err(bad("the value must be a finite number"));
                }
                Ok(Num {
                    value,
                    written: f.as_str().to_string(),
                })
            }
            DeValue::String(s) => {
                let value = eval_quotient(s).ok_or_else(|| {
                    bad(&format!(
                        "`{s}` is not a number or a quotient `a/b` of two positive numbers"
                    ))
                })?;
                Ok(Num {
                    value,
                    written: s.to_string(),
                })
            }
            _ => Err(bad("expected a number")),
        }
    }

    /// Splits a value node into (payload, source, status): either a bare payload that inherits
    /// provenance from the enclosing tables, or `{ value = ..., source = "...", status = "..." }`.
    #[allow(clippy::type_complexity)]
    fn unwrap_sourced<'t>(
        &self,
        t: &Tbl<'t, 'i>,
        key: &str,
        v: &'t Spanned<DeValue<'i>>,
    ) -> Result<(&'t Spanned<DeValue<'i>>, String, Status), Error> {
        let path = join(&t.path, key);
        let (payload, source, status) = match v.get_ref() {
            DeValue::Table(inner) if inner.contains_key("value") => {
                let sub = Tbl {
                    path: path.clone(),
                    table: inner,
                    span: v.span(),
                    source: None,
                    status: None,
                };
                self.deny_unknown(&sub, &["value"])?;
                let payload = inner
                    .get("value")
                    .ok_or_else(|| self.missing(&sub, "value", "key"))?;
                let source = match inner.get("source") {
                    Some(s) => Some(self.as_string(&join(&path, "source"), s)?),
                    None => t.source.clone(),
                };
                let status = match inner.get("status") {
                    Some(s) => Some(self.as_status(&join(&path, "status"), s)?),
                    None => t.status,
                };
                (payload, source, status)
            }
            _ => (v, t.source.clone(), t.status),
        };
        let source = source.ok_or_else(|| {
            self.err(
                v.span(),
                &path,
                "no `source` for this value (write `{ value = ..., source = \"...\", status = \"...\" }` or set `source` on an enclosing table)",
            )
        })?;
        let status = status.ok_or_else(|| {
            self.err(
                v.span(),
                &path,
                "no `status` for this value (official, draft or illustrative)",
            )
        })?;
        Ok((payload, source, status))
    }

    /// A sourced number, checked against closed bounds.
    pub fn num_at<'t>(
        &mut self,
        t: &Tbl<'t, 'i>,
        key: &str,
        v: &'t Spanned<DeValue<'i>>,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Sourced<f64>, Error> {
        let path = join(&t.path, key);
        let (payload, source, status) = self.unwrap_sourced(t, key, v)?;
        let n = self.as_num(&path, payload)?;
        if let Some(lo) = min
            && n.value < lo
        {
            return Err(self.err(
                payload.span(),
                &path,
                format!("value {} is out of range: must be ≥ {lo}", n.written),
            ));
        }
        if let Some(hi) = max
            && n.value > hi
        {
            return Err(self.err(
                payload.span(),
                &path,
                format!("value {} is out of range: must be ≤ {hi}", n.written),
            ));
        }
        let written = if n.written == format_num(n.value) {
            n.written
        } else {
            format!("{} (= {})", n.written, format_num(n.value))
        };
        Ok(self.record(path, n.value, written, source, status))
    }

    pub fn num(
        &mut self,
        t: &Tbl<'_, 'i>,
        key: &str,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Sourced<f64>, Error> {
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "value"))?;
        self.num_at(t, key, v, min, max)
    }

    pub fn opt_num(
        &mut self,
        t: &Tbl<'_, 'i>,
        key: &str,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Option<Sourced<f64>>, Error> {
        match self.get(t, key) {
            Some(v) => self.num_at(t, key, v, min, max).map(Some),
            None => Ok(None),
        }
    }

    /// A sourced text value (e.g. a method name), recorded like numbers.
    pub fn sourced_text(&mut self, t: &Tbl<'_, 'i>, key: &str) -> Result<Sourced<String>, Error> {
        let path = join(&t.path, key);
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "value"))?;
        let (payload, source, status) = self.unwrap_sourced(t, key, v)?;
        let text = self.as_string(&path, payload)?;
        self.records.push(RuleValue {
            key: path.clone(),
            value: text.clone(),
            numeric: None,
            source: source.clone(),
            status,
        });
        Ok(Sourced {
            value: text,
            provenance: Provenance {
                key: path,
                source,
                status,
            },
        })
    }

    /// A sourced calendar date: a TOML local date `2026-01-01` or a string `"2026-01-01"`.
    pub fn sourced_date(
        &mut self,
        t: &Tbl<'_, 'i>,
        key: &str,
    ) -> Result<Sourced<NaiveDate>, Error> {
        let path = join(&t.path, key);
        let v = self
            .get(t, key)
            .ok_or_else(|| self.missing(t, key, "value"))?;
        let (payload, source, status) = self.unwrap_sourced(t, key, v)?;
        let bad = || self.err(payload.span(), &path, "expected a date YYYY-MM-DD");
        let date = match payload.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let d = dt.date.ok_or_else(bad)?;
                NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                    .ok_or_else(bad)?
            }
            DeValue::String(s) => {
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad())?
            }
            _ => return Err(bad()),
        };
        self.records.push(RuleValue {
            key: path.clone(),
            value: date.to_string(),
            numeric: None,
            source: source.clone(),
            status,
        });
        Ok(Sourced {
            value: date,
            provenance: Provenance {
                key: path,
                source,
                status,
            },
        })
    }

    fn record(
        &mut self,
        key: String,
        value: f64,
        written: String,
        source: String,
        status: Status,
    ) -> Sourced<f64> {
        self.records.push(RuleValue {
            key: key.clone(),
            value: written,
            numeric: Some(value),
            source: source.clone(),
            status,
        });
        Sourced {
            value,
            provenance: Provenance {
                key,
                source,
                status,
            },
        }
    }
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Shortest round-trip text of a float (`0.3`, `1.6666666666666667`, `70`).
pub(crate) fn format_num(v: f64) -> String {
    format!("{v}")
}

/// Evaluates `a` or `a/b` (finite, positive denominator); anything else is rejected.
fn eval_quotient(s: &str) -> Option<f64> {
    let mut parts = s.split('/');
    let a: f64 = parts.next()?.trim().parse().ok()?;
    let v = match parts.next() {
        None => a,
        Some(b) => {
            let b: f64 = b.trim().parse().ok()?;
            if b <= 0.0 || !b.is_finite() {
                return None;
            }
            a / b
        }
    };
    if parts.next().is_some() || !v.is_finite() {
        return None;
    }
    Some(v)
}
