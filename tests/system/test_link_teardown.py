"""Frames held for the link at a teardown (issue 14 item 6, the link model): with the cable pulled,
sn0's frames wait in the NIC (already written back with DD, the MAC starting none without link),
on its TX ring and in the qdisc; then `ip link set down` + up, `ethtool -G` or `ethtool -r`
resets sn0. When the cable is back, every frame the stack handed over must be either on the wire
(GPTC, and delivered to sn1) or counted exactly once: dropped from the ring (tx_dropped), purged
or dropped by the qdisc, or given up by the NIC at the reset (RNTXRST, in tx_aborted_errors).

Found and fixed: the frames the reset took out of the NIC's TX buffer had been reclaimed as sent
and were counted nowhere (now RNTXRST, which survives CTRL.RST and down() folds after its reset);
`clean_tx_ring` counted a frame already written back (DD) but not yet reclaimed in tx_dropped, so
a frame that did reach the wire was counted twice (now counted as sent); after `ethtool -G` / `-r`
with the link down the frames in the qdisc never left once the link returned (up() started the
queue instead of waking it as e1000_up does, so nothing ran the qdisc).
"""

from __future__ import annotations

from pydriver.kernel.netdev_queue import netdev_get_tx_queue
from pydriver.kernel.netdevice import dev_close, dev_open, netif_carrier_ok
from pydriver.ringnic.netdev import update_stats
from tb.harness.board import checked_test
from tb.harness.ethtool import ethtool
from tb.harness.topology import PAIR_TOPLEVEL, adapters, pair
from tb.harness.traffic import until

HDL_TOPLEVEL = PAIR_TOPLEVEL

N_EARLY, N_LATE = 24, 6  # onto the ring before the watchdog stops the queue; then into the qdisc
N_HELD = 8  # of the early frames, at least this many fit in the NIC (its MAC queue holds 16)


def _frame(src: bytes, dst: bytes, i: int, size: int) -> bytes:
    return dst + src + b"\x88\xb5" + i.to_bytes(4, "big") + bytes(size - 18)


async def _counts(a, dev) -> dict:
    await update_stats(a)
    q = netdev_get_tx_queue(dev)
    return {"tx_packets": a.tx_packets, "tx_dropped": a.tx_dropped, "qdisc_drops": q.qdisc_drops,
            "purged": q.purged, "GPTC": a.hw_stats.get("GPTC", 0),
            "aborted": a.hw_stats.get("ECOL", 0) + a.hw_stats.get("RNTXRST", 0)}


async def _held_then(dut, action) -> None:
    b, (sn0, sn1), _ = await pair(dut, hosts=False)
    a0, _a1 = adapters((sn0, sn1))
    base = await _counts(a0, sn0)
    b.cable.pull()
    await b.send(sn0, [_frame(sn0.dev_addr, sn1.dev_addr, i, 200) for i in range(N_EARLY)])
    await until(lambda: not netif_carrier_ok(sn0), "sn0's carrier off", 100_000)
    # The NIC reads frames into its TX buffer until its queue of frames for the MAC is full and
    # writes them back (DD): NAPI reclaims those as sent; the rest stay on the ring.
    await until(lambda: a0.tx_packets - base["tx_packets"] >= N_HELD, "sn0 reclaimed the frames the NIC holds", 100_000)
    late = [_frame(sn0.dev_addr, sn1.dev_addr, N_EARLY + i, 200) for i in range(N_LATE)]
    await b.send(sn0, late)
    sent = N_EARLY + N_LATE
    await action(b, sn0)
    b.cable.plug()
    await until(lambda: netif_carrier_ok(sn0) and netif_carrier_ok(sn1), "both carriers on", 200_000)
    q, r = netdev_get_tx_queue(sn0), a0.tx_ring
    await until(lambda: not q.qdisc and r.next_to_clean == r.next_to_use,
                lambda: f"sn0 to drain: qdisc {len(q.qdisc)}, ring ntc/ntu {r.next_to_clean}/{r.next_to_use}", 500_000)
    # A marker frame last: the wire and sn1's ring are in order, so once it is delivered every
    # frame sn0's MAC still had (one it had started before the reset goes out on plug) is too.
    marker = _frame(sn0.dev_addr, sn1.dev_addr, sent, 200)
    await b.send(sn0, [marker])
    sent += 1
    await until(lambda: marker in b.rx.get("sn1", []), "the marker frame at sn1", 500_000)
    # ... and reclaimed by sn0 (its TXDW waits TIDV/TADV: the descriptors carry IDE).
    await until(lambda: r.next_to_clean == r.next_to_use, "sn0 to reclaim the marker", 500_000)
    got = [f for f in b.rx.get("sn1", []) if f[12:14] == b"\x88\xb5"]
    now = await _counts(a0, sn0)
    d = {k: now[k] - base[k] for k in now}
    assert d["GPTC"] == len(got), f"on the wire {d['GPTC']}, delivered {len(got)}: {d}"
    assert d["tx_packets"] + d["tx_dropped"] + d["qdisc_drops"] + d["purged"] == sent, f"{sent} sent: {d}"
    assert d["GPTC"] + d["tx_dropped"] + d["qdisc_drops"] + d["purged"] + d["aborted"] == sent, \
        f"{sent} sent, not each on the wire or counted exactly once: {d}"
    assert d["aborted"] > 0, f"no frame was held in the NIC: the test did not test the reset's discard: {d}"


@checked_test()
async def test_link_teardown_ifdown_counts_held_frames(dut):
    """`ip link set down` / `up` while sn0's frames wait for the link."""
    async def ifdown_up(b, dev):
        await dev_close(dev)
        assert await dev_open(dev) == 0
    await _held_then(dut, ifdown_up)


@checked_test()
async def test_link_teardown_ring_resize_counts_held_frames(dut):
    """`ethtool -G sn0 rx 128 tx 128` while sn0's frames wait for the link."""
    async def resize(b, dev):
        await ethtool(f"-G {dev.name} rx 128 tx 128")
    await _held_then(dut, resize)


@checked_test()
async def test_link_teardown_nway_reset_counts_held_frames(dut):
    """`ethtool -r sn0` while sn0's frames wait for the link."""
    async def nway(b, dev):
        await ethtool(f"-r {dev.name}")
    await _held_then(dut, nway)
