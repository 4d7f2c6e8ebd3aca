"""Domain specs: local files and folders are read; bad specs fail before a run, clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.pretrain.corpus import cut_pieces, split_documents
from evaluators.pretrain.domains import (
    DomainError,
    check_domain,
    iter_documents,
    resolve_domains,
    resolve_one,
)
from evolver.config import ConfigError, RunConfig


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_local_sources_of_every_kind_are_read(tmp_path: Path) -> None:
    import pandas as pd

    write_jsonl(tmp_path / "a.jsonl", [{"body": "first"}, {"body": ""}, {"body": "second"}])
    pd.DataFrame({"body": ["third", "fourth"]}).to_parquet(tmp_path / "b.parquet")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "x.txt").write_text("a text file")
    (folder / "y.md").write_text("# a markdown file")
    (folder / "skip.bin").write_bytes(b"\x00")
    specs = resolve_domains(["a", "b", "notes"], {
        "a": {"path": str(tmp_path / "a.jsonl"), "field": "body"},
        "b": {"path": str(tmp_path / "b.parquet"), "field": "body"},
        "notes": str(folder),
    })
    for spec in specs:
        check_domain(spec)
    docs = {s.name: list(iter_documents(s)) for s in specs}
    assert docs == {"a": ["first", "second"], "b": ["third", "fourth"],
                    "notes": ["a text file", "# a markdown file"]}


def test_names_resolve_to_offline_and_hub_sources() -> None:
    code, pdfs, other = resolve_domains(["code", "finepdfs", "x"], {"x": "hf:org/set:cfg"})
    assert code.kind == "offline"
    assert (pdfs.kind, pdfs.dataset) == ("hub", "codelion/finepdfs-1B")
    assert (other.kind, other.dataset, other.config) == ("hub", "org/set", "cfg")


@pytest.mark.parametrize(("source", "message"), [
    ("{tmp}/missing.jsonl", r"domain 'd': no such file or folder .*missing\.jsonl"),
    ("{tmp}/wrong.jsonl", r"domain 'd': unknown field 'text' in .*wrong\.jsonl line 1; "
                          r"fields: body, url"),
    ("{tmp}/empty.txt", r"domain 'd': .*empty\.txt has no text$"),
    ("{tmp}/blank.jsonl", r"domain 'd': .*blank\.jsonl has no text \(field 'text' is empty"),
    ("{tmp}/bad.jsonl", r"domain 'd': .*bad\.jsonl line 2: not JSON"),  # after a blank line
    ("{tmp}/data.csv", r"domain 'd': .*data\.csv has suffix '\.csv'; allowed: \.txt, \.md"),
    ("{tmp}/emptydir", r"domain 'd': folder .*emptydir holds no \.txt"),
])
def test_bad_local_sources_fail_with_one_clear_line(tmp_path: Path, source: str,
                                                    message: str) -> None:
    write_jsonl(tmp_path / "wrong.jsonl", [{"body": "x", "url": "u"}])
    write_jsonl(tmp_path / "blank.jsonl", [{"text": ""}, {"text": "  "}])
    (tmp_path / "bad.jsonl").write_text('\n{not json\n')
    (tmp_path / "empty.txt").write_text("\n\n")
    (tmp_path / "data.csv").write_text("text\nx\n")
    (tmp_path / "emptydir").mkdir()
    (spec,) = resolve_domains(["d"], {"d": source.format(tmp=tmp_path)})
    with pytest.raises(DomainError, match=message):
        check_domain(spec)


@pytest.mark.parametrize(("names", "sources", "message"), [
    (["zzz"], None, r"domain 'zzz': no source; give evaluator_options\.sources\.zzz"),
    (["a"], {"a": {"path": "x", "feild": "t"}}, r"sources\.a: unknown key 'feild'; allowed:"),
    (["a"], {"a": {"path": "x", "dataset": "y"}}, r"exactly one of 'dataset' .* or 'path'"),
    (["a"], {"a": {"path": "x", "docs": 0}}, r"sources\.a\.docs: 0; allowed: an integer >= 1"),
    (["a"], {"b": "x"}, r"sources: 'b' is not a domain of this run; domains: a"),
    (["a"], {"a": 3}, r"sources\.a: 3; allowed: a path"),
])
def test_bad_specs_are_refused(names: list[str], sources: dict | None, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        resolve_domains(names, sources)


def test_an_unreachable_hub_dataset_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    spec = resolve_one("pdf", "hf:no-such-org/no-such-set")
    with pytest.raises(DomainError, match=r"domain 'pdf': cannot read hub dataset "
                                          r"'no-such-org/no-such-set'"):
        check_domain(spec)


def test_a_bad_source_fails_the_config_before_the_run(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"text": "fine " * 50}] * 60)
    config = RunConfig(target="mix", domains=["a", "b"], evaluator="pretrain",
                       evaluator_options={"sources": {"a": str(tmp_path / "a.jsonl"),
                                                      "b": str(tmp_path / "gone.jsonl")},
                                          "cache_dir": str(tmp_path / "cache")})
    from evaluators.pretrain import PretrainEvaluator

    with pytest.raises(ConfigError, match=r"domain 'b': no such file or folder .*gone\.jsonl"):
        PretrainEvaluator.from_config(config)
    bad = config.replace(evaluator_options={"sources": {}, "prest": "cpu-tiny"})
    with pytest.raises(ConfigError, match=r"unknown 'prest' for evaluator pretrain; allowed: "
                                          r"preset, fidelities"):
        PretrainEvaluator.from_config(bad)


def test_held_out_parts_are_whole_documents_never_in_training() -> None:
    import numpy as np

    docs = [f"document {i} " * 40 for i in range(200)]
    train, val, test = split_documents("d", docs, 2000, np.random.default_rng(0))
    assert val and test and train
    assert not (set(val) & set(train)) and not (set(test) & set(train))
    assert not set(val) & set(test)
    assert sorted(train + val + test) == sorted(docs)
    # a few long documents are cut into pieces first, so they can still be split
    pieces = cut_pieces(["line\n" * 5000])
    assert len(pieces) > 3 and "".join(pieces) == "line\n" * 5000
    train, val, test = split_documents("d", ["line\n" * 5000], 2000, np.random.default_rng(0))
    assert val and test and train


def test_offline_domains_build_once_and_differ(tmp_path: Path) -> None:
    """The four embedded domains build from this installation, cache, and are distinct."""
    import numpy as np

    from evaluators.pretrain.corpus import CorpusOptions, corpus_path, load_corpus

    options = CorpusOptions(offline_bytes=40_000, holdout_bytes=4_000, cache_dir=str(tmp_path))
    specs = resolve_domains(["code", "docs", "web", "math"], None)
    data = {s.name: load_corpus(s, options) for s in specs}
    stamps = {s.name: corpus_path(s, options).stat().st_mtime_ns for s in specs}
    for d in data.values():
        assert all(len(d.tokens[split]) > 1000 for split in ("train", "val", "test"))
    digits = {n: np.isin(d.tokens["train"], np.arange(48, 58)).mean() for n, d in data.items()}
    spaces = {n: (d.tokens["train"] == 32).mean() for n, d in data.items()}
    assert max(digits, key=digits.__getitem__) == "math"
    assert max(spaces, key=spaces.__getitem__) == "code"  # indentation
    assert "def " in bytes(data["code"].tokens["train"][:20_000].astype(np.uint8)).decode(
        "utf-8", "replace")
    again = load_corpus(specs[0], options)  # from the cache: same arrays, no rebuild
    assert np.array_equal(again.tokens["train"], data["code"].tokens["train"])
    assert {s.name: corpus_path(s, options).stat().st_mtime_ns for s in specs} == stamps
