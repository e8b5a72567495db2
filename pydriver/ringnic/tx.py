"""TX: the descriptor ring, ndo_start_xmit and completion, as e1000_main.c does them.

Legacy 16-byte descriptors in a dma_alloc_coherent ring; the skb's linear part and fragments
mapped with dma_map_single/dma_map_page (DMA_TO_DEVICE); dma_wmb() before the TDT doorbell,
which xmit_more defers; the queue stopped before the ring can run out, with the re-check after
stopping; completion reclaims descriptors with DD (never budget-bounded) and wakes the queue.
"""

from __future__ import annotations

from pydriver.kernel.barrier import dma_rmb, dma_wmb, smp_mb
from pydriver.kernel.dma import (DMA_FROM_DEVICE, DMA_TO_DEVICE, dma_alloc_coherent, dma_free_coherent, dma_map_page,
                                 dma_map_single, dma_mapping_error, dma_unmap_page, dma_unmap_single)
from pydriver.kernel.mm import cpu_read_u32, cpu_write_u32, cpu_write_u64, memset
from pydriver.kernel.netdev_queue import (NETDEV_TX_BUSY, NETDEV_TX_OK, __netdev_sent_queue, netdev_completed_queue,
                                          netdev_reset_queue, netdev_xmit_more, netif_queue_stopped,
                                          netif_start_queue, netif_stop_queue, netif_wake_queue, netif_xmit_stopped)
from pydriver.kernel.netdevice import netdev_priv, netif_carrier_ok
from pydriver.kernel.printk import dev_err, netif_dbg
from pydriver.kernel.if_ether import ETH_HLEN
from pydriver.kernel.skbuff import (CHECKSUM_PARTIAL, MAX_SKB_FRAGS, dev_kfree_skb_any, eth_skb_pad, skb_checksum_help,
                                    skb_headlen)
from pydriver.kernel.timer import jiffies
from pydriver.ringnic import bugdemo, regs
from pydriver.ringnic.desc import (DESC_SIZE, TXD_BUFFER_ADDR, TXD_CMD_EOP, TXD_CMD_IC, TXD_CMD_IDE, TXD_CMD_IFCS,
                                   TXD_CMD_RS, TXD_CSO_SHIFT, TXD_CSS_SHIFT, TXD_LOWER, TXD_STAT_DD, TXD_UPPER)

TX_RING_DEFAULT = 256  # descriptors, as e1000's default
MAX_DATA_PER_TXD = 1 << 12  # e1000: one descriptor carries at most 4 KiB
# Data descriptors of a worst-case skb (linear part + MAX_SKB_FRAGS), plus 2 to keep tail from
# touching head (e1000's "count + 2"); no context descriptors or errata here.
DESC_NEEDED = MAX_SKB_FRAGS + 1 + 2
TX_WAKE_THRESHOLD = 32  # e1000: wake the queue once this many descriptors are free
NETIF_F_HW_CSUM = 1 << 3  # netdev feature: the NIC inserts a ones'-complement sum (legacy IC/CSO/CSS)


class TxBuffer:
    """struct e1000_tx_buffer: what a descriptor slot holds until completion."""

    __slots__ = ("skb", "dma", "length", "mapped_as_page", "next_to_watch", "time_stamp",
                 "segs", "bytecount")

    def __init__(self):
        self.skb = None
        self.dma = 0
        self.length = 0
        self.mapped_as_page = False
        self.next_to_watch = -1
        self.time_stamp = 0
        self.segs = 0
        self.bytecount = 0


class TxRing:
    """struct e1000_tx_ring."""

    def __init__(self, count: int):
        self.count = count
        self.size = 0
        self.desc = 0  # CPU address of the coherent ring
        self.dma = 0  # its bus address, what TDBAL gets
        self.cacheable = False  # bug demo (tests/driver/test_dma_coherence.py): ring_cacheable_tx made it
        self.next_to_use = 0
        self.next_to_clean = 0
        self.buffer_info = [TxBuffer() for _ in range(count)]

    def unused(self) -> int:
        """E1000_DESC_UNUSED: free descriptors, always keeping one to tell full from empty."""
        ntc, ntu = self.next_to_clean, self.next_to_use
        return (0 if ntc > ntu else self.count) + ntc - ntu - 1

    def desc_addr(self, i: int) -> int:
        return self.desc + i * DESC_SIZE


# ------------------------------------------------------------------ resources
def setup_tx_resources(adapter) -> int:
    ring, dev = adapter.tx_ring, adapter.pdev.dev
    ring.size = (ring.count * DESC_SIZE + 4095) & ~4095  # e1000 rounds the ring up to 4 KiB
    ring.cacheable = adapter.bugs.ring_cacheable_tx
    if ring.cacheable:  # bug demo (bugdemo.py): the ring in cacheable memory
        ring.desc, ring.dma = bugdemo.cacheable_ring_alloc(dev, ring.size)
    else:
        ring.desc, ring.dma = dma_alloc_coherent(dev, ring.size)
    if not ring.desc:
        dev_err(dev, "Unable to allocate memory for the Tx descriptor ring")
        return -12  # -ENOMEM
    memset(ring.desc, 0, ring.size)
    ring.next_to_use = ring.next_to_clean = 0
    return 0


def free_tx_resources(adapter) -> None:
    ring = adapter.tx_ring
    clean_tx_ring(adapter)
    if ring.desc and ring.cacheable:  # bug demo (bugdemo.py): freed as allocated
        bugdemo.cacheable_ring_free(adapter.pdev.dev, ring.size, ring.desc, ring.dma)
    elif ring.desc and not adapter.bugs.leak_coherent:  # bug demo (bugdemo.py): the leak
        dma_free_coherent(adapter.pdev.dev, ring.size, ring.desc, ring.dma)
    ring.desc = ring.dma = 0


def _unmap_and_free(adapter, bi: TxBuffer) -> None:
    dev = adapter.pdev.dev
    if bi.dma:
        direction = DMA_FROM_DEVICE if adapter.bugs.bad_unmap_dir else DMA_TO_DEVICE  # bug demo
        (dma_unmap_page if bi.mapped_as_page else dma_unmap_single)(dev, bi.dma, bi.length, direction)
    if bi.skb is not None:
        dev_kfree_skb_any(bi.skb)
    bi.__init__()


def clean_tx_ring(adapter) -> None:
    """Unmap and free every buffer still on the ring (down/close, reset). A frame the NIC had
    already written back (DD on its last descriptor) is counted as sent, as clean_tx_irq would
    have: it is on the wire, or the reset that preceded this dropped it from the NIC and RNTXRST
    counts it (tx_aborted_errors). A frame without DD never left the ring: tx_dropped. So every
    frame the stack handed over is sent or counted, and one that reached the wire is not also a
    drop (e1000_clean_tx_ring counts neither)."""
    ring = adapter.tx_ring
    for i, bi in enumerate(ring.buffer_info):
        if bi.skb is not None:
            if ring.desc and cpu_read_u32(ring.desc_addr(i) + TXD_UPPER) & TXD_STAT_DD:
                adapter.tx_packets += bi.segs
                adapter.tx_bytes += bi.bytecount
            else:
                adapter.tx_dropped += 1
        _unmap_and_free(adapter, bi)
    netdev_reset_queue(adapter.netdev)
    if ring.desc:
        memset(ring.desc, 0, ring.size)
    ring.next_to_use = ring.next_to_clean = 0


async def configure_tx(adapter) -> None:
    """e1000_configure_tx: program the ring; TCTL.EN comes with the link (the watchdog)."""
    hw, ring = adapter.hw, adapter.tx_ring
    await hw.ew32(regs.TDLEN, ring.count * DESC_SIZE)
    await hw.ew32(regs.TDBAH, 0)
    await hw.ew32(regs.TDBAL, ring.dma)
    await hw.ew32(regs.TDT, 0)
    await hw.ew32(regs.TDH, 0)
    await hw.ew32(regs.TIDV, adapter.tx_int_delay)
    await hw.ew32(regs.TADV, adapter.tx_abs_int_delay)
    adapter.tctl = regs.TCTL_PSP | regs.TCTL_RTLC | (0x0F << regs.TCTL_CT_SHIFT) | (0x40 << regs.TCTL_COLD_SHIFT)
    await hw.ew32(regs.TCTL, adapter.tctl)
    adapter.txd_cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS
    set_txd_ide(adapter)


def set_txd_ide(adapter) -> None:
    """e1000_configure_tx: "only set IDE if we are delaying interrupts using the timers" (TIDV
    acts only on descriptors with CMD.IDE); also after `ethtool -C` changes TIDV on a live ring."""
    adapter.txd_cmd = (adapter.txd_cmd | TXD_CMD_IDE) if adapter.tx_int_delay else (adapter.txd_cmd & ~TXD_CMD_IDE)


# ------------------------------------------------------------------ transmit
def _count_descs(length: int) -> int:
    return (length + MAX_DATA_PER_TXD - 1) // MAX_DATA_PER_TXD


async def _maybe_stop_tx(adapter, size: int) -> bool:
    """__e1000_maybe_stop_tx: stop, then look again -- completion may have made room meanwhile."""
    netdev, ring = adapter.netdev, adapter.tx_ring
    if ring.unused() >= size:
        return False
    netif_stop_queue(netdev)
    smp_mb()
    if ring.unused() < size:
        return True
    netif_start_queue(netdev)
    adapter.restart_queue += 1
    return False


def _tx_map(adapter, skb, first: int) -> int:
    """Map the linear part and every fragment in chunks of at most 4 KiB; the count, or 0."""
    ring, dev = adapter.tx_ring, adapter.pdev.dev
    chunks = []  # (addr to map, length, page or None, offset)
    for off in range(0, skb_headlen(skb), MAX_DATA_PER_TXD):
        chunks.append((skb.data + off, min(MAX_DATA_PER_TXD, skb_headlen(skb) - off), None, 0))
    for frag in skb.shinfo.frags:
        for off in range(0, frag.size, MAX_DATA_PER_TXD):
            chunks.append((None, min(MAX_DATA_PER_TXD, frag.size - off), frag.page, frag.offset + off))
    i, count = first, 0
    for ptr, length, page, offset in chunks:
        bi = ring.buffer_info[i]
        if page is None:
            bi.dma = dma_map_single(dev, ptr, length, DMA_TO_DEVICE)
        else:
            bi.dma, bi.mapped_as_page = dma_map_page(dev, page, offset, length, DMA_TO_DEVICE), True
        if (not bi.dma) if adapter.bugs.no_mapping_error_check else dma_mapping_error(dev, bi.dma):  # bug demo
            dev_err(dev, "TX DMA map failed")
            bi.dma = 0
            _unwind(adapter, first, count)
            return 0
        bi.length, bi.time_stamp, bi.next_to_watch = length, jiffies(), -1
        count += 1
        i = (i + 1) % ring.count
    last = (first + count - 1) % ring.count
    ring.buffer_info[last].skb = skb
    ring.buffer_info[last].segs = 1
    ring.buffer_info[last].bytecount = skb.len
    ring.buffer_info[first].next_to_watch = last
    return count


def _unwind(adapter, first: int, count: int) -> None:
    ring = adapter.tx_ring
    for k in range(count):
        _unmap_and_free(adapter, ring.buffer_info[(first + k) % ring.count])


def _tx_queue(adapter, first: int, count: int, txd_lower: int, txd_upper: int) -> None:
    """e1000_tx_queue: write the descriptors, the command bits on the last one only."""
    ring = adapter.tx_ring
    i = first
    for k in range(count):
        bi = ring.buffer_info[i]
        d = ring.desc_addr(i)
        lower = bi.length | (adapter.txd_cmd | txd_lower if k == count - 1 else 0)
        cpu_write_u64(d + TXD_BUFFER_ADDR, bi.dma)
        cpu_write_u32(d + TXD_LOWER, lower)
        cpu_write_u32(d + TXD_UPPER, txd_upper if k == count - 1 else 0)
        i = (i + 1) % ring.count
    # "Force memory writes to complete before letting h/w know there are new descriptors"
    dma_wmb()
    ring.next_to_use = i


async def ringnic_xmit_frame(skb, netdev) -> int:
    """ndo_start_xmit."""
    adapter = netdev_priv(netdev)
    ring = adapter.tx_ring
    if eth_skb_pad(skb):  # pads to ETH_ZLEN; on failure the skb is already freed
        adapter.tx_dropped += 1
        return NETDEV_TX_OK
    if skb.len > netdev.mtu + ETH_HLEN:
        netif_dbg(adapter, "tx_err", netdev, f"dropping an oversized frame of {skb.len} bytes")
        adapter.tx_dropped += 1
        dev_kfree_skb_any(skb)
        return NETDEV_TX_OK

    count = _count_descs(skb_headlen(skb)) + sum(_count_descs(f.size) for f in skb.shinfo.frags)
    if await _maybe_stop_tx(adapter, count + 2):
        return NETDEV_TX_BUSY

    txd_lower = txd_upper = 0
    csum_after_map = False
    if skb.ip_summed == CHECKSUM_PARTIAL:
        css = skb.csum_start - (skb.data - skb.head)
        if netdev.features & NETIF_F_HW_CSUM and css < 256 and css + skb.csum_offset < 256:
            # Legacy offload: sum from CSS to the end, stored at CSO (taken from the EOP descriptor).
            txd_lower = TXD_CMD_IC | ((css + skb.csum_offset) << TXD_CSO_SHIFT)
            txd_upper = css << TXD_CSS_SHIFT
            adapter.hw_csum_tx += 1
        elif adapter.bugs.modify_after_map:
            csum_after_map = True  # bug demo (bugdemo.py): the sum goes in after the map
        else:
            skb_checksum_help(skb)  # the seed driver's way: the CPU computes the sum

    first = ring.next_to_use
    count = _tx_map(adapter, skb, first)
    if not count:
        adapter.tx_dropped += 1
        dev_kfree_skb_any(skb)
        return NETDEV_TX_OK
    if csum_after_map:
        skb_checksum_help(skb)  # bug demo (bugdemo.py): a CPU store into a mapped buffer
    nbytes = skb.len
    _tx_queue(adapter, first, count, txd_lower, txd_upper)
    await _maybe_stop_tx(adapter, DESC_NEEDED)
    if __netdev_sent_queue(netdev, nbytes, netdev_xmit_more()):
        if adapter.bugs.no_dma_wmb:  # bug demo (bugdemo.py): no wmb() first
            await adapter.hw.hw_addr.writel_relaxed(ring.next_to_use, regs.TDT)
        else:
            await adapter.hw.ew32(regs.TDT, ring.next_to_use)  # writel: orders the ring stores first
        adapter.tdt_writes += 1
    return NETDEV_TX_OK


# ------------------------------------------------------------------ completion
async def clean_tx_irq(adapter) -> bool:
    """e1000_clean_tx_irq: reclaim every descriptor the NIC is done with; True when complete."""
    ring, netdev = adapter.tx_ring, adapter.netdev
    i = ring.next_to_clean
    eop = ring.buffer_info[i].next_to_watch
    count = pkts = nbytes = 0
    while eop >= 0 and cpu_read_u32(ring.desc_addr(eop) + TXD_UPPER) & TXD_STAT_DD and count < ring.count:
        dma_rmb()  # read buffer_info after the descriptor's DD
        done = False
        while not done:
            bi = ring.buffer_info[i]
            done = i == eop
            if done:
                pkts += bi.segs
                nbytes += bi.bytecount
            _unmap_and_free(adapter, bi)
            cpu_write_u32(ring.desc_addr(i) + TXD_UPPER, 0)
            i = (i + 1) % ring.count
            count += 1
        eop = ring.buffer_info[i].next_to_watch
    ring.next_to_clean = i
    if pkts:
        await netdev_completed_queue(netdev, pkts, nbytes)
        adapter.tx_packets += pkts
        adapter.tx_bytes += nbytes
    if count and netif_carrier_ok(netdev) and ring.unused() >= TX_WAKE_THRESHOLD:
        smp_mb()
        if netif_queue_stopped(netdev) and not adapter.down:
            adapter.restart_queue += 1
            await netif_wake_queue(netdev)
    return count < ring.count


def tx_pending(adapter) -> bool:
    ring = adapter.tx_ring
    return ring.next_to_clean != ring.next_to_use or netif_xmit_stopped(adapter.netdev)
