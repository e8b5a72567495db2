"""The DMA API's constants (include/linux/dma-direction.h and the values of
include/linux/dma-mapping.h), below dma_debug, swiotlb and dma, which all use them."""

DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_NONE = 0, 1, 2, 3
DIR2NAME = {DMA_BIDIRECTIONAL: "DMA_BIDIRECTIONAL", DMA_TO_DEVICE: "DMA_TO_DEVICE",
            DMA_FROM_DEVICE: "DMA_FROM_DEVICE", DMA_NONE: "DMA_NONE"}

DMA_MAPPING_ERROR = 0xFFFFFFFF   # ~(dma_addr_t)0 with a 32-bit dma_addr_t (ARM without LPAE)
DMA_ATTR_WEAK_ORDERING = 1 << 1
DMA_ATTR_WRITE_COMBINE = 1 << 2
DMA_ATTR_NO_KERNEL_MAPPING = 1 << 4
DMA_ATTR_SKIP_CPU_SYNC = 1 << 5
DMA_ATTR_NO_WARN = 1 << 8
