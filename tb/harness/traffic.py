"""Frames and waits the driver-level tests share: scapy frames to and from the NIC, the wire
peer's side (FCS appended, PHY error on tuser), and waits in simulated time.

`up()` is `modprobe ringnic` + `ip link set eth0 up` on a fresh board; `until()` polls a
condition every `step_ns` of simulated time and fails with what it waited for.
"""

from __future__ import annotations

import functools
import time

from cocotb.triggers import Timer
from cocotbext.axi import AxiStreamFrame
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether
from scapy.utils import checksum

from pydriver.kernel.etherdevice import mac_str
from pydriver.kernel.netdevice import dev_get_by_name, netdev_priv
from tb.harness.board import Board
from tb.harness.ethframe import fcs, with_fcs
from tb.harness.ethtool import stats as ethtool_stats
from tb.harness.ringnic_tb import RingnicTB

NIC_MAC = "02:0a:35:00:00:01"  # sim/ringnic.dts local-mac-address
PEER_MAC = "02:00:00:00:00:02"  # the station on the other end of the wire
ACP_OVERLAY = "&ringnic0 { dma-coherent; };"


def rx_frame(i: int, size: int = 128, dst: str = NIC_MAC, src: str = PEER_MAC) -> bytes:
    """A UDP frame of `size` bytes (no FCS) from the peer; `i` marks its port and payload."""
    return udp_frame(i, size, dst, src, "10.0.0.2", "10.0.0.1", PORT_DST)


def tx_frame(i: int, size: int = 128) -> bytes:
    """A UDP frame of `size` bytes the stack sends to the peer; `i` marks its port and payload."""
    return udp_frame(i, size, PEER_MAC, NIC_MAC, "10.0.0.1", "10.0.0.2", PORT_SRC)


PORT_SRC, PORT_DST = 34, 36  # offsets of the UDP ports in an Ether/IPv4/UDP frame
UDP_PAYLOAD = 14 + 20 + 8  # Ether + IPv4 (no options) + UDP headers


def udp_frame(i: int, size: int, dst: str, src: str, ip_src: str, ip_dst: str, port_at: int) -> bytes:
    """An Ether/IPv4/UDP frame of `size` bytes (no FCS), port 1000 + i at `port_at` (PORT_SRC or
    PORT_DST, the other port 9), every payload byte i. scapy builds one frame per header set; the others are that frame with the port (1000 + i),
    the payload (i) and the UDP checksum patched, since building each in scapy costs ~1 ms
    (10,000-frame floods). tests/unit/test_traffic.py checks the two agree."""
    raw = bytearray(_udp_template(size, dst, src, ip_src, ip_dst, port_at))
    raw[port_at:port_at + 2] = (1000 + (i & 0x7FFF)).to_bytes(2, "big")
    raw[UDP_PAYLOAD:] = bytes([i & 0xFF]) * (len(raw) - UDP_PAYLOAD)
    raw[40:42] = b"\0\0"
    udp = bytes(raw[34:])
    csum = checksum(bytes(raw[26:34]) + bytes([0, 17]) + len(udp).to_bytes(2, "big") + udp) or 0xFFFF
    raw[40:42] = csum.to_bytes(2, "big")
    return bytes(raw)


@functools.lru_cache(maxsize=64)
def _udp_template(size: int, dst: str, src: str, ip_src: str, ip_dst: str, port_at: int) -> bytes:
    return udp_frame_scapy(0, size, dst, src, ip_src, ip_dst, port_at)


def udp_frame_scapy(i: int, size: int, dst: str, src: str, ip_src: str, ip_dst: str, port_at: int) -> bytes:
    """What udp_frame gives, built by scapy from scratch."""
    ports = {"sport": 1000 + (i & 0x7FFF), "dport": 9} if port_at == PORT_SRC else {"sport": 9, "dport": 1000 + (i & 0x7FFF)}
    pkt = Ether(dst=dst, src=src) / IP(src=ip_src, dst=ip_dst) / UDP(**ports)
    return bytes(pkt / (bytes([i & 0xFF]) * max(0, size - len(pkt))))


def on_wire(payload: bytes) -> bytes:
    """What the NIC must send for `payload`: padded to 60 bytes, then the FCS."""
    return with_fcs(payload.ljust(60, b"\0"))


async def up(dut, bugs=(), acp: bool = False, **modprobe):
    """A booted board with eth0 up: (board, netdev, adapter). `bugs` switches driver variants on."""
    b = Board(await RingnicTB.create(dut, acp=acp))
    await b.boot(ACP_OVERLAY if acp else "")
    assert await b.modprobe(**modprobe) == 0
    adapter = netdev_priv(dev_get_by_name("eth0"))
    adapter.bugs = set(bugs)
    return b, await b.ifup(), adapter


async def wire(b, frames, bad_fcs: bool = False, phy_error: bool = False) -> None:
    """Queue `frames` (bytes, no FCS) on the NIC's receive stream, FCS appended (corrupted with
    `bad_fcs`; `phy_error` raises tuser on the last beat, the PHY's RX_ER)."""
    for f in frames:
        tail = fcs(f)
        if bad_fcs:
            tail = bytes([tail[0] ^ 0xFF]) + tail[1:]
        await b.tb.wire_rx.send(AxiStreamFrame(f + tail, tuser=1 if phy_error else 0))


async def until(cond, what, timeout_ns: int = 200_000, step_ns: int = 200) -> None:
    """Wait until `cond()`; `what` (a string, or a function giving one) says what for."""
    for _ in range(timeout_ns // step_ns):
        if cond():
            return
        await Timer(step_ns, "ns")
    raise AssertionError(f"timed out after {timeout_ns} ns waiting for {what() if callable(what) else what}")


async def delivered(b, n: int, timeout_ns: int = 500_000) -> list[bytes]:
    """The frames at the stack once there are `n` of them (fails after `timeout_ns`)."""
    await until(lambda: len(b.received) >= n, lambda: f"{n} frame(s) at the stack (have {len(b.received)})",
                timeout_ns)
    return list(b.received)


async def wire_idle(b) -> None:
    """Every queued frame has left the wire source."""
    await b.tb.wire_rx.wait()


RX_COUNTERS = ("TPR", "GPRC", "BPRC", "MPRC", "ROC", "RUC", "CRCERRS", "RXERRC", "MPC")
_closing_seq = [0]


async def offer(b, ndev, frames: list[bytes], accepted: list[bytes]) -> dict:
    """`frames` on the wire, then one to our own address (the NIC works in order, so once it is
    delivered every earlier frame was handled, with no fixed wait); the stack must get exactly
    `accepted` and that one. Returns how the NIC's counters moved; every frame is in TPR."""
    adapter = netdev_priv(ndev)
    await ethtool_stats(adapter.netdev)  # ethtool -S: the driver folds the NIC's counters
    before = {k: adapter.hw_stats.get(k, 0) for k in RX_COUNTERS}
    _closing_seq[0] += 1
    closing = rx_frame(0x4000 + _closing_seq[0], dst=mac_str(ndev.dev_addr))
    n0 = len(b.received)
    await wire(b, frames + [closing])
    got = (await delivered(b, n0 + len(accepted) + 1))[n0:]
    assert got == accepted + [closing], "the stack did not get exactly the frames the filter admits"
    await ethtool_stats(adapter.netdev)  # ethtool -S: the driver folds the NIC's counters
    d = {k: adapter.hw_stats[k] - before[k] for k in RX_COUNTERS}
    assert d["TPR"] == len(frames) + 1, f"the NIC saw {d['TPR']} of {len(frames) + 1} frames"
    assert d["GPRC"] == len(accepted) + 1, f"GPRC {d['GPRC']}, delivered {len(accepted) + 1}"
    return d


async def burst(b, adapter, frames) -> dict:
    """`frames` back to back on the wire; wait until the stack has all it will get. Returns what
    happened to them (delivered, missed in the adapter, dropped in the backlog), interrupts and
    polls, simulated and wall time (tests/driver/test_napi_rx.py, make bench)."""
    from pydriver.kernel.napi import napi_is_scheduled
    from pydriver.kernel.softirq import softnet_data

    b.received.clear()
    irqs, polls, sd_dropped = adapter.interrupts, adapter.polls, softnet_data().dropped
    await ethtool_stats(adapter.netdev)  # ethtool -S: the driver folds the NIC's counters
    mpc0 = adapter.hw_stats.get("MPC", 0)
    ns0, t0 = b.tb.now_ns(), time.perf_counter()
    await wire(b, frames)
    await wire_idle(b)
    napi = adapter.napi
    await until(lambda: not softnet_data().input_pkt_queue and (napi is None or not napi_is_scheduled(napi)),
                "the stack caught up", 50_000_000, 2_000)
    await Timer(5, "us")
    wall, sim_ns = time.perf_counter() - t0, b.tb.now_ns() - ns0
    await ethtool_stats(adapter.netdev)  # ethtool -S: the driver folds the NIC's counters
    n_irq, n_poll = adapter.interrupts - irqs, adapter.polls - polls
    return {"frames": len(frames), "delivered": len(b.received), "interrupts": n_irq, "polls": n_poll,
            "missed": adapter.hw_stats.get("MPC", 0) - mpc0, "backlog_dropped": softnet_data().dropped - sd_dropped,
            "interrupts_per_frame": n_irq / len(frames),
            "polls_per_interrupt": n_poll / n_irq if n_irq and napi is not None else None,  # no NAPI: no polls
            "sim_ns": sim_ns, "wall_s": wall}
