//! Planning constraints (三区三线 and the other planning layers): what counts as a conflict
//! with a constraint, an enclave (开天窗) or fragmented consolidated land (集中连片), as
//! functions from measured areas to findings. No geometry here: the project module measures.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Finding, FindingCode, Severity};

/// Areas at most this large (m²) are not a conflict: two layers digitised along the same
/// line leave boolean-operation residue of this order along the shared edge, and a site
/// that only shares an edge with a constraint does not lie on it.
pub const AREA_TOLERANCE_M2: f64 = 0.01;

/// What a constraint layer is. Written in snake_case in project and district files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// 生态保护红线: ecological protection red line (one of the 三线).
    EcologicalRedLine,
    /// 永久基本农田: permanent basic farmland (one of the 三线).
    PermanentBasicFarmland,
    /// 城镇开发边界: urban development boundary (one of the 三线).
    UrbanDevelopmentBoundary,
    /// 基本生态控制线: Shenzhen's basic ecological control line.
    EcologicalControlLine,
    /// 生态敏感区: ecologically sensitive area (深标 4.1.3).
    EcologicallySensitive,
    /// 市级以上重大项目: area of a city-level or higher major project.
    MajorProjectArea,
    /// 产业空间整备区: industrial-space consolidation area.
    IndustrialConsolidationArea,
    /// 综合功能整备区: comprehensive-function consolidation area.
    ComprehensiveFunctionArea,
    /// Any other layer: measured and reported, no rule attached.
    Other,
}

impl ConstraintKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [ConstraintKind; 9] = [
        ConstraintKind::EcologicalRedLine,
        ConstraintKind::PermanentBasicFarmland,
        ConstraintKind::UrbanDevelopmentBoundary,
        ConstraintKind::EcologicalControlLine,
        ConstraintKind::EcologicallySensitive,
        ConstraintKind::MajorProjectArea,
        ConstraintKind::IndustrialConsolidationArea,
        ConstraintKind::ComprehensiveFunctionArea,
        ConstraintKind::Other,
    ];

    /// The name written in files and reports (`ecological_red_line`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::EcologicalRedLine => "ecological_red_line",
            ConstraintKind::PermanentBasicFarmland => "permanent_basic_farmland",
            ConstraintKind::UrbanDevelopmentBoundary => "urban_development_boundary",
            ConstraintKind::EcologicalControlLine => "ecological_control_line",
            ConstraintKind::EcologicallySensitive => "ecologically_sensitive",
            ConstraintKind::MajorProjectArea => "major_project_area",
            ConstraintKind::IndustrialConsolidationArea => "industrial_consolidation_area",
            ConstraintKind::ComprehensiveFunctionArea => "comprehensive_function_area",
            ConstraintKind::Other => "other",
        }
    }

    /// The allowed names, comma-separated, for error messages.
    pub fn allowed() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
        names.join(", ")
    }

    /// Whether the land of interest is the part *outside* the layer (城镇开发边界: what
    /// lies outside it conflicts), rather than the part inside.
    pub fn measures_outside(self) -> bool {
        self == ConstraintKind::UrbanDevelopmentBoundary
    }
}

impl fmt::Display for ConstraintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ConstraintKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "{s:?} is not a constraint kind; allowed: {}",
                    Self::allowed()
                )
            })
    }
}

/// A retained-land site measured against one constraint.
#[derive(Debug, Clone, Copy)]
pub struct SiteOverlap<'a> {
    /// The constraint's name as configured.
    pub constraint: &'a str,
    /// Its kind.
    pub kind: ConstraintKind,
    /// The site id.
    pub site_id: &'a str,
    /// The site's area, m².
    pub site_area_m2: f64,
    /// The part of interest: inside the layer, or outside it for
    /// [`ConstraintKind::measures_outside`], m².
    pub area_m2: f64,
}

/// The finding for a retained-land site against a constraint: on the 生态保护红线 or on
/// 永久基本农田, or outside the 城镇开发边界, is a violation; other kinds have no site rule.
pub fn site_conflict(s: &SiteOverlap<'_>) -> Option<Finding> {
    if s.area_m2 <= AREA_TOLERANCE_M2 {
        return None;
    }
    let (code, where_) = match s.kind {
        ConstraintKind::EcologicalRedLine => (FindingCode::SiteOnEcologicalRedLine, "on"),
        ConstraintKind::PermanentBasicFarmland => (FindingCode::SiteOnPermanentBasicFarmland, "on"),
        ConstraintKind::UrbanDevelopmentBoundary => {
            (FindingCode::SiteOutsideUrbanDevelopmentBoundary, "outside")
        }
        _ => return None,
    };
    Some(Finding::new(
        code,
        Severity::Violation,
        format!(
            "retained-land site {} lies {where_} {} ({}): {:.2} m² of its {:.2} m²",
            s.site_id, s.constraint, s.kind, s.area_m2, s.site_area_m2
        ),
        &[("area_m2", s.area_m2), ("site_area_m2", s.site_area_m2)],
    ))
}

/// The finding for the project boundary against a constraint: project land inside the
/// 基本生态控制线 is a warning (it may be consolidated, but not built on freely).
pub fn project_conflict(
    constraint: &str,
    kind: ConstraintKind,
    boundary_area_m2: f64,
    area_in_m2: f64,
) -> Option<Finding> {
    if kind != ConstraintKind::EcologicalControlLine || area_in_m2 <= AREA_TOLERANCE_M2 {
        return None;
    }
    Some(Finding::new(
        FindingCode::ProjectInEcologicalControlLine,
        Severity::Warning,
        format!(
            "{area_in_m2:.2} m² of the project ({:.1}% of {boundary_area_m2:.2} m²) lies inside \
             {constraint} ({kind})",
            100.0 * share(area_in_m2, boundary_area_m2)
        ),
        &[
            ("area_m2", area_in_m2),
            ("boundary_area_m2", boundary_area_m2),
        ],
    ))
}

/// The enclaves (开天窗) of one kind, summed: land inside the boundary left out of the
/// consolidation. A hole (not touching the boundary) is a warning: the consolidated land
/// surrounds land it does not take. A notch along the boundary is only noted.
pub fn enclave_finding(hole: bool, count: usize, area_m2: f64) -> Option<Finding> {
    if count == 0 {
        return None;
    }
    let (code, severity, what) = if hole {
        (FindingCode::EnclaveHole, Severity::Warning, "hole(s)")
    } else {
        (
            FindingCode::EnclaveNotch,
            Severity::Info,
            "notch(es) along the boundary",
        )
    };
    Some(Finding::new(
        code,
        severity,
        format!("{count} enclave {what} (开天窗) left out of the consolidation: {area_m2:.2} m²"),
        &[("count", count as f64), ("area_m2", area_m2)],
    ))
}

/// The consolidated land in more than one contiguous block (not 集中连片) is a warning.
pub fn contiguity_finding(components: usize, largest_share: f64) -> Option<Finding> {
    (components > 1).then(|| {
        Finding::new(
            FindingCode::ConsolidatedLandFragmented,
            Severity::Warning,
            format!(
                "the consolidated land is in {components} separate blocks; the largest holds \
                 {:.1}% of it",
                100.0 * largest_share
            ),
            &[
                ("components", components as f64),
                ("largest_share", largest_share),
            ],
        )
    })
}

/// `part / whole`, 0 for an empty whole.
pub fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_lists_allowed() {
        for k in ConstraintKind::ALL {
            assert_eq!(k.as_str().parse::<ConstraintKind>(), Ok(k));
            let json = serde_json::to_value(k).unwrap_or_default();
            assert_eq!(json.as_str(), Some(k.as_str()));
        }
        let e = "red_line".parse::<ConstraintKind>().unwrap_err();
        assert!(
            e.contains("ecological_red_line") && e.contains("other"),
            "{e}"
        );
    }

    #[test]
    fn severities_per_kind_and_tolerance() {
        let site = |kind, area_m2| SiteOverlap {
            constraint: "c",
            kind,
            site_id: "S1",
            site_area_m2: 100.0,
            area_m2,
        };
        let v = |k| site_conflict(&site(k, 5.0)).map(|f| f.severity);
        assert_eq!(
            v(ConstraintKind::EcologicalRedLine),
            Some(Severity::Violation)
        );
        assert_eq!(
            v(ConstraintKind::PermanentBasicFarmland),
            Some(Severity::Violation)
        );
        assert_eq!(
            v(ConstraintKind::UrbanDevelopmentBoundary),
            Some(Severity::Violation)
        );
        assert_eq!(v(ConstraintKind::EcologicalControlLine), None);
        assert_eq!(v(ConstraintKind::Other), None);
        // A shared edge leaves no more than the tolerance: no conflict.
        assert!(site_conflict(&site(ConstraintKind::EcologicalRedLine, 0.005)).is_none());
        let w = project_conflict("c", ConstraintKind::EcologicalControlLine, 100.0, 10.0);
        assert_eq!(w.map(|f| f.severity), Some(Severity::Warning));
        assert!(project_conflict("c", ConstraintKind::EcologicalRedLine, 100.0, 10.0).is_none());
        assert!(contiguity_finding(1, 1.0).is_none());
        assert!(contiguity_finding(2, 0.7).is_some());
        assert_eq!(
            enclave_finding(true, 1, 5.0).map(|f| f.severity),
            Some(Severity::Warning)
        );
        assert!(enclave_finding(false, 0, 0.0).is_none());
    }
}
