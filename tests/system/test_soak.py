"""Soak (issue 12, item 5): frames both ways at once through the two-NIC pair, random sizes
(60..1514 and jumbo, MTU 9000), random batches and gaps, random DMA latency and ready pauses,
the receiving CPU's load changing at random, NAPI on with a random weight (tb/harness/soak.py).

Properties: sent = delivered + counted per flow (the netdevs' and the NICs' counters), GPTC =
tx_packets, in order per flow, every byte intact (scapy parses a sample), no DMA-API report or
IOMMU fault, nothing leaked at rmmod (DMA-API debug checks the unbind).
Seed: RINGNIC_SEED (printed first); size: RINGNIC_FUZZ_N_SOAK frames in all (default 600;
`make soak SOAK_FRAMES=100000`).
"""

from __future__ import annotations

import os
import time

import cocotb
from cocotb.triggers import Timer

from pydriver.kernel.netdevice import dev_set_mtu
from tb.harness import fuzz
from tb.harness.board import checked_test
from tb.harness.soak import JUMBO_MTU, Soak, axi_delays, cpu_load
from tb.harness.topology import PAIR_TOPLEVEL, pair

HDL_TOPLEVEL = PAIR_TOPLEVEL
PCAP_MAX = 2_000  # a larger soak keeps no capture (Python per frame and memory for every frame)


@checked_test()
async def test_soak_pair_both_ways(dut):
    """Both flows at once, random sizes incl. jumbo, random AXI delays and CPU load: every frame
    delivered intact and in order or counted, then rmmod with nothing leaked."""
    keys = ("soak_frames", "soak_delivered", "soak_counted", "soak_jumbo_mtu", "soak_wall_s", "soak_sim_us")
    with fuzz.Run(dut, "test_soak_pair_both_ways", keys) as run:
        rng, counts = run.rng, run.counts
        n = fuzz.size(600, "soak")
        if n > PCAP_MAX:
            os.environ["RINGNIC_PCAP"] = "0"
        weight = rng.choice((16, 32, 64))
        b, devs, _ = await pair(dut, hosts=False, napi_weight=weight)
        for d in devs:
            assert await dev_set_mtu(d, JUMBO_MTU) == 0
        await Timer(5, "us")  # the link back after the MTU change's down/up
        axi_delays(b.nics, rng)
        load = cocotb.start_soon(cpu_load(rng))
        dut._log.info("soak: %d frames, napi_weight %d, MTU %d", n, weight, JUMBO_MTU)
        t0, ns0 = time.perf_counter(), b.tb.now_ns()
        s = Soak(b, devs, rng, jumbo=True)
        s.start(n // 2)
        await s.settle(timeout_ns=max(20_000_000, n * 40_000))
        load.cancel()
        res = s.account(exact=True)
        counts.update(soak_frames=s.frames_sent(), soak_delivered=sum(r["delivered"] for r in res.values()),
                      soak_counted=sum(r["counted"] for r in res.values()), soak_jumbo_mtu=JUMBO_MTU,
                      soak_wall_s=round(time.perf_counter() - t0), soak_sim_us=round((b.tb.now_ns() - ns0) / 1000))
        dut._log.info("soak: %s", res)
        assert s.frames_sent() == n // 2 * 2
        await b.rmmod()  # DMA-API debug checks each unbind for leaks; checked_test fails on any report
