//! The computation sheet: the chain of the rules as cells. Inputs and rule values are
//! numbers an analyst may edit; the rights floor area (权益容积), planned floor area
//! (规划容积) and retained-land area (留用土地) are live formulas over them, each with the
//! value landpool computed as its cached result.
//!
//! Each formula repeats landpool's own arithmetic in the same order, so that Excel's
//! recalculation gives the cached value (the land-rights coefficient from the class means
//! may differ in the last digit).

use rust_xlsxwriter::Worksheet;

use super::chain::{Block, ChainWriter, Origin, Row, Value, col};
use super::sheet::{Formats, XResult, cell_ref};
use crate::policy::rules::Combination;
use crate::policy::{Assessment, Assessment2018};
use crate::project::{Computation, ProjectReport};

/// Writes the computation sheet of a report.
pub(super) fn write_computation(
    ws: &mut Worksheet,
    fmt: &Formats,
    report: &ProjectReport,
) -> XResult<()> {
    let p = &report.project;
    let name = p
        .name
        .as_deref()
        .map(|n| format!(" — {n}"))
        .unwrap_or_default();
    match &report.computation {
        Computation::New(a) => {
            let title = format!("Project {}{name}: 2022 draft rules (权益容积)", p.id);
            let mut w = ChainWriter::begin(ws, fmt, &title)?;
            write_2022(&mut w, a)
        }
        Computation::Rules2018(a) => {
            let title = format!("Project {}{name}: 2018 rules (留用土地)", p.id);
            let mut w = ChainWriter::begin(ws, fmt, &title)?;
            write_2018(&mut w, a)
        }
    }
}

const C: &str = "computation";

fn formula(f: String, cached: f64) -> Value {
    Value::Formula { formula: f, cached }
}

/// A weighted mean `SUMPRODUCT(weights, values) / divisor` over a block, or the value
/// itself when the block is empty.
fn weighted_mean(block: Option<Block>, divisor: &str, cached: f64) -> Value {
    match block {
        Some(b) => formula(
            format!(
                "SUMPRODUCT({},{})/{divisor}",
                b.range(col::WEIGHT),
                b.range(col::VALUE)
            ),
            cached,
        ),
        None => Value::Input(cached),
    }
}

/// The 2022 chain, step by step.
fn write_2022(w: &mut ChainWriter<'_>, a: &Assessment) -> XResult<()> {
    w.section("1. Counted land and land-rights coefficient (土地权益修正系数)")?;
    let area = w.put(
        Row::new(
            "counted land area (土地面积)",
            "A",
            Value::Input(a.counted_land_area_m2),
        )
        .unit("m²")
        .says("Σ counted area of the counted parcels (parcels sheet)")
        .json(format!("{C}.counted_land_area_m2")),
    )?;
    let classes = a
        .by_class
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let provs = a
                .parcels
                .iter()
                .filter(|p| p.tenure == c.tenure)
                .flat_map(|p| p.coef_provenance.iter());
            Row::new(
                format!(
                    "  class {} (mean coefficient; weight = counted m²)",
                    c.tenure
                ),
                "cᵢ",
                Value::Input(c.land_rights_coef),
            )
            .weight(c.counted_area_m2)
            .origin(Origin::joined(provs))
            .json(format!("{C}.by_class[{i}].land_rights_coef"))
        })
        .collect();
    let classes = w.put_rows(classes)?;
    let lambda = w.put(
        Row::new(
            "land-rights coefficient (土地权益修正系数)",
            "λ",
            weighted_mean(classes, &area, a.land_rights_coef),
        )
        .says("λ = Σ aᵢ·cᵢ / A")
        .json(format!("{C}.land_rights_coef")),
    )?;

    w.section("2. Density base FAR (密度分区基准容积率)")?;
    let zones = a
        .density
        .zones
        .iter()
        .map(|z| {
            Row::rule(
                format!("  zone {} base FAR (weight = counted m²)", z.zone),
                "FAR_z",
                &z.base_far,
            )
            .weight(z.area_m2)
        })
        .collect();
    let zones = w.put_rows(zones)?;
    let divisor = zones.map_or_else(
        || "1".to_string(),
        |b| format!("SUM({})", b.range(col::WEIGHT)),
    );
    let far_b = w.put(
        Row::new(
            format!("density base FAR ({})", a.density.use_key),
            "FAR_b",
            weighted_mean(zones, &divisor, a.density.base_far),
        )
        .says("FAR_b = Σ a_z·FAR_z / Σ a_z")
        .json(format!("{C}.density.base_far")),
    )?;

    let beta = write_buildings_2022(w, a, &area)?;
    let (phi, use_rows) = write_function_2022(w, a)?;

    w.section("5. Rights floor area (权益容积)")?;
    let rights = w.put(
        Row::new(
            "rights floor area (权益容积)",
            "R",
            formula(
                format!("({lambda}+{beta})*{area}*{far_b}*{phi}"),
                a.rights_floor_area_m2,
            ),
        )
        .unit("m²")
        .says("R = (λ + β) × A × FAR_b × φ")
        .json(format!("{C}.rights_floor_area_m2")),
    )?;
    for (i, u) in a.function.uses.iter().enumerate() {
        let share = cell_ref(use_rows + i as u32, col::WEIGHT);
        w.put(
            Row::new(
                format!("  of which {}", u.use_id),
                "R_u",
                formula(format!("{share}*{rights}"), u.rights_floor_area_m2),
            )
            .unit("m²")
            .says("R_u = s_u × R")
            .json(format!("{C}.function.uses[{i}].rights_floor_area_m2")),
        )?;
    }
    write_planned_2022(w, a, &rights)
}

/// Step 3: existing buildings and the building-rights coefficient; returns the cell of β.
fn write_buildings_2022(w: &mut ChainWriter<'_>, a: &Assessment, area: &str) -> XResult<String> {
    let b = &a.buildings;
    w.section("3. Building rights (建筑权益修正系数)")?;
    let existing = w.put(
        Row::new(
            "existing floor area (counted parcels and project)",
            "E",
            Value::Input(b.existing_floor_area_m2),
        )
        .unit("m²")
        .json(format!("{C}.buildings.existing_floor_area_m2")),
    )?;
    w.put(
        Row::new(
            "existing FAR (现状容积率)",
            "FAR_e",
            formula(format!("{existing}/{area}"), b.existing_far),
        )
        .says("FAR_e = E / A (picks the intensity band)")
        .json(format!("{C}.buildings.existing_far")),
    )?;
    let band = &b.intensity_band;
    let iota = w.put(
        Row::rule(
            format!(
                "intensity coefficient (开发强度修正系数), band [{}, {})",
                band.min_far,
                band.max_far.map_or("∞".to_string(), |m| m.to_string())
            ),
            "ι",
            &band.coef,
        )
        .json(format!("{C}.buildings.intensity_coef")),
    )?;
    let uses = b
        .by_use
        .iter()
        .map(|u| {
            Row::rule(
                format!(
                    "  building type {} (weight = floor area m²)",
                    u.building_use
                ),
                "c_u",
                &u.coef,
            )
            .weight(u.floor_area_m2)
        })
        .collect();
    let uses = w.put_rows(uses)?;
    let tau_value = if b.existing_floor_area_m2 > 0.0 {
        weighted_mean(uses, &existing, b.building_type_coef)
    } else {
        Value::Input(b.building_type_coef)
    };
    let tau = w.put(
        Row::new(
            "building-type coefficient (建筑性质修正系数)",
            "τ",
            tau_value,
        )
        .says("τ = Σ E_u·c_u / E")
        .json(format!("{C}.buildings.building_type_coef")),
    )?;
    let op = match b.combination.value {
        Combination::Product => "*",
        Combination::Sum => "+",
    };
    w.put(
        Row::new(
            "combination of ι and τ",
            "",
            Value::Text(super::chain::enum_name(b.combination.value)),
        )
        .origin(Some(Origin::of(&b.combination.provenance))),
    )?;
    w.put(
        Row::new(
            "building-rights coefficient (建筑权益修正系数)",
            "β",
            formula(format!("{iota}{op}{tau}"), b.building_rights_coef),
        )
        .says(format!("β = ι {op} τ"))
        .json(format!("{C}.buildings.building_rights_coef")),
    )
}

/// Step 4: the function coefficient from the use mix; returns the cell of φ and the first
/// row of the uses.
fn write_function_2022(w: &mut ChainWriter<'_>, a: &Assessment) -> XResult<(String, u32)> {
    w.section("4. Function coefficient (功能修正系数)")?;
    let first = w.next_row();
    let uses = a
        .function
        .uses
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let r = first + i as u32;
            Row::rule(
                format!(
                    "  use {} (weight = share s_u; helper = s_u / f_u)",
                    u.use_id
                ),
                "f_u",
                &u.coef,
            )
            .weight(u.share)
            .helper(
                format!("{}/{}", cell_ref(r, col::WEIGHT), cell_ref(r, col::VALUE)),
                u.share / u.coef.value,
            )
            .json(format!("{C}.function.uses[{i}].coef.value"))
        })
        .collect();
    let uses = w.put_rows(uses)?;
    let value = match uses {
        Some(b) => formula(
            format!("1/SUM({})", b.range(col::HELPER)),
            a.function.function_coef,
        ),
        None => Value::Input(a.function.function_coef),
    };
    let phi = w.put(
        Row::new("function coefficient (功能修正系数)", "φ", value)
            .says("φ = 1 / Σ (s_u / f_u)")
            .json(format!("{C}.function.function_coef")),
    )?;
    Ok((phi, first))
}

/// Steps 6–8: facility, shared and planned floor area, retained land.
fn write_planned_2022(w: &mut ChainWriter<'_>, a: &Assessment, rights: &str) -> XResult<()> {
    w.section("6. Facility, shared and planned floor area (配套、共享、规划容积)")?;
    let facility = write_facilities(
        w,
        a.facilities
            .iter()
            .map(|f| (f.name.as_str(), f.floor_area_m2)),
        a.facility_floor_area_m2,
        &format!("{C}.facility_floor_area_m2"),
    )?;
    let s = &a.shared;
    let ratio = w.put(
        Row::new(
            "shared floor-area ratio requested",
            "r",
            Value::Input(s.requested_ratio),
        )
        .says("project plan")
        .json(format!("{C}.shared.requested_ratio")),
    )?;
    let max = w.put(
        Row::rule("shared floor-area cap ratio", "r_max", &s.max_ratio)
            .json(format!("{C}.shared.max_ratio.value")),
    )?;
    let shared = w.put(
        Row::new(
            "shared floor area (共享容积)",
            "S",
            formula(format!("{ratio}*{rights}"), s.floor_area_m2),
        )
        .unit("m²")
        .says("S = r × R")
        .json(format!("{C}.shared.floor_area_m2")),
    )?;
    w.put(
        Row::new(
            "shared floor area cap",
            "S_max",
            formula(format!("{max}*{rights}"), s.cap_floor_area_m2),
        )
        .unit("m²")
        .says("S_max = r_max × R")
        .json(format!("{C}.shared.cap_floor_area_m2")),
    )?;
    let planned = w.put(
        Row::new(
            "planned floor area (规划容积)",
            "P",
            formula(
                format!("{rights}+{facility}+{shared}"),
                a.planned_floor_area_m2,
            ),
        )
        .unit("m²")
        .says("P = R + F + S")
        .json(format!("{C}.planned_floor_area_m2")),
    )?;

    let r = &a.retained;
    w.section("7. Retained land (留用土地)")?;
    let far = w.put(
        Row::new(
            format!(
                "planned FAR of the retained land (zone {}, {})",
                r.plan.zone, r.plan.use_key
            ),
            "FAR_p",
            Value::Input(r.plan.planned_far),
        )
        .says("project plan")
        .json(format!("{C}.retained.plan.planned_far")),
    )?;
    w.put(
        Row::new(
            "retained-land area (留用土地面积)",
            "L",
            formula(format!("{planned}/{far}"), r.retained_land_area_m2),
        )
        .unit("m²")
        .says("L = P / FAR_p")
        .json(format!("{C}.retained.retained_land_area_m2")),
    )?;
    if let Some(m) = &r.min_far {
        w.put(
            Row::rule("深标 base FAR of the retained use (minimum)", "FAR_min", m)
                .json(format!("{C}.retained.min_far.value")),
        )?;
    }
    if let Some(c) = &r.cap_far {
        w.put(
            Row::rule("深标 residential cap FAR", "FAR_cap", c)
                .json(format!("{C}.retained.cap_far.value")),
        )?;
    }
    Ok(())
}

/// Facility rows and their sum; returns the cell of F.
fn write_facilities<'f>(
    w: &mut ChainWriter<'_>,
    facilities: impl Iterator<Item = (&'f str, f64)>,
    total: f64,
    json: &str,
) -> XResult<String> {
    let rows = facilities
        .map(|(name, m2)| {
            Row::new(format!("  facility {name}"), "F_i", Value::Input(m2)).unit("m²")
        })
        .collect();
    let block = w.put_rows(rows)?;
    let value = match block {
        Some(b) => formula(format!("SUM({})", b.range(col::VALUE)), total),
        None => Value::Input(total),
    };
    w.put(
        Row::new("facility floor area (配套容积)", "F", value)
            .unit("m²")
            .says("F = Σ F_i")
            .json(json),
    )
}

/// The 2018 chain.
fn write_2018(w: &mut ChainWriter<'_>, a: &Assessment2018) -> XResult<()> {
    w.section("1. Eligibility (连片 unfinished-requisition land)")?;
    w.put(
        Row::new(
            "largest contiguous unfinished-requisition area",
            "",
            Value::Input(a.largest_contiguous_area_m2),
        )
        .unit("m²")
        .json(format!("{C}.largest_contiguous_area_m2")),
    )?;
    w.put(
        Row::rule("minimum contiguous area", "", &a.min_contiguous_area)
            .unit("m²")
            .json(format!("{C}.min_contiguous_area.value")),
    )?;
    w.put(
        Row::new("eligible", "", Value::Text(a.eligible.to_string()))
            .says(a.eligibility_reason.clone())
            .json(format!("{C}.eligible")),
    )?;
    w.section("2. Floor area (2018 rules)")?;
    let land = w.put(
        Row::new(
            "retained-land area (留用土地)",
            "L",
            Value::Input(a.retained_land_area_m2),
        )
        .unit("m²")
        .json(format!("{C}.retained_land_area_m2")),
    )?;
    let far =
        w.put(Row::new("plot FAR", "FAR", Value::Input(a.plot_far)).json(format!("{C}.plot_far")))?;
    let base = w.put(
        Row::new(
            "base floor area",
            "B",
            formula(format!("{land}*{far}"), a.base_floor_area_m2),
        )
        .unit("m²")
        .says("B = L × FAR")
        .json(format!("{C}.base_floor_area_m2")),
    )?;
    let facility = write_facilities(
        w,
        std::iter::empty(),
        a.facility_floor_area_m2,
        &format!("{C}.facility_floor_area_m2"),
    )?;
    write_shared_2018(w, a, &base, &facility)
}

/// The shared floor area, its buy-back and the planned floor area of the 2018 rules.
fn write_shared_2018(
    w: &mut ChainWriter<'_>,
    a: &Assessment2018,
    base: &str,
    facility: &str,
) -> XResult<()> {
    let ratio = w.put(
        Row::new(
            "shared floor-area ratio requested",
            "r",
            Value::Input(a.shared_requested_ratio),
        )
        .json(format!("{C}.shared_requested_ratio")),
    )?;
    let max = w.put(
        Row::rule("shared floor-area cap ratio", "r_max", &a.shared_max_ratio)
            .json(format!("{C}.shared_max_ratio.value")),
    )?;
    let shared = w.put(
        Row::new(
            "shared floor area (共享容积)",
            "S",
            formula(format!("{ratio}*{base}"), a.shared_floor_area_m2),
        )
        .unit("m²")
        .says("S = r × B")
        .json(format!("{C}.shared_floor_area_m2")),
    )?;
    w.put(
        Row::new(
            "shared floor area cap",
            "S_max",
            formula(format!("{max}*{base}"), a.shared_cap_floor_area_m2),
        )
        .unit("m²")
        .says("S_max = r_max × B")
        .json(format!("{C}.shared_cap_floor_area_m2")),
    )?;
    let buyback = w.put(
        Row::rule("government buy-back ratio", "g", &a.buyback_ratio)
            .json(format!("{C}.buyback_ratio.value")),
    )?;
    w.put(
        Row::new(
            "government buy-back",
            "",
            formula(format!("{shared}*{buyback}"), a.government_buyback_m2),
        )
        .unit("m²")
        .says("S × g")
        .json(format!("{C}.government_buyback_m2")),
    )?;
    w.put(
        Row::new(
            "kept by the rights holders",
            "",
            formula(format!("{shared}*(1-{buyback})"), a.holders_m2),
        )
        .unit("m²")
        .says("S × (1 − g)")
        .json(format!("{C}.holders_m2")),
    )?;
    w.put(
        Row::new(
            "planned floor area (规划容积)",
            "P",
            formula(
                format!("{base}+{facility}+{shared}"),
                a.planned_floor_area_m2,
            ),
        )
        .unit("m²")
        .says("P = B + F + S")
        .json(format!("{C}.planned_floor_area_m2")),
    )?;
    Ok(())
}
