"""`make synth`'s arithmetic (tb/tools/synth.py) on a canned yosys 0.23 `stat -json`, without yosys."""

import json

import pytest

from tb.tools import synth

# The shape yosys 0.23 writes: a parameterised module hashed, one with its parameters spelled out,
# a plain module as `\name` (but `name` as a cell type), and the hierarchy printed as bare text
# lines in the middle of the JSON (the quirk load_stat() removes).
CANNED = r'''{
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "invocation": "stat -json ",
   "modules": {
      "$paramod$0e53\\ringnic_fifo": {
         "num_cells": 20,
         "num_cells_by_type": {"FDRE": 8, "LUT2": 5, "LUT6": 3, "RAM32M": 4}
      },
      "$paramod\\ringnic_rx_intr\\CLK_PERIOD_PS=s32'00000000000000000010011100010000": {
         "num_cells": 10,
         "num_cells_by_type": {"DSP48E1": 2, "FDRE": 7, "FDSE": 1, "LUT3": 4, "CARRY4": 3}
      },
      "$paramod$77\\ringnic_tx": {
         "num_cells": 9,
         "num_cells_by_type": {"$paramod$0e53\\ringnic_fifo": 2, "ringnic_crc32": 1, "RAMB36E1": 1,
                               "RAMB18E1": 1, "LUT6": 10, "MUXF7": 4, "SRLC32E": 2, "INV": 1}
      },
      "\\ringnic_crc32": {
         "num_cells": 100,
         "num_cells_by_type": {"LUT5": 60, "LUT6": 40}
      },
      "\\ringnic": {
         "num_cells": 3,
         "num_cells_by_type": {"$paramod$77\\ringnic_tx": 1, "ringnic_crc32": 1,
                               "$paramod\\ringnic_rx_intr\\CLK_PERIOD_PS=s32'00000000000000000010011100010000": 1,
                               "LUT2": 1}
      }
   },
     ringnic                         1
       $paramod$77\ringnic_tx        1
         $paramod$0e53\ringnic_fifo      2
         ringnic_crc32               1
      "design": {
         "num_cells": 142
      }
}
'''


def report():
    return synth.analyse(synth.load_stat(CANNED))


def test_canned_stat_parses_despite_the_hierarchy_lines():
    with pytest.raises(json.JSONDecodeError):
        json.loads(CANNED)
    assert "\\ringnic" in synth.load_stat(CANNED)["modules"]


def test_cells_map_to_vivado_resources():
    f = synth.cell_figures({"LUT1": 1, "LUT6": 2, "INV": 1, "FDRE": 3, "FDCE": 1, "FDSE": 1, "RAM64M": 2,
                            "RAM32X1D": 1, "SRLC32E": 1, "RAMB36E1": 2, "RAMB18E1": 1, "DSP48E1": 1,
                            "CARRY4": 5, "MUXF7": 2, "MUXF8": 1})
    # LUTRAM is part of LUT, as in Vivado's utilisation; carry chains and wide muxes are not LUTs.
    assert f == {"lut": 4 + 8 + 2 + 1, "ff": 5, "lutram": 8 + 2 + 1, "bram36": 2.5, "dsp": 1}


def test_modules_times_instances_add_up_to_the_total():
    r = report()
    rows = {row["module"].split(" <")[0]: row for row in r["modules"]}
    fifo = rows["ringnic_fifo"]
    assert fifo["instances"] == 2 and fifo["lut"] == 2 * (8 + 16) and fifo["lutram"] == 32 and fifo["ff"] == 16
    crc = rows["ringnic_crc32"]
    assert crc["instances"] == 2 and crc["lut"] == 200  # one under the top, one under ringnic_tx
    assert rows["ringnic_rx_intr(CLK_PERIOD_PS=10000)"]["dsp"] == 2
    for k in synth.KINDS:
        assert r["total"][k] == sum(row[k] for row in r["modules"]), k
    assert r["total"] == {"lut": 48 + 200 + 4 + 13 + 1, "ff": 16 + 8, "lutram": 34, "bram36": 1.5, "dsp": 2}
    assert r["percent"]["lut"] == round(100 * 266 / 17600, 1)


def test_blocks_are_inclusive():
    blocks = {b["module"]: b for b in report()["blocks"]}
    assert set(blocks) == {"ringnic_tx", "ringnic_crc32", "ringnic_rx_intr(CLK_PERIOD_PS=10000)"}
    tx = blocks["ringnic_tx"]
    assert tx["lut"] == 13 + 2 * 24 + 100 and tx["bram36"] == 1.5 and tx["ff"] == 16


def test_budget_overrun_is_reported_and_fails(tmp_path, capsys):
    r = report()
    assert synth.check_budget(r, {"total": {"lut": 266, "ff": "0.1%", "bram36": 2}}) == []
    errs = synth.check_budget(r, {"total": {"lut": 265, "ff": "0.05%"}, "blocks": {"ringnic_tx": {"lut": 100}}})
    assert errs == ["total lut 266 > budget 265", "total ff 24 > budget 0.05%", "ringnic_tx lut 161 > budget 100"]

    stat = tmp_path / "stat.json"
    stat.write_text(CANNED)
    budget = tmp_path / "budget.json"
    budget.write_text(json.dumps({"total": {"lut": 265}}))
    assert synth.main(["--stat", str(stat), "--budget", str(budget), "--out", str(tmp_path / "o")]) == 1
    out = capsys.readouterr().out
    assert "OVER BUDGET" in out and "total lut 266 > budget 265" in out
    saved = json.loads((tmp_path / "o" / "report.json").read_text())
    assert saved["total"]["lut"] == 266 and saved["overruns"] == ["total lut 266 > budget 265"]

    budget.write_text(json.dumps({"total": {"lut": "2%"}}))
    assert synth.main(["--stat", str(stat), "--budget", str(budget), "--out", str(tmp_path / "o")]) == 0


def test_committed_budget_is_well_formed():
    b = json.loads(synth.BUDGET.read_text())
    assert set(b["total"]) <= set(synth.KINDS)
    for v in list(b["total"].values()) + [x for blk in b.get("blocks", {}).values() for x in blk.values()]:
        assert isinstance(v, (int, float)) or (isinstance(v, str) and v.endswith("%"))
