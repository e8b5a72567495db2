"""tb/apps/tap.py without a simulator: the parsers of the tools' own output (samples taken from real
runs through the simulated NICs), the UDP rate choice, the precondition line, and -- as root --
the TAP device and the sweep that removes a crashed run's namespaces and processes."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from tb.tools import runner
from tb.apps import tap

PING = """PING 10.213.0.2 (10.213.0.2) 56(84) bytes of data.
64 bytes from 10.213.0.2: icmp_seq=1 ttl=64 time=36.8 ms
64 bytes from 10.213.0.2: icmp_seq=2 ttl=64 time=16.4 ms
64 bytes from 10.213.0.2: icmp_seq=3 ttl=64 time=17.3 ms

--- 10.213.0.2 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 1807ms
rtt min/avg/max/mdev = 15.336/18.269/36.816/6.203 ms, pipe 2
"""

PING_LOSS = """--- 10.213.0.2 ping statistics ---
10 packets transmitted, 7 received, +2 errors, 30% packet loss, time 9013ms
rtt min/avg/max/mdev = 1.000/2.000/3.000/0.500 ms
"""

ARPING = """ARPING 10.213.0.2 from 10.213.0.1 tap0
Unicast reply from 10.213.0.2 [02:0A:35:00:00:02]  18.954ms
Unicast reply from 10.213.0.2 [02:0A:35:00:00:02]  17.149ms
Unicast reply from 10.213.0.2 [02:0A:35:00:00:02]  16.951ms
Sent 3 probes (1 broadcast(s))
Received 3 response(s)
"""

IPERF_TCP = """Connecting to host 10.213.0.2, port 5201
[  5] local 10.213.0.1 port 60858 connected to 10.213.0.2 port 5201
[ ID] Interval           Transfer     Bitrate         Retr  Cwnd
[  5]   0.00-1.00   sec  76.4 KBytes   625 Kbits/sec    0   25.5 KBytes       
[  5]   1.00-2.00   sec  86.3 KBytes   707 Kbits/sec    0   25.5 KBytes       
[  5]   2.00-3.00   sec   106 KBytes   869 Kbits/sec    0   14.1 KBytes       
- - - - - - - - - - - - - - - - - - - - - - - - -
[ ID] Interval           Transfer     Bitrate         Retr
[  5]   0.00-3.00   sec   269 KBytes   734 Kbits/sec    0             sender
[  5]   0.00-3.12   sec   163 KBytes   428 Kbits/sec                  receiver

iperf Done.
"""

IPERF_UDP = """Connecting to host 10.213.0.2, port 5201
[  5] local 10.213.0.1 port 37800 connected to 10.213.0.2 port 5201
[ ID] Interval           Transfer     Bitrate         Total Datagrams
[  5]   0.00-1.00   sec   123 KBytes  1.01 Mbits/sec  87  
- - - - - - - - - - - - - - - - - - - - - - - - -
[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams
[  5]   0.00-3.00   sec   366 KBytes  1.00 Mbits/sec  0.000 ms  0/259 (0%)  sender
[  5]   0.00-5.82   sec   366 KBytes   515 Kbits/sec  7.215 ms  3/259 (1.2%)  receiver

iperf Done.
"""

root_only = pytest.mark.skipif(tap.unavailable(("ip",)) is not None, reason=str(tap.unavailable(("ip",))))


def test_parse_ping():
    p = tap.parse_ping(PING)
    assert (p["transmitted"], p["received"], p["errors"], p["loss_pct"]) == (3, 3, 0, 0.0)
    assert p["replies"] == [(1, 36.8), (2, 16.4), (3, 17.3)]
    assert (p["rtt_min"], p["rtt_avg"], p["rtt_max"], p["rtt_mdev"]) == (15.336, 18.269, 36.816, 6.203)
    q = tap.parse_ping(PING_LOSS)
    assert (q["transmitted"], q["received"], q["errors"], q["loss_pct"]) == (10, 7, 2, 30.0)
    with pytest.raises(ValueError):
        tap.parse_ping("ping: connect: Network is unreachable\n")


def test_parse_arping():
    a = tap.parse_arping(ARPING)
    assert (a["sent"], a["received"]) == (3, 3)
    assert a["replies"][0] == ("10.213.0.2", "02:0a:35:00:00:02", 18.954)


def test_parse_iperf3_tcp_and_udp():
    tcp = tap.parse_iperf3(IPERF_TCP)
    assert tcp["sender"]["bits_per_second"] == 734e3 and tcp["receiver"]["bits_per_second"] == 428e3
    assert tcp["sender"]["bytes"] == 269 * 1024 and tcp["receiver"]["seconds"] == pytest.approx(3.12)
    udp = tap.parse_iperf3(IPERF_UDP)
    assert udp["sender"]["bits_per_second"] == 1.0e6 and udp["receiver"]["bits_per_second"] == 515e3
    assert (udp["receiver"]["lost"], udp["receiver"]["datagrams"]) == (3, 259)
    with pytest.raises(ValueError):
        tap.parse_iperf3("iperf3: error - unable to connect to server: Connection refused\n")


def test_udp_rate_for():
    assert tap.udp_rate_for(428e3) == "214K"
    assert tap.udp_rate_for(5e6) == "1M"
    assert tap.udp_rate_for(0) == "8K"
    assert tap.format_rate(515e3) == "515.00 Kbits/sec"


def test_unavailable_names_the_missing_tool():
    why = tap.unavailable(("surely-no-such-tool",))
    assert why is not None and "\n" not in why
    if os.geteuid() == 0 and os.path.exists(tap.TUN_DEV):
        assert "surely-no-such-tool" in why and "apt-get install" in why
    else:
        assert "root" in why or tap.TUN_DEV in why


@root_only
def test_tap_device_lives_with_its_descriptor():
    t = tap.Tap(f"rnic{os.getpid()}t9")
    try:
        assert os.path.isdir(f"/sys/class/net/{t.name}")
        assert t.read_frames() == []  # non-blocking: nothing there, no wait
        flags = int(open(f"/sys/class/net/{t.name}/tun_flags").read(), 16)
        assert flags & tap.IFF_TAP and flags & tap.IFF_NO_PI
    finally:
        t.close()
    assert not os.path.exists(f"/sys/class/net/{t.name}"), "non-persistent: gone with its descriptor"


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    assert not tap.pid_alive(p.pid)
    return p.pid


@root_only
def test_cleanup_stale_kills_and_deletes_only_dead_owners():
    dead, live = tap.ns_name(_dead_pid(), 0), tap.ns_name(os.getpid(), 7)
    for ns in (dead, live):
        tap.sh("ip", "netns", "add", ns)
    sleeper = subprocess.Popen(tap.ns_exec(dead, "sleep", "300"), start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        while sleeper.pid not in tap.ns_pids(dead) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sleeper.pid in tap.ns_pids(dead)
        said = []
        assert tap.cleanup_stale(log=said.append) == [dead]
        assert sleeper.wait(5) is not None
        assert dead not in tap.our_namespaces() and live in tap.our_namespaces()
        assert "owner pid" in said[0] and f"killed 1 process(es) in it: {sleeper.pid}" in said[0]
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        for ns in (dead, live):
            tap.sh("ip", "netns", "del", ns, check=False)
    assert dead not in tap.our_namespaces() and live not in tap.our_namespaces()


def _orchestrator(env_extra=None, prefix=()):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "tb.apps.tap_session"], cwd=runner.ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_make_tap_stops_with_one_line_without_tun():
    r = _orchestrator({"RINGNIC_TAP_TUN": "/dev/net/no-such-tun"})
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("make tap: "), r.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to drop to nobody")
def test_make_tap_stops_with_one_line_when_not_root():
    nobody = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
    probe = subprocess.run([*nobody, sys.executable, "-c", "import tb.apps.tap_session"], cwd=runner.ROOT,
                           capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot import the checkout here: {probe.stderr.strip().splitlines()[-1:]}")
    r = _orchestrator(prefix=nobody)
    assert r.returncode == 2 and r.stdout == "", r.stdout + r.stderr
    assert r.stderr == "make tap: the TAP bridge needs root (network namespaces and /dev/net/tun): run it as root\n"
