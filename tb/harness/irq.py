"""The NIC's interrupt line into the kernel model: the GIC input and the CPU that takes it.

`IrqLine` watches the DUT's `irq` output (active high, level) on its edges -- never per clock
-- and, while the line is asserted and the virq is unmasked at the controller, takes the
interrupt as a CPU does: after `latency_ns` of interrupt entry it calls
`generic_handle_irq(virq)` in a task of its own. That call ends the hard part with the chip's
EOI (`irq_eoi`), after which the line may be taken again (level semantics: still high after
the handler means another interrupt) even while the softirq of the first one still runs, as a
real CPU takes hard interrupts during softirq processing. An edge-typed virq (a board tree
saying IRQ_TYPE_EDGE_RISING) is taken once per rising edge instead.

`start()` also installs cocotb as the kernel's CPU backend (task identity, events, task start,
sleeping) so hard-IRQ context, ksoftirqd, synchronize_irq and napi_disable work in simulation.
Start it after `Board.boot()` (the kernel it talks to) -- typically right after modprobe, with
the virq from the platform device: `IrqLine(tb, platform_get_irq(pdev, 0)).start()`.
"""

from __future__ import annotations

from collections import deque

import cocotb
from cocotb.task import current_task
from cocotb.triggers import Event, FallingEdge, First, NullTrigger, RisingEdge, Timer

from pydriver.kernel import interrupt
from pydriver.kernel.core import current
from pydriver.kernel.of import IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_LEVEL_LOW, irq_get_trigger_type

# Cortex-A9 at 667 MHz under Linux: GIC to the first instruction of the handler, ~0.5 us.
DEFAULT_LATENCY_NS = 500


def _task():
    try:
        return current_task()
    except RuntimeError:
        return None


async def _sleep(ns: int) -> None:
    await (Timer(ns, unit="ns") if ns > 0 else NullTrigger())


def install_cpu_backend() -> None:
    """Make cocotb the kernel's CPU backend (idempotent; per booted kernel)."""
    interrupt.register_cpu_backend(current_task=_task, new_event=Event, spawn=cocotb.start_soon,
                                   sleep=_sleep)


class IrqLine:
    """One interrupt line: the DUT signal, the GIC state of its virq, and the CPU taking it."""

    name = "GIC-0"                   # irq_chip name for /proc/interrupts

    def __init__(self, tb, virq: int, latency_ns: int = DEFAULT_LATENCY_NS, signal=None):
        self.tb, self.virq, self.latency_ns = tb, virq, latency_ns
        self.signal = signal if signal is not None else tb.dut.irq
        self.deliveries = 0          # generic_handle_irq calls
        self.spurious = 0            # deasserted before the CPU got there (GIC ID 1023)
        self.entries = deque(maxlen=4096)   # (pending_ns, entry_ns) per delivery
        self.delivered = Event()     # set at each delivery; tests clear() and wait()
        self._edge_pending = False
        self._active = False         # acknowledged, not yet EOI'd
        self._changed = Event()
        self._task = None
        self._kernel = None

    # ---- the irq_chip callbacks the kernel makes
    def irq_mask(self, desc) -> None:
        self._changed.set()

    def irq_unmask(self, desc) -> None:
        self._changed.set()

    def irq_eoi(self, desc) -> None:
        self._active = False
        self._changed.set()

    def irq_set_type(self, desc, type_: int) -> None:
        self._changed.set()

    def irq_get_irqchip_state(self, desc, which: int) -> bool:
        if which == interrupt.IRQCHIP_STATE_ACTIVE:
            return self._active              # synchronize_irq waits for an in-flight entry
        if which == interrupt.IRQCHIP_STATE_PENDING:
            return self._pending()
        if which == interrupt.IRQCHIP_STATE_LINE_LEVEL:
            return self.asserted()
        return interrupt.irqd_irq_masked(self.virq)

    # ----
    def start(self) -> "IrqLine":
        self._kernel = current()
        install_cpu_backend()
        if interrupt.irq_set_chip(self.virq, self) < 0:
            raise ValueError(f"IrqLine: virq {self.virq} is not mapped")
        self._task = cocotb.start_soon(self._run())
        return self

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if current() is self._kernel:
            interrupt.irq_set_chip(self.virq, None)

    def _trigger(self) -> int:
        return irq_get_trigger_type(self.virq)

    def asserted(self) -> bool:
        """The line's active level (high, unless the tree says active-low)."""
        low = self._trigger() & (IRQ_TYPE_LEVEL_LOW | IRQ_TYPE_EDGE_FALLING)
        return int(self.signal.value) == (0 if low else 1)

    def _edge_typed(self) -> bool:
        return bool(self._trigger() & IRQ_TYPE_EDGE_BOTH)

    def _pending(self) -> bool:
        if self._active or interrupt.irqd_irq_masked(self.virq):
            return False
        return self._edge_pending if self._edge_typed() else self.asserted()

    async def _run(self) -> None:
        # Woken by every change (edge, mask, unmask, EOI), so the first time _pending() holds
        # is the time the interrupt became pending at the GIC.
        while True:
            self._changed.clear()
            if self._pending():
                self._active, self._edge_pending = True, False    # acknowledged (GIC IAR read)
                cocotb.start_soon(self._take(self.tb.now_ns()))
            low = self._trigger() & (IRQ_TYPE_LEVEL_LOW | IRQ_TYPE_EDGE_FALLING)
            edge = FallingEdge(self.signal) if low else RisingEdge(self.signal)
            if await First(edge, self._changed.wait()) is edge:
                self._edge_pending = True

    async def _take(self, pending_ns) -> None:
        await _sleep(self.latency_ns)
        if not self._edge_typed() and not self.asserted():
            self.spurious += 1                   # the level went away meanwhile
            self.irq_eoi(None)
            return
        self.deliveries += 1
        self.entries.append((pending_ns, self.tb.now_ns()))
        self.delivered.set()
        if await interrupt.generic_handle_irq(self.virq) < 0:
            self.irq_eoi(None)

    def latencies_ns(self) -> list:
        """Pending-to-handler-entry time of each delivery (the entry latency, plus any wait)."""
        return [e - p for p, e in self.entries]
