#!/usr/bin/env bash
# Side-by-side speed benchmark of AstroOne's `small` spectrum model: GoMLX
# (bench/torch/gobench, pure-Go simplego backend) against the same
# architecture, batch and optimiser in PyTorch on the CPU
# (bench/torch/torch_bench.py), with 1 thread (GOMAXPROCS=1,
# torch.set_num_threads(1): per-core figures) and with 2.
#
#   bench/torch/run.sh                 # defaults: 10 timed steps, 3×512 spectra
#   STEPS=20 REPS=5 N=1024 THREADS="1 2 4" bench/torch/run.sh
#   GO_TEST_BENCH=1 bench/torch/run.sh # also the project's go test benchmarks
#
# Prints, per framework and thread count: the parameter count, the median
# seconds per training step (after 2 warm-up steps), inference spectra per
# second (preparation + model + decoding, median of REPS calls) and the
# ratios GoMLX/PyTorch. PyTorch's OpenMP threads wait passively
# (OMP_WAIT_POLICY=PASSIVE; set it to ACTIVE to override): on a loaded
# machine spinning OpenMP threads made a 2-thread PyTorch step 7-10x slower
# than a 1-thread one (0.60-0.77 s against 0.075-0.085 s). Installs Debian's python3-torch with apt-get when
# /usr/bin/python3 cannot import torch (needs root or sudo).
set -euo pipefail

cd "$(dirname "$0")/../.."
STEPS=${STEPS:-10}
REPS=${REPS:-3}
N=${N:-512}
THREADS=${THREADS:-"1 2"}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
PY=/usr/bin/python3

if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "installing python3-torch (Debian) ..." >&2
	SUDO=""
	if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/gobench" ./bench/torch/gobench

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# go $(go env GOVERSION), torch $("$PY" -c 'import torch; print(torch.__version__)')"
echo "# GOMLX_BACKEND=${GOMLX_BACKEND:-} (empty: nn.DefaultBackendConfig), OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in $THREADS; do
	echo "running GoMLX with GOMAXPROCS=$t ..." >&2
	GOMAXPROCS=$t "$work/gobench" -config small -steps "$STEPS" -reps "$REPS" -n "$N" >"$work/go_$t.json"
	echo "running PyTorch with $t thread(s) ..." >&2
	OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t "$PY" bench/torch/torch_bench.py --threads "$t" \
		--steps "$STEPS" --reps "$REPS" --n "$N" >"$work/torch_$t.json"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PY" - "$work" $THREADS <<'EOF'
import json, sys
work, threads = sys.argv[1], sys.argv[2:]
print(f"{'framework':<10} {'threads':>7} {'params':>8} {'s/step':>8} {'infer sp/s':>11} {'model-only sp/s':>15}")
rows = []
for t in threads:
    g = json.load(open(f"{work}/go_{t}.json"))
    p = json.load(open(f"{work}/torch_{t}.json"))
    print(f"{'gomlx':<10} {t:>7} {g['params']:>8} {g['step_median_s']:>8.4f} {g['infer_spectra_per_s']:>11.1f} {'':>15}")
    print(f"{'torch':<10} {t:>7} {p['params']:>8} {p['step_median_s']:>8.4f} {p['infer_spectra_per_s']:>11.1f} {p['model_only_spectra_per_s']:>15.1f}")
    rows.append((t, g, p))
print()
for t, g, p in rows:
    print(f"threads {t}: step time GoMLX/PyTorch = {g['step_median_s'] / p['step_median_s']:.2f}x, "
          f"inference rate GoMLX/PyTorch = {g['infer_spectra_per_s'] / p['infer_spectra_per_s']:.2f}x, "
          f"params {'match' if g['params'] == p['params'] else 'DIFFER'} ({g['params']} vs {p['params']})")
print()
print("GoMLX per-step seconds:", {t: [round(x, 3) for x in g["step_seconds"]] for t, g, _ in rows})
print("PyTorch per-step seconds:", {t: [round(x, 4) for x in p["step_seconds"]] for t, _, p in rows})
print("GoMLX model.Prepare spectra/s:", {t: round(g["prepare_spectra_per_s"]) for t, g, _ in rows},
      " PyTorch prepare spectra/s:", {t: round(p["prepare_spectra_per_s"]) for t, _, p in rows})
EOF

if [ "${GO_TEST_BENCH:-0}" = 1 ]; then
	for t in $THREADS; do
		GOMAXPROCS=$t go test -run '^$' -bench 'TrainStep/small' -benchtime "${STEPS}x" ./train/
		GOMAXPROCS=$t go test -run '^$' -bench 'Predict/small' -benchtime "${REPS}x" ./model/
	done
fi
