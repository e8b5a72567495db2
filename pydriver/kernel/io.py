"""__iomem accessors (asm/io.h, ARM): what devm_ioremap() returns.

``IoMem`` wraps the harness backend of the mapped window (async ``readl(offset)`` and
``writel(value, offset)``, offsets from the mapped start) and adds ARM's barriers:

* ``writel`` = ``__iowmb()`` (= ``wmb()``: the CPU's buffered stores to coherent memory reach
  memory first) then the store -- so a doorbell written with writel is never seen before the
  descriptors; ``writel_relaxed`` has no barrier.
* ``readl`` = the load then ``__iormb()`` (= ``rmb()``); ``readl_relaxed`` has none.
* ``ioread32``/``iowrite32`` are readl/writel.

Anything else is looked up on the backend (the harness's own attributes stay reachable), and
``isinstance(iomem, BackendClass)`` still holds: code that checks what the harness handed out
keeps working through the wrapper.
"""

from .barrier import rmb, wmb


class IoMem:
    """A void __iomem * to a window of ``size`` bytes at physical ``phys``."""

    def __init__(self, backend, phys: int = 0, size: int = 0):
        self.backend = backend
        self._phys, self._size = phys, size   # underscored: never shadow the backend's names

    async def readl_relaxed(self, offset: int) -> int:
        return await self.backend.readl(offset)

    async def writel_relaxed(self, value: int, offset: int) -> None:
        await self.backend.writel(value, offset)

    async def readl(self, offset: int) -> int:
        value = await self.backend.readl(offset)
        rmb()
        return value

    async def writel(self, value: int, offset: int) -> None:
        wmb()
        await self.backend.writel(value, offset)

    ioread32 = readl

    async def iowrite32(self, value: int, offset: int) -> None:
        await self.writel(value, offset)

    def iounmap(self) -> None:
        unmap = getattr(self.backend, "iounmap", None)
        if callable(unmap):
            unmap()

    def __repr__(self):
        return f"<IoMem 0x{self._phys:08x}+0x{self._size:x} {self.backend!r}>"


__all__ = ["IoMem"]
