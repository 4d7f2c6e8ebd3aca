"""Tokens/s and model FLOPs utilisation (MFU) of the gpu-70m preset in the evaluator's loop.

Runs the pretrain evaluator's training loop (`train_model`: bf16 autocast, fused AdamW, WSD
schedule, optionally torch.compile) on a synthetic token stream for a few hundred steps, so
no tokenizer or dataset is downloaded, and reports tokens/s and MFU against the GPU's dense
bf16 peak. FLOPs per token follow PaLM (Chowdhery et al. 2022, appendix B):
6 * (non-embedding parameters + LM head) + 12 * layers * hidden * sequence length.

    python bench/gpu_preset.py                      # on a machine with a CUDA GPU
    python bench/gpu_preset.py --steps 300 --batch-size 64 --no-compile
    python bench/gpu_preset.py --smoke              # CPU: a few steps of cpu-tiny, no MFU

The last line reads `mfu <fraction>` (goal >= 0.40 on an H200).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import torch

from evaluators.pretrain.train import TrainSettings, train_model
from models.proxy_lm import ProxyLM, ProxyPreset, get_preset

#: dense bf16 peak TFLOP/s by device name fragment (vendor data sheets, no sparsity)
PEAK_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 125.0,
               "L4": 121.0, "RTX 4090": 165.0}


def flops_per_token(p: ProxyPreset) -> float:
    per_layer = (p.hidden * (p.heads + 2 * p.kv_heads) * p.head_dim  # q, k, v
                 + p.heads * p.head_dim * p.hidden  # o
                 + 3 * p.hidden * p.intermediate)  # gate, up, down
    dense = p.layers * per_layer + p.hidden * p.vocab_size  # + the LM head
    return 6.0 * dense + 12.0 * p.layers * p.hidden * p.seq_len


def peak_tflops(name: str, override: float | None) -> float | None:
    if override:
        return override
    for fragment, tflops in PEAK_TFLOPS.items():
        if fragment in name:
            return tflops
    return None


def run(preset: ProxyPreset, steps: int, device: torch.device, compile_model: bool) -> float:
    """Seconds for `steps` training steps after a warm-up run (compilation excluded)."""
    settings = TrainSettings(lr=preset.lr, batch_size=preset.batch_size)
    gen = torch.Generator().manual_seed(0)
    data = torch.randint(0, preset.vocab_size, (steps * preset.batch_size, preset.seq_len + 1),
                         generator=gen)
    model = ProxyLM(preset)
    model.reset_parameters(torch.Generator().manual_seed(0))
    model.to(device)
    train_model(model, data[: 4 * preset.batch_size], settings, device,
                compile_model=compile_model)  # warm-up: kernels, autotuning, compilation
    if device.type == "cuda":
        torch.cuda.synchronize()
    _, seconds = train_model(model, data, settings, device, compile_model=compile_model)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="gpu-70m")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--smoke", action="store_true",
                        help="no GPU: a few steps of cpu-tiny on the CPU, to check the code")
    args = parser.parse_args()
    if args.smoke:
        preset, steps, device, compile_model = get_preset("cpu-tiny"), 5, torch.device("cpu"), False
    else:
        if not torch.cuda.is_available():
            raise SystemExit("no CUDA GPU here; run with --smoke to check the code on a CPU")
        preset, steps = get_preset(args.preset), args.steps
        device, compile_model = torch.device("cuda"), not args.no_compile
        torch.backends.cuda.matmul.allow_tf32 = True
    if args.batch_size:
        preset = replace(preset, batch_size=args.batch_size)
    seconds = run(preset, steps, device, compile_model)
    tokens = steps * preset.batch_size * preset.seq_len
    rate = tokens / seconds
    name = torch.cuda.get_device_name() if device.type == "cuda" else "cpu"
    achieved = rate * flops_per_token(preset) / 1e12
    print(f"preset {preset.name} on {name}: batch {preset.batch_size} x {preset.seq_len}, "
          f"{steps} steps, compile {compile_model}: {rate:,.0f} tokens/s, "
          f"{achieved:.1f} TFLOP/s (model FLOPs)")
    peak = peak_tflops(name, args.peak_tflops) if device.type == "cuda" else None
    if peak is None:
        print("mfu n/a (no known bf16 peak for this device; give --peak-tflops)")
    else:
        print(f"mfu {achieved / peak:.3f}")


if __name__ == "__main__":
    main()
