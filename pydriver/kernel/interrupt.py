"""Hard interrupts: request_irq/free_irq, enable/disable depth, the flow handler, CPU context.

``generic_handle_irq(virq)`` is what the harness calls when the CPU takes an interrupt: it
plays the arch entry (irq_enter), the GIC's fasteoi flow handler (every action of a shared
line, kstat, note_interrupt, EOI) and irq_exit (pending softirqs run here, unless a softirq
is already running on the CPU, which then restarts and picks them up).

Context is per task (``preempt_count()`` with Linux's offsets): the harness's interrupt task
is in hard-IRQ context while the driver's other coroutines are not, as on another CPU.  What
"the current task" is, how to wait and how to start a task come from the CPU backend; the
default is asyncio (unit tests), tb/harness/irq.py installs cocotb's (``register_cpu_backend``).

Handlers are ``async def handler(irq, dev_id) -> IRQ_NONE | IRQ_HANDLED | IRQ_WAKE_THREAD``
(plain functions work too).  The irq_chip is the harness's: ``irq_set_chip(virq, chip)`` with
optional ``name``, ``irq_mask(desc)``, ``irq_unmask(desc)``, ``irq_eoi(desc)``,
``irq_set_type(desc, type)`` and ``irq_get_irqchip_state(desc, which)``; the kernel decides
masking, the chip only hears about it.

Model limits: free_irq() cannot wait (it is synchronous), so it refuses while a handler of
that line runs -- ``await synchronize_irq(irq)`` first, as teardown does anyway.
"""

import asyncio
import inspect
from dataclasses import dataclass, field

from .core import current, dev_name
from .devres import devm_remove_action, devres_add
from .errno import EBUSY, EINVAL, ENOMEM, KernelBug
from .fault_inject import should_fail
from .of import of_device_is_compatible
from .printk import KERN_EMERG, KERN_ERR, KERN_WARNING, kernel_bug, printk

# irq_exit()'s work, registered by softirq.py (a layer up) at import: async fn() (invoke_softirq).
irq_exit_hooks: list = []

IRQ_NONE = 0
IRQ_HANDLED = 1
IRQ_WAKE_THREAD = 2

IRQF_TRIGGER_NONE = 0x00
IRQF_TRIGGER_RISING = 0x01
IRQF_TRIGGER_FALLING = 0x02
IRQF_TRIGGER_HIGH = 0x04
IRQF_TRIGGER_LOW = 0x08
IRQF_TRIGGER_MASK = 0x0F
IRQF_SHARED = 0x80
IRQF_PROBE_SHARED = 0x100
IRQF_PERCPU = 0x400
IRQF_NOBALANCING = 0x800
IRQF_ONESHOT = 0x2000
IRQF_NO_SUSPEND = 0x4000
IRQF_NO_THREAD = 0x10000
IRQF_NO_AUTOEN = 0x80000

IRQ_TYPE_LEVEL_MASK = 0x0C      # IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW

# preempt_count layout (include/linux/preempt.h)
SOFTIRQ_OFFSET = 1 << 8
SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET
HARDIRQ_OFFSET = 1 << 16
SOFTIRQ_MASK = 0xFF << 8
HARDIRQ_MASK = 0xF << 16
NMI_MASK = 0xF << 20

IRQS_PENDING = 0x200            # desc->istate bits (kernel/irq/internals.h)
IRQS_SPURIOUS_DISABLED = 0x02

IRQCHIP_STATE_PENDING = 0       # enum irqchip_irq_state
IRQCHIP_STATE_ACTIVE = 1
IRQCHIP_STATE_MASKED = 2
IRQCHIP_STATE_LINE_LEVEL = 3
SYNC_POLL_NS = 10

NOBODY_CARED_COUNT = 100000     # kernel/irq/spurious.c: checked every 100000 interrupts,
NOBODY_CARED_UNHANDLED = 99900  # stuck when more than 99900 of them were unhandled
UNHANDLED_WINDOW_NS = 100_000_000   # HZ/10: an odd spurious IRQ resets the count


# --- the CPU backend and per-task context ------------------------------------------

def _asyncio_task():
    try:
        return asyncio.current_task()
    except RuntimeError:           # no running loop: plain synchronous caller
        return None


def _asyncio_spawn(coro):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()               # nobody to run it: pending softirqs wait for do_softirq()
        return None
    task = loop.create_task(coro)
    _irq_state().tasks.add(task)   # asyncio keeps only weak references
    task.add_done_callback(_irq_state().tasks.discard)
    return task


async def _asyncio_sleep(ns):
    await asyncio.sleep(0)         # unit tests have no simulated time to spend


@dataclass
class CpuBackend:
    current_task: object = _asyncio_task   # () -> hashable task identity, or None
    new_event: object = asyncio.Event      # () -> object with set() and awaitable wait()
    spawn: object = _asyncio_spawn         # (coro) -> task handle, or None if it cannot run
    sleep: object = _asyncio_sleep         # async (ns) -> None


@dataclass
class IrqState:
    """Per-kernel interrupt state (lives on current().irq)."""
    backend: CpuBackend = field(default_factory=CpuBackend)
    preempt: dict = field(default_factory=dict)     # task -> preempt_count
    tasks: set = field(default_factory=set)
    nr_cpus: int = 2                                # a Zynq-7000: two Cortex-A9
    irq_err_count: int = 0
    nobody_cared_count: int = NOBODY_CARED_COUNT
    nobody_cared_unhandled: int = NOBODY_CARED_UNHANDLED
    bad_irq_reports: int = 100                      # report_bad_irq()'s budget
    once: set = field(default_factory=set)


def _irq_state() -> IrqState:
    k = current()
    st = getattr(k, "irq", None)
    if st is None:
        st = k.irq = IrqState()
    return st


def register_cpu_backend(current_task=None, new_event=None, spawn=None, sleep=None) -> None:
    """Harness hook: how this simulation names tasks, waits, starts tasks and sleeps."""
    b = _irq_state().backend
    for name, fn in (("current_task", current_task), ("new_event", new_event),
                     ("spawn", spawn), ("sleep", sleep)):
        if fn is not None:
            setattr(b, name, fn)


def cpu_spawn(coro):
    return _irq_state().backend.spawn(coro)


def cpu_new_event():
    return _irq_state().backend.new_event()


async def cpu_sleep(ns: int) -> None:
    await _irq_state().backend.sleep(ns)


def print_once(key) -> bool:
    """True the first time ``key`` is seen by this kernel (printk_once / WARN_ONCE)."""
    once = _irq_state().once
    if key in once:
        return False
    once.add(key)
    return True


def _task_key():
    return _irq_state().backend.current_task()


def preempt_count() -> int:
    return _irq_state().preempt.get(_task_key(), 0)


def _preempt_add(val: int):
    st, key = _irq_state(), _task_key()
    st.preempt[key] = st.preempt.get(key, 0) + val
    return key


def _preempt_sub(key, val: int) -> None:
    st = _irq_state()
    n = st.preempt.get(key, 0) - val
    if n:
        st.preempt[key] = n
    else:
        st.preempt.pop(key, None)   # no entry for a task in plain process context


def hardirq_count() -> int:
    return preempt_count() & HARDIRQ_MASK


def softirq_count() -> int:
    return preempt_count() & SOFTIRQ_MASK


def in_hardirq() -> bool:
    return bool(hardirq_count())


in_irq = in_hardirq


def in_softirq() -> bool:
    """Serving a softirq or with bottom halves disabled."""
    return bool(softirq_count())


def in_serving_softirq() -> bool:
    return bool(softirq_count() & SOFTIRQ_OFFSET)


def in_interrupt() -> bool:
    return bool(preempt_count() & (HARDIRQ_MASK | SOFTIRQ_MASK | NMI_MASK))


def in_task() -> bool:
    return not (in_hardirq() or in_serving_softirq())


def in_atomic() -> bool:
    return preempt_count() != 0


def irqs_disabled() -> bool:
    return in_hardirq()            # handlers run with the CPU's interrupts off


def _context_name() -> str:
    if in_hardirq():
        return "hard-IRQ context"
    if in_serving_softirq():
        return "softirq context"
    if in_softirq():
        return "a bottom-half-disabled section"
    return "atomic context"


def might_sleep(where: str = "") -> None:
    """Called by anything that may sleep: a KernelBug from hard-IRQ, softirq or BH-off code."""
    if in_atomic() or irqs_disabled():
        raise kernel_bug("might_sleep", "sleeping function called from invalid context%s: "
                         "in_atomic(): %d, irqs_disabled(): %d (%s)"
                         % (f" at {where}" if where else "", int(in_atomic()),
                            int(irqs_disabled()), _context_name()))


def might_sleep_if(cond, where: str = "") -> None:
    if cond:
        might_sleep(where)


# --- descriptors and actions -------------------------------------------------------

@dataclass(eq=False)
class IrqAction:
    """struct irqaction."""
    handler: object
    thread_fn: object
    flags: int
    name: str
    dev_id: object
    irq: int
    next: object = None
    handled: int = 0       # this handler returned IRQ_HANDLED / IRQ_WAKE_THREAD
    unhandled: int = 0     # ... IRQ_NONE


class _IrqRuntime:
    """What struct irq_desc holds beyond the mapping: actions, depth, counters."""

    def __init__(self):
        self.actions = []
        self.depth = 1           # no action yet: shut down
        self.masked = True
        self.chip = None
        self.kstat = 0           # /proc/interrupts count (CPU0 takes every interrupt)
        self.in_progress = 0     # IRQD_IRQ_INPROGRESS
        self.threads_active = 0
        self.threads_oneshot = 0
        self.istate = 0
        self.irq_count = 0
        self.irqs_unhandled = 0
        self.last_unhandled = None
        self.waiters = []        # events of synchronize_irq() callers


def _desc(irq: int):
    return current().irq_descs.get(irq)


def _rt(desc) -> _IrqRuntime:
    rt = getattr(desc, "rt", None)
    if rt is None:
        rt = desc.rt = _IrqRuntime()
    return rt


def _name_of(fn) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _chip_call(desc, rt, op: str, *args) -> None:
    fn = getattr(rt.chip, op, None) if rt.chip is not None else None
    if fn is not None:
        fn(desc, *args)


def _update_mask(desc, rt) -> None:
    """Mask at the controller while disabled, shut down or held by a oneshot thread."""
    want = rt.depth > 0 or not rt.actions or rt.threads_oneshot > 0
    if want != rt.masked:
        rt.masked = want
        _chip_call(desc, rt, "irq_mask" if want else "irq_unmask")


def _wake(waiters: list) -> None:
    for ev in waiters:
        ev.set()
    waiters.clear()


def irq_set_chip(irq: int, chip) -> int:
    desc = _desc(irq)
    if desc is None:
        return -EINVAL
    _rt(desc).chip = chip
    return 0


def irq_set_irq_type(irq: int, type_: int) -> int:
    desc = _desc(irq)
    if desc is None:
        return -EINVAL
    desc.trigger_type = type_
    _chip_call(desc, _rt(desc), "irq_set_type", type_)
    return 0


def irqd_irq_disabled(irq: int) -> bool:
    desc = _desc(irq)
    return desc is None or _rt(desc).depth > 0


def irqd_irq_masked(irq: int) -> bool:
    """Masked at the controller: the CPU will not take this line now."""
    desc = _desc(irq)
    return desc is None or _rt(desc).masked


def irqd_is_level_type(irq: int) -> bool:
    desc = _desc(irq)
    return desc is not None and bool(desc.trigger_type & IRQ_TYPE_LEVEL_MASK)


def kstat_irqs(irq: int) -> int:
    desc = _desc(irq)
    return _rt(desc).kstat if desc is not None else 0


def irq_actions(irq: int) -> list:
    """The irqactions of a line, in request order (for_each_action_of_desc)."""
    desc = _desc(irq)
    return list(_rt(desc).actions) if desc is not None else []


# --- request / free ----------------------------------------------------------------

def request_threaded_irq(irq: int, handler, thread_fn, irqflags: int, devname: str,
                         dev_id) -> int:
    """0, or -EINVAL (bad arguments, no such irq) / -EBUSY (not shareable)."""
    might_sleep("request_threaded_irq")
    desc = _desc(irq)
    if desc is None:
        return -EINVAL
    if (irqflags & IRQF_SHARED) and dev_id is None:
        return -EINVAL
    if handler is None:
        if thread_fn is None:
            return -EINVAL
        if not irqflags & IRQF_ONESHOT:
            printk(KERN_ERR, "genirq: Threaded irq requested with handler=NULL and !ONESHOT "
                   "for %s (irq %d)", devname, irq)
            return -EINVAL
    if should_fail("failslab", 64):      # kzalloc(sizeof(struct irqaction))
        return -ENOMEM
    rt = _rt(desc)
    new = IrqAction(handler, thread_fn, irqflags, devname, dev_id, irq)
    if rt.actions:
        old = rt.actions[0]
        trig = IRQF_TRIGGER_MASK
        if (not (old.flags & new.flags & IRQF_SHARED)
                or ((old.flags ^ new.flags) & IRQF_ONESHOT)
                or (old.flags & trig and new.flags & trig and (old.flags ^ new.flags) & trig)):
            if not new.flags & IRQF_PROBE_SHARED:
                printk(KERN_ERR, "genirq: Flags mismatch irq %d. %08x (%s) vs. %08x (%s)",
                       irq, new.flags, devname, old.flags, old.name)
            return -EBUSY
        rt.actions[-1].next = new
    else:
        if irqflags & IRQF_TRIGGER_MASK:
            desc.trigger_type = irqflags & IRQF_TRIGGER_MASK
        rt.istate &= ~(IRQS_SPURIOUS_DISABLED | IRQS_PENDING)
        rt.irq_count = rt.irqs_unhandled = 0
        rt.depth = 1 if irqflags & IRQF_NO_AUTOEN else 0     # irq_startup()
    rt.actions.append(new)
    desc.action = rt.actions[0]
    _update_mask(desc, rt)
    return 0


def request_irq(irq: int, handler, flags: int, name: str, dev_id) -> int:
    return request_threaded_irq(irq, handler, None, flags, name, dev_id)


def free_irq(irq: int, dev_id):
    """Remove the action of ``dev_id``; returns its devname (None if the irq is unmapped)."""
    might_sleep("free_irq")
    desc = _desc(irq)
    if desc is None:
        return None
    rt = _rt(desc)
    action = next((a for a in rt.actions if a.dev_id is dev_id), None)
    if action is None:
        raise kernel_bug("free_irq", f"WARNING: Trying to free already-free IRQ {irq}")
    if rt.in_progress or rt.threads_active:
        raise kernel_bug("free_irq", f"IRQ {irq} handler still running: free_irq() waits for "
                         "it in Linux and cannot here; await synchronize_irq() first")
    i = rt.actions.index(action)
    rt.actions.pop(i)
    if i > 0:
        rt.actions[i - 1].next = action.next
    action.next = None
    desc.action = rt.actions[0] if rt.actions else None
    if not rt.actions:
        rt.depth = 1                                         # irq_shutdown()
    _update_mask(desc, rt)
    return action.name


def _devm_irq_release(irq, dev_id):
    free_irq(irq, dev_id)


def devm_request_threaded_irq(dev, irq: int, handler, thread_fn, irqflags: int,
                              devname, dev_id) -> int:
    ret = request_threaded_irq(irq, handler, thread_fn, irqflags,
                               devname if devname is not None else dev_name(dev), dev_id)
    if ret == 0:
        devres_add(dev, _devm_irq_release, irq, dev_id, name="devm_irq_release")
    return ret


def devm_request_irq(dev, irq: int, handler, irqflags: int, devname, dev_id) -> int:
    """request_irq undone by free_irq when ``dev``'s driver unbinds."""
    return devm_request_threaded_irq(dev, irq, handler, None, irqflags, devname, dev_id)


def devm_free_irq(dev, irq: int, dev_id) -> None:
    devm_remove_action(dev, _devm_irq_release, irq, dev_id)
    free_irq(irq, dev_id)


# --- enable / disable / synchronize -------------------------------------------------

def disable_irq_nosync(irq: int) -> None:
    desc = _desc(irq)
    if desc is None:
        return
    rt = _rt(desc)
    rt.depth += 1
    _update_mask(desc, rt)


def _chip_active(desc, rt) -> bool:
    fn = getattr(rt.chip, "irq_get_irqchip_state", None) if rt.chip is not None else None
    return bool(fn(desc, IRQCHIP_STATE_ACTIVE)) if fn is not None else False


async def synchronize_irq(irq: int) -> None:
    """Wait until no handler (or irq thread) of ``irq`` runs and the CPU holds no interrupt
    of it in flight (acknowledged at the chip, handler not entered yet)."""
    might_sleep("synchronize_irq")
    desc = _desc(irq)
    if desc is None:
        return
    rt = _rt(desc)
    while True:
        if rt.in_progress or rt.threads_active:
            ev = cpu_new_event()
            rt.waiters.append(ev)
            await ev.wait()
        elif _chip_active(desc, rt):
            await cpu_sleep(SYNC_POLL_NS)    # __synchronize_hardirq spins on the chip state
        else:
            return


async def disable_irq(irq: int) -> None:
    """disable_irq_nosync + synchronize_irq: no handler runs when this returns."""
    might_sleep("disable_irq")
    disable_irq_nosync(irq)
    await synchronize_irq(irq)


def enable_irq(irq: int) -> None:
    desc = _desc(irq)
    if desc is None:
        return
    rt = _rt(desc)
    if not rt.actions:
        raise kernel_bug("enable_irq", f"enable_irq before setup/request_irq: irq {irq}")
    if rt.depth == 0:
        raise kernel_bug("enable_irq", f"WARNING: Unbalanced enable for IRQ {irq}")
    rt.depth -= 1
    _update_mask(desc, rt)


# --- the flow handler ---------------------------------------------------------------

def _bad_ret(ret) -> bool:
    return not isinstance(ret, int) or isinstance(ret, bool) or not 0 <= ret <= 3


def _report_bad_irq(desc, rt, ret) -> None:
    st = _irq_state()
    if st.bad_irq_reports <= 0:
        return
    st.bad_irq_reports -= 1
    if _bad_ret(ret):
        printk(KERN_ERR, "irq event %d: bogus return value %s", desc.irq,
               f"{ret:x}" if isinstance(ret, int) else repr(ret))
    else:
        printk(KERN_ERR, 'irq %d: nobody cared (try booting with the "irqpoll" option)', desc.irq)
    printk(KERN_ERR, "handlers:")
    for a in rt.actions:
        printk(KERN_ERR, "[<%s>] %s%s", a.name, _name_of(a.handler),
               f" threaded [<{a.name}>] {_name_of(a.thread_fn)}" if a.thread_fn else "")


def _record_bug(rule: str, message: str) -> None:
    # Found in interrupt context: keep it for the harness instead of raising at the CPU.
    current().bugs.append(KernelBug(rule, message))


def note_interrupt(desc, action_ret) -> None:
    """kernel/irq/spurious.c: count unhandled interrupts; disable a stuck line."""
    rt, st = _rt(desc), _irq_state()
    if _bad_ret(action_ret):
        _report_bad_irq(desc, rt, action_ret)
        _record_bug("note_interrupt", f"irq event {desc.irq}: bogus return value {action_ret!r} "
                    "(a handler must return IRQ_NONE, IRQ_HANDLED or IRQ_WAKE_THREAD)")
        return
    now = current().now_ns()
    if action_ret == IRQ_NONE:
        if rt.last_unhandled is None or now - rt.last_unhandled > UNHANDLED_WINDOW_NS:
            rt.irqs_unhandled = 1
        else:
            rt.irqs_unhandled += 1
        rt.last_unhandled = now
    rt.irq_count += 1
    if rt.irq_count < st.nobody_cared_count:
        return
    rt.irq_count = 0
    if rt.irqs_unhandled > st.nobody_cared_unhandled:
        _report_bad_irq(desc, rt, action_ret)
        printk(KERN_EMERG, "Disabling IRQ #%d", desc.irq)
        _record_bug("note_interrupt", f"irq {desc.irq}: nobody cared (level line asserted, "
                    "every handler returned IRQ_NONE); IRQ disabled")
        rt.istate |= IRQS_SPURIOUS_DISABLED
        rt.depth += 1
        _update_mask(desc, rt)
    rt.irqs_unhandled = 0


async def _call(fn, *args):
    ret = fn(*args)
    if inspect.isawaitable(ret):
        ret = await ret
    return ret


async def _irq_thread(desc, rt, action) -> None:
    try:
        await _call(action.thread_fn, desc.irq, action.dev_id)
    finally:
        rt.threads_active -= 1
        if action.flags & IRQF_ONESHOT:
            rt.threads_oneshot -= 1          # irq_finalize_oneshot(): unmask
            _update_mask(desc, rt)
        if not rt.in_progress and not rt.threads_active:
            _wake(rt.waiters)


def _wake_thread(desc, rt, action) -> None:
    rt.threads_active += 1
    if action.flags & IRQF_ONESHOT:
        rt.threads_oneshot += 1              # stays masked until the thread ran
        _update_mask(desc, rt)
    if cpu_spawn(_irq_thread(desc, rt, action)) is None:
        printk(KERN_WARNING, "irq %d: no task to run thread of %s", desc.irq, action.name)


_NOTHING = object()


async def _handle_irq_event(desc, rt):
    retval, bogus = IRQ_NONE, _NOTHING       # None is a bogus value, so not the sentinel
    for action in list(rt.actions):
        if action.handler is None:           # irq_default_primary_handler
            res = IRQ_WAKE_THREAD
        else:
            res = await _call(action.handler, desc.irq, action.dev_id)
        if _bad_ret(res):
            bogus = res                      # note_interrupt reports it
            continue
        if res == IRQ_WAKE_THREAD:
            if action.thread_fn is None:
                printk(KERN_WARNING, "IRQ %d device %s returned IRQ_WAKE_THREAD but no thread "
                       "function available.", desc.irq, action.name)
                res = IRQ_NONE
            else:
                _wake_thread(desc, rt, action)
        if res:
            action.handled += 1
        else:
            action.unhandled += 1
        retval |= res
    return retval if bogus is _NOTHING else bogus


async def _handle_fasteoi_irq(desc, rt) -> None:
    try:
        if rt.in_progress:                   # !irq_may_run(): the level fires again later
            return
        if not rt.actions or rt.depth > 0:
            rt.istate |= IRQS_PENDING
            return
        rt.kstat += 1
        rt.in_progress += 1
        try:
            note_interrupt(desc, await _handle_irq_event(desc, rt))
        finally:
            rt.in_progress -= 1
            if not rt.threads_active:
                _wake(rt.waiters)
    finally:
        _chip_call(desc, rt, "irq_eoi")


async def generic_handle_irq(irq: int) -> int:
    """The CPU took interrupt ``irq``: hard-IRQ handlers, EOI, then pending softirqs."""
    desc = _desc(irq)
    if desc is None:
        _irq_state().irq_err_count += 1
        return -EINVAL
    key = _preempt_add(HARDIRQ_OFFSET)       # irq_enter()
    try:
        await _handle_fasteoi_irq(desc, _rt(desc))
    finally:
        _preempt_sub(key, HARDIRQ_OFFSET)
    for hook in irq_exit_hooks:              # irq_exit(): invoke_softirq
        await hook()
    return 0


# --- /proc/interrupts ---------------------------------------------------------------

def _chip_name(desc, rt) -> str:
    name = getattr(rt.chip, "name", None) if rt.chip is not None else None
    if name:
        return name
    dom = desc.domain
    if dom is not None and any(of_device_is_compatible(dom, c) for c in
                               ("arm,cortex-a9-gic", "arm,cortex-a15-gic", "arm,gic-400")):
        return "GIC-0"
    return getattr(dom, "name", None) or "-"


def show_interrupts() -> str:
    """/proc/interrupts: lines that have an action or a count, then Err."""
    st, descs = _irq_state(), current().irq_descs
    prec, j = 3, 1000
    while j <= max(descs, default=0) + 1 and prec < 10:
        prec, j = prec + 1, j * 10
    lines = [" " * (prec + 8) + "".join(f"CPU{c:<8d}" for c in range(st.nr_cpus))]
    for irq in sorted(descs):
        desc = descs[irq]
        rt = _rt(desc)
        if not rt.actions and not rt.kstat:
            continue
        row = f"{irq:{prec}d}: " + "".join(f"{rt.kstat if c == 0 else 0:10d} "
                                           for c in range(st.nr_cpus))
        row += f" {_chip_name(desc, rt):>8s} {desc.hwirq:{prec}d}"
        row += f" {'Level' if desc.trigger_type & IRQ_TYPE_LEVEL_MASK else 'Edge':<8s}"
        if rt.actions:
            row += "  " + ", ".join(a.name for a in rt.actions)
        lines.append(row)
    lines.append(f"{'Err':>{prec}s}: {st.irq_err_count:10d}")
    return "\n".join(lines)
