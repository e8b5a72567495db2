"""The TAP bridge (tb/apps/tap.py): the real kernel's tools through the two simulated NICs.

Each stack side of the pair is a Linux TAP in a network namespace of its own (tap0 10.213.0.1 in
rnic-<pid>-0, tap1 10.213.0.2 in rnic-<pid>-1); arping, ping and iperf3 run in them as
subprocesses while the simulation runs, and the tests parse the tools' own output. They need
root, /dev/net/tun and the tools: without them each test is SKIPPED with the reason, never
passed. The last test kills the simulator of a `make tap` run with SIGKILL mid-ping and checks
that nothing of that run is left.
"""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tb.tools import runner
from tb.apps import tap
from tb.harness.board import checked_test
from tb.harness.topology import PAIR_TOPLEVEL, SN1_IP

HDL_TOPLEVEL = PAIR_TOPLEVEL
SN1_MAC = "02:0a:35:00:00:02"


def require(*tools: str) -> None:
    """Skip (with the reason) unless root, /dev/net/tun and `tools` are there."""
    why = tap.unavailable(("ip", "sysctl") + tools)
    if why:
        pytest.skip(why)


@checked_test()
async def test_tap_arping(dut):
    """`arping -c 3 -I tap0 10.213.0.2` in the first namespace: the broadcast request leaves through
    sn0's TX ring, the wire and sn1's NAPI RX into tap1; the second kernel's reply comes back the
    same way. 3 probes, 3 replies, all from sn1's MAC."""
    require("arping")
    async with tap.tap_pair_session(dut) as (b, devs, session, tr):
        # iputils arping (20221126) stops one interval after its last probe whatever -w says: the
        # 3 s interval leaves room for Icarus's round trip on a loaded machine (seen: 1 s lost one).
        rc, out = await tap.run_tool(
            session.start(0, "arping", "-c", "3", "-i", "3", "-w", "60", "-I", "tap0", SN1_IP), tr, 120)
        assert rc == 0, out
        a = tap.parse_arping(out)
        assert a["sent"] == 3 and a["received"] == 3, a
        assert [(ip, mac) for ip, mac, _ in a["replies"]] == [(SN1_IP, SN1_MAC)] * 3, a
        assert all(ms > 0 for _, _, ms in a["replies"])
        assert b.rx["sn1"] and b.rx["sn0"], "the frames went through both drivers' NAPI RX"


@checked_test()
async def test_tap_ping(dut):
    """`ping -c 10` from the first namespace to the second: 0% packet loss in ping's own summary,
    ten replies in sequence, its rtt min/avg/max/mdev line (wall-clock RTTs of a slow link)."""
    require("ping")
    async with tap.tap_pair_session(dut) as (b, devs, session, tr):
        rc, out = await tap.run_tool(session.start(0, "ping", "-c", "10", "-i", "0.2", "-W", "30", SN1_IP), tr, 120)
        assert rc == 0, out
        p = tap.parse_ping(out)
        assert (p["transmitted"], p["received"], p["errors"], p["loss_pct"]) == (10, 10, 0, 0.0), p
        assert sorted(seq for seq, _ in p["replies"]) == list(range(1, 11)), p["replies"]
        assert 0 < p["rtt_min"] <= p["rtt_avg"] <= p["rtt_max"], p
        tr(f"# ping: rtt min/avg/max/mdev = {p['rtt_min']}/{p['rtt_avg']}/{p['rtt_max']}/{p['rtt_mdev']} ms")


@checked_test()
async def test_tap_iperf3(dut):
    """iperf3 from the first namespace to a server in the second: a few seconds of TCP, then of UDP
    (at half the rate TCP achieved, which the slow simulated link can carry); each reports a
    non-zero rate at both ends in its own summary, and UDP datagrams arrived."""
    require("iperf3")
    async with tap.tap_pair_session(dut) as (b, devs, session, tr):
        session.start(1, "iperf3", "-s")
        rc, out = await tap.run_tool(
            session.start(0, "iperf3", "-c", SN1_IP, "-t", "3", "--connect-timeout", "30000"), tr, 120)
        assert rc == 0, out
        tcp = tap.parse_iperf3(out)
        assert tcp["sender"]["bits_per_second"] > 0 and tcp["receiver"]["bits_per_second"] > 0, tcp
        assert tcp["receiver"]["bytes"] > 0
        rate = tap.udp_rate_for(tcp["receiver"]["bits_per_second"])
        rc, out = await tap.run_tool(
            session.start(0, "iperf3", "-c", SN1_IP, "-u", "-b", rate, "-t", "3", "--connect-timeout", "30000"),
            tr, 120)
        assert rc == 0, out
        udp = tap.parse_iperf3(out)
        assert udp["sender"]["bits_per_second"] > 0 and udp["receiver"]["bits_per_second"] > 0, udp
        assert udp["receiver"]["datagrams"] > udp["receiver"]["lost"], udp
        tr(f"# iperf3 TCP receiver {tap.format_rate(tcp['receiver']['bits_per_second'])}, "
           f"UDP (-b {rate}) receiver {tap.format_rate(udp['receiver']['bits_per_second'])}")


# ------------------------------------------------------------------ cleanup after SIGKILL (plain pytest)
def _sim_params():
    return [pytest.param(s, marks=[pytest.mark.sim(s), getattr(pytest.mark, s)], id=s) for s in runner.SIMS]


def _reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _wait_line(lines: queue.Queue, pattern: str, timeout_s: float, seen: list) -> re.Match:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m
    raise AssertionError(f"no line matching {pattern!r} within {timeout_s:.0f} s; output:\n{''.join(seen)}")


@pytest.mark.parametrize("sim", _sim_params())
def test_tap_cleanup_after_kill(sim, tmp_path):
    """`make tap`'s orchestrator (python -m tb.apps.tap_session) runs the session; once ping's first reply
    came back through the RTL, the simulator is SIGKILLed with iperf3 -s and ping still running in
    the namespaces. The orchestrator sees the simulation fail, and afterwards no namespace of
    that run, no TAP, no mount and no process (in or on its namespaces) is left."""
    require("ping", "arping", "iperf3")
    tap.cleanup_stale()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tb.apps.tap_session", "--sim", sim, "--transcript",
                             str(tmp_path / "transcript.txt")], cwd=runner.ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines, seen = queue.Queue(), []
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    owner = None
    try:
        owner = int(_wait_line(lines, r"^tap: simulator pid (\d+)", 180, seen).group(1))
        _wait_line(lines, rf"bytes from {re.escape(SN1_IP)}: icmp_seq=1 ", 90, seen)
        namespaces = [tap.ns_name(owner, i) for i in (0, 1)]
        inodes = [os.stat(tap.NETNS_DIR / ns).st_ino for ns in namespaces]
        running = {ns: {p: open(f"/proc/{p}/comm").read().strip() for p in tap.ns_pids(ns)} for ns in namespaces}
        assert "iperf3" in running[namespaces[1]].values(), running
        assert "ping" in running[namespaces[0]].values(), running
        assert tap.leftovers(owner, inodes), "the run is alive: the check must see it"

        os.kill(owner, signal.SIGKILL)
        proc.wait(timeout=60)
        while (line := lines.get(timeout=5)) is not None:
            seen.append(line)
        out = "".join(seen)
        assert proc.returncode == 1, out
        assert re.search(rf"^tap: removed {re.escape(namespaces[0])} \(owner pid {owner} gone\)", out, re.M), out
        assert "no namespace, TAP or process of this run left" in out, out
        assert tap.leftovers(owner, inodes) == []
        assert not any(tap.pid_alive(p) for pids in running.values() for p in pids), running
        assert not any(ns.startswith(f"{tap.PREFIX}{owner}-") for ns in tap.our_namespaces())
        assert not (tap.sh("ip", "-o", "link", "show", check=False).stdout.count(f"rnic{owner}t"))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        tap.cleanup_stale(log=lambda *_: None)
