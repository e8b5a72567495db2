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
    """Probe the NIC from the device tree and record dmesg and `ip link`."""
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
    TRANSCRIPT.parent.mkdir(parents=True, exist_ok=True)
    TRANSCRIPT.write_text("\n".join(out) + "\n")


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
