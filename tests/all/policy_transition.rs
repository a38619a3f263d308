//! Transition-rule selection by dates [N §2(7)], the 2018 computation path, siting arithmetic.

use chrono::NaiveDate;
use landpool::policy::rules2018::eligible_2018;
use landpool::policy::{
    ProjectInput2018, RuleChoice, RuleSet, TransitionBranch, TransitionInput, assess_2018,
    offsite_rights, select_rules, site_fit,
};

const DRAFT_2022: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/rules/shenzhen-2022-draft.toml"
);
const RULES_2018: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/rules/shenzhen-2018.toml");

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn input(entered: &str, approved: bool, choice: Option<RuleChoice>) -> TransitionInput {
    TransitionInput {
        entered_plan: date(entered),
        plan_approved: approved,
        choice,
    }
}

#[test]
fn transition_branches() {
    let rs = RuleSet::load(DRAFT_2022).unwrap();
    // The shipped E is the illustrative placeholder 2026-01-01, window 6 months.
    assert_eq!(
        rs.rules_2022().unwrap().effective_date.value,
        date("2026-01-01")
    );

    // Before E, approved: 2018 only (keep the approved plan).
    let d = select_rules(&rs, &input("2025-12-31", true, None)).unwrap();
    assert_eq!(d.branch, TransitionBranch::BeforeApproved);
    assert_eq!(d.chosen, RuleChoice::Rules2018);
    assert_eq!(d.allowed, vec![RuleChoice::Rules2018]);
    assert!(d.reason.contains("approved"), "{}", d.reason);
    let err = select_rules(&rs, &input("2025-12-31", true, Some(RuleChoice::New)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not allowed"), "{err}");

    // Before E, not approved: either; default 2018, reported.
    let d = select_rules(&rs, &input("2025-03-01", false, None)).unwrap();
    assert_eq!(d.branch, TransitionBranch::BeforeNotApproved);
    assert_eq!(d.chosen, RuleChoice::Rules2018);
    assert!(!d.user_chose);
    assert!(d.reason.contains("default"), "{}", d.reason);
    let d = select_rules(&rs, &input("2025-03-01", false, Some(RuleChoice::New))).unwrap();
    assert_eq!(d.chosen, RuleChoice::New);
    assert!(d.user_chose);

    // On E and up to the last day of the six-month window: either.
    for day in ["2026-01-01", "2026-06-30"] {
        let d = select_rules(&rs, &input(day, false, Some(RuleChoice::Rules2018))).unwrap();
        assert_eq!(d.branch, TransitionBranch::Window, "{day}");
        assert_eq!(d.chosen, RuleChoice::Rules2018);
    }
    assert_eq!(
        select_rules(&rs, &input("2026-03-01", true, None))
            .unwrap()
            .branch,
        TransitionBranch::Window
    );
    let d = select_rules(&rs, &input("2026-03-01", false, None)).unwrap();
    assert_eq!(d.window_last_day, date("2026-06-30"));

    // After the window: new rules only; choosing 2018 is an error.
    let d = select_rules(&rs, &input("2026-07-01", false, None)).unwrap();
    assert_eq!(d.branch, TransitionBranch::After);
    assert_eq!(d.chosen, RuleChoice::New);
    assert_eq!(d.allowed, vec![RuleChoice::New]);
    let err = select_rules(&rs, &input("2026-07-01", true, Some(RuleChoice::Rules2018)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not allowed") && err.contains("2026-07-01"),
        "{err}"
    );

    // A user-edited E moves the branches.
    let text = std::fs::read_to_string(DRAFT_2022)
        .unwrap()
        .replace("value = 2026-01-01", "value = 2027-05-01");
    let edited = RuleSet::from_toml_str(&text, "edited.toml").unwrap();
    let d = select_rules(&edited, &input("2026-07-01", false, None)).unwrap();
    assert_eq!(d.branch, TransitionBranch::BeforeNotApproved);

    // The 2018 rule set has no effective date of new rules.
    let rs2018 = RuleSet::load(RULES_2018).unwrap();
    assert!(select_rules(&rs2018, &input("2026-07-01", false, None)).is_err());
}

#[test]
fn eligibility_2018_contiguous_3000() {
    let rs = RuleSet::load(RULES_2018).unwrap();
    assert_eq!(
        eligible_2018(&rs, &[2999.0, 1500.0]).unwrap(),
        (false, 2999.0)
    );
    assert_eq!(
        eligible_2018(&rs, &[1200.0, 3000.0]).unwrap(),
        (true, 3000.0)
    );
    assert_eq!(eligible_2018(&rs, &[]).unwrap(), (false, 0.0));
    assert!(eligible_2018(&rs, &[-1.0]).is_err());
}

#[test]
fn computation_2018() {
    let rs = RuleSet::load(RULES_2018).unwrap();
    let mut input = ProjectInput2018 {
        project_id: "old".into(),
        contiguous_unfinished_areas: vec![4_200.0, 800.0],
        retained_land_area_m2: 10_000.0,
        plot_far: 3.2,
        shared_ratio: 0.25,
        facilities: vec![landpool::policy::Facility {
            name: "kindergarten".into(),
            floor_area_m2: 2_000.0,
        }],
        parcels: Vec::new(),
    };
    let a = assess_2018(&rs, &input).unwrap();
    assert!(a.eligible);
    assert_eq!(a.base_floor_area_m2, 32_000.0);
    assert_eq!(a.shared_floor_area_m2, 8_000.0);
    assert!((a.government_buyback_m2 - 4_800.0).abs() < 1e-9);
    assert!((a.holders_m2 - 3_200.0).abs() < 1e-9);
    assert!((a.shared_cap_floor_area_m2 - 9_600.0).abs() < 1e-9);
    assert_eq!(a.planned_floor_area_m2, 42_000.0);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    assert!(a.illustrative_values_used.is_empty());

    input.shared_ratio = 0.35;
    input.contiguous_unfinished_areas = vec![2_999.0];
    let a = assess_2018(&rs, &input).unwrap();
    assert!(!a.eligible);
    let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["not_eligible_2018", "shared_over_cap"]);

    let draft = RuleSet::load(DRAFT_2022).unwrap();
    assert!(assess_2018(&draft, &input).is_err());
}

#[test]
fn siting_fit_and_offsite_conversion() {
    let f = site_fit(29_231.52, &[20_000.0, 5_000.0]).unwrap();
    assert!((f.shortfall_m2 - 4_231.52).abs() < 1e-6);
    assert_eq!(f.surplus_m2, 0.0);
    let f = site_fit(10_000.0, &[12_500.0]).unwrap();
    assert_eq!((f.surplus_m2, f.shortfall_m2), (2_500.0, 0.0));
    let c = offsite_rights(100_000.0, 12_000.0, 15_000.0).unwrap();
    assert!((c.offsite_rights_m2 - 80_000.0).abs() < 1e-9);
    assert!(!c.capped);
    let c = offsite_rights(100_000.0, 12_000.0, 9_000.0).unwrap();
    assert_eq!(c.offsite_rights_m2, 100_000.0);
    assert!(c.capped);
    assert!(offsite_rights(100_000.0, 12_000.0, 0.0).is_err());
    assert!(offsite_rights(100_000.0, f64::NAN, 1.0).is_err());
}
