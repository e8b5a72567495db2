"""NAPI: struct napi_struct, scheduling and completion (net/core/dev.c), and the contract checks.

The poll function is ``async def poll(napi, budget) -> int`` (plain functions work too).  The
core polls it from net_rx_action (softirq.py) with ``napi.weight`` as budget, or with budget 0
from ``poll_one_napi`` (netpoll: TX completions only).  State bits are Linux's; the instance is
owned by whoever set SCHED: the poll until it completes, napi_disable() until napi_enable().

Violations of Documentation/networking/napi.rst (and of net/core/dev.c's own checks) raise
KernelBug with the rule number below (N1..N10, numbered here) and, where one exists, the
kernel's own message:
  N1  poll returned more than its budget (or a negative / non-int count)
  N2  poll returned the whole budget after napi_complete_done()
  N3  budget 0: RX work returned or counted, or napi_complete_done() called
  N4  device interrupt unmasked while the instance is scheduled     (napi_note_irq_unmask)
  N5  __napi_schedule from the handler with the device unmasked     (napi_note_irq_mask)
  N6  ring touched outside ownership / after napi_complete_done()   (napi_assert_owned)
  N8  RX over budget in one poll (napi_count_rx); TX reclaim bounded by the budget
      (napi_count_tx against napi_set_tx_probe's count of completions ready at poll start)
  N9  lifecycle: add twice, enable/disable twice (the documented deadlock), del while
      enabled, unmask while disabled, napi_disable with the device still unmasked
  N10 MISSED gives exactly one more poll (model invariant; stats.missed_repolls counts it)
N7 (lost wakeup) is a harness test: tb/harness/irq.py measures delivery latency.

The IRQ hooks are plain calls the driver makes next to its IMS/IMC writes; tracking starts at
the first call (``napi.irq_masked`` is None until then), so a driver without them is not checked
for N4/N5 and the N9 unmask rules.
"""

from dataclasses import dataclass

from .interrupt import _wake, cpu_new_event, in_hardirq, might_sleep, print_once
from .printk import kernel_bug, netdev_err, pr_warn
from .softirq import NET_RX_SOFTIRQ, raise_softirq_irqoff, register_napi_poll, softnet_data

NAPI_STATE_SCHED = 0            # poll is scheduled
NAPI_STATE_MISSED = 1           # reschedule a napi
NAPI_STATE_DISABLE = 2          # disable pending
NAPI_STATE_NPSVC = 3            # netpoll - don't dequeue from poll_list (here: disabled)
NAPI_STATE_LISTED = 4           # added to system lists
NAPI_STATE_NO_BUSY_POLL = 5
NAPI_STATE_IN_BUSY_POLL = 6
NAPI_STATE_PREFER_BUSY_POLL = 7
NAPI_STATE_THREADED = 8
NAPI_STATE_SCHED_THREADED = 9
_STATE_NAMES = ("SCHED", "MISSED", "DISABLE", "NPSVC", "LISTED", "NO_BUSY_POLL",
                "IN_BUSY_POLL", "PREFER_BUSY_POLL", "THREADED", "SCHED_THREADED")

NAPIF_STATE_SCHED = 1 << NAPI_STATE_SCHED
NAPIF_STATE_MISSED = 1 << NAPI_STATE_MISSED
NAPIF_STATE_DISABLE = 1 << NAPI_STATE_DISABLE
NAPIF_STATE_NPSVC = 1 << NAPI_STATE_NPSVC
NAPIF_STATE_LISTED = 1 << NAPI_STATE_LISTED
NAPIF_STATE_NO_BUSY_POLL = 1 << NAPI_STATE_NO_BUSY_POLL
NAPIF_STATE_IN_BUSY_POLL = 1 << NAPI_STATE_IN_BUSY_POLL
NAPIF_STATE_PREFER_BUSY_POLL = 1 << NAPI_STATE_PREFER_BUSY_POLL
NAPIF_STATE_THREADED = 1 << NAPI_STATE_THREADED
NAPIF_STATE_SCHED_THREADED = 1 << NAPI_STATE_SCHED_THREADED

NAPI_POLL_WEIGHT = 64


@dataclass
class NapiStats:
    """Per-instance counters (tests and ``make bench`` read them)."""
    schedules: int = 0          # put on the poll list
    polls: int = 0              # ->poll() calls from net_rx_action
    budget_exhausted: int = 0   # ... that returned the whole budget
    completions: int = 0        # napi_complete_done() returned true
    missed: int = 0             # MISSED set: an event arrived while scheduled
    missed_repolls: int = 0     # the extra poll each MISSED completion caused
    zero_budget_polls: int = 0  # poll_one_napi (netpoll) calls
    work: int = 0               # sum of the work the polls returned
    rx: int = 0                 # napi_count_rx()
    tx: int = 0                 # napi_count_tx()


class NapiStruct:
    """struct napi_struct (embed one per queue vector in the adapter)."""

    def __init__(self):
        self.dev = None
        self.poll = None
        self.weight = 0
        self.state = 0
        self.stats = NapiStats()
        self.on_poll_list = False        # !list_empty(&n->poll_list)
        self.in_poll = False
        self.poll_budget = None
        self.completed_in_poll = False   # napi_complete_done() called by this poll
        self.rx_in_poll = 0
        self.tx_in_poll = 0
        self.irq_masked = None           # the device IRQ, as the driver reports it
        self.missed_repoll_due = False
        self.tx_probe = None
        self.waiters = []                # napi_disable() sleepers

    def __repr__(self):
        return f"<napi {_poll_name(self)} {napi_state_str(self)}>"


def napi_state_str(n: NapiStruct) -> str:
    return "|".join(name for i, name in enumerate(_STATE_NAMES) if n.state & (1 << i)) or "0"


def _poll_name(n) -> str:
    return getattr(n.poll, "__name__", None) or repr(n.poll)


def _who(n) -> str:
    return n.dev.name if n.dev is not None else "backlog"


def _napi_list(dev) -> list:
    lst = getattr(dev, "napi_list", None)
    if lst is None:
        lst = dev.napi_list = []
    return lst


def _need_listed(n, fn: str) -> None:
    if not n.state & NAPIF_STATE_LISTED:
        raise kernel_bug("N9", f"{fn}() on a NAPI instance never added with netif_napi_add() "
                         "(or already deleted)")


# --- lifecycle --------------------------------------------------------------------------

def netif_napi_add_weight(dev, napi, poll, weight: int) -> NapiStruct:
    """Add ``napi`` (a NapiStruct, or None for a new one) to ``dev``, disabled. Returns it."""
    n = napi if napi is not None else NapiStruct()
    if n.state & NAPIF_STATE_LISTED:
        raise kernel_bug("N9", f"netif_napi_add: {_who(n)} NAPI instance added twice "
                         "(WARN_ON(test_and_set_bit(NAPI_STATE_LISTED)))")
    if weight > NAPI_POLL_WEIGHT and print_once("napi_weight"):
        netdev_err(dev, "netif_napi_add_weight() called with weight %d", weight)
    n.__init__()
    n.dev, n.poll, n.weight = dev, poll, weight
    # "Instances are added in a disabled state": SCHED|NPSVC is what napi_disable leaves.
    n.state = NAPIF_STATE_SCHED | NAPIF_STATE_NPSVC | NAPIF_STATE_LISTED
    if dev is not None:
        _napi_list(dev).append(n)
    return n


def netif_napi_add(dev, napi, poll, weight: int = NAPI_POLL_WEIGHT) -> NapiStruct:
    return netif_napi_add_weight(dev, napi, poll, weight)


def netif_napi_del(n: NapiStruct) -> None:
    if not n.state & NAPIF_STATE_LISTED:
        return
    if not n.state & NAPIF_STATE_NPSVC:
        raise kernel_bug("N9", f"netif_napi_del() on the enabled NAPI instance of {_who(n)} "
                         "(\"Make sure NAPI is disabled (or was never enabled)\"): napi_disable() first")
    _check_missed_repoll(n, "netif_napi_del")
    n.state &= ~NAPIF_STATE_LISTED
    if n.dev is not None and n in _napi_list(n.dev):
        _napi_list(n.dev).remove(n)
    sd = softnet_data()
    if n in sd.poll_list:
        sd.poll_list.remove(n)
    n.on_poll_list = False


def napi_enable(n: NapiStruct) -> None:
    _need_listed(n, "napi_enable")
    if not n.state & NAPIF_STATE_NPSVC:
        raise kernel_bug("N9", f"napi_enable() on the already enabled NAPI instance of {_who(n)}: "
                         "the control APIs are not idempotent (BUG_ON(!test_bit(NAPI_STATE_SCHED)))")
    n.state &= ~(NAPIF_STATE_SCHED | NAPIF_STATE_NPSVC | NAPIF_STATE_THREADED)


async def napi_disable(n: NapiStruct) -> None:
    """Wait for the instance to be released (an in-progress or scheduled poll), keep it."""
    might_sleep("napi_disable")
    _need_listed(n, "napi_disable")
    if n.state & (NAPIF_STATE_NPSVC | NAPIF_STATE_DISABLE):
        raise kernel_bug("N9", f"napi_disable() on the NAPI instance of {_who(n)}, which is "
                         "already disabled (or was never enabled): calling napi_disable() twice "
                         "in a row deadlocks (napi.rst: the control APIs are not idempotent)")
    if n.irq_masked is False:
        raise kernel_bug("N9", f"napi_disable() on {_who(n)} with the device interrupt unmasked: "
                         "teardown masks it and synchronize_irq()s first, then napi_disable()")
    n.state |= NAPIF_STATE_DISABLE
    try:
        while n.state & (NAPIF_STATE_SCHED | NAPIF_STATE_NPSVC):
            ev = cpu_new_event()
            n.waiters.append(ev)
            await ev.wait()
    except BaseException:
        n.state &= ~NAPIF_STATE_DISABLE
        raise
    _check_missed_repoll(n, "napi_disable")
    n.state |= NAPIF_STATE_SCHED | NAPIF_STATE_NPSVC
    n.state &= ~(NAPIF_STATE_DISABLE | NAPIF_STATE_THREADED | NAPIF_STATE_PREFER_BUSY_POLL)


def _check_missed_repoll(n, where: str) -> None:
    if n.missed_repoll_due:
        raise kernel_bug("N10", f"{_who(n)}: NAPI_STATE_MISSED rescheduled the instance but the "
                         f"extra poll never ran before {where}()")


# --- scheduling ---------------------------------------------------------------------------

def napi_is_scheduled(n: NapiStruct) -> bool:
    return bool(n.state & NAPIF_STATE_SCHED)


def napi_disable_pending(n: NapiStruct) -> bool:
    return bool(n.state & NAPIF_STATE_DISABLE)


def napi_schedule_prep(n: NapiStruct) -> bool:
    """Claim the instance: True if we set SCHED; False if disabled or already scheduled
    (then MISSED is set, so the owner polls once more)."""
    _need_listed(n, "napi_schedule_prep")
    val = n.state
    if val & NAPIF_STATE_DISABLE:
        return False
    new = val | NAPIF_STATE_SCHED
    if val & NAPIF_STATE_SCHED:
        new |= NAPIF_STATE_MISSED
        if not val & (NAPIF_STATE_MISSED | NAPIF_STATE_NPSVC):
            n.stats.missed += 1
    n.state = new
    return not val & NAPIF_STATE_SCHED


def napi_if_scheduled_mark_missed(n: NapiStruct) -> bool:
    val = n.state
    if val & NAPIF_STATE_DISABLE:
        return True
    if not val & NAPIF_STATE_SCHED:
        return False
    if not val & NAPIF_STATE_MISSED:
        n.stats.missed += 1
    n.state = val | NAPIF_STATE_MISSED
    return True


def ____napi_schedule(n: NapiStruct) -> None:
    sd = softnet_data()
    sd.poll_list.append(n)
    n.on_poll_list = True
    n.stats.schedules += 1
    if not sd.in_net_rx_action:     # net_rx_action looks at the list again before it ends
        raise_softirq_irqoff(NET_RX_SOFTIRQ)


def __napi_schedule(n: NapiStruct) -> None:
    """Queue an instance whose SCHED the caller set (napi_schedule_prep returned true)."""
    _need_listed(n, "__napi_schedule")
    if not n.state & NAPIF_STATE_SCHED:
        raise kernel_bug("__napi_schedule", f"{_who(n)}: NAPI_STATE_SCHED is clear: call it only "
                         "after napi_schedule_prep() returned true")
    if n.on_poll_list:
        raise kernel_bug("__napi_schedule", f"{_who(n)}: instance already on the poll list "
                         "(a second list_add_tail corrupts it): napi_schedule_prep() must succeed first")
    if in_hardirq() and n.irq_masked is False:
        raise kernel_bug("N5", f"{_who(n)}: __napi_schedule() from the interrupt handler with the "
                         "device interrupt unmasked: mask it first, then schedule "
                         "(napi.rst: \"schedule after masking to avoid races\")")
    ____napi_schedule(n)


__napi_schedule_irqoff = __napi_schedule


def napi_schedule(n: NapiStruct) -> bool:
    if napi_schedule_prep(n):
        __napi_schedule(n)
        return True
    return False


napi_schedule_irqoff = napi_schedule


# --- completion ---------------------------------------------------------------------------

def _complete(n: NapiStruct) -> bool:
    if n.state & (NAPIF_STATE_NPSVC | NAPIF_STATE_IN_BUSY_POLL):
        return False                # someone else polls it again
    val = n.state
    if not val & NAPIF_STATE_SCHED:
        raise kernel_bug("napi_complete_done", f"{_who(n)}: WARN_ON_ONCE(!(val & "
                         "NAPIF_STATE_SCHED)): the instance is not scheduled (completed twice?)")
    if n.on_poll_list:              # the driver rescheduled it during the poll
        softnet_data().poll_list.remove(n)
        n.on_poll_list = False
    new = val & ~(NAPIF_STATE_MISSED | NAPIF_STATE_SCHED)
    if val & NAPIF_STATE_MISSED:
        # "If STATE_MISSED was set, leave STATE_SCHED set, because we will call napi->poll()
        # one more time."
        n.state = new | NAPIF_STATE_SCHED
        n.missed_repoll_due = True
        ____napi_schedule(n)
        return False
    n.state = new
    n.stats.completions += 1
    _wake(n.waiters)
    return True


def napi_complete_done(n: NapiStruct, work_done: int) -> bool:
    """Release the instance; only when this returns true may the driver unmask its IRQ."""
    if not n.in_poll:
        raise kernel_bug("napi_complete_done", f"{_who(n)}: called outside {_poll_name(n)}(): "
                         "only the poll that owns the instance completes it")
    if n.poll_budget == 0:
        raise kernel_bug("N3", f"napi_complete_done() called from {_poll_name(n)} with a budget "
                         "of 0 (napi.rst: \"If the budget is 0 napi_complete_done() should never "
                         "be called.\")")
    n.completed_in_poll = True
    return _complete(n)


def napi_complete(n: NapiStruct) -> bool:
    return napi_complete_done(n, 0)


# --- driver hooks for the checks ------------------------------------------------------------

def napi_note_irq_mask(n: NapiStruct) -> None:
    """The driver masked the device interrupt (IMC written)."""
    n.irq_masked = True


def napi_note_irq_unmask(n: NapiStruct) -> None:
    """The driver is about to unmask the device interrupt (IMS): N4 / N9."""
    st = n.state
    if st & NAPIF_STATE_DISABLE:
        raise kernel_bug("N9", f"{_who(n)}: device interrupt unmasked while napi_disable() is in "
                         "progress: a poll must not re-enable it during teardown (check a down "
                         "flag first, as e1000 does with __E1000_DOWN)")
    if not st & NAPIF_STATE_LISTED or st & NAPIF_STATE_NPSVC:
        raise kernel_bug("N9", f"{_who(n)}: device interrupt unmasked while its NAPI instance is "
                         "disabled: napi_enable() comes before the unmask, napi_disable() after the mask")
    if st & NAPIF_STATE_SCHED:
        why = (" (napi_complete_done() returned false: it will be polled again)"
               if n.in_poll and n.completed_in_poll else
               " (from the poll, without napi_complete_done())" if n.in_poll else "")
        raise kernel_bug("N4", f"{_who(n)}: device interrupt unmasked while NAPI is scheduled"
                         f"{why}: unmask only after napi_complete_done() returned true")
    n.irq_masked = False


def napi_assert_owned(n: NapiStruct, what: str = "ring") -> None:
    """Ring accessors of the NAPI path call this: N6."""
    if in_hardirq():
        raise kernel_bug("N6", f"{_who(n)}: {what} touched from hard-IRQ context: ring processing "
                         "belongs in the NAPI poll")
    if n.in_poll and n.completed_in_poll:
        raise kernel_bug("N6", f"{_who(n)}: {what} touched by {_poll_name(n)} after "
                         "napi_complete_done() (napi.rst: \"drivers should avoid accessing any "
                         "data structures after calling napi_complete_done()\")")
    if not n.state & (NAPIF_STATE_SCHED | NAPIF_STATE_NPSVC):
        raise kernel_bug("N6", f"{_who(n)}: {what} touched while its NAPI instance is idle: "
                         "outside the poll (or a disabled instance) the ring is not yours")


def napi_count_rx(n: NapiStruct, count: int = 1) -> None:
    """``count`` RX packets handed to the stack (napi_gro_receive / netif_receive_skb)."""
    n.stats.rx += count
    if not n.in_poll:
        return
    n.rx_in_poll += count
    if n.poll_budget == 0:
        raise kernel_bug("N3", f"{_poll_name(n)} processed RX with a budget of 0 (the core only "
                         "wants TX completions)")
    if n.rx_in_poll > n.poll_budget:
        raise kernel_bug("N8", f"{_poll_name(n)} delivered {n.rx_in_poll} RX packets with a budget "
                         f"of {n.poll_budget}: RX processing must honour the budget")


def napi_count_tx(n: NapiStruct, count: int = 1) -> None:
    """``count`` TX completions reclaimed (napi_consume_skb / the driver's clean_tx)."""
    n.stats.tx += count
    if n.in_poll:
        n.tx_in_poll += count


def napi_set_tx_probe(n: NapiStruct, fn) -> None:
    """``fn()`` -> TX completions ready for reclaim now (the harness reads DD in host memory).
    With it, a poll that reclaims fewer than were ready at its start, and no more than its
    budget, is N8: TX reclaim bounded by the budget."""
    n.tx_probe = fn


# --- the core's poll -------------------------------------------------------------------------

async def _call_poll(n: NapiStruct, budget: int) -> int:
    n.in_poll, n.poll_budget = True, budget
    n.completed_in_poll, n.rx_in_poll, n.tx_in_poll = False, 0, 0
    if n.missed_repoll_due:
        n.missed_repoll_due = False
        n.stats.missed_repolls += 1
    tx_ready = n.tx_probe() if n.tx_probe is not None else None
    if budget:
        n.stats.polls += 1
    else:
        n.stats.zero_budget_polls += 1
    try:
        work = n.poll(n, budget)
        if hasattr(work, "__await__"):
            work = await work
    finally:
        n.in_poll = False
    _check_poll(n, budget, work, tx_ready)
    n.stats.work += work
    return work


def _check_poll(n, budget: int, work, tx_ready) -> None:
    name = _poll_name(n)
    if not isinstance(work, int) or isinstance(work, bool):
        raise kernel_bug("N1", f"NAPI poll function {name} returned {work!r}, not a work count.")
    if work > budget and budget:
        raise kernel_bug("N1", f"NAPI poll function {name} returned {work}, exceeding its budget "
                         f"of {budget}.")
    if work < 0:
        raise kernel_bug("N1", f"NAPI poll function {name} returned {work}, a negative work count.")
    if budget == 0 and work:
        raise kernel_bug("N3", f"{name} exceeded budget in poll (returned {work} with a budget of 0)")
    if budget and work == budget and n.completed_in_poll:
        raise kernel_bug("N2", f"{name} returned its whole budget of {budget} after calling "
                         "napi_complete_done(): drivers must not modify the NAPI state if they "
                         "consume the entire weight (return budget - 1, or do not complete)")
    if tx_ready and n.tx_in_poll < tx_ready and n.tx_in_poll <= budget:
        raise kernel_bug("N8", f"{name} reclaimed {n.tx_in_poll} of the {tx_ready} TX completions "
                         f"ready with a budget of {budget}: TX reclaim must not be bounded by the budget")


async def __napi_poll(n: NapiStruct):
    """One poll as the softirq does it: (work, repoll)."""
    weight = n.weight
    work = 0
    if n.state & NAPIF_STATE_SCHED:
        work = await _call_poll(n, weight)
    if work < weight:
        return work, False
    # Whole budget used: the core still owns the instance.
    n.stats.budget_exhausted += 1
    if n.state & NAPIF_STATE_DISABLE:
        _complete(n)
        return work, False
    if n.on_poll_list:
        if print_once(("napi_rescheduled", id(n))):
            pr_warn("%s: Budget exhausted after napi rescheduled", _who(n))
        return work, False
    return work, True


async def napi_poll(n: NapiStruct, repoll: list) -> int:
    """net_rx_action's step: poll ``n`` (already off the list); queue it on ``repoll`` if needed."""
    n.on_poll_list = False
    work, again = await __napi_poll(n)
    if again:
        repoll.append(n)
        n.on_poll_list = True
    return work


async def poll_one_napi(n: NapiStruct) -> int:
    """netpoll: poll with budget 0, i.e. TX completions only."""
    if n.state & NAPIF_STATE_NPSVC:
        return 0                    # disabled
    n.state |= NAPIF_STATE_NPSVC
    try:
        return await _call_poll(n, 0)
    finally:
        n.state &= ~NAPIF_STATE_NPSVC
        _wake(n.waiters)


register_napi_poll(napi_poll)
