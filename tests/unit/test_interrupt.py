"""Hard interrupts: request/free, shared lines, depth, synchronize_irq, context, note_interrupt,
/proc/interrupts, softirq plumbing, and tb/harness/irq.py's line logic on a fake (asyncio) cocotb."""

import asyncio

import pytest

from pydriver.kernel import KernelBug, current
from pydriver.kernel import interrupt as I
from pydriver.kernel import softirq as S
from pydriver.kernel.core import Device
from pydriver.kernel.errno import EBUSY, EINVAL
from pydriver.kernel.of import IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, DeviceNode, irq_create_mapping
from pydriver.kernel.printk import dmesg


def gic():
    root = DeviceNode("/")
    node = DeviceNode("interrupt-controller@f8f01000", root)
    node.properties["compatible"] = b"arm,cortex-a9-gic\0"
    return node


@pytest.fixture
def virq(clock):
    return irq_create_mapping(gic(), 61, IRQ_TYPE_LEVEL_HIGH)   # <GIC_SPI 29 LEVEL_HIGH>


def run(coro):
    return asyncio.run(coro)


def handler_returning(ret, calls=None):
    async def handler(irq, dev_id):
        if calls is not None:
            calls.append((irq, dev_id, I.in_irq()))
        return ret
    return handler


# --- request / free -----------------------------------------------------------------

def test_irq_request_runs_handler_in_hardirq_context(virq):
    calls = []
    assert I.request_irq(virq, handler_returning(I.IRQ_HANDLED, calls), 0, "ringnic", "dev") == 0
    assert not I.irqd_irq_masked(virq)
    assert run(I.generic_handle_irq(virq)) == 0
    assert calls == [(virq, "dev", True)]
    assert I.kstat_irqs(virq) == 1
    assert not I.in_irq() and I.preempt_count() == 0        # irq_exit undid irq_enter


def test_irq_request_argument_checks(virq):
    h = handler_returning(I.IRQ_HANDLED)
    assert I.request_irq(999, h, 0, "x", "d") == -EINVAL                 # not mapped
    assert I.request_irq(virq, h, I.IRQF_SHARED, "x", None) == -EINVAL   # shared needs dev_id
    assert I.request_irq(virq, None, 0, "x", "d") == -EINVAL
    assert I.request_threaded_irq(virq, None, h, 0, "x", "d") == -EINVAL
    assert "Threaded irq requested with handler=NULL and !ONESHOT for x (irq 16)" in dmesg()[-1]


def test_irq_flags_mismatch_is_ebusy(virq):
    h = handler_returning(I.IRQ_HANDLED)
    assert I.request_irq(virq, h, I.IRQF_SHARED, "a", "d1") == 0
    assert I.request_irq(virq, h, 0, "b", "d2") == -EBUSY
    assert dmesg()[-1].endswith("genirq: Flags mismatch irq 16. 00000000 (b) vs. 00000080 (a)")
    assert I.request_irq(virq, h, I.IRQF_SHARED | I.IRQF_ONESHOT, "c", "d3") == -EBUSY


def test_irq_shared_line_with_irq_none_from_one_handler(virq):
    a, b = [], []
    assert I.request_irq(virq, handler_returning(I.IRQ_NONE, a), I.IRQF_SHARED, "other", "A") == 0
    assert I.request_irq(virq, handler_returning(I.IRQ_HANDLED, b), I.IRQF_SHARED, "ringnic", "B") == 0
    for _ in range(3):
        run(I.generic_handle_irq(virq))
    assert len(a) == len(b) == 3                            # every action of a shared line runs
    other, ours = I.irq_actions(virq)
    assert (other.unhandled, ours.handled) == (3, 3)
    assert current().bugs == []                             # handled by someone: not spurious
    assert I.free_irq(virq, "A") == "other"
    assert [x.name for x in I.irq_actions(virq)] == ["ringnic"]
    assert current().irq_descs[virq].action is ours and ours.next is None


def test_irq_free_never_requested_warns(virq):
    with pytest.raises(KernelBug, match="Trying to free already-free IRQ 16") as e:
        I.free_irq(virq, "nobody")
    assert e.value.rule == "free_irq"
    I.request_irq(virq, handler_returning(I.IRQ_HANDLED), 0, "ringnic", "d")
    assert I.free_irq(virq, "d") == "ringnic"
    assert I.irqd_irq_masked(virq)                          # last action gone: shut down
    with pytest.raises(KernelBug, match="already-free IRQ 16"):
        I.free_irq(virq, "d")


def test_irq_devm_request_is_freed_at_unbind(virq):
    from pydriver.kernel.devres import devres_release_all
    dev = Device("43c00000.ethernet", bus="platform")
    assert I.devm_request_irq(dev, virq, handler_returning(I.IRQ_HANDLED), 0, None, "d") == 0
    assert I.irq_actions(virq)[0].name == "43c00000.ethernet"   # devname defaults to dev_name
    run(devres_release_all(dev))
    assert I.irq_actions(virq) == []


def test_irq_free_refuses_while_handler_runs(virq):
    async def main():
        gate = asyncio.Event()

        async def slow(irq, dev_id):
            await gate.wait()
            return I.IRQ_HANDLED
        I.request_irq(virq, slow, 0, "ringnic", "d")
        t = asyncio.create_task(I.generic_handle_irq(virq))
        await asyncio.sleep(0)
        with pytest.raises(KernelBug, match="await synchronize_irq"):
            I.free_irq(virq, "d")
        gate.set()
        await I.synchronize_irq(virq)
        assert I.free_irq(virq, "d") == "ringnic"
        await t
    run(main())


# --- disable / enable / synchronize --------------------------------------------------

def test_irq_disable_enable_depth(virq):
    calls = []
    I.request_irq(virq, handler_returning(I.IRQ_HANDLED, calls), 0, "ringnic", "d")
    I.disable_irq_nosync(virq)
    run(I.disable_irq(virq))                                # depth 2
    assert I.irqd_irq_disabled(virq) and I.irqd_irq_masked(virq)
    run(I.generic_handle_irq(virq))                         # taken anyway: flow handler drops it
    assert calls == [] and I.kstat_irqs(virq) == 0
    I.enable_irq(virq)
    assert I.irqd_irq_disabled(virq)                        # still depth 1
    I.enable_irq(virq)
    assert not I.irqd_irq_masked(virq)
    run(I.generic_handle_irq(virq))
    assert len(calls) == 1
    with pytest.raises(KernelBug, match="Unbalanced enable for IRQ 16") as e:
        I.enable_irq(virq)
    assert e.value.rule == "enable_irq"


def test_irq_no_autoen_starts_disabled(virq):
    I.request_irq(virq, handler_returning(I.IRQ_HANDLED), I.IRQF_NO_AUTOEN, "ringnic", "d")
    assert I.irqd_irq_disabled(virq)
    I.enable_irq(virq)
    assert not I.irqd_irq_disabled(virq)


def test_irq_synchronize_waits_for_running_handler(virq):
    async def main():
        gate, order = asyncio.Event(), []

        async def slow(irq, dev_id):
            order.append("handler start")
            await gate.wait()
            order.append("handler end")
            return I.IRQ_HANDLED
        I.request_irq(virq, slow, 0, "ringnic", "d")
        hard = asyncio.create_task(I.generic_handle_irq(virq))
        await asyncio.sleep(0)

        async def sync():
            await I.synchronize_irq(virq)
            order.append("synchronized")
        waiter = asyncio.create_task(sync())
        for _ in range(5):
            await asyncio.sleep(0)
        assert order == ["handler start"]
        gate.set()
        await asyncio.gather(hard, waiter)
        assert order == ["handler start", "handler end", "synchronized"]
    run(main())


def test_irq_synchronize_from_own_handler_is_a_bug(virq):
    async def handler(irq, dev_id):
        await I.synchronize_irq(irq)
        return I.IRQ_HANDLED
    I.request_irq(virq, handler, 0, "ringnic", "d")
    with pytest.raises(KernelBug, match="might_sleep: sleeping function called from invalid "
                                        "context at synchronize_irq"):
        run(I.generic_handle_irq(virq))
    assert I.preempt_count() == 0


# --- context --------------------------------------------------------------------------

def test_irq_might_sleep_from_hardirq_is_a_bug(virq):
    seen = {}

    async def handler(irq, dev_id):
        seen.update(irq=I.in_irq(), intr=I.in_interrupt(), task=I.in_task(),
                    atomic=I.in_atomic(), off=I.irqs_disabled())
        I.might_sleep("dma_free_coherent")
        return I.IRQ_HANDLED
    I.request_irq(virq, handler, 0, "ringnic", "d")
    with pytest.raises(KernelBug) as e:
        run(I.generic_handle_irq(virq))
    assert e.value.rule == "might_sleep"
    assert "at dma_free_coherent" in str(e.value) and "hard-IRQ context" in str(e.value)
    assert seen == dict(irq=True, intr=True, task=False, atomic=True, off=True)
    assert e.value in current().bugs
    I.might_sleep("process context")                        # fine outside


def test_irq_context_is_per_task(virq):
    async def main():
        gate, seen = asyncio.Event(), []

        async def handler(irq, dev_id):
            await gate.wait()
            return I.IRQ_HANDLED

        async def process():
            seen.append((I.in_interrupt(), I.in_task()))
            I.might_sleep("kmalloc(GFP_KERNEL)")
        I.request_irq(virq, handler, 0, "ringnic", "d")
        hard = asyncio.create_task(I.generic_handle_irq(virq))
        await asyncio.sleep(0)                              # the handler is mid-way
        await asyncio.create_task(process())                # another CPU: process context
        gate.set()
        await hard
        assert seen == [(False, True)]
    run(main())


def test_irq_bh_disable_is_atomic_and_balanced(clock):
    S.local_bh_disable()
    assert I.in_softirq() and not I.in_serving_softirq() and I.in_interrupt()
    with pytest.raises(KernelBug, match="BH|bottom-half"):
        I.might_sleep("mutex_lock")
    S.local_bh_enable()
    assert I.preempt_count() == 0
    with pytest.raises(KernelBug, match="unbalanced"):
        S.local_bh_enable()


# --- note_interrupt ---------------------------------------------------------------------

def test_irq_nobody_cared_disables_the_line(virq):
    st = I._irq_state()
    st.nobody_cared_count, st.nobody_cared_unhandled = 100, 99   # Linux: 100000 / 99900
    calls = []
    I.request_irq(virq, handler_returning(I.IRQ_NONE, calls), I.IRQF_SHARED, "ringnic", "d")
    for _ in range(99):
        run(I.generic_handle_irq(virq))
    assert not I.irqd_irq_disabled(virq) and current().bugs == []
    run(I.generic_handle_irq(virq))
    log = dmesg()
    assert 'irq 16: nobody cared (try booting with the "irqpoll" option)' in log[-4]
    assert log[-3].endswith("handlers:")
    assert log[-2].endswith("handler_returning.<locals>.handler")
    assert log[-1].endswith("Disabling IRQ #16")
    assert I.irqd_irq_disabled(virq) and I.irqd_irq_masked(virq)
    assert [b.rule for b in current().bugs] == ["note_interrupt"]
    run(I.generic_handle_irq(virq))                         # masked line: not delivered
    assert len(calls) == 100


def test_irq_odd_spurious_interrupt_is_forgiven(virq, clock):
    st = I._irq_state()
    st.nobody_cared_count, st.nobody_cared_unhandled = 10, 5
    flip = iter([I.IRQ_NONE, I.IRQ_HANDLED] * 20)

    async def handler(irq, dev_id):
        return next(flip)
    I.request_irq(virq, handler, 0, "ringnic", "d")
    for _ in range(30):
        clock.ns += 200_000_000                             # > HZ/10 apart: count restarts at 1
        run(I.generic_handle_irq(virq))
    assert not I.irqd_irq_disabled(virq) and current().bugs == []


def test_irq_bogus_return_value_is_reported(virq):
    async def forgot_return(irq, dev_id):
        pass
    I.request_irq(virq, forgot_return, 0, "ringnic", "d")
    run(I.generic_handle_irq(virq))
    assert any("irq event 16: bogus return value None" in line for line in dmesg())
    assert current().bugs[-1].rule == "note_interrupt"


def test_irq_threaded_handler_runs_in_process_context_oneshot(virq):
    async def main():
        seen = []

        async def thread_fn(irq, dev_id):
            seen.append((I.in_task(), I.irqd_irq_masked(irq)))
            return I.IRQ_HANDLED
        assert I.request_threaded_irq(virq, None, thread_fn, I.IRQF_ONESHOT, "ringnic", "d") == 0
        await I.generic_handle_irq(virq)
        assert I.irqd_irq_masked(virq)                      # oneshot: masked until the thread ran
        await I.synchronize_irq(virq)
        assert seen == [(True, True)] and not I.irqd_irq_masked(virq)
    run(main())


def test_irq_wake_thread_without_thread_fn_warns(virq):
    I.request_irq(virq, handler_returning(I.IRQ_WAKE_THREAD), 0, "ringnic", "d")
    run(I.generic_handle_irq(virq))
    assert dmesg()[-1].endswith("IRQ 16 device ringnic returned IRQ_WAKE_THREAD but no thread "
                                "function available.")


# --- chip, /proc/interrupts -------------------------------------------------------------

class Chip:
    name = "GIC-0"

    def __init__(self):
        self.ops = []

    def irq_mask(self, desc):
        self.ops.append("mask")

    def irq_unmask(self, desc):
        self.ops.append("unmask")

    def irq_eoi(self, desc):
        self.ops.append("eoi")


def test_irq_chip_hears_mask_unmask_and_eoi(virq):
    chip = Chip()
    I.irq_set_chip(virq, chip)
    I.request_irq(virq, handler_returning(I.IRQ_HANDLED), 0, "ringnic", "d")
    run(I.generic_handle_irq(virq))
    I.disable_irq_nosync(virq)
    run(I.generic_handle_irq(virq))                         # disabled: still EOI'd
    I.enable_irq(virq)
    I.free_irq(virq, "d")
    assert chip.ops == ["unmask", "eoi", "mask", "eoi", "unmask", "mask"]


def test_irq_synchronize_waits_for_an_interrupt_in_flight(virq):
    class InFlight(Chip):
        polls = 3                                           # acknowledged, handler not entered yet

        def irq_get_irqchip_state(self, desc, which):
            assert which == I.IRQCHIP_STATE_ACTIVE
            self.polls -= 1
            return self.polls > 0
    chip = InFlight()
    I.irq_set_chip(virq, chip)
    run(I.synchronize_irq(virq))
    assert chip.polls == 0


def test_irq_show_interrupts_format(virq):
    I.request_irq(virq, handler_returning(I.IRQ_HANDLED), I.IRQF_SHARED, "ringnic", "d")
    for _ in range(5):
        run(I.generic_handle_irq(virq))
    edge = irq_create_mapping(current().irq_descs[virq].domain, 62, IRQ_TYPE_EDGE_RISING)
    I.request_irq(edge, handler_returning(I.IRQ_HANDLED), I.IRQF_SHARED, "a", "x")
    I.request_irq(edge, handler_returning(I.IRQ_HANDLED), I.IRQF_SHARED, "b", "y")
    assert I.show_interrupts().split("\n") == [
        "           CPU0       CPU1       ",
        " 16:          5          0     GIC-0  61 Level     ringnic",
        " 17:          0          0     GIC-0  62 Edge      a, b",
        "Err:          0",
    ]
    assert run(I.generic_handle_irq(123)) == -EINVAL
    assert I.show_interrupts().endswith("Err:          1")


# --- softirq ------------------------------------------------------------------------------

def test_irq_softirq_raised_in_hardirq_runs_at_irq_exit(virq):
    ran = []

    async def tasklet_action():
        ran.append((I.in_serving_softirq(), I.in_irq()))
    S.open_softirq(S.TASKLET_SOFTIRQ, tasklet_action)

    async def handler(irq, dev_id):
        S.raise_softirq(S.TASKLET_SOFTIRQ)
        assert ran == []                                    # not before irq_exit
        return I.IRQ_HANDLED
    I.request_irq(virq, handler, 0, "ringnic", "d")
    run(I.generic_handle_irq(virq))
    assert ran == [(True, False)]
    assert "     TASKLET:          1          0" in S.show_softirqs().split("\n")


def test_irq_softirq_raised_in_process_context_wakes_ksoftirqd(clock):
    ran = []

    async def action():
        ran.append(I.in_serving_softirq())
    S.open_softirq(S.TASKLET_SOFTIRQ, action)

    async def main():
        S.raise_softirq(S.TASKLET_SOFTIRQ)
        assert ran == [] and S._state().ksoftirqd_running
        for _ in range(5):
            await asyncio.sleep(0)
        assert ran == [True] and not S._state().ksoftirqd_running
    run(main())
    assert S._state().ksoftirqd_wakeups == 1


def test_irq_bh_enable_hands_pending_softirqs_to_ksoftirqd(clock):
    ran = []

    async def action():
        ran.append(1)
    S.open_softirq(S.TASKLET_SOFTIRQ, action)

    async def main():
        S.local_bh_disable()
        S.raise_softirq(S.TASKLET_SOFTIRQ)                  # in_interrupt(): nobody woken
        assert not S._state().ksoftirqd_running
        S.local_bh_enable()
        assert S._state().ksoftirqd_running
        while S._state().ksoftirqd_running:
            await asyncio.sleep(0)
        assert ran == [1]
    run(main())


def test_irq_softirq_restart_is_bounded(clock):
    turns = []

    async def action():                                     # re-raises itself forever
        turns.append(1)
        S.raise_softirq(S.TASKLET_SOFTIRQ)
    S.open_softirq(S.TASKLET_SOFTIRQ, action)
    S.__raise_softirq_irqoff(S.TASKLET_SOFTIRQ)
    run(S.do_softirq())                                     # no running loop after: stays pending
    assert len(turns) == S.MAX_SOFTIRQ_RESTART
    assert S.local_softirq_pending() == 1 << S.TASKLET_SOFTIRQ


# --- tb/harness/irq.py on a fake cocotb -----------------------------------------------------------

class FakeSignal:
    def __init__(self):
        self.value = 0
        self.rise = asyncio.Event()

    def set(self, v):
        if v and not self.value:
            self.rise.set()
        self.value = v


class FakeTrigger:
    def __init__(self, coro_fn):
        self.coro_fn = coro_fn


def fake_cocotb(monkeypatch, sig):
    import tb.harness.irq as T

    class Event(asyncio.Event):
        def wait(self):
            return FakeTrigger(super().wait)

    async def first(*trigs):
        tasks = {asyncio.ensure_future(t.coro_fn()): t for t in trigs}
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for p in pending:
            p.cancel()
        return tasks[done.pop()]

    edge = FakeTrigger(None)

    async def rise():
        sig.rise.clear()
        await sig.rise.wait()
    edge.coro_fn = rise
    spawned = []

    def start_soon(coro):
        t = asyncio.ensure_future(coro)
        spawned.append(t)
        return t

    async def sleep(ns):
        for _ in range(3):
            await asyncio.sleep(0)
    monkeypatch.setattr(T, "Event", Event)
    monkeypatch.setattr(T, "First", first)
    monkeypatch.setattr(T, "RisingEdge", lambda s: edge)
    monkeypatch.setattr(T, "_sleep", sleep)
    monkeypatch.setattr(T.cocotb, "start_soon", start_soon)
    monkeypatch.setattr(T, "current_task", asyncio.current_task)
    return T


class FakeTB:
    def __init__(self, sig):
        self.dut = type("Dut", (), {"irq": sig})()

    def now_ns(self):
        return current().now_ns()


def test_irq_line_takes_level_interrupt_until_deasserted(virq, monkeypatch):
    sig = FakeSignal()
    T = fake_cocotb(monkeypatch, sig)
    seen = []

    async def handler(irq, dev_id):
        seen.append(I.in_irq())
        if len(seen) >= 3:
            sig.set(0)                                      # the device deasserts from the 3rd on
        return I.IRQ_HANDLED

    async def main():
        line = T.IrqLine(FakeTB(sig), virq).start()
        await asyncio.sleep(0)
        sig.set(1)                                          # before request_irq: masked, not taken
        for _ in range(10):
            await asyncio.sleep(0)
        assert line.deliveries == 0
        I.request_irq(virq, handler, 0, "ringnic", "d")     # unmask: the pending level is taken
        for _ in range(60):
            await asyncio.sleep(0)
        assert seen == [True, True, True] and line.deliveries == 3   # level: re-taken while high
        sig.set(1)                                          # a new assertion
        for _ in range(30):
            await asyncio.sleep(0)
        assert len(seen) == 4
        sig.set(0)
        I.disable_irq_nosync(virq)
        sig.set(1)
        for _ in range(30):
            await asyncio.sleep(0)
        assert len(seen) == 4                               # disabled: the CPU does not take it
        I.enable_irq(virq)
        for _ in range(30):
            await asyncio.sleep(0)
        assert len(seen) == 5
        assert I.kstat_irqs(virq) == line.deliveries == 5
        assert "GIC-0  61 Level     ringnic" in I.show_interrupts()
        line.stop()
    run(main())
