"""`make demo`: build the NIC, `modprobe ringnic` on the ZYBO device tree, show what a user would see.

``python -m tb.demo [--sim verilator|icarus] [--waves]`` runs the cocotb test `demo` below in the
simulator and prints its transcript (dmesg, ip link) from build/demo/transcript.txt.
"""

from __future__ import annotations

import argparse
import sys

from tb.board import checked_test
from tb.runner import BUILD, ROOT

TRANSCRIPT = BUILD / "demo" / "transcript.txt"


@checked_test()
async def demo(dut):
    """Probe the NIC from the device tree, bring it up, move a few frames each way; record it all."""
    from pydriver.kernel.devres import iomem_show
    from pydriver.kernel.netdevice import for_each_netdev, ip_link_show
    from pydriver.kernel.printk import KERN_INFO, dmesg
    from tb.board import DTS, Board
    from tb.ringnic_tb import RingnicTB

    b = Board(await RingnicTB.create(dut))
    await b.boot()
    out = [f"# device tree: {DTS.relative_to(ROOT)} (compiled with dtc)", "$ modprobe ringnic"]
    rc = await b.modprobe()
    assert rc == 0, f"modprobe failed: {rc}"
    # Debug lines (netif_dbg) need dynamic debug in a real kernel: `make demo` shows what dmesg would.
    out += ["$ dmesg", *dmesg(level=KERN_INFO)]
    out += ["$ grep ringnic /proc/iomem", *[ln for ln in iomem_show().splitlines() if "ringnic" in ln]]
    out += ["$ ip link", *[ip_link_show(ndev) for ndev in for_each_netdev()]]
    out += await traffic(b)
    TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
    TRANSCRIPT.write_text("\n".join(out) + "\n")


async def traffic(b) -> list[str]:
    """`ip link set eth0 up`, three frames out through ndo_start_xmit, three in through NAPI."""
    import zlib

    from cocotb.triggers import Timer
    from cocotbext.axi import AxiStreamFrame
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.l2 import Ether

    from pydriver.kernel.interrupt import show_interrupts
    from pydriver.kernel.netdevice import netdev_priv
    from pydriver.kernel.printk import KERN_INFO, dmesg
    from pydriver.ringnic.netdev import ethtool_stats, update_stats

    before = len(dmesg(level=KERN_INFO))
    ndev = await b.ifup("eth0")
    out = ["$ ip link set eth0 up", *dmesg(level=KERN_INFO)[before:]]
    peer, me = "02:00:00:00:00:02", ndev.dev_addr.hex(":")
    tx = [Ether(src=me, dst=peer) / IP(src="10.0.0.1", dst="10.0.0.2") / ICMP(seq=i) / b"ringnic" for i in range(3)]
    await b.send(ndev, tx)
    out.append("# 3 frames handed to ndo_start_xmit; on the wire (m_axis_tx, FCS checked):")
    for wire in await b.wire_frames(3):
        fcs_ok = zlib.crc32(wire[:-4]).to_bytes(4, "little") == wire[-4:]
        out.append(f"  {len(wire):4d} B  FCS {'ok ' if fcs_ok else 'BAD'} {Ether(wire[:-4]).summary()}")
    rx = [Ether(src=peer, dst=me) / IP(src="10.0.0.2", dst="10.0.0.1") / UDP(sport=7, dport=7) / (b"x" * (18 + 40 * i))
          for i in range(3)]  # 60 bytes and up: what a sender pads to (shorter is a runt)
    for pkt in rx:
        await b.tb.wire_rx.send(AxiStreamFrame(bytes(pkt) + zlib.crc32(bytes(pkt)).to_bytes(4, "little")))
    for _ in range(100):
        if len(b.received) >= len(rx):
            break
        await Timer(1, "us")
    assert len(b.received) == len(rx), f"only {len(b.received)} of {len(rx)} frames reached the stack"
    out.append("# 3 frames sent to s_axis_rx; netif_receive_skb delivered:")
    out += [f"  {len(f):4d} B  {Ether(f).summary()}" for f in b.received]
    adapter = netdev_priv(ndev)
    out.append(f"# NAPI: {adapter.interrupts} interrupts, {adapter.polls} polls, "
               f"{adapter.napi.stats.completions} completions for 3 RX and 3 TX frames")
    out += await flood(b, adapter, 1000)
    await update_stats(adapter)
    st = ethtool_stats(adapter)
    out += ["$ grep eth0 /proc/interrupts", *[ln for ln in show_interrupts().splitlines() if "eth0" in ln]]
    out.append("$ ethtool -S eth0")
    out += [f"     {k}: {v}" for k, v in st.items()]
    return out


async def flood(b, adapter, n: int) -> list[str]:
    """`n` 64-byte frames back to back: NAPI keeps the interrupt masked while it polls, and the
    frames the CPU cannot take are dropped in the adapter (MPC), before the host pays for them."""
    from pydriver.ringnic.netdev import update_stats
    from pydriver.kernel.napi import napi_is_scheduled
    from tb.traffic import rx_frame, until, wire, wire_idle

    napi, got = adapter.napi, len(b.received)
    irqs, polls, exhausted = adapter.interrupts, napi.stats.polls, napi.stats.budget_exhausted
    await wire(b, [rx_frame(i, 60) for i in range(n)])
    await wire_idle(b)
    await until(lambda: not napi_is_scheduled(napi), "the poll to complete", 5_000_000, 1_000)
    await update_stats(adapter)
    return [f"# {n} frames of 64 B back to back on s_axis_rx (line rate of the 64-bit stream):",
            f"#   {len(b.received) - got} delivered by NAPI, {adapter.hw_stats['MPC']} dropped in the adapter "
            f"(rx_missed_errors), {adapter.interrupts - irqs} interrupt(s), {napi.stats.polls - polls} polls "
            f"({napi.stats.budget_exhausted - exhausted} used their whole budget of {napi.weight})"]


def main(argv=None) -> int:
    from tb import runner

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="verilator", choices=runner.SIMS)
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)
    print(f"ringnic demo: building the RTL for {args.sim} and running the driver model ...", flush=True)
    TRANSCRIPT.unlink(missing_ok=True)
    res = runner.run(args.sim, "tb.demo", "demo", waves=args.waves)
    if not res.passed:
        print(f"demo failed: {res.message}\n{runner.log_tail(res.log)}", file=sys.stderr)
        return 1
    print(TRANSCRIPT.read_text(), end="")
    print(f"\n# simulated {res.sim_time_ns / 1e3:.2f} us in {res.wall_s:.1f} s wall on {args.sim}; "
          f"log: {res.log.relative_to(ROOT)}" + (f"; waves: {res.waves.relative_to(ROOT)}" if res.waves else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
