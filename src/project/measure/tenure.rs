//! Tenure classification (权属认定) of the inside parcels.

use super::boundary::InsideCut;
use crate::model::{Layer, Value};
use crate::policy::tenure::{TenureClass, TenureRules};
use crate::project::config::ProjectFile;
use crate::{Error, Result};

/// The tenure class of each inside part (aligned with `cuts`). Every parcel that matches no
/// rule is listed in one error.
pub(super) fn classify_inside(
    config: &ProjectFile,
    parcels: &Layer,
    cuts: &[InsideCut],
) -> Result<Vec<TenureClass>> {
    let tenure_rules = TenureRules::new(config.tenure.clone()).map_err(|m| Error::Config {
        path: config.path.clone(),
        line: None,
        column: None,
        key: "tenure".into(),
        message: m,
    })?;
    let mut classes = Vec::with_capacity(cuts.len());
    let mut failures = Vec::new();
    for cut in cuts {
        let f = &parcels.features[cut.source];
        match tenure_rules.classify(&|name: &str| parcels.attr(f, name)) {
            Ok(c) => classes.push(c),
            Err(e) => failures.push(format!(
                "{}: {}",
                parcels.feature_ref(f),
                tenure_failure(&e.values)
            )),
        }
    }
    if failures.is_empty() {
        return Ok(classes);
    }
    let shown = failures.iter().take(20).cloned().collect::<Vec<_>>();
    Err(Error::Feature {
        path: parcels.source.to_path_buf(),
        feature: format!("{} parcel(s)", failures.len()),
        message: format!(
            "tenure cannot be classified; add a rule or a default class in [tenure] of {}:\n  {}{}",
            config.path.display(),
            shown.join("\n  "),
            if failures.len() > shown.len() {
                format!("\n  … and {} more", failures.len() - shown.len())
            } else {
                String::new()
            }
        ),
    })
}

/// Why a parcel matched no tenure rule, in the analyst's words: the value each rule looked
/// at, or that the attribute is missing.
fn tenure_failure(values: &[(String, Option<Value>)]) -> String {
    if values.is_empty() {
        return "no tenure rule is configured and there is no default class".into();
    }
    let parts: Vec<String> = values
        .iter()
        .map(|(field, v)| match v {
            None | Some(Value::Null) => format!("attribute `{field}` is missing"),
            Some(v) => format!("`{field}` = {:?} matches no rule", v.to_string()),
        })
        .collect();
    format!("{} (and no default class)", parts.join(", "))
}
