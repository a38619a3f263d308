#!/usr/bin/env bash
# District batch at scale: 100k parcels × 500 projects and 1M parcels × 5,000 projects.
# Prints wall time, peak memory (from /usr/bin/time -v), per-phase times and the 1M/100k
# ratio, all from one run. Needs GNU time (`apt-get install -y time`) and ~2 GB of disk.
#
#   bash benches/batch_scale.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
threads=${THREADS:-2}
cargo build --release --quiet
bin=target/release/landpool
rules="$(pwd)/data/rules"
declare -A wall
for size in "100000 500" "1000000 5000"; do
  set -- $size
  parcels=$1 projects=$2
  dir="$work/d$parcels"
  rm -rf "$dir"
  "$bin" synth --out "$dir" --parcels "$parcels" --projects "$projects" --seed 1 >/dev/null
  sed -e "s#\"../rules/#\"$rules/#" data/sample/district.toml >"$dir/district.toml"
  /usr/bin/time -v "$bin" batch "$dir/district.toml" --out "$dir/out" --threads "$threads" \
    2>"$dir/time.txt"
  w=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{print $NF}')
  secs=$(echo "$w" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  wall[$parcels]=$secs
  echo "parcels=$parcels projects=$projects threads=$threads wall_s=$secs peak_rss_MiB=$((rss / 1024))"
  grep -E '^time:|projects:' "$dir/time.txt" | sed 's/^/  /'
done
awk -v a="${wall[1000000]}" -v b="${wall[100000]}" 'BEGIN { printf "ratio 1M/100k wall = %.2f\n", a / b }'
