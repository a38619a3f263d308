//! Transition between the 2018 rules and the new rules (过渡期政策衔接) [N §2(7)]: which rule
//! set applies to a project, from the date it entered the annual consolidation plan
//! (纳入全市土地整备年度计划) and whether its implementation plan (实施方案) is approved.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::policy_err;
use super::rules::{RuleSet, Sourced};
use super::term::add_months;

/// A rule-set family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleChoice {
    /// 深规土规〔2018〕6号 ("6号文"), or the plan already approved under it.
    Rules2018,
    /// The new rules (2022 draft).
    New,
}

impl std::fmt::Display for RuleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RuleChoice::Rules2018 => "the 2018 rules (rules_2018)",
            RuleChoice::New => "the new 2022 draft rules (new)",
        })
    }
}

/// The dates of a project and the user's choice, if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransitionInput {
    /// Date the project entered the city's annual consolidation plan.
    pub entered_plan: NaiveDate,
    /// Implementation plan approved.
    pub plan_approved: bool,
    /// The user's choice (only honoured where the dates allow one).
    #[serde(default)]
    pub choice: Option<RuleChoice>,
}

/// Which transition branch the dates fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionBranch {
    /// Entered before E, plan approved: keep the approved plan (2018 rules).
    BeforeApproved,
    /// Entered before E, plan not approved: either (default 2018).
    BeforeNotApproved,
    /// Entered within six months from E: either (default: the new rules).
    Window,
    /// Entered later: the new rules only.
    After,
}

/// The selected rule set family with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransitionDecision {
    /// The rule set family that applies.
    pub chosen: RuleChoice,
    /// The families the dates allow.
    pub allowed: Vec<RuleChoice>,
    /// Which branch of the transition rule the dates fall in.
    pub branch: TransitionBranch,
    /// True when the user's choice decided (false = default or forced).
    pub user_chose: bool,
    /// Effective date E of the new rules (a rule-set value).
    pub effective_date: Sourced<NaiveDate>,
    /// Last day of the transition window (E + months − 1 day).
    pub window_last_day: NaiveDate,
    /// Why, for the report.
    pub reason: String,
}

/// Selects the rule set by the transition rules of `new_rules` (its effective date E and
/// window). A choice the dates forbid is an error.
pub fn select_rules(
    new_rules: &RuleSet,
    input: &TransitionInput,
) -> crate::Result<TransitionDecision> {
    let r = new_rules.rules_2022()?;
    let e = r.effective_date.value;
    let months = r.transition_window_months.value;
    // "施行之日起六个月内": the start day counts, so the window is [E, E + 6 months).
    let window_end = add_months(e, months as u32)
        .ok_or_else(|| policy_err("transition window end date is out of range"))?;
    let window_last_day = window_end.pred_opt().unwrap_or(window_end);
    let entered = input.entered_plan;
    let (branch, allowed, default, why) = if entered < e {
        if input.plan_approved {
            (
                TransitionBranch::BeforeApproved,
                vec![RuleChoice::Rules2018],
                RuleChoice::Rules2018,
                format!(
                    "entered the annual plan on {entered}, before the effective date {e}, and the implementation plan is approved: the approved plan (2018 rules) stands"
                ),
            )
        } else {
            (
                TransitionBranch::BeforeNotApproved,
                vec![RuleChoice::Rules2018, RuleChoice::New],
                RuleChoice::Rules2018,
                format!(
                    "entered the annual plan on {entered}, before the effective date {e}, implementation plan not approved: either rule set may apply"
                ),
            )
        }
    } else if entered < window_end {
        (
            TransitionBranch::Window,
            vec![RuleChoice::Rules2018, RuleChoice::New],
            RuleChoice::New,
            format!(
                "entered the annual plan on {entered}, within {months} months from the effective date {e} (until {window_last_day}): either rule set may apply"
            ),
        )
    } else {
        (
            TransitionBranch::After,
            vec![RuleChoice::New],
            RuleChoice::New,
            format!(
                "entered the annual plan on {entered}, after the transition window ({e} to {window_last_day}): the new rules apply"
            ),
        )
    };
    let (chosen, user_chose, reason) = match input.choice {
        Some(c) if allowed.contains(&c) => (c, allowed.len() > 1, format!("{why}; chosen: {c}")),
        Some(c) => {
            return Err(policy_err(format!("rule choice {c} is not allowed: {why}")));
        }
        None if allowed.len() > 1 => (
            default,
            false,
            format!("{why}; no choice given, default {default}"),
        ),
        None => (default, false, why),
    };
    Ok(TransitionDecision {
        chosen,
        allowed,
        branch,
        user_chose,
        effective_date: r.effective_date.clone(),
        window_last_day,
        reason,
    })
}
