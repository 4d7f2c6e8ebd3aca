"""Proxy language models for short pretraining runs: Llama presets and a compact Llama module.

A preset is described as a `transformers.LlamaConfig`, so a trained proxy is an ordinary
Llama (`to_hf_state_dict` loads into `LlamaForCausalLM`). Training runs on `ProxyLM`, a
compact module with the same mathematics (RMSNorm, RoPE, grouped-query SDPA attention, SwiGLU)
but fused q/k/v and gate/up projections: on a CPU the many small kernels of the
`transformers` module cost about a fifth of the throughput, which a mixture search pays on
every one of its hundreds of runs.

Presets follow Dhara-70M's depth-over-width finding: at a fixed parameter count, a deep
narrow model learns more per token than a wide shallow one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

#: byte-level vocabulary: 256 byte values, then the document separator; padded to a multiple
#: of 8 so the embedding and head matrices are aligned
BYTE_VOCAB = 264
DOC_SEPARATOR = 256


@dataclass(frozen=True)
class ProxyPreset:
    """The shape and training defaults of one proxy model."""

    name: str
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    intermediate: int
    seq_len: int
    batch_size: int
    lr: float
    #: "bytes" (nothing to download) or a hub tokenizer name
    tokenizer: str = "bytes"
    vocab_size: int = BYTE_VOCAB
    tie_embeddings: bool = True
    #: std of the initial token embeddings (Llama: 0.02, like every other matrix)
    embed_std: float = 0.02
    rope_theta: float = 10_000.0
    #: "cpu" or "cuda": where the preset is meant to run (and what it asks Ray for)
    device: str = "cpu"
    #: default token budgets of the fidelity levels, cheapest first (one level: no
    #: successive halving; see evaluators/pretrain/evaluator.py for why cpu-tiny has one)
    budgets: tuple[int, ...] = (196_608,)
    #: held-out tokens scored per domain and evaluation, spread over the held-out part
    eval_tokens: int = 8192

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


PRESETS: dict[str, ProxyPreset] = {
    # Deep and narrow: 8 layers of width 64 (~0.4M parameters), 64-byte context, 512 tokens
    # a step. At this scale the number of steps, not the tokens per step, limits learning,
    # so batches are small; one core trains it on 16k tokens in about 1 s
    # (see bench/RESULTS.md). Budgets: at 196k tokens candidates differ 4x more than seeds,
    # below ~100k about as much. Untied embeddings drawn at unit scale: with Llama's tied
    # 0.02-scale embeddings a model this small sits on a unigram plateau for a hundred
    # steps and leaves it at a seed-dependent moment, which measured as 3-5x the
    # seed-to-seed spread of the final loss.
    "cpu-tiny": ProxyPreset(
        name="cpu-tiny", hidden=64, layers=8, heads=4, kv_heads=2, intermediate=176,
        seq_len=64, batch_size=8, lr=5e-3, tie_embeddings=False, embed_std=1.0,
    ),
    # Shaped like Dhara-70M / GPT-2-70M: 32 layers of width 384, SmolLM2's 49k tokenizer.
    "gpu-70m": ProxyPreset(
        name="gpu-70m", hidden=384, layers=32, heads=6, kv_heads=2, intermediate=1024,
        seq_len=1024, batch_size=32, lr=3e-3, tokenizer="HuggingFaceTB/SmolLM2-135M",
        vocab_size=49152, device="cuda", budgets=(25_165_824, 100_663_296),
        eval_tokens=1_048_576,
    ),
}


def get_preset(name: str) -> ProxyPreset:
    if name not in PRESETS:
        raise ValueError(f"preset: unknown {name!r}; allowed: {', '.join(PRESETS)}")
    return PRESETS[name]


def llama_config(preset: ProxyPreset) -> Any:
    """The preset as a `transformers.LlamaConfig` (imported late: it is slow to import)."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=preset.vocab_size, hidden_size=preset.hidden,
        intermediate_size=preset.intermediate, num_hidden_layers=preset.layers,
        num_attention_heads=preset.heads, num_key_value_heads=preset.kv_heads,
        max_position_embeddings=preset.seq_len, rope_theta=preset.rope_theta,
        tie_word_embeddings=preset.tie_embeddings, rms_norm_eps=1e-5,
        attention_bias=False, mlp_bias=False, hidden_act="silu", initializer_range=0.02,
    )


def rope_tables(head_dim: int, seq_len: int, theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin of shape (seq_len, head_dim) in Llama's half-split layout."""
    inv = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    freqs = torch.outer(torch.arange(seq_len, dtype=torch.float32), inv)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


class Block(nn.Module):
    """One Llama decoder layer with fused projections."""

    def __init__(self, p: ProxyPreset) -> None:
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = p.heads, p.kv_heads, p.head_dim
        self.attn_norm = nn.RMSNorm(p.hidden, eps=1e-5)
        self.qkv = nn.Linear(p.hidden, (p.heads + 2 * p.kv_heads) * p.head_dim, bias=False)
        self.o_proj = nn.Linear(p.heads * p.head_dim, p.hidden, bias=False)
        self.mlp_norm = nn.RMSNorm(p.hidden, eps=1e-5)
        self.gate_up = nn.Linear(p.hidden, 2 * p.intermediate, bias=False)
        self.down = nn.Linear(p.intermediate, p.hidden, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        qkv = self.qkv(self.attn_norm(x)).view(b, t, self.heads + 2 * self.kv_heads,
                                               self.head_dim).transpose(1, 2)
        qk, v = qkv.split((self.heads + self.kv_heads, self.kv_heads), dim=1)
        q, k = apply_rope(qk, cos, sin).split((self.heads, self.kv_heads), dim=1)  # one pass
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True,
                                             enable_gqa=self.kv_heads != self.heads)
        x = x + self.o_proj(att.transpose(1, 2).reshape(b, t, -1))
        gate, up = self.gate_up(self.mlp_norm(x)).chunk(2, dim=-1)
        return x + self.down(F.silu(gate) * up)


class ProxyLM(nn.Module):
    """A Llama causal LM; `forward(tokens, targets)` returns the mean cross-entropy."""

    def __init__(self, preset: ProxyPreset) -> None:
        super().__init__()
        self.preset = preset
        self.embed = nn.Embedding(preset.vocab_size, preset.hidden)
        self.blocks = nn.ModuleList(Block(preset) for _ in range(preset.layers))
        self.norm = nn.RMSNorm(preset.hidden, eps=1e-5)
        self.head = nn.Linear(preset.hidden, preset.vocab_size, bias=False)
        if preset.tie_embeddings:
            self.head.weight = self.embed.weight
        cos, sin = rope_tables(preset.head_dim, preset.seq_len, preset.rope_theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Llama's initialisation (normal, std 0.02; norms at 1; the embeddings at the
        preset's `embed_std`) from `generator`.

        Drawing every tensor from one seeded generator in a fixed order gives the same
        initial weights to every candidate that shares a seed (common random numbers).
        """
        with torch.no_grad():
            for name, param in self.named_parameters():
                if name.endswith("norm.weight"):
                    param.fill_(1.0)
                elif name == "embed.weight":
                    param.normal_(0.0, self.preset.embed_std, generator=generator)
                else:
                    param.normal_(0.0, 0.02, generator=generator)

    def logits(self, tokens: torch.Tensor) -> torch.Tensor:
        t = tokens.shape[1]
        cos, sin = self.cos[:t], self.sin[:t]
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.head(self.norm(x))

    def forward(self, tokens: torch.Tensor, targets: torch.Tensor,
                weights: torch.Tensor | None = None) -> torch.Tensor:
        """Mean cross-entropy; with `weights` (one per row), the weighted mean of the rows'."""
        logits = self.logits(tokens).float()
        if weights is None:
            return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))
        per_token = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1),
                                    reduction="none")
        return (per_token.view(targets.shape).mean(dim=1) * weights).mean()

    def to_hf_state_dict(self) -> dict[str, torch.Tensor]:
        """Weights under `LlamaForCausalLM`'s names (fused projections split back)."""
        p = self.preset
        q, kv = p.heads * p.head_dim, p.kv_heads * p.head_dim
        out = {"model.embed_tokens.weight": self.embed.weight,
               "model.norm.weight": self.norm.weight, "lm_head.weight": self.head.weight}
        for i, blk in enumerate(self.blocks):
            pre = f"model.layers.{i}."
            wq, wk, wv = blk.qkv.weight.split((q, kv, kv), dim=0)
            gate, up = blk.gate_up.weight.chunk(2, dim=0)
            out.update({
                pre + "input_layernorm.weight": blk.attn_norm.weight,
                pre + "self_attn.q_proj.weight": wq, pre + "self_attn.k_proj.weight": wk,
                pre + "self_attn.v_proj.weight": wv,
                pre + "self_attn.o_proj.weight": blk.o_proj.weight,
                pre + "post_attention_layernorm.weight": blk.mlp_norm.weight,
                pre + "mlp.gate_proj.weight": gate, pre + "mlp.up_proj.weight": up,
                pre + "mlp.down_proj.weight": blk.down.weight,
            })
        return {k: v.detach().clone() for k, v in out.items()}


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
