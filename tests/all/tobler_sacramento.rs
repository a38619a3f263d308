//! Peer test: PySAL tobler's `area_interpolate` test (Sacramento tracts → ZIP areas),
//! reproduced with landpool's overlay and aggregations. Planar areas in degrees, as tobler
//! computes them (EPSG:4326 taken as is, no projection).

use crate::common;

use geo::MultiPolygon;
use landpool::geom::aggregate::{categorical, extensive, intensive};
use landpool::geom::{OverlayOptions, OverlayTable, overlay_areas};

const DIR: &str = "tobler-sacramento-area-interpolation";

struct Inputs {
    table: OverlayTable,
    tot_pop: Vec<f64>,
    pct_poverty: Vec<f64>,
    animal: Vec<Option<&'static str>>,
}

fn inputs() -> Inputs {
    let tracts = common::read(&common::data(&format!(
        "{DIR}/source_tracts_sacramentot2/sacramentot2.shp"
    )));
    let zips = common::read(&common::data(&format!(
        "{DIR}/target_zips_SacramentoMSA2/SacramentoMSA2.shp"
    )));
    assert_eq!(tracts.features.len(), 403);
    assert_eq!(zips.features.len(), 125);
    let tot_pop = common::numbers(&tracts, "TOT_POP");
    let pct_poverty = common::numbers(&tracts, "POV_POP")
        .into_iter()
        .zip(common::numbers(&tracts, "POV_TOT"))
        .map(|(p, t)| p / t)
        .collect();
    const ANIMALS: [&str; 5] = ["cat", "dog", "donkey", "wombat", "capybara"];
    let animal = (0..tracts.features.len())
        .map(|i| Some(ANIMALS[i % 5]))
        .collect();
    let sources: Vec<MultiPolygon<f64>> = common::geometries(tracts);
    let targets: Vec<MultiPolygon<f64>> = common::geometries(zips);
    // Degrees², so no sliver floor: tobler keeps every non-zero intersection.
    let opts = OverlayOptions {
        sliver_floor: 0.0,
        threads: None,
    };
    let table = overlay_areas(&sources, &targets, &opts);
    assert!(table.errors.is_empty(), "{:?}", table.errors);
    Inputs {
        table,
        tot_pop,
        pct_poverty,
        animal,
    }
}

/// Values reproduced with tobler 0.13.0 / GEOS 3.14.1 (expected_values.json). tobler stores
/// the area table as float32, landpool keeps f64: the totals differ by about 1e-7 relative.
const REL: f64 = 1e-6;

#[test]
fn totals_match_tobler() {
    let inp = inputs();
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::data(&format!("{DIR}/expected_values.json")))
            .expect("expected_values.json"),
    )
    .expect("json");
    let exp = &json["reproduced_here_with_tobler_0.13.0_geopandas_1.2.0_shapely_2.2.0_geos_3.14.1"];
    let e = |k: &str| exp[k].as_f64().unwrap_or_else(|| panic!("{k} missing"));

    let ext = extensive(&inp.table, &inp.tot_pop, true);
    let int = intensive(&inp.table, &inp.pct_poverty);
    let cat = categorical(&inp.table, &inp.animal);
    let sum = |v: &[f64]| v.iter().sum::<f64>();

    let checks = [
        ("sum_TOT_POP", sum(&ext)),
        ("sum_pct_poverty", sum(&int)),
        ("sum_animal_cat", sum(&cat["cat"])),
        ("sum_animal_dog", sum(&cat["dog"])),
        ("sum_animal_donkey", sum(&cat["donkey"])),
        ("sum_animal_wombat", sum(&cat["wombat"])),
        ("sum_animal_capybara", sum(&cat["capybara"])),
    ];
    for (k, ours) in checks {
        println!("{k}: landpool {ours} tobler {}", e(k));
        // The animal sums are printed rounded to 4 decimals in the JSON.
        let abs = if k.starts_with("sum_animal") {
            5e-5
        } else {
            0.0
        };
        assert!(
            common::close(ours, e(k), REL, abs),
            "{k}: {ours} vs {}",
            e(k)
        );
    }
    // Area table: sum, mean over the full 403 × 125 matrix, non-zeros of row 5.
    let table_sum: f64 = inp.table.pieces.iter().map(|p| p.area).sum();
    let mean = table_sum / (403.0 * 125.0);
    let row5 = inp.table.pieces.iter().filter(|p| p.source == 5).count();
    println!("area table: sum {table_sum} mean {mean:e} row5 non-zeros {row5}");
    assert!(common::close(table_sum, e("area_table_sum"), REL, 0.0));
    assert!(common::close(mean, e("area_table_mean"), 1e-5, 0.0));
    assert_eq!(row5 as f64, e("area_table_row5_nonzero"));
    // extensive with allocate_total conserves the source total wherever a source is met.
    assert!(common::close(sum(&ext), 1_796_857.0, 1e-5, 0.0));
}

#[test]
fn per_target_values_match_tobler_output() {
    let inp = inputs();
    let ext = extensive(&inp.table, &inp.tot_pop, true);
    let int = intensive(&inp.table, &inp.pct_poverty);
    let cat = categorical(&inp.table, &inp.animal);
    let path = common::data(&format!("{DIR}/tobler_0.13.0_output_per_target.csv"));
    let mut rdr = csv::Reader::from_path(&path).expect("csv");
    let mut rows = 0;
    let mut worst = 0.0f64;
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let f = |i: usize| rec.get(i).expect("column").parse::<f64>().expect("number");
        let j = f(0) as usize;
        let ours = [
            ext[j],
            int[j],
            cat["cat"][j],
            cat["dog"][j],
            cat["donkey"][j],
            cat["wombat"][j],
            cat["capybara"][j],
        ];
        for (c, our) in ours.iter().enumerate() {
            let theirs = f(c + 1);
            // 9 significant digits in the CSV, float32 area table in tobler.
            let tol_abs = if c < 2 { 1e-6 } else { 1e-9 };
            if theirs != 0.0 {
                worst = worst.max((our - theirs).abs() / theirs.abs());
            }
            assert!(
                common::close(*our, theirs, REL, tol_abs),
                "target {j} column {c}: landpool {our} tobler {theirs}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 125);
    println!("per-target: worst relative difference {worst:.3e}");
}
