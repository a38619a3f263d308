//! What the 2022 computation takes: measured numbers filled by the pipeline (parcels with
//! their areas per density zone, buildings, the plan). Nothing here knows geometry or files.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::policy::tenure::TenureClass;

/// Area of a parcel inside one density zone (密度分区), m².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneArea {
    /// Density zone number (密度分区).
    pub zone: u8,
    /// Area in the zone, m².
    pub area_m2: f64,
}

/// Existing building floor area of one building use (现状建筑面积), m².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildingArea {
    /// Key of the `[building_type]` table (commercial, factory, residential, ...).
    pub building_use: String,
    /// Floor area, m².
    pub floor_area_m2: f64,
}

/// One parcel inside the project boundary, as measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParcelInput {
    /// Printable feature reference.
    pub id: String,
    /// Tenure class (土地权益类型).
    pub tenure: TenureClass,
    /// Area inside the project boundary, m².
    pub area_inside_m2: f64,
    /// For unfinished_requisition / requisitioned_ungranted: the part inside the planned
    /// construction land (土地整备规划建设用地), m², when that layer is given; only this part
    /// counts \[N\]. Ignored (with a warning) for other classes.
    #[serde(default)]
    pub planned_construction_area_m2: Option<f64>,
    /// Legal area from an attribute (certificate, approval, recognition); overrides the
    /// measured area when given. Both are reported.
    #[serde(default)]
    pub legal_area_m2: Option<f64>,
    /// Land use (用途) for the term table and by-use coefficients: residential, commercial,
    /// industrial, mixed, ...
    #[serde(default)]
    pub land_use: Option<String>,
    /// Grant date (出让日期), state_granted only.
    #[serde(default)]
    pub grant_date: Option<NaiveDate>,
    /// Granted term in years (出让年期); absent = the statutory term of the use.
    #[serde(default)]
    pub term_years: Option<f64>,
    /// Inside a major-project / industrial / comprehensive consolidation area (exempt from
    /// the 15-year rule).
    #[serde(default)]
    pub in_major_project: bool,
    /// Areas of the parcel (inside the boundary) per density zone.
    #[serde(default)]
    pub zone_areas: Vec<ZoneArea>,
    /// Area of the parcel no density zone covers.
    #[serde(default)]
    pub uncovered_area_m2: f64,
    /// The zones that area takes (深标 4.1.3: the adjoining area's), as measured; when
    /// empty, the project's `uncovered_fallback` applies to it.
    #[serde(default)]
    pub uncovered_zones: Vec<ZoneArea>,
    /// Existing buildings on the parcel inside the project.
    #[serde(default)]
    pub buildings: Vec<BuildingArea>,
}

/// The zone given to land no density zone covers [S 4.1.3], chosen by the integrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FallbackZone {
    /// Density zone number (密度分区).
    pub zone: u8,
    /// E.g. "adjacent zone 4" or "one zone lower than adjacent zone 3: ecologically sensitive".
    pub reason: String,
}

/// Floor-area share of one planned use of the rights floor area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UseShare {
    /// Key of the `[function]` table (market_housing, shared_ownership_housing, industrial).
    pub use_id: String,
    /// Share of the rights floor area (0–1).
    pub share: f64,
}

/// A public facility on retained land (配套设施).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Name of the facility.
    pub name: String,
    /// Floor area, m².
    pub floor_area_m2: f64,
}

/// The retained-land plan: planned FAR and where it lies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetainedPlan {
    /// Planned FAR (规划容积率).
    pub planned_far: f64,
    /// Density zone of the retained land.
    pub zone: u8,
    /// 深标 use key of the retained land (residential, commercial, industrial_m0, ...).
    pub use_key: String,
    /// Within the metro radius (轨道站点 500 m), for the near-metro cap.
    #[serde(default)]
    pub near_metro: bool,
}

/// Everything the 2022 computation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectInput {
    /// Project id.
    pub project_id: String,
    /// Assessment date (评估基准日): eligibility and remaining terms are measured to it.
    pub assessment_date: NaiveDate,
    /// The parcels inside the project, as measured.
    pub parcels: Vec<ParcelInput>,
    /// Buildings known only at project level (not attributed to a parcel).
    #[serde(default)]
    pub project_buildings: Vec<BuildingArea>,
    /// Zone for uncovered land; required when any counted parcel has uncovered area.
    #[serde(default)]
    pub uncovered_fallback: Option<FallbackZone>,
    /// Floor-area shares of the planned uses (功能构成).
    pub function_mix: Vec<UseShare>,
    /// Public facilities on the retained land (配套设施).
    #[serde(default)]
    pub facilities: Vec<Facility>,
    /// Requested shared floor area as a fraction of rights floor area.
    pub shared_ratio: f64,
    /// Disposition option id of shared floor area (`A` or `B`).
    pub shared_disposition: String,
    /// The retained-land plan.
    pub retained: RetainedPlan,
}
