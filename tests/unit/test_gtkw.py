"""The derived save files (two NICs, host memory on the fast path) must be current."""

import pytest

from tb.tools import gtkw


@pytest.mark.parametrize("path", list(gtkw.DERIVED), ids=lambda p: p.name)
def test_derived_save_file_is_current(path):
    assert path.read_text() == gtkw.DERIVED[path](), "stale: run `python -m tb.tools.gtkw --write`"


def test_each_test_gets_the_save_file_of_its_toplevel():
    assert gtkw.save_file_for("test_pair_ping_across") == "sim/ringnic-pair.gtkw"
    assert gtkw.save_file_for("test_probe_binds_from_device_tree") == "sim/ringnic.gtkw"
    assert gtkw.save_file_for("test_pair_ping_across", "hdl") == "sim/ringnic-pair-host.gtkw"
    assert gtkw.save_file_for("test_tx_one_frame", "hdl") == "sim/ringnic-host.gtkw"


@pytest.mark.parametrize("path", [gtkw.SINGLE, *gtkw.DERIVED], ids=lambda p: p.name)
def test_save_file_shows_registers_and_causes_by_name(path):
    assert not gtkw.filter_problems(path)


def test_filter_check_catches_a_missing_reference(tmp_path):
    bad = tmp_path / "bad.gtkw"
    bad.write_text(gtkw.SINGLE.read_text().replace("^1 sim/filters/axil_addr.txt", "^1 sim/filters/gone.txt", 1))
    assert any("gone.txt is missing" in p for p in gtkw.filter_problems(bad))
    bad.write_text(gtkw.SINGLE.read_text().replace("@2022", "@22"))
    assert len(gtkw.filter_problems(bad)) == 4
