"""RX checksum offload, block level: `ringnic_rx` with its `ringnic_rx_csum` (RXCSUM IPOFLD/TUOFLD;
the legacy RX descriptor's IPCS, TCPCS, IXSM status and IPE, TCPE error bits, Intel 8254x SDM
3.2.3). The bench and its bus monitor are tests/rtl/test_rx_engine.py's (tb/blocks/rx_engine.py);
frames are built with scapy and checked against `expect`, a byte-level model of the same rules.
"""

from __future__ import annotations

import random
import struct

import cocotb
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Raw

from pydriver.ringnic import regs
from pydriver.ringnic.desc import (RXD_ERR_CE, RXD_ERR_IPE, RXD_ERR_TCPE, RXD_STAT_DD, RXD_STAT_EOP, RXD_STAT_IPCS,
                                   RXD_STAT_IXSM, RXD_STAT_TCPCS)
from tb.harness import fuzz
from tb.blocks.rx_engine import OUR_MAC, PEER_MAC, RxBench
from tb.harness.ethframe import with_fcs

HDL_TOPLEVEL = "ringnic_rx"

IPOFLD, TUOFLD = 1, 2           # the bench's rxcsum input: RXCSUM {TUOFLD, IPOFLD}
BOTH = IPOFLD | TUOFLD
DONE = RXD_STAT_DD | RXD_STAT_EOP
GOOD = DONE | RXD_STAT_IPCS | RXD_STAT_TCPCS


def eth(vlan: bool = False):
    e = Ether(dst=OUR_MAC, src=PEER_MAC)
    return e / Dot1Q(vlan=5) if vlan else e


def ip(**kw):
    return IP(src="10.0.0.2", dst="10.0.0.1", **kw)


def frame(pkt, pad: int = 0x5A) -> bytes:
    """The packet's bytes padded to 60 with `pad` (never zeros: padding must not be summed), FCS."""
    raw = bytes(pkt)
    return with_fcs(raw + bytes([pad]) * max(0, 60 - len(raw)))


def flip(f: bytes, at: int) -> bytes:
    """Corrupt byte `at` of a frame and fix its FCS (the checksum, not the FCS, is wrong)."""
    raw = bytearray(f[:-4])
    raw[at] ^= 0x10
    return with_fcs(bytes(raw))


def ones_sum(b: bytes) -> int:
    b = b + b"\0" * (len(b) % 2)
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def expect(f: bytes, offload: int) -> tuple[int, int]:
    """(status, errors) of the frame's last descriptor: the rules of rtl/ringnic_rx_csum.v."""
    raw, off, et = f[:-4], 14, f[12:14]
    if et == b"\x81\x00":
        off, et = 18, f[16:18]
    calc_ip = calc_l4 = ipe = tcpe = False
    if et == b"\x08\x00" and len(raw) >= off + 20:
        ver, hl, tlen = raw[off] >> 4, 4 * (raw[off] & 15), int.from_bytes(raw[off + 2:off + 4], "big")
        if ver == 4 and hl >= 20 and hl <= tlen and off + tlen <= len(raw):
            calc_ip = bool(offload & IPOFLD)
            ipe = ones_sum(raw[off:off + hl]) != 0xFFFF
            proto, seg = raw[off + 9], raw[off + hl:off + tlen]
            frag = (raw[off + 6] & 0x3F) or raw[off + 7]
            if (offload & TUOFLD and not frag and len(seg) >= 8
                    and (proto == 6 or (proto == 17 and seg[6:8] != b"\0\0"))):
                calc_l4 = True
                pseudo = raw[off + 12:off + 20] + bytes([0, proto]) + len(seg).to_bytes(2, "big")
                tcpe = ones_sum(pseudo + seg) != 0xFFFF
    status = DONE | (RXD_STAT_IPCS if calc_ip else 0) | (RXD_STAT_TCPCS if calc_l4 else 0)
    status |= 0 if (calc_ip or calc_l4) else RXD_STAT_IXSM
    return status, (RXD_ERR_IPE if calc_ip and ipe else 0) | (RXD_ERR_TCPE if calc_l4 and tcpe else 0)


async def receive(dut, frames: list[bytes], offload: int = BOTH, extra: int = 0) -> list[tuple[int, int]]:
    """Each frame through the block; its payload checked; (status, errors) of its last descriptor."""
    tb = await RxBench.create(dut)
    dut.rxcsum.value = offload
    await tb.ring(64, extra=extra)
    for f in frames:
        tb.send(f)
    got = await tb.collect(len(frames))
    for rx, f in zip(got, frames):
        assert rx.data == f, "payload differs"
    await tb.finish()
    return [rx.descs[-1][2:] for rx in got]


TCP_GOOD = frame(eth() / ip() / TCP(sport=1234, dport=80, seq=7, flags="PA") / Raw(bytes(range(101))))


# =============================================================================== tests
@cocotb.test()
async def test_rx_csum_tcp_good(dut):
    """A good IPv4/TCP frame (odd payload): IPCS and TCPCS, no error, no IXSM."""
    assert await receive(dut, [TCP_GOOD]) == [(GOOD, 0)] == [expect(TCP_GOOD, BOTH)]


@cocotb.test()
async def test_rx_csum_udp_good(dut):
    """Good UDP: a long one, and a 3-byte datagram in a frame padded with 0x5A to 60 bytes (the
    padding is not summed: the IP total length ends the datagram)."""
    frames = [frame(eth() / ip() / UDP(sport=9, dport=5000) / Raw(b"\x01" * 700)),
              frame(eth() / ip() / UDP(sport=9, dport=5000) / Raw(b"abc"), pad=0x5A)]
    assert len(frames[1]) == 64
    assert await receive(dut, frames) == [(GOOD, 0)] * 2


@cocotb.test()
async def test_rx_csum_udp_zero(dut):
    """UDP with checksum 0 (none, RFC 768): IPCS only, TCPCS clear, no error."""
    f = frame(eth() / ip() / UDP(sport=9, dport=5000, chksum=0) / Raw(b"\x77" * 40))
    assert await receive(dut, [f]) == [(DONE | RXD_STAT_IPCS, 0)]


@cocotb.test()
async def test_rx_csum_bad_ip_header(dut):
    """A wrong IPv4 header checksum: IPE (the TCP checksum, good, is still checked)."""
    f = frame(eth() / ip(chksum=0x1234) / TCP(sport=1, dport=2) / Raw(b"x" * 30))
    assert await receive(dut, [f]) == [(GOOD, RXD_ERR_IPE)]


@cocotb.test()
async def test_rx_csum_bad_tcp(dut):
    """A corrupted TCP payload byte and a wrong UDP checksum field: TCPE, no IPE."""
    frames = [flip(TCP_GOOD, 80),
              frame(eth() / ip() / UDP(sport=9, dport=5000, chksum=0xBEEF) / Raw(b"\x55" * 20))]
    assert await receive(dut, frames) == [(GOOD, RXD_ERR_TCPE)] * 2


@cocotb.test()
async def test_rx_csum_not_calculated(dut):
    """IXSM for what is not IPv4 TCP/UDP: ARP, an IPv4 length beyond the frame; IPCS alone for
    ICMP and for a fragment (MF) whose L4 checksum cannot be checked."""
    frames = [frame(Ether(dst=OUR_MAC, src=PEER_MAC) / ARP(pdst="10.0.0.1")),
              frame(eth() / ip(len=400) / UDP(sport=9, dport=5000) / Raw(b"\x01" * 40)),
              frame(eth() / ip() / ICMP() / Raw(b"ping" * 10)),
              frame(eth() / ip(flags="MF") / UDP(sport=9, dport=5000) / Raw(b"\x01" * 40))]
    want = [(DONE | RXD_STAT_IXSM, 0), (DONE | RXD_STAT_IXSM, 0), (DONE | RXD_STAT_IPCS, 0), (DONE | RXD_STAT_IPCS, 0)]
    assert [expect(f, BOTH) for f in frames] == want
    assert await receive(dut, frames) == want


@cocotb.test()
async def test_rx_csum_vlan_and_options(dut):
    """802.1Q tagged TCP (good, and with a bad TCP checksum) and IHL 6 (an IP option) UDP."""
    tagged = frame(eth(vlan=True) / ip() / TCP(sport=1, dport=2) / Raw(b"q" * 77))
    opts = frame(eth() / ip(options=b"\x01\x01\x01\x00") / UDP(sport=9, dport=5000) / Raw(b"o" * 33))
    assert opts[14] == 0x46
    assert await receive(dut, [tagged, flip(tagged, 70), opts]) == [(GOOD, 0), (GOOD, RXD_ERR_TCPE), (GOOD, 0)]


@cocotb.test()
async def test_rx_csum_offload_off(dut):
    """RXCSUM 0 (its reset value): IXSM and nothing else, even on a bad checksum; IPOFLD alone:
    IPCS only; TUOFLD alone: TCPCS only."""
    bad = flip(TCP_GOOD, 80)
    assert await receive(dut, [TCP_GOOD, bad], offload=0) == [(DONE | RXD_STAT_IXSM, 0)] * 2


@cocotb.test()
async def test_rx_csum_one_kind(dut):
    """IPOFLD alone: IPCS (and IPE), never TCPCS; the other half is the random test's."""
    f = frame(eth() / ip(chksum=0x1234) / TCP(sport=1, dport=2) / Raw(b"x" * 30))
    assert await receive(dut, [TCP_GOOD, f], offload=IPOFLD) == [(DONE | RXD_STAT_IPCS, 0),
                                                                  (DONE | RXD_STAT_IPCS, RXD_ERR_IPE)]


@cocotb.test()
async def test_rx_csum_bad_fcs(dut):
    """A frame stored with a bad FCS (RCTL.SBP) carries CE and IXSM only: the checksums of a
    damaged frame are not reported."""
    f = TCP_GOOD[:-1] + bytes([TCP_GOOD[-1] ^ 1])
    assert await receive(dut, [f], extra=regs.RCTL_SBP) == [(DONE | RXD_STAT_IXSM, RXD_ERR_CE)]


@cocotb.test()
async def test_rx_csum_random(dut):
    """Random frames (TCP/UDP/ICMP/ARP, tagged or not, options, fragments, odd sizes, padding,
    corrupted bytes) against `expect`, with a random RXCSUM (RINGNIC_SEED replays)."""
    rng = random.Random(fuzz.seed(dut._log))
    offload = rng.randrange(4)
    frames = []
    for _ in range(40):
        kind = rng.choice(["tcp", "udp", "udp0", "icmp", "arp"])
        hdr = ip(options=b"\x01" * 4 * rng.randrange(3), flags=rng.choice(["", "", "MF", "DF"]))
        payload = Raw(rng.randbytes(rng.choice([0, 1, 5, 18, rng.randrange(1400)])))
        l4 = {"tcp": TCP(sport=rng.randrange(65536), dport=80), "udp": UDP(dport=53),
              "udp0": UDP(dport=53, chksum=0), "icmp": ICMP(), "arp": None}[kind]
        pkt = (eth(rng.random() < 0.3) / hdr / l4 / payload) if l4 is not None else eth() / ARP()
        f = frame(pkt, pad=rng.randrange(1, 256))
        if rng.random() < 0.3:
            f = flip(f, rng.randrange(14, len(f) - 4))
        frames.append(f)
    got = await receive(dut, frames, offload=offload)
    for k, (f, g) in enumerate(zip(frames, got)):
        assert g == expect(f, offload), f"frame {k} ({f[:-4].hex()}): got {g}, want {expect(f, offload)}"
