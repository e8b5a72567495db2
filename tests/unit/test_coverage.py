"""tb/tools/coverage.py: the .dat merge, the lcov tracefile and the per-file report, on canned points."""

from pathlib import Path

from tb.tools import coverage


def point(f: str, line: int, t: str, spec: str, hier: str, count: int, n: int = 1, o: str = "block") -> str:
    kv = {"f": f, "l": str(line), "n": str(n), "t": t, "page": f"v_{t}/x", "o": o, "S": spec, "h": hier}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in kv.items()) + f"' {count}"


def dat(tmp: Path, name: str, points: list[str]) -> Path:
    p = tmp / name
    p.write_text("# SystemC::Coverage-3\n" + "\n".join(points) + "\n")
    return p


def test_lines_of_and_ranges():
    assert coverage.lines_of("16,20-22,31") == [16, 20, 21, 22, 31]
    assert coverage.ranges([3, 4, 5, 9, 11, 12]) == ["3-5", "9", "11-12"]
    assert coverage.ranges([]) == []


def test_merge_sums_runs_and_instances_share_lines(tmp_path):
    f = str(coverage.ROOT / "rtl" / "x.v")
    a = dat(tmp_path, "a.dat", [point(f, 10, "line", "10-12", "top.u0", 0),
                                point(f, 20, "line", "20", "top.u0", 5),
                                point(f, 30, "branch", "30", "top.u0", 0, o="if")])
    b = dat(tmp_path, "b.dat", [point(f, 10, "line", "10-12", "top.u1", 3),     # another instance hits it
                                point(f, 20, "line", "20", "top.u0", 2),
                                point(str(coverage.ROOT / "tb" / "hdl" / "y.v"), 1, "line", "1", "t", 1)])
    files = coverage.by_file(coverage.merge([a, b]))
    assert set(files) == {"rtl/x.v"}, "only rtl/ is measured"
    lines = files["rtl/x.v"]["lines"]
    assert lines[10] == lines[11] == lines[12] == 3 and lines[20] == 7 and lines[30] == 0
    rep = coverage.report(files, waivers={"rtl/x.v": [(30, 30, "unreachable")]}, runs=2)
    (row,) = rep["files"]
    assert (row["lines"], row["lines_hit"], row["uncovered"], row["waived"]) == (5, 4, [], ["30"])
    assert (row["branches"], row["branches_hit"]) == (1, 0)
    assert rep["line_pct"] == 80.0 and rep["line_pct_with_waivers"] == 100.0 and not rep["goal_met"]
    assert "rtl/ringnic.v" in rep["not_instanced"]


def test_info_is_lcov(tmp_path):
    f = str(coverage.ROOT / "rtl" / "x.v")
    files = coverage.by_file(coverage.merge([dat(tmp_path, "a.dat", [point(f, 5, "line", "5", "t", 1),
                                                                      point(f, 6, "branch", "6", "t", 0)])]))
    out = tmp_path / "c.info"
    coverage.write_info(files, out)
    text = out.read_text().splitlines()
    assert text[0] == "TN:ringnic" and text[1] == f"SF:{f}"
    assert "DA:5,1" in text and "DA:6,0" in text and "LF:2" in text and "LH:1" in text
    assert "BRDA:6,0,0,0" in text and "BRF:1" in text and text[-1] == "end_of_record"


def test_waivers_file_parses():
    for name, spans in coverage.load_waivers().items():
        assert (coverage.ROOT / name).exists(), name
        assert all(a <= b and why for a, b, why in spans)
