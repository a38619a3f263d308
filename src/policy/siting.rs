//! Retained-land siting arithmetic (留用土地落地) \[N\]: fit of the inside sites and the
//! off-site conversion by land-price ratio.

use serde::Serialize;

use super::{check_nonneg, policy_err};

/// Required retained-land area against the area of the sites inside the project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFit {
    pub required_m2: f64,
    pub inside_m2: f64,
    /// inside − required when ≥ 0, else 0.
    pub surplus_m2: f64,
    /// required − inside when ≥ 0, else 0.
    pub shortfall_m2: f64,
}

/// Fit of the inside sites: surplus or shortfall against the required area.
pub fn site_fit(required_m2: f64, inside_site_areas_m2: &[f64]) -> crate::Result<SiteFit> {
    let required = check_nonneg("required retained-land area", required_m2)?;
    let mut inside = 0.0;
    for (i, a) in inside_site_areas_m2.iter().enumerate() {
        inside += check_nonneg(&format!("inside site #{i} area"), *a)?;
    }
    Ok(SiteFit {
        required_m2: required,
        inside_m2: inside,
        surplus_m2: (inside - required).max(0.0),
        shortfall_m2: (required - inside).max(0.0),
    })
}

/// Off-site conversion of rights floor area (按两地地价比值折算，且不得大于原地核算规模).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffsiteConversion {
    pub onsite_rights_m2: f64,
    pub price_onsite: f64,
    pub price_offsite: f64,
    /// price_onsite / price_offsite.
    pub price_ratio: f64,
    /// min(onsite, onsite × ratio).
    pub offsite_rights_m2: f64,
    /// True when the on-site figure limited the result.
    pub capped: bool,
}

/// `offsite_rights = min(onsite, onsite × price_onsite / price_offsite)`; prices must be > 0.
pub fn offsite_rights(
    onsite_rights_m2: f64,
    price_onsite: f64,
    price_offsite: f64,
) -> crate::Result<OffsiteConversion> {
    let onsite = check_nonneg("on-site rights floor area", onsite_rights_m2)?;
    for (what, p) in [
        ("on-site land price", price_onsite),
        ("off-site land price", price_offsite),
    ] {
        if !(p.is_finite() && p > 0.0) {
            return Err(policy_err(format!("{what} must be > 0, got {p}")));
        }
    }
    let ratio = price_onsite / price_offsite;
    let converted = onsite * ratio;
    Ok(OffsiteConversion {
        onsite_rights_m2: onsite,
        price_onsite,
        price_offsite,
        price_ratio: ratio,
        offsite_rights_m2: converted.min(onsite),
        capped: converted > onsite,
    })
}
