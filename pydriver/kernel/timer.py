"""jiffies, kernel timers and the system workqueue, in simulated time.

The kernel model has a clock but no scheduler of its own: timers and work items run on the CPU
backend the harness registers (interrupt.register_cpu_backend: cocotb's start_soon and Timer).
HZ is 1000, as the Zynq kernel's, so a jiffy is 1 ms of simulated time.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, Optional

from .core import current
from .interrupt import cpu_sleep, cpu_spawn
from .printk import kernel_bug

HZ = 1000
NSEC_PER_JIFFY = 1_000_000_000 // HZ


def jiffies() -> int:
    return current().now_ns() // NSEC_PER_JIFFY


def msecs_to_jiffies(ms: int) -> int:
    return max(1, ms * HZ // 1000) if ms > 0 else 0


def jiffies_to_msecs(j: int) -> int:
    return j * 1000 // HZ


def time_after(a: int, b: int) -> bool:
    return a - b > 0


async def _call(fn, *args):
    rv = fn(*args)
    if inspect.isawaitable(rv):
        await rv


@dataclass
class TimerList:
    """struct timer_list."""

    function: Optional[Callable] = None
    expires: int = 0
    _task: object = field(default=None, repr=False)
    _gen: int = 0


def timer_setup(timer: TimerList, function: Callable, flags: int = 0) -> None:
    timer.function = function
    timer._task = None


def timer_pending(timer: TimerList) -> bool:
    return timer._task is not None


def mod_timer(timer: TimerList, expires: int) -> int:
    """(Re)arm `timer` for jiffy `expires`; returns 1 if it was pending."""
    if timer.function is None:
        raise kernel_bug("mod_timer", "mod_timer on a timer never set up with timer_setup")
    was = del_timer(timer)
    timer.expires = expires
    timer._gen += 1
    gen = timer._gen

    async def fire():
        delay = expires * NSEC_PER_JIFFY - current().now_ns()
        if delay > 0:
            await cpu_sleep(delay)
        if timer._gen == gen:
            timer._task = None
            await _call(timer.function, timer)

    timer._task = cpu_spawn(fire())
    return was


def del_timer(timer: TimerList) -> int:
    if timer._task is None:
        return 0
    timer._gen += 1
    timer._task.cancel()
    timer._task = None
    return 1


del_timer_sync = timer_delete_sync = del_timer


@dataclass
class WorkStruct:
    """struct work_struct."""

    func: Optional[Callable] = None
    pending: bool = False


def INIT_WORK(work: WorkStruct, func: Callable) -> None:  # noqa: N802 - the kernel's name
    work.func, work.pending = func, False


def schedule_work(work: WorkStruct) -> bool:
    """Queue `work` on the system workqueue (process context); False if already queued."""
    if work.pending:
        return False
    work.pending = True

    async def run():
        work.pending = False
        await _call(work.func, work)

    cpu_spawn(run())
    return True
