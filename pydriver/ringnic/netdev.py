"""net_device_ops of ringnic: open/stop, the interrupt handler, the NAPI poll, TX timeout and
reset, RX mode, MTU and MAC -- e1000_main.c's e1000_open, e1000_intr, e1000_clean,
e1000_tx_timeout, e1000_reinit_locked. The link watchdog and the statistics are in watchdog.py.
"""

from __future__ import annotations

from pydriver.kernel.dev_addr_lists import netdev_for_each_mc_addr, netdev_uc_count
from pydriver.kernel.errno import EADDRNOTAVAIL
from pydriver.kernel.etherdevice import ETH_FCS_LEN, ETH_HLEN, eth_hw_addr_set, is_valid_ether_addr
from pydriver.kernel.interrupt import IRQ_HANDLED, IRQ_NONE, IRQF_SHARED, free_irq, request_irq, synchronize_irq
from pydriver.kernel.napi import (__napi_schedule, napi_complete_done, napi_count_tx, napi_disable, napi_enable,
                                  napi_note_irq_mask, napi_note_irq_unmask, napi_schedule_prep)
from pydriver.kernel.netdev_queue import netif_start_queue, netif_tx_disable, netif_wake_queue, qdisc_reset
from pydriver.kernel.netdevice import IFF_ALLMULTI, IFF_PROMISC, netdev_priv, netif_carrier_off, netif_running
from pydriver.kernel.printk import netdev_dbg, netdev_err
from pydriver.kernel.timer import INIT_WORK, schedule_work
from pydriver.ringnic import regs, rx, tx
# ringnic_get_stats64 is re-exported for main.py's ops table; update_stats for down() (and old callers)
from pydriver.ringnic.watchdog import (ringnic_get_stats64, ringnic_watchdog, update_reset_counts,  # noqa: F401
                                       update_stats, watchdog_stop)

# The causes e1000 enables (IMS_ENABLE_MASK) plus RXO and this NIC's engine-error causes.
MAX_INTR = 10  # E1000_MAX_INTR: passes of the pre-NAPI handler
IMS_ENABLE_MASK = (regs.IMS_RXT0 | regs.IMS_TXDW | regs.IMS_RXDMT0 | regs.IMS_RXSEQ | regs.IMS_LSC
                   | regs.IMS_RXO | regs.IMS_TXE | regs.IMS_RXE)


# ------------------------------------------------------------------ interrupts
async def irq_disable(adapter) -> None:
    """e1000_irq_disable: mask everything, flush, wait for a handler still running."""
    await adapter.hw.irq_disable()
    if adapter.napi:
        napi_note_irq_mask(adapter.napi)
    if adapter.irq_requested:
        await synchronize_irq(adapter.irq)


async def irq_enable(adapter) -> None:
    if adapter.napi:
        napi_note_irq_unmask(adapter.napi)
    if adapter.bugs.clear_icr_on_unmask:  # bug demo (bugdemo.py): loses what came while masked
        await adapter.hw.ew32(regs.ICR, 0xFFFFFFFF)
    await adapter.hw.ew32(regs.IMS, IMS_ENABLE_MASK)
    await adapter.hw.write_flush()


async def ringnic_intr(irq: int, netdev) -> int:
    """e1000_intr: read (and so clear) the causes, mask, hand the work to NAPI."""
    adapter = netdev_priv(netdev)
    icr = await adapter.hw.er32(regs.ICR)
    if not icr:
        return IRQ_NONE  # not ours: the line may be shared
    adapter.interrupts += 1
    if adapter.down:
        return IRQ_HANDLED
    if icr & (regs.ICR_LSC | regs.ICR_RXSEQ):
        schedule_work(adapter.watchdog_task)
    if icr & regs.ICR_RXO:
        adapter.rx_over_errors += 1  # an overflow *event*: the frames are in MPC
    if icr & regs.ICR_TXE:
        adapter.tx_engine_errors += 1  # a frame the TX engine gave up: in tx_errors
    if icr & (regs.ICR_TXE | regs.ICR_RXE):
        adapter.engine_errors += 1
        schedule_work(adapter.reset_task)  # a ring stopped on bad input: reinitialise
    if not adapter.napi:
        return await _intr_no_napi(adapter)
    # Mask before scheduling: the poll owns the device until napi_complete_done says otherwise.
    await adapter.hw.ew32(regs.IMC, 0xFFFFFFFF)
    await adapter.hw.write_flush()
    napi_note_irq_mask(adapter.napi)
    if napi_schedule_prep(adapter.napi):
        __napi_schedule(adapter.napi)
    elif not adapter.down:
        await irq_enable(adapter)  # "this really should not happen" (e1000)
    return IRQ_HANDLED


async def _intr_no_napi(adapter) -> int:
    """The pre-NAPI e1000_intr: all the work in the handler, the interrupt never masked. RX
    frames go to the backlog with netif_rx; up to MAX_INTR passes over both rings."""
    for _ in range(MAX_INTR):
        rx_work = await rx.clean_rx_irq(adapter, None, adapter.rx_ring.count)
        if not rx_work and await tx.clean_tx_irq(adapter):
            break
    return IRQ_HANDLED


async def ringnic_poll(napi, budget: int) -> int:
    """e1000_clean: TX reclaim (not budget-bound), then RX up to the budget."""
    adapter = netdev_priv(napi.dev)
    before = adapter.tx_packets
    tx_clean_complete = await tx.clean_tx_irq(adapter)
    napi_count_tx(napi, adapter.tx_packets - before)
    work_done = await rx.clean_rx_irq(adapter, napi, budget) if budget else 0
    adapter.polls += 1
    if not tx_clean_complete or work_done == budget:
        return budget
    if napi_complete_done(napi, work_done) and not adapter.down:
        await irq_enable(adapter)
    return work_done


ENGINE_ERRORS = {reg: {getattr(regs, n): n[len(f"{reg}_CODE_"):] for n in dir(regs) if n.startswith(f"{reg}_CODE_")
                        and n != f"{reg}_CODE_SHIFT"} for reg in ("RNTXERR", "RNRXERR")}


async def report_engine_errors(adapter) -> None:
    """Say why a ring stopped (RNTXERR/RNRXERR: code and descriptor) before a reset clears it."""
    for reg, what in (("RNTXERR", "Tx"), ("RNRXERR", "Rx")):
        v = await adapter.hw.er32(getattr(regs, reg))
        code = v & getattr(regs, f"{reg}_CODE")
        if code:
            name = ENGINE_ERRORS[reg].get(code, str(code))
            adapter.engine_error_log.append((reg, name, v >> 16))
            netdev_err(adapter.netdev, f"{what} engine stopped: {name} at descriptor {v >> 16}, resetting")


# ------------------------------------------------------------------ reset
async def ringnic_reinit(work) -> None:
    """e1000_reinit_locked, from the TX timeout or an engine error: down, then up."""
    adapter = work.adapter
    if adapter.down:
        return
    await report_engine_errors(adapter)
    await down(adapter)
    await up(adapter)


async def ringnic_tx_timeout(netdev, txqueue: int) -> None:
    adapter = netdev_priv(netdev)
    adapter.tx_timeout_count += 1
    netdev_err(netdev, f"Detected Tx Unit Hang: TDH/TDT {await adapter.hw.er32(regs.TDH)}/"
                       f"{await adapter.hw.er32(regs.TDT)} next_to_use {adapter.tx_ring.next_to_use} "
                       f"next_to_clean {adapter.tx_ring.next_to_clean}")
    schedule_work(adapter.reset_task)


# ------------------------------------------------------------------ open / stop
async def configure(adapter) -> None:
    """e1000_configure: TX, RX, then fill the RX ring."""
    await tx.configure_tx(adapter)
    adapter.rctl = (regs.RCTL_BAM | rx.rctl_bsize(adapter.rx_buffer_len)
                    | (regs.RCTL_LPE if adapter.netdev.mtu > 1500 else 0))
    await ringnic_set_rx_mode(adapter.netdev)  # the filter first, as e1000_configure: a reset cleared it
    await rx.configure_rx(adapter)
    await rx.alloc_rx_buffers(adapter, adapter.rx_ring.unused())


async def up(adapter) -> None:
    """e1000_up: the rings live, NAPI on, interrupts on, queue started, link checked."""
    await configure(adapter)
    adapter.down = False
    if adapter.napi:
        napi_enable(adapter.napi)
    await irq_enable(adapter)
    # e1000_up wakes the queue (e1000_open starts it): down() stopped it, and what the stack
    # queued meanwhile (ethtool -G / -r with the link down) must be handed to the new ring now;
    # netif_start_queue would leave it in the qdisc, and the link's return wakes nothing.
    await netif_wake_queue(adapter.netdev)
    await adapter.hw.ew32(regs.ICS, regs.ICS_LSC)  # "fire a link status change interrupt"


async def down(adapter) -> None:
    """e1000_down: stop the NIC, then the interrupt, then NAPI; clean both rings."""
    netdev, hw = adapter.netdev, adapter.hw
    adapter.down = True
    await hw.ew32(regs.RCTL, adapter.rctl & ~regs.RCTL_EN)
    netif_tx_disable(netdev)
    adapter.tctl &= ~regs.TCTL_EN
    await hw.ew32(regs.TCTL, adapter.tctl)
    await hw.write_flush()
    # e1000_down sleeps 10 ms here "for them to finish"; this NIC says when its DMA has stopped,
    # and nothing may be unmapped before (the bursts still on the bus would hit freed memory).
    if await hw.wait_dma_stopped():
        netdev_err(netdev, "DMA still active after disabling RX and TX: Master requests are pending")
    watchdog_stop(adapter)
    netif_carrier_off(netdev)
    await irq_disable(adapter)
    if adapter.napi:
        await napi_disable(adapter.napi)
    await update_stats(adapter)  # as e1000e_down: CTRL.RST clears the NIC's counters
    await hw.reset_hw()  # the engines drop whatever they held
    await update_reset_counts(adapter)  # ... and count it (RNRXOFF, RNTXRST: they survive CTRL.RST)
    await hw.irq_disable()
    await hw.rar_set(netdev.dev_addr)  # the reset reloaded RAL0/RAH0 from the NIC's default
    tx.clean_tx_ring(adapter)
    rx.clean_rx_ring(adapter)


async def ringnic_open(netdev) -> int:
    adapter = netdev_priv(netdev)
    netif_carrier_off(netdev)
    err = tx.setup_tx_resources(adapter)
    if err:
        return err
    err = rx.setup_rx_resources(adapter)
    if err:
        tx.free_tx_resources(adapter)
        return err
    await configure(adapter)
    # Request the IRQ after configure: the handler may run as soon as it is requested.
    err = request_irq(adapter.irq, ringnic_intr, IRQF_SHARED, netdev.name, netdev)
    if err:
        # configure() armed RX on these buffers: stop the engines before freeing them
        # (e1000_open's error path ends in e1000_reset)
        await adapter.hw.reset_hw()
        await adapter.hw.irq_disable()
        await adapter.hw.rar_set(netdev.dev_addr)
        rx.free_rx_resources(adapter)
        tx.free_tx_resources(adapter)
        return err
    adapter.irq_requested = True
    await adapter.hw.ew32(regs.IP4AT0, adapter.ipv4_addr)  # the seed driver's PADR0
    await adapter.hw.ew32(regs.IPAV, 1 if adapter.ipv4_addr else 0)
    adapter.down = False
    if adapter.napi:
        napi_enable(adapter.napi)
    await irq_enable(adapter)
    netif_start_queue(netdev)
    await adapter.hw.ew32(regs.ICS, regs.ICS_LSC)
    return 0


async def ringnic_close(netdev) -> int:
    adapter = netdev_priv(netdev)
    await down(adapter)
    free_irq(adapter.irq, netdev)
    adapter.irq_requested = False
    qdisc_reset(netdev)
    tx.free_tx_resources(adapter)
    rx.free_rx_resources(adapter)
    return 0


def init_work(adapter) -> None:
    INIT_WORK(adapter.watchdog_task, ringnic_watchdog)
    INIT_WORK(adapter.reset_task, ringnic_reinit)
    adapter.watchdog_task.adapter = adapter.reset_task.adapter = adapter


# ------------------------------------------------------------------ RX mode, MTU, MAC address
RAR_ENTRIES = 1  # RAL0/RAH0 only, the station address: no exact filter left for the lists
MTA_REG_COUNT = 128  # E1000_NUM_MTA_REGISTERS


async def ringnic_set_rx_mode(netdev) -> None:
    """e1000_set_rx_mode: RCTL.UPE/MPE from the flags and the unicast list; the multicast list
    hashed into the MTA, every MTA register rewritten."""
    adapter = netdev_priv(netdev)
    hw, rctl = adapter.hw, adapter.rctl
    if netdev.flags & IFF_PROMISC:
        rctl |= regs.RCTL_UPE | regs.RCTL_MPE
    elif netdev.flags & IFF_ALLMULTI:
        rctl |= regs.RCTL_MPE
    else:
        rctl &= ~regs.RCTL_MPE
    if netdev_uc_count(netdev) > RAR_ENTRIES - 1:
        rctl |= regs.RCTL_UPE  # more unicast addresses than RAR entries: e1000 goes promiscuous
    elif not netdev.flags & IFF_PROMISC:
        rctl &= ~regs.RCTL_UPE
    mta = [0] * MTA_REG_COUNT
    for ha in netdev_for_each_mc_addr(netdev):  # no RAR to spare: every address is hashed
        hash_value = hw.hash_mc_addr(ha.addr)
        mta[(hash_value >> 5) & 0x7F] |= 1 << (hash_value & 0x1F)
    adapter.rctl = rctl
    await hw.ew32(regs.RCTL, rctl if adapter.down else rctl | regs.RCTL_EN)
    for i in reversed(range(MTA_REG_COUNT)):  # from the top down, as e1000 (82544 erratum)
        await hw.ew32(regs.MTA + 4 * i, mta[i])
    await hw.write_flush()


async def ringnic_change_mtu(netdev, new_mtu: int) -> int:
    """e1000_change_mtu: RX buffers sized for the new largest frame; a running interface goes
    down and up again (e1000_reinit_locked), so the ring is refilled with them."""
    adapter = netdev_priv(netdev)
    max_frame = new_mtu + ETH_HLEN + ETH_FCS_LEN
    running = netif_running(netdev)
    if running:
        await down(adapter)
    adapter.rx_buffer_len = rx.buffer_len_for(max_frame)
    netdev_dbg(netdev, "changing MTU from %d to %d", netdev.mtu, new_mtu)
    netdev.mtu = new_mtu
    if running:
        await up(adapter)  # configure() sets RCTL.LPE and BSIZE from mtu and rx_buffer_len
    return 0


async def ringnic_set_mac(netdev, p) -> int:
    """e1000_set_mac: a valid unicast address into dev_addr and RAR0, also while up."""
    adapter = netdev_priv(netdev)
    if not is_valid_ether_addr(p.sa_data):
        return -EADDRNOTAVAIL
    eth_hw_addr_set(netdev, p.sa_data)
    await adapter.hw.rar_set(netdev.dev_addr)
    return 0
