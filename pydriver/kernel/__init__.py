"""A small Linux-like kernel layer for the ringnic driver model.

Modules mirror kernel headers and files: errno, printk, of (device tree), platform (platform
bus), devres (managed resources, iomem, ioremap hook), netdevice, etherdevice...  Global state
lives in one ``Kernel`` object: ``boot()`` installs a fresh one, ``current()`` returns it.

Layers, lowest first (``LAYERS``).  A module imports only modules of lower layers and those
listed before it in its own layer, always at the top of the file; tests/unit/test_kernel_layers.py
fails on any other import and on any cycle.

  base     errno, if_ether, mm_types, core, printk, fault_inject, of
  memory   mm, barrier, io, devres, slab
  cpu      interrupt, timer, spinlock, softirq
  dma      dma_types, dma_debug, dma_debug_model, swiotlb, dma
  bus      platform
  net      netdevice, etherdevice, of_net, dev_addr_lists, skbuff, netdev_queue, napi, netif_rx,
           ethtool

Where a lower layer must call up, it exposes a hook the upper module registers into when it is
imported, as the kernel does with notifiers and initcalls:

  core.boot_hooks               netdevice: loopback_net_init (``lo`` at every boot)
  printk.register_netdev_printk netdevice: the name netdev_printk shows, netif_msg_mask
  mm.cpu_access_hooks           dma_debug_model: debug_dma_cpu_access on every CPU load/store
  mm.free_memory_hooks          dma_debug_model: debug_dma_free_memory (free_pages, kfree)
  mm.warn_hooks                 dma_debug: virt_to_phys's DEBUG_VIRTUAL WARN, recorded
  interrupt.irq_exit_hooks      softirq: invoke_softirq
  softirq.register_napi_poll    napi: napi_poll, called by net_rx_action
  netdevice.watchdog_up_hooks   netdev_queue: netdev_watchdog_up / _down at dev_open / dev_close
  netdevice.watchdog_down_hooks

This package imports every module below, in layer order, so every hook is registered whichever
module a caller imports first (the kernel's built-in initcalls).
"""

from importlib import import_module

from .core import Kernel, boot, current
from .errno import KernelBug

LAYERS = (
    ("base", ("errno", "if_ether", "mm_types", "core", "printk", "fault_inject", "of")),
    ("memory", ("mm", "barrier", "io", "devres", "slab")),
    ("cpu", ("interrupt", "timer", "spinlock", "softirq")),
    ("dma", ("dma_types", "dma_debug", "dma_debug_model", "swiotlb", "dma")),
    ("bus", ("platform",)),
    ("net", ("netdevice", "etherdevice", "of_net", "dev_addr_lists", "skbuff", "netdev_queue", "napi",
             "netif_rx", "ethtool")),
)

for _layer, _modules in LAYERS:
    for _name in _modules:
        import_module(f"{__name__}.{_name}")

__all__ = ["Kernel", "KernelBug", "LAYERS", "boot", "current"]
