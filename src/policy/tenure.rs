//! Land-tenure classes (土地权益类型) and their classification from parcel attributes by
//! user rules: code tables, numeric ranges and regular expressions, first match wins.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::Value;

/// Land-tenure class of a parcel (policy.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenureClass {
    /// 原农村集体经济组织继受单位 非农建设用地（工商）.
    CollectiveNonagriCommercial,
    /// 非农建设用地（工业）.
    CollectiveNonagriIndustrial,
    /// 未完善征（转）地补偿手续用地.
    UnfinishedRequisition,
    /// 征地返还用地.
    RequisitionReturn,
    /// 旧屋村用地.
    OldVillage,
    /// 已征未完善出让手续用地.
    RequisitionedUngranted,
    /// 国有已出让用地.
    StateGranted,
    /// 国有储备/政府已收储 (not counted).
    StateReserve,
}

impl TenureClass {
    /// Every class, in the order of policy.md §2.
    pub const ALL: [TenureClass; 8] = [
        TenureClass::CollectiveNonagriCommercial,
        TenureClass::CollectiveNonagriIndustrial,
        TenureClass::UnfinishedRequisition,
        TenureClass::RequisitionReturn,
        TenureClass::OldVillage,
        TenureClass::RequisitionedUngranted,
        TenureClass::StateGranted,
        TenureClass::StateReserve,
    ];

    /// The class id of policy.md §2.
    pub fn as_str(self) -> &'static str {
        match self {
            TenureClass::CollectiveNonagriCommercial => "collective_nonagri_commercial",
            TenureClass::CollectiveNonagriIndustrial => "collective_nonagri_industrial",
            TenureClass::UnfinishedRequisition => "unfinished_requisition",
            TenureClass::RequisitionReturn => "requisition_return",
            TenureClass::OldVillage => "old_village",
            TenureClass::RequisitionedUngranted => "requisitioned_ungranted",
            TenureClass::StateGranted => "state_granted",
            TenureClass::StateReserve => "state_reserve",
        }
    }
}

impl fmt::Display for TenureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TenureClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TenureClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| format!("unknown tenure class `{s}`"))
    }
}

/// Inclusive lower / exclusive upper bound of a numeric range rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeSpec {
    /// `value ≥ min` (absent: no lower bound).
    pub min: Option<f64>,
    /// `value < max` (absent: no upper bound).
    pub max: Option<f64>,
}

/// One classification rule as written in project.toml:
///
/// ```toml
/// [[tenure.rules]]
/// field = "QSLX"
/// codes = { "101" = "collective_nonagri_commercial", "102" = "collective_nonagri_industrial" }
///
/// [[tenure.rules]]
/// field = "QSXZ"
/// regex = "^国有"
/// class = "state_granted"
///
/// [[tenure.rules]]
/// field = "DM"
/// range = { min = 300, max = 400 }
/// class = "old_village"
/// ```
///
/// Exactly one of `codes`, `regex`, `range`; `class` is required with `regex` and `range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenureRuleConfig {
    /// The parcel attribute the rule reads.
    pub field: String,
    /// Code table: attribute value → class.
    #[serde(default)]
    pub codes: Option<BTreeMap<String, TenureClass>>,
    /// Regular expression the attribute must match (with `class`).
    #[serde(default)]
    pub regex: Option<String>,
    /// Numeric range the attribute must lie in (with `class`).
    #[serde(default)]
    pub range: Option<RangeSpec>,
    /// The class a matching `regex` or `range` rule gives.
    #[serde(default)]
    pub class: Option<TenureClass>,
}

/// The `[tenure]` section of project.toml.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TenureRulesConfig {
    /// The rules, in order; the first match wins.
    #[serde(default)]
    pub rules: Vec<TenureRuleConfig>,
    /// Class given to parcels no rule matches; absent = such parcels are an error.
    #[serde(default)]
    pub default: Option<TenureClass>,
}

#[derive(Debug, Clone)]
enum Matcher {
    Codes(BTreeMap<String, TenureClass>),
    Regex(Regex, TenureClass),
    Range(RangeSpec, TenureClass),
}

#[derive(Debug, Clone)]
struct TenureRule {
    field: String,
    matcher: Matcher,
}

/// Compiled tenure-classification rules (deserialise from the `[tenure]` section).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "TenureRulesConfig")]
pub struct TenureRules {
    rules: Vec<TenureRule>,
    default: Option<TenureClass>,
    config: TenureRulesConfig,
}

impl TryFrom<TenureRulesConfig> for TenureRules {
    type Error = String;
    fn try_from(config: TenureRulesConfig) -> Result<Self, String> {
        TenureRules::new(config)
    }
}

/// No rule matched and there is no default class.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("no tenure rule matches ({}) and no default class is configured", describe(.values))]
pub struct TenureError {
    /// The values of the fields the rules looked at (`None` = attribute missing).
    pub values: Vec<(String, Option<Value>)>,
}

fn describe(values: &[(String, Option<Value>)]) -> String {
    if values.is_empty() {
        return "no rules configured".into();
    }
    values
        .iter()
        .map(|(f, v)| match v {
            Some(v) => format!("{f} = {v:?}"),
            None => format!("{f} missing"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl TenureError {
    /// The library error naming the file and the feature.
    pub fn into_error(self, path: impl Into<PathBuf>, feature: impl fmt::Display) -> crate::Error {
        crate::Error::Feature {
            path: path.into(),
            feature: feature.to_string(),
            message: self.to_string(),
        }
    }
}

impl TenureRules {
    /// Validates and compiles a configuration (regexes, one matcher per rule).
    pub fn new(config: TenureRulesConfig) -> Result<TenureRules, String> {
        let mut rules = Vec::new();
        for (i, r) in config.rules.iter().enumerate() {
            let n = i + 1;
            let kinds = [r.codes.is_some(), r.regex.is_some(), r.range.is_some()]
                .iter()
                .filter(|b| **b)
                .count();
            if kinds != 1 {
                return Err(format!(
                    "tenure rule {n} (field `{}`): give exactly one of `codes`, `regex`, `range`",
                    r.field
                ));
            }
            let need_class = || {
                r.class.ok_or_else(|| {
                    format!(
                        "tenure rule {n} (field `{}`): `class` is required with `regex` and `range`",
                        r.field
                    )
                })
            };
            let matcher = if let Some(codes) = &r.codes {
                if r.class.is_some() {
                    return Err(format!(
                        "tenure rule {n} (field `{}`): `class` is not used with `codes` (the table maps each code to a class)",
                        r.field
                    ));
                }
                Matcher::Codes(
                    codes
                        .iter()
                        .map(|(k, v)| (k.trim().to_string(), *v))
                        .collect(),
                )
            } else if let Some(re) = &r.regex {
                let re = Regex::new(re).map_err(|e| {
                    format!("tenure rule {n} (field `{}`): bad regex: {e}", r.field)
                })?;
                Matcher::Regex(re, need_class()?)
            } else if let Some(range) = &r.range {
                if let (Some(lo), Some(hi)) = (range.min, range.max)
                    && hi <= lo
                {
                    return Err(format!(
                        "tenure rule {n} (field `{}`): range max {hi} must exceed min {lo}",
                        r.field
                    ));
                }
                Matcher::Range(range.clone(), need_class()?)
            } else {
                return Err(format!("tenure rule {n}: no matcher"));
            };
            rules.push(TenureRule {
                field: r.field.clone(),
                matcher,
            });
        }
        Ok(TenureRules {
            rules,
            default: config.default,
            config,
        })
    }

    /// The configuration the rules were built from.
    pub fn config(&self) -> &TenureRulesConfig {
        &self.config
    }

    /// Classifies one feature from its attributes (`attrs(field)`); first matching rule wins,
    /// then the default class; otherwise an error listing the values seen.
    pub fn classify<'v>(
        &self,
        attrs: &dyn Fn(&str) -> Option<&'v Value>,
    ) -> Result<TenureClass, TenureError> {
        let mut seen: Vec<(String, Option<Value>)> = Vec::new();
        for rule in &self.rules {
            let value = attrs(&rule.field);
            if !seen.iter().any(|(f, _)| f == &rule.field) {
                seen.push((rule.field.clone(), value.cloned()));
            }
            let Some(value) = value.filter(|v| !v.is_null()) else {
                continue;
            };
            let hit = match &rule.matcher {
                Matcher::Codes(codes) => value.as_text().and_then(|t| codes.get(t.trim()).copied()),
                Matcher::Regex(re, class) => {
                    value.as_text().filter(|t| re.is_match(t)).map(|_| *class)
                }
                Matcher::Range(range, class) => value
                    .as_f64()
                    .filter(|x| {
                        range.min.is_none_or(|lo| *x >= lo) && range.max.is_none_or(|hi| *x < hi)
                    })
                    .map(|_| *class),
            };
            if let Some(class) = hit {
                return Ok(class);
            }
        }
        self.default.ok_or(TenureError { values: seen })
    }
}
