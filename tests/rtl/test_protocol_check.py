"""Protocol checking: the AXI checkers (rtl/ringnic_check_axil.v, rtl/ringnic_check_axi.v), bound
to every s_axil_/m_axi_ port of the design in every other test, catch what they claim.

tb/hdl/protocol_bad_top.v plays a short legal script on an AXI4-Lite and an AXI4 bus and breaks
it in one place chosen by its `mode` input; the checkers run in flag mode (FATAL = 0) and each
test asserts that the named rule fired (and, for the legal script, that none did).
`test_protocol_fatal_mode` (plain pytest) runs the same top with FATAL = 1, as the design's own
monitors are: the simulation must end in a failed test whose log names the rule.
"""

from __future__ import annotations

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from tb.tools import runner

HDL_TOPLEVEL = "protocol_bad_top"

AXIL_RULES = ["AXIL_AW_HOLD", "AXIL_W_HOLD", "AXIL_AR_HOLD", "AXIL_B_HOLD", "AXIL_R_HOLD", "AXIL_B_NO_REQ",
              "AXIL_R_NO_REQ", "AXIL_B_RESP", "AXIL_R_RESP", "AXIL_B_TIMEOUT", "AXIL_R_TIMEOUT",
              "AXIL_AW_STALL", "AXIL_W_STALL", "AXIL_AR_STALL", "AXIL_X"]
AXI_RULES = ["AXI_AW_HOLD", "AXI_W_HOLD", "AXI_AR_HOLD", "AXI_AW_4K", "AXI_AR_4K", "AXI_AW_LEN", "AXI_AR_LEN",
             "AXI_W_NO_AW", "AXI_WLAST", "AXI_WR_MAX_OUT", "AXI_RD_MAX_OUT", "AXI_B_HOLD", "AXI_R_HOLD",
             "AXI_B_NO_REQ", "AXI_R_NO_REQ", "AXI_RLAST", "AXI_X"]
# mode of protocol_bad_top -> the rule it breaks (its header comment)
MODES = {1: "AXIL_AW_HOLD", 2: "AXIL_R_NO_REQ", 3: "AXIL_B_TIMEOUT", 4: "AXI_AW_4K", 5: "AXI_WLAST",
         6: "AXI_B_NO_REQ", 7: "AXI_AR_HOLD", 8: "AXI_W_NO_AW", 9: "AXI_RLAST", 10: "AXI_RD_MAX_OUT"}


async def play(dut, mode: int) -> set[str]:
    """Reset, play the script with `mode`, return the names of the rules that fired."""
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.mode.value = mode
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 40)          # the script ends by cycle 12; MAX_WAIT is 8
    await RisingEdge(dut.clk)
    axil, axi = int(dut.err_axil.value), int(dut.err_axi.value)
    fired = {n for i, n in enumerate(AXIL_RULES) if axil >> i & 1} | {n for i, n in enumerate(AXI_RULES) if axi >> i & 1}
    dut._log.info("mode %d: rules fired: %s", mode, ", ".join(sorted(fired)) or "none")
    return fired


async def expect(dut, mode: int) -> None:
    fired = await play(dut, mode)
    assert MODES[mode] in fired, f"mode {mode} breaks {MODES[mode]}, but the checkers flagged {sorted(fired)}"


@cocotb.test()
async def test_protocol_legal_script_is_clean(dut):
    """The legal script (mode 0) fires no rule: the checkers do not cry wolf."""
    assert await play(dut, 0) == set()


@cocotb.test()
async def test_protocol_axil_aw_hold(dut):
    """AWVALID dropped before AWREADY: AXIL_AW_HOLD."""
    await expect(dut, 1)


@cocotb.test()
async def test_protocol_axil_r_no_req(dut):
    """RVALID with no read request: AXIL_R_NO_REQ."""
    await expect(dut, 2)


@cocotb.test()
async def test_protocol_axil_b_timeout(dut):
    """A write never answered: AXIL_B_TIMEOUT after MAX_WAIT cycles."""
    await expect(dut, 3)


@cocotb.test()
async def test_protocol_axi_aw_4k(dut):
    """A 2-beat burst at 0xFF8 crosses 4 KiB: AXI_AW_4K."""
    await expect(dut, 4)


@cocotb.test()
async def test_protocol_axi_wlast(dut):
    """WLAST on the first beat of a 2-beat burst: AXI_WLAST."""
    await expect(dut, 5)


@cocotb.test()
async def test_protocol_axi_b_no_req(dut):
    """A B response with no write: AXI_B_NO_REQ."""
    await expect(dut, 6)


@cocotb.test()
async def test_protocol_axi_ar_hold(dut):
    """ARVALID dropped before ARREADY: AXI_AR_HOLD."""
    await expect(dut, 7)


@cocotb.test()
async def test_protocol_axi_w_no_aw(dut):
    """A W beat before any AW: AXI_W_NO_AW."""
    await expect(dut, 8)


@cocotb.test()
async def test_protocol_axi_rlast(dut):
    """RLAST on the first of two beats: AXI_RLAST."""
    await expect(dut, 9)


@cocotb.test()
async def test_protocol_axi_rd_max_out(dut):
    """A second read while MAX_RD_OUT = 1 is in flight: AXI_RD_MAX_OUT."""
    await expect(dut, 10)


# ------------------------------------------------------------------- fatal mode (plain pytest)
@pytest.mark.parametrize("sim", [pytest.param(s, marks=[pytest.mark.sim(s), getattr(pytest.mark, s)], id=s)
                                 for s in runner.SIMS])
def test_protocol_fatal_mode(sim):
    """With FATAL = 1 (as bound in the design) a violation fails the running cocotb test at its
    cycle, and the log names the rule: tests/protocol_fatal_probe.py breaks WLAST."""
    res = runner.run(sim, "protocol_fatal_probe", "protocol_fatal_probe", toplevel=HDL_TOPLEVEL,
                     params=(("FATAL", 1),), tag="fatal")
    log = res.log.read_text(errors="replace")
    assert not res.passed, f"the probe passed: a violation did not fail its test\n{runner.log_tail(res.log)}"
    assert "AXI protocol violation AXI_WLAST" in log, runner.log_tail(res.log)
    assert "probe ran past the violation" not in log
