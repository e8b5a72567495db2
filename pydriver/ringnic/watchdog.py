"""The link and statistics watchdog: e1000_main.c's e1000_watchdog, e1000_update_stats and the
stats half of e1000_get_stats.

The watchdog runs from the system workqueue: at once on a link status change (the interrupt
handler schedules it on ICR.LSC) and every `watchdog_period` jiffies while the interface is up
(e1000's 2 * HZ), from a kernel timer, i.e. a wait in simulated time: nothing runs between two
periods, and a test shortens the period with the module parameter rather than simulating 2 s.

Link model (README "Link state"): STATUS.LU is the PHY's link while CTRL.SLU is set. On a change
the carrier follows, with the kernel's "NIC Link is Up/Down" lines; the queue is stopped while
the link is down (as e1000 did before the qdisc layer did it for it) and woken when it returns.
The MAC starts no frame without link, so what is already on the ring waits in the NIC and what
the stack sends meanwhile waits in the qdisc (its overflow counted in qdisc drops): nothing is
freed unsent. e1000 instead resets the controller to flush such a ring ("We've lost link, so the
controller stops DMA"); this MAC keeps the frames and sends them when the link returns.
"""

from __future__ import annotations

from pydriver.kernel.netdev_queue import netif_stop_queue, netif_wake_queue
from pydriver.kernel.netdevice import netdev_priv, netif_carrier_off, netif_carrier_ok, netif_carrier_on
from pydriver.kernel.printk import netif_info
from pydriver.kernel.spinlock import spin_lock, spin_unlock
from pydriver.kernel.timer import HZ, TimerList, del_timer, jiffies, mod_timer, schedule_work, timer_setup
from pydriver.ringnic import regs

WATCHDOG_PERIOD = 2 * HZ  # e1000_watchdog reschedules itself every 2 seconds
STATS32 = ("CRCERRS", "RXERRC", "MPC", "ECOL", "GPRC", "BPRC", "MPRC", "GPTC", "RNBC", "RUC", "ROC",
           "TPR", "TPT", "MPTC", "BPTC")
STATS64 = ("GORC", "GOTC", "TOR", "TOT")
# Project-specific read-to-clear counts folded with the statistics: RNRXOFF, the frames the NIC
# dropped with its receiver off (RCTL.EN clear, CTRL.RST), and RNTXRST, the frames CTRL.RST took
# out of its TX packet buffer after writing them back; no 8254x counter counts either. CTRL.RST
# does not clear them, so down() folds them again after its reset (update_reset_counts).
SURVIVE_RST = ("RNRXOFF", "RNTXRST")
FOLDED32 = STATS32 + SURVIVE_RST
LINK_UP_MSG = "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None"


def watchdog_init(adapter, period: int = WATCHDOG_PERIOD) -> None:
    """The timer that queues the watchdog work item every `period` jiffies."""
    adapter.watchdog_period = max(1, int(period))
    adapter.watchdog_timer = TimerList()

    def fire(timer):
        schedule_work(adapter.watchdog_task)

    timer_setup(adapter.watchdog_timer, fire)


def watchdog_stop(adapter) -> None:
    """e1000_down's del_timer_sync: no watchdog after the interface went down."""
    del_timer(adapter.watchdog_timer)


async def ringnic_watchdog(work) -> None:
    """e1000_watchdog: carrier, TCTL.EN and the queue follow STATUS.LU; fold the counters; re-arm."""
    adapter = work.adapter
    if adapter.down:
        return
    link = await adapter.hw.er32(regs.STATUS) & regs.STATUS_LU
    netdev = adapter.netdev
    if link and not netif_carrier_ok(netdev):
        adapter.tctl |= regs.TCTL_EN  # "enable transmits in the hardware"
        await adapter.hw.ew32(regs.TCTL, adapter.tctl)
        netif_carrier_on(netdev)
        netif_info(adapter, "link", netdev, LINK_UP_MSG)
        adapter.link_changes += 1
        await netif_wake_queue(netdev)  # what the stack queued meanwhile goes out now
    elif not link and netif_carrier_ok(netdev):
        netif_carrier_off(netdev)
        netif_info(adapter, "link", netdev, "NIC Link is Down")
        adapter.link_changes += 1
        netif_stop_queue(netdev)
    await update_stats(adapter)
    if not adapter.down:
        mod_timer(adapter.watchdog_timer, jiffies() + adapter.watchdog_period)


async def update_stats(adapter, names=FOLDED32, pairs=STATS64) -> None:
    """e1000_update_stats: fold the NIC's read-to-clear counters into the adapter's totals."""
    hw, s = adapter.hw, adapter.hw_stats
    await spin_lock(adapter.stats_lock)  # the L/H reads of one counter must not interleave
    try:
        for name in names:
            s[name] = s.get(name, 0) + await hw.er32(getattr(regs, name))
        for pair in pairs:
            lo = await hw.er32(getattr(regs, pair + "L"))
            hi = await hw.er32(getattr(regs, pair + "H"))  # the high read clears both halves
            s[pair] = s.get(pair, 0) + (hi << 32 | lo)
    finally:
        spin_unlock(adapter.stats_lock)


async def update_reset_counts(adapter) -> None:
    """After CTRL.RST: fold what the reset itself dropped (the counters it does not clear), so
    that a removed or reconfigured NIC's last frames are counted by this adapter."""
    await update_stats(adapter, SURVIVE_RST, ())


def ringnic_get_stats64(netdev, stats) -> None:
    """ndo_get_stats64: the driver's counters plus what only the NIC saw, as the watchdog last
    folded them (never sleeps, never touches the NIC)."""
    a, s = netdev_priv(netdev), netdev_priv(netdev).hw_stats
    stats.rx_packets, stats.tx_packets = a.rx_packets, a.tx_packets
    stats.rx_bytes, stats.tx_bytes = a.rx_bytes, a.tx_bytes
    stats.multicast = a.rx_multicast
    stats.rx_crc_errors = a.rx_crc_errors + s.get("CRCERRS", 0)
    stats.rx_length_errors = s.get("RUC", 0) + s.get("ROC", 0)
    stats.rx_frame_errors = a.rx_frame_errors  # e1000: ALGNERRC, which this NIC has not; RXERRC is in rx_errors only
    # e1000: rx_missed_errors = MPC; here also RNRXOFF, frames missed with the receiver off
    stats.rx_missed_errors = s.get("MPC", 0) + s.get("RNRXOFF", 0)
    stats.rx_over_errors = a.rx_over_errors
    stats.rx_errors = a.rx_errors + stats.rx_crc_errors - a.rx_crc_errors + stats.rx_length_errors \
        + s.get("RXERRC", 0)
    stats.rx_dropped = a.rx_dropped
    stats.tx_dropped = a.tx_dropped
    # e1000: tx_aborted_errors = ECOL, tx_errors = TXERRC (ECOL + LATECOL); here also RNTXRST,
    # frames a reset dropped from the NIC after their write-back; plus this NIC's TXE stops
    stats.tx_aborted_errors = s.get("ECOL", 0) + s.get("RNTXRST", 0)
    stats.tx_errors = stats.tx_aborted_errors + a.tx_engine_errors
