"""Soak and teardown under load on the two-NIC pair (issue 12 item 5, issue 14 item 6).

Two flows at once, sn0 -> sn1 and sn1 -> sn0: UDP frames of random sizes (60..1514 bytes, and up
to 9014 with a jumbo MTU), each carrying its flow's sequence number and a pattern derived from
it, handed to the stack in random batches at random gaps; the DMA ports answer after random
delays (the fast path's bridge holds its answers; on cocotbext-axi's AxiRam every channel's
ready/valid pauses at random), so the NICs' FIFOs back up onto the wire.

What a receiver sees is checked per frame: its flow's sequence numbers only go up (in order, no
duplicate), the bytes are exactly what was sent (and scapy parses every 16th: Ether/IPv4/UDP,
checksum good). At the end every frame handed to the stack is accounted for (`account`): on the
sending side as transmitted (tx_packets), dropped by the driver (tx_dropped: a ring cleaned at
down), by the qdisc (qdisc_drops) or purged by qdisc_reset at ndo_stop; end to end as delivered
or counted by the sender's drops (ECOL, RNTXRST: dropped from its NIC by a reset after DD) or the
receiver's (MPC, RNRXOFF: dropped with the receiver off, rx_dropped, CRCERRS, RUC, ROC, RXERRC).
"""

from __future__ import annotations

import functools
import itertools

import cocotb
from cocotb.triggers import Edge, Timer
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import checksum

from pydriver.kernel.devres import ioremap, iounmap
from pydriver.kernel.etherdevice import mac_str
from pydriver.kernel.napi import napi_is_scheduled
from pydriver.kernel.netdev_queue import netdev_get_tx_queue
from pydriver.kernel.netdevice import IFF_UP, netdev_priv, netif_running
from pydriver.kernel.softirq import net_hotdata
from pydriver.ringnic import regs
from pydriver.ringnic.netdev import update_stats
from tb.harness.topology import SN0_IP, SN1_IP
from tb.harness.traffic import until

PORT_BASE = 40000          # flow k's UDP destination port is PORT_BASE + k
HDR = 14 + 20 + 8          # Ether + IPv4 + UDP
SEQ = slice(HDR, HDR + 4)  # the sequence number, big-endian, first in the payload
PAT = bytes(range(256)) * 40
JUMBO_MTU = 9000
RX_COUNTED = ("MPC", "RNRXOFF", "CRCERRS", "RUC", "ROC", "RXERRC")  # the receiving NIC's drops and errors
TX_COUNTED = ("ECOL", "RNTXRST")  # the sending NIC's: frames a ring re-program or a reset gave up
SCAPY_EVERY = 16


@functools.lru_cache(maxsize=None)
def _template(size: int, src: str, dst: str, ip_src: str, ip_dst: str, port: int) -> bytes:
    pkt = Ether(dst=dst, src=src) / IP(src=ip_src, dst=ip_dst) / UDP(sport=9, dport=port)
    return bytes(pkt / bytes(size - HDR))


def random_size(rng, jumbo: bool) -> int:
    """Frame bytes without FCS: mostly 60..1514, the edges more often, some jumbo."""
    r = rng.random()
    if jumbo and r < 0.1:
        return rng.randint(1515, JUMBO_MTU + 14)
    return 60 if r < 0.15 else 1514 if r < 0.25 else rng.randint(60, 1514)


class Flow:
    """One direction: what `src` sends, what `dst`'s stack receives, and the checks on it."""

    def __init__(self, board, k: int, src, dst, ips):
        self.board, self.k, self.port = board, k, PORT_BASE + k
        self.src, self.dst = src, dst
        self.hdr = (mac_str(src.dev_addr), mac_str(dst.dev_addr), ips[0], ips[1], self.port)
        self.pending: dict[int, int] = {}   # seq -> size, sent and not (yet) delivered
        self.next_seq = self.sent = self.delivered = self.checked = 0
        self.last = -1
        self.errors: list[str] = []
        board.rx_hooks.setdefault(dst.name, []).append(self.on_rx)

    def frame(self, seq: int, size: int) -> bytes:
        raw = bytearray(_template(size, *self.hdr))
        o = seq & 0xFF
        raw[HDR:] = seq.to_bytes(4, "big") + PAT[o:o + size - HDR - 4]
        raw[40:42] = b"\0\0"
        udp = bytes(raw[34:])
        csum = checksum(bytes(raw[26:34]) + b"\0\x11" + len(udp).to_bytes(2, "big") + udp) or 0xFFFF
        raw[40:42] = csum.to_bytes(2, "big")
        return bytes(raw)

    def make(self, size: int) -> bytes:
        seq, self.next_seq = self.next_seq, self.next_seq + 1
        self.pending[seq] = size
        return self.frame(seq, size)

    def on_rx(self, f: bytes) -> None:
        """Runs inside the receiver's NAPI poll: record, never raise."""
        if len(f) < HDR + 4 or int.from_bytes(f[36:38], "big") != self.port:
            return
        seq = int.from_bytes(f[SEQ], "big")
        size = self.pending.pop(seq, None)
        if size is None:
            self.errors.append(f"flow {self.k}: seq {seq} delivered but not pending (duplicate or unknown)")
        elif seq <= self.last:
            self.errors.append(f"flow {self.k}: seq {seq} after {self.last} (out of order)")
        elif f != self.frame(seq, size):
            self.errors.append(f"flow {self.k}: seq {seq} ({size} B) corrupted")
        self.last = max(self.last, seq)
        self.delivered += 1
        if self.delivered % SCAPY_EVERY == 0:
            self.checked += 1
            p = Ether(f)
            if UDP not in p or p[UDP].dport != self.port:
                self.errors.append(f"flow {self.k}: seq {seq}: scapy does not see our UDP")
            else:
                c = p[UDP].chksum
                del p[UDP].chksum
                if Ether(bytes(p))[UDP].chksum != c:
                    self.errors.append(f"flow {self.k}: seq {seq}: bad UDP checksum")


class Soak:
    """Both flows over the pair `devs` of `board`, driven from `rng`."""

    def __init__(self, board, devs, rng, jumbo: bool = False, qmax: int = 128, max_gap_ns: int = 4_000):
        self.board, self.devs, self.rng, self.jumbo = board, devs, rng, jumbo
        self.qmax, self.max_gap_ns = qmax, max_gap_ns
        self.flows = [Flow(board, 0, devs[0], devs[1], (SN0_IP, SN1_IP)),
                      Flow(board, 1, devs[1], devs[0], (SN1_IP, SN0_IP))]
        self.paused = self.stopped = False
        self.tasks = []
        self.adapters = [netdev_priv(d) for d in devs]
        self.base = [self._counters(a, d) for a, d in zip(self.adapters, devs)]

    # ---- load
    def start(self, frames_per_flow: int) -> None:
        self.tasks = [cocotb.start_soon(self._sender(f, frames_per_flow)) for f in self.flows]

    async def _sender(self, flow: Flow, n: int) -> None:
        rng = self.rng
        while flow.sent < n and not flow.errors and not self.stopped:
            q = netdev_get_tx_queue(flow.src)
            # IFF_UP, not netif_running: that is true inside ndo_open already, whose queue is stopped
            if self.paused or not flow.src.flags & IFF_UP or len(q.qdisc) >= self.qmax:
                await Timer(rng.randint(200, 2_000), "ns")
                continue
            k = min(n - flow.sent, rng.randint(1, 64))
            frames = [flow.make(random_size(rng, self.jumbo)) for _ in range(k)]
            flow.sent += k
            await self.board.send(flow.src, frames)
            self._trim()
            gap = rng.randint(0, self.max_gap_ns) if rng.random() < 0.5 else 0  # bursts, then pauses
            if gap:
                await Timer(gap, "ns")

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        """Take the flows' receive checks off the board (a later Soak brings its own)."""
        for f in self.flows:
            self.board.rx_hooks.get(f.dst.name, []).remove(f.on_rx)

    def _trim(self) -> None:
        """The board keeps every delivered frame; a soak keeps only its counts."""
        if len(self.board.received) > 256:
            self.board.received.clear()
            for v in self.board.rx.values():
                v.clear()

    def done(self) -> bool:
        return all(t.done() for t in self.tasks)

    def frames_sent(self) -> int:
        return sum(f.sent for f in self.flows)

    async def settle(self, timeout_ns: int) -> None:
        """Senders finished, queues and TX rings empty, NAPI idle, and nothing delivered for 20 us."""
        await until(self.done, "the senders", timeout_ns, 1_000)
        for t in self.tasks:
            t.result()  # a sender's exception fails here

        def drained():
            for d in self.devs:
                a = netdev_priv(d)
                if not netif_running(d):
                    continue
                if netdev_get_tx_queue(d).qdisc or a.tx_ring.next_to_clean != a.tx_ring.next_to_use:
                    return False
                if a.napi is not None and napi_is_scheduled(a.napi):
                    return False
            return True
        await until(drained, "the queues and TX rings to drain", timeout_ns, 1_000)
        last = -1
        while last != sum(f.delivered for f in self.flows):
            last = sum(f.delivered for f in self.flows)
            await Timer(20, "us")
        for a, d in zip(self.adapters, self.devs):
            if netif_running(d):
                await update_stats(a)

    # ---- accounting
    @staticmethod
    def _counters(a, dev) -> dict:
        q = netdev_get_tx_queue(dev)
        c = {k: getattr(a, k) for k in ("tx_packets", "tx_dropped", "rx_packets", "rx_dropped")}
        c.update(qdisc_drops=q.qdisc_drops, purged=q.purged)
        c.update({k: a.hw_stats.get(k, 0) for k in RX_COUNTED + TX_COUNTED + ("GPTC", "GPRC", "TPR")})
        return c

    async def fold_removed(self) -> None:
        """After rmmod: the frames the NICs counted once their driver's last fold was done (one
        arriving at a removed NIC is dropped there and counted in RNRXOFF), read as `devmem`
        would, through a mapping of each NIC's register window of its own."""
        for a in self.adapters:
            old = a.hw.hw_addr
            win = ioremap(old._phys, old._size)
            for name in TX_COUNTED[1:] + ("RNRXOFF",):  # the counters CTRL.RST leaves alone
                a.hw_stats[name] = a.hw_stats.get(name, 0) + await win.readl(getattr(regs, name))
            iounmap(win)

    def account(self, exact: bool = True) -> dict:
        """Per flow: sent, delivered, the counted drops on each side; asserts the properties.
        `exact`: sent = delivered + counted (a soak); else no frame lost uncounted (a teardown
        may count one twice: a truncated frame is dropped by the sender and an error at the
        receiver)."""
        now = [self._counters(a, d) for a, d in zip(self.adapters, self.devs)]
        delta = [{k: n[k] - b[k] for k in n} for n, b in zip(now, self.base)]
        out = {}
        for f in self.flows:
            assert not f.errors, "\n".join(f.errors[:10])
            s, r = delta[f.k], delta[1 - f.k]
            tx_side = s["tx_packets"] + s["tx_dropped"] + s["qdisc_drops"] + s["purged"]
            assert tx_side == f.sent, f"flow {f.k}: {f.sent} sent, the sender accounts for {tx_side} ({s})"
            assert r["rx_packets"] == f.delivered, f"flow {f.k}: rx_packets {r['rx_packets']}, delivered {f.delivered}"
            # RNTXRST: frames reclaimed as sent (DD) that a reset then dropped from the sender's NIC
            counted = (s["tx_dropped"] + s["qdisc_drops"] + s["purged"] + sum(s[k] for k in TX_COUNTED)
                       + r["rx_dropped"] + sum(r[k] for k in RX_COUNTED))
            lost = f.sent - f.delivered
            row = {"sent": f.sent, "delivered": f.delivered, "counted": counted, "scapy_checked": f.checked,
                   "tx_dropped": s["tx_dropped"], "purged": s["purged"], **{k.lower(): s[k] for k in TX_COUNTED}, "rx_dropped": r["rx_dropped"],
                   **{k.lower(): r[k] for k in RX_COUNTED},
                   # where a frame went missing: reclaimed but not on the wire (tx_packets > GPTC),
                   # on the wire but not seen (GPTC > TPR), seen but neither passed nor counted
                   "tx_packets": s["tx_packets"], "gptc": s["GPTC"], "tpr": r["TPR"], "gprc": r["GPRC"]}
            if exact:
                assert lost == counted, f"flow {f.k}: {lost} lost, {counted} counted: {row}"
                assert s["GPTC"] == s["tx_packets"], f"flow {f.k}: GPTC {s['GPTC']}, tx_packets {s['tx_packets']}"
            else:
                assert lost <= counted, f"flow {f.k}: {lost} lost, only {counted} counted: {row}"
            out[f"flow{f.k}"] = row
        return out


# ---- random DMA latency and backpressure
def axi_delays(nics, rng, p: float = 0.3, long_p: float = 0.01) -> None:
    """Every DMA port answers late at random: the bridge holds each answer 1..64 cycles with
    probability p (1 in 100 a 200..1000-cycle stall); on AxiRam every channel pauses with p/4."""
    def hold():
        r = rng.random()
        return rng.randint(200, 1_000) if r < long_p else rng.randint(1, 64) if r < p else 0

    def pauses():
        return (rng.random() < p / 4 for _ in itertools.count())

    for tb in nics:
        if tb.bridge is not None:
            tb.bridge.delay = hold
        elif tb.ram is not None:
            for part, chans in ((tb.ram.read_if, ("ar_channel", "r_channel")),
                                (tb.ram.write_if, ("aw_channel", "w_channel", "b_channel"))):
                for ch in chans:
                    getattr(part, ch).set_pause_generator(pauses())


def slow_dma(nics, cycles: int) -> None:
    """Every DMA answer late by `cycles` (bridge), or every channel ready 1 cycle in `cycles`
    (AxiRam): bursts stay on the bus long after the driver's last doorbell."""
    for tb in nics:
        if tb.bridge is not None:
            tb.bridge.delay = lambda: cycles
        elif tb.ram is not None:
            for part, chans in ((tb.ram.read_if, ("ar_channel", "r_channel")),
                                (tb.ram.write_if, ("aw_channel", "w_channel", "b_channel"))):
                for ch in chans:
                    getattr(part, ch).set_pause_generator(i % cycles != 0 for i in itertools.count())


async def cpu_load(rng, period_ns: int = 50_000) -> None:
    """The receiving CPU's time per frame in the stack changes at random (0.2..10 us) every
    `period_ns`: the host's side of the backpressure, NAPI polls that fall behind and catch up."""
    while True:
        net_hotdata().stack_rx_ns = rng.choice((200, 500, 1_000, 2_000, 3_000, 10_000))
        await Timer(period_ns, "ns")


class BusWatch:
    """Counts a NIC's DMA requests (AR/AW valid rising) from `arm()` on: after ndo_stop returns,
    the NIC must not start another burst (the bus has drained)."""

    def __init__(self, dut, prefix: str):
        scope = getattr(dut, "u_pair", dut)
        self.sigs = [getattr(scope, f"{prefix}m_axi_{c}valid") for c in ("ar", "aw")]
        self.count, self.tasks = 0, []

    def arm(self) -> None:
        self.count = 0
        self.tasks = [cocotb.start_soon(self._watch(s)) for s in self.sigs]

    async def _watch(self, sig) -> None:
        while True:
            await Edge(sig)
            self.count += int(sig.value) == 1

    def disarm(self) -> int:
        for t in self.tasks:
            t.cancel()
        self.tasks = []
        return self.count
