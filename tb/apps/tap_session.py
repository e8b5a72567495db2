"""`make tap`: the real kernel's ping, arping and iperf3 through the two simulated NICs.

``python -m tb.apps.tap_session [--sim verilator|icarus]`` (as root, with /dev/net/tun):

1. checks root, /dev/net/tun and the tools (one line and exit 2 when something is missing);
2. removes namespaces of ours left by earlier runs that crashed (tb/apps/tap.py `cleanup_stale`);
3. runs the cocotb test `tap_session` below in the simulator (toplevel ringnic_pair, through
   tb/tools/runner.py): the pair comes up, each stack side a TAP in a namespace of its own
   (tb/apps/tap.py), then from inside the simulation -- subprocesses polled every few simulated
   microseconds -- ``iperf3 -s`` in the second namespace, and from the first ``arping``,
   ``ping -c 10``, ``iperf3 -c`` (TCP), ``iperf3 -c -u`` (UDP), printing the tools' own output,
   then ``ip -s link`` / ``ethtool -S`` of sn0 and sn1 (the model's counters) and the kernel's
   own ``ip -s link`` of tap0/tap1. The transcript (build/tap/transcript.txt) is printed live;
4. cleans up whatever way the simulation ended (finished, failed, Ctrl-C, SIGTERM, the simulator
   killed): every process in our namespaces is killed and the namespaces are deleted (their
   TAPs went when the simulator's descriptors closed), then it says that nothing is left.

Exit status: 0 when every tool succeeded, 1 when the session failed, 2 when the preconditions
are missing, 130/143 on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

from tb.apps import tap
from tb.harness.board import checked_test
from tb.tools.runner import BUILD

TRANSCRIPT = BUILD / "tap" / "transcript.txt"
# RINGNIC_TAP_<key> overrides each; an empty UDP_RATE means half the TCP rate just measured.
DEFAULTS = {"PING_COUNT": "10", "PING_INTERVAL": "1", "IPERF_TIME": "3", "UDP_RATE": "", "TOOL_TIMEOUT": "120"}


def _cfg(key: str) -> str:
    return os.environ.get(f"RINGNIC_TAP_{key}", DEFAULTS[key])


@checked_test()
async def tap_session(dut):
    """The TAP session of `make tap`: arping, ping, iperf3 TCP and UDP through both NICs, the counters."""
    from pydriver.kernel.netdev_queue import ip_s_link_show
    from tb.harness.ethtool import ethtool
    from tb.harness.topology import SN1_IP

    timeout, secs, failures, results = float(_cfg("TOOL_TIMEOUT")), _cfg("IPERF_TIME"), [], {}
    async with tap.tap_pair_session(dut) as (b, devs, session, tr):
        t0_sim, t0_wall = b.tb.now_ns(), time.monotonic()
        server = session.start(1, "iperf3", "-s")
        tr(f"$ {server.command} &")

        async def step(label, *argv):
            rc, out = await tap.run_tool(session.start(0, *argv), tr, timeout)
            results[label] = (rc, out)
            if rc != 0:
                failures.append(f"{label}: exit {rc}")
            return rc == 0

        await step("arping", "arping", "-c", "3", "-i", "3", "-w", "60", "-I", "tap0", SN1_IP)  # see test_tap_arping
        interval = [] if _cfg("PING_INTERVAL") == "1" else ["-i", _cfg("PING_INTERVAL")]  # 1 s: ping's own default
        await step("ping", "ping", "-c", _cfg("PING_COUNT"), *interval, "-W", "30", SN1_IP)
        tcp_ok = await step("iperf3 TCP", "iperf3", "-c", SN1_IP, "-t", secs, "--connect-timeout", "30000")
        rate = _cfg("UDP_RATE")
        if not rate:
            tcp = tap.parse_iperf3(results["iperf3 TCP"][1])["receiver"]["bits_per_second"] if tcp_ok else 0
            rate = tap.udp_rate_for(tcp)
            tr(f"# UDP at half the TCP rate the simulated link just carried: -b {rate}")
        await step("iperf3 UDP", "iperf3", "-c", SN1_IP, "-u", "-b", rate, "-t", secs, "--connect-timeout", "30000")
        sim_us, wall = (b.tb.now_ns() - t0_sim) / 1e3, time.monotonic() - t0_wall
        server.kill()
        await tap.quiesce(session, devs)  # the bridges stop taking frames; the counters below agree

        tr("")
        tr("# summary (the tools' own figures, parsed):")
        if results["arping"][0] == 0:
            a = tap.parse_arping(results["arping"][1])
            tr(f"#   arping: {a['received']}/{a['sent']} replies, {SN1_IP} is at {a['replies'][0][1]}")
        if results["ping"][0] == 0:
            p = tap.parse_ping(results["ping"][1])
            tr(f"#   ping: {p['received']}/{p['transmitted']} received, {p['loss_pct']:g}% loss, "
               f"rtt min/avg/max {p['rtt_min']}/{p['rtt_avg']}/{p['rtt_max']} ms (wall clock)")
        for label in ("iperf3 TCP", "iperf3 UDP"):
            if results[label][0] == 0:
                r = tap.parse_iperf3(results[label][1])
                tr(f"#   {label}: sender {tap.format_rate(r['sender']['bits_per_second'])}, receiver "
                   f"{tap.format_rate(r['receiver']['bits_per_second'])}"
                   + (f", {r['receiver']['lost']}/{r['receiver']['datagrams']} datagrams lost"
                      if "lost" in r["receiver"] else ""))
        tr(f"#   {os.environ.get('RINGNIC_SIM', '?')}: {sim_us:,.0f} us of simulated time in {wall:.1f} s of "
           f"wall time ({sim_us / wall:,.0f} us/s)")
        for d in devs:
            ethtool_s = await ethtool(f"-S {d.name}")  # folds the NIC's counters first, as e1000's
            tr(f"$ ip -s -s link show {d.name}")
            tr(ip_s_link_show(d))
            tr(f"$ ethtool -S {d.name}")
            tr(ethtool_s)
        for ns, t in zip(session.namespaces, session.taps):
            tr(f"$ ip -n {ns} -s link show {t.name}    # the real kernel's view of the TAP")
            tr(tap.sh("ip", "-n", ns, "-s", "link", "show", t.name).stdout)
    assert not failures, "; ".join(failures)


# ------------------------------------------------------------------ the orchestrator
class _Tail(threading.Thread):
    """Print a growing file's new lines until stopped (then the rest)."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.stop_evt, self.pos = path, threading.Event(), 0

    def _drain(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except FileNotFoundError:
            return
        if not self.stop_evt.is_set() and b"\n" in data:
            data = data[:data.rindex(b"\n") + 1]
        elif not self.stop_evt.is_set():
            data = b""
        self.pos += len(data)
        if data:
            sys.stdout.write(data.decode(errors="replace"))
            sys.stdout.flush()

    def run(self) -> None:
        while not self.stop_evt.wait(0.1):
            self._drain()

    def finish(self) -> None:
        self.stop_evt.set()
        self.join(2)
        self._drain()


def _rel(path: Path) -> str:
    from tb.tools.runner import ROOT

    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _owner(transcript) -> int | None:
    """The simulator's pid, as the session announced it."""
    try:
        m = re.search(r"^tap: simulator pid (\d+)", transcript.read_text(errors="replace"), re.M)
    except FileNotFoundError:
        return None
    return int(m.group(1)) if m else None


class Interrupted(KeyboardInterrupt):
    """SIGTERM, seen as Ctrl-C: subprocess.run (in the runner) kills the simulator on it."""


def _raise(sig, frame):
    raise Interrupted(sig)


def main(argv=None) -> int:
    from tb.tools import runner
    from tb.harness.topology import PAIR_TOPLEVEL

    ap = argparse.ArgumentParser(prog="make tap", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sim", default="verilator", choices=runner.SIMS)
    ap.add_argument("--waves", action="store_true")
    ap.add_argument("--transcript", type=Path, default=TRANSCRIPT, help=f"default: {TRANSCRIPT}")
    args = ap.parse_args(argv)
    transcript = args.transcript.resolve()
    why = tap.unavailable()
    if why:
        print(f"make tap: {why}", file=sys.stderr)
        return 2
    print(f"tap: {args.sim}, toplevel {PAIR_TOPLEVEL}; transcript {_rel(transcript)}", flush=True)
    tap.cleanup_stale()
    transcript.parent.mkdir(parents=True, exist_ok=True)
    transcript.unlink(missing_ok=True)
    tail = _Tail(transcript)
    tail.start()
    rc, res = 1, None
    signal.signal(signal.SIGTERM, _raise)
    signal.signal(signal.SIGHUP, _raise)
    try:
        res = runner.run(args.sim, "tb.apps.tap_session", "tap_session", toplevel=PAIR_TOPLEVEL, waves=args.waves,
                         extra_env={"RINGNIC_TAP_TRANSCRIPT": str(transcript)})
        rc = 0 if res.passed else 1
    except KeyboardInterrupt as exc:
        rc = 143 if isinstance(exc, Interrupted) and exc.args and exc.args[0] == signal.SIGTERM else 130
        print(f"\ntap: interrupted ({'SIGTERM' if rc == 143 else 'SIGINT'}); cleaning up", flush=True)
    finally:
        tail.finish()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # let the cleanup finish
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        removed = tap.cleanup_stale()
        owner = _owner(transcript)
        left = tap.leftovers(owner) if owner else []
        print(f"tap: cleanup: {len(removed)} namespace(s) removed after the simulation"
              + (" (it had removed its own)" if not removed and owner else "") + "; "
              + (f"STILL LEFT: {'; '.join(left)}" if left else "no namespace, TAP or process of this run left"),
              flush=True)
        if left:
            rc = rc or 1
    if res is not None:
        print(f"tap: {res.sim}: {'passed' if res.passed else 'FAILED'} in {res.wall_s:.1f} s wall, "
              f"{res.sim_time_ns / 1e6:.3f} ms simulated; log {_rel(res.log)}")
        if not res.passed:
            print(f"tap: {res.message}\n{runner.log_tail(res.log, 30)}", file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
