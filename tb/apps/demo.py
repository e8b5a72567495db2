"""`make demo`: two ringnic NICs wired to each other (snull's sn0 and sn1), one kernel, the driver
bound to both; probe, bring them up, ping across, flood one way through NAPI, show the counters,
then pull the cable between them and plug it back (the kernel's link messages, `ip link` and
`ethtool sn1` before and after, a ping across once the link is back).

``python -m tb.apps.demo [--sim verilator|icarus] [--waves]`` runs the cocotb test `demo` below in the
simulator (toplevel tb/hdl/ringnic_pair.v) and prints its transcript from build/demo/transcript.txt.
"""

from __future__ import annotations

import argparse
import sys

from tb.harness.board import checked_test
from tb.tools.runner import BUILD, ROOT, wave_path

TRANSCRIPT = BUILD / "demo" / "transcript.txt"
FLOOD = 1000


@checked_test()
async def demo(dut):
    """The pair: probe, up, ping, a NAPI flood, the counters; record it all."""
    from pydriver.kernel.devres import iomem_show
    from pydriver.kernel.interrupt import show_interrupts
    from pydriver.kernel.netdev_queue import ip_s_link_show
    from pydriver.kernel.netdevice import for_each_netdev, ip_link_show
    from pydriver.kernel.printk import KERN_INFO, dmesg
    from tb.harness.ethtool import ethtool
    from tb.harness.topology import PAIR_DTS, SN1_IP, pair

    out = [f"# device tree: {PAIR_DTS.relative_to(ROOT)} (compiled with dtc): two ringnic nodes, their MAC sides"
           " wired together", "$ modprobe ringnic", "$ ip link set eth0 name sn0; ip link set eth1 name sn1",
           "$ ip link set sn0 up; ip link set sn1 up"]
    b, devs, (h0, h1) = await pair(dut)
    out += ["$ dmesg", *dmesg(level=KERN_INFO)]
    out += ["$ grep ringnic /proc/iomem", *[ln for ln in iomem_show().splitlines() if "ringnic" in ln]]
    out += ["$ ip link", *[ip_link_show(ndev) for ndev in for_each_netdev()]]

    out.append(f"$ ping -c 5 {SN1_IP}    # sn0's stack side is a scapy host, as is sn1's")
    await h0.resolve(SN1_IP)
    rtts = await h0.ping(SN1_IP, count=5)
    for seq, rtt in enumerate(rtts):
        out.append(f"64 bytes from {SN1_IP}: icmp_seq={seq} time={rtt / 1000:.2f} us (simulated)")
    ok = [r for r in rtts if r is not None]
    out.append(f"5 packets transmitted, {len(ok)} received, {100 - 20 * len(ok)}% packet loss")

    out += await flood(b, devs, h0, FLOOD)
    out += ["$ grep sn /proc/interrupts", *[ln for ln in show_interrupts().splitlines() if " sn" in ln]]
    for d in devs:
        ethtool_s = await ethtool(f"-S {d.name}")  # folds the NIC's counters first
        out += [f"$ ip -s -s link show {d.name}", ip_s_link_show(d), f"$ ethtool -S {d.name}", ethtool_s]
    out += [f"$ ethtool -i {devs[1].name}", await ethtool(f"-i {devs[1].name}")]
    out += await cable(b, devs, h0)
    TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
    TRANSCRIPT.write_text("\n".join(out) + "\n")


async def cable(b, devs, h0) -> list[str]:
    """Pull sn1's cable, let the link watchdog see it, plug it back, ping across again."""
    from pydriver.kernel.netdevice import ip_link_show, netif_carrier_ok
    from pydriver.kernel.printk import KERN_INFO, dmesg
    from tb.harness.ethtool import ethtool
    from tb.harness.topology import SN1_IP
    from tb.harness.traffic import until

    sn1 = devs[1]
    out = ["# the cable between sn0 and sn1", f"$ ip link show {sn1.name}", ip_link_show(sn1),
           f"$ ethtool {sn1.name}", await ethtool(sn1.name)]
    seen = len(dmesg(level=KERN_INFO))
    b.cable.pull()
    out.append("# (the cable is pulled)")
    await until(lambda: not any(netif_carrier_ok(d) for d in devs), "both carriers off", 100_000)
    out += ["$ dmesg | tail", *dmesg(level=KERN_INFO)[seen:], f"$ ip link show {sn1.name}", ip_link_show(sn1),
            f"$ ethtool {sn1.name}", await ethtool(sn1.name)]
    seen = len(dmesg(level=KERN_INFO))
    b.cable.plug()
    out.append("# (the cable is plugged back in)")
    await until(lambda: all(netif_carrier_ok(d) for d in devs), "both carriers on", 100_000)
    out += ["$ dmesg | tail", *dmesg(level=KERN_INFO)[seen:], f"$ ip link show {sn1.name}", ip_link_show(sn1)]
    rtts = await h0.ping(SN1_IP, count=3, ident=0x4321)
    ok = [r for r in rtts if r is not None]
    out += [f"$ ping -c 3 {SN1_IP}", f"3 packets transmitted, {len(ok)} received, {100 - 100 * len(ok) // 3}% packet loss"]
    return out


async def flood(b, devs, h0, n: int) -> list[str]:
    """`n` UDP datagrams from sn0 to sn1 as fast as sn0's ring takes them: sn1's NAPI polls with
    the interrupt masked, and what its CPU cannot take is dropped in the adapter, counted."""
    from pydriver.kernel.napi import napi_is_scheduled
    from pydriver.kernel.netdevice import netdev_priv
    from tb.harness.ethtool import stats
    from tb.harness.topology import SN1_IP
    from tb.harness.traffic import until

    tx, rx = netdev_priv(devs[0]), netdev_priv(devs[1])
    napi, irqs, polls = rx.napi, rx.interrupts, rx.napi.stats.polls
    exhausted, got = napi.stats.budget_exhausted, len(b.rx[devs[1].name])
    missed = (await stats(devs[1]))["rx_missed_errors"]
    await h0.send([h0.udp_datagram(SN1_IP, 4000, 9, bytes([i & 0xFF]) * 18) for i in range(n)])
    ring = tx.tx_ring
    await until(lambda: ring.next_to_clean == ring.next_to_use and not napi_is_scheduled(napi), "the flood",
                50_000_000, 1_000)
    missed = (await stats(devs[1]))["rx_missed_errors"] - missed
    return [f"# {n} UDP datagrams sn0 -> sn1 (64-byte frames) as fast as sn0's TX ring takes them:",
            f"#   sn1: {len(b.rx[devs[1].name]) - got} delivered through NAPI, {missed} dropped"
            f" in the adapter (rx_missed_errors), {rx.interrupts - irqs} interrupt(s), {napi.stats.polls - polls}"
            f" polls ({napi.stats.budget_exhausted - exhausted} used their whole budget of {napi.weight})"]


def main(argv=None) -> int:
    from tb.tools import runner
    from tb.harness.topology import PAIR_TOPLEVEL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", default="verilator", choices=runner.SIMS)
    ap.add_argument("--waves", action="store_true")
    args = ap.parse_args(argv)
    print(f"ringnic demo: building the RTL (two NICs) for {args.sim} and running the driver model ...", flush=True)
    TRANSCRIPT.unlink(missing_ok=True)
    res = runner.run(args.sim, "tb.apps.demo", "demo", toplevel=PAIR_TOPLEVEL, waves=args.waves)
    if not res.passed:
        print(f"demo failed: {res.message}\n{runner.log_tail(res.log)}", file=sys.stderr)
        return 1
    print(TRANSCRIPT.read_text(), end="")
    pcap = wave_path(args.sim, "demo").with_suffix(".pcap")
    print(f"\n# simulated {res.sim_time_ns / 1e3:.2f} us in {res.wall_s:.1f} s wall on {args.sim}; "
          f"log: {res.log.relative_to(ROOT)}")
    print(f"# pcap of the sn0-sn1 wire: {pcap.relative_to(ROOT)}  (wireshark/tshark -r)")
    if res.waves:
        print(f"# waveform: {res.waves.relative_to(ROOT)}  (gtkwave -a sim/ringnic.gtkw, see docs/waveforms.md)")
    else:
        print("# waveform: run `make demo WAVES=1` to also write one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
