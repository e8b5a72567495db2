"""Wrong on purpose: the pieces of the bug demos (tests/test_dma_coherence.py) that are more than
one line. The driver reaches them only when a name is in ``adapter.bugs``; the real driver
never does.

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
