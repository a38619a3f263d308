//! Re-running the policy computation on one measurement with changed rule values.

use serde::Serialize;

use super::Figure;
use crate::policy::Status;
use crate::policy::rules::RuleValue;
use crate::policy::transition::RuleChoice;
use crate::project::{Computation, ProjectRun, RuleSets, compute};
use crate::{Error, Result};

/// The three figures of one computation (`None`: the method has no such figure, e.g. no
/// rights floor area under the 2018 rules).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// 权益容积, m².
    pub rights_floor_area_m2: Option<f64>,
    /// 规划容积, m².
    pub planned_floor_area_m2: Option<f64>,
    /// 留用土地面积, m².
    pub retained_land_area_m2: Option<f64>,
}

impl Figures {
    /// The figures of a computation.
    pub fn of(c: &Computation) -> Figures {
        match c {
            Computation::New(a) => Figures {
                rights_floor_area_m2: Some(a.rights_floor_area_m2),
                planned_floor_area_m2: Some(a.planned_floor_area_m2),
                retained_land_area_m2: Some(a.retained.retained_land_area_m2),
            },
            Computation::Rules2018(a) => Figures {
                rights_floor_area_m2: None,
                planned_floor_area_m2: Some(a.planned_floor_area_m2),
                retained_land_area_m2: Some(a.retained_land_area_m2),
            },
        }
    }

    /// One figure.
    pub fn get(&self, f: Figure) -> Option<f64> {
        match f {
            Figure::RightsFloorArea => self.rights_floor_area_m2,
            Figure::PlannedFloorArea => self.planned_floor_area_m2,
            Figure::RetainedLandArea => self.retained_land_area_m2,
        }
    }
}

/// One illustrative value moved down and up, with the figures at each end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PerturbedValue {
    /// Dotted rule-set key.
    pub key: String,
    /// Its source.
    pub source: String,
    /// Its status (illustrative).
    pub status: Status,
    /// The value in the rule set.
    pub value: f64,
    /// `value × (1 − range)`.
    pub low_value: f64,
    /// `value × (1 + range)`.
    pub high_value: f64,
    /// The figures with the value at `low_value`, every other value as in the rule set.
    pub at_low: Figures,
    /// The figures with the value at `high_value`.
    pub at_high: Figures,
}

/// The measured project and its rule sets, ready to re-run the computation.
pub(super) struct Rerun<'a> {
    run: &'a ProjectRun,
    rules: &'a RuleSets,
    chosen: RuleChoice,
}

impl<'a> Rerun<'a> {
    pub fn new(run: &'a ProjectRun, rules: &'a RuleSets, chosen: RuleChoice) -> Rerun<'a> {
        Rerun { run, rules, chosen }
    }

    /// The figures with the numbers `overrides` (key, value) set in the chosen rule set.
    pub fn figures(&self, overrides: &[(&str, f64)]) -> Result<Figures> {
        let mut sets = self.rules.clone();
        let target = match self.chosen {
            RuleChoice::New => &mut sets.new,
            RuleChoice::Rules2018 => &mut sets.rules_2018,
        };
        for (key, value) in overrides {
            *target = target.with_number(key, *value)?;
        }
        let computed = compute(
            &self.run.config,
            &self.run.report.measurement,
            self.chosen,
            &sets,
        )
        .map_err(|e| match overrides {
            [] => e,
            _ => Error::Policy {
                message: format!("sensitivity: with {}: {e}", describe(overrides)),
            },
        })?;
        Ok(Figures::of(&computed.computation))
    }

    /// The value at `× (1 − range)` and `× (1 + range)`, one at a time.
    pub fn one_at_a_time(&self, v: &RuleValue, range: f64) -> Result<PerturbedValue> {
        let value = v.numeric.ok_or_else(|| Error::Policy {
            message: format!("sensitivity: rule value `{}` is not a number", v.key),
        })?;
        let (low_value, high_value) = (value * (1.0 - range), value * (1.0 + range));
        Ok(PerturbedValue {
            key: v.key.clone(),
            source: v.source.clone(),
            status: v.status,
            value,
            low_value,
            high_value,
            at_low: self.figures(&[(&v.key, low_value)])?,
            at_high: self.figures(&[(&v.key, high_value)])?,
        })
    }
}

fn describe(overrides: &[(&str, f64)]) -> String {
    let parts: Vec<String> = overrides
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    parts.join(", ")
}
