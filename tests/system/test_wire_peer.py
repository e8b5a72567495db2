"""Topology 1: one NIC with a scapy host on its wire (tb/harness/topology.WirePeer) that answers ARP and
ICMP echo and sources and sinks UDP; eth0's stack side is a scapy host too. Everything the NIC
sends is FCS-checked by the peer; everything the peer sends carries its FCS.
"""

from tb.harness import pcap
from tb.harness.board import checked_test
from tb.harness.topology import PEER_IP, SN0_IP, single
from tb.harness.traffic import until


@checked_test()
async def test_wire_peer_ping(dut):
    """eth0 resolves the peer with ARP and pings it 10 times: 10 replies, FCS good on every frame."""
    b, eth0, host, peer = await single(dut)
    assert await host.resolve(PEER_IP) == peer.mac
    rtts = await host.ping(PEER_IP, count=10)
    assert None not in rtts
    assert peer.counts["echo_request"] == 10 and peer.bad_fcs == 0


@checked_test()
async def test_wire_peer_udp_source_and_sink_in_the_pcap(dut):
    """The peer sources 50 UDP datagrams to eth0's host and sinks 50 from it; all arrive in
    order, and the test's pcap holds both directions in the order the wire saw them."""
    b, eth0, host, peer = await single(dut)
    await host.resolve(PEER_IP)
    to_peer = [bytes([i]) * (10 + 20 * i) for i in range(50)]
    from_peer = [bytes([200 - i]) * (1400 - 25 * i) for i in range(50)]
    await host.send([host.udp_datagram(PEER_IP, 4000, 9, p) for p in to_peer])
    await peer.send([peer.udp_datagram(SN0_IP, 9, 4001, p) for p in from_peer])
    await until(lambda: len(peer.udp[9]) == 50 and len(host.udp[4001]) == 50, "both UDP streams", 1_000_000)
    assert peer.udp[9] == to_peer and host.udp[4001] == from_peer
    (path,) = b.write_pcaps()
    recs = pcap.read(path)
    assert len(recs) == 2 + 100  # the ARP exchange, then the datagrams
    assert [t for t, _ in recs] == sorted(t for t, _ in recs)
