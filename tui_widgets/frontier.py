"""The Frontier plot: is the search still improving, and which island leads?

One objective: each island's best-so-far (search split, fidelity 0) against the number of
search evaluations, drawn as steps, with the migrations that admitted someone marked on the
receiving island's line. Two or more objectives: every scored candidate on the first two
objectives, the non-dominated ones joined as the frontier (RunReader.frontier decides which).
"""

from __future__ import annotations

from bisect import bisect_right

from textual_plotext import PlotextPlot

from tui_widgets.watch import RunWatch

#: plotext colour names, one per island (cycled)
ISLAND_COLORS = ("cyan", "orange", "green", "magenta", "blue", "red", "yellow", "white")

#: a positive curve spanning this ratio or more is drawn on a log scale
LOG_RATIO = 20.0


class FrontierPlot(PlotextPlot):
    """Redrawn from a RunWatch whenever a poll brings new evaluations or migrations."""

    DEFAULT_CSS = """
    FrontierPlot {
        height: 1fr;
        min-height: 8;
    }
    """

    def show(self, watch: RunWatch) -> None:
        plt = self.plt
        plt.clear_figure()
        if len(watch.objectives) > 1:
            self._pareto(watch)
        else:
            self._curves(watch)
        self.refresh()

    def _curves(self, watch: RunWatch) -> None:
        plt = self.plt
        obj = watch.primary
        name = f"{obj.name} ({obj.direction})" if obj else "?"
        if not any(watch.curves.values()):
            plt.title(f"best-so-far {name}: waiting for the first scored evaluation")
            return
        values = [y for i in watch.curves for _, y in watch.curve(i)]
        log = min(values) > 0 and max(values) / min(values) >= LOG_RATIO
        if log:  # early random candidates would squash the part where the search works
            plt.yscale("log")
        plt.title(f"best-so-far {name}{' (log)' if log else ''} · search, fidelity 0"
                  " · x: migrants in")
        plt.xlabel("search evaluations")
        for i in sorted(watch.curves):
            points = watch.curve(i)
            color = ISLAND_COLORS[i % len(ISLAND_COLORS)]
            plt.plot([x for x, _ in points], [y for _, y in points], label=f"island {i}",
                     color=color, marker="braille")
        marks = [(at, value_at(watch.curve(dest), at)) for at, _, dest, n in watch.migrations
                 if n and dest in watch.curves]
        marks = [(x, y) for x, y in marks if y is not None]
        if marks:
            plt.scatter([x for x, _ in marks], [y for _, y in marks], marker="x", color="white")

    def _pareto(self, watch: RunWatch) -> None:
        plt = self.plt
        ox, oy = watch.objectives[:2]
        plt.xlabel(f"{ox.name} ({ox.direction})")
        plt.ylabel(f"{oy.name} ({oy.direction})")
        points = [ev.objectives for _, ev in watch.rows.values()
                  if ev.ok and ox.name in ev.objectives and oy.name in ev.objectives]
        if not points:
            plt.title("Pareto front: waiting for the first scored evaluation")
            return
        plt.title(f"Pareto front · search split · {len(watch.frontier_ids)} non-dominated")
        plt.scatter([p[ox.name] for p in points], [p[oy.name] for p in points],
                    marker="dot", color="gray", label="candidates")
        front = sorted(
            (watch.rows[cid][1].objectives for cid in watch.frontier_ids if cid in watch.rows),
            key=lambda p: p[ox.name],
        )
        if front:
            plt.plot([p[ox.name] for p in front], [p[oy.name] for p in front],
                     marker="braille", color="cyan", label="frontier")
            plt.scatter([p[ox.name] for p in front], [p[oy.name] for p in front],
                        marker="x", color="cyan")


def value_at(curve: list[tuple[int, float]], x: int) -> float | None:
    """A step curve's value at evaluation `x` (None before its first point)."""
    i = bisect_right([px for px, _ in curve], x)
    return curve[i - 1][1] if i else None
