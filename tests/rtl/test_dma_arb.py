"""DMA path: `ringnic_axi_arb` joins the TX engine's (port 0) and the RX engine's (port 1) AXI4
masters onto the NIC's one DMA port to host memory.

The DUT is the arbiter alone (HDL_TOPLEVEL below), in the bench of tb/blocks/dma_arb.py: two
cocotbext-axi `AxiMaster`s stand for the engines, host memory is `AxiRam` or a reordering AXI4
slave, and `ArbMonitor` checks every beat on the three ports.

Routing rule under test (the RTL defaults): ID bit 3 names the port; port 0 (TX) owns IDs 0-7,
port 1 (RX) owns IDs 8-15.
"""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiResp

from tb.blocks.dma_arb import ERR_BASE, LANES, PORT_IDS, SLOT_BASE, SLOT_SIZE, ArbBench, pauses, traffic

HDL_TOPLEVEL = "ringnic_axi_arb"


# ------------------------------------------------------------------------------- tests
@cocotb.test(timeout_time=20, timeout_unit="ms")
async def test_dma_arb_random_traffic(dut):
    """Both masters, concurrent random reads and writes of random lengths, random back-pressure: data equals the model."""
    tb = await ArbBench.create(dut, seed=11)
    tb.add_backpressure()
    stats = await traffic(tb, workers=3, ops=12, max_len=700)
    tb.mon.check()
    for p in (0, 1):
        assert tb.mon.max_reads_out[p] >= 2, f"port {p} never had two reads outstanding"
    dut._log.info("traffic %s; max reads outstanding %s; max AR wait %s, AW wait %s cycles",
                  stats, tb.mon.max_reads_out, tb.mon.max_wait["ar"], tb.mon.max_wait["aw"])


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_w_never_interleaved(dut):
    """Long writes from both masters at once, W gaps on both: every W burst on m_axi stays with its AW's master."""
    tb = await ArbBench.create(dut, seed=12)
    for m in tb.masters.values():
        m.write_if.w_channel.set_pause_generator(pauses(random.Random(tb.rng.random()), 0.3))
    base = {0: SLOT_BASE, 1: SLOT_BASE + 4 * SLOT_SIZE}
    data = {p: [tb.rng.randbytes(tb.rng.randint(64, 3000)) for _ in range(6)] for p in (0, 1)}

    async def writer(p):
        addr = base[p]
        for k, d in enumerate(data[p]):
            r = await tb.masters[p].write(addr, d, awid=PORT_IDS[p][k % 8])
            assert r.resp == AxiResp.OKAY
            addr += len(d)

    tasks = [cocotb.start_soon(writer(p)) for p in (0, 1)]
    for t in tasks:
        await t
    await tb.idle()
    tb.mon.check()
    for p in (0, 1):
        assert tb.mem_read(base[p], sum(map(len, data[p]))) == b"".join(data[p])
    ports = [b[0] for b in tb.mon.w_bursts]
    switches = sum(a != b for a, b in zip(ports, ports[1:]))
    assert switches >= 4, f"the masters' write bursts barely alternated ({switches} switches): no contention tested"
    dut._log.info("%d W bursts, %d master switches, none interleaved", len(ports), switches)


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_id_routing_reordered(dut):
    """A slave that interleaves R beats of different IDs and reorders B: every beat still reaches its master."""
    tb = await ArbBench.create(dut, seed=13, slave="reorder")
    stats = await traffic(tb, workers=4, ops=10, max_len=300, ids_per_worker=2)
    # Then many writes with distinct IDs in flight at once, so that B responses can overtake.
    expect = {}
    events = []
    for k in range(8):
        for p in (0, 1):
            addr, data = SLOT_BASE + (p * 8 + k) * 0x400, tb.rng.randbytes(tb.rng.randint(8, 200))
            expect[addr] = data
            events.append(tb.masters[p].init_write(addr, data, awid=PORT_IDS[p][k]))
    for ev in events:
        await ev.wait()
        assert ev.data.resp == AxiResp.OKAY
    await tb.idle()
    for addr, data in expect.items():
        assert tb.mem_read(addr, len(data)) == data, f"write at 0x{addr:x} lost"
    tb.mon.check()
    tb.ram.check()
    assert tb.mon.r_interleaved > 0, "the slave never interleaved R beats: the test proves nothing"
    assert tb.mon.b_reordered > 0, "the slave never reordered B responses: the test proves nothing"
    dut._log.info("traffic %s; %d R beats interleaved with another ID's burst, %d B responses reordered",
                  stats, tb.mon.r_interleaved, tb.mon.b_reordered)


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_throughput_single_master(dut):
    """One master alone: reads and writes of 16 KiB (256-beat bursts) run at >= 0.9 beats per cycle."""
    tb = await ArbBench.create(dut, seed=14)
    results = []
    for p in (0, 1):
        m = tb.masters[p]
        data = tb.rng.randbytes(16384)
        addr = 0x4000
        for kind in ("w", "r"):
            await tb.idle(2)
            tb.mon.clear_beats()
            if kind == "w":
                r = await m.write(addr, data, awid=PORT_IDS[p][1])
                assert r.resp == AxiResp.OKAY
            else:
                r = await m.read(addr, len(data), arid=PORT_IDS[p][2])
                assert r.data == data
            beats, span, bpc = tb.mon.throughput(kind, p)
            assert beats == len(data) // LANES
            results.append(f"port {p} {'write' if kind == 'w' else 'read'}: {beats} beats in {span} cycles = {bpc:.3f}")
            assert bpc >= 0.9, results[-1]
    tb.mon.check()
    for line in results:
        dut._log.info("throughput %s beats/cycle", line)


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_fairness(dut):
    """Both masters saturate reads and writes: grants alternate (round-robin) and both make progress."""
    tb = await ArbBench.create(dut, seed=15)
    n, size = 24, 128
    for p in (0, 1):
        tb.mem_write(0x1000 * (p + 1), tb.rng.randbytes(n * size))
    events = {p: [] for p in (0, 1)}
    for k in range(n):
        for p in (0, 1):
            m = tb.masters[p]
            events[p].append(m.init_read(0x1000 * (p + 1) + k * size, size, arid=PORT_IDS[p][k % 8]))
            events[p].append(m.init_write(SLOT_BASE + p * SLOT_SIZE + k * size, bytes([k]) * size,
                                          awid=PORT_IDS[p][k % 8]))
    for p in (0, 1):
        for ev in events[p]:
            await ev.wait()
    await tb.idle()
    tb.mon.check()   # includes the round-robin rule on every AR and AW grant
    for ch in ("ar", "aw"):
        g = tb.mon.grants[ch]
        first = g[:len(g) // 2]
        share = first.count(1) / len(first)
        assert 0.4 <= share <= 0.6, f"{ch}: port 1 got {share:.0%} of the first half of the grants {g}"
        dut._log.info("%s grants: %s", ch, "".join(map(str, g)))
    for kind in ("r", "w"):
        c0, c1 = tb.mon.beats[kind]
        end = min(c0[-1], c1[-1])   # while both still had beats to move
        a, b = sum(c <= end for c in c0), sum(c <= end for c in c1)
        assert min(a, b) / max(a, b) >= 0.8, f"{kind}: beats while both busy: port 0 {a}, port 1 {b}"
        dut._log.info("%s beats while both masters were busy: port 0 %d, port 1 %d", kind, a, b)


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_error_response(dut):
    """SLVERR reaches the master whose read or write failed; the other master's concurrent bursts stay OKAY."""
    tb = await ArbBench.create(dut, seed=16, slave="reorder")
    good = tb.rng.randbytes(1024)
    tb.mem_write(0x2000, good)
    for bad in (0, 1):
        ok = 1 - bad
        mb, mo = tb.masters[bad], tb.masters[ok]
        evs = [
            (bad, "read", mb.init_read(ERR_BASE + 0x100, 200, arid=PORT_IDS[bad][3])),
            (ok, "read", mo.init_read(0x2000, 1024, arid=PORT_IDS[ok][3])),
            (bad, "write", mb.init_write(ERR_BASE + 0x40, b"\xAA" * 100, awid=PORT_IDS[bad][4])),
            (ok, "write", mo.init_write(SLOT_BASE + 0x100 * ok, b"\x55" * 100, awid=PORT_IDS[ok][4])),
            # one burst that starts in memory and ends in the error window: SLVERR for the burst
            (bad, "read", mb.init_read(ERR_BASE - 16, 64, arid=PORT_IDS[bad][5])),
            (ok, "read", mo.init_read(0x2100, 64, arid=PORT_IDS[ok][5])),
        ]
        for p, kind, ev in evs:
            await ev.wait()
            want = AxiResp.SLVERR if p == bad else AxiResp.OKAY
            assert ev.data.resp == want, f"port {p} {kind}: {ev.data.resp!r}, expected {want!r}"
        assert evs[1][2].data.data == good and evs[5][2].data.data == good[0x100:0x140]
        assert tb.mem_read(SLOT_BASE + 0x100 * ok, 100) == b"\x55" * 100
        assert tb.mem_read(ERR_BASE + 0x40, 100) == bytes(100), "a failed write changed memory"
    await tb.idle()
    tb.mon.check()
    tb.ram.check()


@cocotb.test(timeout_time=10, timeout_unit="ms")
async def test_dma_arb_slave_waits_for_w(dut):
    """A slave that holds AWREADY until it sees WVALID (legal): the granted burst's W flows first, no deadlock."""
    tb = await ArbBench.create(dut, seed=17, slave="reorder", aw_needs_w=True)
    stats = await traffic(tb, workers=2, ops=8, max_len=500)
    tb.mon.check()
    tb.ram.check()
    assert tb.mon.w_before_aw > 0, "no W burst started before its AW was accepted"
    dut._log.info("traffic %s; %d W bursts started before their AW was accepted", stats, tb.mon.w_before_aw)


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def test_dma_arb_foreign_id_forced(dut):
    """An engine that uses an ID of the other port's range gets its own response back (port bit forced), never the other's."""
    tb = await ArbBench.create(dut, seed=18, ports=(0,))
    tb.mem_write(0x300, bytes(range(8)))
    s1 = {n: getattr(dut, "s1_axi_" + n) for n in (
        "arid", "araddr", "arlen", "arsize", "arburst", "arlock", "arcache", "arprot", "arvalid", "arready",
        "rready", "rvalid", "rid", "rdata", "rlast", "awvalid", "wvalid", "bready")}
    for n in ("awvalid", "wvalid", "bready"):
        s1[n].value = 0
    for n, v in (("arid", 0x3), ("araddr", 0x300), ("arlen", 0), ("arsize", 3), ("arburst", 1),
                 ("arlock", 0), ("arcache", 0), ("arprot", 0), ("arvalid", 1), ("rready", 1)):
        s1[n].value = v
    # port 0 reads with the same raw ID meanwhile: each must get its own data
    ev0 = tb.masters[0].init_read(0x308, 8, arid=0x3)
    tb.mem_write(0x308, b"port0ok!")
    while True:
        await RisingEdge(dut.clk)
        if int(s1["arready"].value):
            break
    s1["arvalid"].value = 0
    for _ in range(50):
        await RisingEdge(dut.clk)
        if int(s1["rvalid"].value):
            break
    else:
        raise AssertionError("port 1's read never returned to port 1")
    assert int(s1["rid"].value) == 0xB and int(s1["rlast"].value) == 1
    assert int(s1["rdata"].value).to_bytes(8, "little") == bytes(range(8))
    await ev0.wait()
    assert ev0.data.data == b"port0ok!"
    await ClockCycles(dut.clk, 4)
    tb.mon.check(forced=True)
    assert [a[0] for a in tb.mon.m_a["ar"]] == [0x3, 0xB] or [a[0] for a in tb.mon.m_a["ar"]] == [0xB, 0x3]
