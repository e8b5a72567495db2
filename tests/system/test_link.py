"""Link state on the pair (driver path: link): pulling the cable between sn0 and sn1 takes both
carriers off through STATUS.LU, ICR.LSC and the driver's watchdog, with the kernel's "NIC Link is
Down" lines, NO-CARRIER / state DOWN in `ip link`, the queues stopped; frames sent meanwhile wait
(in the NIC, whose MAC starts none without link, or in the qdisc once the queue stopped) and all
arrive, in order, when the cable is plugged back, with the "NIC Link is Up" lines.
"""

from pydriver.kernel.netdev_queue import dev_get_stats, netdev_get_tx_queue, netif_queue_stopped
from pydriver.kernel.netdevice import ip_link_show, netif_carrier_ok
from pydriver.kernel.printk import dmesg
from tb.harness.board import checked_test
from tb.harness.ethtool import ethtool, stats
from tb.harness.topology import PAIR_TOPLEVEL, SN0_IP, SN1_IP, adapters, pair
from tb.harness.traffic import until

HDL_TOPLEVEL = PAIR_TOPLEVEL
UP_MSG = "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None"


def new_lines(seen: int) -> list:
    return dmesg()[seen:]


@checked_test()
async def test_link_cable_pull_and_plug(dut):
    """Pull: both carriers off, messages, NO-CARRIER, `ethtool` says no link; frames sent during the
    cut are held and counted (ring, then qdisc), none on the wire; plug: all delivered, ping works."""
    b, (sn0, sn1), (h0, h1) = await pair(dut)
    a0, a1 = adapters((sn0, sn1))
    await h0.resolve(SN1_IP)
    await h1.resolve(SN0_IP)
    taps = getattr(dut, "u_pair", dut)  # the HDL frame counters on both links (ringnic_pair_host wraps it)
    on_wire = lambda: int(taps.u_tap_ab.frames.value) + int(taps.u_tap_ba.frames.value)  # noqa: E731
    seen = len(dmesg())
    b.cable.pull()
    crossed = on_wire()
    early = [bytes([i]) * 40 for i in range(4)]  # sent before the watchdog ran: onto sn0's ring
    await h0.send([h0.udp_datagram(SN1_IP, 5000, 7001, p) for p in early])
    await until(lambda: not netif_carrier_ok(sn0) and not netif_carrier_ok(sn1), "both carriers off", 100_000)
    msgs = new_lines(seen)
    assert any("sn0: NIC Link is Down" in m for m in msgs) and any("sn1: NIC Link is Down" in m for m in msgs), msgs
    assert netif_queue_stopped(sn0) and netif_queue_stopped(sn1)
    line = ip_link_show(sn1).splitlines()[0]
    assert "NO-CARRIER" in line and "LOWER_UP" not in line and "state DOWN" in line, line
    text = await ethtool("sn1")
    assert "\tLink detected: no" in text and "\tSpeed: Unknown!" in text, text

    late = [bytes([0x80 + i]) * 40 for i in range(6)]  # the queue is stopped: they wait in the qdisc
    await h0.send([h0.udp_datagram(SN1_IP, 5000, 7001, p) for p in late])
    assert len(netdev_get_tx_queue(sn0).qdisc) == len(late)
    await until(lambda: a0.tx_ring.next_to_clean == a0.tx_ring.next_to_use, "sn0 reclaimed the early frames")
    assert on_wire() == crossed and h1.udp[7001] == [], "a frame crossed a pulled cable"

    seen = len(dmesg())
    b.cable.plug()
    await until(lambda: netif_carrier_ok(sn0) and netif_carrier_ok(sn1), "both carriers on", 100_000)
    msgs = new_lines(seen)
    assert any(f"sn0: {UP_MSG}" in m for m in msgs) and any(f"sn1: {UP_MSG}" in m for m in msgs), msgs
    assert "state UP" in ip_link_show(sn1) and "NO-CARRIER" not in ip_link_show(sn1)
    await until(lambda: len(h1.udp[7001]) == len(early) + len(late), "the held frames", 500_000)
    assert h1.udp[7001] == early + late, "held frames lost, duplicated or reordered"
    assert None not in await h0.ping(SN1_IP, count=3)
    assert (a0.link_changes, a1.link_changes) == (3, 3)  # up at open, down, up
    s0, s1 = await stats(sn0), await stats(sn1)
    assert s0["tx_dropped"] == s1["rx_missed_errors"] == 0 and netdev_get_tx_queue(sn0).qdisc_drops == 0
    assert dev_get_stats(sn1).rx_packets == s1["rx_packets"] >= len(early) + len(late) + 3
