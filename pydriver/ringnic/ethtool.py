"""ethtool_ops of ringnic, as e1000_ethtool.c: driver info, link settings, message level, ring
sizes (resized while up as e1000_set_ringparam: down, reallocate, up), the statistics string
set, a register dump, interrupt coalescing and the feature switches.

Coalescing, in microseconds as ethtool speaks (the delay registers count 1.024 us, ITR 256 ns):

  rx-usecs       ITR, as e1000_set_coalesce: 0 = no throttling, else 10..10000 us between
                 interrupts (e1000's dynamic modes 1 and 3 are not modelled: -EINVAL)
  rx-usecs-irq   RDTR, the RX packet timer (module parameter RxIntDelay)
  rx-usecs-high  RADV, the RX absolute timer (RxAbsIntDelay)
  tx-usecs       TIDV, the TX packet timer
  tx-usecs-high  TADV, the TX absolute timer
"""

from __future__ import annotations

from pydriver.kernel.errno import EINVAL, ENOMEM
from pydriver.kernel.ethtool import (AUTONEG_DISABLE, DUPLEX_FULL, DUPLEX_UNKNOWN, ETH_SS_STATS,
                                     ETH_TP_MDI_INVALID, ETHTOOL_COALESCE_RX_USECS, ETHTOOL_COALESCE_RX_USECS_HIGH,
                                     ETHTOOL_COALESCE_RX_USECS_IRQ, ETHTOOL_COALESCE_TX_USECS,
                                     ETHTOOL_COALESCE_TX_USECS_HIGH, PORT_TP, SPEED_1000, SPEED_UNKNOWN, EthtoolOps,
                                     ethtool_op_get_link)
from pydriver.kernel.netdevice import NETIF_F_RXCSUM, netdev_priv, netif_carrier_ok, netif_running
from pydriver.ringnic import param, regs, rx, tx
from pydriver.ringnic.netdev import down, ringnic_reinit, up
from pydriver.ringnic.watchdog import ringnic_get_stats64, update_stats

MIN_TXD = MIN_RXD = 48  # E1000_MIN_TXD / E1000_MIN_RXD
REQ_DESCRIPTOR_MULTIPLE = 8  # TDLEN/RDLEN are multiples of 128 bytes
MAX_ITR_USECS, MIN_ITR_USECS = 10000, 10  # E1000_MAX_ITR_USECS / E1000_MIN_ITR_USECS
DELAY_MAX = 0xFFFF  # the delay registers' 16 bits

# ethtool -d: these registers, in this order (none that a read clears: not ICR, no counter).
REGS_DUMP = ("CTRL", "STATUS", "IMS", "ITR", "RCTL", "RDBAL", "RDLEN", "RDH", "RDT", "RDTR", "RADV",
             "TCTL", "TIPG", "TDBAL", "TDLEN", "TDH", "TDT", "TIDV", "TADV", "RAL0", "RAH0",
             "RNID", "RNVER", "RNCAPS", "RNTXERR", "RNRXERR")
REGS_DUMP_VERSION = 1


def _stats(adapter) -> dict:
    """The `ethtool -S` string set and values, e1000's names where e1000 has one."""
    st = type("S", (), {})()
    ringnic_get_stats64(adapter.netdev, st)
    s = adapter.hw_stats
    return {
        "rx_packets": adapter.rx_packets, "tx_packets": adapter.tx_packets,
        "rx_bytes": adapter.rx_bytes, "tx_bytes": adapter.tx_bytes,
        "rx_broadcast": s.get("BPRC", 0), "tx_broadcast": s.get("BPTC", 0),
        "rx_multicast": s.get("MPRC", 0), "tx_multicast": s.get("MPTC", 0),
        "rx_errors": st.rx_errors, "tx_errors": st.tx_errors, "tx_dropped": adapter.tx_dropped,
        "rx_length_errors": st.rx_length_errors, "rx_over_errors": adapter.rx_over_errors,
        "rx_crc_errors": st.rx_crc_errors, "rx_frame_errors": st.rx_frame_errors,
        "rx_no_buffer_count": s.get("RNBC", 0), "rx_missed_errors": st.rx_missed_errors,
        "rx_missed_off": s.get("RNRXOFF", 0),
        "tx_aborted_errors": st.tx_aborted_errors, "tx_aborted_reset": s.get("RNTXRST", 0),
        "tx_timeout_count": adapter.tx_timeout_count, "tx_restart_queue": adapter.restart_queue,
        "rx_long_length_errors": s.get("ROC", 0), "rx_short_length_errors": s.get("RUC", 0),
        "rx_csum_offload_good": adapter.hw_csum_good, "rx_csum_offload_errors": adapter.hw_csum_err,
        "tx_csum_offload": adapter.hw_csum_tx,
        "alloc_rx_buff_failed": adapter.alloc_rx_buff_failed, "engine_errors": adapter.engine_errors,
        "tx_engine_errors": adapter.tx_engine_errors, "link_changes": adapter.link_changes,
        "interrupts": adapter.interrupts, "napi_polls": adapter.polls, "tdt_writes": adapter.tdt_writes,
    }


# ------------------------------------------------------------------ info, link, message level
def ringnic_get_drvinfo(netdev, info) -> None:
    adapter = netdev_priv(netdev)
    info.driver, info.version = param.DRV_NAME, param.DRV_VERSION
    info.fw_version = "%d.%d.%d" % adapter.hw.version  # RNVER: the register interface
    info.bus_info = adapter.pdev.dev.name


def ringnic_get_link_ksettings(netdev, ks) -> int:
    """e1000_get_link_ksettings for a MAC with one mode: 1000baseT/Full, no autonegotiation."""
    ks.supported = {"1000baseT/Full", "TP"}
    ks.advertising = {"1000baseT/Full", "TP"}
    ks.port, ks.autoneg, ks.transceiver, ks.eth_tp_mdix = PORT_TP, AUTONEG_DISABLE, 0, ETH_TP_MDI_INVALID
    up_ = netif_running(netdev) and netif_carrier_ok(netdev)
    ks.speed, ks.duplex = (SPEED_1000, DUPLEX_FULL) if up_ else (SPEED_UNKNOWN, DUPLEX_UNKNOWN)
    return 0


def ringnic_get_msglevel(netdev) -> int:
    return netdev_priv(netdev).msg_enable


def ringnic_set_msglevel(netdev, data: int) -> None:
    netdev_priv(netdev).msg_enable = data


async def ringnic_nway_reset(netdev) -> int:
    """e1000_nway_reset: restart the link, i.e. reinitialise a running interface."""
    if netif_running(netdev):
        await ringnic_reinit(netdev_priv(netdev).reset_task)
    return 0


# ------------------------------------------------------------------ rings
def ringnic_get_ringparam(netdev, ring) -> None:
    adapter = netdev_priv(netdev)
    ring.rx_max_pending = ring.tx_max_pending = 1 << adapter.hw.cap(regs.RNCAPS_RING_LOG2)
    ring.rx_pending, ring.tx_pending = adapter.rx_ring.count, adapter.tx_ring.count


def _ring_count(want: int, lo: int, hi: int) -> int:
    n = min(max(want, lo), hi)
    return (n + REQ_DESCRIPTOR_MULTIPLE - 1) // REQ_DESCRIPTOR_MULTIPLE * REQ_DESCRIPTOR_MULTIPLE


async def ringnic_set_ringparam(netdev, ring) -> int:
    """e1000_set_ringparam: new rings of the clamped sizes; a running interface goes down, gets
    them (the old ones kept if the allocation fails) and comes up again."""
    adapter = netdev_priv(netdev)
    if ring.rx_mini_pending or ring.rx_jumbo_pending:
        return -EINVAL
    hi = 1 << adapter.hw.cap(regs.RNCAPS_RING_LOG2)
    ntx, nrx = _ring_count(ring.tx_pending, MIN_TXD, hi), _ring_count(ring.rx_pending, MIN_RXD, hi)
    if (ntx, nrx) == (adapter.tx_ring.count, adapter.rx_ring.count):
        return 0
    running = netif_running(netdev)
    if not running:
        adapter.tx_ring, adapter.rx_ring = tx.TxRing(ntx), rx.RxRing(nrx)
        return 0
    await down(adapter)
    old_tx, old_rx = adapter.tx_ring, adapter.rx_ring
    adapter.tx_ring, adapter.rx_ring = tx.TxRing(ntx), rx.RxRing(nrx)
    err = tx.setup_tx_resources(adapter)
    if not err:
        err = rx.setup_rx_resources(adapter)
        if err:
            tx.free_tx_resources(adapter)
    new_tx, new_rx = adapter.tx_ring, adapter.rx_ring
    adapter.tx_ring, adapter.rx_ring = old_tx, old_rx
    if not err:  # "save the new, restore the old in order to free it, then restore the new back"
        tx.free_tx_resources(adapter)
        rx.free_rx_resources(adapter)
        adapter.tx_ring, adapter.rx_ring = new_tx, new_rx
    await up(adapter)
    return -ENOMEM if err else 0


# ------------------------------------------------------------------ statistics, registers
def ringnic_get_sset_count(netdev, sset: int) -> int:
    return len(_stats(netdev_priv(netdev))) if sset == ETH_SS_STATS else -EINVAL


def ringnic_get_strings(netdev, sset: int, data: list) -> None:
    if sset == ETH_SS_STATS:
        data.extend(_stats(netdev_priv(netdev)))


async def ringnic_get_ethtool_stats(netdev, stats, data: list) -> None:
    """e1000_get_ethtool_stats: fold the NIC's counters first, then report."""
    adapter = netdev_priv(netdev)
    await update_stats(adapter)
    data[:] = list(_stats(adapter).values())


def ringnic_get_regs_len(netdev) -> int:
    return 4 * len(REGS_DUMP)


async def ringnic_get_regs(netdev, regs_, buf: list) -> None:
    hw = netdev_priv(netdev).hw
    regs_.version = REGS_DUMP_VERSION
    for i, name in enumerate(REGS_DUMP):
        buf[i] = await hw.er32(getattr(regs, name))


# ------------------------------------------------------------------ coalescing
def _usecs_to_delay(usecs: int) -> int:
    return (usecs * 1000 + 512) // 1024


def _delay_to_usecs(units: int) -> int:
    return (units * 1024 + 500) // 1000


def ringnic_get_coalesce(netdev, ec) -> int:
    a = netdev_priv(netdev)
    ec.rx_coalesce_usecs = a.itr_usecs
    ec.rx_coalesce_usecs_irq = _delay_to_usecs(a.rx_int_delay)
    ec.rx_coalesce_usecs_high = _delay_to_usecs(a.rx_abs_int_delay)
    ec.tx_coalesce_usecs = _delay_to_usecs(a.tx_int_delay)
    ec.tx_coalesce_usecs_high = _delay_to_usecs(a.tx_abs_int_delay)
    return 0


async def ringnic_set_coalesce(netdev, ec) -> int:
    """e1000_set_coalesce's ITR rule and range checks; the delay timers as their registers."""
    a = netdev_priv(netdev)
    usecs = ec.rx_coalesce_usecs
    if usecs > MAX_ITR_USECS or (0 < usecs < MIN_ITR_USECS):
        return -EINVAL
    delays = [_usecs_to_delay(v) for v in (ec.rx_coalesce_usecs_irq, ec.rx_coalesce_usecs_high,
                                            ec.tx_coalesce_usecs, ec.tx_coalesce_usecs_high)]
    if max(delays) > DELAY_MAX:
        return -EINVAL
    a.itr_usecs = usecs
    itr = 1000000 // usecs if usecs else 0  # interrupts per second, as e1000's adapter->itr
    a.itr = 1000000000 // (itr * 256) if itr else 0  # 256 ns units
    a.rx_int_delay, a.rx_abs_int_delay, a.tx_int_delay, a.tx_abs_int_delay = delays
    tx.set_txd_ide(a)
    if not a.down:  # live: the next configure writes the same values
        for reg, v in ((regs.ITR, a.itr), (regs.RDTR, a.rx_int_delay), (regs.RADV, a.rx_abs_int_delay),
                       (regs.TIDV, a.tx_int_delay), (regs.TADV, a.tx_abs_int_delay)):
            await a.hw.ew32(reg, v)
    return 0


# ------------------------------------------------------------------ features (net_device_ops)
def ringnic_fix_features(netdev, features: int) -> int:
    """ndo_fix_features: nothing to tie together here (e1000's is about VLAN offloads)."""
    return features


async def ringnic_set_features(netdev, features: int) -> int:
    """ndo_set_features, as e1000_set_features: the TX path reads netdev->features per frame, so a
    TX change is live; NETIF_F_RXCSUM goes to RXCSUM, written by e1000_configure_rx while RCTL.EN
    is clear: a running interface is reinitialised (down, up), a stopped one gets it at open."""
    adapter = netdev_priv(netdev)
    changed = features ^ netdev.features
    netdev.features = features
    if changed & NETIF_F_RXCSUM and netif_running(netdev) and not adapter.down:
        await down(adapter)
        await up(adapter)
    return 0


RINGNIC_ETHTOOL_OPS = EthtoolOps(
    supported_coalesce_params=(ETHTOOL_COALESCE_RX_USECS | ETHTOOL_COALESCE_RX_USECS_IRQ
                               | ETHTOOL_COALESCE_RX_USECS_HIGH | ETHTOOL_COALESCE_TX_USECS
                               | ETHTOOL_COALESCE_TX_USECS_HIGH),
    get_drvinfo=ringnic_get_drvinfo,
    get_regs_len=ringnic_get_regs_len,
    get_regs=ringnic_get_regs,
    get_msglevel=ringnic_get_msglevel,
    set_msglevel=ringnic_set_msglevel,
    nway_reset=ringnic_nway_reset,
    get_link=ethtool_op_get_link,
    get_coalesce=ringnic_get_coalesce,
    set_coalesce=ringnic_set_coalesce,
    get_ringparam=ringnic_get_ringparam,
    set_ringparam=ringnic_set_ringparam,
    get_strings=ringnic_get_strings,
    get_ethtool_stats=ringnic_get_ethtool_stats,
    get_sset_count=ringnic_get_sset_count,
    get_link_ksettings=ringnic_get_link_ksettings,
)
