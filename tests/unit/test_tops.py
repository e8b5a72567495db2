"""The HDL test tops that re-wire ringnic's ports are generated from its port list (tb/tools/tops.py)."""

import pytest

from tb.tools import tops


@pytest.mark.parametrize("path", list(tops.GENERATED), ids=lambda p: p.name)
def test_generated_top_is_current(path):
    assert path.read_text() == tops.GENERATED[path](), "stale: run `make regs`"


def test_ports_follow_the_nic():
    nic = {p.name: p for p in tops.nic_ports()}
    assert nic["s_axil_awaddr"].rng == "[16:0]" and nic["m_axi_wstrb"].rng == "[7:0]" and nic["irq"].rng == ""
    pair = {p.name for p in tops.pair_ports()}
    assert {"clk", "rst", "a_s_axil_awaddr", "b_m_axi_rready", "a_irq", "b_irq"} <= pair
    assert not any(n.startswith(("a_m_axis", "b_s_axis")) for n in pair), "the MAC sides are the links"
    _, bridge = tops.bridge()
    rng = {p.name: p.rng for p in bridge}
    assert rng["rd_resp"] == "[1+64*MAX_BEATS:0]" and rng["wr_cmd"] == "[48+72*MAX_BEATS:0]" and rng["rd_cmd"] == "[48:0]"


def test_bench_tops_keep_their_hand_written_parts_around_generated_regions(tmp_path):
    bench = (tops.HDL / "ringnic_pair_bench.v").read_text()
    assert "cnt_ab_frames" in bench and bench.count("// BEGIN tb/tools/tops.py:") == 5
    broken = tmp_path / "bench.v"
    broken.write_text(bench.replace("// END tb/tools/tops.py: pair", ""))
    with pytest.raises(AssertionError, match="pair"):
        tops.fill(broken, tops._pair_bench_regions())
