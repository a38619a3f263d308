//! Calendar arithmetic for land terms and the term correction of state-granted land
//! (国有已出让用地 年期修正).

use chrono::{Datelike, Months, NaiveDate};

/// Adds whole calendar months (a 29 February anniversary falls on 28 February).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// Date plus a number of years given in years (rounded to whole months).
pub fn add_years(date: NaiveDate, years: f64) -> Option<NaiveDate> {
    let months = (years * 12.0).round();
    if !(0.0..=12_000.0).contains(&months) {
        return None;
    }
    add_months(date, months as u32)
}

/// Years from `from` to `to` by calendar anniversary: whole years counted on anniversaries,
/// the rest as the fraction of the current anniversary year elapsed. Negative if `to < from`.
/// `years_between(d, d + 15 years) == 15.0` exactly.
pub fn years_between(from: NaiveDate, to: NaiveDate) -> f64 {
    if to < from {
        return -years_between(to, from);
    }
    let mut whole = to.year() - from.year();
    let anniversary = |n: i32| add_months(from, (n.max(0) as u32) * 12);
    while whole > 0 && anniversary(whole).is_none_or(|a| a > to) {
        whole -= 1;
    }
    let (Some(start), Some(next)) = (anniversary(whole), anniversary(whole + 1)) else {
        return f64::from(whole);
    };
    let span = (next - start).num_days() as f64;
    let part = (to - start).num_days() as f64;
    f64::from(whole) + if span > 0.0 { part / span } else { 0.0 }
}

/// True when `date` is at least `min_years` (in whole months) after `since`: the anniversary
/// itself passes (exactly 15 years → eligible).
pub fn at_least_years_after(since: NaiveDate, date: NaiveDate, min_years: f64) -> bool {
    match add_years(since, min_years) {
        Some(threshold) => date >= threshold,
        None => false,
    }
}

/// Term correction `K = (1 − (1+r)^−n) / (1 − (1+r)^−N)`; n ≥ N → 1, n ≤ 0 → 0;
/// r = 0 uses the limit n / N.
pub fn term_correction(rate: f64, remaining_years: f64, statutory_years: f64) -> f64 {
    if remaining_years >= statutory_years {
        return 1.0;
    }
    if remaining_years <= 0.0 {
        return 0.0;
    }
    if rate == 0.0 {
        return remaining_years / statutory_years;
    }
    let q = 1.0 + rate;
    (1.0 - q.powf(-remaining_years)) / (1.0 - q.powf(-statutory_years))
}
