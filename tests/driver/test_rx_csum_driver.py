"""RX checksum offload, driver path (NAPI RX): NETIF_F_RXCSUM on by default and onto RXCSUM
(IPOFLD|TUOFLD, written by configure_rx), e1000_rx_checksum's verdicts on the skb (ip_summed) and
in `ethtool -S` (rx_csum_offload_good / rx_csum_offload_errors, e1000's names for hw_csum_good /
hw_csum_err), and `ethtool -K rx off|on` reinitialising the NIC with RXCSUM 0 and back. The
checksums themselves are the RTL's (tests/rtl/test_rx_csum.py covers the cases)."""

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from pydriver.kernel.netdevice import NETIF_F_RXCSUM, NETIF_F_SG
from pydriver.kernel.netif_rx import register_rx_sink
from pydriver.kernel.skbuff import CHECKSUM_NONE, CHECKSUM_UNNECESSARY
from pydriver.ringnic import regs
from tb.harness.board import checked_test
from tb.harness.ethtool import ethtool, stats
from tb.harness.traffic import NIC_MAC, PEER_MAC, rx_frame, until, up, wire


def tcp_frame(i: int, bad: bool = False) -> bytes:
    f = bytearray(bytes(Ether(dst=NIC_MAC, src=PEER_MAC) / IP(src="10.0.0.2", dst="10.0.0.1")
                        / TCP(sport=1000 + i, dport=80, flags="PA") / (bytes([i]) * 200)))
    if bad:
        f[-1] ^= 0x40  # a payload byte: the TCP checksum is wrong, the IP header fine
    return bytes(f)


def watch_ip_summed(b, eth0) -> list:
    """(frame, ip_summed) of every frame the stack gets, in order; the board's sink still runs."""
    seen, board_sink = [], eth0.rx_sink

    def sink(dev, frame, skb):
        seen.append((frame, skb.ip_summed))
        board_sink(dev, frame, skb)
    register_rx_sink(eth0, sink)
    return seen


async def rx_at_stack(b, seen: list, frames: list[bytes]) -> list[int]:
    have = len(seen)
    await wire(b, frames)
    await until(lambda: len(seen) >= have + len(frames), f"{len(frames)} frame(s) at the stack")
    assert [f for f, _ in seen[have:]] == frames
    return [s for _, s in seen[have:]]


@checked_test()
async def test_rx_csum_driver_unnecessary_and_errors(dut):
    """-k shows rx-checksumming on (and scatter-gather); RXCSUM is IPOFLD|TUOFLD; a good TCP
    and a good UDP frame arrive CHECKSUM_UNNECESSARY; a TCP frame with a corrupted payload byte
    arrives CHECKSUM_NONE (the stack checks it) and counts in rx_csum_offload_errors."""
    b, eth0, adapter = await up(dut)
    k = (await ethtool("-k eth0")).splitlines()
    assert k[1] == "rx-checksumming: on" and "scatter-gather: on" in k
    assert eth0.features & (NETIF_F_RXCSUM | NETIF_F_SG) == NETIF_F_RXCSUM | NETIF_F_SG
    assert await adapter.hw.er32(regs.RXCSUM) == regs.RXCSUM_IPOFLD | regs.RXCSUM_TUOFLD
    seen = watch_ip_summed(b, eth0)
    got = await rx_at_stack(b, seen, [tcp_frame(1), rx_frame(2), tcp_frame(3, bad=True)])
    assert got == [CHECKSUM_UNNECESSARY, CHECKSUM_UNNECESSARY, CHECKSUM_NONE]
    s = await stats(eth0)
    assert (s["rx_csum_offload_good"], s["rx_csum_offload_errors"], s["rx_errors"]) == (2, 1, 0)


@checked_test()
async def test_rx_csum_driver_ethtool_rx_off(dut):
    """`ethtool -K eth0 rx off`: RXCSUM 0 (the NIC reinitialised), every frame CHECKSUM_NONE and
    nothing counted, a bad one included; `rx on` brings RXCSUM and CHECKSUM_UNNECESSARY back."""
    b, eth0, adapter = await up(dut)
    assert await ethtool("-K eth0 rx off") == ""
    assert not eth0.features & NETIF_F_RXCSUM
    assert (await ethtool("-k eth0")).splitlines()[1] == "rx-checksumming: off"
    assert await adapter.hw.er32(regs.RXCSUM) == 0
    seen = watch_ip_summed(b, eth0)
    assert await rx_at_stack(b, seen, [tcp_frame(1), tcp_frame(2, bad=True)]) == [CHECKSUM_NONE] * 2
    s = await stats(eth0)
    assert (s["rx_csum_offload_good"], s["rx_csum_offload_errors"]) == (0, 0)
    assert await ethtool("-K eth0 rx on") == ""
    assert await adapter.hw.er32(regs.RXCSUM) == regs.RXCSUM_IPOFLD | regs.RXCSUM_TUOFLD
    assert await rx_at_stack(b, seen, [tcp_frame(3)]) == [CHECKSUM_UNNECESSARY]
