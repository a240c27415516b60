"""Distributions a scenario may give instead of a number, and the seeded stream of one key.

Owns: the value types ``LogNormal`` (``{median, p95}``), ``Uniform`` (``{min, max}``) and
``Triangular`` (``{min, mode, max}``), each with ``quantile(u)`` (the inverse CDF) and
``median``; ``Variability`` (a scenario's ``variability:`` block); ``distribution_of`` (a
schema-valid mapping → a distribution, or ``ValueError(key, reason)`` for orders a schema
cannot check: p95 below the median, min above max, a mode outside them) and ``unit_draw``
(the draw of one stream).

Theory of operation: every drawn quantity has a stable *stream key* naming what it is —
``install_minutes/KB5031364/node3``, ``boot_minutes/node2``, ``write_mb_s/vol01`` — and its
draw is ``blake2b(seed, key)`` read as a number in (0, 1), pushed through the distribution's
inverse CDF. So each key is its own seeded stream: adding a node, a VM or an update never
shifts another key's draw, no draw depends on the order in which they are made, and nothing
reads a wall clock or a process-wide random generator.

A log-normal is fitted to its two figures: ``mu = ln(median)``,
``sigma = ln(p95 / median) / 1.6449`` (the standard normal's 95th percentile), so
``p95 == median`` is a constant. A uniform draws evenly between ``min`` and ``max``; with
``mode`` it is triangular (most likely at ``mode``, never outside ``min``..``max``).

Must not: know the scenario model or the world (``simulator.variability`` applies these).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

__all__ = [
    "DRAWN_KINDS",
    "Z95",
    "Distribution",
    "LogNormal",
    "Triangular",
    "Uniform",
    "Variability",
    "distribution_of",
    "unit_draw",
]

# The standard normal distribution's 95th percentile.
Z95 = NormalDist().inv_cdf(0.95)
_NORMAL = NormalDist()

# The scenario keys whose values may be distributions (and that ``variability.spread``
# widens), in the order the README lists them.
DRAWN_KINDS = (
    "install_minutes",
    "boot_minutes",
    "soft_boot_minutes",
    "scan_minutes",
    "migration_mb_s",
    "repair_mb_s",
    "write_mb_s",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogNormal:
    """A log-normal with the given median and 95th percentile (``p95 >= median > 0``)."""

    median: float
    p95: float

    def quantile(self, u: float) -> float:
        if self.p95 == self.median:
            return self.median
        sigma = math.log(self.p95 / self.median) / Z95
        return self.median * math.exp(sigma * _NORMAL.inv_cdf(u))


@dataclass(frozen=True, slots=True, kw_only=True)
class Uniform:
    """Evenly between ``min`` and ``max`` (``min <= max``)."""

    min: float
    max: float

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def quantile(self, u: float) -> float:
        return self.min + u * (self.max - self.min)


@dataclass(frozen=True, slots=True, kw_only=True)
class Triangular:
    """Between ``min`` and ``max``, most likely at ``mode`` (``min <= mode <= max``)."""

    min: float
    mode: float
    max: float

    @property
    def median(self) -> float:
        return self.quantile(0.5)

    def quantile(self, u: float) -> float:
        low, mode, high = self.min, self.mode, self.max
        width = high - low
        if width == 0:
            return low
        if u < (mode - low) / width:
            return low + math.sqrt(u * width * (mode - low))
        return high - math.sqrt((1.0 - u) * width * (high - mode))


Distribution = LogNormal | Uniform | Triangular


@dataclass(frozen=True, slots=True, kw_only=True)
class Variability:
    """The ``variability:`` block: every value of the ``applies_to`` kinds given as a plain
    number (or left at its default) becomes a log-normal with that number as its median and
    ``spread`` times it as its 95th percentile (so its 5th percentile is the number divided
    by ``spread``). Values given as distributions keep them; ``spread: 1`` changes nothing."""

    spread: float = 1.0
    applies_to: tuple[str, ...] = DRAWN_KINDS

    def widens(self, kind: str) -> bool:
        return self.spread != 1.0 and kind in self.applies_to


def distribution_of(raw: Mapping[str, Any]) -> Distribution:
    """The distribution a schema-valid mapping gives; ``ValueError(key, reason)`` when its
    figures are out of order (the key is the one to fix)."""
    if "median" in raw:
        median, p95 = float(raw["median"]), float(raw["p95"])
        if p95 < median:
            raise ValueError(
                "p95",
                f"p95 {p95:g} is below the median {median:g}; expected p95 at least the "
                "median (the 95th percentile of a duration or rate is never below its median)",
            )
        return LogNormal(median=median, p95=p95)
    low, high = float(raw["min"]), float(raw["max"])
    if low > high:
        raise ValueError("min", f"min {low:g} is above max {high:g}; expected min at most max")
    if "mode" not in raw:
        return Uniform(min=low, max=high)
    mode = float(raw["mode"])
    if not low <= mode <= high:
        raise ValueError(
            "mode", f"mode {mode:g} is outside min {low:g} and max {high:g}; expected it between"
        )
    return Triangular(min=low, mode=mode, max=high)


def unit_draw(seed: int, key: str) -> float:
    """The draw of stream ``key`` under ``seed``: a number strictly between 0 and 1."""
    digest = hashlib.blake2b(
        f"{seed}\x1f{key}".encode(), digest_size=8, person=b"pycau-draws"
    ).digest()
    bits = int.from_bytes(digest, "big") >> 11  # 53 bits: a double's mantissa
    return (bits + 0.5) / float(1 << 53)
