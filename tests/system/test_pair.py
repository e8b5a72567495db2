"""Two NICs talking (snull's topology): two ringnics cross-connected in HDL, one kernel, the driver
bound to both as sn0 and sn1, scapy hosts on their stack sides. Every frame crosses TX ring ->
wire -> the other NIC's NAPI RX, through both drivers and both DMA ports on one host DRAM.
"""

import os
import shutil
import subprocess

from scapy.layers.inet import ICMP
from scapy.layers.l2 import ARP, Ether

from pydriver.kernel.netdev_queue import dev_get_stats
from pydriver.ringnic.netdev import update_stats
from tb.harness import pcap
from tb.harness.board import checked_test
from tb.harness.topology import PAIR_TOPLEVEL, SN0_IP, SN1_IP, adapters, pair
from tb.harness.traffic import until

HDL_TOPLEVEL = PAIR_TOPLEVEL


@checked_test()
async def test_pair_probe_both(dut):
    """One driver, two devices: sn0 and sn1 with the MACs their NICs reset to, two IRQs, two windows."""
    b, (sn0, sn1), _ = await pair(dut)
    assert (sn0.dev_addr.hex(":"), sn1.dev_addr.hex(":")) == ("02:0a:35:00:00:01", "02:0a:35:00:00:02")
    assert sn0.irq != sn1.irq and sn0.base_addr != sn1.base_addr
    assert all(line.deliveries >= 1 for line in b.irq_lines.values()), "a link interrupt per NIC"


@checked_test()
async def test_pair_ping_across(dut):
    """ARP, then `ping -c 10` from sn0 to sn1: 10 replies, 0% loss, every round trip through both
    drivers' TX and NAPI RX; the counters of both sides agree."""
    b, (sn0, sn1), (h0, h1) = await pair(dut)
    assert await h0.resolve(SN1_IP) == "02:0a:35:00:00:02"
    rtts = await h0.ping(SN1_IP, count=10)
    assert None not in rtts and len(rtts) == 10
    assert all(0 < r < 100_000 for r in rtts), rtts
    assert h1.counts["echo_request"] == 10 and h1.counts["arp_request"] == 1
    a0, a1 = adapters((sn0, sn1))
    await until(lambda: a0.tx_ring.next_to_clean == a0.tx_ring.next_to_use, "sn0's TX reclaim")
    await until(lambda: a1.tx_ring.next_to_clean == a1.tx_ring.next_to_use, "sn1's TX reclaim")
    for a in (a0, a1):
        await update_stats(a)
    s0, s1 = dev_get_stats(sn0), dev_get_stats(sn1)
    assert s0.tx_packets == s1.rx_packets == 11 and s1.tx_packets == s0.rx_packets == 11
    assert s0.tx_bytes == s1.rx_bytes and s1.tx_bytes == s0.rx_bytes
    assert a0.hw_stats["GPTC"] == a1.hw_stats["GPRC"] == 11


@checked_test()
async def test_pair_udp_both_ways(dut):
    """200 UDP datagrams each way at once, assorted sizes: all arrive, in order, intact."""
    b, (sn0, sn1), (h0, h1) = await pair(dut)
    await h0.resolve(SN1_IP)
    await h1.resolve(SN0_IP)
    p01 = [bytes([i & 0xFF]) * (18 + 7 * i) for i in range(200)]
    p10 = [bytes([255 - (i & 0xFF)]) * (1400 - 6 * i) for i in range(200)]
    await h0.send([h0.udp_datagram(SN1_IP, 5000, 7001, p) for p in p01])
    await h1.send([h1.udp_datagram(SN0_IP, 5001, 7000, p) for p in p10])
    await until(lambda: len(h1.udp[7001]) == 200 and len(h0.udp[7000]) == 200, "both streams", 2_000_000)
    assert h1.udp[7001] == p01 and h0.udp[7000] == p10


@checked_test()
async def test_pair_pcap_of_the_wire(dut):
    """The wire between sn0 and sn1, both directions, lands in a pcap next to the waveform with
    simulated-time stamps: scapy reads back exactly the exchange (and tshark, when installed,
    decodes the same number of ICMP messages)."""
    b, (sn0, sn1), (h0, h1) = await pair(dut)
    assert None not in await h0.ping(SN1_IP, count=3)
    await until(lambda: adapters((sn1,))[0].tx_ring.next_to_clean == adapters((sn1,))[0].tx_ring.next_to_use,
                "the last reply off sn1's ring")
    (path,) = b.write_pcaps()
    assert path.name == f"{os.environ['RINGNIC_TEST']}.pcap" and path.parent.name == os.environ["RINGNIC_SIM"]
    recs = pcap.read(path)
    pkts = [Ether(f) for _, f in recs]
    assert ["ICMP" if ICMP in p else "ARP" if ARP in p else "?" for p in pkts] == ["ARP"] * 2 + ["ICMP"] * 6
    times = [t for t, _ in recs]
    assert times == sorted(times) and 0 < times[0] < b.tb.now_ns()
    assert [(p[ICMP].type, p[ICMP].seq) for p in pkts[2:]] == [(8, 0), (0, 0), (8, 1), (0, 1), (8, 2), (0, 2)]
    if shutil.which("tshark"):
        out = subprocess.run(["tshark", "-r", str(path), "-Y", "icmp", "-T", "fields", "-e", "icmp.type"],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out == ["8", "0"] * 3
