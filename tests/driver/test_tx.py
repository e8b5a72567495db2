"""Driver path 3, TX descriptor writes: what the stack hands ndo_start_xmit leaves the NIC, byte
for byte, padded and with its FCS, in order, with the statistics agreeing on both sides.

Everything goes through the real driver (ring in dma_alloc_coherent memory, dma_map_single,
dma_wmb, the TDT doorbell, the NAPI poll's reclaim) and the real RTL; the wire side is
cocotbext-axi's stream sink and scapy checks the frames.
"""

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether

from pydriver.kernel.netdev_queue import dev_get_stats, netdev_get_tx_queue
from pydriver.kernel.netdevice import netdev_priv
from pydriver.ringnic.netdev import update_stats
from tb.harness.board import Board, checked_test
from tb.harness.ringnic_tb import RingnicTB
from tb.harness.traffic import PEER_MAC, on_wire, tx_frame, up


PEER = PEER_MAC


async def reclaimed(b, ndev, timeout_ns: int = 200_000) -> None:
    """Wait until the driver has reclaimed every descriptor (TX completion ran)."""
    ring = netdev_priv(ndev).tx_ring
    from cocotb.triggers import Timer

    for _ in range(timeout_ns // 500):
        if ring.next_to_clean == ring.next_to_use:
            return
        await Timer(500, "ns")
    raise AssertionError(f"TX ring not reclaimed: ntc {ring.next_to_clean} ntu {ring.next_to_use}")


@checked_test()
async def test_tx_one_frame(dut):
    """One UDP frame: on the wire with its FCS, reclaimed, counted by driver and NIC alike."""
    b, ndev, _ = await up(dut)
    f = tx_frame(1)
    await b.send(ndev, [f])
    assert await b.wire_frames(1) == [on_wire(f)]
    await reclaimed(b, ndev)
    adapter = netdev_priv(ndev)
    await update_stats(adapter)
    st = dev_get_stats(ndev)
    assert (st.tx_packets, st.tx_bytes) == (1, len(f))
    assert adapter.hw_stats["TPT"] == adapter.hw_stats["GPTC"] == 1
    assert adapter.hw_stats["GOTC"] == len(f) + 4  # the NIC counts the FCS, the stack does not


@checked_test()
async def test_tx_short_frame_padded(dut):
    """A 42-byte ARP-sized frame is padded to 60 by the driver and leaves as 64 with FCS."""
    b, ndev, _ = await up(dut)
    f = bytes(Ether(dst=PEER) / IP(dst="10.0.0.2") / UDP())[:42]
    await b.send(ndev, [f])
    (got,) = await b.wire_frames(1)
    assert len(got) == 64 and got == on_wire(f)
    await reclaimed(b, ndev)


@checked_test()
async def test_tx_burst_in_order_with_xmit_more(dut):
    """A batch of 40 frames leaves in order; xmit_more defers the doorbell to one TDT write."""
    b, ndev, _ = await up(dut)
    adapter = netdev_priv(ndev)
    frames = [tx_frame(i, 64 + 37 * i) for i in range(40)]
    before = adapter.tdt_writes
    await b.send(ndev, frames)
    assert adapter.tdt_writes - before == 1, "xmit_more did not batch the doorbell"
    assert await b.wire_frames(40) == [on_wire(f) for f in frames]
    await reclaimed(b, ndev)
    assert dev_get_stats(ndev).tx_packets == 40


@checked_test()
async def test_tx_multi_fragment(dut):
    """A frame in a linear part and three page fragments at odd offsets arrives intact."""
    b, ndev, _ = await up(dut)
    f = tx_frame(7, 1400)
    await b.send(ndev, [f], frag_sizes=(300, 333, 501))
    assert await b.wire_frames(1) == [on_wire(f)]
    await reclaimed(b, ndev)


@checked_test()
async def test_tx_ring_wraps_many_times(dut):
    """Six times round the ring's 256 descriptors, in batches: no loss, no reordering."""
    b, ndev, _ = await up(dut)
    adapter = netdev_priv(ndev)
    total = 0
    for batch in range(12):
        frames = [tx_frame(batch * 128 + i, 60) for i in range(128)]
        await b.send(ndev, frames)
        assert await b.wire_frames(len(frames)) == [on_wire(f) for f in frames]
        total += len(frames)
    await reclaimed(b, ndev)
    assert adapter.tx_packets == total and total >= 6 * adapter.tx_ring.count
    assert netdev_get_tx_queue(ndev).num_completed == netdev_get_tx_queue(ndev).num_queued


@checked_test()
async def test_tx_checksum_offload_and_software(dut):
    """CHECKSUM_PARTIAL skbs: the NIC (legacy IC/CSO/CSS) or skb_checksum_help fills TCP/UDP sums."""
    from pydriver.kernel.skbuff import csum_fold, csum_partial, skb_from_bytes, skb_partial_csum_set
    from pydriver.kernel.netdev_queue import dev_queue_xmit
    from pydriver.ringnic.tx import NETIF_F_HW_CSUM

    b, ndev, _ = await up(dut)
    sent = []
    for offload in (True, False):
        ndev.features = NETIF_F_HW_CSUM if offload else 0
        for l4 in (UDP(sport=5, dport=6), TCP(sport=5, dport=6, flags="PA")):
            pkt = Ether(dst=PEER) / IP(src="10.0.0.1", dst="10.0.0.2") / l4 / (b"ringnic" * 20)
            raw = bytearray(bytes(pkt))
            l4_off = 14 + 20
            field = 6 if isinstance(l4, UDP) else 16
            # The stack leaves the pseudo-header sum in the field (CHECKSUM_PARTIAL).
            seg = raw[l4_off:]
            pseudo = bytes(raw[26:34]) + bytes([0, 6 if field == 16 else 17]) + len(seg).to_bytes(2, "big")
            raw[l4_off + field:l4_off + field + 2] = (~csum_fold(csum_partial(pseudo)) & 0xFFFF).to_bytes(2, "big")
            skb = skb_from_bytes(ndev, bytes(raw))
            assert skb_partial_csum_set(skb, l4_off, field)
            await dev_queue_xmit(skb)
            sent.append(pkt)
    got = await b.wire_frames(len(sent))
    for pkt, wire in zip(sent, got):
        rx = Ether(wire[:-4])
        l4 = rx[UDP] if UDP in rx else rx[TCP]
        want = l4.chksum
        del l4.chksum
        assert Ether(bytes(rx))[l4.__class__].chksum == want, f"bad L4 checksum on {rx.summary()}"
    await reclaimed(b, ndev)
    assert netdev_priv(ndev).hw_csum_tx == 2



@checked_test()
async def test_tx_full_ring_stops_then_wakes_the_queue(dut):
    """A stalled MAC side (tready low) lets the ring fill: the queue stops before it overflows,
    the rest waits in the qdisc; released, every frame leaves in order and the queue wakes."""
    from pydriver.kernel.netdev_queue import netif_queue_stopped

    b, ndev, _ = await up(dut)
    adapter = netdev_priv(ndev)
    b.tb.wire_tx.pause = True
    frames = [tx_frame(i, 60) for i in range(400)]
    await b.send(ndev, frames)
    q = netdev_get_tx_queue(ndev)
    assert netif_queue_stopped(ndev) and q.stops >= 1, "the queue never stopped"
    assert adapter.tx_ring.unused() < 2 + adapter.tx_ring.count // 8 and len(q.qdisc) > 0
    b.tb.wire_tx.pause = False
    assert await b.wire_frames(len(frames)) == [on_wire(f) for f in frames]
    await reclaimed(b, ndev)
    assert q.wakes >= 1 and not netif_queue_stopped(ndev) and not q.qdisc
    assert adapter.tx_packets == len(frames)


@checked_test()
async def test_tx_maximum_size_and_oversize_dropped(dut):
    """A 1514-byte frame (MTU 1500) leaves as 1518 with FCS; a longer one is dropped and counted."""
    b, ndev, _ = await up(dut)
    ok, big = tx_frame(1, 1514), tx_frame(2, 1515)
    await b.send(ndev, [big, ok])
    assert await b.wire_frames(1) == [on_wire(ok)]
    await reclaimed(b, ndev)
    st = dev_get_stats(ndev)
    assert (st.tx_packets, st.tx_dropped) == (1, 1)


@checked_test()
async def test_tx_mac_backpressure_loses_nothing(dut):
    """The MAC side takes a beat now and then (random tready): all frames arrive, in order."""
    import random

    b, ndev, _ = await up(dut)
    rng = random.Random(7)
    b.tb.wire_tx.set_pause_generator(iter(lambda: rng.random() < 0.6, None))
    frames = [tx_frame(i, rng.randint(60, 1514)) for i in range(30)]
    await b.send(ndev, frames)
    assert await b.wire_frames(len(frames), timeout_ns=5_000_000) == [on_wire(f) for f in frames]
    await reclaimed(b, ndev)


@checked_test()
async def test_tx_watchdog_resets_a_stalled_ring(dut):
    """The MAC side stops for good: past watchdog_timeo the stack calls ndo_tx_timeout, the driver
    reinitialises the ring (counted), what never left is counted as dropped, and traffic resumes."""
    from cocotb.triggers import Timer

    from pydriver.kernel.printk import dmesg

    from pydriver.kernel.netdevice import dev_get_by_name

    b = Board(await RingnicTB.create(dut))
    await b.boot()
    assert await b.modprobe() == 0
    dev_get_by_name("eth0").watchdog_timeo = 1  # jiffies (1 ms): a real 5 s is 500 million cycles
    ndev = await b.ifup()
    adapter = netdev_priv(ndev)
    b.tb.wire_tx.pause = True
    stuck = [tx_frame(i, 1514) for i in range(300)]
    await b.send(ndev, stuck)
    for _ in range(40):
        if adapter.tx_timeout_count:
            break
        await Timer(100, "us")
    assert adapter.tx_timeout_count == 1 and netdev_get_tx_queue(ndev).trans_timeout == 1
    assert any("NETDEV WATCHDOG: CPU: 0: transmit queue 0 timed out" in line for line in dmesg())
    for _ in range(3000):  # the reset task runs down (waiting for the DMA to stop) + up, then the link
        if adapter.tx_ring.next_to_use == 0 and not adapter.down and ndev_carrier(ndev):
            break
        await Timer(1, "us")
    assert not adapter.down and ndev_carrier(ndev), "the reset task did not bring the interface back"
    b.tb.wire_tx.pause = False
    fresh = [tx_frame(1000 + i, 200) for i in range(5)]
    await b.send(ndev, fresh)
    # A frame the MAC had already started before the reset still completes on the wire (a
    # stream beat cannot be taken back); anything ahead of the fresh frames must be a stuck one.
    seen = []
    while len(seen) < len(fresh):
        (f,) = await b.wire_frames(1)
        if f in [on_wire(x) for x in fresh]:
            seen.append(f)
        else:
            assert not seen and f in [on_wire(x) for x in stuck], "an unexpected frame after the reset"
    assert seen == [on_wire(f) for f in fresh]
    await reclaimed(b, ndev)
    st = dev_get_stats(ndev)
    assert st.tx_packets + st.tx_dropped == len(stuck) + len(fresh), "a frame neither sent nor counted"


def ndev_carrier(ndev) -> bool:
    from pydriver.kernel.netdevice import netif_carrier_ok

    return netif_carrier_ok(ndev)
