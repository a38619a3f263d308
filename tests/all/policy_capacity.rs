//! The 2022 computation: worked example A of policy.md §9 (golden, from numeric inputs),
//! Table 1 of the drafting note, the term-correction example, eligibility and findings.

use chrono::NaiveDate;
use landpool::policy::capacity::function_coefficient;
use landpool::policy::term::{at_least_years_after, term_correction, years_between};
use landpool::policy::{
    AllocationInput, Assessment, BuildingArea, Facility, OffsiteRule, ParcelInput, ProjectInput,
    ProposedSite, RetainedPlan, RuleSet, SiteLocation, SitingRules, Status, TenureClass, UseShare,
    ZoneArea, allocate, assess, offsite_rights,
};

const DRAFT_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/rules/shenzhen-2022-draft.toml"
);

fn rules() -> RuleSet {
    RuleSet::load(DRAFT_2022).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Relative comparison at 1e-6.
fn close(actual: f64, expected: f64, what: &str) {
    let rel = ((actual - expected) / expected).abs();
    assert!(rel <= 1e-6, "{what}: {actual} vs {expected} (rel {rel:e})");
}

/// Closeness to the published rounding: |actual − expected| ≤ half a unit of the last digit.
fn rounds_to(actual: f64, expected: f64, decimals: i32, what: &str) {
    let half = 0.5 * 10f64.powi(-decimals);
    assert!(
        (actual - expected).abs() <= half + 1e-12,
        "{what}: {actual} does not round to {expected}"
    );
}

fn parcel(id: &str, tenure: TenureClass, x0: f64, x1: f64) -> ParcelInput {
    // Project: x 0–400, y 0–250; zone 3 for x < 240, zone 4 for x ≥ 240.
    let h = 250.0;
    let z3 = (x1.min(240.0) - x0).max(0.0) * h;
    let z4 = (x1 - x0.max(240.0)).max(0.0) * h;
    let mut zone_areas = Vec::new();
    if z3 > 0.0 {
        zone_areas.push(ZoneArea {
            zone: 3,
            area_m2: z3,
        });
    }
    if z4 > 0.0 {
        zone_areas.push(ZoneArea {
            zone: 4,
            area_m2: z4,
        });
    }
    ParcelInput {
        id: id.into(),
        tenure,
        area_inside_m2: (x1 - x0) * h,
        planned_construction_area_m2: None,
        legal_area_m2: None,
        land_use: None,
        grant_date: None,
        term_years: None,
        in_major_project: false,
        zone_areas,
        uncovered_area_m2: 0.0,
        uncovered_zones: Vec::new(),
        buildings: Vec::new(),
    }
}

fn building(u: &str, a: f64) -> Vec<BuildingArea> {
    vec![BuildingArea {
        building_use: u.into(),
        floor_area_m2: a,
    }]
}

fn mix(shares: &[(&str, f64)]) -> Vec<UseShare> {
    shares
        .iter()
        .map(|(u, s)| UseShare {
            use_id: u.to_string(),
            share: *s,
        })
        .collect()
}

/// Worked example A as numeric inputs.
fn example_a() -> ProjectInput {
    let mut p1 = parcel("P1", TenureClass::CollectiveNonagriCommercial, 0.0, 80.0);
    p1.buildings = building("commercial", 30_000.0);
    let mut p2 = parcel("P2", TenureClass::CollectiveNonagriIndustrial, 80.0, 200.0);
    p2.buildings = building("factory", 36_000.0);
    let mut p3 = parcel("P3", TenureClass::UnfinishedRequisition, 200.0, 360.0);
    p3.buildings = building("residential", 9_000.0);
    let p4 = parcel("P4", TenureClass::StateReserve, 360.0, 400.0);
    ProjectInput {
        project_id: "example-A".into(),
        assessment_date: date("2026-06-30"),
        parcels: vec![p1, p2, p3, p4],
        project_buildings: Vec::new(),
        uncovered_fallback: None,
        function_mix: mix(&[("market_housing", 0.8), ("shared_ownership_housing", 0.2)]),
        facilities: vec![Facility {
            name: "community centre".into(),
            floor_area_m2: 5_000.0,
        }],
        shared_ratio: 0.15,
        shared_disposition: "A".into(),
        retained: RetainedPlan {
            planned_far: 4.5,
            zone: 3,
            use_key: "residential".into(),
            near_metro: false,
        },
    }
}

#[test]
fn worked_example_a_golden() {
    let rs = rules();
    let a: Assessment = assess(&rs, &example_a()).unwrap();
    close(a.counted_land_area_m2, 90_000.0, "counted land area");
    close(a.total_inside_area_m2, 100_000.0, "inside area");
    close(
        a.land_rights_coef,
        0.333_333_333_333_333_3,
        "land-rights coefficient",
    );
    rounds_to(
        a.land_rights_coef,
        0.333333,
        6,
        "land-rights coefficient (table)",
    );
    close(
        a.density.base_far,
        2.833_333_333_333_333,
        "density base FAR",
    );
    let z: Vec<(u8, f64, f64)> = a
        .density
        .zones
        .iter()
        .map(|z| (z.zone, z.area_m2, z.base_far.value))
        .collect();
    assert_eq!(z, vec![(3, 60_000.0, 3.0), (4, 30_000.0, 2.5)]);
    close(
        a.buildings.existing_far,
        0.833_333_333_333_333_3,
        "existing FAR",
    );
    close(a.buildings.intensity_coef, 0.05, "intensity coefficient");
    close(
        a.buildings.building_type_coef,
        0.928,
        "building-type coefficient",
    );
    close(
        a.buildings.building_rights_coef,
        0.0464,
        "building-rights coefficient",
    );
    close(
        a.function.function_coef,
        1.136_363_636_363_636_4,
        "function coefficient",
    );
    rounds_to(
        a.function.function_coef,
        1.136364,
        6,
        "function coefficient (table)",
    );
    // Exact formula value, and the table's rounded figures.
    let rights = (1.0 / 3.0 + 0.0464) * 90_000.0 * (17.0 / 6.0) * (1.0 / 0.88);
    close(a.rights_floor_area_m2, rights, "rights floor area");
    rounds_to(
        a.rights_floor_area_m2,
        110_036.36,
        2,
        "rights floor area (table)",
    );
    let by_use: Vec<(&str, f64)> = a
        .function
        .uses
        .iter()
        .map(|u| (u.use_id.as_str(), u.rights_floor_area_m2))
        .collect();
    assert_eq!(by_use[0].0, "market_housing");
    rounds_to(by_use[0].1, 88_029.09, 2, "market housing");
    rounds_to(by_use[1].1, 22_007.27, 2, "shared-ownership");
    close(a.facility_floor_area_m2, 5_000.0, "facility");
    rounds_to(a.shared.floor_area_m2, 16_505.45, 2, "shared floor area");
    rounds_to(a.shared.government_m2, 9_903.27, 2, "shared: government");
    rounds_to(a.shared.holders_market_m2, 6_602.18, 2, "shared: holders");
    close(
        a.shared.shared_ownership_m2 + 1.0,
        1.0,
        "shared: shared-ownership (none under A)",
    );
    rounds_to(a.planned_floor_area_m2, 131_541.82, 2, "planned floor area");
    close(
        a.planned_floor_area_m2,
        rights * 1.15 + 5_000.0,
        "planned floor area",
    );
    rounds_to(
        a.retained.retained_land_area_m2,
        29_231.52,
        2,
        "retained-land area",
    );
    close(
        a.retained.retained_land_area_m2,
        (rights * 1.15 + 5_000.0) / 4.5,
        "retained-land area",
    );
    // Off-site conversion at the two price ratios of the table.
    let cheaper = offsite_rights(a.rights_floor_area_m2, 12_000.0, 15_000.0).unwrap();
    rounds_to(
        cheaper.offsite_rights_m2,
        88_029.09,
        2,
        "off-site 12000/15000",
    );
    assert!(!cheaper.capped);
    let dearer = offsite_rights(a.rights_floor_area_m2, 12_000.0, 9_000.0).unwrap();
    rounds_to(
        dearer.offsite_rights_m2,
        110_036.36,
        2,
        "off-site 12000/9000 (capped)",
    );
    assert!(dearer.capped);

    // The same figures through the one siting allocation (policy::siting::allocate).
    let site = |id: &str, location, inside_m2, outside_m2, price| ProposedSite {
        site_id: String::from(id),
        location,
        inside_m2,
        outside_m2,
        price,
    };
    let sites = [
        site("I1", SiteLocation::Inside, 20_000.0, 0.0, None),
        site("I2", SiteLocation::Inside, 5_000.0, 0.0, None),
        site("S1", SiteLocation::Outside, 0.0, 3_000.0, Some(15_000.0)),
        site("S2", SiteLocation::Outside, 0.0, 2_000.0, Some(9_000.0)),
    ];
    let sited = allocate(&AllocationInput {
        required_m2: a.retained.retained_land_area_m2,
        rights_m2: a.rights_floor_area_m2,
        offsite: OffsiteRule::LandPriceRatio {
            price_onsite: Some(12_000.0),
        },
        sites: &sites,
        rules: SitingRules {
            allow_straddling: false,
            tolerance_m2: 0.01,
        },
    })
    .unwrap();
    let off: Vec<(f64, bool)> = sited.sites[2..]
        .iter()
        .map(|s| {
            let c = s.full_rights_conversion.as_ref().unwrap();
            (c.offsite_rights_m2, c.capped)
        })
        .collect();
    rounds_to(off[0].0, 88_029.09, 2, "S1");
    rounds_to(off[1].0, 110_036.36, 2, "S2");
    assert_eq!((off[0].1, off[1].1), (false, true));
    rounds_to(sited.fit.shortfall_m2, 29_231.52 - 25_000.0, 2, "shortfall");
    rounds_to(sited.sites[2].shortfall_taken_m2, 3_000.0, 2, "S1 takes");
    rounds_to(sited.sites[3].shortfall_taken_m2, 1_231.52, 2, "S2 takes");
    assert_eq!(sited.findings.len(), 1);
    assert_eq!(sited.findings[0].code, "retained_land_shortfall");

    // P4 state reserve: excluded with its reason, not silently dropped.
    assert_eq!(a.excluded.len(), 1);
    assert_eq!(a.excluded[0].id, "P4");
    assert_eq!(a.excluded[0].reason_code, "state_reserve");
    close(a.excluded[0].area_inside_m2, 10_000.0, "excluded area");
    // A compliant scheme: no violations.
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    // Planned FAR checked against zone 3 residential base 3.0 and cap 5.5.
    assert_eq!(a.retained.min_far.as_ref().map(|s| s.value), Some(3.0));
    assert_eq!(a.retained.cap_far.as_ref().map(|s| s.value), Some(5.5));
    // Illustrative values used are listed; official / draft ones are not among them.
    let ill: Vec<&str> = a
        .illustrative_values_used
        .iter()
        .map(|v| v.key.as_str())
        .collect();
    for k in [
        "intensity.bands[1].coef",
        "building_type.commercial",
        "building_type.factory",
        "building_type.residential",
        "building_rights.combination",
        "function.market_housing",
        "function.shared_ownership_housing",
    ] {
        assert!(ill.contains(&k), "{k} missing from {ill:?}");
    }
    assert!(!ill.contains(&"function.industrial"), "industrial not used");
    assert!(
        a.illustrative_values_used
            .iter()
            .all(|v| v.status == Status::Illustrative)
    );
    let used: Vec<&str> = a.rule_values_used.iter().map(|v| v.key.as_str()).collect();
    for k in [
        "tenure.collective_nonagri_commercial",
        "tenure.unfinished_requisition",
        "shenbiao.zone.3.base_far.residential",
        "shenbiao.zone.4.base_far.residential",
        "shared.max_ratio_of_rights",
        "shared.disposition.A.government",
    ] {
        assert!(used.contains(&k), "{k} missing from {used:?}");
    }
    // The assessment serialises (for reports).
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.contains("\"rights_floor_area_m2\""));
}

#[test]
fn table_1_k_ratios_and_function_coefficients() {
    let rs = rules();
    // (mix, published k ratios, published function_coef)
    type Case<'a> = (&'a [(&'a str, f64)], &'a [f64], f64);
    let cases: [Case; 3] = [
        (
            &[("market_housing", 0.8), ("shared_ownership_housing", 0.2)],
            &[0.91, 0.09],
            1.1364,
        ),
        (
            &[("market_housing", 0.7), ("shared_ownership_housing", 0.3)],
            &[0.85, 0.15],
            1.2195,
        ),
        (
            &[
                ("market_housing", 0.56),
                ("shared_ownership_housing", 0.14),
                ("industrial", 0.30),
            ],
            &[0.70, 0.07, 0.23],
            1.2563,
        ),
    ];
    for (m, ks, coef) in cases {
        let f = function_coefficient(&rs, &mix(m), &mut ()).unwrap();
        rounds_to(f.function_coef, coef, 4, "function_coef");
        assert_eq!(f.uses.len(), ks.len());
        for (u, k) in f.uses.iter().zip(ks) {
            rounds_to(u.k, *k, 2, &format!("k of {}", u.use_id));
        }
        let sum_k: f64 = f.uses.iter().map(|u| u.k).sum();
        close(sum_k, 1.0, "k ratios add up to 1");
    }
    // Shares that do not add up to 1, and an unknown use, are errors.
    assert!(function_coefficient(&rs, &mix(&[("market_housing", 0.7)]), &mut ()).is_err());
    assert!(function_coefficient(&rs, &mix(&[("villas", 1.0)]), &mut ()).is_err());
}

#[test]
fn term_correction_example_and_limits() {
    let k = term_correction(0.06, 45.0, 70.0);
    rounds_to(k, 0.94332, 5, "K(6%, 45, 70)");
    assert_eq!(term_correction(0.06, 70.0, 70.0), 1.0);
    assert_eq!(term_correction(0.06, 80.0, 70.0), 1.0);
    assert_eq!(term_correction(0.06, 0.0, 70.0), 0.0);
    assert_eq!(term_correction(0.06, -3.0, 70.0), 0.0);
    close(term_correction(0.0, 35.0, 70.0), 0.5, "zero rate");
    // calendar years
    assert_eq!(years_between(date("2011-06-30"), date("2026-06-30")), 15.0);
    assert_eq!(years_between(date("2012-02-29"), date("2027-02-28")), 15.0);
    assert!(years_between(date("2011-07-01"), date("2026-06-30")) < 15.0);
    close(
        years_between(date("2026-01-01"), date("2026-07-02")),
        182.0 / 365.0,
        "half year",
    );
}

/// State-granted parcel granted `grant` with term 50 years, industrial.
fn project_with_state_granted(grant: &str, major: bool) -> ProjectInput {
    let mut input = example_a();
    let mut p5 = parcel("P5", TenureClass::StateGranted, 0.0, 40.0);
    p5.land_use = Some("industrial".into());
    p5.grant_date = Some(date(grant));
    p5.in_major_project = major;
    input.parcels.push(p5);
    input
}

#[test]
fn eligibility_fifteen_years_by_calendar_anniversary() {
    let rs = rules();
    // assessment date 2026-06-30: exactly 15 years → counted
    let a = assess(&rs, &project_with_state_granted("2011-06-30", false)).unwrap();
    let p5 = a.parcels.iter().find(|p| p.id == "P5").expect("P5 counted");
    assert!(!p5.major_project_exemption);
    close(a.counted_land_area_m2, 100_000.0, "P5 counted");
    // its coefficient: base 1.0 × K(6%, n = 35, N = 50)
    let term = p5.term.as_ref().unwrap();
    close(term.remaining_years, 35.0, "remaining years");
    close(
        p5.land_rights_coef,
        term_correction(0.06, 35.0, 50.0),
        "term-corrected coef",
    );
    assert_eq!(term.expiry_date, date("2061-06-30"));

    // 14.9 years (granted ~36 days later) → excluded with the reason
    let a = assess(&rs, &project_with_state_granted("2011-08-05", false)).unwrap();
    assert!(a.parcels.iter().all(|p| p.id != "P5"));
    let ex = a
        .excluded
        .iter()
        .find(|e| e.id == "P5")
        .expect("P5 excluded");
    assert_eq!(ex.reason_code, "state_granted_under_min_years");
    assert!(ex.reason.contains("14.90 years"), "{}", ex.reason);
    close(a.counted_land_area_m2, 90_000.0, "P5 not counted");

    // one day short of 15 years → excluded
    let a = assess(&rs, &project_with_state_granted("2011-07-01", false)).unwrap();
    assert!(a.excluded.iter().any(|e| e.id == "P5"));

    // a major project is exempt
    let a = assess(&rs, &project_with_state_granted("2011-08-05", true)).unwrap();
    let p5 = a.parcels.iter().find(|p| p.id == "P5").expect("P5 counted");
    assert!(p5.major_project_exemption);
    assert!(at_least_years_after(
        date("2011-06-30"),
        date("2026-06-30"),
        15.0
    ));
    assert!(!at_least_years_after(
        date("2011-06-30"),
        date("2026-06-29"),
        15.0
    ));
}

#[test]
fn shared_over_cap_is_a_finding_not_an_error() {
    let rs = rules();
    let mut input = example_a();
    input.shared_ratio = 0.25;
    let a = assess(&rs, &input).unwrap();
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "shared_over_cap")
        .expect("shared_over_cap finding");
    assert_eq!(f.values["shared_ratio"], 0.25);
    assert_eq!(f.values["max_ratio"], 0.20);
    close(
        a.shared.floor_area_m2,
        0.25 * a.rights_floor_area_m2,
        "shared as requested",
    );
    close(
        a.shared.cap_floor_area_m2,
        0.20 * a.rights_floor_area_m2,
        "cap",
    );
    // exactly at the cap: no finding
    input.shared_ratio = 0.20;
    let a = assess(&rs, &input).unwrap();
    assert!(a.findings.iter().all(|f| f.code != "shared_over_cap"));
}

#[test]
fn function_mix_and_planned_far_findings() {
    let rs = rules();
    let mut input = example_a();
    // shared ownership 10% of residential (< 20%), industrial 40% (> 30%)
    input.function_mix = mix(&[
        ("market_housing", 0.54),
        ("shared_ownership_housing", 0.06),
        ("industrial", 0.40),
    ]);
    input.retained.planned_far = 2.8; // below zone-3 residential base 3.0
    let a = assess(&rs, &input).unwrap();
    let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"shared_ownership_below_min"), "{codes:?}");
    assert!(codes.contains(&"industrial_over_max"), "{codes:?}");
    assert!(codes.contains(&"planned_far_below_base"), "{codes:?}");
    assert!(!codes.contains(&"residential_far_above_cap"), "{codes:?}");

    // Table 1 boundary mix: exactly 20% shared ownership and 30% industrial → no finding.
    input.function_mix = mix(&[
        ("market_housing", 0.56),
        ("shared_ownership_housing", 0.14),
        ("industrial", 0.30),
    ]);
    // Planned FAR 5.8 is over the zone-3 residential cap 5.5, but the cap bounds the
    // residential FAR (residential floor area / retained land): 70% residential rights plus
    // the shared (housing) floor area on the retained land stays under it.
    input.retained.planned_far = 5.8;
    let a = assess(&rs, &input).unwrap();
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    let r = &a.retained;
    let residential = 0.70 * a.rights_floor_area_m2 + a.shared.floor_area_m2;
    assert!((r.residential_floor_area_m2 - residential).abs() < 1e-6);
    assert!((r.residential_far - residential / r.retained_land_area_m2).abs() < 1e-12);
    assert!(r.residential_far < 5.5, "{}", r.residential_far);

    // All-residential rights at planned FAR 6.2: residential FAR ≈ 5.96 > 5.5 ...
    input.function_mix = mix(&[("market_housing", 0.8), ("shared_ownership_housing", 0.2)]);
    input.retained.planned_far = 6.2;
    let a = assess(&rs, &input).unwrap();
    let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["residential_far_above_cap"]);
    assert!(a.retained.residential_far > 5.5 && a.retained.residential_far < 6.0);
    // ... but within 500 m of a metro station the cap is 6.0
    input.retained.near_metro = true;
    let a = assess(&rs, &input).unwrap();
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn uncovered_land_takes_the_fallback_zone_and_legal_area_overrides() {
    let rs = rules();
    let mut input = example_a();
    // P3: 10,000 m² of its zone-4 part lies in no zone.
    let p3 = &mut input.parcels[2];
    p3.zone_areas = vec![
        ZoneArea {
            zone: 3,
            area_m2: 10_000.0,
        },
        ZoneArea {
            zone: 4,
            area_m2: 20_000.0,
        },
    ];
    p3.uncovered_area_m2 = 10_000.0;
    // without a fallback: an error naming the parcel
    let err = assess(&rs, &input).unwrap_err().to_string();
    assert!(err.contains("P3") && err.contains("fallback"), "{err}");
    input.uncovered_fallback = Some(landpool::policy::FallbackZone {
        zone: 4,
        reason: "adjacent zone 4".into(),
    });
    let a = assess(&rs, &input).unwrap();
    close(
        a.density.base_far,
        2.833_333_333_333_333,
        "same base FAR via fallback",
    );
    close(
        a.density.fallback_area_m2,
        10_000.0,
        "fallback area reported",
    );
    assert_eq!(a.density.fallback.as_ref().map(|f| f.zone), Some(4));

    // legal area of P1 = 22,000 m² (measured 20,000): both reported, the legal one counted
    let mut input = example_a();
    input.parcels[0].legal_area_m2 = Some(22_000.0);
    let a = assess(&rs, &input).unwrap();
    let p1 = &a.parcels[0];
    assert_eq!(
        (p1.area_inside_m2, p1.counted_area_m2),
        (20_000.0, 22_000.0)
    );
    close(a.counted_land_area_m2, 92_000.0, "counted with legal area");
    close(
        a.land_rights_coef,
        (22_000.0 * 0.65 + 30_000.0 * 0.30 + 40_000.0 * 0.20) / 92_000.0,
        "weighted by legal area",
    );
    close(
        a.density.base_far,
        (62_000.0 * 3.0 + 30_000.0 * 2.5) / 92_000.0,
        "zone weights",
    );
}

#[test]
fn bad_inputs_are_errors_naming_the_problem() {
    let rs = rules();
    let mut input = example_a();
    input.parcels[1].buildings = building("castle", 1_000.0);
    let err = assess(&rs, &input).unwrap_err().to_string();
    assert!(err.contains("castle"), "{err}");

    let mut input = example_a();
    input.parcels[0].area_inside_m2 = f64::NAN;
    let err = assess(&rs, &input).unwrap_err().to_string();
    assert!(err.contains("P1"), "{err}");

    let mut input = example_a();
    input
        .parcels
        .push(parcel("P6", TenureClass::RequisitionReturn, 0.0, 10.0));
    let err = assess(&rs, &input).unwrap_err().to_string();
    assert!(err.contains("P6") && err.contains("land use"), "{err}");
    input.parcels[4].land_use = Some("industrial".into());
    let a = assess(&rs, &input).unwrap();
    close(
        a.parcels[3].land_rights_coef,
        0.30,
        "requisition return, industrial",
    );

    let mut input = example_a();
    input.shared_disposition = "C".into();
    assert!(assess(&rs, &input).is_err());

    let rs2018 = RuleSet::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/rules/shenzhen-2018.toml"
    ))
    .unwrap();
    assert!(assess(&rs2018, &example_a()).is_err());
}

/// The integrator may fill the input from JSON; defaults apply to optional fields.
#[test]
fn input_from_json_matches_the_struct() {
    let rs = rules();
    let json = r#"{
        "project_id": "example-A",
        "assessment_date": "2026-06-30",
        "parcels": [
            {"id": "P1", "tenure": "collective_nonagri_commercial", "area_inside_m2": 20000,
             "zone_areas": [{"zone": 3, "area_m2": 20000}],
             "buildings": [{"building_use": "commercial", "floor_area_m2": 30000}]},
            {"id": "P2", "tenure": "collective_nonagri_industrial", "area_inside_m2": 30000,
             "zone_areas": [{"zone": 3, "area_m2": 30000}],
             "buildings": [{"building_use": "factory", "floor_area_m2": 36000}]},
            {"id": "P3", "tenure": "unfinished_requisition", "area_inside_m2": 40000,
             "zone_areas": [{"zone": 3, "area_m2": 10000}, {"zone": 4, "area_m2": 30000}],
             "buildings": [{"building_use": "residential", "floor_area_m2": 9000}]},
            {"id": "P4", "tenure": "state_reserve", "area_inside_m2": 10000,
             "zone_areas": [{"zone": 4, "area_m2": 10000}]}
        ],
        "function_mix": [{"use_id": "market_housing", "share": 0.8},
                         {"use_id": "shared_ownership_housing", "share": 0.2}],
        "facilities": [{"name": "community centre", "floor_area_m2": 5000}],
        "shared_ratio": 0.15,
        "shared_disposition": "A",
        "retained": {"planned_far": 4.5, "zone": 3, "use_key": "residential"}
    }"#;
    let input: ProjectInput = serde_json::from_str(json).unwrap();
    let from_json = assess(&rs, &input).unwrap();
    let from_struct = assess(&rs, &example_a()).unwrap();
    assert_eq!(
        serde_json::to_string(&from_json).unwrap(),
        serde_json::to_string(&from_struct).unwrap()
    );
}
