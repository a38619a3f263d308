//! Retained-land siting (留用土地落地) \[N\], policy.md §6: the fit of the inside sites,
//! the straddling rule, the shortfall placed on the outside sites, the on-site rights share
//! each of them carries and what it is worth off-site: by land-price ratio under the 2022
//! draft, by the floor-area rule of the 2018 rules (policy.md §8) for 2018 projects.
//!
//! Pure policy: the sites come in with their measured areas and prices (the geometry is
//! measured by `project::siting`).

use serde::Serialize;

use super::rules::Operator;
use super::{Finding, FindingCode, Severity, check_nonneg, policy_err};

/// Required retained-land area against the area of the sites inside the project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFit {
    /// Required retained-land area, m².
    pub required_m2: f64,
    /// Area of the counted inside sites, m².
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
    /// Rights floor area on site, m².
    pub onsite_rights_m2: f64,
    /// Land price on site, yuan/m².
    pub price_onsite: f64,
    /// Land price of the off-site site, yuan/m².
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

/// Where a proposed site lies against the project boundary, as measured upstream: inside
/// (covered by it), outside (disjoint; touching allowed) or straddling (项目范围内外).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteLocation {
    /// Covered by the boundary.
    Inside,
    /// Disjoint from the project (touching allowed).
    Outside,
    /// Partly inside, partly outside.
    Straddling,
}

/// The project's siting options (`[siting]` of the project file).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SitingRules {
    /// A straddling site counts (its inside part in the fit, its outside part off-site);
    /// otherwise it is a violation and counts nowhere.
    pub allow_straddling: bool,
    /// Digitising tolerance, m²: a shortfall left unplaced up to it is not a finding.
    pub tolerance_m2: f64,
}

impl SitingRules {
    /// The straddling rule: whether a site at `location` counts in the fit and off-site.
    /// A straddling site counts only when allowed, rather than half-counting a site that
    /// must be redrawn.
    pub fn counts(&self, location: SiteLocation) -> bool {
        location != SiteLocation::Straddling || self.allow_straddling
    }

    /// The finding for a straddling site: a warning when allowed, else a violation.
    pub fn straddling_finding(&self, site_id: &str, inside_m2: f64, outside_m2: f64) -> Finding {
        Finding::new(
            FindingCode::SiteStraddlesBoundary,
            if self.allow_straddling {
                Severity::Warning
            } else {
                Severity::Violation
            },
            format!(
                "site {site_id} straddles the project boundary: {inside_m2:.2} m² inside, \
                 {outside_m2:.2} m² outside{}",
                if self.allow_straddling {
                    " (allowed by [siting] allow_straddling)"
                } else {
                    "; straddling sites are not allowed unless [siting] allow_straddling, \
                     so it counts neither in the fit nor off-site"
                }
            ),
            &[("inside_m2", inside_m2), ("outside_m2", outside_m2)],
        )
    }
}

/// One proposed retained-land site with its measured areas and land price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedSite {
    /// Printable site id.
    pub site_id: String,
    /// Where it lies against the project boundary.
    pub location: SiteLocation,
    /// Area inside the project, m² (0 for an outside site).
    pub inside_m2: f64,
    /// Area outside the project, m² (0 for an inside site).
    pub outside_m2: f64,
    /// Land price of the site (基准地价), yuan/m², when known.
    pub price: Option<f64>,
}

/// Everything the siting allocation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationInput<'a> {
    /// Retained-land area the rules require, m².
    pub required_m2: f64,
    /// Rights floor area to place (for the 2018 rules, the base floor area), m².
    pub rights_m2: f64,
    /// How the rights placed off-site are valued.
    pub offsite: OffsiteRule,
    /// The proposed sites, in the order the shortfall is placed on them.
    pub sites: &'a [ProposedSite],
    /// The project's siting options.
    pub rules: SitingRules,
}

/// How the rights placed on an outside site are valued, by rule set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OffsiteRule {
    /// 2022 draft: the site's share of the rights converts by the land-price ratio;
    /// `price_onsite` is the land price of the project's counted land, when known.
    LandPriceRatio {
        /// Land price of the counted land, yuan/m².
        price_onsite: Option<f64>,
    },
    /// 2018 rules: the base floor area of retained land outside the project.
    FloorArea2018(FloorArea2018Rule),
}

/// The 2018 off-site rule (policy.md §8): `base = S拆除重建 × 地块容积率 ⊕ FA利益统筹 ×
/// multiplier`, with the project's existing floor area shared among the outside sites in
/// proportion to the part of the shortfall each takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FloorArea2018Rule {
    /// Plot FAR of the retained land (地块容积率).
    pub plot_far: f64,
    /// Existing floor area of the project (FA利益统筹: on its counted land), m².
    pub existing_floor_area_m2: f64,
    /// Multiplier of the existing floor area (1.5, illustrative).
    pub multiplier: f64,
    /// The operator ⊕ (illustrative: most likely `+`).
    pub operator: Operator,
}

/// The 2018 base floor area of one outside site (留用土地规划建筑面积核算).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OffsiteBase2018 {
    /// S拆除重建: the site's land taken as retained land (its part of the shortfall), m².
    pub demolished_rebuilt_m2: f64,
    /// 地块容积率.
    pub plot_far: f64,
    /// FA利益统筹: this site's share of the project's existing floor area, m².
    pub existing_floor_area_m2: f64,
    /// Multiplier of the existing floor area.
    pub multiplier: f64,
    /// The operator ⊕.
    pub operator: Operator,
    /// S × plot FAR ⊕ FA × multiplier, m².
    pub base_floor_area_m2: f64,
}

impl FloorArea2018Rule {
    /// The base floor area of a site taking `taken_m2` of a `shortfall_m2` shortfall.
    pub fn base(&self, taken_m2: f64, shortfall_m2: f64) -> crate::Result<OffsiteBase2018> {
        let far = self.plot_far;
        if !(far.is_finite() && far > 0.0) {
            return Err(policy_err(format!("plot FAR must be > 0, got {far}")));
        }
        let s = check_nonneg("land taken off-site", taken_m2)?;
        let fa_total = check_nonneg("existing floor area", self.existing_floor_area_m2)?;
        let fa = if shortfall_m2 > 0.0 {
            fa_total * s / shortfall_m2
        } else {
            0.0
        };
        Ok(OffsiteBase2018 {
            demolished_rebuilt_m2: s,
            plot_far: far,
            existing_floor_area_m2: fa,
            multiplier: self.multiplier,
            operator: self.operator,
            base_floor_area_m2: self.operator.apply(s * far, fa * self.multiplier),
        })
    }
}

/// What the allocation gives one site (same order as the input sites).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteAllocation {
    /// Part of the shortfall this (outside) site takes, m² of retained land.
    pub shortfall_taken_m2: f64,
    /// Rights floor area this site carries off-site, before conversion, m²: the rights
    /// floor area in proportion of the shortfall taken to the required area.
    pub onsite_rights_m2: f64,
    /// That share converted by the price ratio, when both prices are known.
    pub conversion: Option<OffsiteConversion>,
    /// The whole rights floor area converted at this site's price (policy.md §9 rows).
    pub full_rights_conversion: Option<OffsiteConversion>,
    /// Under the 2018 rules: the site's base floor area (the price conversion does not apply).
    pub base_2018: Option<OffsiteBase2018>,
}

/// The siting allocation: the fit, each site's part and the findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// The counted inside sites against the required area.
    pub fit: SiteFit,
    /// Per input site, in input order.
    pub sites: Vec<SiteAllocation>,
    /// `retained_land_shortfall` and `retained_land_unplaced`.
    pub findings: Vec<Finding>,
}

/// Allocates the retained land: the fit of the counted inside sites (policy.md §6), then
/// the shortfall placed on the counted outside sites in their order, each carrying its
/// share of the rights floor area off-site at the land-price ratio.
pub fn allocate(input: &AllocationInput<'_>) -> crate::Result<Allocation> {
    let rules = input.rules;
    let inside_areas: Vec<f64> = input
        .sites
        .iter()
        .filter(|s| rules.counts(s.location))
        .map(|s| s.inside_m2)
        .collect();
    let fit = site_fit(input.required_m2, &inside_areas)?;
    let mut findings = Vec::new();
    if fit.shortfall_m2 > 0.0 {
        findings.push(shortfall_finding(&fit));
    }
    let mut remaining = fit.shortfall_m2;
    let mut sites = Vec::with_capacity(input.sites.len());
    for site in input.sites {
        let placed = place_shortfall(input, site, remaining, fit.shortfall_m2)?;
        remaining -= placed.shortfall_taken_m2;
        sites.push(placed);
    }
    if remaining > rules.tolerance_m2 {
        findings.push(Finding::new(
            FindingCode::RetainedLandUnplaced,
            Severity::Violation,
            format!("{remaining:.2} m² of the shortfall has no site, inside or outside"),
            &[("unplaced_m2", remaining)],
        ));
    }
    Ok(Allocation {
        fit,
        sites,
        findings,
    })
}

/// The one shortfall finding (inside sites short of the required retained-land area).
fn shortfall_finding(fit: &SiteFit) -> Finding {
    Finding::new(
        FindingCode::RetainedLandShortfall,
        Severity::Info,
        format!(
            "the inside sites hold {:.2} m² of the {:.2} m² required: {:.2} m² must be \
             placed off-site",
            fit.inside_m2, fit.required_m2, fit.shortfall_m2
        ),
        &[("shortfall_m2", fit.shortfall_m2)],
    )
}

/// One site's part of the `remaining` shortfall (none for an inside or uncounted site).
fn place_shortfall(
    input: &AllocationInput<'_>,
    site: &ProposedSite,
    remaining: f64,
    shortfall_m2: f64,
) -> crate::Result<SiteAllocation> {
    let mut out = SiteAllocation {
        shortfall_taken_m2: 0.0,
        onsite_rights_m2: 0.0,
        conversion: None,
        full_rights_conversion: None,
        base_2018: None,
    };
    if site.outside_m2 <= 0.0 || !input.rules.counts(site.location) {
        return Ok(out);
    }
    let prices = match input.offsite {
        OffsiteRule::LandPriceRatio { price_onsite } => price_onsite.zip(site.price),
        OffsiteRule::FloorArea2018(_) => None,
    };
    if let Some((on, off)) = prices {
        out.full_rights_conversion = Some(offsite_rights(input.rights_m2, on, off)?);
    }
    let taken = site.outside_m2.min(remaining);
    out.shortfall_taken_m2 = taken;
    if input.required_m2 > 0.0 && taken > 0.0 {
        out.onsite_rights_m2 = input.rights_m2 * taken / input.required_m2;
        if let Some((on, off)) = prices {
            out.conversion = Some(offsite_rights(out.onsite_rights_m2, on, off)?);
        }
        if let OffsiteRule::FloorArea2018(rule) = input.offsite {
            out.base_2018 = Some(rule.base(taken, shortfall_m2)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str, location: SiteLocation, inside: f64, outside: f64) -> ProposedSite {
        ProposedSite {
            site_id: id.into(),
            location,
            inside_m2: inside,
            outside_m2: outside,
            price: Some(15_000.0),
        }
    }

    fn input(sites: &[ProposedSite], allow_straddling: bool) -> AllocationInput<'_> {
        AllocationInput {
            required_m2: 10_000.0,
            rights_m2: 50_000.0,
            offsite: OffsiteRule::LandPriceRatio {
                price_onsite: Some(12_000.0),
            },
            sites,
            rules: SitingRules {
                allow_straddling,
                tolerance_m2: 0.5,
            },
        }
    }

    #[test]
    fn shortfall_goes_to_outside_sites_in_order() {
        let sites = [
            site("in", SiteLocation::Inside, 6_000.0, 0.0),
            site("out1", SiteLocation::Outside, 0.0, 3_000.0),
            site("out2", SiteLocation::Outside, 0.0, 3_000.0),
        ];
        let a = allocate(&input(&sites, false)).unwrap();
        assert_eq!(a.fit.shortfall_m2, 4_000.0);
        let taken: Vec<f64> = a.sites.iter().map(|s| s.shortfall_taken_m2).collect();
        assert_eq!(taken, vec![0.0, 3_000.0, 1_000.0]);
        assert_eq!(a.sites[1].onsite_rights_m2, 15_000.0);
        let c = a.sites[1].conversion.as_ref().unwrap();
        assert!((c.offsite_rights_m2 - 12_000.0).abs() < 1e-9);
        let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, vec!["retained_land_shortfall"]);
    }

    #[test]
    fn straddling_site_counts_only_when_allowed() {
        let sites = [site("s", SiteLocation::Straddling, 4_000.0, 2_000.0)];
        let refused = allocate(&input(&sites, false)).unwrap();
        assert_eq!(refused.fit.inside_m2, 0.0);
        assert_eq!(refused.sites[0].shortfall_taken_m2, 0.0);
        assert!(
            refused
                .findings
                .iter()
                .any(|f| f.code == "retained_land_unplaced")
        );
        let allowed = allocate(&input(&sites, true)).unwrap();
        assert_eq!(allowed.fit.inside_m2, 4_000.0);
        assert_eq!(allowed.sites[0].shortfall_taken_m2, 2_000.0);
        let unplaced = allowed
            .findings
            .iter()
            .find(|f| f.code == FindingCode::RetainedLandUnplaced)
            .unwrap();
        assert_eq!(unplaced.values["unplaced_m2"], 4_000.0);
        let rules = input(&sites, false).rules;
        assert_eq!(
            rules.straddling_finding("s", 1.0, 2.0).severity,
            Severity::Violation
        );
    }
}
