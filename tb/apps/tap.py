"""The TAP bridge (issue 6, topology 3): each NIC's stack side is a Linux TAP device, so the frames
the real kernel sends go through `ndo_start_xmit`, the RTL, the wire, the other NIC's NAPI RX and
out of the other TAP into the real kernel again:

    netns rnic-<pid>-0                    the simulator (one process)                   netns rnic-<pid>-1
    10.213.0.1/24                                                                        10.213.0.2/24
    ping, arping,   tap0 <-> TapBridge -> sn0 ndo_start_xmit -> TX ring -> RTL wire ->   tap1   iperf3 -s
    iperf3 -c            <- rx hook   <- sn0 NAPI RX  <- RTL wire <- TX ring <- sn1 <- TapBridge <->

Each TAP carries its netdev's MAC (the NICs' RX address filters pass what the real kernels send
to them), IPv6 is off in both namespaces (no MLD/RS noise), and 10.213.0.0/24 is an RFC 1918
range used by every topology (tb/harness/topology.py).

Who creates what, and why it is robust:

* The simulator process opens both TAPs itself: /dev/net/tun, TUNSETIFF with IFF_TAP|IFF_NO_PI,
  non-blocking, close-on-exec, never TUNSETPERSIST. It creates them under a temporary name in the
  root namespace (``rnic<pid>t0``), moves them into their namespaces and renames them tap0/tap1
  there: the file descriptor keeps working across the move (Python 3.11 has no os.setns, and
  setns in a simulator with threads is not worth the risk). Namespaces, links and addresses are
  iproute2 commands (`ip netns`, `ip link`, `ip -n NS -batch`), no hand-built netlink and no extra
  PyPI package; each is one command a user could type, and a failure raises with its stderr. A
  non-persistent TAP lives exactly as long as its descriptor, so however the simulator dies
  (SIGKILL included) the kernel removes both TAPs.
* The namespaces (``ip netns add``: a bind mount under /run/netns, which outlives any process)
  are named ``rnic-<simulator pid>-<n>``. The simulator deletes them in a ``finally`` (and on
  SIGTERM/SIGINT/SIGHUP); anything it could not delete is *stale*: a namespace of our prefix
  whose owner pid is gone. `cleanup_stale()` kills every process inside such a namespace
  (``ip netns pids``: every process we start runs in one of ours) and deletes it. `make tap`
  (tb/apps/tap_session.py) runs it before the simulation and after it, however it ended, and every
  TAP test runs it first, so a crash of any earlier run is cleaned up on the next one.
  Namespaces whose owner is alive (another run going on) are never touched.
* The tools (ping, arping, iperf3) run as ``ip netns exec <ns> <tool>`` subprocesses of the
  simulator with PR_SET_PDEATHSIG=SIGKILL as a further belt only (the kernel drops it when an
  exec gains privileges); the namespace sweep above is the guarantee.

Simulated and real time: the simulation is far slower than real time (measured idle with the
pair: about 0.5 us of simulated time per wall-clock millisecond on Verilator, 0.05 us on Icarus),
so the kernels see the NICs as a slow link with RTTs of tens to hundreds of milliseconds; the
tools get generous wall-clock timeouts. The bridge never blocks the simulator: each poll is a
non-blocking drain of the TAP, then a `Timer` of POLL_NS (1 us) of simulated time, doubling up to
POLL_IDLE_NS while the TAP stays silent, so simulated time keeps advancing (the NICs' and the
driver's timers keep running) whether or not there is traffic. Running tools are checked every
TOOL_POLL_NS of simulated time in the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "rnic-"                     # our namespaces: rnic-<owner pid>-<n>
NS_RE = re.compile(r"^rnic-(\d+)-(\d+)$")
NETNS_DIR = Path("/run/netns")      # where `ip netns add` mounts them
TUN_DEV = os.environ.get("RINGNIC_TAP_TUN", "/dev/net/tun")  # another path: to see the skip as root
TAP_NAMES = ("tap0", "tap1")
NET = "10.213.0.0/24"                # RFC 1918; tb/harness/topology.py's SN0_IP/SN1_IP are in it
PREFIXLEN = 24
POLL_NS = 1_000                      # the bridge's poll interval, simulated time (100 cycles)
POLL_IDLE_NS = 32_000                # ... backed off to this while the TAP stays silent
TOOL_POLL_NS = 20_000                # how often a running tool is checked, simulated time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
PR_SET_PDEATHSIG = 1

# The command each check needs, and the Debian 12 package that has it (Makefile APT_PKGS).
TOOLS = {"ip": "iproute2", "sysctl": "procps", "ping": "iputils-ping", "arping": "iputils-arping",
         "iperf3": "iperf3"}
SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


class TapError(RuntimeError):
    pass


# ------------------------------------------------------------------ preconditions
def unavailable(tools=tuple(TOOLS)) -> str | None:
    """Why the TAP bridge cannot run here (one line), or None when it can."""
    if os.geteuid() != 0:
        return "the TAP bridge needs root (network namespaces and /dev/net/tun): run it as root"
    if not os.path.exists(TUN_DEV):
        return f"the TAP bridge needs {TUN_DEV} (the tun module), which this machine lacks"
    try:
        os.close(os.open(TUN_DEV, os.O_RDWR | os.O_CLOEXEC))
    except OSError as exc:
        return f"the TAP bridge cannot open {TUN_DEV}: {exc.strerror}"
    missing = [t for t in tools if which(t) is None]
    if missing:
        pkgs = sorted({TOOLS.get(t, t) for t in missing})
        return (f"the TAP bridge needs {', '.join(missing)}: apt-get install -y --no-install-recommends "
                + " ".join(pkgs))
    return None


def which(tool: str) -> str | None:
    return shutil.which(tool, path=SBIN_PATH)


def _cmd(argv: list[str]) -> list[str]:
    return [which(argv[0]) or argv[0], *argv[1:]]


def sh(*argv: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    """Run an iproute2/procps command; a failure raises with the command and its stderr."""
    r = subprocess.run(_cmd(list(argv)), capture_output=True, text=True, input=input)
    if check and r.returncode != 0:
        raise TapError(f"`{' '.join(argv)}` failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
    return r


def ns_exec(ns: str, *argv: str) -> list[str]:
    """The argv that runs `argv` inside namespace `ns`."""
    return [which("ip") or "ip", "netns", "exec", ns, *argv]


# ------------------------------------------------------------------ namespaces: ours, stale, cleanup
def ns_name(owner: int, n: int | str) -> str:
    return f"{PREFIX}{owner}-{n}"


def our_namespaces() -> list[str]:
    """Every namespace with our prefix, any owner."""
    names = os.listdir(NETNS_DIR) if NETNS_DIR.is_dir() else []
    return sorted(n for n in names if NS_RE.match(n))


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone for us
    except (OSError, IndexError):
        return False


def ns_pids(ns: str) -> list[int]:
    """The processes running in `ns` (`ip netns pids`)."""
    r = sh("ip", "netns", "pids", ns, check=False)
    return [int(p) for p in r.stdout.split() if p.isdigit()]


def kill_pids(pids, grace_s: float = 1.0) -> list[int]:
    """SIGTERM, then SIGKILL what is still there after `grace_s`; the pids that existed."""
    hit = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            hit.append(pid)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace_s
    while any(pid_alive(p) for p in hit) and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in hit:
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return hit


def delete_namespace(ns: str) -> list[int]:
    """Kill every process in `ns`, then delete it (its TAP goes with it); the pids killed."""
    killed = kill_pids(ns_pids(ns))
    r = sh("ip", "netns", "del", ns, check=False)
    if r.returncode != 0 and (NETNS_DIR / ns).exists():
        raise TapError(f"`ip netns del {ns}` failed: {r.stderr.strip()}")
    return killed


def leftovers(owner: int, ns_inodes=()) -> list[str]:
    """What is left of the run whose simulator had pid `owner`: its namespaces (names or mounts),
    TAPs still in the root namespace under their temporary names, processes inside its
    namespaces (by namespace inode: `ns_inodes`, taken while they existed) or naming them, and
    the simulator itself. Empty when everything is gone."""
    left = [f"namespace {ns}" for ns in our_namespaces() if ns.startswith(ns_name(owner, ""))]
    try:
        mounts = Path("/proc/self/mountinfo").read_text()
    except OSError:
        mounts = ""
    left += [f"mount {m}" for m in re.findall(rf"\S*/netns/{re.escape(ns_name(owner, ''))}\d+", mounts)]
    sysnet = Path("/sys/class/net")
    left += [f"TAP {d.name} (root namespace)" for d in sysnet.iterdir() if d.name.startswith(f"rnic{owner}t")]
    inodes = {f"net:[{i}]" for i in ns_inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            holds = inodes and (os.readlink(proc / "ns" / "net") in inodes
                                or any(os.readlink(fd) in inodes for fd in (proc / "fd").iterdir()))
        except OSError:  # gone meanwhile
            continue
        if int(proc.name) == owner and pid_alive(owner):
            left.append(f"process {owner} (the simulator): {cmd}")
        elif holds or ns_name(owner, "") in cmd:
            left.append(f"process {proc.name} in or on a namespace of ours: {cmd}")
    return left


def cleanup_stale(log=print) -> list[str]:
    """Delete every namespace of ours whose owner process is gone (a crashed or killed run),
    with every process in it; the names deleted. Live runs' namespaces are left alone."""
    done = []
    for ns in our_namespaces():
        owner = int(NS_RE.match(ns).group(1))
        if pid_alive(owner):
            continue
        killed = delete_namespace(ns)
        done.append(ns)
        log(f"tap: removed {ns} (owner pid {owner} gone)"
            + (f", killed {len(killed)} process(es) in it: {' '.join(map(str, killed))}" if killed else ""))
    return done


# ------------------------------------------------------------------ the TAP device
class Tap:
    """A non-persistent, non-blocking TAP: frames in and out without a packet-info header."""

    def __init__(self, name: str):
        self.name = name
        self.fd = os.open(TUN_DEV, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            ifr = fcntl.ioctl(self.fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
        except OSError:
            os.close(self.fd)
            raise
        self.name = ifr[:16].rstrip(b"\0").decode()
        self.rx_frames = self.tx_frames = self.tx_dropped = 0

    def read_frames(self, limit: int = 64) -> list[bytes]:
        """What the kernel sent into the TAP since the last call (at most `limit` frames)."""
        out = []
        while len(out) < limit:
            try:
                f = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            if not f:
                break
            out.append(f)
        self.rx_frames += len(out)
        return out

    def write_frame(self, frame: bytes) -> bool:
        """Hand `frame` to the kernel as if it arrived on the TAP; False (counted) if it was refused."""
        try:
            os.write(self.fd, frame)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ENOBUFS, errno.EINVAL, errno.EIO):
                raise
            self.tx_dropped += 1
            return False
        self.tx_frames += 1
        return True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


# ------------------------------------------------------------------ the session: namespaces, TAPs, tools
_libc = ctypes.CDLL(None, use_errno=True)  # loaded in the parent: the child only calls into it


def _die_with_parent() -> None:  # preexec_fn: runs in the child between fork and exec
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class TapSession:
    """Two namespaces, a TAP in each with `addrs` and `macs`, and the tools run inside them.

    `close()` (idempotent; also registered for SIGTERM/SIGINT/SIGHUP and at exit) kills the tools,
    closes the TAPs and deletes the namespaces."""

    def __init__(self, macs, addrs, owner: int | None = None, log=print):
        self.owner = owner or os.getpid()
        self.log = log
        self.namespaces = [ns_name(self.owner, i) for i in range(len(macs))]
        self.taps: list[Tap] = []
        self.bridges: list = []  # the TapBridges on the simulation side, once there
        self.tools: list[Tool] = []
        self.closed = False
        self._old_handlers = {}
        self._install_handlers()
        try:
            for i, (ns, mac, addr) in enumerate(zip(self.namespaces, macs, addrs)):
                self._setup(i, ns, mac, addr)
        except BaseException:
            self.close()
            raise

    def _setup(self, i: int, ns: str, mac: str, addr: str) -> None:
        if (NETNS_DIR / ns).exists():  # a namespace of a dead run whose pid we got again
            delete_namespace(ns)
        sh("ip", "netns", "add", ns)
        sh(*ns_exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1"))
        tap = Tap(f"rnic{self.owner}t{i}")  # root namespace, temporary name, then moved
        self.taps.append(tap)
        name = TAP_NAMES[i]
        sh("ip", "link", "set", "dev", tap.name, "netns", ns)
        sh("ip", "-n", ns, "link", "set", "dev", tap.name, "name", name)
        tap.name = name
        sh(*ns_exec(ns, "sysctl", "-qw", f"net.ipv6.conf.{name}.disable_ipv6=1"))
        sh("ip", "-n", ns, "-batch", "-", input="\n".join([
            f"link set dev {name} address {mac}",
            f"addr add {addr}/{PREFIXLEN} dev {name}",
            f"link set dev {name} up",
            "link set dev lo up"]) + "\n")

    # -- tools
    def start(self, ns_index: int, *argv: str, name: str | None = None) -> "Tool":
        tool = Tool(self.namespaces[ns_index], list(argv), name=name)
        self.tools.append(tool)
        return tool

    # -- cleanup
    def _install_handlers(self) -> None:
        import atexit

        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            try:
                self._old_handlers[sig] = signal.signal(sig, self._on_signal)
            except (ValueError, OSError):  # not the main thread: the orchestrator's sweep covers it
                pass

    def _on_signal(self, sig, frame) -> None:
        self.close()
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for tool in self.tools:
            tool.kill()
        for tap in self.taps:
            tap.close()
        for ns in self.namespaces:
            if (NETNS_DIR / ns).exists():
                try:
                    delete_namespace(ns)
                except TapError as exc:
                    self.log(f"tap: {exc}")
        for sig, old in self._old_handlers.items():
            try:
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
            except (ValueError, OSError):
                pass


class Tool:
    """One tool run inside a namespace; its output (stdout and stderr) goes to a file that
    `new_output()` reads as it grows. Waiting on it is the cocotb side's job (`wait_tool`)."""

    def __init__(self, ns: str, argv: list[str], name: str | None = None):
        self.ns, self.argv = ns, argv
        self.name = name or argv[0]
        self._out = tempfile.TemporaryFile()
        self._pos = 0
        self.output = ""
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(ns_exec(ns, *_cmd(argv)), stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, close_fds=True)

    @property
    def command(self) -> str:
        return f"ip netns exec {self.ns} {' '.join(self.argv)}"

    def poll(self) -> int | None:
        return self.proc.poll()

    def new_output(self) -> str:
        """The output written since the last call (whole lines only, unless the tool ended)."""
        self._out.seek(self._pos)
        data = self._out.read()
        if self.proc.poll() is None and b"\n" in data:
            data = data[:data.rindex(b"\n") + 1]
        elif self.proc.poll() is None:
            data = b""
        self._pos += len(data)
        text = data.decode(errors="replace")
        self.output += text
        return text

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(1.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ------------------------------------------------------------------ the simulation side (cocotb)
class Transcript:
    """What a session shows: shell-style lines to the simulation log and, when RINGNIC_TAP_TRANSCRIPT
    names a file, to that file as they come (`make tap` prints it live)."""

    def __init__(self, log=None):
        path = os.environ.get("RINGNIC_TAP_TRANSCRIPT")
        self.file = open(path, "a", buffering=1) if path else None
        self.log = log
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        for line in text.rstrip("\n").split("\n") if text else ():
            self.lines.append(line)
            if self.file:
                self.file.write(line + "\n")
            if self.log:
                self.log.info("%s", line)

    def close(self) -> None:
        if self.file:
            self.file.close()
            self.file = None


class TapBridge:
    """tapN <-> snN: every `poll_ns` of simulated time, drain what the kernel wrote into the TAP
    and hand it to the stack's TX path (`Board.send` -> qdisc -> ndo_start_xmit); every frame the
    driver delivers for snN (an rx hook, inside the NAPI poll: a non-blocking write) goes into
    the TAP."""

    def __init__(self, board, ndev, tap: Tap, poll_ns: int = POLL_NS):
        import cocotb

        self.board, self.ndev, self.tap, self.poll_ns = board, ndev, tap, poll_ns
        board.rx_hooks.setdefault(ndev.name, []).append(self._to_kernel)
        self.task = cocotb.start_soon(self._run())

    def _to_kernel(self, frame: bytes) -> None:
        if self.tap.fd >= 0:
            self.tap.write_frame(frame)

    async def _run(self) -> None:
        from cocotb.triggers import Timer

        interval = self.poll_ns
        while self.tap.fd >= 0:
            frames = self.tap.read_frames()
            if frames:
                await self.board.send(self.ndev, frames)
            # Idle, look less often (each look is Python the simulator waits for): the interval
            # doubles up to POLL_IDLE_NS and drops back to poll_ns as soon as a frame comes.
            interval = self.poll_ns if frames else min(2 * interval, POLL_IDLE_NS)
            await Timer(interval, "ns")  # never a zero-time loop: simulated time always advances

    def stop(self) -> None:
        if not self.task.done():
            self.task.cancel()


async def run_tool(tool: Tool, transcript: Transcript, timeout_s: float, poll_ns: int = TOOL_POLL_NS) -> tuple[int, str]:
    """Let the simulation run (polling every `poll_ns` of simulated time) until `tool` exits; its
    output goes to the transcript as it comes. Past `timeout_s` of wall time it is killed and
    TimeoutError raised. Returns (exit code, whole output)."""
    from cocotb.triggers import Timer

    transcript(f"$ {tool.command}")
    deadline = time.monotonic() + timeout_s
    while tool.poll() is None:
        transcript(tool.new_output())
        if time.monotonic() > deadline:
            tool.kill()
            transcript(tool.new_output())
            raise TimeoutError(f"`{tool.command}` still running after {timeout_s:.0f} s of wall time")
        await Timer(poll_ns, "ns")
    transcript(tool.new_output())
    return tool.proc.returncode, tool.output


async def tap_pair(dut, transcript: Transcript | None = None, names=("sn0", "sn1"), **modprobe):
    """Topology 3: the pair of tb/harness/topology.py with TAP stack sides instead of scapy hosts:
    (board, [sn0, sn1], TapSession, [TapBridge, TapBridge]). Call `teardown(session, bridges)`
    in a `finally` (or use `tap_pair_session`). The wire between the NICs goes to the test's
    pcap as for every pair."""
    from pydriver.kernel.etherdevice import mac_str
    from tb.harness.topology import SN0_IP, SN1_IP, pair

    log = transcript or print
    cleanup_stale(log=log)
    b, devs, _ = await pair(dut, names, hosts=False, **modprobe)
    session = TapSession([mac_str(d.dev_addr) for d in devs], (SN0_IP, SN1_IP), log=log)
    bridges = session.bridges = [TapBridge(b, d, t) for d, t in zip(devs, session.taps)]
    log(f"tap: simulator pid {os.getpid()} ({os.environ.get('RINGNIC_SIM', '?')}); "
        + "; ".join(f"{d.name} <-> {t.name} in {ns} ({ip}/{PREFIXLEN}, {mac_str(d.dev_addr)})"
                    for d, t, ns, ip in zip(devs, session.taps, session.namespaces, (SN0_IP, SN1_IP))))
    return b, devs, session, bridges


async def quiesce(session: TapSession, devs, settle_ns: int = 20_000) -> None:
    """Stop the bridges' intake and let what is in flight finish (both TX rings reclaimed, then
    `settle_ns` for the last NAPI RX), so the counters read afterwards agree end to end."""
    from cocotb.triggers import Timer

    from pydriver.kernel.netdevice import netdev_priv
    from tb.harness.traffic import until

    for br in session.bridges:
        br.stop()
    for d in devs:
        ring = netdev_priv(d).tx_ring
        await until(lambda ring=ring: ring.next_to_clean == ring.next_to_use, f"{d.name}'s TX reclaim", 1_000_000)
    await Timer(settle_ns, "ns")


def teardown(session: TapSession | None, bridges=()) -> None:
    for br in bridges:
        br.stop()
    if session is not None:
        session.close()


@contextlib.asynccontextmanager
async def tap_pair_session(dut, transcript: Transcript | None = None, **kw):
    """`async with tap_pair_session(dut) as (board, [sn0, sn1], session, transcript):` -- the
    pair with TAP stack sides, torn down (tools killed, TAPs closed, namespaces deleted) on exit."""
    tr = transcript or Transcript(dut._log)
    session, bridges = None, []
    try:
        b, devs, session, bridges = await tap_pair(dut, tr, **kw)
        yield b, devs, session, tr
    finally:
        teardown(session, bridges)
        tr.close()


def udp_rate_for(tcp_bps: float, ceiling: float = 1e6, floor: float = 8e3) -> str:
    """An iperf3 -b for UDP the link can carry: half of what TCP just achieved, within
    [floor, ceiling], as iperf3 writes it (1M, 250K). Over capacity, datagrams pile up in the
    TAP's queue and iperf3's control connection, stuck behind them, times out."""
    bps = max(floor, min(ceiling, tcp_bps / 2))
    return f"{bps / 1e6:g}M" if bps >= 1e6 else f"{int(bps / 1e3)}K"


# ------------------------------------------------------------------ the tools' own output, parsed
PING_SUMMARY = re.compile(r"(\d+) packets transmitted, (\d+) received,(?: \+(\d+) errors,)? ([\d.]+)% packet loss")
PING_RTT = re.compile(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")
PING_REPLY = re.compile(r"bytes from ([\d.]+): icmp_seq=(\d+) ttl=(\d+) time=([\d.]+) ms")
ARPING_REPLY = re.compile(r"Unicast reply from ([\d.]+) \[([0-9A-Fa-f:]{17})\]\s+([\d.]+)ms")
ARPING_SUMMARY = re.compile(r"Sent (\d+) probes? .*\n\s*Received (\d+) response", re.S)
IPERF_SUM = re.compile(
    r"^\[\s*(?:\d+|SUM)\]\s+([\d.]+)-([\d.]+)\s+sec\s+([\d.]+)\s+([KMG]?)Bytes\s+([\d.]+)\s+([KMG]?)bits/sec"
    r"(?P<rest>.*?)\s+(?P<who>sender|receiver)\s*$", re.M)
UNIT = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}
BYTE_UNIT = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}


def parse_ping(text: str) -> dict:
    """ping's (iputils) summary: transmitted, received, loss % and the rtt line (ms)."""
    m = PING_SUMMARY.search(text)
    if not m:
        raise ValueError(f"no ping summary line in:\n{text}")
    out = {"transmitted": int(m.group(1)), "received": int(m.group(2)), "errors": int(m.group(3) or 0),
           "loss_pct": float(m.group(4)),
           "replies": [(int(s), float(t)) for _, s, _, t in PING_REPLY.findall(text)]}
    r = PING_RTT.search(text)
    if r:
        out.update(zip(("rtt_min", "rtt_avg", "rtt_max", "rtt_mdev"), map(float, r.groups())))
    return out


def parse_arping(text: str) -> dict:
    """iputils arping: probes sent, responses received, and the (ip, MAC, ms) of each reply."""
    m = ARPING_SUMMARY.search(text)
    if not m:
        raise ValueError(f"no arping summary in:\n{text}")
    return {"sent": int(m.group(1)), "received": int(m.group(2)),
            "replies": [(ip, mac.lower(), float(ms)) for ip, mac, ms in ARPING_REPLY.findall(text)]}


def parse_iperf3(text: str) -> dict:
    """iperf3's closing summary: {'sender': {...}, 'receiver': {...}} with seconds, bytes and
    bits_per_second; UDP adds lost/total datagrams."""
    out = {}
    for m in IPERF_SUM.finditer(text):
        row = {"seconds": float(m.group(2)) - float(m.group(1)),
               "bytes": float(m.group(3)) * BYTE_UNIT[m.group(4)],
               "bits_per_second": float(m.group(5)) * UNIT[m.group(6)]}
        lost = re.search(r"(\d+)/(\d+) \(([\d.e+-]+)%\)", m.group("rest"))
        if lost:
            row.update(lost=int(lost.group(1)), datagrams=int(lost.group(2)))
        out[m.group("who")] = row  # the last one of each (the summary after the intervals)
    if "sender" not in out and "receiver" not in out:
        raise ValueError(f"no iperf3 summary in:\n{text}")
    return out


def format_rate(bps: float) -> str:
    for unit, scale in (("Gbits/sec", 1e9), ("Mbits/sec", 1e6), ("Kbits/sec", 1e3)):
        if bps >= scale:
            return f"{bps / scale:.2f} {unit}"
    return f"{bps:.0f} bits/sec"


if __name__ == "__main__":  # `python -m tb.apps.tap`: the precondition check alone
    why = unavailable()
    print(why or "tap: ready (root, /dev/net/tun, " + ", ".join(TOOLS) + ")")
    sys.exit(2 if why else 0)
