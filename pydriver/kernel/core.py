"""The kernel state object and the structures everything else shares.

All global kernel state lives in one ``Kernel`` instance (``current()``), so a
test or a simulation run gets a clean machine with ``boot()``.  Linux keeps
this state in globals; the free functions in the sibling modules act on
``current()`` the same way.
"""

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

from .errno import EBUSY, EINVAL

# struct resource flags (include/linux/ioport.h)
IORESOURCE_BITS = 0x000000FF
IORESOURCE_TYPE_BITS = 0x00001F00
IORESOURCE_IO = 0x00000100
IORESOURCE_MEM = 0x00000200
IORESOURCE_REG = 0x00000300
IORESOURCE_IRQ = 0x00000400
IORESOURCE_DMA = 0x00000800
IORESOURCE_BUS = 0x00001000
IORESOURCE_PREFETCH = 0x00002000
IORESOURCE_READONLY = 0x00004000
IORESOURCE_MEM_64 = 0x00100000
IORESOURCE_WINDOW = 0x00200000
IORESOURCE_SYSRAM = 0x01000000
IORESOURCE_EXCLUSIVE = 0x08000000
IORESOURCE_DISABLED = 0x10000000
IORESOURCE_UNSET = 0x20000000
IORESOURCE_BUSY = 0x80000000
IORESOURCE_SYSTEM_RAM = IORESOURCE_MEM | IORESOURCE_SYSRAM
# IORESOURCE_IRQ_* trigger bits equal the IRQ_TYPE_* values.
IORESOURCE_IRQ_HIGHEDGE = 1
IORESOURCE_IRQ_LOWEDGE = 2
IORESOURCE_IRQ_HIGHLEVEL = 4
IORESOURCE_IRQ_LOWLEVEL = 8

# Linux pre-allocates descriptors 0..NR_IRQS_LEGACY-1 on ARM, so the first
# virq handed to a device tree interrupt is 16.
NR_IRQS_LEGACY = 16


@dataclass(eq=False)
class Resource:
    """struct resource: an inclusive [start, end] range."""
    start: int
    end: int
    name: Optional[str] = None
    flags: int = 0
    parent: Optional["Resource"] = field(default=None, repr=False)
    children: list = field(default_factory=list, repr=False)

    def __str__(self):
        # printk's %pR
        if self.flags & IORESOURCE_MEM:
            kind, width = "mem ", 8 if self.end <= 0xFFFFFFFF else 16
        elif self.flags & IORESOURCE_IO:
            kind, width = "io  ", 4
        elif self.flags & IORESOURCE_IRQ:
            kind, width = "irq ", None
        else:
            kind, width = "??? ", 8

        def num(v):
            return str(v) if width is None else f"0x{v:0{width}x}"
        text = num(self.start)
        if self.end != self.start:
            text += "-" + num(self.end)
        if self.flags & IORESOURCE_MEM_64:
            text += " 64bit"
        if self.flags & IORESOURCE_PREFETCH:
            text += " pref"
        if self.flags & IORESOURCE_DISABLED:
            text += " disabled"
        return f"[{kind}{text}]"


def resource_size(res: Resource) -> int:
    return res.end - res.start + 1


def resource_type(res: Resource) -> int:
    return res.flags & IORESOURCE_TYPE_BITS


def DEFINE_RES_MEM(start: int, size: int, name: Optional[str] = None) -> Resource:
    return Resource(start, start + size - 1, name, IORESOURCE_MEM)


def DEFINE_RES_IRQ(irq: int, name: Optional[str] = None) -> Resource:
    return Resource(irq, irq, name, IORESOURCE_IRQ)


# --- struct resource tree (kernel/resource.c; request_mem_region & co. are in devres.py) ----

def _request_resource_conflict(root: Resource, new: Resource):
    """Insert ``new`` under ``root``; return the conflicting node or None."""
    if new.end < new.start or new.start < root.start or new.end > root.end:
        return root
    for i, tmp in enumerate(root.children):
        if tmp.start > new.end:
            root.children.insert(i, new)
            new.parent = root
            return None
        if tmp.end >= new.start:
            return tmp
    root.children.append(new)
    new.parent = root
    return None


def request_resource(root: Resource, new: Resource) -> int:
    return -EBUSY if _request_resource_conflict(root, new) is not None else 0


def release_resource(old: Resource) -> int:
    parent = old.parent
    if parent is None or old not in parent.children:
        return -EINVAL
    parent.children.remove(old)
    old.parent = None
    return 0


class Device:
    """struct device, the fields a driver and the bus code touch."""

    def __init__(self, name: str = "", bus: Optional[str] = None,
                 parent: Optional["Device"] = None, of_node=None,
                 class_name: Optional[str] = None):
        self.name = name              # dev_name()
        self.bus = bus                # bus_type name, "platform"
        self.class_name = class_name  # e.g. "net" for a net_device's device
        self.parent = parent
        self.of_node = of_node
        self.driver = None            # bound driver (has .name)
        self.driver_data = None       # dev_set_drvdata()
        self.devres = []              # devres_head, released in reverse
        # DMA configuration from of_dma_configure(), for the DMA-API model.
        self.dma_coherent = False
        self.coherent_dma_mask = 0
        self.dma_mask = None
        self.platform_device = None   # container_of() back-pointer
        self._probing = False
        self._unbinding = False

    def __repr__(self):
        return f"<Device {self.name or '?'}>"


def dev_name(dev: Device) -> str:
    return dev.name


def dev_bus_name(dev: Device) -> str:
    return dev.bus or dev.class_name or ""


def dev_driver_string(dev: Device) -> str:
    """Bound driver's name, else the bus (or class) name, as Linux does."""
    drv = dev.driver
    return drv.name if drv is not None else dev_bus_name(dev)


def dev_set_drvdata(dev: Device, data) -> None:
    dev.driver_data = data


def dev_get_drvdata(dev: Device):
    return dev.driver_data


def device_is_bound(dev: Device) -> bool:
    return dev.driver is not None


@dataclass(eq=False)
class IrqDesc:
    """One Linux virq: struct irq_desc + irq_data (hwirq, domain, trigger)."""
    irq: int
    hwirq: int
    domain: object            # the interrupt-controller DeviceNode
    trigger_type: int = 0     # IRQ_TYPE_*
    action: object = None     # left for request_irq()


@dataclass
class LogRecord:
    ts_nsec: int
    level: int
    text: str


def _zero_clock() -> int:
    return 0


class Kernel:
    """All global state of one simulated kernel."""

    LOG_BUF_LEN = 1 << 16            # records kept, oldest dropped first
    CONSOLE_LOGLEVEL_DEFAULT = 7     # KERN_DEBUG is not sent to the console
    DMESG_LOGLEVEL_DEFAULT = 7       # dmesg() shows every level by default

    def __init__(self, clock: Optional[Callable[[], int]] = None, seed=None):
        self.clock = clock or _zero_clock
        self.log_buf = deque(maxlen=self.LOG_BUF_LEN)
        self.console_loglevel = self.CONSOLE_LOGLEVEL_DEFAULT
        self.dmesg_loglevel = self.DMESG_LOGLEVEL_DEFAULT
        self.bugs = []                 # every KernelBug raised, for harness checks
        self.random = random.Random(seed)
        # /proc/iomem root (32-bit physical addresses: Zynq-7000 without LPAE)
        self.iomem_resource = Resource(0, 0xFFFFFFFF, "PCI mem", IORESOURCE_MEM)
        self.iomem_backends = []       # (start, size, factory) from the harness
        self.iomaps = []               # live ioremap()s: (start, size, backend)
        # irqdomain: virq -> IrqDesc
        self.irq_descs = {}
        # device tree and driver model
        self.of_root = None
        self.platform_devices = []
        self.platform_drivers = []
        # init_net: registration order list, ifindex counter (lo takes 1)
        self.netdevs = []
        self.ifindex = 0
        self.loopback_dev = None
        # memory and DMA (mm.py, dma_debug.py, swiotlb.py); created on first use
        self.mm = None
        self.dma_debug = None
        self.swiotlb = None

    def now_ns(self) -> int:
        return int(self.clock())


_current: Optional[Kernel] = None
# fn(kernel) run by boot(), registered at import by the layers above (netdevice: loopback_net_init),
# as the kernel's initcalls run in link order.
boot_hooks: list = []


def boot(clock: Optional[Callable[[], int]] = None, seed=None) -> Kernel:
    """Install and return a fresh kernel (with ``lo`` registered).

    ``clock`` returns nanoseconds (simulated time under cocotb); default 0.
    ``seed`` makes eth_random_addr() and friends reproducible.
    """
    global _current
    _current = Kernel(clock, seed)
    for hook in boot_hooks:
        hook(_current)
    return _current


def current() -> Kernel:
    """The running kernel; boots a default one on first use."""
    if _current is None:
        boot()
    return _current
