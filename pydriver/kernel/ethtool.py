"""struct ethtool_ops and the core's side of `ethtool` (include/linux/ethtool.h, net/ethtool/ioctl.c).

A driver sets ``netdev.ethtool_ops = EthtoolOps(get_drvinfo=..., ...)`` with Linux's member names;
absent members read None and the core answers -EOPNOTSUPP for them, as the ioctl does. The
``ethtool_*`` functions here are what the ioctl handlers do between user space and the driver:
check arguments against what the driver reports (ring maxima, supported coalescing fields),
call the op, and for features run netdev_update_features (ndo_fix_features, then
ndo_set_features). Ops that touch the NIC may be coroutines; the core awaits them.
"""

from __future__ import annotations

import inspect
import types

from .errno import EINVAL, EOPNOTSUPP
from .netdevice import (NETIF_F_HW_CSUM, NETIF_F_IP_CSUM, NETIF_F_IPV6_CSUM, NETIF_F_RXCSUM,  # noqa: F401 (re-exported)
                        NETIF_F_SG, netif_carrier_ok)
from .printk import netdev_dbg

NETIF_F_CSUM_MASK = NETIF_F_IP_CSUM | NETIF_F_HW_CSUM | NETIF_F_IPV6_CSUM

ETH_GSTRING_LEN = 32
ETH_SS_TEST, ETH_SS_STATS = 0, 1
SPEED_10, SPEED_100, SPEED_1000, SPEED_UNKNOWN = 10, 100, 1000, -1
DUPLEX_HALF, DUPLEX_FULL, DUPLEX_UNKNOWN = 0x00, 0x01, 0xFF
PORT_TP, PORT_FIBRE, PORT_OTHER = 0x00, 0x03, 0xFF
AUTONEG_DISABLE, AUTONEG_ENABLE = 0x00, 0x01
ETH_TP_MDI_INVALID = 0x00

# supported_coalesce_params (ethtool.h, Linux 5.7+): a field outside them is refused.
ETHTOOL_COALESCE_RX_USECS = 1 << 0
ETHTOOL_COALESCE_RX_USECS_IRQ = 1 << 2
ETHTOOL_COALESCE_TX_USECS = 1 << 4
ETHTOOL_COALESCE_TX_USECS_IRQ = 1 << 6
ETHTOOL_COALESCE_RX_USECS_HIGH = 1 << 16
ETHTOOL_COALESCE_TX_USECS_HIGH = 1 << 19

OPS = ("supported_coalesce_params", "get_drvinfo", "get_regs_len", "get_regs", "get_msglevel", "set_msglevel",
       "nway_reset", "get_link", "get_coalesce", "set_coalesce", "get_ringparam", "set_ringparam",
       "get_strings", "get_ethtool_stats", "get_sset_count", "get_link_ksettings", "set_link_ksettings")


class EthtoolOps:
    """struct ethtool_ops: members as keywords; absent ones read None (0 for the flags)."""

    def __init__(self, **ops):
        for k, v in ops.items():
            if k not in OPS:
                raise TypeError(f"ethtool_ops has no member {k!r}")
            setattr(self, k, v)

    def __getattr__(self, name):
        if name in OPS:
            return 0 if name == "supported_coalesce_params" else None
        raise AttributeError(name)


def _struct(name: str, fields: str, **defaults):
    def init(self, **kw):
        vals = {f: defaults.get(f, 0) for f in fields.split()}
        unknown = set(kw) - set(vals)
        if unknown:
            raise TypeError(f"{name} has no member {sorted(unknown)[0]!r}")
        types.SimpleNamespace.__init__(self, **{**vals, **kw})
    return type(name, (types.SimpleNamespace,), {"__init__": init, "FIELDS": tuple(fields.split())})


EthtoolDrvinfo = _struct("EthtoolDrvinfo", "driver version fw_version bus_info erom_version n_priv_flags n_stats "
                         "testinfo_len eedump_len regdump_len", driver="", version="", fw_version="", bus_info="",
                         erom_version="")
EthtoolRingparam = _struct("EthtoolRingparam", "rx_max_pending rx_mini_max_pending rx_jumbo_max_pending "
                           "tx_max_pending rx_pending rx_mini_pending rx_jumbo_pending tx_pending")
EthtoolCoalesce = _struct("EthtoolCoalesce", "rx_coalesce_usecs rx_max_coalesced_frames rx_coalesce_usecs_irq "
                          "rx_max_coalesced_frames_irq tx_coalesce_usecs tx_max_coalesced_frames "
                          "tx_coalesce_usecs_irq tx_max_coalesced_frames_irq stats_block_coalesce_usecs "
                          "use_adaptive_rx_coalesce use_adaptive_tx_coalesce pkt_rate_low rx_coalesce_usecs_low "
                          "rx_max_coalesced_frames_low tx_coalesce_usecs_low tx_max_coalesced_frames_low "
                          "pkt_rate_high rx_coalesce_usecs_high rx_max_coalesced_frames_high "
                          "tx_coalesce_usecs_high tx_max_coalesced_frames_high rate_sample_interval")
EthtoolRegs = _struct("EthtoolRegs", "cmd version len")
# struct ethtool_link_ksettings: .base's members; the link modes as sets of ethtool's names
EthtoolLinkKsettings = _struct("EthtoolLinkKsettings", "speed duplex port phy_address autoneg mdio_support "
                               "eth_tp_mdix eth_tp_mdix_ctrl transceiver supported advertising lp_advertising",
                               speed=SPEED_UNKNOWN, duplex=DUPLEX_UNKNOWN)

# Which supported_coalesce_params bit allows a non-zero field (the rest are refused when set).
_COALESCE_BITS = {"rx_coalesce_usecs": ETHTOOL_COALESCE_RX_USECS, "rx_coalesce_usecs_irq": ETHTOOL_COALESCE_RX_USECS_IRQ,
                  "tx_coalesce_usecs": ETHTOOL_COALESCE_TX_USECS, "tx_coalesce_usecs_irq": ETHTOOL_COALESCE_TX_USECS_IRQ,
                  "rx_coalesce_usecs_high": ETHTOOL_COALESCE_RX_USECS_HIGH,
                  "tx_coalesce_usecs_high": ETHTOOL_COALESCE_TX_USECS_HIGH}


async def _call(fn, *args):
    rv = fn(*args)
    return await rv if inspect.isawaitable(rv) else rv


def _ops(dev):
    return dev.ethtool_ops or EthtoolOps()


# ------------------------------------------------------------------ the ioctl handlers
async def ethtool_get_drvinfo(dev) -> EthtoolDrvinfo:
    """ETHTOOL_GDRVINFO: the driver's answer, with the counts the core fills in."""
    ops, info = _ops(dev), EthtoolDrvinfo()
    if ops.get_drvinfo:
        await _call(ops.get_drvinfo, dev, info)
    elif dev.dev.parent is not None and dev.dev.parent.driver is not None:
        info.driver, info.bus_info = dev.dev.parent.driver.name, dev.dev.parent.name
    if ops.get_sset_count:
        n = await _call(ops.get_sset_count, dev, ETH_SS_STATS)
        info.n_stats = max(n, 0)
    if ops.get_regs_len:
        info.regdump_len = await _call(ops.get_regs_len, dev)
    return info


async def ethtool_get_link(dev) -> int:
    """ETHTOOL_GLINK: the driver's get_link (ethtool_op_get_link reads the carrier)."""
    if not _ops(dev).get_link:
        return -EOPNOTSUPP
    return int(bool(await _call(_ops(dev).get_link, dev)))


def ethtool_op_get_link(dev) -> int:
    return int(netif_carrier_ok(dev))


async def ethtool_get_link_ksettings(dev):
    """ETHTOOL_GLINKSETTINGS: (0, settings) or (-errno, None)."""
    if not _ops(dev).get_link_ksettings:
        return -EOPNOTSUPP, None
    ks = EthtoolLinkKsettings(supported=set(), advertising=set(), lp_advertising=set())
    err = await _call(_ops(dev).get_link_ksettings, dev, ks)
    return (err, None) if err else (0, ks)


async def ethtool_get_ringparam(dev):
    if not _ops(dev).get_ringparam:
        return -EOPNOTSUPP, None
    ring = EthtoolRingparam()
    await _call(_ops(dev).get_ringparam, dev, ring)
    return 0, ring


async def ethtool_set_ringparam(dev, **changes) -> int:
    """ETHTOOL_SRINGPARAM: the current values with `changes`, refused above the driver's maxima."""
    ops = _ops(dev)
    if not ops.set_ringparam or not ops.get_ringparam:
        return -EOPNOTSUPP
    _, m = await ethtool_get_ringparam(dev)
    ring = EthtoolRingparam(**vars(m))
    for k, v in changes.items():
        if k not in EthtoolRingparam.FIELDS or v < 0:
            return -EINVAL
        setattr(ring, k, v)
    if (ring.rx_pending > m.rx_max_pending or ring.tx_pending > m.tx_max_pending
            or ring.rx_mini_pending > m.rx_mini_max_pending or ring.rx_jumbo_pending > m.rx_jumbo_max_pending):
        return -EINVAL
    return await _call(ops.set_ringparam, dev, ring)


async def ethtool_get_coalesce(dev):
    if not _ops(dev).get_coalesce:
        return -EOPNOTSUPP, None
    ec = EthtoolCoalesce()
    err = await _call(_ops(dev).get_coalesce, dev, ec)
    return (err, None) if err else (0, ec)


async def ethtool_set_coalesce(dev, **changes) -> int:
    """ETHTOOL_SCOALESCE: fields the driver does not list in supported_coalesce_params must stay 0."""
    ops = _ops(dev)
    if not ops.set_coalesce or not ops.get_coalesce:
        return -EOPNOTSUPP
    err, ec = await ethtool_get_coalesce(dev)
    if err:
        return err
    for k, v in changes.items():
        if k not in EthtoolCoalesce.FIELDS:
            return -EINVAL
        setattr(ec, k, v)
    for k in EthtoolCoalesce.FIELDS:
        if getattr(ec, k) and not ops.supported_coalesce_params & _COALESCE_BITS.get(k, 0):
            return -EOPNOTSUPP  # ethtool_set_coalesce_supported
    return await _call(ops.set_coalesce, dev, ec)


async def ethtool_get_strings(dev, sset: int) -> list:
    ops = _ops(dev)
    if not ops.get_sset_count or not ops.get_strings:
        return []
    n = await _call(ops.get_sset_count, dev, sset)
    data = []
    if n > 0:
        await _call(ops.get_strings, dev, sset, data)
    if any(len(s) >= ETH_GSTRING_LEN for s in data):
        raise ValueError(f"{dev.name}: a string longer than ETH_GSTRING_LEN - 1")
    return data[:max(n, 0)]


async def ethtool_get_stats(dev):
    """ETHTOOL_GSTATS: (names, values), as many as get_sset_count(ETH_SS_STATS) says."""
    ops = _ops(dev)
    if not ops.get_ethtool_stats or not ops.get_sset_count:
        return -EOPNOTSUPP, None
    names = await ethtool_get_strings(dev, ETH_SS_STATS)
    data = [0] * len(names)
    await _call(ops.get_ethtool_stats, dev, None, data)
    return 0, list(zip(names, data))


async def ethtool_get_regs(dev):
    """ETHTOOL_GREGS: (0, (version, list of 32-bit words)) or (-errno, None)."""
    ops = _ops(dev)
    if not ops.get_regs or not ops.get_regs_len:
        return -EOPNOTSUPP, None
    n = await _call(ops.get_regs_len, dev)
    regs, buf = EthtoolRegs(len=n), [0] * (n // 4)
    await _call(ops.get_regs, dev, regs, buf)
    return 0, (regs.version, buf)


async def ethtool_get_msglevel(dev) -> int:
    ops = _ops(dev)
    return await _call(ops.get_msglevel, dev) if ops.get_msglevel else -EOPNOTSUPP


async def ethtool_set_msglevel(dev, value: int) -> int:
    ops = _ops(dev)
    if not ops.set_msglevel:
        return -EOPNOTSUPP
    await _call(ops.set_msglevel, dev, value)
    return 0


async def ethtool_nway_reset(dev) -> int:
    ops = _ops(dev)
    return await _call(ops.nway_reset, dev) if ops.nway_reset else -EOPNOTSUPP


# ------------------------------------------------------------------ features (net/core/dev.c)
def netdev_fix_features(dev, features: int) -> int:
    """The core's own rules after the driver's ndo_fix_features."""
    if features & NETIF_F_SG and not features & NETIF_F_CSUM_MASK:
        netdev_dbg(dev, "Dropping NETIF_F_SG since no checksum feature.")
        features &= ~NETIF_F_SG
    return features


async def netdev_update_features(dev) -> int:
    """__netdev_update_features: wanted & hw, fixed by the driver and the core, then set."""
    features = (dev.features & ~dev.hw_features) | (dev.wanted_features & dev.hw_features)
    ops = dev.netdev_ops
    if ops.ndo_fix_features is not None:
        features = await _call(ops.ndo_fix_features, dev, features)
    features = netdev_fix_features(dev, features)
    if features == dev.features:
        return 0
    err = 0
    if ops.ndo_set_features is not None:
        err = await _call(ops.ndo_set_features, dev, features)
    if err:
        return err
    dev.features = features
    return 0


async def ethtool_set_features(dev, on: int = 0, off: int = 0) -> int:
    """ETHTOOL_SFEATURES: change wanted_features; a bit outside hw_features is refused."""
    if (on | off) & ~dev.hw_features:
        return -EINVAL
    dev.wanted_features = (dev.wanted_features | on) & ~off
    return await netdev_update_features(dev)
