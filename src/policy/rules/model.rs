//! The typed rules of each method: the 2022 draft (权益容积) and the 2018 rules (6号文).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::provenance::Sourced;
use crate::policy::tenure::TenureClass;

/// Which computation a rule set drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 2022 draft: rights floor area (权益容积) → planned floor area → retained-land area.
    RightsFloorArea2022,
    /// 2018 rules (深规土规〔2018〕6号): retained-land area is an input.
    RetainedLand2018,
}

impl Method {
    /// Parses the `meta.method` text of a rule set.
    pub(super) fn parse(s: &str) -> Option<Method> {
        match s {
            "rights_floor_area_2022" => Some(Method::RightsFloorArea2022),
            "retained_land_2018" => Some(Method::RetainedLand2018),
            _ => None,
        }
    }
}

/// How a tenure class contributes to the land-rights coefficient (土地权益修正系数).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenureCoef {
    /// One coefficient for the class.
    Fixed(Sourced<f64>),
    /// Coefficient by land use (e.g. 征地返还用地: commercial 0.65 / industrial 0.30).
    ByUse(BTreeMap<String, Sourced<f64>>),
    /// A base coefficient times the term correction K (国有已出让用地 年期修正).
    TermCorrected {
        /// Base coefficient before the term correction.
        base: Sourced<f64>,
    },
    /// Not counted in the land area (国有储备用地).
    Excluded,
}

/// Statutory term and capitalisation rate of one land use (年期修正).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermUse {
    /// Statutory maximum term N in years (出让最高年限).
    pub statutory_years: Sourced<f64>,
    /// Capitalisation rate r (土地还原率).
    pub rate: Sourced<f64>,
}

/// One band of the development-intensity table (开发强度修正系数): `min ≤ FAR < max`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntensityBand {
    /// Lower bound of the band (inclusive).
    pub min_far: f64,
    /// `None` = open-ended.
    pub max_far: Option<f64>,
    /// Intensity coefficient of the band.
    pub coef: Sourced<f64>,
}

/// How intensity and building-type coefficients combine into the building-rights coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    /// intensity × building type.
    Product,
    /// intensity + building type.
    Sum,
}

/// Function-mix constraints on rights floor area (留用土地功能构成) \[N\].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunctionMixRules {
    /// Uses that form the residential part.
    pub residential_uses: Vec<String>,
    /// The shared-ownership housing use (共有产权住房).
    pub shared_ownership_use: String,
    /// Minimum share of shared-ownership housing in the residential part (≥ 20%).
    pub min_shared_ownership_of_residential: Sourced<f64>,
    /// Uses that count as industrial.
    pub industrial_uses: Vec<String>,
    /// Maximum industrial share of rights floor area (≤ 30%).
    pub max_industrial_share: Sourced<f64>,
}

/// One disposition option of shared floor area (共享容积分配方式).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disposition {
    /// Handed to the government free of charge (移交政府).
    pub government: Sourced<f64>,
    /// Market housing kept by the rights holders (归属不动产权益人).
    pub holders_market: Sourced<f64>,
    /// Shared-ownership housing (共有产权住房).
    pub shared_ownership: Sourced<f64>,
}

/// Shared floor area rules (共享容积), 2022 draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedRules {
    /// Cap as a fraction of rights floor area (≤ 20%).
    pub max_ratio_of_rights: Sourced<f64>,
    /// Disposition options by id (`A`, `B`).
    pub dispositions: BTreeMap<String, Disposition>,
}

/// The 2022 draft rules (权益容积 method).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules2022 {
    /// Effective date E of the rules (施行之日).
    pub effective_date: Sourced<NaiveDate>,
    /// Transition window after E in months (六个月).
    pub transition_window_months: Sourced<f64>,
    /// Minimum years since grant for state-granted land (已出让年限 ≥ 15 年).
    pub state_granted_min_years: Sourced<f64>,
    /// Land-rights coefficient by tenure class.
    pub tenure: BTreeMap<TenureClass, TenureCoef>,
    /// Term tables by land use.
    pub term: BTreeMap<String, TermUse>,
    /// Development-intensity bands (开发强度修正系数), ascending.
    pub intensity_bands: Vec<IntensityBand>,
    /// Building-type coefficients (建筑性质修正系数) by building use.
    pub building_types: BTreeMap<String, Sourced<f64>>,
    /// How intensity and building-type coefficients combine.
    pub combination: Sourced<Combination>,
    /// Function coefficients f_u (留用土地功能修正系数) by planned use.
    pub functions: BTreeMap<String, Sourced<f64>>,
    /// Function-mix constraints.
    pub function_mix: FunctionMixRules,
    /// Shared floor area rules.
    pub shared: SharedRules,
}

/// The 2018 rules (深规土规〔2018〕6号).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules2018 {
    /// Minimum contiguous unfinished-requisition planned construction land (≥ 3000 m²).
    pub min_contiguous_unfinished_area_m2: Sourced<f64>,
    /// Shared floor area cap as a fraction of base floor area (≤ 30%).
    pub shared_max_ratio_of_base: Sourced<f64>,
    /// Fraction of shared floor area bought back by the government (60%).
    pub government_buyback_ratio: Sourced<f64>,
    /// Base floor area of retained land outside the project.
    pub offsite: Offsite2018Rules,
}

/// The 2018 rule for retained land outside the project (附件《留用土地规划建筑面积核算规则》):
/// `base = S拆除重建 × 地块容积率 ⊕ FA利益统筹 × multiplier`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offsite2018Rules {
    /// Multiplier of the project's existing floor area (1.5).
    pub existing_floor_area_multiplier: Sourced<f64>,
    /// The operator ⊕ (lost in the OCR of the only text; most likely `+`).
    pub operator: Sourced<Operator>,
}

/// An arithmetic operator of a rule-set formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// `a + b`.
    Add,
    /// `a − b`.
    Subtract,
    /// `a × b`.
    Multiply,
}

impl Operator {
    /// Parses `+`, `-` or `*` (also `×`).
    pub(super) fn parse(s: &str) -> Option<Operator> {
        match s.trim() {
            "+" => Some(Operator::Add),
            "-" | "−" => Some(Operator::Subtract),
            "*" | "×" => Some(Operator::Multiply),
            _ => None,
        }
    }

    /// `a ⊕ b`.
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Operator::Add => a + b,
            Operator::Subtract => a - b,
            Operator::Multiply => a * b,
        }
    }
}

/// Method-specific rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodRules {
    /// The 2022 draft rules.
    Draft2022(Box<Rules2022>),
    /// The 2018 rules.
    Rules2018(Box<Rules2018>),
}

impl Rules2018 {
    /// The tenure classes whose land the 2018 rules count (their scope, policy.md §8: land
    /// the community's successor (原农村集体经济组织继受单位) actually controls). State-granted
    /// (国有已出让) and state-reserve (国有储备) land is outside 6号文's scope: reported, not
    /// counted. The siting takes the on-site land price over the counted set.
    pub fn counts_tenure(&self, class: TenureClass) -> bool {
        !matches!(class, TenureClass::StateGranted | TenureClass::StateReserve)
    }
}
