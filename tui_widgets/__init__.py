"""Widgets and screens of the Archipelago TUI (`tui.py`).

`watch` reads a run incrementally through RunReader; `render` turns values and genomes into
text; the other modules are one pane each (header, frontier plot, tables, candidate detail,
lineage) and the two screens (one run, the picker of runs).
"""
