"""Bench for `ringnic_desc_fetch` alone (tb/hdl/desc_fetch_top.v): the bench plays the ring engine
and host memory. Each clock it decides whether it would take a burst (`take`), returns the R beats
of the bursts it took in order (with random gaps, and SLVERR on the beats it was told to fail),
pops the queue at random, and moves the limit of what may be read (`avail`) the way a tail moves.

It checks every burst against the fetcher's rule (starts at the next descriptor, at most
DESC_BURST, never past the ring end, the limit or a 4 KiB boundary, only with room in the queue
for all of it) and every popped entry against the ring in memory, in ring order. A block bench
of a small module: it acts per clock, which the system benches never do.
"""

from __future__ import annotations

import random
from collections import deque

from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly

from tb.tools.runner import hdl_param


class FetchBench:
    def __init__(self, dut, seed: int, ring_size: int, base: int):
        self.dut = dut
        self.rng = random.Random(seed)
        dut._log.info("seed=%d ring_size=%d base=%#x", seed, ring_size, base)
        self.burst = int(hdl_param("DESC_BURST", 4))
        self.keep_hi = int(hdl_param("KEEP_HI", 1))
        self.drop_bad = int(hdl_param("DROP_BAD", 0))
        self.depth = 1 << (2 * self.burst - 1).bit_length()     # the queue: two bursts
        self.size, self.base = ring_size, base
        self.ring = [(self.rng.getrandbits(64), self.rng.getrandbits(64)) for _ in range(ring_size)]
        self.bad: set[tuple[int, int]] = set()   # (descriptor, beat) answered with SLVERR
        self.p_take, self.p_beat, self.p_pop = 0.7, 0.7, 0.5
        self.keep = 1
        self.next_idx = 0        # where the next burst must start
        self.limit = 0           # descriptors that may be read, counted from the start
        self.fetched = 0         # descriptors granted since the start
        self.beats: deque = deque()      # (descriptor, beat) still to return, in order
        self.inflight = 0        # descriptors granted, not wholly returned
        self.expect: deque = deque()     # (descriptor, poisoned) the queue must hold, oldest first
        self.popped: list[int] = []
        self.errs: list[int] = []
        self.bursts: list[tuple[int, int]] = []  # (first descriptor, descriptors)

    @classmethod
    async def create(cls, dut, seed: int, ring_size: int, base: int) -> "FetchBench":
        tb = cls(dut, seed, ring_size, base)
        Clock(dut.clk, 10, unit="ns").start(start_high=False)
        for s in ("clr", "start", "start_idx", "avail", "allow", "take", "beat_valid", "beat_data",
                  "beat_err", "q_pop"):
            getattr(dut, s).value = 0
        dut.keep.value = 1
        dut.ring_base.value = base
        dut.ring_size.value = ring_size
        dut.rst.value = 1
        await ClockCycles(dut.clk, 3)
        dut.rst.value = 0
        return tb

    def _quiet(self) -> None:
        for s in ("allow", "take", "beat_valid", "beat_err", "q_pop"):
            getattr(self.dut, s).value = 0

    async def settle(self) -> None:
        """The next falling edge with nothing driven: step()'s inputs are not sampled twice."""
        await FallingEdge(self.dut.clk)
        self._quiet()

    async def start(self, idx: int) -> None:
        """The engine (re)starts the ring at `idx`, nothing on the bus."""
        await FallingEdge(self.dut.clk)
        self._quiet()
        self.dut.start.value = 1
        self.dut.start_idx.value = idx
        await FallingEdge(self.dut.clk)
        self.dut.start.value = 0
        self.next_idx, self.limit, self.fetched = idx, 0, 0

    async def clr(self) -> None:
        """Empty the queue; bursts on the bus still arrive."""
        await FallingEdge(self.dut.clk)
        self._quiet()
        self.dut.clr.value = 1
        await FallingEdge(self.dut.clk)
        self.dut.clr.value = 0
        self.expect.clear()

    async def step(self, allow: bool = True, pop: bool = True) -> None:
        """One clock: drive at the falling edge, read what the rising edge will see, update the model."""
        dut, rng = self.dut, self.rng
        await FallingEdge(dut.clk)
        q_valid = int(dut.q_valid.value)
        assert q_valid == (len(self.expect) > 0), f"q_valid {q_valid} with {len(self.expect)} entries expected"
        avail = min(self.limit - self.fetched, self.size)
        dut.avail.value = avail
        dut.allow.value = int(allow)
        dut.take.value = int(rng.random() < self.p_take)
        dut.keep.value = self.keep
        beat = self.beats[0] if self.beats and rng.random() < self.p_beat else None
        dut.beat_valid.value = int(beat is not None)
        if beat is not None:
            d, half = beat
            dut.beat_data.value = self.ring[d][half]
            dut.beat_err.value = int((d, half) in self.bad)     # RRESP[1]: SLVERR
        else:
            dut.beat_err.value = 0
        do_pop = pop and q_valid and rng.random() < self.p_pop
        dut.q_pop.value = int(do_pop)
        await ReadOnly()

        if do_pop:
            self._check_head()
        if int(dut.err.value):
            assert beat is not None and beat in self.bad, f"err without a failed beat ({beat})"
            assert int(dut.err_idx.value) == beat[0], f"err_idx {int(dut.err_idx.value)}, beat of descriptor {beat[0]}"
            self.errs.append(beat[0])
        if beat is not None:
            self.beats.popleft()
            d, half = beat
            if half == 1:
                self.inflight -= 1
                bad = (d, 0) in self.bad or (d, 1) in self.bad
                if self.keep and not (self.drop_bad and bad):
                    self.expect.append((d, bad))
        if int(dut.grant.value):
            self._check_burst(avail)

    def _check_burst(self, avail: int) -> None:
        dut = self.dut
        idx, addr, n = int(dut.fetch_idx.value), int(dut.req_addr.value), (int(dut.req_len.value) + 1) // 2
        assert (int(dut.req_len.value) + 1) % 2 == 0, "a burst of an odd number of beats"
        assert idx == self.next_idx, f"burst at descriptor {idx}, the next is {self.next_idx}"
        assert addr == self.base + 16 * idx, f"burst address {addr:#x} for descriptor {idx}"
        assert 1 <= n <= min(self.burst, avail), f"{n} descriptors with DESC_BURST {self.burst}, {avail} allowed"
        assert idx + n <= self.size, f"burst {idx}+{n} past the ring end {self.size}"
        assert (addr & 0xFFF) + 16 * n <= 0x1000, f"burst {addr:#x}+{16 * n} across 4 KiB"
        assert self.inflight + len(self.expect) + n <= self.depth, "burst without room in the queue"
        self.bursts.append((idx, n))
        for k in range(n):
            d = (idx + k) % self.size
            self.beats.extend([(d, 0), (d, 1)])
        self.inflight += n
        self.fetched += n
        self.next_idx = (idx + n) % self.size

    def _check_head(self) -> None:
        q = int(self.dut.q_data.value)
        d, bad = self.expect.popleft()
        lo, hi = self.ring[d]
        want = (int(bad) << 96) | ((lo & 0xFFFFFFFF) << 64) | (hi if self.keep_hi else 0)
        assert q == want, f"queue head {q:#027x}, descriptor {d} is {want:#027x}"
        self.popped.append(d)

    async def run(self, limit: int, cycles: int = 20000) -> None:
        """Raise the limit to `limit` descriptors in random steps and run until all are popped."""
        for _ in range(cycles):
            if self.limit < limit and self.rng.random() < 0.1:
                self.limit = min(limit, self.limit + self.rng.randint(1, 2 * self.burst + 3))
            await self.step()
            if self.limit == limit and self.fetched == limit and not self.beats and not self.expect:
                break
        else:
            raise AssertionError(f"not done in {cycles} clocks: fetched {self.fetched} of {limit}, "
                                 f"{len(self.beats)} beats out, {len(self.expect)} queued")
        await self.settle()
        assert int(self.dut.idle.value) == 1 and int(self.dut.busy.value) == 0, "not idle with nothing left"
