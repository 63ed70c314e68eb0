"""A competing GPU load for bench/regression/inject.sh on a GPU machine: BF16 matmuls on one GPU
until killed (PyTorch). Usage: python3 gpu_competitor.py [device index] [matrix order]."""
import sys

import torch

device = torch.device(f"cuda:{sys.argv[1] if len(sys.argv) > 1 else 0}")
n = int(sys.argv[2]) if len(sys.argv) > 2 else 8192
a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
while True:
    for _ in range(50):
        c = a @ b
    torch.cuda.synchronize(device)
