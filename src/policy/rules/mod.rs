//! Rule sets as data: every value of a rule set carries its source and status
//! (official | draft | illustrative). See `data/rules/README.md` for the TOML schema.
//!
//! `provenance` holds the value records, `model` the typed rules of each method,
//! `shenbiao` the 深标 tables; `read_2022` reads the 2022 draft tables; `overrides` sets one
//! number of a loaded rule set ([`RuleSet::with_number`], for what-if analyses).

mod model;
mod overrides;
mod provenance;
mod read_2022;
mod shenbiao;

use std::path::Path;

use serde::Serialize;

use super::toml_doc::{Doc, Tbl};
use crate::Error;

pub use model::{
    Combination, Disposition, FunctionMixRules, IntensityBand, Method, MethodRules,
    Offsite2018Rules, Operator, Rules2018, Rules2022, SharedRules, TenureCoef, TermUse,
};
pub use provenance::{Provenance, RuleValue, Sourced, Status};
pub use shenbiao::{Shenbiao, ZoneFar};

/// A loaded rule set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSet {
    /// Rule-set id (`meta.id`).
    pub id: String,
    /// Rule-set name (`meta.name`).
    pub name: String,
    /// File the rule set was read from (for messages and reports).
    pub path: String,
    /// The computation the rule set drives.
    pub method: Method,
    /// Source and status of the rule set as a whole.
    pub source: String,
    /// Status of the rule set as a whole.
    pub status: Status,
    /// The 深标 density-zone FAR tables.
    pub shenbiao: Shenbiao,
    /// The method-specific rules.
    pub rules: MethodRules,
    values: Vec<RuleValue>,
}

impl RuleSet {
    /// Reads and validates a rule set from a file.
    pub fn load(path: impl AsRef<Path>) -> crate::Result<RuleSet> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        RuleSet::from_toml_str(&text, path)
    }

    /// Parses and validates a rule set; `path` is used in messages only.
    pub fn from_toml_str(text: &str, path: impl AsRef<Path>) -> crate::Result<RuleSet> {
        let (mut doc, root) = Doc::parse(text, path.as_ref())?;
        let root = doc.root(&root);
        doc.deny_unknown(
            &root,
            &[
                "meta",
                "transition",
                "eligibility",
                "tenure",
                "term_correction",
                "intensity",
                "building_type",
                "building_rights",
                "function",
                "function_mix",
                "shared",
                "offsite",
                "shenbiao",
            ],
        )?;
        let meta = doc.table(&root, "meta")?;
        doc.deny_unknown(&meta, &["id", "name", "method"])?;
        let id = doc.string(&meta, "id")?;
        let name = doc.string(&meta, "name")?;
        let method_text = doc.string(&meta, "method")?;
        let method = Method::parse(&method_text).ok_or_else(|| {
            let span = doc.get(&meta, "method").map(|v| v.span()).unwrap_or(0..0);
            doc.err(
                span,
                "meta.method",
                format!(
                    "unknown method `{method_text}`; expected rights_floor_area_2022 or retained_land_2018"
                ),
            )
        })?;
        let meta_source = doc.string(&meta, "source").map_err(|_| {
            doc.err(
                meta.span.clone(),
                "meta.source",
                "missing key `source` in table `meta`",
            )
        })?;
        let meta_status_text = doc.string(&meta, "status").map_err(|_| {
            doc.err(
                meta.span.clone(),
                "meta.status",
                "missing key `status` in table `meta`",
            )
        })?;
        let meta_status = Status::parse(&meta_status_text).ok_or_else(|| {
            doc.err(
                meta.span.clone(),
                "meta.status",
                format!("unknown status `{meta_status_text}`"),
            )
        })?;

        let shenbiao = shenbiao::read_shenbiao(&mut doc, &root)?;
        let rules = match method {
            Method::RightsFloorArea2022 => {
                MethodRules::Draft2022(Box::new(read_2022::read_rules_2022(&mut doc, &root)?))
            }
            Method::RetainedLand2018 => {
                MethodRules::Rules2018(Box::new(read_rules_2018(&mut doc, &root)?))
            }
        };
        Ok(RuleSet {
            id,
            name,
            path: doc.path.display().to_string(),
            method,
            source: meta_source,
            status: meta_status,
            shenbiao,
            rules,
            values: doc.records,
        })
    }

    /// Every scalar value of the rule set with its provenance, in reading order.
    pub fn values(&self) -> &[RuleValue] {
        &self.values
    }

    /// Every value with status `illustrative` (not published) — reports must list them.
    pub fn illustrative_values(&self) -> Vec<RuleValue> {
        self.values
            .iter()
            .filter(|v| v.status == Status::Illustrative)
            .cloned()
            .collect()
    }

    /// The 2022 rules, or a policy error if this rule set is of another method.
    pub fn rules_2022(&self) -> crate::Result<&Rules2022> {
        match &self.rules {
            MethodRules::Draft2022(r) => Ok(r),
            MethodRules::Rules2018(_) => Err(Error::Policy {
                message: format!(
                    "rule set `{}` ({}) uses the 2018 method; the 2022 rights-floor-area computation needs a rights_floor_area_2022 rule set",
                    self.id, self.path
                ),
            }),
        }
    }

    /// The 2018 rules, or a policy error if this rule set is of another method.
    pub fn rules_2018(&self) -> crate::Result<&Rules2018> {
        match &self.rules {
            MethodRules::Rules2018(r) => Ok(r),
            MethodRules::Draft2022(_) => Err(Error::Policy {
                message: format!(
                    "rule set `{}` ({}) uses the 2022 method; the 2018 computation needs a retained_land_2018 rule set",
                    self.id, self.path
                ),
            }),
        }
    }
}

/// Reads the method-specific tables of a 2018 rule set.
fn read_rules_2018<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Rules2018> {
    let elig = doc.table(root, "eligibility")?;
    doc.deny_unknown(&elig, &["min_contiguous_unfinished_area_m2"])?;
    let min_area = doc.num(&elig, "min_contiguous_unfinished_area_m2", Some(0.0), None)?;
    let shared = doc.table(root, "shared")?;
    doc.deny_unknown(&shared, &["max_ratio_of_base", "government_buyback_ratio"])?;
    Ok(Rules2018 {
        min_contiguous_unfinished_area_m2: min_area,
        shared_max_ratio_of_base: doc.num(&shared, "max_ratio_of_base", Some(0.0), Some(1.0))?,
        government_buyback_ratio: doc.num(
            &shared,
            "government_buyback_ratio",
            Some(0.0),
            Some(1.0),
        )?,
        offsite: read_offsite_2018(doc, root)?,
    })
}

/// `[offsite]` of a 2018 rule set: the multiplier and operator of the off-site formula.
fn read_offsite_2018<'i>(doc: &mut Doc<'i>, root: &Tbl<'_, 'i>) -> crate::Result<Offsite2018Rules> {
    let t = doc.table(root, "offsite")?;
    doc.deny_unknown(&t, &["existing_floor_area_multiplier", "operator"])?;
    let multiplier = doc.num(&t, "existing_floor_area_multiplier", Some(0.0), None)?;
    let op = doc.sourced_text(&t, "operator")?;
    let operator = Operator::parse(&op.value).ok_or_else(|| {
        let span = doc.get(&t, "operator").map(|v| v.span()).unwrap_or(0..0);
        doc.err(
            span,
            &op.provenance.key,
            format!("unknown operator `{}`; expected +, - or *", op.value),
        )
    })?;
    Ok(Offsite2018Rules {
        existing_floor_area_multiplier: multiplier,
        operator: Sourced {
            value: operator,
            provenance: op.provenance,
        },
    })
}
