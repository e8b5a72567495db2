"""Memory barriers (asm/barrier.h) as ARMv7 defines them, and what the model does with each.

CPU loads and stores to normal memory are synchronous Python calls, so the only thing that can
be reordered or delayed in the model is the *write buffer* in front of uncached (coherent DMA)
memory, which the harness's CPU view provides.  Against it:

=============  ====================  ===================================================
barrier        ARMv7                 model
=============  ====================  ===================================================
mb()           dsb(); outer_sync()   drain: every buffered store reaches memory
wmb()          dsb(st); outer_sync() drain
rmb()          dsb()                 drain (a DSB completes all earlier accesses)
dma_wmb()      dmb(oshst)            order point: no buffered store may become visible
                                     after one issued after the barrier; nothing drains
dma_rmb()      dmb(osh)              order point, as dma_wmb (DMB orders stores too)
smp_mb()       dmb(ish)              recorded only: inner-shareable barriers order the
smp_wmb()      dmb(ishst)            CPUs among themselves, not against the NIC (outer
smp_rmb()      dmb(ish)              shareable), so they do not order the write buffer
=============  ====================  ===================================================

So ``dma_wmb(); writel_relaxed(tail)`` leaves the descriptor in the write buffer while the
doorbell goes out -- a bug by memory-barriers.txt (writel_relaxed is not ordered against normal
memory) that the model reproduces; ``dma_wmb(); writel(tail)`` is right (writel starts with
wmb(), ARM's __iowmb()).  Loads are never reordered in the model: dma_rmb() before reading a
descriptor's fields is still required by the contract and is recorded (``view.barrier``), so a
checker can see whether it was issued.  The CPU view's own bounded drain (time/entries) makes a
barrier-less program progress.
"""

from .mm import mm_state


def _barrier(kind: str) -> None:
    mm_state().view.barrier(kind)


def mb() -> None:
    _barrier("mb")


def rmb() -> None:
    _barrier("rmb")


def wmb() -> None:
    _barrier("wmb")


def dma_rmb() -> None:
    _barrier("dma_rmb")


def dma_wmb() -> None:
    _barrier("dma_wmb")


def smp_mb() -> None:
    _barrier("smp_mb")


def smp_rmb() -> None:
    _barrier("smp_rmb")


def smp_wmb() -> None:
    _barrier("smp_wmb")


# what each barrier does to the write buffer: "drain", "order" or None (record only)
BARRIER_EFFECT = {"mb": "drain", "wmb": "drain", "rmb": "drain", "dma_wmb": "order",
                  "dma_rmb": "order", "smp_mb": None, "smp_rmb": None, "smp_wmb": None,
                  "dsb": "drain"}   # "dsb": the kernel's own, e.g. in TLB maintenance
