"""The ringnic register map, elaborated from ``rtl/ringnic_regs.rdl`` (the single source of truth).

Everything else is generated from it:

* ``pydriver/ringnic/regs.py``   offsets and bit masks for the driver (like ``e1000_hw.h``)
* ``rtl/ringnic_regmap.vh``      localparams the RTL register file decodes with
* ``docs/registers.md``          the register reference (peakrdl-markdown)

``python -m pydriver.ringnic.regmap --write`` (``make regs``) regenerates them;
``--check`` exits non-zero when one is stale (a unit test runs it).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RDL = ROOT / "rtl" / "ringnic_regs.rdl"
ADDR_BITS = 17  # 128 KiB window, like the 8254x BAR0


@dataclass(frozen=True)
class Field:
    name: str
    lsb: int
    width: int
    reset: int
    readable: bool
    writable: bool
    rclr: bool = False  # read clears
    woclr: bool = False  # write 1 clears
    woset: bool = False  # write 1 sets
    singlepulse: bool = False  # write 1 pulses; reads 0
    counter: bool = False
    encode: tuple[tuple[str, int], ...] = ()  # (name, value) of an enumerated field

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb


@dataclass(frozen=True)
class Register:
    name: str
    title: str
    offset: int
    fields: tuple[Field, ...]
    count: int = 1  # array length (MTA)
    stride: int = 4
    pair_high: bool = False  # high half of a 64-bit counter: its read clears both halves

    @property
    def reset(self) -> int:
        return sum(f.reset << f.lsb for f in self.fields)

    @property
    def mask(self) -> int:
        """Bits the register implements."""
        return sum(f.mask for f in self.fields)

    @property
    def read_mask(self) -> int:
        """Bits a read returns (write-only and single-pulse fields read 0)."""
        return sum(f.mask for f in self.fields if f.readable and not f.singlepulse)

    @property
    def write_mask(self) -> int:
        return sum(f.mask for f in self.fields if f.writable)

    @property
    def read_clears(self) -> bool:
        return any(f.rclr for f in self.fields)

    def offsets(self) -> list[int]:
        return [self.offset + i * self.stride for i in range(self.count)]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _elaborate():
    from systemrdl import RDLCompiler  # lazy: the RDL compiler is heavy and only `make regs` needs it

    compiler = RDLCompiler()
    compiler.compile_file(str(RDL))
    return compiler.elaborate()


@functools.lru_cache(maxsize=None)
def load() -> dict[str, Register]:
    """Registers by name, in address order."""
    from systemrdl.rdltypes import OnReadType, OnWriteType  # lazy, as _elaborate

    regs = []
    for node in _elaborate().top.registers(unroll=False):
        fields = []
        for f in node.fields():
            fields.append(Field(
                name=f.inst_name, lsb=f.lsb, width=f.width,
                reset=f.get_property("reset") or 0,
                readable=f.is_sw_readable, writable=f.is_sw_writable,
                rclr=f.get_property("onread") == OnReadType.rclr,
                woclr=f.get_property("onwrite") == OnWriteType.woclr,
                woset=f.get_property("onwrite") == OnWriteType.woset,
                singlepulse=bool(f.get_property("singlepulse")),
                counter=bool(f.get_property("counter")),
                encode=tuple((m.name, m.value) for m in (f.get_property("encode") or ())),
            ))
        regs.append(Register(
            name=node.inst_name,
            title=node.get_property("name"),
            offset=node.raw_address_offset,
            fields=tuple(fields),
            count=node.array_dimensions[0] if node.is_array else 1,
            stride=node.array_stride if node.is_array else 4,
            pair_high=bool(node.get_property("pair_high", default=False)),
        ))
    regs.sort(key=lambda r: r.offset)
    return {r.name: r for r in regs}


# ---------------------------------------------------------------------------------- generators
_HEADER = "generated from rtl/ringnic_regs.rdl by `make regs`; do not edit"


def python_module() -> str:
    out = [f'"""ringnic registers: offsets, bit masks, reset values ({_HEADER})."""', "", "# fmt: off"]
    for r in load().values():
        out.append(f"\n# {r.title}" + (f" [{r.count}], stride {r.stride}" if r.count > 1 else ""))
        out.append(f"{r.name} = 0x{r.offset:05X}")
        out.append(f"{r.name}_RESET = 0x{r.reset:08X}")
        for f in r.fields:
            if len(r.fields) == 1 and f.lsb == 0 and f.width == 32:
                continue
            out.append(f"{r.name}_{f.name} = 0x{f.mask:08X}")
            if f.width > 1:
                out.append(f"{r.name}_{f.name}_SHIFT = {f.lsb}")
            out += [f"{r.name}_{f.name}_{name} = {value}" for name, value in f.encode]
    out.append("\n# (offset, count, stride, name) of every register, for messages.")
    out.append("LAYOUT = (")
    out += [f"    (0x{r.offset:05X}, {r.count}, {r.stride}, {r.name!r})," for r in load().values()]
    out.append(")")
    out.append('''

def register_name(offset: int) -> str:
    """'ICR', 'MTA[3]', or 'unmapped' for an offset into the register window."""
    for base, count, stride, name in LAYOUT:
        if base <= offset < base + count * stride and (offset - base) % stride == 0:
            return name if count == 1 else f"{name}[{(offset - base) // stride}]"
    return "unmapped"''')
    return "\n".join(out) + "\n"


def verilog_header() -> str:
    w = ADDR_BITS
    out = [f"// ringnic register map: {_HEADER}.",
           "// Included inside rtl/ringnic_regs.v: RN_<REG> offset, _RSTVAL reset value, _RMASK bits",
           "// a read returns, _WMASK bits a write may change, RN_<REG>_<FIELD> a field's lsb (_W its",
           "// width, when over 1), RN_<REG>_COUNT/_STRIDE an array's length and byte stride.",
           "/* verilator lint_off UNUSEDPARAM */"]
    for r in load().values():
        out.append(f"localparam [{w - 1}:0] RN_{r.name} = {w}'h{r.offset:05X};")
        if r.count > 1:
            out.append(f"localparam integer RN_{r.name}_COUNT = {r.count};")
            out.append(f"localparam integer RN_{r.name}_STRIDE = {r.stride};")
        out.append(f"localparam [31:0] RN_{r.name}_RSTVAL = 32'h{r.reset:08X};")
        out.append(f"localparam [31:0] RN_{r.name}_RMASK = 32'h{r.read_mask:08X};")
        out.append(f"localparam [31:0] RN_{r.name}_WMASK = 32'h{r.write_mask:08X};")
        for f in r.fields:
            if f.width == 32:
                continue
            out.append(f"localparam integer RN_{r.name}_{f.name} = {f.lsb};")
            if f.width > 1:
                out.append(f"localparam integer RN_{r.name}_{f.name}_W = {f.width};")
            out += [f"localparam [{f.width - 1}:0] RN_{r.name}_{f.name}_{n} = {f.width}'d{v};" for n, v in f.encode]
    out.append("/* verilator lint_on UNUSEDPARAM */")
    names = [line.split("=")[0].split()[-1] for line in out if line.startswith("localparam")]
    assert len(names) == len(set(names)), "register/field names collide in the Verilog header"
    return "\n".join(out) + "\n"


def markdown() -> str:
    from peakrdl_markdown import MarkdownExporter  # lazy: only the docs generator needs it

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registers.md"
        MarkdownExporter().export(_elaborate().top, str(path), input_files=["rtl/ringnic_regs.rdl"])
        return path.read_text()


GENERATED = {
    ROOT / "pydriver" / "ringnic" / "regs.py": python_module,
    ROOT / "rtl" / "ringnic_regmap.vh": verilog_header,
    ROOT / "docs" / "registers.md": markdown,
}


def stale() -> list[Path]:
    return [p for p, gen in GENERATED.items() if not p.exists() or p.read_text() != gen()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="regenerate every derived file")
    ap.add_argument("--check", action="store_true", help="fail if a derived file is stale")
    args = ap.parse_args(argv)
    if args.write:
        for path, gen in GENERATED.items():
            path.write_text(gen())
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check:
        bad = stale()
        for p in bad:
            print(f"stale: {p.relative_to(ROOT)} (run `make regs`)", file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
