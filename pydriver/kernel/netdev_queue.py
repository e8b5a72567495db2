"""The transmit side of the stack a driver sees: TX queue state, BQL, the qdisc that calls
ndo_start_xmit (with xmit_more), the TX watchdog and the stats a user reads.

One TX queue per device (the ringnic has one ring). Names as include/linux/netdevice.h,
net/core/dev.c and net/sched/sch_generic.c.
"""

from __future__ import annotations

from collections import deque

from .core import current
from .netdevice import (NetDevice, ip_link_show, netif_carrier_ok, netif_device_present, netif_running,
                        watchdog_down_hooks, watchdog_up_hooks)
from .printk import kernel_bug, netdev_crit
from .skbuff import kfree_skb
from .timer import TimerList, del_timer, jiffies, jiffies_to_msecs, mod_timer, time_after, timer_setup

NETDEV_TX_OK, NETDEV_TX_BUSY = 0x00, 0x10
BQL_LIMIT_BYTES = 64 * 1024  # a fixed dql limit: enough to keep a 1 Gb/s ring busy


class NetdevQueue:
    """struct netdev_queue with its qdisc (pfifo_fast: one FIFO) and BQL's struct dql."""

    def __init__(self, dev: NetDevice):
        self.dev = dev
        self.drv_xoff = True  # __QUEUE_STATE_DRV_XOFF: stopped until ndo_open starts it
        self.stack_xoff = False  # __QUEUE_STATE_STACK_XOFF: BQL's limit reached
        self.trans_start = 0
        self.qdisc = deque()
        self.qdisc_drops = 0
        self.purged = 0  # skbs qdisc_reset freed (a drop monitor's view; not in `ip -s link`, as in Linux)
        self.running = False
        self.xmit_more = False
        self.num_queued = self.num_completed = 0  # dql, in bytes
        self.trans_timeout = 0
        self.stops = self.wakes = 0


def netdev_get_tx_queue(dev: NetDevice, index: int = 0) -> NetdevQueue:
    if index != 0:
        raise kernel_bug("netdev_get_tx_queue", f"{dev.name} has one TX queue, asked for {index}")
    q = getattr(dev, "_txq", None)
    if q is None:
        q = dev._txq = NetdevQueue(dev)
    return q


# ------------------------------------------------------------------ queue state (driver side)
def netif_start_queue(dev: NetDevice) -> None:
    netdev_get_tx_queue(dev).drv_xoff = False


def netif_stop_queue(dev: NetDevice) -> None:
    q = netdev_get_tx_queue(dev)
    if not q.drv_xoff:
        q.stops += 1
        q.trans_start = jiffies()  # the watchdog measures from the stop
    q.drv_xoff = True


async def netif_wake_queue(dev: NetDevice) -> None:
    q = netdev_get_tx_queue(dev)
    was = q.drv_xoff
    q.drv_xoff = False
    if was:
        q.wakes += 1
        await qdisc_run(dev)


def netif_queue_stopped(dev: NetDevice) -> bool:
    return netdev_get_tx_queue(dev).drv_xoff


def netif_xmit_stopped(dev: NetDevice) -> bool:
    q = netdev_get_tx_queue(dev)
    return q.drv_xoff or q.stack_xoff


netif_tx_disable = netif_stop_queue


def netdev_xmit_more() -> bool:
    """True while the qdisc hands over an skb with more right behind it (defer the doorbell)."""

    return getattr(current(), "xmit_more", False)


# ------------------------------------------------------------------ BQL
def netdev_sent_queue(dev: NetDevice, nbytes: int) -> None:
    q = netdev_get_tx_queue(dev)
    q.num_queued += nbytes
    if q.num_queued - q.num_completed > BQL_LIMIT_BYTES:
        q.stack_xoff = True


def __netdev_sent_queue(dev: NetDevice, nbytes: int, xmit_more: bool) -> bool:
    """BQL accounting; True when the doorbell must be rung now."""
    netdev_sent_queue(dev, nbytes)
    return not xmit_more or netif_xmit_stopped(dev)


async def netdev_completed_queue(dev: NetDevice, pkts: int, nbytes: int) -> None:
    q = netdev_get_tx_queue(dev)
    if nbytes > q.num_queued - q.num_completed:
        # dql_completed: BUG_ON(count > num_queued - num_completed)
        raise kernel_bug("netdev_completed_queue",
                         f"{dev.name}: completed {nbytes} bytes but only {q.num_queued - q.num_completed} in flight")
    q.num_completed += nbytes
    if q.stack_xoff and q.num_queued - q.num_completed <= BQL_LIMIT_BYTES:
        q.stack_xoff = False
        await qdisc_run(dev)


def netdev_reset_queue(dev: NetDevice) -> None:
    q = netdev_get_tx_queue(dev)
    q.num_queued = q.num_completed = 0
    q.stack_xoff = False


def bql_inflight(dev: NetDevice) -> int:
    q = netdev_get_tx_queue(dev)
    return q.num_queued - q.num_completed


# ------------------------------------------------------------------ the qdisc and ndo_start_xmit
async def dev_queue_xmit(skb) -> int:
    """Queue an skb for `skb.dev` (pfifo_fast, tx_queue_len deep) and run the qdisc."""
    dev = skb.dev
    q = netdev_get_tx_queue(dev)
    if len(q.qdisc) >= dev.tx_queue_len:
        q.qdisc_drops += 1
        kfree_skb(skb)
        return NETDEV_TX_OK  # NET_XMIT_DROP, to the caller a drop like any other
    q.qdisc.append(skb)
    await qdisc_run(dev)
    return NETDEV_TX_OK


async def dev_queue_xmit_list(skbs) -> None:
    """Queue a batch, then run the qdisc once: the driver sees xmit_more on all but the last."""
    skbs = list(skbs)
    if not skbs:
        return
    dev = skbs[0].dev
    q = netdev_get_tx_queue(dev)
    q.qdisc.extend(skbs)
    await qdisc_run(dev)


async def qdisc_run(dev: NetDevice) -> None:
    """__qdisc_run: hand skbs to ndo_start_xmit while the queue runs; requeue on NETDEV_TX_BUSY."""

    q = netdev_get_tx_queue(dev)
    if q.running or not netif_running(dev):
        return
    q.running = True
    k = current()
    try:
        while q.qdisc and not netif_xmit_stopped(dev):
            skb = q.qdisc.popleft()
            k.xmit_more = bool(q.qdisc)
            rc = await dev.netdev_ops.ndo_start_xmit(skb, dev)
            if rc == NETDEV_TX_BUSY:
                q.qdisc.appendleft(skb)
                break
            if rc != NETDEV_TX_OK:
                raise kernel_bug("ndo_start_xmit", f"{dev.name}: ndo_start_xmit returned {rc:#x}")
    finally:
        k.xmit_more = False
        q.running = False


def qdisc_reset(dev: NetDevice) -> None:
    q = netdev_get_tx_queue(dev)
    while q.qdisc:
        q.purged += 1
        kfree_skb(q.qdisc.popleft())


# ------------------------------------------------------------------ watchdog
async def dev_watchdog(dev: NetDevice) -> bool:
    """One pass of sch_generic.c's dev_watchdog; True if it called ndo_tx_timeout."""
    q = netdev_get_tx_queue(dev)
    if not (netif_device_present(dev) and netif_running(dev) and netif_carrier_ok(dev)):
        return False
    if not netif_xmit_stopped(dev) or not time_after(jiffies(), q.trans_start + dev.watchdog_timeo):
        return False
    q.trans_timeout += 1
    netdev_crit(dev, f"NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out "
                     f"{jiffies_to_msecs(jiffies() - q.trans_start)} ms")
    await dev.netdev_ops.ndo_tx_timeout(dev, 0)
    return True


def netdev_watchdog_up(dev: NetDevice) -> None:
    """Arm the per-device watchdog timer (every watchdog_timeo; 5 s when the driver set none)."""
    if dev.watchdog_timeo <= 0:
        dev.watchdog_timeo = 5 * 1000  # 5 * HZ
    timer = getattr(dev, "watchdog_timer", None)
    if timer is None:
        timer = dev.watchdog_timer = TimerList()

        async def fire(t):
            await dev_watchdog(dev)
            if netif_running(dev):
                mod_timer(t, jiffies() + dev.watchdog_timeo)

        timer_setup(timer, fire)
    mod_timer(timer, jiffies() + dev.watchdog_timeo)


def netdev_watchdog_down(dev: NetDevice) -> None:
    timer = getattr(dev, "watchdog_timer", None)
    if timer is not None:
        del_timer(timer)


watchdog_up_hooks.append(netdev_watchdog_up)
watchdog_down_hooks.append(netdev_watchdog_down)


# ------------------------------------------------------------------ statistics
STATS64_FIELDS = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
                  "rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
                  "rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
                  "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
                  "tx_heartbeat_errors", "tx_window_errors")


class RtnlLinkStats64:
    """struct rtnl_link_stats64, all zero."""

    def __init__(self):
        for f in STATS64_FIELDS:
            setattr(self, f, 0)

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in STATS64_FIELDS}


def dev_get_stats(dev: NetDevice) -> RtnlLinkStats64:
    """ndo_get_stats64 if the driver has one, else dev->stats; plus the core's own drops."""
    st = RtnlLinkStats64()
    if dev.netdev_ops.ndo_get_stats64 is not None:
        dev.netdev_ops.ndo_get_stats64(dev, st)
    else:
        for f in STATS64_FIELDS:
            setattr(st, f, getattr(dev.stats, f, 0))
    st.rx_dropped += getattr(dev, "core_rx_dropped", 0)  # netif_rx's backlog drops (core_stats)
    return st


def ip_s_link_show(dev: NetDevice, details: int = 2) -> str:
    """``ip -s -s link show dev X`` (iproute2's rows; `details=1` is ``ip -s``)."""
    st = dev_get_stats(dev)
    out = [ip_link_show(dev)]

    def block(label: str, heads: str, *vals) -> None:
        out.append(f"    {label:<10}" + "".join(f"{h:>8}" for h in heads.split()))
        out.append(" " * 14 + "".join(f"{v:>8}" for v in vals))

    block("RX:", "bytes packets errors dropped missed mcast", st.rx_bytes, st.rx_packets, st.rx_errors,
          st.rx_dropped, st.rx_missed_errors, st.multicast)
    if details > 1:
        block("RX errors:", "length crc frame fifo overrun", st.rx_length_errors, st.rx_crc_errors,
              st.rx_frame_errors, st.rx_fifo_errors, st.rx_over_errors)
    block("TX:", "bytes packets errors dropped carrier collsns", st.tx_bytes, st.tx_packets, st.tx_errors,
          st.tx_dropped, st.tx_carrier_errors, st.collisions)
    if details > 1:
        block("TX errors:", "aborted fifo window heartbt transns", st.tx_aborted_errors, st.tx_fifo_errors,
              st.tx_window_errors, st.tx_heartbeat_errors, netdev_get_tx_queue(dev, 0).trans_timeout)
    return "\n".join(out)
