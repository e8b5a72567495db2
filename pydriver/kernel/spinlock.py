"""spinlock_t for code that holds a lock across MMIO.

In this model a register access is an `await` (an AXI-Lite transaction that takes simulated
time), so a CPU holding a spinlock around MMIO can be interleaved with another context doing
the same; e1000_update_stats is the case: it reads counter halves under adapter->stats_lock.
spin_lock waits for the owner to release it; taking it twice from one context is the kernel's
"spinlock recursion" BUG, releasing one not held "bad unlock".
"""

from __future__ import annotations

from .interrupt import _task_key, _wake, cpu_new_event
from .printk import kernel_bug


class SpinLock:
    """spinlock_t (DEFINE_SPINLOCK / spin_lock_init)."""

    def __init__(self, name: str = "lock"):
        self.name = name
        self.owner = None
        self.waiters = []


def spin_lock_init(name: str = "lock") -> SpinLock:
    return SpinLock(name)


async def spin_lock(lock: SpinLock) -> None:
    me = _task_key()
    while lock.owner is not None:
        if lock.owner == me:
            raise kernel_bug("spin_lock", f"BUG: spinlock recursion on CPU#0, {lock.name}")
        ev = cpu_new_event()
        lock.waiters.append(ev)
        await ev.wait()
    lock.owner = me


def spin_unlock(lock: SpinLock) -> None:
    if lock.owner is None or lock.owner != _task_key():
        raise kernel_bug("spin_unlock", f"BUG: spinlock bad unlock on CPU#0, {lock.name}: not held by this context")
    lock.owner = None
    _wake(lock.waiters)
