#!/usr/bin/env python3
"""Times `landpool batch` against the GeoPandas way of the same geometric work, in one run:
read the district layers, overlay parcels × project boundaries × density zones, and group
the pieces by project (counted land per project and its area-weighted residential base FAR).

    python3 -m venv /work/.venv-peers
    /work/.venv-peers/bin/pip install geopandas shapely pyogrio
    cargo build --release
    /work/.venv-peers/bin/python benches/peers/batch_peer.py --parcels 100000 --projects 500

GeoPandas does only the geometry and one group-by; landpool does the whole assessment of
every project (tenure, buildings, sites, prices, policy figures, reports) as well, so the
ratio understates landpool's lead. The land inside each project is compared in the same
run (total over projects, relative difference). One run each on a shared machine: compare
the ratio, not absolute seconds.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_FAR = {1: 3.2, 2: 3.2, 3: 3.0, 4: 2.5, 5: 1.5}  # 深标 residential base FAR (policy.md §7)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--projects", type=int, default=500)
    ap.add_argument("--landpool", type=Path, default=ROOT / "target/release/landpool")
    ap.add_argument("--work", type=Path)
    args = ap.parse_args()
    lp = str(args.landpool)
    if not args.landpool.exists():
        sys.exit(f"{lp} not found: run `cargo build --release` first")
    work = args.work or Path(tempfile.mkdtemp(prefix="landpool-batch-peer-"))
    district = work / f"d{args.parcels}"
    if not (district / "parcels.geojson").exists():
        subprocess.run([lp, "synth", "--out", str(district), "--parcels", str(args.parcels),
                        "--projects", str(args.projects), "--seed", "1"], check=True,
                       stdout=subprocess.DEVNULL)
    text = (ROOT / "data/sample/district.toml").read_text()
    (district / "district.toml").write_text(text.replace('"../rules/', f'"{ROOT}/data/rules/'))

    t0 = time.perf_counter()
    subprocess.run([lp, "batch", str(district / "district.toml"), "--out", str(work / "out"),
                    "--quiet"], check=True)
    t_lp = time.perf_counter() - t0

    import geopandas as gpd

    t0 = time.perf_counter()
    parcels = gpd.read_file(district / "parcels.geojson", engine="pyogrio")
    projects = gpd.read_file(district / "projects.geojson", engine="pyogrio")
    zones = gpd.read_file(district / "density_zones.geojson", engine="pyogrio")
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    inside = gpd.overlay(parcels[["parcel_id", "geometry"]], projects[["project_id", "geometry"]],
                         how="intersection", keep_geom_type=True)
    pieces = gpd.overlay(inside, zones[["density_zone", "geometry"]], how="intersection",
                         keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    pieces["far_area"] = pieces["area"] * pieces["density_zone"].map(BASE_FAR)
    by = pieces.groupby("project_id")[["area", "far_area"]].sum()
    by["base_far"] = by["far_area"] / by["area"]
    t_geo = time.perf_counter() - t0
    t_gp = t_read + t_geo

    # Same land: landpool's measured inside area per project (all inside parcels).
    import json
    lp_total = 0.0
    for rep in sorted((work / "out" / "projects").glob("*/report.json")):
        m = json.loads(rep.read_text())["measurement"]
        lp_total += sum(p["area_inside_m2"] for p in m["inside"])
    gp_total = float(inside.geometry.area.sum())
    print(f"district: {args.parcels} parcels, {args.projects} projects ({district})")
    print(f"landpool batch (whole assessment, 2 threads): {t_lp:.2f} s")
    print(f"GeoPandas: read {t_read:.2f} s + overlay×2 and group-by {t_geo:.2f} s = {t_gp:.2f} s")
    print(f"ratio GeoPandas / landpool = {t_gp / t_lp:.1f}x")
    print(f"land inside projects: landpool {lp_total:.3f} m², GeoPandas {gp_total:.3f} m², "
          f"relative difference {abs(lp_total - gp_total) / gp_total:.2e}")


if __name__ == "__main__":
    main()
