"""Interleaved repeats and their statistics: the only way timings are taken here.

Contenders are timed in rounds (each round runs every contender once, in a rotating
order), so a burst of load from another process hits all of them alike; a ratio is
reported per round and summarised by its median, next to the ratio of the minima.
"""
from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def as_dict(self) -> dict:
        return {"seconds": self.seconds, "min": self.min, "median": self.median}

    def against_budget(self, budget_ms: float) -> dict:
        """as_dict() in milliseconds too, with the median's share of an interactive budget."""
        return {**self.as_dict(), "median_ms": self.median * 1e3, "min_ms": self.min * 1e3,
                "of_budget": self.median * 1e3 / budget_ms}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds for one call (garbage collector off during it, as timeit does) and its result."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()
    return elapsed, result


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int,
                cleanup: Callable[[object], None] | None = None,
                rounds_for: dict[str, int] | None = None, warmup: bool = True) -> dict[str, Samples]:
    """Time each contender `rounds` times (or rounds_for[name] times, counted from the first
    round), interleaved; `cleanup(result)` runs after each call, untimed."""
    names = list(contenders)
    samples = {name: Samples() for name in names}
    limit = {name: (rounds_for or {}).get(name, rounds) for name in names}
    if warmup:
        for name in names:
            _, result = timed(contenders[name])
            if cleanup:
                cleanup(result)
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            if r >= limit[name]:
                continue
            seconds, result = timed(contenders[name])
            samples[name].seconds.append(seconds)
            if cleanup:
                cleanup(result)
    return samples


def paired_ratio(a: Samples, b: Samples) -> dict:
    """a / b: per round (median over the rounds both ran) and of the minima."""
    pairs = [x / y for x, y in zip(a.seconds, b.seconds, strict=False)]
    return {"median": statistics.median(pairs), "of_min": a.min / b.min, "rounds": len(pairs)}
