"""Backends by name. Ray is imported only when the `ray` backend is asked for."""

from __future__ import annotations

from islands.backends.base import Backend, Executor, IslandHandle


def make_backend(name: str, address: str | None = None) -> Backend:
    if name == "local":
        from islands.backends.local import LocalBackend

        return LocalBackend()
    if name == "ray":
        from islands.backends.ray_backend import RayBackend

        return RayBackend(address)
    raise ValueError(f"backend: unknown {name!r}; allowed: local, ray")


__all__ = ["Backend", "Executor", "IslandHandle", "make_backend"]
