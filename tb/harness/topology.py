"""The topologies tests and `make demo` pick (issue 6), on top of tb/harness/board.py:

1. `single(dut)`: one NIC (toplevel `ringnic`) with a scapy host on its wire (`WirePeer`):
   it answers ARP and ICMP echo and sources/sinks UDP, with FCS on everything it sends, and can
   drop its link (`set_link`).
2. `pair(dut)`: two NICs cross-connected in HDL (toplevel `ringnic_pair`, sim/ringnic-pair.dts),
   one kernel with one driver bound twice, netdevs sn0 and sn1 as snull names them; the board's
   `cable` (tb/harness/link.py) pulls and plugs the link between them.
3. the TAP bridge (tb/apps/tap.py): a stack side that is a Linux TAP device.

A `StackHost` is a scapy host on a netdev's stack side: what the driver delivers goes to it, what
it answers goes to ndo_start_xmit. `ping` measures round trips in simulated time.
"""

from __future__ import annotations

import zlib

import cocotb
from cocotb.triggers import Event, Timer
from cocotbext.axi import AxiStreamFrame

from pydriver.kernel.etherdevice import mac_str
from pydriver.kernel.netdevice import dev_change_name, dev_get_by_name, netdev_priv
from tb.harness.board import Board
from tb.harness import pcap
from tb.harness.link import Cable, PhyLink
from tb.harness.nethost import NetHost
from tb.harness.ringnic_tb import RingnicTB
from tb.tools.runner import ROOT
from tb.harness.traffic import until

PAIR_DTS = ROOT / "sim" / "ringnic-pair.dts"
PAIR_TOPLEVEL = "ringnic_pair"
# A documented private test range (RFC 1918) for every topology's addresses.
SN0_IP, SN1_IP, PEER_IP = "10.213.0.1", "10.213.0.2", "10.213.0.254"


class StackHost(NetHost):
    """A NetHost on `ndev`'s stack side of `board`."""

    def __init__(self, board: Board, ndev, ip: str):
        super().__init__(mac_str(ndev.dev_addr), ip, board.tb.now_ns)
        self.board, self.ndev = board, ndev
        board.rx_hooks.setdefault(ndev.name, []).append(self._on_rx)

    def _on_rx(self, frame: bytes) -> None:
        replies = self.receive(frame)
        if replies:  # the sink runs inside the poll: hand the answers over from a task of their own
            cocotb.start_soon(self.board.send(self.ndev, replies))

    async def send(self, frames) -> None:
        await self.board.send(self.ndev, frames)

    async def resolve(self, ip: str, timeout_ns: int = 100_000) -> str:
        """ARP: the MAC of `ip`, asked for once."""
        if ip not in self.arp:
            await self.send([self.arp_request(ip)])
            await until(lambda: ip in self.arp, f"an ARP reply from {ip}", timeout_ns)
        return self.arp[ip]

    async def ping(self, ip: str, count: int = 10, interval_ns: int = 10_000, timeout_ns: int = 200_000,
                   ident: int = 0x1234) -> list:
        """`ping -c count`: round-trip times in ns, None for each request left unanswered."""
        await self.resolve(ip)
        sent = {}
        for seq in range(count):
            sent[seq] = self.board.tb.now_ns()
            await self.send([self.echo_request(ip, ident, seq)])
            await Timer(interval_ns, "ns")
        await until(lambda: all((ident, s) in self.echo_replies for s in sent), "the echo replies", timeout_ns)
        return [self.echo_replies[(ident, s)] - t if (ident, s) in self.echo_replies else None
                for s, t in sent.items()]


class WirePeer(NetHost):
    """A NetHost on `tb`'s wire: what the NIC transmits it receives (FCS checked and counted),
    what it answers or originates enters the NIC's receive stream with its FCS."""

    def __init__(self, tb: RingnicTB, mac: str, ip: str):
        super().__init__(mac, ip, tb.now_ns)
        self.tb = tb
        self.bad_fcs = 0
        self.link = PhyLink(tb.phy_link)  # the peer's PHY: `set_link(False)` drops the NIC's link
        self._link_up = Event()
        self._link_up.set()
        self._task = cocotb.start_soon(self._run())

    def set_link(self, up: bool) -> None:
        """The peer's PHY loses or regains link: the NIC's phy_link_up follows, and what the peer
        sends meanwhile waits for the link (its MAC transmits nothing without one)."""
        self.link.set(up)
        if up:
            self._link_up.set()
        else:
            self._link_up.clear()

    async def _run(self) -> None:
        while True:
            f = bytes((await self.tb.wire_tx.recv()).tdata)
            if zlib.crc32(f[:-4]).to_bytes(4, "little") != f[-4:]:
                self.bad_fcs += 1
                continue
            for reply in self.receive(f[:-4]):
                await self.send([reply])

    async def send(self, frames) -> None:
        for f in frames:
            await self._link_up.wait()
            f = f.ljust(60, b"\0")
            await self.tb.wire_rx.send(AxiStreamFrame(f + zlib.crc32(f).to_bytes(4, "little")))


async def single(dut, ip: str = SN0_IP, peer_ip: str = PEER_IP, **modprobe):
    """Topology 1: (board, eth0, its StackHost, the WirePeer)."""
    tb = await RingnicTB.create(dut)
    b = Board(tb)
    await b.boot()
    assert await b.modprobe(**modprobe) == 0
    ndev = await b.ifup("eth0")
    peer = WirePeer(tb, "02:00:00:00:00:fe", peer_ip)
    return b, ndev, StackHost(b, ndev, ip), peer


async def pair(dut, names=("sn0", "sn1"), ips=(SN0_IP, SN1_IP), hosts: bool = True, **modprobe):
    """Topology 2: (board, [sn0, sn1], [their StackHosts]), both up with carrier. `hosts=False`
    leaves the stack sides empty for something else (the TAP bridge, tb/apps/tap.py)."""
    nics = await RingnicTB.create_many(dut, ("a_", "b_"))
    b = Board(nics[0], dts=PAIR_DTS, nics=nics)
    b.cable = Cable.between(*nics)  # sn0's and sn1's PHYs: `b.cable.pull()` / `.plug()`
    if pcap.enabled():  # the one wire between them, both directions
        cap = pcap.WireCapture(f"{names[0]}-{names[1]}")
        scope = getattr(dut, "u_pair", dut)  # ringnic_pair_host wraps the pair (host memory fast path)
        cap.tap_hdl(scope.u_tap_ab, nics[0].period_ns)
        cap.tap_hdl(scope.u_tap_ba, nics[0].period_ns)
        b.captures.append(cap)
    await b.boot()
    assert await b.modprobe(**modprobe) == 0
    devs = []
    for i, name in enumerate(names):  # probe named them eth0, eth1 in tree order
        ndev = dev_get_by_name(f"eth{i}")
        assert dev_change_name(ndev, name) == 0
        devs.append(ndev)
    for ndev in devs:
        await b.ifup(ndev.name)
    return b, devs, [StackHost(b, ndev, ip) for ndev, ip in zip(devs, ips)] if hosts else []


def adapters(devs) -> list:
    return [netdev_priv(d) for d in devs]
