#!/usr/bin/env bash
# Ingest + resample throughput: astroone against an astropy+numpy script
# doing the same work (read, sha256, resample onto the LAMOST grid, catalog
# rows in SQLite, shards of 1000) on the same files, in the same run.
#
#   bash bench/ingest/run.sh [N [N_LARGE]]
#   FORMAT=sdss bash bench/ingest/run.sh 2000
#
# N files (default 2000) are made with `astroone simulate` in the LAMOST
# DR8+ layout (on the LAMOST grid: both tools copy the pixels) or, with
# FORMAT=sdss, in the SDSS layout (float32 log10 wavelengths, off the grid
# by more than float32 precision: both tools resample every spectrum). Go runs with 1 worker (per-core figure) and with one worker per
# core; the Python peer is single-threaded. With N_LARGE (e.g. 20000) the
# Go ingest is repeated on N_LARGE files to show that peak RSS does not grow
# with the number of files. Needs Debian's python3-astropy (installed here
# if missing) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-2000}
NL=${2:-}
PY=${ASTROONE_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import astropy, numpy' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-astropy >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/astroone" ./cmd/astroone

# measure LABEL CMD...: prints "LABEL wall_s user_s sys_s maxrss_kb"
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
  echo "$label $(cat "$work/time")"
}

FORMAT=${FORMAT:-lamost}
"$work/astroone" simulate --n "$N" --out "$work/files" --seed 1 --format "$FORMAT" >/dev/null 2>&1
echo "files: $N spectra in the $FORMAT layout, $(du -sh "$work/files" | cut -f1); cores: $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g')"
echo "date: $(date -u +%Y-%m-%d); go: $(go version | cut -d' ' -f3); astropy: $("$PY" -c 'import astropy; print(astropy.__version__)'); numpy: $("$PY" -c 'import numpy; print(numpy.__version__)')"
results=()
for run in 1 2; do
  rm -rf "$work/ws1" "$work/wsN" "$work/py"
  results+=("$(measure "go-1-worker" "$work/astroone" ingest "$work/files" --workspace "$work/ws1" --workers 1 --quiet)")
  results+=("$(measure "go-$(nproc)-workers" "$work/astroone" ingest "$work/files" --workspace "$work/wsN" --quiet)")
  results+=("$(measure "astropy-numpy" "$PY" bench/ingest/astropy_ingest.py "$work/files" "$work/py")")
done
printf '%s\n' "${results[@]}" | awk -v n="$N" -v cores="$(nproc)" '
  { label=$1; wall=$2; cpu=$3+$4; rss=$5
    if (!(label in best) || wall < best[label]) { best[label]=wall; cpus[label]=cpu; mem[label]=rss } }
  END {
    printf "| run | wall s (best of 2) | CPU s (user+sys) | spectra/s | spectra per CPU-second | peak RSS MB |\n|---|---|---|---|---|---|\n"
    for (l in best) {
      rate[l] = n / best[l]; percpu[l] = n / cpus[l]
      printf "| %s | %.2f | %.2f | %.0f | %.0f | %.0f |\n", l, best[l], cpus[l], rate[l], percpu[l], mem[l]/1024
    }
    key = "go-" cores "-workers"
    printf "\nGo 1 worker vs astropy, spectra/s: %.1fx; spectra per CPU-second: %.1fx\n", rate["go-1-worker"] / rate["astropy-numpy"], percpu["go-1-worker"] / percpu["astropy-numpy"]
    printf "Go %d workers vs astropy, spectra/s per core: %.1fx; spectra per CPU-second: %.1fx\n", cores, rate[key] / cores / rate["astropy-numpy"], percpu[key] / percpu["astropy-numpy"]
  }'
if [ -n "$NL" ]; then
  "$work/astroone" simulate --n "$NL" --out "$work/large" --seed 2 >/dev/null 2>&1
  rm -rf "$work/ws1"
  r=$(measure "go-large" "$work/astroone" ingest "$work/files" --workspace "$work/ws1" --quiet)
  rm -rf "$work/ws1"
  rl=$(measure "go-large" "$work/astroone" ingest "$work/large" --workspace "$work/ws1" --quiet)
  echo "peak RSS: $N files $(echo "$r" | awk '{printf "%.0f", $5/1024}') MB; $NL files $(echo "$rl" | awk '{printf "%.0f", $5/1024}') MB (wall $(echo "$rl" | awk '{print $2}') s)"
fi
