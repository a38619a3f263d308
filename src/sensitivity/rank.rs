//! Ranking by swing (the tornado) and the combined envelope of each figure.

use serde::Serialize;

use super::Figure;
use super::perturb::{PerturbedValue, Rerun};
use crate::Result;

/// How the envelope of a figure is defined (also written into sensitivity.json).
pub const ENVELOPE_DEFINITION: &str = "per figure: low = the figure recomputed with every moved \
value set at once to the end (value × (1 − range) or × (1 + range)) that gave the lower figure \
one at a time; high = the same with the end that gave the higher figure; a value that did not \
change the figure at either end stays as in the rule set. Interactions are recomputed, not added.";

/// Which end of its range a value takes in an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `value × (1 − range)`.
    Low,
    /// `value × (1 + range)`.
    High,
    /// As in the rule set (the value does not move the figure).
    Unchanged,
}

/// One bar of a tornado: one value, one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    /// 1 = largest swing.
    pub rank: usize,
    /// Dotted rule-set key.
    pub key: String,
    /// The figure with the value at `× (1 − range)`.
    pub at_low: f64,
    /// The figure with the value at `× (1 + range)`.
    pub at_high: f64,
    /// `|at_high − at_low|`.
    pub swing: f64,
    /// `swing / base` (0 when the base is 0).
    pub swing_ratio: f64,
}

/// The combined low/high envelope of one figure ([`ENVELOPE_DEFINITION`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    /// The figure with every value at its lowering end.
    pub low: f64,
    /// The figure with every value at its raising end.
    pub high: f64,
    /// The end each value took for `low`, in rule-set order.
    pub low_directions: Vec<(String, Direction)>,
    /// The end each value took for `high`.
    pub high_directions: Vec<(String, Direction)>,
}

/// The sensitivity of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureSensitivity {
    /// Which figure.
    pub figure: Figure,
    /// Its value with the rule set as it is.
    pub base: f64,
    /// The values by swing, largest first (ties by key).
    pub bars: Vec<Bar>,
    /// The combined envelope.
    pub envelope: Envelope,
}

/// Ranks the values by their swing of `figure` and computes its envelope.
pub(super) fn figure_sensitivity(
    figure: Figure,
    base: f64,
    values: &[PerturbedValue],
    rerun: &Rerun<'_>,
) -> Result<FigureSensitivity> {
    let mut bars: Vec<Bar> = values
        .iter()
        .map(|v| {
            let at_low = v.at_low.get(figure).unwrap_or(base);
            let at_high = v.at_high.get(figure).unwrap_or(base);
            let swing = (at_high - at_low).abs();
            Bar {
                rank: 0,
                key: v.key.clone(),
                at_low,
                at_high,
                swing,
                swing_ratio: if base != 0.0 { swing / base } else { 0.0 },
            }
        })
        .collect();
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.key.cmp(&b.key)));
    for (i, b) in bars.iter_mut().enumerate() {
        b.rank = i + 1;
    }
    let envelope = envelope(figure, base, values, rerun)?;
    Ok(FigureSensitivity {
        figure,
        base,
        bars,
        envelope,
    })
}

/// The envelope: every value at once at the end that lowered (raised) the figure.
fn envelope(
    figure: Figure,
    base: f64,
    values: &[PerturbedValue],
    rerun: &Rerun<'_>,
) -> Result<Envelope> {
    let pick = |v: &PerturbedValue, lower: bool| -> Direction {
        let lo = v.at_low.get(figure).unwrap_or(base);
        let hi = v.at_high.get(figure).unwrap_or(base);
        if lo == base && hi == base {
            Direction::Unchanged
        } else if (lo < hi) == lower || (lo == hi && lower == (lo < base)) {
            Direction::Low
        } else {
            Direction::High
        }
    };
    let side = |lower: bool| -> Result<(f64, Vec<(String, Direction)>)> {
        let directions: Vec<(String, Direction)> = values
            .iter()
            .map(|v| (v.key.clone(), pick(v, lower)))
            .collect();
        let overrides: Vec<(&str, f64)> = values
            .iter()
            .zip(&directions)
            .filter_map(|(v, (_, d))| match d {
                Direction::Low => Some((v.key.as_str(), v.low_value)),
                Direction::High => Some((v.key.as_str(), v.high_value)),
                Direction::Unchanged => None,
            })
            .collect();
        let figures = rerun.figures(&overrides)?;
        Ok((figures.get(figure).unwrap_or(base), directions))
    };
    let (low, low_directions) = side(true)?;
    let (high, high_directions) = side(false)?;
    Ok(Envelope {
        low,
        high,
        low_directions,
        high_directions,
    })
}
