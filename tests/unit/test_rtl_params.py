"""Every RTL module with parameters refuses a bad value at elaboration with a message naming the
module and the rule (an `initial` check: simulation and lint see it, synthesis ignores it)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RTL = sorted((ROOT / "rtl").glob("*.v"))

# (module, parameter, bad value, words of the message)
CASES = [
    ("ringnic", "MAX_BURST_BEATS", "300", "MAX_BURST_BEATS must be 1..256"),
    ("ringnic", "AXIL_ADDR_WIDTH", "16", "AXIL_ADDR_WIDTH must be >= 17"),
    ("ringnic_regs", "TX_PRESENT", "2", "TX_PRESENT and RX_PRESENT are flags"),
    ("ringnic_regs", "RING_LOG2", "16", "RING_LOG2 must be 3..15"),
    ("ringnic_tx", "DESC_BURST", "129", "DESC_BURST must be 1..128"),
    ("ringnic_tx", "AXI_ID", "16", "AXI_ID must fit"),
    ("ringnic_rx", "MAX_FRAME", "1000", "MAX_FRAME must be 1522..65535"),
    ("ringnic_rx", "MAX_BURST_BEATS", "0", "MAX_BURST_BEATS must be 1..256"),
    ("ringnic_rx_fifo", "META_W", "0", "META_W must be >= 1"),
    ("ringnic_rx_dma", "MAX_BURST_BEATS", "257", "MAX_BURST_BEATS must be 1..256"),
    ("ringnic_rx_dma", "PB_LOG2", "16", "PB_LOG2 must be 1..15"),
    ("ringnic_rx_wb", "RING_LOG2", "16", "RING_LOG2 must be 3..15"),
    ("ringnic_rx_wb", "FF_LOG2", "0", "FF_LOG2 must be 1..14"),
    ("ringnic_tick", "CLK_PERIOD_PS", "0", "CLK_PERIOD_PS must be 1..256000"),
    ("ringnic_tick", "CLK_PERIOD_PS", "300000", "CLK_PERIOD_PS must be 1..256000"),
    ("ringnic_rx_mac", "MAX_FRAME", "70000", "MAX_FRAME must be 1522..65535"),
    ("ringnic_fifo", "DEPTH_LOG2", "0", "DEPTH_LOG2 must be >= 1"),
    ("ringnic_desc_fetch", "DESC_BURST", "0", "DESC_BURST must be 1..128"),
    ("ringnic_desc_fetch", "DESC_BURST", "129", "DESC_BURST must be 1..128"),
    ("ringnic_desc_fetch", "RING_LOG2", "2", "RING_LOG2 must be 3..15"),
    ("ringnic_desc_fetch", "KEEP_HI", "2", "KEEP_HI must be 0 or 1"),
    ("ringnic_desc_fetch", "DROP_BAD", "2", "DROP_BAD must be 0 or 1"),
    ("ringnic_tx_wb", "RING_LOG2", "16", "RING_LOG2 must be 3..15"),
    ("ringnic_tx_wb", "ORD_LOG2", "0", "WBF_LOG2 and ORD_LOG2 must be >= 1"),
    ("ringnic_tx_proc", "MAX_BURST_BEATS", "300", "MAX_BURST_BEATS must be 1..256"),
    ("ringnic_tx_proc", "RING_LOG2", "2", "RING_LOG2 must be 3..15"),
    ("ringnic_tx_proc", "NB_W", "5", "NB_W must hold MAX_BURST_BEATS * 8"),
    ("ringnic_tx_rd", "NB_W", "4", "NB_W must be >= 5"),
    ("ringnic_tx_mac", "META_LOG2", "0", "META_LOG2 must be >= 1"),
    ("ringnic_tx_pack", "FB_AW", "4", "FB_AW must be >= 5"),
    ("ringnic_tx_mac", "FB_AW", "4", "FB_AW must be >= 5"),
    ("ringnic_axi_arb", "W_QUEUE_LOG2", "0", "W_QUEUE_LOG2 must be >= 1"),
    ("ringnic_axi_arb", "S1_ID", "0", "S0_ID and S1_ID must differ"),
    ("ringnic_stats", "N64", "5", "need 1 <= N64 <= 4"),
    ("ringnic_axil_port", "ADDR_WIDTH", "16", "ADDR_WIDTH must be >= 17"),
    ("ringnic_count_rc", "ADD_WIDTH", "33", "ADD_WIDTH must be 1..WIDTH"),
]

needs_iverilog = pytest.mark.skipif(not shutil.which("iverilog"), reason="iverilog not installed (make deps)")


@needs_iverilog
@pytest.mark.parametrize("module,param,value,words", CASES, ids=[f"{m}.{p}={v}" for m, p, v, _ in CASES])
def test_bad_parameter_stops_elaboration(tmp_path, module, param, value, words):
    """Where the value leaves a zero or negative width, the elaborator refuses it first (an error
    naming the file and line); otherwise the module's own check does, by name."""
    out = tmp_path / "sim"
    build = subprocess.run(["iverilog", "-g2012", "-I", str(ROOT / "rtl"), "-s", module, "-P",
                            f"{module}.{param}={value}", "-o", str(out)] + [str(p) for p in RTL],
                           capture_output=True, text=True)
    if build.returncode:
        assert "error" in build.stderr, build.stderr
        return
    run = subprocess.run(["vvp", "-n", str(out)], capture_output=True, text=True, timeout=60)
    assert f"{module}: {words}" in run.stdout, run.stdout + run.stderr


@needs_iverilog
@pytest.mark.parametrize("path", RTL, ids=[p.name for p in RTL])
def test_defaults_pass_the_checks(tmp_path, path):
    module = path.stem
    out = tmp_path / "sim"
    subprocess.run(["iverilog", "-g2012", "-I", str(ROOT / "rtl"), "-s", module, "-o", str(out)]
                   + [str(p) for p in RTL], check=True, capture_output=True)
    run = subprocess.run(["vvp", "-n", str(out)], capture_output=True, text=True, timeout=60)
    assert "must" not in run.stdout, run.stdout


def test_every_parameterised_module_checks_its_parameters():
    for path in RTL:
        text = path.read_text()
        header = text[text.index("module "):text.index(");")]
        if "parameter" in header:
            assert re.search(r'\$display\("' + path.stem + r': .*\);\s*\$finish;', text), \
                f"{path.name} has parameters but no elaboration check"
