"""The derived save files (two NICs, host memory on the fast path) must be current."""

import pytest

from tb import gtkw


@pytest.mark.parametrize("path", list(gtkw.DERIVED), ids=lambda p: p.name)
def test_derived_save_file_is_current(path):
    assert path.read_text() == gtkw.DERIVED[path](), "stale: run `python -m tb.gtkw --write`"


def test_each_test_gets_the_save_file_of_its_toplevel():
    assert gtkw.save_file_for("test_pair_ping_across") == "sim/ringnic-pair.gtkw"
    assert gtkw.save_file_for("test_probe_binds_from_device_tree") == "sim/ringnic.gtkw"
    assert gtkw.save_file_for("test_pair_ping_across", "hdl") == "sim/ringnic-pair-host.gtkw"
    assert gtkw.save_file_for("test_tx_one_frame", "hdl") == "sim/ringnic-host.gtkw"
