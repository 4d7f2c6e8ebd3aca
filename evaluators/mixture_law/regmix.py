"""The RegMix proxy runs (`../shared/data/regmix`) as evaluator options, for tests, benchmarks
and users who want the real data at hand: 17 Pile domains, 512 training runs and 256 test
runs of ~1M-parameter models (and the same 256 test mixtures trained at 60M)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluators.shared_data import shared_data

DOMAINS = (
    "arxiv", "freelaw", "nih_exporter", "pubmed_central", "wikipedia_en", "dm_mathematics",
    "github", "philpapers", "stackexchange", "enron_emails", "gutenberg_pg_19", "pile_cc",
    "ubuntu_irc", "europarl", "hackernews", "pubmed_abstracts", "uspto_backgrounds",
)
MIXTURE_PREFIX = "train_the_pile_"
#: the loss RegMix ranks mixtures by: validation loss on Pile-CC
PILE_CC = "metric/the_pile_pile_cc_val_loss"
REPORTS = ("test_1m", "test_60m", None)


def data_dir() -> Path | None:
    """`$ARCHIPELAGO_DATA/regmix`, else `<repo>/../shared/data/regmix`; None when absent."""
    path = shared_data("regmix")
    return path if (path / "train_mixture_1m.csv").is_file() else None


def regmix_options(directory: Path, target: str | list[str] = PILE_CC,
                   report: str | None = "test_1m", **options: Any) -> dict[str, Any]:
    """Options of a law fitted on the 512 training runs; the report split asks a law fitted
    on the 256 test runs (`test_1m` or `test_60m`), never seen by the search."""
    if report not in REPORTS:
        raise ValueError(f"report: unknown {report!r}; allowed: test_1m, test_60m, None")
    out: dict[str, Any] = {
        "mixtures": str(directory / "train_mixture_1m.csv"),
        "losses": str(directory / "train_pile_loss_1m.csv"),
        "mixture_prefix": MIXTURE_PREFIX, "target": target,
    }
    if report is not None:
        size = report.split("_")[1]
        out["report_mixtures"] = str(directory / f"test_mixture_{size}.csv")
        out["report_losses"] = str(directory / f"test_pile_loss_{size}.csv")
    out.update(options)
    return out
