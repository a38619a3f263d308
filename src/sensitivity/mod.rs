//! Sensitivity of a project's figures to the illustrative (unpublished) rule values
//! (`landpool sensitivity`, `assess --sensitivity`).
//!
//! The project is read, overlaid and measured once; only the policy computation
//! ([`crate::project::compute`]) is re-run, on copies of the rule set with one value changed
//! ([`crate::policy::RuleSet::with_number`]). The steps:
//! 1. `values`: which illustrative values the figures' computation read (the computation's
//!    own record of the keys it used), and which of those cannot move by a relative range
//!    (dates, texts, whole numbers of years or months, zeros) — listed as skipped;
//! 2. `perturb`: each remaining value at `value × (1 − range)` and `value × (1 + range)`,
//!    one at a time, giving the rights floor area (权益容积), planned floor area (规划容积) and
//!    retained-land area (留用土地面积) at each;
//! 3. `rank`: per figure, the values ranked by swing (the tornado), and the combined
//!    envelope (defined there);
//! 4. [`write`]: sensitivity.json, sensitivity.csv, sensitivity_envelope.csv and
//!    sensitivity.html, into an output folder that is replaced as a whole.

mod perturb;
mod rank;
mod values;
mod write;

use serde::Serialize;

pub use perturb::{Figures, PerturbedValue};
pub use rank::{Bar, Direction, ENVELOPE_DEFINITION, Envelope, FigureSensitivity};
pub use values::{SkipReason, SkippedValue};
pub use write::{
    SENSITIVITY_CSV, SENSITIVITY_ENVELOPE_CSV, SENSITIVITY_HTML, SENSITIVITY_JSON, write_csv,
    write_envelope_csv, write_json, write_outputs,
};

use crate::policy::transition::RuleChoice;
use crate::project::{ProjectRun, RuleSets};
use crate::{Error, Result};

/// The default relative range: each value moves by ±10 %.
pub const DEFAULT_RANGE: f64 = 0.1;

/// One of the three figures whose sensitivity is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// 权益容积, m² (2022 rules only).
    RightsFloorArea,
    /// 规划容积, m².
    PlannedFloorArea,
    /// 留用土地面积, m² (an input under the 2018 rules).
    RetainedLandArea,
}

impl Figure {
    /// The three figures, in report order.
    pub const ALL: [Figure; 3] = [
        Figure::RightsFloorArea,
        Figure::PlannedFloorArea,
        Figure::RetainedLandArea,
    ];

    /// The figure's field name in report.json (`rights_floor_area_m2`, …).
    pub fn key(self) -> &'static str {
        match self {
            Figure::RightsFloorArea => "rights_floor_area_m2",
            Figure::PlannedFloorArea => "planned_floor_area_m2",
            Figure::RetainedLandArea => "retained_land_area_m2",
        }
    }
}

/// The sensitivity of one project's figures to its illustrative rule values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// Project id.
    pub project_id: String,
    /// The rule set whose values were moved (the one the transition rule chose).
    pub rules: RuleChoice,
    /// Id of that rule set.
    pub rule_set_id: String,
    /// The relative range: each value moved to `value × (1 ± range)`.
    pub range: f64,
    /// The figures with every value as in the rule set.
    pub base: Figures,
    /// The values moved, in rule-set order, with the figures at each end.
    pub values: Vec<PerturbedValue>,
    /// Per figure: the values ranked by swing, and the envelope.
    pub figures: Vec<FigureSensitivity>,
    /// How the envelope is defined.
    pub envelope_definition: &'static str,
    /// The illustrative values the project used that were not moved, with the reason.
    pub skipped: Vec<SkippedValue>,
}

/// Computes the sensitivity of an assessed project: `run` is the assessment (its
/// measurement is reused), `rules` the rule sets it was assessed with, `range` the relative
/// change (0 < range < 1).
pub fn analyse(run: &ProjectRun, rules: &RuleSets, range: f64) -> Result<Sensitivity> {
    if !(range.is_finite() && range > 0.0 && range < 1.0) {
        return Err(Error::Usage(format!(
            "the sensitivity range must be a number between 0 and 1 (0.1 = ±10 %), got {range}"
        )));
    }
    let chosen = run.report.rule_selection.chosen;
    let base = perturb::Rerun::new(run, rules, chosen);
    let base_figures = base.figures(&[])?;
    let selection = values::select(&run.report, chosen_rules(rules, chosen));
    let perturbed = selection
        .movable
        .iter()
        .map(|v| base.one_at_a_time(v, range))
        .collect::<Result<Vec<_>>>()?;
    let figures = Figure::ALL
        .into_iter()
        .filter_map(|f| base_figures.get(f).map(|b| (f, b)))
        .map(|(f, b)| rank::figure_sensitivity(f, b, &perturbed, &base))
        .collect::<Result<Vec<_>>>()?;
    Ok(Sensitivity {
        project_id: run.report.project.id.clone(),
        rules: chosen,
        rule_set_id: chosen_rules(rules, chosen).id.clone(),
        range,
        base: base_figures,
        values: perturbed,
        figures,
        envelope_definition: ENVELOPE_DEFINITION,
        skipped: selection.skipped,
    })
}

/// The rule set the transition rule chose.
fn chosen_rules(rules: &RuleSets, chosen: RuleChoice) -> &crate::policy::RuleSet {
    match chosen {
        RuleChoice::New => &rules.new,
        RuleChoice::Rules2018 => &rules.rules_2018,
    }
}
