"""struct net_device, registration and the init_net namespace.

What is async and why: ndo_* callbacks of a simulated NIC do MMIO, so the
paths that may call them are coroutines for uniformity: ``register_netdev``
(ndo_init), ``unregister_netdev`` (dev_close -> ndo_stop, ndo_uninit),
``dev_open``/``dev_close``, ``dev_set_mtu``, ``dev_set_mac_address``, and
everything that ends in ndo_set_rx_mode: ``dev_set_rx_mode``,
``dev_set_promiscuity``, ``dev_set_allmulti`` and dev_addr_lists' ``dev_uc_*``
/ ``dev_mc_*``.  An ndo_* may be a plain function or a coroutine function;
both are accepted.
Carrier, flags, lookups and alloc/free are synchronous.

As in Linux, register_netdevice does not look at the MAC address: a device
with an all-zero or multicast dev_addr registers fine, and it is dev_open
that fails with -EADDRNOTAVAIL when the driver's ndo_validate_addr is
eth_validate_addr.
"""

import inspect
import types

from .core import Device, boot_hooks, current
from .devres import devres_add
from .errno import EBUSY, EEXIST, EINVAL, EIO, ENFILE, ENODEV, EOPNOTSUPP, EOVERFLOW
from .fault_inject import should_fail
from .printk import dev_warn, kernel_bug, netdev_info, netdev_warn, pr_err, pr_info, register_netdev_printk

# The transmit watchdog's start and stop (dev_activate/dev_deactivate's __netdev_watchdog_up/down),
# registered by netdev_queue.py (a layer up) at import: fn(ndev).
watchdog_up_hooks: list = []
watchdog_down_hooks: list = []

IFNAMSIZ = 16
MAX_ADDR_LEN = 32

# dev->flags (uapi/linux/if.h)
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_NOTRAILERS = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MASTER = 0x400
IFF_SLAVE = 0x800
IFF_MULTICAST = 0x1000
IFF_PORTSEL = 0x2000
IFF_AUTOMEDIA = 0x4000
IFF_DYNAMIC = 0x8000
IFF_LOWER_UP = 0x10000
IFF_DORMANT = 0x20000
IFF_ECHO = 0x40000

# dev->priv_flags (enum netdev_priv_flags)
IFF_XMIT_DST_RELEASE = 1 << 5
IFF_TX_SKB_SHARING = 1 << 11
IFF_UNICAST_FLT = 1 << 12
IFF_SUPP_NOFCS = 1 << 14
IFF_LIVE_ADDR_CHANGE = 1 << 15
IFF_XMIT_DST_RELEASE_PERM = 1 << 17
IFF_NO_QUEUE = 1 << 19

# dev->features: the low, stable bits of netdev_features.h
NETIF_F_SG = 1 << 0
NETIF_F_IP_CSUM = 1 << 1
NETIF_F_HW_CSUM = 1 << 3
NETIF_F_IPV6_CSUM = 1 << 4
NETIF_F_HIGHDMA = 1 << 5
NETIF_F_FRAGLIST = 1 << 6
NETIF_F_HW_VLAN_CTAG_TX = 1 << 7
NETIF_F_HW_VLAN_CTAG_RX = 1 << 8
NETIF_F_HW_VLAN_CTAG_FILTER = 1 << 9
NETIF_F_VLAN_CHALLENGED = 1 << 10
NETIF_F_GSO = 1 << 11
NETIF_F_GRO = 1 << 14
NETIF_F_LRO = 1 << 15
NETIF_F_TSO = 1 << 16
NETIF_F_RXCSUM = 1 << 29  # v2.6.39's netdevice.h bit; the model's features are that era's flat mask

ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772

# enum netdev_reg_state
NETREG_UNINITIALIZED = 0
NETREG_REGISTERED = 1
NETREG_UNREGISTERING = 2
NETREG_UNREGISTERED = 3
NETREG_RELEASED = 4
NETREG_DUMMY = 5
_REG_NAMES = {0: "NETREG_UNINITIALIZED", 1: "NETREG_REGISTERED", 2: "NETREG_UNREGISTERING",
              3: "NETREG_UNREGISTERED", 4: "NETREG_RELEASED", 5: "NETREG_DUMMY"}

# dev->state bits
__LINK_STATE_START = 0
__LINK_STATE_PRESENT = 1
__LINK_STATE_NOCARRIER = 2
__LINK_STATE_LINKWATCH_PENDING = 3
__LINK_STATE_DORMANT = 4
__LINK_STATE_TESTING = 5

# RFC 2863 operstate (uapi/linux/if.h)
IF_OPER_UNKNOWN = 0
IF_OPER_NOTPRESENT = 1
IF_OPER_DOWN = 2
IF_OPER_LOWERLAYERDOWN = 3
IF_OPER_TESTING = 4
IF_OPER_DORMANT = 5
IF_OPER_UP = 6
_OPER_NAMES = ("UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP")

IF_LINK_MODE_DEFAULT = 0

NET_NAME_UNKNOWN = 0
NET_NAME_ENUM = 1
NET_NAME_PREDICTABLE = 2
NET_NAME_USER = 3
NET_NAME_RENAMED = 4

NET_ADDR_PERM = 0
NET_ADDR_RANDOM = 1
NET_ADDR_STOLEN = 2
NET_ADDR_SET = 3

# msg_enable bits
NETIF_MSG_DRV = 0x0001
NETIF_MSG_PROBE = 0x0002
NETIF_MSG_LINK = 0x0004
NETIF_MSG_TIMER = 0x0008
NETIF_MSG_IFDOWN = 0x0010
NETIF_MSG_IFUP = 0x0020
NETIF_MSG_RX_ERR = 0x0040
NETIF_MSG_TX_ERR = 0x0080
NETIF_MSG_TX_QUEUED = 0x0100
NETIF_MSG_INTR = 0x0200
NETIF_MSG_TX_DONE = 0x0400
NETIF_MSG_RX_STATUS = 0x0800
NETIF_MSG_PKTDATA = 0x1000
NETIF_MSG_HW = 0x2000
NETIF_MSG_WOL = 0x4000


def netif_msg_init(debug_value: int, default_msg_enable_bits: int) -> int:
    """Module param "debug" -> msg_enable, exactly as include/linux/netdevice.h."""
    if debug_value < 0 or debug_value >= 32:
        return default_msg_enable_bits
    if debug_value == 0:
        return 0
    return (1 << debug_value) - 1


def netif_msg_mask(type_) -> int:
    """NETIF_MSG_<TYPE> for "rx_err"/"RX_ERR", or an int mask passed through."""
    if isinstance(type_, int):
        return type_
    try:
        return globals()["NETIF_MSG_" + type_.upper()]
    except KeyError:
        raise ValueError(f"unknown netif_msg type {type_!r}") from None


def netif_msg_drv(p): return bool(p.msg_enable & NETIF_MSG_DRV)
def netif_msg_probe(p): return bool(p.msg_enable & NETIF_MSG_PROBE)
def netif_msg_link(p): return bool(p.msg_enable & NETIF_MSG_LINK)
def netif_msg_timer(p): return bool(p.msg_enable & NETIF_MSG_TIMER)
def netif_msg_ifdown(p): return bool(p.msg_enable & NETIF_MSG_IFDOWN)
def netif_msg_ifup(p): return bool(p.msg_enable & NETIF_MSG_IFUP)
def netif_msg_rx_err(p): return bool(p.msg_enable & NETIF_MSG_RX_ERR)
def netif_msg_tx_err(p): return bool(p.msg_enable & NETIF_MSG_TX_ERR)
def netif_msg_tx_queued(p): return bool(p.msg_enable & NETIF_MSG_TX_QUEUED)
def netif_msg_intr(p): return bool(p.msg_enable & NETIF_MSG_INTR)
def netif_msg_tx_done(p): return bool(p.msg_enable & NETIF_MSG_TX_DONE)
def netif_msg_rx_status(p): return bool(p.msg_enable & NETIF_MSG_RX_STATUS)
def netif_msg_pktdata(p): return bool(p.msg_enable & NETIF_MSG_PKTDATA)
def netif_msg_hw(p): return bool(p.msg_enable & NETIF_MSG_HW)
def netif_msg_wol(p): return bool(p.msg_enable & NETIF_MSG_WOL)


class NetDeviceOps:
    """struct net_device_ops: pass ndo_* callbacks as keywords; absent ones read None."""

    def __init__(self, **ops):
        for k, v in ops.items():
            if not k.startswith("ndo_"):
                raise TypeError(f"net_device_ops has no member {k!r}")
            setattr(self, k, v)

    def __getattr__(self, name):
        if name.startswith("ndo_"):
            return None
        raise AttributeError(name)


class NetDeviceStats(types.SimpleNamespace):
    """struct net_device_stats (dev->stats), all counters start at 0."""
    FIELDS = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
              "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
              "rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
              "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
              "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed")

    def __init__(self):
        super().__init__(**{f: 0 for f in self.FIELDS})


# struct netdev_hw_addr types
NETDEV_HW_ADDR_T_LAN = 1
NETDEV_HW_ADDR_T_SAN = 2
NETDEV_HW_ADDR_T_UNICAST = 4
NETDEV_HW_ADDR_T_MULTICAST = 5


class NetdevHwAddr:
    """struct netdev_hw_addr: one address of a list, with its users."""

    def __init__(self, addr: bytes, type_: int, global_use: bool):
        self.addr = addr
        self.type = type_
        self.refcount = 1
        self.global_use = global_use


class NetdevHwAddrList:
    """struct netdev_hw_addr_list (dev->uc, dev->mc): addresses in the order added."""

    def __init__(self):
        self.list: list[NetdevHwAddr] = []

    @property
    def count(self) -> int:
        return len(self.list)


class NetDevice:
    """struct net_device.  Fields keep their Linux names.

    ``dev`` is the embedded struct device (class "net"); its ``parent`` is the
    bus device, set with SET_NETDEV_DEV(ndev, pdev.dev).
    """

    def __init__(self):
        self.name = ""
        self.name_assign_type = NET_NAME_UNKNOWN
        self.ifindex = 0
        self.dev = Device(class_name="net")
        self._dev_addr = bytes(6)
        self.perm_addr = bytes(6)
        self.addr_len = 0
        self.addr_assign_type = NET_ADDR_PERM
        self.broadcast = bytes(6)
        self.type = 0
        self.hard_header_len = 0
        self.min_header_len = 0
        self.needed_headroom = 0
        self.needed_tailroom = 0
        self.mtu = 0
        self.min_mtu = 0
        self.max_mtu = 0
        self.tx_queue_len = 0
        self.flags = 0
        self.gflags = 0
        self.priv_flags = 0
        self.features = 0
        self.hw_features = 0
        self.wanted_features = 0
        self.vlan_features = 0
        self.netdev_ops = NetDeviceOps()
        self.ethtool_ops = None
        self.header_ops = None
        self.reg_state = NETREG_UNINITIALIZED
        self.state = 0
        self.operstate = IF_OPER_UNKNOWN
        self.link_mode = IF_LINK_MODE_DEFAULT
        self.group = 0
        self.watchdog_timeo = 0
        self.irq = 0
        self.base_addr = 0
        self.mem_start = 0
        self.mem_end = 0
        self.num_tx_queues = self.real_num_tx_queues = 1
        self.num_rx_queues = self.real_num_rx_queues = 1
        self.stats = NetDeviceStats()
        self.qdisc = "noop"
        self.carrier_up_count = 0
        self.carrier_down_count = 0
        self.uc = NetdevHwAddrList()   # secondary unicast addresses (dev_uc_add)
        self.mc = NetdevHwAddrList()   # multicast addresses (dev_mc_add)
        self.uc_promisc = False        # the core made the device promiscuous for dev->uc
        self.promiscuity = 0           # users of IFF_PROMISC (dev_set_promiscuity)
        self.allmulti = 0              # users of IFF_ALLMULTI (dev_set_allmulti)
        self._priv = None

    @property
    def dev_addr(self) -> bytes:
        return self._dev_addr

    @dev_addr.setter
    def dev_addr(self, addr):
        addr = bytes(addr)
        if self.addr_len and len(addr) != self.addr_len:
            raise ValueError(f"dev_addr must be {self.addr_len} bytes, got {len(addr)}")
        self._dev_addr = addr

    def __repr__(self):
        return f"<NetDevice {self.name or '?'} ifindex={self.ifindex} {_REG_NAMES[self.reg_state]}>"


def netdev_priv(ndev: NetDevice):
    return ndev._priv


def SET_NETDEV_DEV(ndev: NetDevice, pdev_dev: Device) -> None:
    ndev.dev.parent = pdev_dev


def netdev_name(ndev: NetDevice) -> str:
    if not ndev.name or "%" in ndev.name:
        return "(unnamed net_device)"
    return ndev.name


def netdev_reg_state(ndev: NetDevice) -> str:
    """The suffix netdev_printk appends, e.g. " (unregistered)"."""
    return {NETREG_UNINITIALIZED: " (uninitialized)", NETREG_REGISTERED: "",
            NETREG_UNREGISTERING: " (unregistering)", NETREG_UNREGISTERED: " (unregistered)",
            NETREG_RELEASED: " (released)", NETREG_DUMMY: " (dummy)"}.get(ndev.reg_state,
                                                                          " (unknown)")


def alloc_netdev_mqs(priv, name: str, name_assign_type: int, setup, txqs: int = 1,
                     rxqs: int = 1):
    """Allocate a net_device; ``priv`` is a class/factory for the private area (or None).

    netdev_priv(ndev) returns ``priv()``.  Returns None on bad arguments, as Linux.
    """
    if len(name) >= IFNAMSIZ:
        pr_err("alloc_netdev_mqs: name too long")  # Linux BUG_ON()s; keep it soft
        return None
    if txqs < 1 or rxqs < 1:
        pr_err("alloc_netdev: Unable to allocate device with zero queues.")
        return None
    if priv is not None and not callable(priv):
        raise TypeError("alloc_netdev: priv must be a class or factory (sizeof_priv has no "
                        "meaning in Python)")
    if should_fail("failslab", 2048):    # kvzalloc(struct net_device + priv)
        return None
    ndev = NetDevice()
    ndev.priv_flags = IFF_XMIT_DST_RELEASE | IFF_XMIT_DST_RELEASE_PERM
    ndev.num_tx_queues = ndev.real_num_tx_queues = txqs
    ndev.num_rx_queues = ndev.real_num_rx_queues = rxqs
    ndev.name = name
    ndev.name_assign_type = name_assign_type
    setup(ndev)
    if not ndev.tx_queue_len:
        ndev.priv_flags |= IFF_NO_QUEUE
        ndev.tx_queue_len = 1000
    ndev._priv = priv() if priv is not None else None
    return ndev


def alloc_netdev(priv, name: str, name_assign_type: int, setup):
    return alloc_netdev_mqs(priv, name, name_assign_type, setup, 1, 1)


def free_netdev(ndev: NetDevice) -> None:
    """Release an allocated net_device; it must be unregistered first."""
    if ndev.reg_state == NETREG_RELEASED:
        raise kernel_bug("free_netdev", f"device {netdev_name(ndev)} already freed (double free)")
    if ndev.reg_state not in (NETREG_UNINITIALIZED, NETREG_UNREGISTERED):
        raise kernel_bug("free_netdev", f"device {netdev_name(ndev)} is still registered "
                         f"({_REG_NAMES[ndev.reg_state]}; call unregister_netdev first)")
    # Linux frees the memory; keeping RELEASED lets a second free be caught.
    ndev.reg_state = NETREG_RELEASED


# --- names and indices in init_net -------------------------------------------

def dev_valid_name(name: str) -> bool:
    if not name or len(name) >= IFNAMSIZ or name in (".", ".."):
        return False
    return not any(c == "/" or c == ":" or c.isspace() for c in name)


def __dev_get_by_name(name: str):
    for d in current().netdevs:
        if d.name == name:
            return d
    return None


def dev_get_by_name(name: str):
    """The registered net_device called ``name``, or None."""
    return __dev_get_by_name(name)


def dev_get_by_index(ifindex: int):
    for d in current().netdevs:
        if d.ifindex == ifindex:
            return d
    return None


def for_each_netdev():
    """Registered devices in registration order (lo first)."""
    return iter(list(current().netdevs))


def dev_alloc_name(ndev: NetDevice, name: str) -> int:
    """Fill in the lowest free %d in ``name`` (like __dev_alloc_name). Returns the number."""
    p = name.find("%")
    if p < 0 or name[p + 1:p + 2] != "d" or "%" in name[p + 2:]:
        return -EINVAL
    prefix, suffix = name[:p], name[p + 2:]
    used = set()
    for d in current().netdevs:
        n = d.name
        if n.startswith(prefix) and n.endswith(suffix):
            mid = n[len(prefix):len(n) - len(suffix)]
            if mid.isdigit() and str(int(mid)) == mid:
                used.add(int(mid))
    for i in range(32768):
        if i not in used:
            buf = f"{prefix}{i}{suffix}"
            if not dev_valid_name(buf):
                return -EINVAL
            ndev.name = buf
            return i
    return -ENFILE


def dev_get_valid_name(ndev: NetDevice, name: str) -> int:
    if not dev_valid_name(name):
        return -EINVAL
    if "%" in name:
        ret = dev_alloc_name(ndev, name)
        return ret if ret < 0 else 0
    if __dev_get_by_name(name) is not None:
        return -EEXIST
    ndev.name = name
    return 0


def dev_change_name(ndev: NetDevice, newname: str) -> int:
    """``ip link set dev X name Y`` (only while down, as Linux without IFF_LIVE_RENAME_OK):
    0, -EBUSY, -EINVAL or -EEXIST."""
    if ndev.flags & IFF_UP:
        return -EBUSY
    if newname == ndev.name:
        return 0
    old = ndev.name
    ret = dev_get_valid_name(ndev, newname)
    if ret == 0:
        ndev.dev.name = ndev.name
        netdev_info(ndev, "renamed from %s", old)
    return ret


def dev_new_index() -> int:
    k = current()
    k.ifindex += 1
    return k.ifindex


# --- carrier and operstate ---------------------------------------------------

def _test(ndev, bit):
    return bool(ndev.state & (1 << bit))


def netif_running(ndev: NetDevice) -> bool:
    return _test(ndev, __LINK_STATE_START)


def netif_device_present(ndev: NetDevice) -> bool:
    return _test(ndev, __LINK_STATE_PRESENT)


def netif_carrier_ok(ndev: NetDevice) -> bool:
    return not _test(ndev, __LINK_STATE_NOCARRIER)


def netif_dormant(ndev: NetDevice) -> bool:
    return _test(ndev, __LINK_STATE_DORMANT)


def netif_oper_up(ndev: NetDevice) -> bool:
    return ndev.operstate in (IF_OPER_UP, IF_OPER_UNKNOWN)


def _rfc2863_policy(ndev: NetDevice) -> None:
    # linkwatch, run synchronously instead of from a work item
    if not netif_carrier_ok(ndev):
        ndev.operstate = IF_OPER_DOWN
    elif netif_dormant(ndev):
        ndev.operstate = IF_OPER_DORMANT
    else:
        ndev.operstate = IF_OPER_UP


def netif_carrier_on(ndev: NetDevice) -> None:
    if _test(ndev, __LINK_STATE_NOCARRIER):
        ndev.state &= ~(1 << __LINK_STATE_NOCARRIER)
        if ndev.reg_state == NETREG_UNINITIALIZED:
            return
        ndev.carrier_up_count += 1
        _rfc2863_policy(ndev)


def netif_carrier_off(ndev: NetDevice) -> None:
    if not _test(ndev, __LINK_STATE_NOCARRIER):
        ndev.state |= 1 << __LINK_STATE_NOCARRIER
        if ndev.reg_state == NETREG_UNINITIALIZED:
            return
        ndev.carrier_down_count += 1
        _rfc2863_policy(ndev)


def dev_get_flags(ndev: NetDevice) -> int:
    """Flags as userspace sees them: RUNNING/LOWER_UP derived from state."""
    flags = ndev.flags & ~(IFF_PROMISC | IFF_ALLMULTI | IFF_RUNNING | IFF_LOWER_UP | IFF_DORMANT)
    flags |= ndev.gflags & (IFF_PROMISC | IFF_ALLMULTI)
    if netif_running(ndev):
        if netif_oper_up(ndev):
            flags |= IFF_RUNNING
        if netif_carrier_ok(ndev):
            flags |= IFF_LOWER_UP
        if netif_dormant(ndev):
            flags |= IFF_DORMANT
    return flags


# --- register / unregister / open / close -----------------------------------

async def _ndo(ndev, name, *args):
    fn = getattr(ndev.netdev_ops, name, None)
    if fn is None:
        return None
    ret = fn(ndev, *args)
    if inspect.isawaitable(ret):
        ret = await ret
    return ret


def _has_ndo(ndev, name) -> bool:
    return getattr(ndev.netdev_ops, name, None) is not None


async def register_netdev(ndev: NetDevice) -> int:
    """register_netdevice under RTNL: name, ndo_init, ifindex, list. 0 or -errno."""
    if ndev.reg_state != NETREG_UNINITIALIZED:
        raise kernel_bug("register_netdevice",
                         f"device {netdev_name(ndev)} is {_REG_NAMES[ndev.reg_state]}, not "
                         "NETREG_UNINITIALIZED (a net_device is registered at most once)")
    ret = dev_get_valid_name(ndev, ndev.name)
    if ret < 0:
        return ret
    if _has_ndo(ndev, "ndo_init"):
        ret = await _ndo(ndev, "ndo_init")
        if ret:
            return -EIO if ret > 0 else ret
    ndev.ifindex = dev_new_index()
    ndev.wanted_features = ndev.features & ndev.hw_features
    ndev.reg_state = NETREG_REGISTERED
    ndev.state |= 1 << __LINK_STATE_PRESENT
    if not netif_carrier_ok(ndev) or netif_dormant(ndev):   # linkwatch_init_dev
        _rfc2863_policy(ndev)
    ndev.qdisc = "noop"                                       # dev_init_scheduler
    ndev.dev.name = ndev.name
    current().netdevs.append(ndev)
    if ndev.addr_assign_type == NET_ADDR_PERM:
        ndev.perm_addr = ndev.dev_addr
    return 0


register_netdevice = register_netdev


async def unregister_netdev(ndev: NetDevice) -> None:
    """Close if up, unlist (frees the name), NETREG_UNREGISTERED."""
    if ndev.reg_state == NETREG_UNINITIALIZED:
        raise kernel_bug("unregister_netdevice",
                         f"device {netdev_name(ndev)} was never registered")
    if ndev.reg_state != NETREG_REGISTERED:
        raise kernel_bug("unregister_netdevice",
                         f"device {netdev_name(ndev)} is {_REG_NAMES[ndev.reg_state]}, not "
                         "NETREG_REGISTERED (unregistered twice?)")
    await dev_close(ndev)
    ndev.reg_state = NETREG_UNREGISTERING
    current().netdevs.remove(ndev)
    await _ndo(ndev, "ndo_uninit")
    ndev.state &= ~(1 << __LINK_STATE_PRESENT)
    ndev.reg_state = NETREG_UNREGISTERED


unregister_netdevice = unregister_netdev


def _dev_activate(ndev):
    if ndev.qdisc == "noop":
        ndev.qdisc = "noqueue" if ndev.priv_flags & IFF_NO_QUEUE else "pfifo_fast"


async def dev_open(ndev: NetDevice) -> int:
    """``ip link set dev X up``: ndo_validate_addr, ndo_open, IFF_UP. 0 or -errno."""
    if ndev.reg_state != NETREG_REGISTERED or not netif_device_present(ndev):
        return -ENODEV
    if ndev.flags & IFF_UP:
        return 0
    ndev.state |= 1 << __LINK_STATE_START     # netif_running() is true inside ndo_open
    ret = 0
    if _has_ndo(ndev, "ndo_validate_addr"):
        ret = await _ndo(ndev, "ndo_validate_addr")
    if not ret and _has_ndo(ndev, "ndo_open"):
        ret = await _ndo(ndev, "ndo_open")
    if ret:
        ndev.state &= ~(1 << __LINK_STATE_START)
        return ret
    ndev.flags |= IFF_UP
    await dev_set_rx_mode(ndev)
    _dev_activate(ndev)
    if _has_ndo(ndev, "ndo_tx_timeout"):
        for hook in watchdog_up_hooks:
            hook(ndev)
    return 0


async def dev_close(ndev: NetDevice) -> None:
    """``ip link set dev X down``: clear running, ndo_stop, drop IFF_UP."""
    if not ndev.flags & IFF_UP:
        return
    ndev.state &= ~(1 << __LINK_STATE_START)
    for hook in watchdog_down_hooks:
        hook(ndev)
    await _ndo(ndev, "ndo_stop")
    ndev.flags &= ~IFF_UP


async def dev_set_mtu(ndev: NetDevice, new_mtu: int) -> int:
    """``ip link set mtu``: range check against min/max_mtu, then ndo_change_mtu."""
    if new_mtu == ndev.mtu:
        return 0
    if new_mtu < 0 or new_mtu < ndev.min_mtu or (ndev.max_mtu > 0 and new_mtu > ndev.max_mtu):
        return -EINVAL
    if not netif_device_present(ndev):
        return -ENODEV
    if _has_ndo(ndev, "ndo_change_mtu"):
        return await _ndo(ndev, "ndo_change_mtu", new_mtu) or 0
    ndev.mtu = new_mtu
    return 0


# --- RX mode: promiscuity, allmulti and the filter (net/core/dev.c) ----------

UINT_MAX = 0xFFFFFFFF  # the counters are unsigned int


def _rx_mode_count(ndev: NetDevice, what: str, inc: int) -> int:
    count = getattr(ndev, what) + inc
    if count < 0:
        raise kernel_bug(f"dev_set_{what}", f"device {netdev_name(ndev)}: {what} would drop below 0 "
                         f"(unbalanced dev_set_{what}(dev, {inc}): each -1 undoes an earlier +1)")
    return count


async def dev_change_rx_flags(ndev: NetDevice, flags: int) -> None:
    await _ndo(ndev, "ndo_change_rx_flags", flags)


async def _set_flag_users(ndev: NetDevice, what: str, flag: int, inc: int) -> int:
    """__dev_set_promiscuity / __dev_set_allmulti: count the users, set `flag` while any remain."""
    old_flags = ndev.flags
    count = _rx_mode_count(ndev, what, inc)
    if count > UINT_MAX:
        netdev_warn(ndev, f"{what} touches roof, set {what} failed. {what} feature of device might be broken.")
        return -EOVERFLOW
    setattr(ndev, what, count)
    ndev.flags = ndev.flags | flag if count else ndev.flags & ~flag
    if ndev.flags != old_flags:
        if flag == IFF_PROMISC:
            pr_info("device %s %s promiscuous mode", ndev.name, "entered" if count else "left")
        await dev_change_rx_flags(ndev, flag)
    return 0


async def __dev_set_promiscuity(ndev: NetDevice, inc: int) -> int:
    return await _set_flag_users(ndev, "promiscuity", IFF_PROMISC, inc)


async def dev_set_promiscuity(ndev: NetDevice, inc: int) -> int:
    """Add (+1) or drop (-1) a user of promiscuous mode: IFF_PROMISC while any remain.
    0 or -EOVERFLOW; the filter is reprogrammed when the flag changes."""
    old_flags = ndev.flags
    err = await __dev_set_promiscuity(ndev, inc)
    if not err and ndev.flags != old_flags:
        await dev_set_rx_mode(ndev)
    return err


async def dev_set_allmulti(ndev: NetDevice, inc: int) -> int:
    """Add (+1) or drop (-1) a user of all-multicast mode: IFF_ALLMULTI while any remain."""
    old_flags = ndev.flags
    err = await _set_flag_users(ndev, "allmulti", IFF_ALLMULTI, inc)
    if not err and ndev.flags != old_flags:
        await dev_set_rx_mode(ndev)
    return err


async def __dev_set_rx_mode(ndev: NetDevice) -> None:
    """ndo_set_rx_mode, only while IFF_UP (dev_open calls it once the device is up)."""
    if not ndev.flags & IFF_UP or not netif_device_present(ndev):
        return
    if not ndev.priv_flags & IFF_UNICAST_FLT:
        # No unicast filter in the driver: secondary unicast addresses need promiscuous mode.
        if ndev.uc.count and not ndev.uc_promisc:
            await __dev_set_promiscuity(ndev, 1)
            ndev.uc_promisc = True
        elif not ndev.uc.count and ndev.uc_promisc:
            await __dev_set_promiscuity(ndev, -1)
            ndev.uc_promisc = False
    await _ndo(ndev, "ndo_set_rx_mode")


async def dev_set_rx_mode(ndev: NetDevice) -> None:
    """Reprogram the device's RX filter from its flags and address lists."""
    await __dev_set_rx_mode(ndev)


class SockAddr(types.SimpleNamespace):
    """struct sockaddr as ndo_set_mac_address receives it."""

    def __init__(self, sa_family: int, sa_data: bytes):
        super().__init__(sa_family=sa_family, sa_data=bytes(sa_data))


async def dev_set_mac_address(ndev: NetDevice, addr: bytes) -> int:
    """``ip link set address``: ndo_set_mac_address(SockAddr), then NET_ADDR_SET."""
    if not _has_ndo(ndev, "ndo_set_mac_address"):
        return -EOPNOTSUPP
    if len(addr) != ndev.addr_len:
        return -EINVAL
    if not netif_device_present(ndev):
        return -ENODEV
    ret = await _ndo(ndev, "ndo_set_mac_address", SockAddr(ndev.type, addr)) or 0
    if ret == 0:
        ndev.addr_assign_type = NET_ADDR_SET
    return ret


async def devm_register_netdev(dev: Device, ndev: NetDevice) -> int:
    """register_netdev undone (unregister_netdev) when ``dev``'s driver unbinds.

    Like Linux, ``ndev`` must come from devm_alloc_etherdev() on the same device
    (else WARN and -EINVAL), so unregister runs before the devm free.
    """
    if not any(d.release is free_netdev and d.args == (ndev,) for d in dev.devres):
        dev_warn(dev, "WARNING: devm_register_netdev: net_device not allocated with devm_alloc_etherdev")
        return -EINVAL
    ret = await register_netdev(ndev)
    if ret == 0:
        devres_add(dev, unregister_netdev, ndev, name="devm_unregister_netdev")
    return ret


# --- lo and ip link ----------------------------------------------------------

def loopback_setup(ndev: NetDevice) -> None:
    ndev.mtu = 65536
    ndev.hard_header_len = 14
    ndev.min_header_len = 14
    ndev.addr_len = 6
    ndev.tx_queue_len = 0
    ndev.type = ARPHRD_LOOPBACK
    ndev.flags = IFF_LOOPBACK
    ndev.priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE


def loopback_net_init(k) -> None:
    """Create and register ``lo`` (ifindex 1) and bring it up, as at boot."""
    lo = alloc_netdev(None, "lo", NET_NAME_PREDICTABLE, loopback_setup)
    lo.name = "lo"
    lo.ifindex = 1
    k.ifindex = max(k.ifindex, 1)
    lo.reg_state = NETREG_REGISTERED
    lo.state |= 1 << __LINK_STATE_PRESENT | 1 << __LINK_STATE_START
    lo.flags |= IFF_UP
    lo.qdisc = "noqueue"
    lo.dev.name = "lo"
    k.netdevs.append(lo)
    k.loopback_dev = lo


def _mac(b: bytes) -> str:
    return ":".join(f"{x:02x}" for x in b)


_LINK_FLAG_ORDER = (("LOOPBACK", IFF_LOOPBACK), ("BROADCAST", IFF_BROADCAST),
                    ("POINTOPOINT", IFF_POINTOPOINT), ("MULTICAST", IFF_MULTICAST),
                    ("NOARP", IFF_NOARP), ("ALLMULTI", IFF_ALLMULTI), ("PROMISC", IFF_PROMISC),
                    ("MASTER", IFF_MASTER), ("SLAVE", IFF_SLAVE), ("DEBUG", IFF_DEBUG),
                    ("DYNAMIC", IFF_DYNAMIC), ("AUTOMEDIA", IFF_AUTOMEDIA),
                    ("PORTSEL", IFF_PORTSEL), ("NOTRAILERS", IFF_NOTRAILERS), ("UP", IFF_UP),
                    ("LOWER_UP", IFF_LOWER_UP), ("DORMANT", IFF_DORMANT), ("ECHO", IFF_ECHO))


def _link_flags(flags: int) -> str:
    # iproute2 print_link_flags()
    out = []
    if flags & IFF_UP and not flags & IFF_RUNNING:
        out.append("NO-CARRIER")
    flags &= ~IFF_RUNNING
    for name, bit in _LINK_FLAG_ORDER:
        if flags & bit:
            out.append(name)
            flags &= ~bit
    if flags:
        out.append(f"{flags:x}")
    return "<" + ",".join(out) + ">"


def ip_link_show(ndev: NetDevice = None) -> str:
    """``ip link show [dev X]`` output (iproute2 format, no trailing newline)."""
    if ndev is None:
        return "\n".join(ip_link_show(d) for d in for_each_netdev())
    oper = ndev.operstate if netif_running(ndev) else IF_OPER_DOWN
    line1 = (f"{ndev.ifindex}: {ndev.name}: {_link_flags(dev_get_flags(ndev))} mtu {ndev.mtu} "
             f"qdisc {ndev.qdisc} state {_OPER_NAMES[oper]} mode DEFAULT group "
             f"{'default' if ndev.group == 0 else ndev.group} qlen {ndev.tx_queue_len}")
    kind = {ARPHRD_ETHER: "ether", ARPHRD_LOOPBACK: "loopback"}.get(ndev.type, f"[{ndev.type}]")
    line2 = f"    link/{kind} {_mac(ndev.dev_addr)} brd {_mac(ndev.broadcast)}"
    return line1 + "\n" + line2


def _printk_name(ndev: NetDevice) -> str:
    return netdev_name(ndev) + netdev_reg_state(ndev)


register_netdev_printk(_printk_name, netif_msg_mask)
boot_hooks.append(loopback_net_init)
