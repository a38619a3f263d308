//! Property tests of the policy arithmetic: calendar years, term correction, function
//! coefficient, off-site conversion, and invariances of the 2022 computation.

use chrono::{Days, NaiveDate};
use landpool::policy::capacity::function_coefficient;
use landpool::policy::term::{add_months, at_least_years_after, term_correction, years_between};
use landpool::policy::{
    BuildingArea, ParcelInput, ProjectInput, RetainedPlan, RuleSet, TenureClass, UseShare,
    ZoneArea, assess, offsite_rights,
};
use proptest::prelude::*;

const DRAFT_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/rules/shenzhen-2022-draft.toml"
);

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..40_000).prop_map(|d| NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Days::new(d))
}

proptest! {
    #[test]
    fn whole_years_on_the_anniversary(d in any_date(), n in 0u32..100) {
        let later = add_months(d, n * 12).unwrap();
        prop_assert_eq!(years_between(d, later), f64::from(n));
        prop_assert!(at_least_years_after(d, later, f64::from(n)));
        let day_before = later.pred_opt().unwrap();
        if n > 0 {
            prop_assert!(!at_least_years_after(d, day_before, f64::from(n)));
            prop_assert!(years_between(d, day_before) < f64::from(n));
            prop_assert!(years_between(d, day_before) > f64::from(n) - 1.0);
        }
    }

    #[test]
    fn years_between_is_monotone_and_antisymmetric(a in any_date(), b in any_date()) {
        let y = years_between(a, b);
        prop_assert_eq!(y, -years_between(b, a));
        prop_assert!(years_between(a, b + Days::new(1)) >= y);
    }

    #[test]
    fn term_correction_is_a_monotone_fraction(r in 0.0f64..0.2, n in -10.0f64..120.0, big_n in 1.0f64..100.0, dn in 0.0f64..5.0) {
        let k = term_correction(r, n, big_n);
        prop_assert!((0.0..=1.0).contains(&k), "K = {}", k);
        prop_assert!(term_correction(r, n + dn, big_n) >= k - 1e-12);
    }

    #[test]
    fn k_ratios_add_up_to_one(a in 1u32..100, b in 0u32..100, c in 0u32..100) {
        let rs = RuleSet::load(DRAFT_2022).unwrap();
        let total = f64::from(a + b + c);
        let mix = vec![
            UseShare { use_id: "market_housing".into(), share: f64::from(a) / total },
            UseShare { use_id: "shared_ownership_housing".into(), share: f64::from(b) / total },
            UseShare { use_id: "industrial".into(), share: f64::from(c) / total },
        ];
        let f = function_coefficient(&rs, &mix, &mut ()).unwrap();
        let sum_k: f64 = f.uses.iter().map(|u| u.k).sum();
        prop_assert!((sum_k - 1.0).abs() < 1e-12);
        // a weighted harmonic mean of f = 1, 2.5, 1/0.6 lies between the extremes
        prop_assert!(f.function_coef >= 1.0 - 1e-12 && f.function_coef <= 2.5 + 1e-12);
    }

    #[test]
    fn offsite_never_exceeds_onsite(onsite in 0.0f64..1e7, p1 in 1.0f64..1e5, p2 in 1.0f64..1e5) {
        let c = offsite_rights(onsite, p1, p2).unwrap();
        prop_assert!(c.offsite_rights_m2 <= onsite);
        if p1 <= p2 {
            prop_assert!((c.offsite_rights_m2 - onsite * p1 / p2).abs() <= 1e-9 * onsite.max(1.0));
        }
    }

    /// Scaling every area and floor area by λ scales the rights floor area by λ (FARs and
    /// coefficients are ratios); the order of the parcels does not matter.
    #[test]
    fn rights_scale_with_area_and_ignore_parcel_order(
        widths in prop::collection::vec(10.0f64..200.0, 1..6),
        classes in prop::collection::vec(0usize..4, 6),
        floors in prop::collection::vec(0.0f64..40_000.0, 6),
        lambda in 0.1f64..10.0,
    ) {
        let rs = RuleSet::load(DRAFT_2022).unwrap();
        let class_of = [
            TenureClass::CollectiveNonagriCommercial,
            TenureClass::CollectiveNonagriIndustrial,
            TenureClass::UnfinishedRequisition,
            TenureClass::OldVillage,
        ];
        let make = |scale: f64, reverse: bool| {
            let mut parcels: Vec<ParcelInput> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let area = w * 100.0 * scale;
                    ParcelInput {
                        id: format!("P{i}"),
                        tenure: class_of[classes[i]],
                        area_inside_m2: area,
                        planned_construction_area_m2: None,
        legal_area_m2: None,
                        land_use: None,
                        grant_date: None,
                        term_years: None,
                        in_major_project: false,
                        zone_areas: vec![
                            ZoneArea { zone: 3, area_m2: area * 0.25 },
                            ZoneArea { zone: 4, area_m2: area * 0.75 },
                        ],
                        uncovered_area_m2: 0.0,
                        uncovered_zones: Vec::new(),
                        buildings: vec![BuildingArea {
                            building_use: "factory".into(),
                            floor_area_m2: floors[i] * scale * 0.2,
                        }],
                    }
                })
                .collect();
            if reverse {
                parcels.reverse();
            }
            ProjectInput {
                project_id: "prop".into(),
                assessment_date: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
                parcels,
                project_buildings: Vec::new(),
                uncovered_fallback: None,
                function_mix: vec![
                    UseShare { use_id: "market_housing".into(), share: 0.8 },
                    UseShare { use_id: "shared_ownership_housing".into(), share: 0.2 },
                ],
                facilities: Vec::new(),
                shared_ratio: 0.1,
                shared_disposition: "B".into(),
                retained: RetainedPlan {
                    planned_far: 4.0,
                    zone: 4,
                    use_key: "residential".into(),
                    near_metro: false,
                },
            }
        };
        let base = assess(&rs, &make(1.0, false)).unwrap();
        let scaled = assess(&rs, &make(lambda, false)).unwrap();
        let reversed = assess(&rs, &make(1.0, true)).unwrap();
        let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-9);
        prop_assert!(rel(scaled.rights_floor_area_m2, lambda * base.rights_floor_area_m2) < 1e-9);
        prop_assert!(rel(scaled.buildings.existing_far, base.buildings.existing_far) < 1e-9 || base.buildings.existing_far == 0.0);
        prop_assert!(rel(reversed.rights_floor_area_m2, base.rights_floor_area_m2) < 1e-12);
        prop_assert!((base.density.base_far - (0.25 * 3.0 + 0.75 * 2.5)).abs() < 1e-12);
        prop_assert!(base.land_rights_coef >= 0.2 - 1e-12 && base.land_rights_coef <= 0.65 + 1e-12);
    }
}
