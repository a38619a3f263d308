//! Figure-by-figure comparison of two JSON reports: the spatial regression test analysts run
//! when data or rules change, and the one the project's golden tests use.
//!
//! Numbers compare with a relative tolerance (and an absolute floor for values near zero);
//! strings, booleans and nulls compare exactly. Arrays of objects that carry an identifier
//! (`id`, `parcel_id`, `project_id`, `site_id`, `feature`, `code`, `key`) are matched by that
//! identifier, so a reordered or inserted parcel shows as one change rather than a cascade.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// Identifier fields used to match array elements, in order of preference.
const ID_FIELDS: &[&str] = &[
    "id",
    "parcel_id",
    "project_id",
    "site_id",
    "feature",
    "code",
    "key",
];

/// Tolerances of a diff.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Largest accepted `|a − b| / max(|a|, |b|)`.
    pub rel_tol: f64,
    /// Differences at or below this absolute value are ignored (values near zero).
    pub abs_tol: f64,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            rel_tol: 1e-9,
            abs_tol: 1e-12,
        }
    }
}

/// What happened at one path.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    /// Present in the old report only.
    Removed {
        /// The old value.
        old: Value,
    },
    /// Present in the new report only.
    Added {
        /// The new value.
        new: Value,
    },
    /// A number moved beyond the tolerance.
    Number {
        /// The old number.
        old: f64,
        /// The new number.
        new: f64,
        /// |new − old| / max(|old|, |new|).
        rel_diff: f64,
    },
    /// Any other value changed (text, flag, type).
    Value {
        /// The old value.
        old: Value,
        /// The new value.
        new: Value,
    },
}

/// One difference, located by a JSON-pointer-like path (`/parcels[P0001]/area_inside`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Where in the report the change is.
    pub path: String,
    /// What changed.
    #[serde(flatten)]
    pub kind: ChangeKind,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ChangeKind::Removed { old } => write!(f, "- {}: {}", self.path, old),
            ChangeKind::Added { new } => write!(f, "+ {}: {}", self.path, new),
            ChangeKind::Number { old, new, rel_diff } => {
                write!(
                    f,
                    "~ {}: {} -> {} (rel {:.3e})",
                    self.path, old, new, rel_diff
                )
            }
            ChangeKind::Value { old, new } => write!(f, "~ {}: {} -> {}", self.path, old, new),
        }
    }
}

/// Every difference between `old` and `new`, in a deterministic order.
pub fn diff_json(old: &Value, new: &Value, opts: &DiffOptions) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", old, new, opts, &mut out);
    out
}

fn walk(path: &str, old: &Value, new: &Value, opts: &DiffOptions, out: &mut Vec<Change>) {
    match (old, new) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            if let Some(rel) = numbers_differ(a, b, opts) {
                out.push(Change {
                    path: path.to_string(),
                    kind: ChangeKind::Number {
                        old: a,
                        new: b,
                        rel_diff: rel,
                    },
                });
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            // Old keys in their order, then keys only in the new report.
            for (k, va) in a {
                let p = format!("{path}/{k}");
                match b.get(k) {
                    Some(vb) => walk(&p, va, vb, opts, out),
                    None => out.push(Change {
                        path: p,
                        kind: ChangeKind::Removed { old: va.clone() },
                    }),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(Change {
                        path: format!("{path}/{k}"),
                        kind: ChangeKind::Added { new: vb.clone() },
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match (keyed(a), keyed(b)) {
            (Some(ka), Some(kb)) => {
                for (id, va) in &ka {
                    let p = format!("{path}[{id}]");
                    match kb.get(id) {
                        Some(vb) => walk(&p, va, vb, opts, out),
                        None => out.push(Change {
                            path: p,
                            kind: ChangeKind::Removed { old: (*va).clone() },
                        }),
                    }
                }
                for (id, vb) in &kb {
                    if !ka.contains_key(id) {
                        out.push(Change {
                            path: format!("{path}[{id}]"),
                            kind: ChangeKind::Added { new: (*vb).clone() },
                        });
                    }
                }
            }
            _ => {
                let n = a.len().max(b.len());
                for i in 0..n {
                    let p = format!("{path}[{i}]");
                    match (a.get(i), b.get(i)) {
                        (Some(va), Some(vb)) => walk(&p, va, vb, opts, out),
                        (Some(va), None) => out.push(Change {
                            path: p,
                            kind: ChangeKind::Removed { old: va.clone() },
                        }),
                        (None, Some(vb)) => out.push(Change {
                            path: p,
                            kind: ChangeKind::Added { new: vb.clone() },
                        }),
                        (None, None) => {}
                    }
                }
            }
        },
        _ => {
            if old != new {
                out.push(Change {
                    path: path.to_string(),
                    kind: ChangeKind::Value {
                        old: old.clone(),
                        new: new.clone(),
                    },
                });
            }
        }
    }
}

/// `Some(relative difference)` when two numbers differ beyond the tolerances.
fn numbers_differ(a: f64, b: f64, opts: &DiffOptions) -> Option<f64> {
    if a == b || (a.is_nan() && b.is_nan()) {
        return None;
    }
    let abs = (a - b).abs();
    let scale = a.abs().max(b.abs());
    let rel = if scale > 0.0 { abs / scale } else { 0.0 };
    if abs <= opts.abs_tol || rel <= opts.rel_tol {
        None
    } else {
        Some(rel)
    }
}

/// Indexes an array of objects by their identifier field, when every element has a distinct
/// scalar identifier under the same field name.
fn keyed(items: &[Value]) -> Option<BTreeMap<String, &Value>> {
    let first = items.first()?.as_object()?;
    let field = ID_FIELDS.iter().find(|f| first.contains_key(**f))?;
    let mut map = BTreeMap::new();
    for item in items {
        let id = match item.as_object()?.get(*field)? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        if map.insert(id, item).is_some() {
            return None; // duplicate ids: fall back to positional comparison
        }
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_reports_have_no_changes() {
        let a = json!({"x": 1.0, "parcels": [{"parcel_id": "P1", "area": 10.0}]});
        assert!(diff_json(&a, &a, &DiffOptions::default()).is_empty());
    }

    #[test]
    fn numbers_within_tolerance_are_equal() {
        let a = json!({"x": 100.0});
        let b = json!({"x": 100.0 + 1e-8});
        assert!(diff_json(&a, &b, &DiffOptions::default()).is_empty());
        let c = json!({"x": 100.001});
        let d = diff_json(&a, &c, &DiffOptions::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/x");
    }

    #[test]
    fn arrays_with_ids_match_by_id() {
        let a = json!({"parcels": [{"parcel_id": "P1", "a": 1}, {"parcel_id": "P2", "a": 2}]});
        let b = json!({"parcels": [{"parcel_id": "P0", "a": 0}, {"parcel_id": "P1", "a": 1}, {"parcel_id": "P2", "a": 3}]});
        let d = diff_json(&a, &b, &DiffOptions::default());
        let paths: Vec<_> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["/parcels[P2]/a", "/parcels[P0]"]);
    }

    #[test]
    fn removed_and_type_changes_are_reported() {
        let a = json!({"x": "a", "y": 1});
        let b = json!({"x": 1});
        let d = diff_json(&a, &b, &DiffOptions::default());
        assert_eq!(d.len(), 2);
        assert!(matches!(d[0].kind, ChangeKind::Value { .. }));
        assert!(matches!(d[1].kind, ChangeKind::Removed { .. }));
    }
}
