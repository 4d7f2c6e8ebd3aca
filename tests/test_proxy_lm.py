"""The proxy LM is a Llama (same outputs as transformers'), seeded, and the WSD schedule."""

from __future__ import annotations

import pytest
import torch

from models.proxy_lm import PRESETS, ProxyLM, count_parameters, get_preset, llama_config
from models.schedule import wsd_lr, wsd_schedule


def test_proxy_matches_transformers_llama_with_the_same_weights() -> None:
    """The compact module is the Llama architecture: exported weights give the same logits."""
    from transformers import LlamaForCausalLM

    preset = get_preset("cpu-tiny")  # grouped-query attention: 4 heads, 2 key/value heads
    model = ProxyLM(preset)
    model.reset_parameters(torch.Generator().manual_seed(3))
    hf = LlamaForCausalLM(llama_config(preset))
    hf.load_state_dict(model.to_hf_state_dict(), strict=True)
    tokens = torch.randint(0, 256, (2, preset.seq_len), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ours = model.logits(tokens)
        theirs = hf(tokens).logits
    assert torch.allclose(ours, theirs, atol=1e-5), (ours - theirs).abs().max()


def test_initialisation_is_a_function_of_the_seed() -> None:
    preset = get_preset("cpu-tiny")
    weights = []
    for seed in (7, 7, 8):
        model = ProxyLM(preset)
        model.reset_parameters(torch.Generator().manual_seed(seed))
        weights.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])


def test_weighted_loss_is_the_weighted_mean_of_row_losses() -> None:
    preset = get_preset("cpu-tiny")
    model = ProxyLM(preset)
    model.reset_parameters(torch.Generator().manual_seed(0))
    x = torch.randint(0, 256, (3, 17), generator=torch.Generator().manual_seed(1))
    rows = torch.stack([model(x[i:i + 1, :-1], x[i:i + 1, 1:]) for i in range(3)])
    w = torch.tensor([0.5, 2.0, 0.5])
    assert torch.allclose(model(x[:, :-1], x[:, 1:], w), (rows * w).mean(), atol=1e-6)
    assert torch.allclose(model(x[:, :-1], x[:, 1:], torch.ones(3)), rows.mean(), atol=1e-6)


def test_presets() -> None:
    tiny = PRESETS["cpu-tiny"]
    assert tiny.tokenizer == "bytes" and tiny.layers > tiny.hidden // 16  # deep and narrow
    with torch.device("meta"):  # shape only: no memory, no download
        big = ProxyLM(PRESETS["gpu-70m"])
    assert 60e6 < count_parameters(big) < 90e6  # the 70M class of Dhara-70M / GPT-2-70M
    assert PRESETS["gpu-70m"].device == "cuda" and PRESETS["gpu-70m"].tokenizer != "bytes"
    with pytest.raises(ValueError, match="preset: unknown 'nope'; allowed: cpu-tiny"):
        get_preset("nope")


def test_wsd_schedule_warms_up_holds_and_decays() -> None:
    rates = wsd_schedule(100, 1.0, warmup=0.1, decay=0.2, final=0.0)
    assert rates[0] == pytest.approx(0.1) and rates[9] == pytest.approx(1.0)
    assert all(r == 1.0 for r in rates[10:80])
    tail = rates[80:]
    assert all(a > b for a, b in zip(tail, tail[1:], strict=False)) and 0 < tail[-1] < 0.1
    linear = [wsd_lr(s, 100, 2.0, warmup=0.0, decay=0.5, final=0.5, shape="linear")
              for s in range(100)]
    assert linear[0] == 2.0 and linear[-1] == pytest.approx(1.0 + 1.0 / 100, abs=0.02)
    with pytest.raises(ValueError, match="shape: unknown 'cos'"):
        wsd_lr(0, 10, 1.0, shape="cos")
    with pytest.raises(ValueError, match="total: 0"):
        wsd_lr(0, 0, 1.0)
