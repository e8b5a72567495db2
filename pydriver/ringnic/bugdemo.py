"""Wrong on purpose: the declared set of bug-demo variants (tests/driver/test_dma_coherence.py,
tests/driver/test_napi_rx.py) and the pieces of them that are more than one line.

A variant is switched on by name, through ``adapter.bugs`` (a `Bugs`, validated on assignment);
the driver tests it as one attribute (``adapter.bugs.no_dma_wmb``) at the one place the variant
goes wrong. An unknown name -- on assignment or as an attribute -- raises, naming the known
ones, so a typo cannot silently run the correct driver. Empty is the real driver.

``ring_cacheable_*``: a descriptor ring the way the seed driver effectively had it before
dma_alloc_coherent -- pages from the page allocator (cacheable lowmem) handed to the NIC once
with dma_map_single(DMA_BIDIRECTIONAL) and kept mapped for the ring's life. The mapping is
legal for the IOMMU-style fence (the NIC may read and write it), so what goes wrong is
coherence alone: the CPU's descriptor stores sit in its write-back cache where an HP-port NIC
cannot see them, and the NIC's write-backs land in DRAM behind a cache line the CPU keeps.
"""

from __future__ import annotations

from pydriver.kernel.dma import DMA_BIDIRECTIONAL, dma_map_single, dma_mapping_error, dma_unmap_single
from pydriver.kernel.mm import GFP_KERNEL, __get_free_pages, free_pages, get_order


# name -> what the variant does wrong (the rule it breaks: Documentation/core-api/dma-api-howto.rst,
# or, for clear_icr_on_unmask, the 8254x's read-to-clear ICR)
VARIANTS = {
    "ring_cacheable_tx": "TX ring in cacheable pages kept dma_map_single'd instead of dma_alloc_coherent",
    "ring_cacheable_rx": "RX ring in cacheable pages kept dma_map_single'd instead of dma_alloc_coherent",
    "modify_after_map": "the CPU writes the TX checksum into the buffer after dma_map_single",
    "rx_no_sync": "RX buffer read by the stack before dma_unmap_single (the device still owns it)",
    "no_dma_wmb": "TDT written with writel_relaxed: no barrier orders the descriptor stores first",
    "bad_unmap_size": "RX buffer unmapped with the frame's length, not the mapped buffer length",
    "bad_unmap_dir": "TX buffer unmapped with DMA_FROM_DEVICE, mapped DMA_TO_DEVICE",
    "no_mapping_error_check": "TX map checked with the seed's `if (!dma)`, never with dma_mapping_error()",
    "leak_coherent": "TX ring's dma_free_coherent forgotten at close",
    "leak_rx_buffer": "clean_rx_ring misses the last buffer refilled (left mapped)",
    "clear_icr_on_unmask": "ICR cleared when unmasking: loses the causes raised while masked",
}


def _unknown(name: str) -> ValueError:
    return ValueError(f"unknown bug variant {name!r}; known: {', '.join(sorted(VARIANTS))}")


class Bugs(frozenset):
    """A checked set of variant names; each known name reads as a bool attribute."""

    def __new__(cls, names=()):
        names = frozenset((names,) if isinstance(names, str) else names)
        for name in sorted(names - VARIANTS.keys()):
            raise _unknown(name)
        return super().__new__(cls, names)

    def __getattr__(self, name: str) -> bool:
        if name in VARIANTS:
            return name in self
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(str(_unknown(name)))


def cacheable_ring_alloc(dev, size: int) -> tuple[int, int]:
    """(cpu address, dma address) of a `size`-byte ring in cacheable memory, or (0, 0)."""
    desc = __get_free_pages(GFP_KERNEL, get_order(size))
    if not desc:
        return 0, 0
    dma = dma_map_single(dev, desc, size, DMA_BIDIRECTIONAL)
    if dma_mapping_error(dev, dma):
        free_pages(desc, get_order(size))
        return 0, 0
    return desc, dma


def cacheable_ring_free(dev, size: int, desc: int, dma: int) -> None:
    """Undo cacheable_ring_alloc (the variant frees what it allocated, its own way)."""
    dma_unmap_single(dev, dma, size, DMA_BIDIRECTIONAL)
    free_pages(desc, get_order(size))

