"""The kernel's fault-injection framework (lib/fault-inject.c, Documentation/fault-injection/).

Named attributes, as the kernel's debugfs directories: ``failslab`` (kmalloc & co., and what
the kernel allocates with them: alloc_netdev's kvzalloc, request_irq's irqaction, ioremap's
vm area), ``fail_page_alloc`` (the page allocator, and so dma_alloc_coherent) and
``fail_dma_map`` (dma_map_page/dma_map_single return DMA_MAPPING_ERROR; the kernel reaches
that with fail_function on the map path). Each is a ``FaultAttr`` with the kernel's knobs:

  probability  percent of eligible calls that fail (0 = never, unless ``nth`` says so)
  interval     only every interval-th eligible call may fail
  times        failures left (-1: no limit); 0 switches the attribute off
  space        bytes to let through before failing
  verbose      1: "FAULT_INJECTION: forcing a failure." and the call site in the kernel log
and, in place of the kernel's caller-address filters (require-start/end, reject-start/end) and
the per-task ``fail-nth``:
  require      a call site (the driver's "path:line in func", mm_types.caller_site) must
               contain one of these strings; empty: any site
  reject       ... and none of these
  nth          the nth eligible call fails (1-based; 0 = off), once

Every eligible call is counted per site in ``calls`` whether or not it fails, so a test can
first record which sites a path reaches and then fail each in turn; failures are in ``failed``.
The state lives in the running kernel: a fresh boot starts with every attribute off.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .core import current
from .mm_types import caller_site
from .printk import KERN_ERR, printk

ATTRS = ("failslab", "fail_page_alloc", "fail_dma_map")


@dataclass
class FaultAttr:
    """struct fault_attr."""

    name: str
    probability: int = 0
    interval: int = 1
    times: int = 1
    space: int = 0
    verbose: int = 1
    require: tuple = ()
    reject: tuple = ()
    nth: int = 0
    record: bool = False                 # count eligible calls per site even while off
    count: int = 0                       # eligible calls seen (the kernel's attr->count)
    calls: Counter = field(default_factory=Counter)
    failed: list = field(default_factory=list)

    def configure(self, **knobs) -> "FaultAttr":
        for k, v in knobs.items():
            if k not in ("probability", "interval", "times", "space", "verbose", "require", "reject", "nth",
                         "record"):
                raise ValueError(f"{self.name}: no knob {k!r}")
            setattr(self, k, tuple(v) if k in ("require", "reject") else v)
        return self

    def eligible(self, site: str) -> bool:
        return ((not self.require or any(r in site for r in self.require))
                and not any(r in site for r in self.reject))


class FaultState:
    def __init__(self):
        self.attrs = {n: FaultAttr(n, times=0) for n in ATTRS}


def _state() -> FaultState:
    k = current()
    st = getattr(k, "fault_inject", None)
    if st is None:
        st = k.fault_inject = FaultState()
    return st


def fault_attr(name: str) -> FaultAttr:
    """The attribute `name` of the running kernel (its debugfs directory)."""
    return _state().attrs[name]


def setup_fault_attr(name: str, **knobs) -> FaultAttr:
    """Arm `name`: the boot parameter ``failslab=<interval>,<probability>,<space>,<times>``,
    by keyword; counters restart."""
    a = fault_attr(name)
    a.count, a.calls, a.failed = 0, Counter(), []
    a.configure(**{"probability": 0, "interval": 1, "times": 1, "space": 0, "nth": 0,
                   "require": (), "reject": (), "record": True, **knobs})
    return a


def fault_inject_off() -> None:
    for a in _state().attrs.values():
        a.times, a.nth, a.probability, a.record = 0, 0, 0, False


def should_fail(name: str, size: int = 0, site: str | None = None) -> bool:
    """lib/fault-inject.c's should_fail(attr, size): True if this call must fail."""
    a = fault_attr(name)
    if a.times == 0 and not a.nth and not a.record:
        return False                     # off: no cost on the hot paths
    site = site or caller_site()
    if not a.eligible(site):
        return False
    a.count += 1
    a.calls[site] += 1
    if a.times == 0 and not a.nth:
        return False
    if a.nth:
        if a.count != a.nth:
            return False
        a.nth = 0
    else:
        if a.space > size:
            a.space -= size
            return False
        if a.interval > 1 and a.count % a.interval:
            return False
        if a.probability <= current().random.randrange(100):
            return False
        if a.times > 0:
            a.times -= 1
    a.failed.append(site)
    if a.verbose:
        printk(KERN_ERR, "FAULT_INJECTION: forcing a failure (%s, %d bytes) at %s", name, size, site)
    return True


__all__ = ["ATTRS", "FaultAttr", "fault_attr", "fault_inject_off", "setup_fault_attr", "should_fail"]
