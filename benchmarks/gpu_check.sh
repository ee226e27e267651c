#!/usr/bin/env bash
# The GPU checks in one go, for a session that has a lent GPU (run from the repository root):
#   bash benchmarks/gpu_check.sh [PYTHON]
# 1. the tests marked gpu (the CUDA training path per method), report in results/gpu/pytest.txt + junit xml;
# 2. the device-dependent suites at quick settings (CPU vs CUDA bf16, memory on CUDA, compile, TS2Vec speed),
#    through the runner: results/suites/*.json, MLflow runs, and benchmarks/RESULTS.md rewritten.
# With $OUT set (the device tool's output folder) everything under benchmarks/results/ is copied there too.
# Exits non-zero when a gpu test failed or a suite failed; the figures are written either way.
set -uo pipefail
PYTHON=${1:-python}
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export MLFLOW_DISABLE_TELEMETRY=true RAY_AUTH_MODE=disabled MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR=false
RESULTS=benchmarks/results
mkdir -p "$RESULTS/gpu"
"$PYTHON" - <<'EOF' | tee "$RESULTS/gpu/device.txt"
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(0), "bf16", torch.cuda.is_bf16_supported())
EOF
status=0
timeout 300 "$PYTHON" -m pytest -m gpu -q -rs -p no:cacheprovider tests/gpu \
    --junitxml="$RESULTS/gpu/pytest.xml" 2>&1 | tee "$RESULTS/gpu/pytest.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
timeout 480 "$PYTHON" -m benchmarks run --quick --suite cuda memory compile ts2vec_speed \
    2>&1 | tee "$RESULTS/gpu/suites.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT/results" && cp -r "$RESULTS"/suites "$RESULTS"/gpu "$OUT/results/" 2>/dev/null
    cp benchmarks/RESULTS.md "$OUT/" 2>/dev/null
fi
exit $status
