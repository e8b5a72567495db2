"""The two-NIC save file is derived from the one-NIC save file and must be current."""

from tb import gtkw


def test_pair_save_file_is_current():
    assert gtkw.PAIR.read_text() == gtkw.pair_save_file(), "stale: run `python -m tb.gtkw --write`"


def test_each_test_gets_the_save_file_of_its_toplevel():
    assert gtkw.save_file_for("test_pair_ping_across") == "sim/ringnic-pair.gtkw"
    assert gtkw.save_file_for("test_probe_binds_from_device_tree") == "sim/ringnic.gtkw"
