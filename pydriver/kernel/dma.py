"""The DMA API (linux/dma-mapping.h): masks for now; mappings and DMA-API debug arrive with the rings.

"You must not use DMA on this device unless the dma_set_mask family of functions has returned
success" (Documentation/core-api/dma-api-howto.rst) -- so the mask lives on the device and later
calls check it.
"""

from __future__ import annotations

from pydriver.kernel.errno import EIO


def DMA_BIT_MASK(n: int) -> int:  # noqa: N802 - the kernel's name
    return (1 << n) - 1 if n < 64 else (1 << 64) - 1


# The system's memory sits below 4 GiB (the ZYBO has 512 MiB at 0): any mask of 24 bits or more
# that covers it works, as with dma-direct on a 32-bit ARM.
SYSTEM_DMA_LIMIT = DMA_BIT_MASK(32)
_MIN_MASK = DMA_BIT_MASK(24)  # ISA-era limit dma-direct still refuses below


def dma_set_mask(dev, mask: int) -> int:
    if mask < _MIN_MASK:
        return -EIO
    dev.dma_mask = mask
    return 0


def dma_set_coherent_mask(dev, mask: int) -> int:
    if mask < _MIN_MASK:
        return -EIO
    dev.coherent_dma_mask = mask
    return 0


def dma_set_mask_and_coherent(dev, mask: int) -> int:
    rc = dma_set_mask(dev, mask)
    return rc if rc else dma_set_coherent_mask(dev, mask)


def dma_get_mask(dev) -> int:
    return getattr(dev, "dma_mask", None) or DMA_BIT_MASK(32)
