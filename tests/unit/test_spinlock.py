"""The spinlock model: mutual exclusion across awaits, recursion and bad unlock are BUGs."""

import asyncio

import pytest

from pydriver import kernel
from pydriver.kernel.printk import KernelBug
from pydriver.kernel.spinlock import spin_lock, spin_lock_init, spin_unlock


def run(coro):
    kernel.boot()
    return asyncio.run(coro)


def test_excludes_across_awaits():
    async def main():
        lock, trace = spin_lock_init("stats_lock"), []

        async def reader(name):
            await spin_lock(lock)
            trace.append(f"{name}:L")
            await asyncio.sleep(0)  # an MMIO read in between
            trace.append(f"{name}:H")
            spin_unlock(lock)

        await asyncio.gather(reader("a"), reader("b"))
        return trace

    assert run(main()) == ["a:L", "a:H", "b:L", "b:H"]


def test_recursion_and_bad_unlock_are_bugs():
    async def main():
        lock = spin_lock_init("stats_lock")
        with pytest.raises(KernelBug, match="bad unlock"):
            spin_unlock(lock)
        await spin_lock(lock)
        with pytest.raises(KernelBug, match="spinlock recursion"):
            await spin_lock(lock)

    run(main())
