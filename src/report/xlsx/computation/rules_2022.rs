//! The 2022 draft rules' chain on the computation sheet (policy.md §3, §5).

use super::super::chain::{ChainWriter, Origin, Row, Value, col};
use super::super::sheet::{XResult, cell_ref};
use super::{C, formula, weighted_mean, write_facilities};
use crate::policy::Assessment;
use crate::policy::rules::Combination;

/// The 2022 chain, step by step.
pub(super) fn write_2022(w: &mut ChainWriter<'_>, a: &Assessment) -> XResult<()> {
    let land = write_land_rights_2022(w, a)?;
    let far_b = write_density_2022(w, a)?;
    let beta = write_buildings_2022(w, a, &land.area)?;
    let (phi, use_rows) = write_function_2022(w, a)?;
    let rights = write_rights_2022(w, a, &land, &far_b, &beta, (&phi, use_rows))?;
    write_planned_2022(w, a, &rights)
}

/// The cells of step 1: the counted land area A and the land-rights coefficient λ.
struct LandCells {
    area: String,
    lambda: String,
}

/// Step 1: counted land and the land-rights coefficient (λ, the area-weighted class mean).
fn write_land_rights_2022(w: &mut ChainWriter<'_>, a: &Assessment) -> XResult<LandCells> {
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
    Ok(LandCells { area, lambda })
}

/// Step 2: the density-zone base FAR, weighted by the counted area in each zone.
fn write_density_2022(w: &mut ChainWriter<'_>, a: &Assessment) -> XResult<String> {
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
    w.put(
        Row::new(
            format!("density base FAR ({})", a.density.use_key),
            "FAR_b",
            weighted_mean(zones, &divisor, a.density.base_far),
        )
        .says("FAR_b = Σ a_z·FAR_z / Σ a_z")
        .json(format!("{C}.density.base_far")),
    )
}

/// Step 5: the rights floor area R and its split by use; returns the cell of R.
/// `function` is the cell of φ and the first row of the use shares.
fn write_rights_2022(
    w: &mut ChainWriter<'_>,
    a: &Assessment,
    land: &LandCells,
    far_b: &str,
    beta: &str,
    function: (&str, u32),
) -> XResult<String> {
    let (phi, use_rows) = function;
    let LandCells { area, lambda } = land;
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
    Ok(rights)
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
            Value::Text(super::super::chain::enum_name(b.combination.value)),
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
