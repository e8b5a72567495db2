"""A small Linux-like kernel layer for the ringnic driver model.

Modules mirror kernel headers: errno, printk, of (device tree), platform
(platform bus), devres (managed resources, iomem, ioremap hook), netdevice,
etherdevice.  Global state lives in one ``Kernel`` object: ``boot()``
installs a fresh one, ``current()`` returns it.
"""

from .core import Kernel, boot, current
from .errno import KernelBug

__all__ = ["Kernel", "KernelBug", "boot", "current"]
