"""Run only by tests/rtl/test_protocol_check.py::test_protocol_fatal_mode (not collected: no test_
prefix): a cocotb test that breaks WLAST on protocol_bad_top built with FATAL = 1 and must fail."""

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles


@cocotb.test()
async def protocol_fatal_probe(dut):
    """Mode 5 (AXI_WLAST); the checker's $fatal must end the test before its last line."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.mode.value = 5
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 40)
    dut._log.info("probe ran past the violation")
