//! `landpool sensitivity` on worked example A (policy.md §9): every one-at-a-time figure
//! equals a hand recomputation from the formulas of policy.md §3 and §5, written here
//! independently of the library; the CLI writes deterministic files; the HTML is
//! self-contained with one tornado bar per value.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use landpool::project::{ProjectFile, RuleSets, assess_loaded, load_layers};
use landpool::sensitivity::{Figure, SkipReason, analyse};

fn example_a() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example_a/project.toml")
}

/// The illustrative values of example A (policy.md §9) and the hand formulas.
#[derive(Clone, Copy)]
struct Hand {
    intensity: f64,
    commercial: f64,
    factory: f64,
    residential: f64,
    f_market: f64,
    f_shared: f64,
}

impl Hand {
    const BASE: Hand = Hand {
        intensity: 0.05,
        commercial: 1.0,
        factory: 0.8,
        residential: 1.2,
        f_market: 1.0,
        f_shared: 2.5,
    };
    fn set(mut self, key: &str, v: f64) -> Hand {
        match key {
            "intensity.bands[1].coef" => self.intensity = v,
            "building_type.commercial" => self.commercial = v,
            "building_type.factory" => self.factory = v,
            "building_type.residential" => self.residential = v,
            "function.market_housing" => self.f_market = v,
            "function.shared_ownership_housing" => self.f_shared = v,
            other => panic!("unexpected value moved: {other}"),
        }
        self
    }
    /// §3: (land-rights + intensity × building type) × land × density FAR × function coef.
    fn rights(self) -> f64 {
        let land = 90_000.0;
        let land_rights = (20_000.0 * 0.65 + 30_000.0 * 0.30 + 40_000.0 * 0.20) / land;
        let density = (60_000.0 * 3.0 + 30_000.0 * 2.5) / land;
        let building_type =
            (30_000.0 * self.commercial + 36_000.0 * self.factory + 9_000.0 * self.residential)
                / 75_000.0;
        let function = 1.0 / (0.8 / self.f_market + 0.2 / self.f_shared);
        (land_rights + self.intensity * building_type) * land * density * function
    }
    /// §5: rights + facility 5,000 + shared 15 % of rights.
    fn planned(self) -> f64 {
        let r = self.rights();
        r + 5_000.0 + 0.15 * r
    }
    /// §5: planned / planned FAR 4.5.
    fn retained(self) -> f64 {
        self.planned() / 4.5
    }
    fn figure(self, f: Figure) -> f64 {
        match f {
            Figure::RightsFloorArea => self.rights(),
            Figure::PlannedFloorArea => self.planned(),
            Figure::RetainedLandArea => self.retained(),
        }
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        "{what}: {a} vs hand {b}"
    );
}

#[test]
fn example_a_one_at_a_time_figures_equal_the_hand_recomputation() {
    let config = ProjectFile::load(&example_a()).expect("project");
    let rules = RuleSets::load(&config).expect("rules");
    let layers = load_layers(&config).expect("layers");
    let run = assess_loaded(config, layers, &rules).expect("assess");
    let s = analyse(&run, &rules, 0.1).expect("sensitivity");

    close(
        s.base.rights_floor_area_m2.unwrap(),
        110_036.36,
        "base rights",
    );
    let mut keys: Vec<&str> = s.values.iter().map(|v| v.key.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "building_type.commercial",
            "building_type.factory",
            "building_type.residential",
            "function.market_housing",
            "function.shared_ownership_housing",
            "intensity.bands[1].coef",
        ]
    );
    for v in &s.values {
        close(v.low_value, v.value * 0.9, &v.key);
        close(v.high_value, v.value * 1.1, &v.key);
        for f in Figure::ALL {
            let lo = Hand::BASE.set(&v.key, v.low_value).figure(f);
            let hi = Hand::BASE.set(&v.key, v.high_value).figure(f);
            close(
                v.at_low.get(f).unwrap(),
                lo,
                &format!("{} low {f:?}", v.key),
            );
            close(
                v.at_high.get(f).unwrap(),
                hi,
                &format!("{} high {f:?}", v.key),
            );
        }
    }
    // Ranked by swing, and the envelope is every value at its lowering/raising end.
    for fs in &s.figures {
        assert!(fs.bars.windows(2).all(|w| w[0].swing >= w[1].swing));
        assert_eq!(fs.bars[0].key, "function.market_housing");
        let mut low = Hand::BASE;
        let mut high = Hand::BASE;
        for v in &s.values {
            let (a, b) = (
                v.at_low.get(fs.figure).unwrap(),
                v.at_high.get(fs.figure).unwrap(),
            );
            let (lo_v, hi_v) = if a < b {
                (v.low_value, v.high_value)
            } else {
                (v.high_value, v.low_value)
            };
            low = low.set(&v.key, lo_v);
            high = high.set(&v.key, hi_v);
        }
        close(fs.envelope.low, low.figure(fs.figure), "envelope low");
        close(fs.envelope.high, high.figure(fs.figure), "envelope high");
        assert!(fs.envelope.low < fs.base && fs.base < fs.envelope.high);
    }
    let skipped: Vec<(&str, SkipReason)> = s
        .skipped
        .iter()
        .map(|v| (v.key.as_str(), v.reason))
        .collect();
    assert!(skipped.contains(&("transition.effective_date", SkipReason::Date)));
    assert!(skipped.contains(&("building_rights.combination", SkipReason::Discrete)));
}

fn landpool(args: &[&str]) -> std::process::Output {
    let out = Command::new(cargo_bin("landpool"))
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn cli_writes_deterministic_files_and_a_self_contained_tornado() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sensitivity-cli");
    let _ = std::fs::remove_dir_all(&dir);
    let project = example_a();
    let p = project.to_str().unwrap();
    let (a, b) = (dir.join("a"), dir.join("b"));
    landpool(&["sensitivity", p, "--out", a.to_str().unwrap(), "--quiet"]);
    landpool(&[
        "sensitivity",
        p,
        "--out",
        b.to_str().unwrap(),
        "--quiet",
        "--range",
        "0.1",
    ]);
    for f in [
        "sensitivity.json",
        "sensitivity.csv",
        "sensitivity_envelope.csv",
        "sensitivity.html",
    ] {
        let x = std::fs::read(a.join(f)).expect(f);
        assert_eq!(
            x,
            std::fs::read(b.join(f)).expect(f),
            "{f} differs between runs"
        );
    }
    let csv = std::fs::read_to_string(a.join("sensitivity.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 6, "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("rights_floor_area_m2,1,function.market_housing,")
    );
    let html = std::fs::read_to_string(a.join("sensitivity.html")).unwrap();
    assert_eq!(html.matches("<svg class=\"tornado\"").count(), 3);
    assert_eq!(html.matches("class=\"bar-low\"").count(), 18);
    assert_eq!(html.matches("class=\"envelope\"").count(), 3);
    for bad in ["<script src", "<link", "<img", "@import", "https://"] {
        assert!(!html.contains(bad), "sensitivity.html references `{bad}`");
    }
    // A bad range is a usage error (exit 2).
    let out = Command::new(cargo_bin("landpool"))
        .args([
            "sensitivity",
            p,
            "--range",
            "1.5",
            "--out",
            dir.join("c").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // assess --sensitivity puts the same section into report.html.
    let r = dir.join("assess");
    landpool(&[
        "assess",
        p,
        "--out",
        r.to_str().unwrap(),
        "--quiet",
        "--sensitivity",
    ]);
    let report = std::fs::read_to_string(r.join("report.html")).unwrap();
    assert!(report.contains("<section id=\"sensitivity\">"));
    assert!(
        report.contains("<a href=\"#sensitivity\">"),
        "no nav link to the section"
    );
    assert_eq!(report.matches("<svg class=\"tornado\"").count(), 3);
}
