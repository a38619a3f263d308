//! Findings: checked constraints that do not hold, or notable facts, reported rather than
//! raised as errors. Each carries a stable machine code ([`FindingCode`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A notable fact; nothing to fix.
    Info,
    /// Something the analyst should look at; the figures stand.
    Warning,
    /// A policy constraint is violated: the scheme as given does not comply.
    Violation,
}

/// The stable machine code of a finding. Serialised (and printed) as its snake_case name,
/// e.g. `shared_over_cap`: report.json, findings.csv and the summary all use that text.
/// Serialised through [`FindingCode::as_str`], so the text has one definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingCode {
    /// Shared-ownership housing (共有产权住房) below its minimum share of the residential part.
    SharedOwnershipBelowMin,
    /// Industrial use above its maximum share of the rights floor area.
    IndustrialOverMax,
    /// The industrial share exceeds the residential share (以居住为主导).
    ResidentialNotLeading,
    /// Shared floor area (共享容积) above its cap.
    SharedOverCap,
    /// Planned FAR of the retained land below the 深标 base FAR.
    PlannedFarBelowBase,
    /// The rule set has no 深标 base FAR for the retained land's use and zone.
    NoBaseFar,
    /// Residential FAR of the retained land (residential floor area / retained-land area)
    /// above the 深标 residential cap of its zone.
    ResidentialFarAboveCap,
    /// Not eligible under the 2018 rules (contiguous unfinished-requisition land too small).
    NotEligible2018,
    /// The inside sites hold less than the required retained-land area (留用土地).
    RetainedLandShortfall,
    /// Part of the shortfall has no site, inside or outside.
    RetainedLandUnplaced,
    /// The siting tolerance decided a site's placement.
    SitingToleranceUsed,
    /// A site straddles the project boundary.
    SiteStraddlesBoundary,
    /// A site lies on state-reserve land inside the project.
    SiteOnStateReserveLand,
    /// Only part of a site lies in the land-price layer.
    SitePartlyOutsidePriceLayer,
    /// Density zones overlap on a parcel.
    DensityZonesOverlap,
    /// Parcels overlap inside the project (the same land counted twice).
    ParcelsOverlap,
    /// Land no density zone covers took the zone of the adjoining (or nearest) area.
    UncoveredLandZone,
    /// A retained-land site lies on the 生态保护红线 (ecological red line).
    SiteOnEcologicalRedLine,
    /// A retained-land site lies on 永久基本农田 (permanent basic farmland).
    SiteOnPermanentBasicFarmland,
    /// A retained-land site lies (partly) outside the 城镇开发边界.
    SiteOutsideUrbanDevelopmentBoundary,
    /// Project land lies inside the 基本生态控制线.
    ProjectInEcologicalControlLine,
    /// Land inside the boundary left out of the consolidation (开天窗), not touching it.
    EnclaveHole,
    /// Land inside the boundary left out of the consolidation along the boundary.
    EnclaveNotch,
    /// The consolidated land is not one contiguous block (集中连片).
    ConsolidatedLandFragmented,
}

impl FindingCode {
    /// The code as written in reports (`shared_over_cap`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::SharedOwnershipBelowMin => "shared_ownership_below_min",
            FindingCode::IndustrialOverMax => "industrial_over_max",
            FindingCode::ResidentialNotLeading => "residential_not_leading",
            FindingCode::SharedOverCap => "shared_over_cap",
            FindingCode::PlannedFarBelowBase => "planned_far_below_base",
            FindingCode::NoBaseFar => "no_base_far",
            FindingCode::ResidentialFarAboveCap => "residential_far_above_cap",
            FindingCode::NotEligible2018 => "not_eligible_2018",
            FindingCode::RetainedLandShortfall => "retained_land_shortfall",
            FindingCode::RetainedLandUnplaced => "retained_land_unplaced",
            FindingCode::SitingToleranceUsed => "siting_tolerance_used",
            FindingCode::SiteStraddlesBoundary => "site_straddles_boundary",
            FindingCode::SiteOnStateReserveLand => "site_on_state_reserve_land",
            FindingCode::SitePartlyOutsidePriceLayer => "site_partly_outside_price_layer",
            FindingCode::DensityZonesOverlap => "density_zones_overlap",
            FindingCode::ParcelsOverlap => "parcels_overlap",
            FindingCode::UncoveredLandZone => "uncovered_land_zone",
            FindingCode::SiteOnEcologicalRedLine => "site_on_ecological_red_line",
            FindingCode::SiteOnPermanentBasicFarmland => "site_on_permanent_basic_farmland",
            FindingCode::SiteOutsideUrbanDevelopmentBoundary => {
                "site_outside_urban_development_boundary"
            }
            FindingCode::ProjectInEcologicalControlLine => "project_in_ecological_control_line",
            FindingCode::EnclaveHole => "enclave_hole",
            FindingCode::EnclaveNotch => "enclave_notch",
            FindingCode::ConsolidatedLandFragmented => "consolidated_land_fragmented",
        }
    }
}

impl Serialize for FindingCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets callers compare a code with its report text (`f.code == "shared_over_cap"`).
impl PartialEq<str> for FindingCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for FindingCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// A checked constraint that does not hold (or a notable fact): reported, not an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. `shared_over_cap`.
    pub code: FindingCode,
    /// How serious it is.
    pub severity: Severity,
    /// A sentence for the analyst, with the figures.
    pub message: String,
    /// The figures behind the finding.
    pub values: BTreeMap<String, f64>,
}

impl Finding {
    /// A finding with its figures given as `(name, value)` pairs.
    pub fn new(
        code: FindingCode,
        severity: Severity,
        message: String,
        values: &[(&str, f64)],
    ) -> Finding {
        Finding {
            code,
            severity,
            message,
            values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_to_their_report_text() {
        // Every variant once; the texts must be distinct and snake_case.
        let all = [
            FindingCode::SharedOwnershipBelowMin,
            FindingCode::IndustrialOverMax,
            FindingCode::ResidentialNotLeading,
            FindingCode::SharedOverCap,
            FindingCode::PlannedFarBelowBase,
            FindingCode::NoBaseFar,
            FindingCode::ResidentialFarAboveCap,
            FindingCode::NotEligible2018,
            FindingCode::RetainedLandShortfall,
            FindingCode::RetainedLandUnplaced,
            FindingCode::SitingToleranceUsed,
            FindingCode::SiteStraddlesBoundary,
            FindingCode::SiteOnStateReserveLand,
            FindingCode::SitePartlyOutsidePriceLayer,
            FindingCode::DensityZonesOverlap,
            FindingCode::ParcelsOverlap,
            FindingCode::UncoveredLandZone,
            FindingCode::SiteOnEcologicalRedLine,
            FindingCode::SiteOnPermanentBasicFarmland,
            FindingCode::SiteOutsideUrbanDevelopmentBoundary,
            FindingCode::ProjectInEcologicalControlLine,
            FindingCode::EnclaveHole,
            FindingCode::EnclaveNotch,
            FindingCode::ConsolidatedLandFragmented,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for c in all {
            let json = serde_json::to_value(c).unwrap_or_default();
            assert_eq!(json.as_str(), Some(c.as_str()), "{c:?}");
            assert!(seen.insert(c.as_str()), "{c:?} repeats a code");
            assert!(
                c.as_str()
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            );
        }
        assert_eq!(FindingCode::NotEligible2018.as_str(), "not_eligible_2018");
        assert!(FindingCode::SharedOverCap == "shared_over_cap");
    }
}
