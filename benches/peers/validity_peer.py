"""GEOS validity (shapely.is_valid) on the rings of benches/validity.rs, for a side-by-side
ratio with `cargo bench --bench validity`.

The ring is the same noisy 24-pointed star, built with the same SplitMix64 stream, so both
sides check identical coordinates. Prints one line per size: vertices, median seconds.

    python3 benches/peers/validity_peer.py [--sizes 20000,50000,200000] [--repeat 15]
"""

import argparse
import math
import statistics
import time

import shapely

MASK = (1 << 64) - 1


def noisy_star(n):
    cx, cy = 500_000.0, 2_500_000.0
    spacing = math.tau * 1000.0 / n
    state = 0x9E37_79B9_7F4A_7C15
    coords = []
    for i in range(n):
        state = (state + 0x9E37_79B9_7F4A_7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB) & MASK
        noise = ((z ^ (z >> 31)) >> 11) / float(1 << 52) - 1.0
        t = math.tau * i / n
        r = 1000.0 * (1.0 + 0.3 * math.sin(24.0 * t)) + spacing / 3.0 * noise
        coords.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    coords.append(coords[0])
    return shapely.Polygon(coords)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000,50000,200000")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    print(f"shapely {shapely.__version__}, GEOS {shapely.geos_version_string}")
    for n in (int(s) for s in args.sizes.split(",")):
        ring = noisy_star(n)
        assert shapely.is_valid(ring), f"the {n}-vertex star is valid"
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            shapely.is_valid(ring)
            times.append(time.perf_counter() - t0)
        print(f"{n}\t{statistics.median(times):.6f} s")


if __name__ == "__main__":
    main()
