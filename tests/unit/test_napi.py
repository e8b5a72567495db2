"""NAPI: state transitions, scheduling from the IRQ handler, MISSED, budget exhaustion,
napi_disable, net_rx_action's budget and time squeeze, and every N1..N10 violation."""

import asyncio

import pytest

from pydriver.kernel import KernelBug, current
from pydriver.kernel import interrupt as I
from pydriver.kernel import napi as N
from pydriver.kernel import softirq as S
from pydriver.kernel.etherdevice import alloc_etherdev
from pydriver.kernel.of import IRQ_TYPE_LEVEL_HIGH, DeviceNode, irq_create_mapping
from pydriver.kernel.printk import dmesg

napi_sched = N.__napi_schedule     # a class body would mangle the __ name
SCHED, MISSED, NPSVC, LISTED = N.NAPIF_STATE_SCHED, N.NAPIF_STATE_MISSED, N.NAPIF_STATE_NPSVC, N.NAPIF_STATE_LISTED


def run(coro):
    return asyncio.run(coro)


async def settle(n=20):
    for _ in range(n):
        await asyncio.sleep(0)


def netdev(name="eth0"):
    ndev = alloc_etherdev()
    ndev.name = name
    return ndev


class Nic:
    """A device (RX frames waiting, a latched cause, a mask) and a driver written as napi.rst says.

    Attributes switch on driver bugs: each test breaks one rule.
    """

    def __init__(self, weight=N.NAPI_POLL_WEIGHT, name="eth0"):
        root = DeviceNode("/")
        gic = DeviceNode("interrupt-controller@f8f01000", root)
        gic.properties["compatible"] = b"arm,cortex-a9-gic\0"
        self.virq = irq_create_mapping(gic, 61, IRQ_TYPE_LEVEL_HIGH)
        self.dev = netdev(name)
        self.napi = N.netif_napi_add(self.dev, None, self.poll, weight)
        self.rx, self.icr, self.ims = 0, 0, False
        self.unmasks, self.budgets, self.gate = 0, [], None
        self.mask_in_handler, self.complete_on_budget = True, False
        self.down, self.check_down = True, True             # e1000's __E1000_DOWN

    # -- bring-up / teardown as N9 orders them
    def open(self):
        assert I.request_irq(self.virq, self.intr, I.IRQF_SHARED, "ringnic", self) == 0
        self.down = False
        N.napi_enable(self.napi)
        self.unmask()

    async def close(self):
        self.down = True
        self.mask()
        await I.synchronize_irq(self.virq)
        await N.napi_disable(self.napi)
        I.free_irq(self.virq, self)

    def mask(self):
        self.ims = False
        N.napi_note_irq_mask(self.napi)

    def unmask(self):
        N.napi_note_irq_unmask(self.napi)
        self.ims = True
        self.unmasks += 1

    # -- driver
    async def intr(self, irq, dev_id):
        icr, self.icr = self.icr, 0
        if not icr:
            return I.IRQ_NONE
        if self.mask_in_handler:
            self.mask()
        if N.napi_schedule_prep(self.napi):
            napi_sched(self.napi)
        return I.IRQ_HANDLED

    async def poll(self, napi, budget):
        self.budgets.append(budget)
        if self.gate is not None:
            await self.gate.wait()
        work = 0
        while work < budget and self.rx:
            N.napi_assert_owned(napi, "RX ring")
            self.rx -= 1
            work += 1
            N.napi_count_rx(napi)
        if work < budget or self.complete_on_budget:
            if N.napi_complete_done(napi, work) and not (self.down and self.check_down):
                self.unmask()
        return work

    # -- the wire and the line
    async def receive(self, frames):
        self.rx += frames
        self.icr |= 0x80                                    # RXT0
        await self.line()

    async def line(self):
        while self.icr and self.ims:                        # level = ICR & IMS
            await I.generic_handle_irq(self.virq)


# --- lifecycle and state ---------------------------------------------------------------------

def test_napi_add_starts_disabled(clock):
    nic = Nic()
    n = nic.napi
    assert n.state == SCHED | NPSVC | LISTED and n.weight == 64
    assert nic.dev.napi_list == [n]
    assert not N.napi_schedule_prep(n)                      # disabled: cannot be scheduled
    N.napi_enable(n)
    assert n.state == LISTED | MISSED                       # the MISSED of the refused prep stays
    assert repr(n) == "<napi poll MISSED|LISTED>"


def test_napi_weight_over_64_logs_the_kernel_message(clock):
    dev = netdev()
    N.netif_napi_add(dev, None, lambda n, b: 0, 128)
    N.netif_napi_add(dev, None, lambda n, b: 0, 128)
    lines = [line for line in dmesg() if "called with weight" in line]
    assert len(lines) == 1 and lines[0].endswith("netif_napi_add_weight() called with weight 128")


def test_napi_prep_sets_sched_then_missed(clock):
    n = Nic().napi
    N.napi_enable(n)
    assert not N.napi_is_scheduled(n)
    assert N.napi_schedule_prep(n) and n.state == LISTED | SCHED
    assert not N.napi_schedule_prep(n) and n.state == LISTED | SCHED | MISSED
    assert not N.napi_schedule_prep(n)
    assert n.stats.missed == 1                              # one MISSED, however many events
    assert N.napi_if_scheduled_mark_missed(n)


def test_napi_del_unlists(clock):
    nic = Nic()
    N.netif_napi_del(nic.napi)
    assert nic.dev.napi_list == [] and not nic.napi.state & LISTED
    N.netif_napi_del(nic.napi)                              # already gone: nothing


# --- the interrupt -> softirq -> poll path ----------------------------------------------------

def test_napi_irq_schedules_poll_at_irq_exit(clock):
    nic = Nic()
    nic.open()

    async def main():
        await nic.receive(3)
        assert nic.rx == 0 and nic.budgets == [64]          # polled on the way out of the IRQ
        assert nic.ims and nic.unmasks == 2                 # open + after completing
    run(main())
    s = nic.napi.stats
    assert (s.schedules, s.polls, s.completions, s.work, s.rx, s.budget_exhausted) == (1, 1, 1, 3, 3, 0)
    assert nic.napi.state == LISTED
    assert S.softnet_data().poll_list == []


def test_napi_budget_exhaustion_repolls_without_reenabling(clock):
    nic = Nic()
    nic.open()
    unmask_while_sched = []
    orig = nic.unmask

    def unmask():
        unmask_while_sched.append(N.napi_is_scheduled(nic.napi))
        orig()
    nic.unmask = unmask
    run(nic.receive(200))
    assert nic.budgets == [64, 64, 64, 64] and nic.rx == 0
    s = nic.napi.stats
    assert (s.polls, s.budget_exhausted, s.completions, s.work) == (4, 3, 1, 200)
    assert unmask_while_sched == [False]                    # one unmask, after the completion


def test_napi_missed_gives_exactly_one_more_poll(clock):
    nic = Nic()
    nic.open()

    async def main():
        nic.gate = asyncio.Event()
        first = asyncio.create_task(nic.receive(5))
        await settle()
        assert nic.budgets == [64] and N.napi_is_scheduled(nic.napi)
        nic.rx += 2                                          # more frames during the poll, and
        nic.icr |= 0x80                                      # an interrupt (shared line) while SCHED
        await I.generic_handle_irq(nic.virq)
        assert nic.napi.state & MISSED
        nic.gate.set()
        await first
    run(main())
    s = nic.napi.stats
    assert nic.budgets == [64, 64]                          # exactly one more poll
    assert (s.missed, s.missed_repolls, s.completions, s.polls) == (1, 1, 1, 2)
    assert nic.rx == 0 and nic.unmasks == 2                 # unmasked once, after the true completion
    assert nic.napi.state == LISTED


def test_napi_schedule_from_process_context_runs_in_ksoftirqd(clock):
    nic = Nic()
    nic.open()
    seen = []
    orig = nic.poll

    async def poll(napi, budget):
        seen.append((I.in_serving_softirq(), I.in_irq()))
        return await orig(napi, budget)
    nic.napi.poll = poll

    async def main():
        nic.mask()
        nic.rx = 1
        assert N.napi_schedule(nic.napi)
        assert seen == [] and S._state().ksoftirqd_running
        await settle()
        assert seen == [(True, False)] and nic.rx == 0
    run(main())


def test_napi_disable_waits_for_the_poll_in_progress(clock):
    nic = Nic()
    nic.open()

    async def main():
        nic.gate = asyncio.Event()
        rx = asyncio.create_task(nic.receive(1))
        await settle()
        nic.down = True
        nic.mask()
        disabling = asyncio.create_task(N.napi_disable(nic.napi))
        await settle()
        assert not disabling.done() and N.napi_disable_pending(nic.napi)
        nic.gate.set()
        await asyncio.gather(rx, disabling)
        assert nic.napi.state == SCHED | NPSVC | LISTED and not nic.ims
    run(main())
    assert nic.napi.stats.completions == 1 and current().bugs == []


def test_napi_n9_poll_reenables_during_teardown(clock):
    nic = Nic()
    nic.open()
    nic.check_down = False                                  # the race e1000 closes with DOWN

    async def main():
        nic.gate = asyncio.Event()
        rx = asyncio.create_task(nic.receive(1))
        await settle()
        nic.down = True
        nic.mask()
        disabling = asyncio.create_task(N.napi_disable(nic.napi))
        await settle()
        nic.gate.set()
        await asyncio.gather(rx, disabling)
    with pytest.raises(KernelBug, match="N9: eth0: device interrupt unmasked while napi_disable.. "
                                        "is in progress"):
        run(main())


def test_napi_disable_waits_and_core_completes_exhausted_poll(clock):
    nic = Nic()
    nic.open()

    async def main():
        nic.gate = asyncio.Event()
        rx = asyncio.create_task(nic.receive(100))           # first poll will use its whole budget
        await settle()
        nic.down = True
        nic.mask()
        disabling = asyncio.create_task(N.napi_disable(nic.napi))
        await settle()
        assert not disabling.done()
        nic.gate.set()
        await asyncio.gather(rx, disabling)
    run(main())
    assert nic.budgets == [64]                              # no repoll: the core completed it
    assert nic.napi.state == SCHED | NPSVC | LISTED
    assert not N.napi_schedule_prep(nic.napi)


def test_napi_open_close_lifecycle_is_clean(clock):
    nic = Nic()
    nic.open()

    async def main():
        await nic.receive(10)
        await nic.close()
    run(main())
    N.netif_napi_del(nic.napi)
    assert current().bugs == [] and I.irq_actions(nic.virq) == []
    N.netif_napi_add(nic.dev, nic.napi, nic.poll)            # may be added again after del


def test_napi_budget_exhausted_after_reschedule_warns(clock):
    nic = Nic()
    N.napi_enable(nic.napi)

    async def poll(napi, budget):
        N.__napi_schedule(napi)                              # back on the list while owning it
        return budget
    nic.napi.poll = poll

    async def main():
        N.napi_schedule(nic.napi)
        await S.net_rx_action()
    run(main())
    assert "eth0: Budget exhausted after napi rescheduled" in dmesg()[-1]
    assert S.softnet_data().poll_list == [nic.napi]         # queued once, not twice


def test_napi_complete_outside_poll_and_twice(clock):
    nic = Nic()
    N.napi_enable(nic.napi)
    N.napi_schedule_prep(nic.napi)
    with pytest.raises(KernelBug, match="napi_complete_done: eth0: called outside poll"):
        N.napi_complete_done(nic.napi, 0)

    async def poll(napi, budget):
        N.napi_complete_done(napi, 0)
        N.napi_complete_done(napi, 0)
        return 0
    nic.napi.poll = poll
    N.__napi_schedule(nic.napi)
    with pytest.raises(KernelBug, match=r"WARN_ON_ONCE\(!\(val & NAPIF_STATE_SCHED\)\)"):
        run(S.net_rx_action())


# --- net_rx_action ------------------------------------------------------------------------------

def endless(polled, name, work=64):
    async def poll(napi, budget):
        polled.append(name)
        return min(work, budget)
    poll.__name__ = f"{name}_poll"
    return poll


def scheduled(name, poll):
    n = N.netif_napi_add(netdev(name), None, poll)
    N.napi_enable(n)
    assert N.napi_schedule(n)
    return n


def test_napi_net_rx_action_budget_squeeze(clock):
    polled = []
    a, b, c = (scheduled(x, endless(polled, x)) for x in "abc")
    S.net_hotdata().netdev_budget = 100
    run(S.net_rx_action())
    assert polled == ["a", "b"]                             # 64 + 64 >= 100: squeezed
    assert S.softnet_data().time_squeeze == 1
    assert S.softnet_data().poll_list == [c, a, b]          # the unpolled first, then repolls
    assert S.local_softirq_pending() & 1 << S.NET_RX_SOFTIRQ


def test_napi_net_rx_action_time_squeeze(clock):
    polled = []

    def slow(name):
        async def poll(napi, budget):
            polled.append(name)
            clock.ns += 1_500_000                            # 1.5 ms of simulated time
            return 1
        return poll
    for x in "abc":
        scheduled(x, slow(x))
    run(S.net_rx_action())                                  # netdev_budget_usecs = 2000
    assert polled == ["a", "b"] and S.softnet_data().time_squeeze == 1


def test_napi_net_rx_action_one_pass_then_reraise(clock):
    polled = []
    a = scheduled("a", endless(polled, "a"))
    run(S.net_rx_action())
    assert polled == ["a"] and S.softnet_data().time_squeeze == 0
    assert S.softnet_data().poll_list == [a] and S.local_softirq_pending()


def test_napi_flood_cannot_make_one_softirq_call_unbounded(clock):
    polled = []
    a = scheduled("a", endless(polled, "a"))
    st = S._state()
    assert S.local_softirq_pending() and not st.ksoftirqd_running   # no loop yet: stays pending

    async def main():
        await S.do_softirq()
        assert len(polled) == S.MAX_SOFTIRQ_RESTART          # one poll per pass, 10 passes
        assert st.ksoftirqd_running and st.ksoftirqd_wakeups == 1   # the rest goes to ksoftirqd
        await settle(5)
        assert len(polled) > S.MAX_SOFTIRQ_RESTART           # ksoftirqd keeps polling ...

        def drained(napi, budget):                          # a plain (non-async) poll works too
            N.napi_complete_done(napi, 0)
            return 0
        a.poll = drained
        await settle(20)
        assert not st.ksoftirqd_running and not N.napi_is_scheduled(a)   # ... until it completes
    run(main())
    assert a.stats.budget_exhausted >= 10 and a.stats.completions == 1


def test_napi_flood_time_bounded_per_softirq_call(clock):
    polled = []

    async def poll(napi, budget):
        polled.append(1)
        clock.ns += 1_000_000                               # 1 ms per poll
        return budget
    scheduled("a", poll)
    S._state().pending = 1 << S.NET_RX_SOFTIRQ
    run(S.do_softirq())
    assert len(polled) == 2                                 # MAX_SOFTIRQ_TIME = 2 ms


# --- the contract checks N1..N10 ------------------------------------------------------------------

def poll_once(nic, frames=0):
    nic.open()
    return run(nic.receive(frames))


def test_napi_n1_over_budget(clock):
    nic = Nic()

    async def ringnic_poll(napi, budget):
        return budget + 1
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug) as e:
        poll_once(nic, 1)
    assert str(e.value) == "N1: NAPI poll function ringnic_poll returned 65, exceeding its budget of 64."
    assert e.value in current().bugs


@pytest.mark.parametrize("ret, text", [(-1, "returned -1, a negative work count"),
                                       (None, "returned None, not a work count")])
def test_napi_n1_bad_return(clock, ret, text):
    nic = Nic()

    async def ringnic_poll(napi, budget):
        return ret
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N1: NAPI poll function ringnic_poll " + text):
        poll_once(nic, 1)


def test_napi_n2_complete_then_return_budget(clock):
    nic = Nic()
    nic.complete_on_budget = True                           # completes even with frames left
    with pytest.raises(KernelBug, match="N2: poll returned its whole budget of 64 after calling "
                                        "napi_complete_done()"):
        poll_once(nic, 64)


def test_napi_n3_budget_zero(clock):
    nic = Nic()
    nic.open()
    nic.mask()

    async def tx_only(napi, budget):
        N.napi_count_tx(napi, 2)
        return 0
    nic.napi.poll = tx_only
    assert run(N.poll_one_napi(nic.napi)) == 0 and nic.napi.stats.zero_budget_polls == 1
    assert nic.napi.stats.polls == 0

    async def rx_work(napi, budget):
        return 1
    nic.napi.poll = rx_work
    with pytest.raises(KernelBug, match="N3: rx_work exceeded budget in poll"):
        run(N.poll_one_napi(nic.napi))

    async def completes(napi, budget):
        N.napi_complete_done(napi, 0)
        return 0
    nic.napi.poll = completes
    with pytest.raises(KernelBug, match="N3: napi_complete_done.. called from completes with a budget of 0"):
        run(N.poll_one_napi(nic.napi))
    nic.napi.poll, nic.rx = nic.poll, 3
    assert run(N.poll_one_napi(nic.napi)) == 0 and nic.rx == 3   # the model driver honours it

    async def ringnic_poll(napi, budget):
        N.napi_count_rx(napi)                               # an RX frame handed up anyway
        return 0
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N3: ringnic_poll processed RX with a budget of 0"):
        run(N.poll_one_napi(nic.napi))
    assert not nic.napi.state & NPSVC                       # netpoll released it each time


def test_napi_n4_unmask_while_scheduled(clock):
    nic = Nic()

    async def ringnic_poll(napi, budget):
        nic.unmask()                                        # "re-enable" without completing
        return 0
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N4: eth0: device interrupt unmasked while NAPI is "
                                        "scheduled .from the poll, without napi_complete_done"):
        poll_once(nic, 1)


def test_napi_n4_unmask_after_complete_returned_false(clock):
    nic = Nic()
    nic.open()

    async def ringnic_poll(napi, budget):
        N.napi_schedule(napi)                               # an event while SCHED: MISSED
        N.napi_complete_done(napi, 0)                       # returns False ...
        nic.unmask()                                        # ... and the driver ignores it
        return 0
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N4: .*napi_complete_done.. returned false"):
        run(nic.receive(1))


def test_napi_n5_schedule_before_masking(clock):
    nic = Nic()
    nic.mask_in_handler = False
    with pytest.raises(KernelBug, match="N5: eth0: __napi_schedule.. from the interrupt handler "
                                        "with the device interrupt unmasked"):
        poll_once(nic, 1)
    assert I.preempt_count() == 0


def test_napi_n6_ring_touched_after_complete(clock):
    nic = Nic()

    async def ringnic_poll(napi, budget):
        nic.rx = 0
        if N.napi_complete_done(napi, 1):
            N.napi_assert_owned(napi, "RX ring")            # e.g. a late refill
        return 1
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N6: eth0: RX ring touched by ringnic_poll after "
                                        "napi_complete_done"):
        poll_once(nic, 1)


def test_napi_n6_ring_touched_from_hardirq_or_idle(clock):
    nic = Nic()
    N.napi_assert_owned(nic.napi)                           # disabled instance: open/close own it
    nic.open()
    with pytest.raises(KernelBug, match="N6: eth0: ring touched while its NAPI instance is idle"):
        N.napi_assert_owned(nic.napi)

    async def intr(irq, dev_id):
        N.napi_assert_owned(nic.napi, "RX ring")            # cleaning RX in the hard handler
        return I.IRQ_HANDLED
    I.free_irq(nic.virq, nic)
    I.request_irq(nic.virq, intr, 0, "ringnic", nic)
    with pytest.raises(KernelBug, match="N6: eth0: RX ring touched from hard-IRQ context"):
        run(I.generic_handle_irq(nic.virq))


def test_napi_n8_rx_over_budget(clock):
    nic = Nic()

    async def ringnic_poll(napi, budget):
        N.napi_count_rx(napi, budget + 1)                   # delivered more than the budget ...
        return budget - 1                                   # ... and claims less
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N8: ringnic_poll delivered 65 RX packets with a budget of 64"):
        poll_once(nic, 1)


def test_napi_n8_tx_reclaim_bounded_by_budget(clock):
    nic = Nic()
    done = {"tx": 100}                                      # the harness's view of DD in host memory
    N.napi_set_tx_probe(nic.napi, lambda: done["tx"])

    async def ringnic_poll(napi, budget):
        n = min(done["tx"], budget)                         # the bug: TX reclaim under the RX budget
        done["tx"] -= n
        N.napi_count_tx(napi, n)
        return budget
    nic.napi.poll = ringnic_poll
    with pytest.raises(KernelBug, match="N8: ringnic_poll reclaimed 64 of the 100 TX completions "
                                        "ready with a budget of 64"):
        poll_once(nic, 0)


def test_napi_n8_tx_reclaim_unbounded_is_fine(clock):
    nic = Nic()
    done = {"tx": 100}
    N.napi_set_tx_probe(nic.napi, lambda: done["tx"])
    orig = nic.poll

    async def ringnic_poll(napi, budget):
        N.napi_count_tx(napi, done["tx"])                   # all of them, budget or not
        done["tx"] = 0
        return await orig(napi, budget)
    nic.napi.poll = ringnic_poll
    poll_once(nic, 1)
    assert nic.napi.stats.tx == 100 and current().bugs == []


def test_napi_n9_lifecycle(clock):
    nic = Nic()
    n = nic.napi
    with pytest.raises(KernelBug, match="N9: eth0: device interrupt unmasked while its NAPI "
                                        "instance is disabled"):
        nic.unmask()                                        # unmask before napi_enable
    with pytest.raises(KernelBug, match="N9: netif_napi_add: eth0 NAPI instance added twice"):
        N.netif_napi_add(nic.dev, n, nic.poll)
    with pytest.raises(KernelBug, match="N9: napi_disable.. on the NAPI instance of eth0, which is "
                                        "already disabled.*twice in a row deadlocks"):
        run(N.napi_disable(n))                              # never enabled: same deadlock
    N.napi_enable(n)
    with pytest.raises(KernelBug, match="N9: napi_enable.. on the already enabled"):
        N.napi_enable(n)
    with pytest.raises(KernelBug, match="N9: netif_napi_del.. on the enabled NAPI instance"):
        N.netif_napi_del(n)
    n.irq_masked = False
    with pytest.raises(KernelBug, match="N9: napi_disable.. on eth0 with the device interrupt "
                                        "unmasked"):
        run(N.napi_disable(n))
    nic.mask()
    run(N.napi_disable(n))
    with pytest.raises(KernelBug, match="twice in a row deadlocks"):
        run(N.napi_disable(n))
    with pytest.raises(KernelBug, match="N9: napi_schedule_prep.. on a NAPI instance never added"):
        N.napi_schedule_prep(N.NapiStruct())


def test_napi_n9_disable_from_softirq_may_not_sleep(clock):
    nic = Nic()
    nic.open()
    nic.mask()

    async def ringnic_poll(napi, budget):
        await N.napi_disable(napi)
        return 0
    nic.napi.poll = ringnic_poll
    N.napi_schedule(nic.napi)
    with pytest.raises(KernelBug, match="might_sleep: .*at napi_disable.*softirq context"):
        run(S.do_softirq())


def test_napi_n10_missed_repoll_invariant(clock):
    nic = Nic()
    nic.open()
    nic.mask()
    nic.napi.missed_repoll_due = True                       # as if the extra poll were lost
    with pytest.raises(KernelBug, match="N10: eth0: NAPI_STATE_MISSED rescheduled the instance "
                                        "but the extra poll never ran before napi_disable"):
        run(N.napi_disable(nic.napi))
