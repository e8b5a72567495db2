"""How often the simulator wakes Python: the co-simulation's real cost.

Every simulator->Python callback enters cocotb through one GPI trigger's `_react` (a clock or
signal edge, a value change, a timer, the read-write or read-only sync phase, the next time
step); every coroutine step is one `Task._resume`. `Wakeups.install()` wraps both once per
simulator process and counts them by kind, so a bench or a test can say how many wake-ups a
frame costs:

    w = Wakeups.install()
    before = w.snapshot()
    ...                          # the measured part
    d = w.since(before)          # {"callbacks": n, "resumes": n, "by_kind": {...}}

With RINGNIC_WAKEUP_DETAIL=1 the edge and value-change callbacks are also counted per signal
(`by_signal`), which is how a stray per-cycle wake-up is found.
"""

from __future__ import annotations

import os
from collections import Counter

from cocotb import _gpi_triggers as gpi
from cocotb.task import Task

# Trigger class -> kind (the vocabulary): clock/signal edges, value changes, timers,
# read-write and read-only sync, next time step.
KINDS = {"RisingEdge": "edge", "FallingEdge": "edge", "ValueChange": "value_change", "Edge": "value_change",
         "Timer": "timer", "ReadWrite": "readwrite", "ReadOnly": "readonly", "NextTimeStep": "nextstep"}


class Wakeups:
    """The process-wide counters (one instance; `install()` is idempotent)."""

    _inst: "Wakeups | None" = None

    def __init__(self):
        self.by_kind: Counter = Counter()
        self.by_signal: Counter = Counter()
        self.resumes = 0
        self.detail = os.environ.get("RINGNIC_WAKEUP_DETAIL") == "1"

    @classmethod
    def install(cls) -> "Wakeups":
        if cls._inst is not None:
            return cls._inst
        self = cls._inst = cls()
        react, resume = gpi.GPITrigger._react, Task._resume

        def counted_react(trig):
            kind = KINDS.get(type(trig).__name__, type(trig).__name__)
            self.by_kind[kind] += 1
            if self.detail and hasattr(trig, "signal"):
                self.by_signal[f"{kind}:{trig.signal._path}"] += 1
            react(trig)

        def counted_resume(task):
            self.resumes += 1
            resume(task)

        gpi.GPITrigger._react = counted_react
        Task._resume = counted_resume
        return self

    @property
    def callbacks(self) -> int:
        return sum(self.by_kind.values())

    def snapshot(self) -> dict:
        return {"by_kind": Counter(self.by_kind), "by_signal": Counter(self.by_signal), "resumes": self.resumes}

    def since(self, snap: dict) -> dict:
        kinds = self.by_kind - snap["by_kind"]
        out = {"callbacks": sum(kinds.values()), "resumes": self.resumes - snap["resumes"],
               "by_kind": dict(sorted(kinds.items()))}
        if self.detail:
            out["by_signal"] = dict((self.by_signal - snap["by_signal"]).most_common(20))
        return out


def per(d: dict, frames: int, cycles: int) -> dict:
    """The bench's fields for `d` (a `since()` result) over `frames` frames and `cycles` cycles."""
    f, c = max(frames, 1), max(cycles, 1)
    return {"callbacks": d["callbacks"], "resumes": d["resumes"],
            "callbacks_per_frame": d["callbacks"] / f, "resumes_per_frame": d["resumes"] / f,
            "callbacks_per_cycle": d["callbacks"] / c,
            "callbacks_by_kind_per_frame": {k: v / f for k, v in d["by_kind"].items()},
            **({"callbacks_by_signal": d["by_signal"]} if "by_signal" in d else {})}
