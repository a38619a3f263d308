#!/usr/bin/env python3
"""Times `landpool overlay` against GeoPandas `overlay` and tobler `area_interpolate` on one
synthetic district, in one run, and checks that the results agree.

    python3 -m venv /work/.venv-peers
    /work/.venv-peers/bin/pip install geopandas shapely pyogrio tobler
    cargo build --release
    /work/.venv-peers/bin/python benches/peers/overlay_peer.py --parcels 100000

The district is made with `landpool synth --parcels N` (seed 20221) unless --district names
an existing one. Every timing is wall-clock, end to end where stated, one run each (the
machine is shared: compare the ratios printed by one run, not absolute seconds).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--district", type=Path, help="existing synth output directory")
    ap.add_argument("--landpool", type=Path, default=ROOT / "target/release/landpool")
    ap.add_argument("--work", type=Path, help="directory for outputs (default: a temp dir)")
    args = ap.parse_args()

    lp = str(args.landpool)
    if not args.landpool.exists():
        sys.exit(f"{lp} not found: run `cargo build --release` first")
    work = args.work or Path(tempfile.mkdtemp(prefix="landpool-peer-"))
    work.mkdir(parents=True, exist_ok=True)
    district = args.district or work / f"district-{args.parcels}"
    parcels_path = district / "parcels.geojson"
    zones_path = district / "density_zones.geojson"
    if not parcels_path.exists():
        t = run([lp, "synth", "--out", str(district), "--parcels", str(args.parcels)])
        print(f"synth --parcels {args.parcels}: {t:.2f} s ({district})")
    print(f"district: {district}  ({parcels_path.stat().st_size / 1e6:.1f} MB parcels GeoJSON)")
    cores = os.cpu_count()

    # --- landpool, end to end (read both layers, overlay, write CSV) -----------------------
    lp_csv = work / "landpool_pieces.csv"
    base = [lp, "overlay", "--source", str(parcels_path), "--target", str(zones_path),
            "--source-id", "parcel_id", "--target-id", "zone_id"]
    t_lp = run(base + ["--out", str(lp_csv)])
    t_lp1 = run(base + ["--threads", "1", "--out", str(work / "landpool_pieces_t1.csv")])
    # tobler's categorical interpolation of density classes onto parcels, the landpool way.
    lp_cat = work / "landpool_cat.csv"
    t_lp_cat = run([lp, "overlay", "--source", str(zones_path), "--target", str(parcels_path),
                    "--categorical", "density_zone", "--out", str(lp_cat)])
    t_lp_cat1 = run([lp, "overlay", "--source", str(zones_path), "--target", str(parcels_path),
                     "--categorical", "density_zone", "--threads", "1",
                     "--out", str(work / "landpool_cat_t1.csv")])

    import geopandas as gpd
    import pandas as pd
    import shapely
    import tobler
    from tobler.area_weighted import area_interpolate

    # --- GeoPandas -------------------------------------------------------------------------
    t0 = time.perf_counter()
    parcels = gpd.read_file(parcels_path, engine="pyogrio")
    zones = gpd.read_file(zones_path, engine="pyogrio")
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    pieces = gpd.overlay(parcels[["parcel_id", "geometry"]], zones[["zone_id", "geometry"]],
                         how="intersection")
    t_overlay = time.perf_counter() - t0
    t0 = time.perf_counter()
    pieces["area"] = pieces.area
    gp_csv = work / "geopandas_pieces.csv"
    pieces[["parcel_id", "zone_id", "area"]].to_csv(gp_csv, index=False)
    t_write = time.perf_counter() - t0
    t_gp = t_read + t_overlay + t_write

    # --- tobler (after the same read) ------------------------------------------------------
    t0 = time.perf_counter()
    interp = area_interpolate(source_df=zones, target_df=parcels,
                              categorical_variables=["density_zone"])
    t_tobler = time.perf_counter() - t0
    t0 = time.perf_counter()
    interp.drop(columns="geometry").to_csv(work / "tobler_cat.csv", index=False)
    t_tobler_write = time.perf_counter() - t0
    t_tb = t_read + t_tobler + t_tobler_write

    # --- agreement -------------------------------------------------------------------------
    ours = pd.read_csv(lp_csv)
    a_lp, a_gp = ours["area"].sum(), pieces["area"].sum()
    rel = abs(a_lp - a_gp) / abs(a_gp)
    lp_c = pd.read_csv(work / "landpool_cat.targets.csv")
    cat_cols = sorted(c for c in interp.columns if c.startswith("density_zone_"))
    worst = max(float((lp_c[c].to_numpy() - interp[c].to_numpy()).__abs__().max()) for c in cat_cols)

    print(f"machine: {cores} cores; geopandas {gpd.__version__}, shapely {shapely.__version__} "
          f"(GEOS {shapely.geos_version_string}), tobler {tobler.__version__}")
    print(f"parcels {len(parcels)}, zones {len(zones)}; pieces: landpool {len(ours)}, "
          f"geopandas {len(pieces)}")
    print(f"landpool overlay (end to end, read+overlay+write CSV): {t_lp:.2f} s "
          f"(default threads), {t_lp1:.2f} s (--threads 1)")
    print(f"geopandas read {t_read:.2f} s + overlay {t_overlay:.2f} s + area/write CSV "
          f"{t_write:.2f} s = {t_gp:.2f} s")
    print(f"ratio geopandas/landpool: {t_gp / t_lp:.1f}x (default threads), "
          f"{t_gp / t_lp1:.1f}x (1 thread); overlay step alone vs landpool end to end: "
          f"{t_overlay / t_lp:.1f}x")
    print(f"landpool categorical (zones -> parcels, end to end): {t_lp_cat:.2f} s (default "
          f"threads), {t_lp_cat1:.2f} s (--threads 1)")
    print(f"tobler read {t_read:.2f} s + area_interpolate {t_tobler:.2f} s + write "
          f"{t_tobler_write:.2f} s = {t_tb:.2f} s")
    print(f"ratio tobler/landpool: {t_tb / t_lp_cat:.1f}x (default threads), "
          f"{t_tb / t_lp_cat1:.1f}x (1 thread)")
    ok_area = rel <= 1e-6
    ok_cat = worst <= 1e-6
    print(f"total intersected area: landpool {a_lp:.6f}, geopandas {a_gp:.6f}, relative "
          f"difference {rel:.2e} -> {'OK' if ok_area else 'MISMATCH'} (tolerance 1e-6)")
    print(f"categorical shares per parcel: worst |landpool - tobler| = {worst:.2e} -> "
          f"{'OK' if ok_cat else 'MISMATCH'} (tolerance 1e-6)")
    print(f"outputs in {work}")
    return 0 if ok_area and ok_cat else 1


if __name__ == "__main__":
    sys.exit(main())
