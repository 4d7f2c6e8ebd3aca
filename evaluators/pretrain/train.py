"""The training run: a mixture -> examples in a seeded order -> a proxy trained -> losses.

Common random numbers live here. For one seed, every candidate gets the same initial
weights and, within each domain, the same sequence of examples (a seeded permutation of the
domain's windows, a fresh one per epoch); a mixture only decides how many examples each
domain contributes and where they fall in the run. The domains are interleaved evenly
(stratified), not shuffled, so moving a little weight moves a few examples, not all of them:
two nearby mixtures train on nearly the same batches, and their difference is the mixture's.

The loop does no per-step host work: the examples are gathered into one tensor up front, the
learning rates are a precomputed list, nothing reads a value back until the end.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import torch

from evaluators.pretrain.corpus import DomainData
from models.proxy_lm import ProxyLM, ProxyPreset
from models.schedule import wsd_schedule


@dataclass(frozen=True)
class TrainSettings:
    """Optimiser and schedule of a run (AdamW with a warmup-stable-decay rate)."""

    lr: float
    batch_size: int
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    warmup: float = 0.05
    decay: float = 0.2


@dataclass
class TrainResult:
    train_loss: float
    tokens: int
    seconds: float
    #: domain -> mean cross-entropy (nats per token) on the evaluated held-out windows
    losses: dict[str, float] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def allocate(weights: Mapping[str, float], n: int) -> dict[str, int]:
    """`n` examples split by weight, rounded by largest remainder (the counts sum to n)."""
    total = sum(weights.values())
    exact = {d: n * w / total for d, w in weights.items()}
    counts = {d: int(x) for d, x in exact.items()}
    rest = n - sum(counts.values())
    for d in sorted(exact, key=lambda d: (counts[d] - exact[d], list(exact).index(d)))[:rest]:
        counts[d] += 1
    return counts


def epochs_of(counts: Mapping[str, int], data: Mapping[str, DomainData],
              seq_len: int) -> dict[str, float]:
    """How many passes over each domain's training part the counts imply."""
    return {d: counts[d] * seq_len / max(1, len(data[d].tokens["train"]) - 1) for d in counts}


def domain_order(n_windows: int, count: int, seed: int, domain: str) -> np.ndarray:
    """The first `count` window indices of a domain for a seed: a new permutation per epoch.

    The generator is keyed by (seed, domain) only, so a domain's example order does not
    depend on the mixture or on the other domains.
    """
    rng = np.random.default_rng([seed, zlib.crc32(domain.encode())])
    epochs = -(-count // n_windows) if count else 0
    order = np.concatenate([rng.permutation(n_windows) for _ in range(epochs)] or [[]])
    return order[:count].astype(np.int64)


def interleave(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """(domain, k) pairs spreading each domain's examples evenly over the run."""
    keys = [((k + 0.5) / c, i, d, k) for i, (d, c) in enumerate(counts.items()) for k in range(c)]
    return [(d, k) for _, _, d, k in sorted(keys)]


def build_examples(counts: Mapping[str, int], data: Mapping[str, DomainData], seq_len: int,
                   seed: int) -> tuple[torch.Tensor, list[str]]:
    """All training examples of the run, in order: an (n, seq_len + 1) tensor of token ids,
    and the domain of each row."""
    picked: dict[str, np.ndarray] = {}
    for d, c in counts.items():
        if c == 0:
            continue
        train = data[d].tokens["train"]
        n_windows = (len(train) - 1) // seq_len
        if n_windows < 1:
            raise ValueError(f"domain {d!r}: its training part ({len(train)} tokens) is shorter "
                             f"than one sequence of {seq_len + 1}")
        starts = domain_order(n_windows, c, seed, d) * seq_len
        picked[d] = train[starts[:, None] + np.arange(seq_len + 1)[None, :]]
    order = interleave({d: c for d, c in counts.items() if c})
    rows = [picked[d][k] for d, k in order]
    return torch.from_numpy(np.stack(rows).astype(np.int64)), [d for d, _ in order]


def example_weights(mixture: Mapping[str, float], counts: Mapping[str, int],
                    domains: list[str]) -> torch.Tensor:
    """Importance weights that make examples drawn by `counts` train on `mixture`.

    With every domain drawn equally often (counts) and each example's loss weighted by
    mixture share / drawn share, the expected gradient is the mixture's (DoReMi trains its
    proxy this way), while every candidate trains on the very same batches: mixtures then
    differ only in their weights, not in which examples a chaotic short run happens to see.
    """
    total_w = sum(mixture.values())
    n = sum(counts.values())
    ratio = {d: (mixture[d] / total_w) / (counts[d] / n) for d in counts if counts[d]}
    return torch.tensor([ratio[d] for d in domains], dtype=torch.float32)


def make_optimizer(model: torch.nn.Module, settings: TrainSettings,
                   device: torch.device) -> torch.optim.Optimizer:
    """AdamW, the fused kernel where torch has one (CPU and CUDA); no decay on norms."""
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": settings.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=settings.lr, betas=settings.betas, fused=True)


def train_model(model: ProxyLM, examples: torch.Tensor, settings: TrainSettings,
                device: torch.device, weights: torch.Tensor | None = None,
                compile_model: bool = False) -> tuple[float, float]:
    """Train on `examples` in order, each row's loss scaled by `weights` if given; returns
    (mean loss of the last tenth of steps, seconds).

    `compile_model` runs the model through torch.compile: worth it on a GPU, where a run is
    long; on a CPU the first compilation costs ~40 s per process, more than a cheap run."""
    bs = settings.batch_size
    steps = max(1, len(examples) // bs)
    rates = wsd_schedule(steps, settings.lr, warmup=settings.warmup, decay=settings.decay)
    optimizer = make_optimizer(model, settings, device)
    examples = examples.to(device, non_blocking=True)
    if weights is not None:
        weights = weights.to(device, non_blocking=True)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    tail_from = steps - max(1, steps // 10)
    tail = torch.zeros((), device=device)
    model.train()
    forward = torch.compile(model) if compile_model else model
    start = time.perf_counter()
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = rates[step]
        batch = examples[step * bs:(step + 1) * bs]
        w = None if weights is None else weights[step * bs:(step + 1) * bs]
        with autocast:
            loss = forward(batch[:, :-1], batch[:, 1:], w)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if step >= tail_from:
            tail += loss.detach()
    tail_mean = float(tail) / (steps - tail_from)  # the one read-back, after the loop
    return tail_mean, time.perf_counter() - start  # float() waited for the device


@torch.inference_mode()
def held_out_loss(model: ProxyLM, windows: np.ndarray, device: torch.device,
                  batch_size: int) -> float:
    """Mean cross-entropy per token over held-out windows (nats)."""
    model.eval()
    data = torch.from_numpy(windows.astype(np.int64)).to(device)
    total = torch.zeros((), device=device, dtype=torch.float64)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    for start in range(0, len(data), batch_size):
        batch = data[start:start + batch_size]
        with autocast:
            total += model(batch[:, :-1], batch[:, 1:]).double() * len(batch)
    return float(total) / max(1, len(data))


def run_training(preset: ProxyPreset, settings: TrainSettings, examples: torch.Tensor,
                 held_out: Mapping[str, np.ndarray], seed: int, device: torch.device,
                 weights: torch.Tensor | None = None,
                 compile_model: bool = False) -> TrainResult:
    """A fresh proxy initialised from `seed`, trained on `examples`, scored on `held_out`."""
    generator = torch.Generator().manual_seed(seed)
    model = ProxyLM(preset)
    model.reset_parameters(generator)
    model.to(device)
    train_loss, seconds = train_model(model, examples, settings, device, weights,
                                      compile_model)
    steps = max(1, len(examples) // settings.batch_size)
    losses = {d: held_out_loss(model, w, device, settings.batch_size * 2)
              for d, w in held_out.items()}
    return TrainResult(train_loss, steps * settings.batch_size * preset.seq_len, seconds, losses)
