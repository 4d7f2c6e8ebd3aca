"""Tokens/s of the pretrain evaluator's training loop against a plain PyTorch loop.

Both train the same architecture (the preset's Llama: layers, widths, grouped-query SDPA
attention, SwiGLU, RMSNorm, RoPE, tied embeddings) with the same optimiser (AdamW, the WSD
schedule) on the same batches. The plain loop is what one writes by hand: separate q/k/v and
gate/up projections, `torch.optim.AdamW` with its defaults, a LambdaLR schedule. The
`transformers` LlamaForCausalLM is timed too, for reference. Rounds alternate between the
loops so that a change in the machine's load hits all of them alike; the median round counts.

    python bench/proxy_throughput.py [--preset cpu-tiny] [--steps 60] [--rounds 5]
    python bench/proxy_throughput.py --thread-study   # 2 workers x 1 or 2 threads each

The last line reads `ratio <evaluator tokens/s / plain tokens/s>`.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from evaluators.pretrain.train import TrainSettings, train_model
from models.proxy_lm import ProxyLM, ProxyPreset, get_preset, llama_config, rope_tables
from models.schedule import wsd_lr


# --- the plain reference: a straightforward hand-written Llama ---------------------------
class PlainAttention(nn.Module):
    def __init__(self, p: ProxyPreset) -> None:
        super().__init__()
        self.p = p
        self.q_proj = nn.Linear(p.hidden, p.heads * p.head_dim, bias=False)
        self.k_proj = nn.Linear(p.hidden, p.kv_heads * p.head_dim, bias=False)
        self.v_proj = nn.Linear(p.hidden, p.kv_heads * p.head_dim, bias=False)
        self.o_proj = nn.Linear(p.heads * p.head_dim, p.hidden, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        p = self.p
        q = self.q_proj(x).view(b, t, p.heads, p.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, p.kv_heads, p.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, p.kv_heads, p.head_dim).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                             enable_gqa=p.kv_heads != p.heads)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


def rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


class PlainLayer(nn.Module):
    def __init__(self, p: ProxyPreset) -> None:
        super().__init__()
        self.input_layernorm = nn.RMSNorm(p.hidden, eps=1e-5)
        self.self_attn = PlainAttention(p)
        self.post_attention_layernorm = nn.RMSNorm(p.hidden, eps=1e-5)
        self.gate_proj = nn.Linear(p.hidden, p.intermediate, bias=False)
        self.up_proj = nn.Linear(p.hidden, p.intermediate, bias=False)
        self.down_proj = nn.Linear(p.intermediate, p.hidden, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class PlainLlama(nn.Module):
    def __init__(self, p: ProxyPreset) -> None:
        super().__init__()
        self.embed = nn.Embedding(p.vocab_size, p.hidden)
        self.layers = nn.ModuleList(PlainLayer(p) for _ in range(p.layers))
        self.norm = nn.RMSNorm(p.hidden, eps=1e-5)
        self.lm_head = nn.Linear(p.hidden, p.vocab_size, bias=False)
        self.lm_head.weight = self.embed.weight
        cos, sin = rope_tables(p.head_dim, p.seq_len, p.rope_theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h, self.cos, self.sin)
        return self.lm_head(self.norm(h))


def plain_train(p: ProxyPreset, data: torch.Tensor, settings: TrainSettings) -> float:
    """The reference loop; returns seconds."""
    torch.manual_seed(0)
    model = PlainLlama(p)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, betas=settings.betas,
                                  weight_decay=settings.weight_decay)
    steps = len(data) // settings.batch_size
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: wsd_lr(min(s, steps - 1), steps, 1.0))
    start = time.perf_counter()
    for step in range(steps):
        batch = data[step * settings.batch_size:(step + 1) * settings.batch_size]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    return time.perf_counter() - start


def hf_train(p: ProxyPreset, data: torch.Tensor, settings: TrainSettings) -> float:
    """transformers' LlamaForCausalLM in the same plain loop (SDPA attention)."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(0)
    config = llama_config(p)
    config._attn_implementation = "sdpa"
    model = LlamaForCausalLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, betas=settings.betas,
                                  weight_decay=settings.weight_decay)
    steps = len(data) // settings.batch_size
    start = time.perf_counter()
    for step in range(steps):
        batch = data[step * settings.batch_size:(step + 1) * settings.batch_size]
        logits = model(batch[:, :-1]).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def evaluator_train(p: ProxyPreset, data: torch.Tensor, settings: TrainSettings) -> float:
    model = ProxyLM(p)
    model.reset_parameters(torch.Generator().manual_seed(0))
    _, seconds = train_model(model, data, settings, torch.device("cpu"))
    return seconds


LOOPS = {"evaluator": evaluator_train, "plain": plain_train, "transformers": hf_train}


def measure(preset: str, steps: int, rounds: int, threads: int,
            loops: tuple[str, ...] = tuple(LOOPS)) -> dict[str, float]:
    """Median tokens/s of each loop over `rounds` alternating rounds of `steps` steps."""
    torch.set_num_threads(threads)
    p = get_preset(preset)
    settings = TrainSettings(lr=p.lr, batch_size=p.batch_size)
    gen = torch.Generator().manual_seed(0)
    data = torch.randint(0, 256, (steps * p.batch_size, p.seq_len + 1), generator=gen)
    tokens = steps * p.batch_size * p.seq_len
    warm = data[: 3 * p.batch_size]
    for name in loops:
        LOOPS[name](p, warm, settings)
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(rounds):
        for name in loops:
            rates[name].append(tokens / LOOPS[name](p, data, settings))
    return {name: statistics.median(r) for name, r in rates.items()}


def _worker(args: tuple[str, int, int, int]) -> float:
    preset, steps, rounds, threads = args
    return measure(preset, steps, rounds, threads, ("evaluator",))["evaluator"]


def thread_study(preset: str, steps: int, rounds: int, workers: int = 2) -> None:
    """Aggregate tokens/s of `workers` concurrent evaluator loops at 1 and 2 threads each."""
    ctx = mp.get_context("spawn")
    for threads in (1, 2):
        with ctx.Pool(workers) as pool:
            start = time.perf_counter()
            per = pool.map(_worker, [(preset, steps, rounds, threads)] * workers)
            wall = time.perf_counter() - start
        print(f"thread study: {workers} workers x {threads} thread(s): "
              f"{sum(per):.0f} tokens/s in all ({', '.join(f'{r:.0f}' for r in per)} each; "
              f"{wall:.0f} s wall)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="cpu-tiny")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--thread-study", action="store_true")
    args = parser.parse_args()
    if args.thread_study:
        thread_study(args.preset, args.steps, args.rounds)
    p = get_preset(args.preset)
    rates = measure(args.preset, args.steps, args.rounds, args.threads)
    print(f"preset {p.name}: {p.layers} layers x {p.hidden}, batch {p.batch_size} x "
          f"{p.seq_len} tokens, {args.steps} steps x {args.rounds} rounds, "
          f"{args.threads} thread(s), median of rounds")
    for name, rate in rates.items():
        print(f"{name:>12}: {rate:8.0f} tokens/s  ({rate / rates['plain']:.2f}x plain)")
    print(f"ratio {rates['evaluator'] / rates['plain']:.3f}")


if __name__ == "__main__":
    main()
