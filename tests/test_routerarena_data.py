"""RouterArena data: bad input errors, the synthetic default, family-stratified splits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from evaluators.routerarena.data import DataError, load_data, load_dir, model_names
from evaluators.routerarena.splits import folds, holdout_mask
from evaluators.routerarena.synthetic import MODELS, generate, write_dir
from models.router_metrics import headline, oracle_choice


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_dir(generate(seed=3, n=60), tmp_path / "data")


def _rewrite(path: Path, line: int, change) -> None:  # noqa: ANN001
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    change(rows[line - 1])
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_written_synthetic_data_reads_back_the_same(folder: Path) -> None:
    data, back = generate(seed=3, n=60), load_dir(folder)
    assert back.models == sorted(MODELS) and model_names(str(folder)) == sorted(MODELS)
    order = [data.models.index(m) for m in back.models]
    assert back.ids == data.ids and back.questions == data.questions
    assert np.allclose(back.scores, data.scores[:, order])
    assert np.allclose(back.costs, data.costs[:, order])


def test_routerarena_repository_layout_and_pricing_from_tokens(folder: Path,
                                                                tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "cached_results").mkdir(parents=True)
    (repo / "model_cost").mkdir()
    (folder / "cost.json").rename(repo / "model_cost" / "cost.json")
    for p in folder.glob("*.jsonl"):
        p.rename(repo / "cached_results" / p.name)
    path = repo / "cached_results" / "synthetic-max.jsonl"
    _rewrite(path, 1, lambda r: (r["evaluation_result"].pop("inference_cost"),
                                 r.update(token_usage={"input_tokens": 1000,
                                                       "output_tokens": 2000})))
    data = load_dir(repo)
    assert data.costs[0, data.models.index("synthetic-max")] == pytest.approx(
        (1000 * 3.0 + 2000 * 15.0) / 1e6)


@pytest.mark.parametrize(("field", "drop"), [
    ("evaluation_result.score", lambda r: r["evaluation_result"].pop("score")),
    ("global_index", lambda r: r.pop("global_index")),
    ("question", lambda r: r.pop("question")),
])
def test_missing_field_names_the_file_and_row(folder: Path, field: str, drop) -> None:  # noqa: ANN001
    _rewrite(folder / "synthetic-mini.jsonl", 7, drop)
    with pytest.raises(DataError, match=rf"synthetic-mini\.jsonl line 7: missing field '{field}'"):
        load_dir(folder)


def test_a_score_that_is_not_a_number_names_the_row(folder: Path) -> None:
    _rewrite(folder / "synthetic-nano.jsonl", 2,
             lambda r: r["evaluation_result"].update(score="right"))
    with pytest.raises(DataError, match=r"synthetic-nano\.jsonl line 2: field "
                                        r"'evaluation_result.score' is 'right'"):
        load_dir(folder)


def test_disjoint_query_sets_name_the_file_row_and_query(folder: Path) -> None:
    _rewrite(folder / "synthetic-max.jsonl", 5, lambda r: r.update(global_index="Elsewhere_1"))
    with pytest.raises(DataError, match=r"synthetic-max\.jsonl line 5: query 'Elsewhere_1' is "
                                        r"not in synthetic-coder\.jsonl"):
        load_dir(folder)


def test_a_model_missing_from_cost_json_is_named(folder: Path) -> None:
    prices = json.loads((folder / "cost.json").read_text())
    del prices["synthetic-coder"]
    (folder / "cost.json").write_text(json.dumps(prices))
    with pytest.raises(DataError, match=r"cost\.json: no price for model 'synthetic-coder' "
                                        r"\(results file synthetic-coder\.jsonl\)"):
        load_dir(folder)


def test_no_results_files_or_no_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a directory"):
        load_data(str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="no <model>.jsonl results files"):
        load_dir(tmp_path)


def test_synthetic_default_is_deterministic_correlated_and_has_headroom() -> None:
    a, b, c = generate(seed=0), generate(seed=0), generate(seed=1)
    assert len(a) == 809 and a.synthetic and "synthetic" in a.source
    assert a.ids == b.ids and np.array_equal(a.scores, b.scores)
    assert not np.array_equal(a.scores, c.scores)
    assert len(set(a.families)) >= 15
    phi = [np.corrcoef(a.scores[:, i], a.scores[:, j])[0, 1]
           for i in range(4) for j in range(i + 1, 4)]
    assert 0.35 < float(np.mean(phi)) < 0.6
    oracle = headline(oracle_choice(a.scores, a.costs), a.scores, a.costs)["accuracy"]
    assert oracle > a.scores.mean(0).max() + 0.1  # a four-model oracle far above any one
    winners = {int(np.argmax([a.scores[[f == g for f in a.families], m].mean()
                              for m in range(4)])) for g in set(a.families)}
    assert len(winners) >= 3  # different models win different families
    per_1k = a.costs.mean(0) * 1000
    assert list(np.argsort(per_1k)) == [0, 1, 2, 3]  # priced nano < mini < coder < max


def test_splits_are_stratified_by_family_and_disjoint() -> None:
    families = generate(seed=0).families
    test = holdout_mask(families, 0.25, seed=0)
    assert abs(test.mean() - 0.25) < 0.01
    total, held = Counter(families), Counter(f for f, t in zip(families, test, strict=True) if t)
    for family, n in total.items():
        assert abs(held[family] - n * 0.25) <= 1, family
    rest = [f for f, t in zip(families, test, strict=True) if not t]
    fold = folds(rest, 5, seed=0)
    assert set(np.bincount(fold)) <= {len(rest) // 5, len(rest) // 5 + 1}
    for family in Counter(rest):
        counts = np.bincount(fold[[f == family for f in rest]], minlength=5)
        assert counts.max() - counts.min() <= 1, family
    assert not np.array_equal(test, holdout_mask(families, 0.25, seed=1))
    with pytest.raises(ValueError, match="test_share"):
        holdout_mask(families, 1.5, seed=0)
