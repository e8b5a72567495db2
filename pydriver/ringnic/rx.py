"""RX: the receive ring, the NAPI clean routine and the refill, as e1000_main.c does them.

Buffers are skbs from netdev_alloc_skb_ip_align, mapped DMA_FROM_DEVICE. The poll takes every
descriptor with DD (after dma_rmb), up to the budget: unmap (the cache is invalidated, so the
CPU sees what the NIC wrote), check the errors, build the frame, eth_type_trans,
napi_gro_receive. A frame longer than one buffer arrives over several descriptors, EOP on the
last; its pieces are copied into one skb. Refill writes RDT = next_to_use, one slot empty.
"""

from __future__ import annotations

from pydriver.kernel.barrier import dma_rmb, dma_wmb
from pydriver.kernel.if_ether import ETH_FCS_LEN
from pydriver.kernel.dma import (DMA_FROM_DEVICE, dma_alloc_coherent, dma_free_coherent, dma_map_single,
                                 dma_mapping_error, dma_unmap_single)
from pydriver.kernel.mm import cpu_read, cpu_read_u16, cpu_read_u8, cpu_write_u64, cpu_write_u8, memset
from pydriver.kernel.mm_types import PAGE_SIZE
from pydriver.kernel.napi import napi_assert_owned
from pydriver.kernel.netif_rx import napi_gro_receive, netif_rx
from pydriver.kernel.printk import dev_err, netif_dbg
from pydriver.kernel.netdevice import NETIF_F_RXCSUM
from pydriver.kernel.skbuff import (CHECKSUM_UNNECESSARY, PACKET_MULTICAST, dev_kfree_skb_any, eth_type_trans,
                                    netdev_alloc_skb_ip_align, skb_checksum_none_assert, skb_put, skb_put_data)
from pydriver.ringnic import bugdemo, regs
from pydriver.ringnic.desc import (DESC_SIZE, RXD_BUFFER_ADDR, RXD_ERR_CE, RXD_ERR_CXE, RXD_ERR_IPE, RXD_ERR_RXE, RXD_ERR_SE,
                                   RXD_ERR_SEQ, RXD_ERR_TCPE, RXD_ERRORS, RXD_LENGTH, RXD_STAT_DD, RXD_STAT_EOP,
                                   RXD_STAT_IXSM, RXD_STAT_TCPCS, RXD_STATUS)

RX_RING_DEFAULT = 256
RX_BUFFER_WRITE = 16  # e1000: return buffers to the NIC every 16 cleaned
RXD_ERR_FRAME_ERR_MASK = RXD_ERR_CE | RXD_ERR_SE | RXD_ERR_SEQ | RXD_ERR_CXE | RXD_ERR_RXE
BSIZE = {2048: (0, 0), 1024: (1, 0), 512: (2, 0), 256: (3, 0), 16384: (1, 1), 8192: (2, 1), 4096: (3, 1)}


class RxBuffer:
    __slots__ = ("skb", "dma")

    def __init__(self):
        self.skb = None
        self.dma = 0


class RxRing:
    def __init__(self, count: int):
        self.count = count
        self.size = 0
        self.desc = 0
        self.dma = 0
        self.cacheable = False  # bug demo (tests/driver/test_dma_coherence.py): ring_cacheable_rx made it
        self.next_to_use = 0
        self.next_to_clean = 0
        self.buffer_info = [RxBuffer() for _ in range(count)]
        self.chain = []  # pieces of a frame spanning descriptors, until its EOP

    def unused(self) -> int:
        ntc, ntu = self.next_to_clean, self.next_to_use
        return (0 if ntc > ntu else self.count) + ntc - ntu - 1

    def desc_addr(self, i: int) -> int:
        return self.desc + i * DESC_SIZE


def rctl_bsize(buffer_len: int) -> int:
    bsize, bsex = BSIZE[buffer_len]
    return (bsize << regs.RCTL_BSIZE_SHIFT) | (regs.RCTL_BSEX if bsex else 0)


def buffer_len_for(max_frame: int) -> int:
    """e1000_change_mtu's choice: 2048 for standard frames, else a page (4 KiB pages), so a
    jumbo frame arrives over several buffers."""
    return 2048 if max_frame <= 2048 else PAGE_SIZE


# ------------------------------------------------------------------ resources
def setup_rx_resources(adapter) -> int:
    ring, dev = adapter.rx_ring, adapter.pdev.dev
    ring.size = (ring.count * DESC_SIZE + 4095) & ~4095
    ring.cacheable = adapter.bugs.ring_cacheable_rx
    if ring.cacheable:  # bug demo (bugdemo.py): the ring in cacheable memory
        ring.desc, ring.dma = bugdemo.cacheable_ring_alloc(dev, ring.size)
    else:
        ring.desc, ring.dma = dma_alloc_coherent(dev, ring.size)
    if not ring.desc:
        dev_err(dev, "Unable to allocate memory for the Rx descriptor ring")
        return -12  # -ENOMEM
    memset(ring.desc, 0, ring.size)
    ring.next_to_use = ring.next_to_clean = 0
    ring.chain = []
    return 0


def clean_rx_ring(adapter) -> None:
    ring, dev = adapter.rx_ring, adapter.pdev.dev
    for idx, bi in enumerate(ring.buffer_info):
        if adapter.bugs.leak_rx_buffer and idx == (ring.next_to_use - 1) % ring.count:
            continue  # bug demo (bugdemo.py): the walk misses the last buffer refilled
        if bi.dma:
            dma_unmap_single(dev, bi.dma, adapter.rx_buffer_len, DMA_FROM_DEVICE)
        if bi.skb is not None:
            # a frame written back that no poll took (down/reset): counted, as tx_dropped in clean_tx_ring
            done = RXD_STAT_DD | RXD_STAT_EOP
            if ring.desc and (cpu_read_u8(ring.desc_addr(idx) + RXD_STATUS) & done) == done:
                adapter.rx_dropped += 1
            dev_kfree_skb_any(bi.skb)
        bi.skb, bi.dma = None, 0
    ring.chain = []
    if ring.desc:
        memset(ring.desc, 0, ring.size)
    ring.next_to_use = ring.next_to_clean = 0


def free_rx_resources(adapter) -> None:
    ring = adapter.rx_ring
    clean_rx_ring(adapter)
    if ring.desc and ring.cacheable:  # bug demo (tests/driver/test_dma_coherence.py): freed as allocated
        bugdemo.cacheable_ring_free(adapter.pdev.dev, ring.size, ring.desc, ring.dma)
    elif ring.desc:
        dma_free_coherent(adapter.pdev.dev, ring.size, ring.desc, ring.dma)
    ring.desc = ring.dma = 0


async def configure_rx(adapter) -> None:
    """e1000_configure_rx: RX off while the ring is programmed (and RXCSUM from NETIF_F_RXCSUM),
    then on."""
    hw, ring = adapter.hw, adapter.rx_ring
    await hw.ew32(regs.RCTL, adapter.rctl & ~regs.RCTL_EN)
    rxcsum = regs.RXCSUM_IPOFLD | regs.RXCSUM_TUOFLD if adapter.netdev.features & NETIF_F_RXCSUM else 0
    await hw.ew32(regs.RXCSUM, rxcsum)
    await hw.ew32(regs.RDTR, adapter.rx_int_delay)
    await hw.ew32(regs.RADV, adapter.rx_abs_int_delay)
    await hw.ew32(regs.ITR, adapter.itr)
    await hw.ew32(regs.RDLEN, ring.count * DESC_SIZE)
    await hw.ew32(regs.RDBAH, 0)
    await hw.ew32(regs.RDBAL, ring.dma)
    await hw.ew32(regs.RDT, 0)
    await hw.ew32(regs.RDH, 0)
    await hw.ew32(regs.RCTL, adapter.rctl | regs.RCTL_EN)


# ------------------------------------------------------------------ refill
async def alloc_rx_buffers(adapter, cleaned_count: int) -> None:
    """e1000_alloc_rx_buffers: fresh mapped buffers, then dma_wmb and one RDT write."""
    ring, netdev, dev = adapter.rx_ring, adapter.netdev, adapter.pdev.dev
    i = ring.next_to_use
    for _ in range(cleaned_count):
        bi = ring.buffer_info[i]
        skb = netdev_alloc_skb_ip_align(netdev, adapter.rx_buffer_len)
        if skb is None:
            adapter.alloc_rx_buff_failed += 1
            break
        dma = dma_map_single(dev, skb.data, adapter.rx_buffer_len, DMA_FROM_DEVICE)
        if dma_mapping_error(dev, dma):
            dev_err(dev, "RX DMA map failed")
            dev_kfree_skb_any(skb)
            adapter.alloc_rx_buff_failed += 1
            break
        bi.skb, bi.dma = skb, dma
        d = ring.desc_addr(i)
        cpu_write_u64(d + RXD_BUFFER_ADDR, dma)
        cpu_write_u64(d + RXD_LENGTH, 0)  # length, csum, status, errors, special
        i = (i + 1) % ring.count
    if ring.next_to_use != i:
        ring.next_to_use = i
        # "Force memory writes to complete before letting h/w know there are new descriptors"
        dma_wmb()
        await adapter.hw.ew32(regs.RDT, i)


# ------------------------------------------------------------------ the clean routine
def _rx_error(adapter, errors: int) -> None:
    adapter.rx_errors += 1
    if errors & RXD_ERR_CE:
        adapter.rx_crc_errors += 1
    else:
        adapter.rx_frame_errors += 1


async def clean_rx_irq(adapter, napi, budget: int) -> int:
    """e1000_clean_rx_irq: up to `budget` frames; returns the work done. Without NAPI (`napi`
    None) it runs in the interrupt handler and hands frames to netif_rx."""
    ring, dev = adapter.rx_ring, adapter.pdev.dev
    i = ring.next_to_clean
    work_done = cleaned = 0
    while True:
        if napi:
            napi_assert_owned(napi, "RX ring")
        d = ring.desc_addr(i)
        status = cpu_read_u8(d + RXD_STATUS)
        if not status & RXD_STAT_DD or work_done >= budget:
            break
        dma_rmb()  # read the descriptor and its buffer only after DD
        length = cpu_read_u16(d + RXD_LENGTH)
        errors = cpu_read_u8(d + RXD_ERRORS)
        special = status | errors << 24  # e1000's status_err (the upper dword's status and errors)
        bi = ring.buffer_info[i]
        unmap_late = adapter.bugs.rx_no_sync  # bug demo (bugdemo.py): unmapped after the stack read it
        if not unmap_late:
            size = length if adapter.bugs.bad_unmap_size else adapter.rx_buffer_len  # bug demo: too short
            dma_unmap_single(dev, bi.dma, size, DMA_FROM_DEVICE)
        skb, dma, bi.skb, bi.dma = bi.skb, bi.dma, None, 0
        cpu_write_u8(d + RXD_STATUS, 0)
        i = (i + 1) % ring.count
        cleaned += 1
        if not status & RXD_STAT_EOP:
            ring.chain.append(cpu_read(skb.data, length))
            dev_kfree_skb_any(skb)
        else:
            work_done += 1
            await _deliver(adapter, napi, skb, length, special)
        if unmap_late:
            dma_unmap_single(dev, dma, adapter.rx_buffer_len, DMA_FROM_DEVICE)  # bug demo: too late
        if cleaned >= RX_BUFFER_WRITE:
            ring.next_to_clean = i
            await alloc_rx_buffers(adapter, ring.unused())
            cleaned = 0
    ring.next_to_clean = i
    await alloc_rx_buffers(adapter, ring.unused())
    return work_done


def rx_checksum(adapter, status_err: int, skb) -> None:
    """e1000_rx_checksum (e1000e's: IPE counts as TCPE does): IXSM, nothing calculated; an error,
    hw_csum_err and the stack checks; TCPCS, CHECKSUM_UNNECESSARY and hw_csum_good. IPCS alone
    (ICMP, a UDP checksum of 0, a fragment) leaves CHECKSUM_NONE: the stack checks the IP header
    itself and UNNECESSARY would vouch for an L4 checksum nobody checked."""
    status, errors = status_err & 0xFF, status_err >> 24
    skb_checksum_none_assert(skb)
    if not adapter.netdev.features & NETIF_F_RXCSUM or status & RXD_STAT_IXSM:
        return
    if errors & (RXD_ERR_TCPE | RXD_ERR_IPE):
        adapter.hw_csum_err += 1  # "let the stack verify checksum errors"
        return
    if not status & RXD_STAT_TCPCS:
        return
    skb.ip_summed = CHECKSUM_UNNECESSARY
    adapter.hw_csum_good += 1


async def _deliver(adapter, napi, skb, length: int, status_err: int) -> None:
    ring, netdev = adapter.rx_ring, adapter.netdev
    errors = status_err >> 24
    pieces, ring.chain = ring.chain, []
    if errors & RXD_ERR_FRAME_ERR_MASK:
        netif_dbg(adapter, "rx_err", netdev, f"receive error {errors:#04x}")
        _rx_error(adapter, errors)
        dev_kfree_skb_any(skb)
        return
    total = sum(len(p) for p in pieces) + length
    if not adapter.rctl & regs.RCTL_SECRC:
        total -= ETH_FCS_LEN  # the DMA'd length includes the FCS: e1000 strips it here
    if pieces:  # a frame over several buffers: copy it into one skb
        data = b"".join(pieces) + cpu_read(skb.data, length)
        dev_kfree_skb_any(skb)
        skb = netdev_alloc_skb_ip_align(netdev, total)
        if skb is None:
            adapter.alloc_rx_buff_failed += 1
            adapter.rx_dropped += 1
            return
        skb_put_data(skb, data[:total])
    else:
        skb_put(skb, total)
    skb.dev = netdev
    rx_checksum(adapter, status_err, skb)
    eth_type_trans(skb, netdev)
    if skb.pkt_type == PACKET_MULTICAST:
        adapter.rx_multicast += 1
    adapter.rx_packets += 1
    adapter.rx_bytes += total
    if napi:
        await napi_gro_receive(napi, skb)
    else:
        netif_rx(skb)
