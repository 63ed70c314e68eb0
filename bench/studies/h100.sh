#!/usr/bin/env bash
# Studies on the GPU machine (H100, 16 cores): a quick but meaningful set, about 7 minutes in
# all, from the self-contained single-file binary (no .NET needed there). Every study is
# capped with `timeout -s TERM`: a capped study stops between cells and still writes the
# cells it measured (its report says "interrupted").
#
# Usage: bench/studies/h100.sh [BENCHDAEMON]
#   results go to "$OUT" (default bench/studies/results/h100-<UTC date>)
#   BENCHDAEMON: the binary from
#   dotnet publish src/BenchDaemon -c Release -r linux-x64 --self-contained \
#       -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -o publish
# CUDA and TensorRT cells need a GPU build of ONNX Runtime (OnnxRuntime:LibraryPath); with the
# CPU build they are recorded as skipped with the reason, as are cuda:* micro-canaries where
# the runner lacks them.
set -uo pipefail
bd=${1:-./benchdaemon}
out=${OUT:-$(dirname "$0")/results/h100-$(date -u +%Y%m%d)}
mkdir -p "$out"
state=$(mktemp -d)
log="$out/run.log"

{ date -u; uname -a; lscpu 2>/dev/null | head -20; nvidia-smi -L 2>/dev/null || echo "nvidia-smi: not available"; } > "$out/machine.txt"

study() {
    local seconds=$1 kind=$2 name=$3; shift 3
    echo "== $name ($kind, at most ${seconds}s): $*" | tee -a "$log"
    timeout -s TERM "$seconds" "$bd" study "$kind" --name "$name" --set "State:Directory=$state" -o "$out/$name" "$@" </dev/null >>"$log" 2>&1
    echo "   exit $?" | tee -a "$log"
}

# Batch friction on the CPU (and CUDA/TensorRT where the runtime has them): RTR, ASE, BSR vs ORT without graph optimisation.
study 70 batch batch --models builtin:resnet50,builtin:bert-base --providers CPU,CUDA,TensorRT --batches 1,2,4,8,16 --iterations 5 --seconds 0.5
# The GPU through the micro-canaries (F8) at their default sizes (GEMM 8192³ FP32, 1 GiB copy, 256 MiB
# PCIe). Micro-canaries run at batch 1 only (any other batch list is rejected before the study
# starts), so this is one cell per micro-canary plus its baseline cell, not a batch sweep; the other
# precisions and the PyTorch comparison are bench/cuda/h100.sh. CUBLAS_DIR (as in that script)
# names cuBLASLt's directory when the runner's own search does not find it.
study 60 batch gpu-micro --models cuda:gemm,cuda:memcpy,cuda:pcie --providers CUDA --batches 1 --iterations 10 --seconds 0.5 ${CUBLAS_DIR:+--set "Cuda:LibraryDirectory=$CUBLAS_DIR"}
# Precision matrix: FP32/FP16/INT8 against native and same-provider FP32, with drift.
study 60 precision precision --models builtin:resnet50 --providers CPU,CUDA,TensorRT --batches 1,8,32 --iterations 5 --seconds 0.5
# Standard vs optimised ladder.
study 30 providers providers --models builtin:resnet50,builtin:bert-base --batches 1,8 --iterations 5 --seconds 0.5
# Image pipeline at the three size classes: stage shares and bottleneck.
study 45 pipeline pipeline --models builtin:resnet50 --batches 1,8 --iterations 3 --seconds 0.5
# Energy: RAPL is usually readable as root; samples per joule for FP32 and INT8.
study 40 energy energy --models builtin:resnet50 --providers CPU --precisions FP32,INT8 --batches 1,8,32 --iterations 5 --seconds 1
# Depth: the paper's Tables VII/VIII columns (batch 8 and 16), conv 64/96 and attention 128/256, depths 1-6;
# batch 1 as well, since ASE(b) = T(b)/(b·T(1)) needs T(1) (without it the width × batch ASE table is empty).
study 120 depth depth --providers CPU --conv-widths 64,96 --attention-widths 128,256 --batches 1,8,16 --iterations 5 --seconds 0.2

rm -rf "$state"
echo "done: $(date -u)" | tee -a "$log"
