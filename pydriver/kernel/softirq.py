"""Softirqs: raise, run at irq_exit or in ksoftirqd, bottom halves, and NET_RX (net_rx_action).

One CPU runs softirqs: ``__do_softirq`` is never entered twice at once.  It runs the pending
vectors, restarts while more are raised -- at most MAX_SOFTIRQ_RESTART times and
MAX_SOFTIRQ_TIME of simulated time -- then hands the rest to ksoftirqd, a task started through
the CPU backend that loops (one bounded ``__do_softirq`` per turn, a reschedule in between)
while anything is pending.  So a flood never makes one call unbounded: each net_rx_action
polls at most ``netdev_budget`` packets or ``netdev_budget_usecs`` of simulated time, counts a
``time_squeeze`` and re-raises NET_RX for what is left.

Who runs a raised softirq (as Linux): raised in hard-IRQ context, irq_exit does; in softirq
context, the running ``__do_softirq`` restarts; in process context, ksoftirqd is woken.
Deviation: ``local_bh_enable()`` is synchronous here, so pending softirqs left by a
bottom-half-disabled section go to ksoftirqd instead of running inline.
"""

from dataclasses import dataclass, field

from .core import current
from .interrupt import (SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_OFFSET, _irq_state, _preempt_add, _preempt_sub,
                        _task_key, _wake, cpu_new_event, cpu_sleep, cpu_spawn, in_hardirq, in_interrupt,
                        irq_exit_hooks, softirq_count)
from .printk import kernel_bug

HI_SOFTIRQ = 0
TIMER_SOFTIRQ = 1
NET_TX_SOFTIRQ = 2
NET_RX_SOFTIRQ = 3
BLOCK_SOFTIRQ = 4
IRQ_POLL_SOFTIRQ = 5
TASKLET_SOFTIRQ = 6
SCHED_SOFTIRQ = 7
HRTIMER_SOFTIRQ = 8
RCU_SOFTIRQ = 9
NR_SOFTIRQS = 10
softirq_to_name = ("HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
                   "HRTIMER", "RCU")

MAX_SOFTIRQ_TIME_NS = 2_000_000     # kernel/softirq.c: 2 ms ...
MAX_SOFTIRQ_RESTART = 10            # ... or 10 restarts, then ksoftirqd
KSOFTIRQD_WAKEUP_NS = 1_000         # scheduling a woken kthread
KSOFTIRQD_RESCHED_NS = 1_000        # cond_resched() between ksoftirqd turns


@dataclass
class NetHotdata:
    """The net.core sysctls the receive path reads, and the model's one cost figure."""
    netdev_budget: int = 300
    netdev_budget_usecs: int = 2000
    netdev_max_backlog: int = 1000  # netif_rx's per-CPU queue; beyond it, drops (softnet dropped)
    dev_rx_weight: int = 64         # the backlog NAPI's weight
    # Not a sysctl: simulated CPU time the stack spends per received frame (netif_receive_skb up
    # to the socket). About 1 us on a 667 MHz Cortex-A9. It is what lets a flood outrun the CPU,
    # the case NAPI exists for; 0 makes the stack free.
    stack_rx_ns: int = 1000


@dataclass
class SoftnetData:
    """struct softnet_data of CPU0 (/proc/net/softnet_stat)."""
    poll_list: list = field(default_factory=list)
    in_net_rx_action: bool = False
    processed: int = 0
    dropped: int = 0
    time_squeeze: int = 0
    input_pkt_queue: list = field(default_factory=list)  # netif_rx's backlog
    backlog: object = None                                # its NAPI instance (netif_rx.py)


@dataclass
class SoftirqState:
    pending: int = 0
    vec: list = field(default_factory=lambda: [None] * NR_SOFTIRQS)
    counts: list = field(default_factory=lambda: [0] * NR_SOFTIRQS)   # /proc/softirqs
    running: bool = False           # a __do_softirq is on the CPU
    idle_waiters: list = field(default_factory=list)
    ksoftirqd_running: bool = False
    ksoftirqd_wakeups: int = 0
    ksoftirqd_turns: int = 0
    sd: SoftnetData = field(default_factory=SoftnetData)
    hot: NetHotdata = field(default_factory=NetHotdata)


def _state() -> SoftirqState:
    k = current()
    st = getattr(k, "softirq", None)
    if st is None:
        st = k.softirq = SoftirqState()
        st.vec[NET_RX_SOFTIRQ] = net_rx_action       # net_dev_init()
    return st


def softnet_data() -> SoftnetData:
    return _state().sd


def net_hotdata() -> NetHotdata:
    return _state().hot


def open_softirq(nr: int, action) -> None:
    """Install ``async def action()`` for vector ``nr``."""
    _state().vec[nr] = action


def local_softirq_pending() -> int:
    return _state().pending


def __raise_softirq_irqoff(nr: int) -> None:
    _state().pending |= 1 << nr


def raise_softirq_irqoff(nr: int) -> None:
    __raise_softirq_irqoff(nr)
    if not in_interrupt():          # nobody on the way out of an interrupt will run it
        wakeup_softirqd()


def raise_softirq(nr: int) -> None:
    raise_softirq_irqoff(nr)


def wakeup_softirqd() -> None:
    st = _state()
    if st.ksoftirqd_running:
        return
    st.ksoftirqd_running = True
    if cpu_spawn(_ksoftirqd()) is None:
        st.ksoftirqd_running = False    # no scheduler: stays pending until do_softirq()
    else:
        st.ksoftirqd_wakeups += 1


async def _ksoftirqd() -> None:
    st = _state()
    try:
        await cpu_sleep(KSOFTIRQD_WAKEUP_NS)
        while st.pending:
            if st.running:              # the CPU is in a softirq already: let it finish
                ev = cpu_new_event()
                st.idle_waiters.append(ev)
                await ev.wait()
                continue
            st.ksoftirqd_turns += 1
            await __do_softirq()
            await cpu_sleep(KSOFTIRQD_RESCHED_NS)
    finally:
        st.ksoftirqd_running = False


async def __do_softirq() -> None:
    st, k = _state(), current()
    end = k.now_ns() + MAX_SOFTIRQ_TIME_NS
    restart = MAX_SOFTIRQ_RESTART
    st.running = True
    key = _preempt_add(SOFTIRQ_OFFSET)
    pending = 0
    try:
        while True:
            pending, st.pending = st.pending, 0
            for nr in range(NR_SOFTIRQS):
                if pending & (1 << nr):
                    pending &= ~(1 << nr)
                    st.counts[nr] += 1
                    if st.vec[nr] is not None:
                        await st.vec[nr]()
            if not st.pending:
                break
            restart -= 1
            if k.now_ns() >= end or not restart:
                wakeup_softirqd()
                break
    finally:
        st.pending |= pending           # vectors not reached when a handler raised
        _preempt_sub(key, SOFTIRQ_OFFSET)
        st.running = False
        _wake(st.idle_waiters)


async def do_softirq() -> None:
    """Run pending softirqs now, unless in interrupt context or the CPU already is."""
    st = _state()
    if in_interrupt() or st.running or not st.pending:
        return
    await __do_softirq()


async def invoke_softirq() -> None:
    """irq_exit(): the interrupted context was not a softirq, so run them here."""
    await do_softirq()


def local_bh_disable() -> None:
    _preempt_add(SOFTIRQ_DISABLE_OFFSET)


def local_bh_enable() -> None:
    if in_hardirq():
        raise kernel_bug("local_bh_enable", "WARN_ON_ONCE(in_hardirq()): bottom halves "
                         "enabled from hard-IRQ context")
    if softirq_count() < SOFTIRQ_DISABLE_OFFSET:
        raise kernel_bug("local_bh_enable", "unbalanced: no local_bh_disable() to undo")
    _preempt_sub(_task_key(), SOFTIRQ_DISABLE_OFFSET)
    if not in_interrupt() and _state().pending:
        wakeup_softirqd()


# --- NET_RX --------------------------------------------------------------------------

# napi.py's napi_poll, registered there at import (NAPI sits a layer up; in Linux net_rx_action
# and napi_poll are both net/core/dev.c).
_napi_hooks: dict = {}


def register_napi_poll(poll) -> None:
    _napi_hooks["poll"] = poll


async def net_rx_action() -> None:
    """Poll the scheduled NAPI instances within netdev_budget and netdev_budget_usecs."""
    st, k = _state(), current()
    sd = st.sd
    time_limit = k.now_ns() + st.hot.netdev_budget_usecs * 1000
    budget = st.hot.netdev_budget
    work, repoll = [], []
    done = False
    try:
        while True:                                  # start:
            sd.in_net_rx_action = True
            work += sd.poll_list
            sd.poll_list.clear()
            restart = False
            while True:
                if not work:
                    if not repoll:
                        sd.in_net_rx_action = False
                        # ____napi_schedule() did not raise while we ran: look again
                        restart = bool(sd.poll_list)
                        done = not restart
                    break
                n = work.pop(0)
                budget -= await _napi_hooks["poll"](n, repoll)
                if budget <= 0 or k.now_ns() >= time_limit:
                    sd.time_squeeze += 1
                    break
            if not restart:
                break
    finally:
        if not done:                                 # leftovers, new arrivals, then repolls
            sd.poll_list[:] = work + sd.poll_list + repoll
            if sd.poll_list:
                __raise_softirq_irqoff(NET_RX_SOFTIRQ)
            else:
                sd.in_net_rx_action = False


irq_exit_hooks.append(invoke_softirq)


# --- /proc ---------------------------------------------------------------------------

def show_softirqs() -> str:
    """/proc/softirqs (every softirq runs on CPU0 in this model)."""
    st, ncpu = _state(), _irq_state().nr_cpus
    lines = [" " * 20 + "".join(f"CPU{c:<8d}" for c in range(ncpu))]
    for nr, name in enumerate(softirq_to_name):
        lines.append(f"{name:>12s}:" + "".join(f" {st.counts[nr] if c == 0 else 0:10d}"
                                               for c in range(ncpu)))
    return "\n".join(lines)


def softnet_stat() -> str:
    """/proc/net/softnet_stat: processed, dropped, time_squeeze, ..., one line per CPU."""
    sd, ncpu = _state().sd, _irq_state().nr_cpus
    lines = []
    for c in range(ncpu):
        vals = (sd.processed, sd.dropped, sd.time_squeeze) if c == 0 else (0, 0, 0)
        lines.append(" ".join(f"{v:08x}" for v in (*vals, 0, 0, 0, 0, 0, 0, 0, 0, 0, c)))
    return "\n".join(lines)
