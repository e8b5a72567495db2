"""The ringnic register map, elaborated from ``rtl/ringnic_regs.rdl`` (the single source of truth).

Everything else is generated from it:

* ``pydriver/ringnic/regs.py``   offsets and bit masks for the driver (like ``e1000_hw.h``)
* ``rtl/ringnic_regmap.vh``      localparams the RTL register file decodes with
* ``docs/registers.md``          the register reference (peakrdl-markdown)

and from ``rtl/ringnic_desc.rdl`` (the legacy TX and RX descriptor layouts):

* ``pydriver/ringnic/desc.py``   member offsets, masks, pack/unpack for the driver and tests
* ``rtl/ringnic_desc.vh``        bit positions in the 128-bit descriptor for the engines
* ``docs/descriptors.md``        the descriptor reference

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
DESC_RDL = ROOT / "rtl" / "ringnic_desc.rdl"
DESCRIPTORS = {"TXD": "ringnic_txd", "RXD": "ringnic_rxd"}  # prefix: addrmap in DESC_RDL
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
    width: int = 32  # bits (a descriptor member may be 8, 16, 32 or 64)

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


def _elaborate(path: Path = RDL, top: str | None = None):
    from systemrdl import RDLCompiler  # lazy: the RDL compiler is heavy and only `make regs` needs it

    compiler = RDLCompiler()
    compiler.compile_file(str(path))
    return compiler.elaborate(top_def_name=top)


@functools.lru_cache(maxsize=None)
def load() -> dict[str, Register]:
    """Registers by name, in address order."""
    return _registers(_elaborate())


@functools.lru_cache(maxsize=None)
def load_descriptors() -> dict[str, dict[str, Register]]:
    """Each descriptor's members (registers at their byte offset) by name, by prefix (TXD, RXD)."""
    return {prefix: _registers(_elaborate(DESC_RDL, top)) for prefix, top in DESCRIPTORS.items()}


def _registers(root) -> dict[str, Register]:
    from systemrdl.rdltypes import OnReadType, OnWriteType  # lazy, as _elaborate

    regs = []
    for node in root.top.registers(unroll=False):
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
            width=node.get_property("regwidth"),
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


# ---------------------------------------------------------------------------------- descriptors
_DESC_HEADER = "generated from rtl/ringnic_desc.rdl by `make regs`; do not edit"
DESC_BYTES = 16


def _desc_names(prefix: str) -> list[tuple[str, int, int, int, int]]:
    """(name, byte offset, lsb in its member, width, member bits) of every member and field; a
    member with one full-width field of its own name is listed once."""
    out = []
    for m in load_descriptors()[prefix].values():
        out.append((m.name, m.offset, 0, m.width, m.width))
        out += [(f.name, m.offset, f.lsb, f.width, m.width) for f in m.fields
                if not (f.name == m.name and f.width == m.width)]
    names = [n for n, *_ in out]
    assert len(names) == len(set(names)), f"{prefix}: member/field names collide"
    return out


def desc_python_module() -> str:
    out = [f'"""ringnic descriptors: the legacy TX and RX layouts ({_DESC_HEADER}).', "",
           "As e1000_hw.h: <P>_<MEMBER> is a struct member's byte offset, <P>_<FIELD> a field's mask",
           "within its member (TXD_CMD_EOP in lower.data, RXD_STAT_DD in status), _SHIFT a multi-bit",
           'field\'s lsb there; pack/unpack convert between member values and the 16 bytes."""', "",
           "# fmt: off", f"DESC_SIZE = {DESC_BYTES}"]
    for prefix, regs_ in load_descriptors().items():
        out.append(f"\n# {_elaborate(DESC_RDL, DESCRIPTORS[prefix]).top.get_property('name')}")
        for m in regs_.values():
            out.append(f"{prefix}_{m.name} = {m.offset}")
            for f in m.fields:
                if f.name == m.name and f.width == m.width:
                    continue
                out.append(f"{prefix}_{f.name} = 0x{f.mask:0{m.width // 4}X}")
                if f.width > 1:
                    out.append(f"{prefix}_{f.name}_SHIFT = {f.lsb}")
        out.append(f"{prefix}_LAYOUT = ("
                   + " ".join(f"({m.name.lower()!r}, {m.offset}, {m.width // 8})," for m in regs_.values()) + ")")
    out.append('''

def pack(layout, **members: int) -> bytes:
    """The 16 bytes of a descriptor from member values by name (TXD_LAYOUT's or RXD_LAYOUT's), 0 if absent."""
    out = bytearray(DESC_SIZE)
    for name, off, size in layout:
        out[off:off + size] = members.pop(name, 0).to_bytes(size, "little")
    if members:
        raise TypeError(f"no member {sorted(members)} in a descriptor of {[n for n, _, _ in layout]}")
    return bytes(out)


def unpack(layout, data: bytes, start: int = 0) -> dict[str, int]:
    """Member values by name from descriptor bytes `start`.. (e.g. 8 for a write-back beat)."""
    return {name: int.from_bytes(data[off - start:off - start + size], "little")
            for name, off, size in layout if off >= start and off - start + size <= len(data)}''')
    return "\n".join(out) + "\n"


def desc_verilog_header() -> str:
    out = [f"// ringnic descriptors: {_DESC_HEADER}.",
           "// Included inside the engines: RN_TXD_<X>/RN_RXD_<X> is the lsb of a member or field in the",
           "// 128-bit descriptor (byte 0 in bits 7:0, as the 64-bit DMA beats carry it), _W its width",
           "// when over 1.",
           "/* verilator lint_off UNUSEDPARAM */",
           f"localparam integer RN_DESC_W = {8 * DESC_BYTES};"]
    for prefix in load_descriptors():
        for name, off, lsb, width, _ in _desc_names(prefix):
            out.append(f"localparam integer RN_{prefix}_{name} = {8 * off + lsb};")
            if width > 1:
                out.append(f"localparam integer RN_{prefix}_{name}_W = {width};")
    out.append("/* verilator lint_on UNUSEDPARAM */")
    return "\n".join(out) + "\n"


def desc_markdown() -> str:
    out = [f"<!-- {_DESC_HEADER} -->", "# ringnic descriptors", "",
           "Little-endian, 16 bytes each, in rings of TDLEN/RDLEN bytes (see registers.md). Bits are",
           "given within the member (as e1000_hw.h's masks) and within the 128-bit descriptor (as",
           "rtl/ringnic_desc.vh's RN_TXD_*/RN_RXD_*)."]
    for prefix, top in DESCRIPTORS.items():
        root = _elaborate(DESC_RDL, top).top
        out += ["", f"## {root.get_property('name')} ({prefix})", "", " ".join(root.get_property("desc").split()), "",
                "| Member | Byte | Field | Bits (member) | Bits (descriptor) | SW | Description |",
                "|---|---|---|---|---|---|---|"]
        nodes = {n.inst_name: n for n in root.registers()}
        for m in load_descriptors()[prefix].values():
            for f in m.fields:
                node = nodes[m.name].get_child_by_name(f.name)
                hi, lo = f.lsb + f.width - 1, f.lsb
                at = 8 * m.offset
                sw = ("r" if f.readable else "") + ("w" if f.writable else "")
                desc = " ".join((node.get_property("desc") or "").split())
                out.append(f"| {nodes[m.name].get_property('name')} | {m.offset} | {f.name} | {hi}:{lo} "
                           f"| {at + hi}:{at + lo} | {sw} | {desc} |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- waveforms
# GTKWave translate filters ("value name" per line, matched against the value as displayed: hex,
# every digit): referenced from the sim/*.gtkw save files (tb/tools/gtkw.py, tests/harness/test_waves.py).
FILTERS = ROOT / "sim" / "filters"
CAUSES = ("ICR", "IMS")  # cause vectors the save files show by bit name (ICS and IMC share the bits)


def filter_axil_addr() -> str:
    """Every register offset (AXI-Lite awaddr/araddr) by name."""
    digits = (ADDR_BITS + 3) // 4
    out = [f"# {_HEADER}: AXI-Lite address -> register"]
    for r in load().values():
        names = [r.name] if r.count == 1 else [f"{r.name}[{i}]" for i in range(r.count)]
        out += [f"{off:0{digits}X} {name}" for off, name in zip(r.offsets(), names)]
    return "\n".join(out) + "\n"


def filter_intr_cause() -> str:
    """Every combination of the interrupt cause bits (ICR/IMS value) as NAME|NAME."""
    import itertools

    fields = load()["ICR"].fields
    assert all([(f.name, f.lsb) for f in load()[n].fields] == [(f.name, f.lsb) for f in fields] for n in CAUSES)
    out = [f"# {_HEADER}: interrupt cause bits (ICR, ICS, IMS, IMC) -> names"]
    for k in range(1, len(fields) + 1):
        for combo in itertools.combinations(fields, k):
            out.append(f"{sum(f.mask for f in combo):08X} {'|'.join(f.name for f in combo)}")
    return "\n".join(out) + "\n"


GENERATED = {
    ROOT / "pydriver" / "ringnic" / "regs.py": python_module,
    ROOT / "rtl" / "ringnic_regmap.vh": verilog_header,
    ROOT / "docs" / "registers.md": markdown,
    ROOT / "pydriver" / "ringnic" / "desc.py": desc_python_module,
    ROOT / "rtl" / "ringnic_desc.vh": desc_verilog_header,
    ROOT / "docs" / "descriptors.md": desc_markdown,
    FILTERS / "axil_addr.txt": filter_axil_addr,
    FILTERS / "intr_cause.txt": filter_intr_cause,
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
            path.parent.mkdir(parents=True, exist_ok=True)
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
