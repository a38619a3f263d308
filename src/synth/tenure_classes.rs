//! The tenure classes (权属类型) and land uses of the synthetic parcels.

/// One land-tenure class (权属类型) of the synthetic parcels.
#[derive(Debug, Clone, Copy)]
pub struct TenureClass {
    /// The tenure code written as `tenure`.
    pub code: &'static str,
    /// The Chinese label written as `tenure_name`.
    pub name: &'static str,
    /// Share of the district's parcels, roughly.
    pub frequency: f64,
    /// Weights of land use residential / industrial / commercial.
    pub use_weights: [f64; 3],
}

/// The tenure codes used by the generator, with their Chinese names and frequencies.
pub const TENURE_CLASSES: [TenureClass; 8] = [
    TenureClass {
        code: "FNGS",
        name: "非农建设用地（工商）",
        frequency: 0.14,
        use_weights: [0.35, 0.0, 0.65],
    },
    TenureClass {
        code: "FNGY",
        name: "非农建设用地（工业）",
        frequency: 0.16,
        use_weights: [0.0, 1.0, 0.0],
    },
    TenureClass {
        code: "WWS",
        name: "未完善征（转）地补偿手续用地",
        frequency: 0.20,
        use_weights: [0.4, 0.5, 0.1],
    },
    TenureClass {
        code: "ZDFH",
        name: "征地返还用地",
        frequency: 0.05,
        use_weights: [0.3, 0.3, 0.4],
    },
    TenureClass {
        code: "JWC",
        name: "旧屋村用地",
        frequency: 0.08,
        use_weights: [1.0, 0.0, 0.0],
    },
    TenureClass {
        code: "YZWC",
        name: "已征未完善出让手续用地",
        frequency: 0.07,
        use_weights: [0.2, 0.7, 0.1],
    },
    TenureClass {
        code: "GYCR",
        name: "国有已出让用地",
        frequency: 0.22,
        use_weights: [0.3, 0.5, 0.2],
    },
    TenureClass {
        code: "GYCB",
        name: "国有储备用地",
        frequency: 0.08,
        use_weights: [0.2, 0.5, 0.3],
    },
];

/// Position of GYCR (国有已出让用地) in [`TENURE_CLASSES`].
pub const GYCR: usize = 6;
/// The land uses of the synthetic parcels.
pub const LAND_USES: [&str; 3] = ["residential", "industrial", "commercial"];
