"""Driver path 2, DMA coherence: the seed's bugs, reproduced through the real driver and RTL, and
caught by the model.

The seed (a Zynq NIC on an HP port, which does not snoop the ARM's caches) lost descriptors the
driver wrote and "could not read at all" what the NIC wrote. Each test here runs the real driver
with one deliberately wrong variant switched on -- a name in ``adapter.bugs`` that the driver
consults at the one place that variant goes wrong (grep "bug demo" in pydriver/ringnic/) -- and
asserts what the model shows: the data on the wire or at the stack, the NIC's own error
registers, IOMMU faults, and the DMA-API debug reports with the kernel's wording (the model's own
checks, tagged ``model``, where the kernel has none). Every test consumes what it provoked, so
the teardown check of ``@checked_test()`` still holds it to "nothing else".

    variant                 where (pydriver/ringnic/)            what the model shows (HP port)
    ring_cacheable_tx       tx.py setup_tx_resources             RNTXERR ZERO_LEN: the NIC read a zero
                                                                 descriptor, the CPU's sits dirty in cache
    ring_cacheable_rx       rx.py setup_rx_resources             NIC writes to bus address 0 (IOMMU fault),
                                                                 its DD never seen by the driver
    modify_after_map        tx.py ringnic_xmit_frame             the old checksum on the wire + ownership
    rx_no_sync              rx.py clean_rx_irq                   stale payload at the stack + ownership
    no_dma_wmb              tx.py ringnic_xmit_frame (TDT)       RNTXERR ZERO_LEN: doorbell before the
                                                                 descriptor left the write buffer
    bad_unmap_size          rx.py clean_rx_irq                   "frees DMA memory with different size"
    bad_unmap_dir           tx.py _unmap_and_free                "... with different direction"
    no_mapping_error_check  tx.py _tx_map                        "failed to check map error"
    leak_rx_buffer          rx.py clean_rx_ring                  "pending DMA allocations" at rmmod
    leak_coherent           tx.py free_tx_resources              the same, for the coherent TX ring
"""

import re

from cocotb.triggers import Timer
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from pydriver.kernel.dma_debug import dma_debug_entries, dma_debug_reports, dma_debug_take_reports
from pydriver.kernel.mm import __pa
from pydriver.kernel.napi import napi_is_scheduled
from pydriver.kernel.netdev_queue import dev_queue_xmit
from pydriver.kernel.netdevice import dev_close, dev_get_by_name, netdev_priv
from pydriver.kernel.printk import dmesg
from pydriver.kernel.skbuff import csum_fold, csum_partial, skb_from_bytes, skb_partial_csum_set
from pydriver.ringnic import regs
from pydriver.ringnic.netdev import update_stats
from pydriver.ringnic.desc import (RXD_LAYOUT, RXD_STAT_DD, RXD_STAT_EOP, RXD_STAT_IPCS, RXD_STAT_TCPCS, RXD_STATUS,
                                   TXD_UPPER, unpack)
from tb.harness.board import Board, BoardCheckError, checked_test
from tb.harness.ringnic_tb import RingnicTB
from tb.harness.traffic import (ACP_OVERLAY, NIC_MAC, PEER_MAC, delivered, on_wire, rx_frame, tx_frame, until, up, wire,
                        with_fcs)

PEER = PEER_MAC
DEV = "ringnic 43c00000.ethernet"  # dev_driver_string + dev_name, as DMA-API debug prints them
SITE = r"pydriver/ringnic/{file}:\d+ in {fn}"  # caller_site(): "path:line in function"


UDP_CSUM = 14 + 20 + 6  # offset of the UDP checksum field in tx_frame's layout


def partial_csum_skb(ndev, i: int):
    """A CHECKSUM_PARTIAL skb as the stack hands it over (the pseudo-header sum in the UDP
    checksum field), the bytes it carries, and the frame with the finished checksum."""
    want = bytes(Ether(dst=PEER, src=NIC_MAC) / IP(src="10.0.0.1", dst="10.0.0.2")
                 / UDP(sport=5, dport=6 + i) / (b"ringnic" * 20))
    raw = bytearray(want)
    seg = raw[34:]
    pseudo = bytes(raw[26:34]) + bytes([0, 17]) + len(seg).to_bytes(2, "big")
    raw[UDP_CSUM:UDP_CSUM + 2] = (~csum_fold(csum_partial(pseudo)) & 0xFFFF).to_bytes(2, "big")
    skb = skb_from_bytes(ndev, bytes(raw))
    assert skb_partial_csum_set(skb, 34, 6)
    return skb, bytes(raw), want


async def reclaimed(adapter) -> None:
    ring = adapter.tx_ring
    await until(lambda: ring.next_to_clean == ring.next_to_use, "TX reclaim")


async def engine_error(b, reg: int, timeout_ns: int = 100_000) -> int:
    """RNTXERR/RNRXERR once the engine reports an error. The driver's reset task clears it (CTRL.RST)
    a few register accesses later, so the harness reads it as soon as it is set."""
    t0 = b.tb.now_ns()
    while b.tb.now_ns() - t0 < timeout_ns:
        value = await b.tb.read32(reg)
        if value:
            return value
    raise AssertionError(f"no engine error in {reg:#x} within {timeout_ns} ns")


def speculative_fill(b, vaddr: int, n: int) -> None:
    """What an ARMv7 core may do to Normal cacheable memory at any moment: pull its lines into the
    cache (clean). The model's `speculate` option does this at random; here every line of the
    buffer is filled, so the outcome is deterministic. Afterwards every line is cached (on the HP
    port none was: mapping DMA_FROM_DEVICE invalidated them; behind the ACP with dma-coherent
    there is no maintenance, and lines of reused memory may be there already)."""
    line = b.hostmem.line_size
    phys = __pa(vaddr)
    for a in range(phys & ~(line - 1), phys + n, line):
        b.hostmem.cache.fill_clean(a)
        assert b.hostmem.cache.line_state(a)[0]  # valid (dirty too, if the CPU wrote it before)


def owned(op: str, dev_addr: int, size: int, direction: str, cpu: int, n: int) -> str:
    """The model's report of a CPU access to a streaming buffer the device owns."""
    return (f"DMA-API: {DEV}: cpu {op} DMA memory owned by the device [device address=0x{dev_addr:016x}] "
            f"[size={size} bytes] [mapped with {direction}] [cpu address=0x{cpu:08x}] [access size={n} bytes]")


def no_reports_no_faults(b) -> None:
    assert dma_debug_reports() == [], [str(r) for r in dma_debug_reports()]
    assert b.hostmem.iommu_faults() == [], [str(f) for f in b.hostmem.iommu_faults()]
    assert b.kernel.bugs == []


# ------------------------------------------------------------------ the reference: the real driver
@checked_test()
async def test_dma_coherence_correct_driver_is_clean(dut):
    """The real driver, HP port (not coherent): frames both ways intact -- even with the next RX
    buffer's lines speculatively cached -- then rmmod; no report, no fault, no leak."""
    b, ndev, adapter = await up(dut)
    tx = [tx_frame(i, 60 + 200 * i) for i in range(3)]
    await b.send(ndev, tx)
    ndev.features = 0  # and one CHECKSUM_PARTIAL frame the driver finishes in software
    skb, _, want = partial_csum_skb(ndev, 0)
    await dev_queue_xmit(skb)
    assert await b.wire_frames(4) == [on_wire(f) for f in tx] + [on_wire(want)]
    await reclaimed(adapter)

    ring = adapter.rx_ring
    speculative_fill(b, ring.buffer_info[ring.next_to_clean].skb.data, adapter.rx_buffer_len)
    rx = [rx_frame(i, 64 + 100 * i) for i in range(3)]
    await wire(b, rx)
    assert await delivered(b, 3) == rx  # the unmap invalidated the stale lines before the read

    await b.rmmod()
    no_reports_no_faults(b)
    assert len(dma_debug_reports()) == 0 and len(b.hostmem.iommu_faults()) == 0
    assert dma_debug_entries() == []  # every mapping and coherent allocation was given back


# ------------------------------------------------------------------ 1. the ring in cacheable memory
@checked_test()
async def test_dma_coherence_ring_cacheable_tx(dut):
    """ring_cacheable_tx: "I wrote the descriptor but the NIC never saw it". The TX ring is in
    cacheable pages mapped once with dma_map_single: the descriptor stays dirty in the CPU's
    cache, the NIC fetches the zeros in DRAM and stops with RNTXERR ZERO_LEN at descriptor 0; the
    frame never leaves. The model also reports every CPU access to the device-owned ring."""
    b, ndev, adapter = await up(dut, {"ring_cacheable_tx"})
    ring = adapter.tx_ring
    f = tx_frame(1)
    await b.send(ndev, [f])
    # what the driver wrote: in the cache, dirty; what DRAM (so the NIC) holds: nothing
    assert b.hostmem.cache.line_state(ring.dma) == (True, True)
    desc = b.hostmem.cache.read(ring.dma, 16)
    assert int.from_bytes(desc[8:10], "little") == len(f) and int.from_bytes(desc[:8], "little") != 0
    assert b.hostmem.dram.read(ring.dma, 16) == bytes(16)

    err = await engine_error(b, regs.RNTXERR)
    assert err == (0 << regs.RNTXERR_IDX_SHIFT) | regs.RNTXERR_CODE_ZERO_LEN, f"RNTXERR {err:#x}"
    await until(lambda: adapter.engine_errors == 1, "the TXE interrupt")
    await Timer(20, "us")
    assert b.tb.wire_tx.empty(), "a frame left with a descriptor the NIC never saw"

    reps = dma_debug_take_reports()
    assert [r.text for r in reps] == [
        owned("writes to", ring.dma, ring.size, "DMA_BIDIRECTIONAL", ring.desc, ring.size),  # setup's memset
        owned("reads", ring.dma, ring.size, "DMA_BIDIRECTIONAL", ring.desc + TXD_UPPER, 4),  # the DD poll
    ]
    assert re.fullmatch(SITE.format(file="tx.py", fn="setup_tx_resources"), reps[0].site)
    assert re.fullmatch(SITE.format(file="tx.py", fn="clean_tx_irq"), reps[1].site)
    assert all(r.model and r.check == "cpu_access_device_owned" for r in reps)
    assert b.hostmem.take_iommu_faults() == []  # the mapping is legal: coherence alone went wrong


@checked_test()
async def test_dma_coherence_ring_cacheable_rx(dut):
    """ring_cacheable_rx: both halves of the seed's bug on one frame. The buffer addresses the
    driver wrote never left its cache, so the NIC writes the frame to bus address 0 (IOMMU
    faults: outside any DMA mapping); the DD|EOP write-back the NIC then makes reaches DRAM, but
    the driver's cached line still says 0: "the data the NIC wrote could not be read at all"."""
    b, ndev, adapter = await up(dut, {"ring_cacheable_rx"})
    ring = adapter.rx_ring
    assert b.hostmem.cache.line_state(ring.dma) == (True, True)
    assert b.hostmem.dram.read(ring.dma, 16) == bytes(16)  # descriptor 0 as the NIC fetches it
    f = rx_frame(1)
    await wire(b, [f])
    await until(lambda: b.hostmem.dram.read(ring.dma + RXD_STATUS, 1)[0] & RXD_STAT_DD, "the NIC's write-back")

    # "I wrote it but the NIC never saw it": the frame went to address 0
    faults = b.hostmem.take_iommu_faults()
    assert faults and all(x.direction == "write" and x.reason == "outside any DMA mapping" for x in faults)
    # the fence checks whole bursts: 132 bytes are 17 beats of 8 (the last one strobed in part)
    assert (min(x.addr for x in faults), max(x.addr + x.length for x in faults)) == (0, -(-(len(f) + 4) // 8) * 8)
    assert b.hostmem.dram.read(0, len(f) + 4) == with_fcs(f)

    # "the NIC wrote it but the driver never sees it": DD|EOP and the length in DRAM, not in the cache
    wb = unpack(RXD_LAYOUT, b.hostmem.dram.read(ring.dma, 16))
    # a good UDP frame with RX checksum offload on (RXCSUM): IPCS and TCPCS, no error
    assert wb["status"] == RXD_STAT_DD | RXD_STAT_EOP | RXD_STAT_IPCS | RXD_STAT_TCPCS and wb["length"] == len(f) + 4
    assert wb["errors"] == 0
    assert b.hostmem.cache.line_state(ring.dma) == (True, True)
    assert b.hostmem.cache.read(ring.dma + RXD_STATUS, 1) == b"\0"
    await Timer(50, "us")
    assert b.received == [] and adapter.rx_packets == 0
    await update_stats(adapter)
    assert adapter.hw_stats["GPRC"] == 1  # the NIC delivered it

    reps = dma_debug_take_reports()
    assert [r.text for r in reps] == [
        owned("writes to", ring.dma, ring.size, "DMA_BIDIRECTIONAL", ring.desc, ring.size),  # setup's memset
        owned("reads", ring.dma, ring.size, "DMA_BIDIRECTIONAL", ring.desc + RXD_STATUS, 1),  # the DD poll
    ]
    assert re.fullmatch(SITE.format(file="rx.py", fn="setup_rx_resources"), reps[0].site)
    assert re.fullmatch(SITE.format(file="rx.py", fn="clean_rx_irq"), reps[1].site)


# ------------------------------------------------------------------ 2. CPU store after the map
@checked_test()
async def test_dma_coherence_modify_after_map(dut):
    """modify_after_map: the driver finishes the UDP checksum in software *after* dma_map_single.
    The store stays in the CPU's cache; the NIC sends the bytes as they were at map time (the
    pseudo-header sum, not the checksum), and the model reports the store into the device-owned
    buffer."""
    b, ndev, adapter = await up(dut, {"modify_after_map"})
    ndev.features = 0  # no checksum offload: the driver computes it (the seed's way)
    skb, raw, want = partial_csum_skb(ndev, 0)
    field = skb.data + UDP_CSUM
    await dev_queue_xmit(skb)
    # the modification, stuck in the cache: the right checksum there, the old bytes in DRAM
    phys = __pa(field)
    assert b.hostmem.cache.line_state(phys) == (True, True)
    assert b.hostmem.cache.read(phys, 2) == want[UDP_CSUM:UDP_CSUM + 2]
    assert b.hostmem.dram.read(phys, 2) == raw[UDP_CSUM:UDP_CSUM + 2] != want[UDP_CSUM:UDP_CSUM + 2]

    (got,) = await b.wire_frames(1)
    assert got == on_wire(raw) and got != on_wire(want), "the NIC sent what DRAM held at map time"
    await reclaimed(adapter)

    (rep,) = dma_debug_take_reports()
    assert rep.text == owned("writes to", __pa(skb.data), len(raw), "DMA_TO_DEVICE", field, 2)
    assert rep.check == "cpu_access_device_owned" and rep.model
    assert re.fullmatch(SITE.format(file="tx.py", fn="ringnic_xmit_frame"), rep.site)
    assert re.fullmatch(SITE.format(file="tx.py", fn="_tx_map"), rep.entry_site)


# ------------------------------------------------------------------ 3. RX read without sync/unmap
@checked_test()
async def test_dma_coherence_rx_no_sync(dut):
    """rx_no_sync: the frame goes up the stack before the unmap. The buffer's lines were in the
    cache (an ARMv7 speculative fill, done deterministically by the test), nothing invalidated
    them, so the stack gets what they held instead of the frame. The model reports the read of a
    device-owned buffer, and the stack's kfree of memory still mapped."""
    b, ndev, adapter = await up(dut, {"rx_no_sync"})
    ring = adapter.rx_ring
    bi = ring.buffer_info[ring.next_to_clean]
    buf, dma = bi.skb.data, bi.dma
    f = rx_frame(1)
    speculative_fill(b, buf, len(f) + 4)
    stale = b.hostmem.dram.read(__pa(buf), len(f))  # what the filled lines hold
    assert stale != f
    await wire(b, [f])
    assert await delivered(b, 1) == [stale], "the stack got the NIC's frame: nothing was stale"
    assert b.hostmem.dram.read(__pa(buf), len(f) + 4) == with_fcs(f)  # it was in DRAM all along

    reps = dma_debug_take_reports()
    assert [r.check for r in reps] == ["cpu_access_device_owned", "free_while_mapped"]
    assert reps[0].text == owned("reads", dma, adapter.rx_buffer_len, "DMA_FROM_DEVICE", buf, 14)  # eth_type_trans
    assert re.fullmatch(SITE.format(file="rx.py", fn="_deliver"), reps[0].site)
    assert reps[1].text == (f"DMA-API: {DEV}: kfree() of memory that is still DMA-mapped "
                            f"[device address=0x{dma:016x}] [size={adapter.rx_buffer_len} bytes] "
                            "[mapped with DMA_FROM_DEVICE]")
    assert all(r.model for r in reps)
    assert re.fullmatch(SITE.format(file="rx.py", fn="alloc_rx_buffers"), reps[0].entry_site)


# ------------------------------------------------------------------ 4. the doorbell before the descriptor
@checked_test()
async def test_dma_coherence_no_dma_wmb(dut):
    """no_dma_wmb: TDT written with writel_relaxed, so no wmb() drains the write buffer in front of
    the (uncached) coherent ring first -- the dma_wmb() the driver keeps only orders (ARM DMB).
    At the doorbell the descriptor is still buffered; the NIC fetches the zeros in DRAM and stops
    with RNTXERR ZERO_LEN at descriptor 0; no frame leaves. DMA-API debug cannot see barriers:
    nothing is reported, what shows is the engine's error."""
    b, ndev, adapter = await up(dut, {"no_dma_wmb"})
    ring = adapter.tx_ring
    # Let the link-up work finish first: its statistics reads are readl()s, whose rmb() (a DSB)
    # drains the write buffer -- an unrelated readl at the right moment hides this bug.
    await Timer(10, "us")
    wmb_before = b.hostmem.barriers["dma_wmb"]
    f = tx_frame(1)
    await b.send(ndev, [f])
    assert b.hostmem.barriers["dma_wmb"] == wmb_before + 1  # the driver's dma_wmb() did run
    # the doorbell is out; the descriptor is still in the write buffer, DRAM (what the NIC reads) has zeros
    pending = [a for a, _ in b.hostmem.wbuf.pending()]
    assert ring.dma in pending and ring.dma + 8 in pending, "the descriptor left the write buffer"
    assert b.hostmem.dram.read(ring.dma, 16) == bytes(16)
    err = await engine_error(b, regs.RNTXERR)
    assert err == (0 << regs.RNTXERR_IDX_SHIFT) | regs.RNTXERR_CODE_ZERO_LEN, f"RNTXERR {err:#x}"
    await until(lambda: adapter.engine_errors == 1, "the TXE interrupt")
    await Timer(20, "us")
    assert b.tb.wire_tx.empty()
    no_reports_no_faults(b)


# ------------------------------------------------------------------ 5. DMA-API misuse the kernel names
@checked_test()
async def test_dma_coherence_bad_unmap_size(dut):
    """bad_unmap_size: the RX buffer unmapped with the frame's length instead of the buffer's. The
    frame still arrives intact; DMA-API debug names the mismatch."""
    b, ndev, adapter = await up(dut, {"bad_unmap_size"})
    dma = adapter.rx_ring.buffer_info[0].dma
    f = rx_frame(1)
    await wire(b, [f])
    assert await delivered(b, 1) == [f]
    (rep,) = dma_debug_take_reports()
    assert rep.check == "unmap_size" and not rep.model
    assert rep.text == (f"DMA-API: {DEV}: device driver frees DMA memory with different size "
                        f"[device address=0x{dma:016x}] [map size={adapter.rx_buffer_len} bytes] "
                        f"[unmap size={len(f) + 4} bytes]")
    assert re.fullmatch(SITE.format(file="rx.py", fn="clean_rx_irq"), rep.site)
    assert re.fullmatch(SITE.format(file="rx.py", fn="alloc_rx_buffers"), rep.entry_site)


@checked_test()
async def test_dma_coherence_bad_unmap_dir(dut):
    """bad_unmap_dir: a TX buffer (mapped DMA_TO_DEVICE) unmapped with DMA_FROM_DEVICE at
    completion. The frame left intact; DMA-API debug names the mismatch."""
    b, ndev, adapter = await up(dut, {"bad_unmap_dir"})
    f = tx_frame(1)
    skb = skb_from_bytes(ndev, f)
    dma = __pa(skb.data)
    await dev_queue_xmit(skb)
    assert await b.wire_frames(1) == [on_wire(f)]
    await reclaimed(adapter)
    (rep,) = dma_debug_take_reports()
    assert rep.check == "unmap_direction" and not rep.model
    assert rep.text == (f"DMA-API: {DEV}: device driver frees DMA memory with different direction "
                        f"[device address=0x{dma:016x}] [size={len(f)} bytes] "
                        "[mapped with DMA_TO_DEVICE] [unmapped with DMA_FROM_DEVICE]")
    assert re.fullmatch(SITE.format(file="tx.py", fn="_unmap_and_free"), rep.site)
    assert re.fullmatch(SITE.format(file="tx.py", fn="_tx_map"), rep.entry_site)


@checked_test()
async def test_dma_coherence_no_mapping_error_check(dut):
    """no_mapping_error_check: the TX mapping tested with `if (!dma)` instead of
    dma_mapping_error(). Nothing fails this time; at the unmap DMA-API debug says the check was
    never made."""
    b, ndev, adapter = await up(dut, {"no_mapping_error_check"})
    f = tx_frame(1)
    skb = skb_from_bytes(ndev, f)
    dma = __pa(skb.data)
    await dev_queue_xmit(skb)
    assert await b.wire_frames(1) == [on_wire(f)]
    await reclaimed(adapter)
    (rep,) = dma_debug_take_reports()
    assert rep.check == "map_error_unchecked" and not rep.model
    assert rep.text == (f"DMA-API: {DEV}: device driver failed to check map error"
                        f"[device address=0x{dma:016x}] [size={len(f)} bytes] [mapped as single]")
    assert re.fullmatch(SITE.format(file="tx.py", fn="_tx_map"), rep.entry_site)


def leak_text(dma: int, size: int, direction: str, kind: str, count: int = 1) -> str:
    # BUS_NOTIFY_UNBOUND_DRIVER comes after dev->driver is cleared: dev_driver_string() is then
    # the bus name, so the kernel prints "platform", not "ringnic", here.
    return (f"DMA-API: platform 43c00000.ethernet: device driver has pending DMA allocations while released "
            f"from device [count={count}]\nOne of leaked entries details: [device address=0x{dma:016x}] "
            f"[size={size} bytes] [mapped with {direction}] [mapped as {kind}]")


@checked_test()
async def test_dma_coherence_leak_rx_buffer(dut):
    """leak_rx_buffer: close's walk of the RX ring misses the buffer refilled last; rmmod unbinds
    with it still mapped, and DMA-API debug reports the leak with where the mapping was made."""
    b, ndev, adapter = await up(dut, {"leak_rx_buffer"})
    f = rx_frame(1)
    await wire(b, [f])
    assert await delivered(b, 1) == [f]
    await until(lambda: not napi_is_scheduled(adapter.napi), "the poll's refill")
    ring = adapter.rx_ring
    dma = ring.buffer_info[(ring.next_to_use - 1) % ring.count].dma
    await b.rmmod()
    (rep,) = dma_debug_take_reports()
    assert rep.check == "leak_at_unbind" and not rep.model
    assert rep.text == leak_text(dma, adapter.rx_buffer_len, "DMA_FROM_DEVICE", "single")
    site = SITE.format(file="rx.py", fn="alloc_rx_buffers")
    assert re.fullmatch(site, rep.entry_site)
    leaked = rf"DMA-API: leaked: single DMA_FROM_DEVICE \[0x{dma:08x}\+2048\] mapped at {site}$"
    assert any(re.search(leaked, line) for line in dmesg())  # the model lists every leak with its site


@checked_test()
async def test_dma_coherence_teardown_catches_a_fault(dut):
    """leak_coherent: close forgets dma_free_coherent of the TX ring. The leak is reported at
    remove, and the teardown check every test gets would fail on it: shown here, then consumed."""
    b, ndev, adapter = await up(dut, {"leak_coherent"})
    ring_dma, ring_size = adapter.tx_ring.dma, adapter.tx_ring.size
    await b.rmmod()
    try:
        b.check_clean()
    except BoardCheckError as exc:
        caught = str(exc)
    else:
        raise AssertionError("the teardown check let a leaked coherent ring through")
    want = leak_text(ring_dma, ring_size, "DMA_BIDIRECTIONAL", "coherent")
    assert caught.startswith("1 DMA-API debug report(s), 0 IOMMU fault(s):") and want in caught
    (rep,) = dma_debug_take_reports()
    assert rep.text == want
    assert re.fullmatch(SITE.format(file="tx.py", fn="setup_tx_resources"), rep.entry_site)
    b.check_clean()  # consumed: the teardown check passes again


# ------------------------------------------------------------------ 6. the same bugs behind the ACP
@checked_test()
async def test_dma_coherence_acp_dma_coherent(dut):
    """The NIC on the ACP (coherent with the CPU cache) and `dma-coherent` in the device tree:
    bugs 1-4, one after the other on one board (ifdown/ifup between), each with the same traffic
    (a TX frame whose checksum the driver computes, an RX frame into a buffer whose lines were
    speculatively cached), move frames both ways intact -- where on the HP port (the tests
    above) they lost the frame, sent the wrong checksum or delivered stale bytes. What is still
    reported is the ownership rule (a CPU access to a buffer the device owns is a bug on any
    hardware, and DMA-API debug says so wherever it runs); the missing barrier shows nothing:
    with dma-coherent the ring is cacheable, and the model reorders no cacheable store."""
    b = Board(await RingnicTB.create(dut, acp=True))
    await b.boot(ACP_OVERLAY)
    assert await b.modprobe() == 0
    ndev = dev_get_by_name("eth0")
    adapter = netdev_priv(ndev)
    assert adapter.pdev.dev.dma_coherent and b.hostmem.coherent

    seen = {}
    for i, bug in enumerate(("ring_cacheable_tx", "ring_cacheable_rx", "modify_after_map", "rx_no_sync",
                             "no_dma_wmb")):
        adapter.bugs = {bug}
        await b.ifup()
        await Timer(10, "us")  # the link-up work done, as in test_dma_coherence_no_dma_wmb
        tx, rx = adapter.tx_ring, adapter.rx_ring
        ring_refs = {"tx": (tx.dma, tx.size, tx.desc), "rx": (rx.dma, rx.size, rx.desc)}
        ndev.features = 0
        skb, raw, want = partial_csum_skb(ndev, i)
        tx_data, tx_field = skb.data, skb.data + UDP_CSUM
        await dev_queue_xmit(skb)
        assert await b.wire_frames(1) == [on_wire(want)], bug
        await reclaimed(adapter)
        bi = rx.buffer_info[rx.next_to_clean]
        rx_buf, rx_dma = bi.skb.data, bi.dma
        speculative_fill(b, rx_buf, adapter.rx_buffer_len)
        f = rx_frame(i)
        b.received.clear()
        await wire(b, [f])
        assert await delivered(b, 1) == [f], bug
        await dev_close(ndev)
        seen[bug] = [r.text for r in dma_debug_take_reports()]
        assert b.hostmem.take_iommu_faults() == [], bug
        if bug.startswith("ring_cacheable"):
            dma, size, desc = ring_refs[bug[-2:]]
            # the DD poll: the status byte, or TX's upper dword
            off, n = (RXD_STATUS, 1) if bug.endswith("rx") else (TXD_UPPER, 4)
            assert seen[bug] == [owned("writes to", dma, size, "DMA_BIDIRECTIONAL", desc, size),
                                 owned("reads", dma, size, "DMA_BIDIRECTIONAL", desc + off, n)], bug
        elif bug == "modify_after_map":
            assert seen[bug] == [owned("writes to", __pa(tx_data), len(raw), "DMA_TO_DEVICE", tx_field, 2)]
        elif bug == "rx_no_sync":
            assert seen[bug] == [owned("reads", rx_dma, adapter.rx_buffer_len, "DMA_FROM_DEVICE", rx_buf, 14),
                                 f"DMA-API: {DEV}: kfree() of memory that is still DMA-mapped "
                                 f"[device address=0x{rx_dma:016x}] [size={adapter.rx_buffer_len} bytes] "
                                 "[mapped with DMA_FROM_DEVICE]"]
        else:
            assert seen[bug] == [], "no_dma_wmb: nothing can show behind the ACP (no write buffer in front)"
    b.tb.log.info("behind the ACP, still reported: %s", {k: len(v) for k, v in seen.items()})
    await b.rmmod()
    no_reports_no_faults(b)

