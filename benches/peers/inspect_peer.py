"""What `landpool inspect LAYER` does, done by GeoPandas/GEOS: read the layer, count
features and vertices, check validity, sum the areas. For a side-by-side ratio:

    hyperfine 'target/release/landpool inspect LAYER --json' 'python3 benches/peers/inspect_peer.py LAYER'

or run both by hand; this prints its own phase times.
"""

import sys
import time

import geopandas
import shapely


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    df = geopandas.read_file(path)
    t1 = time.perf_counter()
    valid = shapely.is_valid(df.geometry.values)
    t2 = time.perf_counter()
    area = float(df.geometry.area.sum())
    vertices = int(shapely.get_num_coordinates(df.geometry.values).sum())
    t3 = time.perf_counter()
    print(
        f"{len(df)} features, {vertices} vertices, {int((~valid).sum())} invalid, "
        f"area {area:.3f}; read {t1 - t0:.3f} s, is_valid {t2 - t1:.3f} s, "
        f"area {t3 - t2:.3f} s, total {t3 - t0:.3f} s"
    )


if __name__ == "__main__":
    main()
