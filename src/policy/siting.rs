//! Retained-land siting (留用土地落地) \[N\], policy.md §6: the fit of the inside sites,
//! the straddling rule, the shortfall placed on the outside sites, the on-site rights share
//! each of them carries and its off-site conversion by land-price ratio.
//!
//! Pure policy: the sites come in with their measured areas and prices (the geometry is
//! measured by `project::siting`).

use serde::Serialize;

use super::{Finding, FindingCode, Severity, check_nonneg, policy_err};

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
    /// Land price of the project's counted land, yuan/m², when known.
    pub price_onsite: Option<f64>,
    /// The proposed sites, in the order the shortfall is placed on them.
    pub sites: &'a [ProposedSite],
    /// The project's siting options.
    pub rules: SitingRules,
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
        let placed = place_shortfall(input, site, remaining)?;
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
) -> crate::Result<SiteAllocation> {
    let mut out = SiteAllocation {
        shortfall_taken_m2: 0.0,
        onsite_rights_m2: 0.0,
        conversion: None,
        full_rights_conversion: None,
    };
    if site.outside_m2 <= 0.0 || !input.rules.counts(site.location) {
        return Ok(out);
    }
    let prices = input.price_onsite.zip(site.price);
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
            price_onsite: Some(12_000.0),
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
