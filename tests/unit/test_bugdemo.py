"""Bug-demo variants are a checked set: a typo is an error naming the known ones, never the
correct driver run silently, and every declared variant is exercised by some test."""

import re
from pathlib import Path

import pytest

from pydriver.ringnic.bugdemo import VARIANTS, Bugs
from pydriver.ringnic.main import RingnicAdapter

TESTS = Path(__file__).resolve().parents[1]


def test_unknown_name_is_an_error_naming_the_known():
    with pytest.raises(ValueError, match=r"unknown bug variant 'no_dma_wmbb'; known: .*no_dma_wmb") as e:
        Bugs({"no_dma_wmbb"})
    assert all(name in str(e.value) for name in VARIANTS)


def test_adapter_checks_on_assignment_and_reads_attributes():
    adapter = RingnicAdapter()
    assert not adapter.bugs and adapter.bugs.no_dma_wmb is False  # the real driver
    adapter.bugs = {"no_dma_wmb"}
    assert adapter.bugs.no_dma_wmb is True and adapter.bugs.rx_no_sync is False
    with pytest.raises(ValueError, match="unknown bug variant 'rx_nosync'"):
        adapter.bugs = ["rx_nosync"]
    assert adapter.bugs == {"no_dma_wmb"}  # a rejected assignment changes nothing
    with pytest.raises(AttributeError, match="unknown bug variant 'no_dma_wmbb'"):
        adapter.bugs.no_dma_wmbb


def test_every_variant_described_and_used_by_a_test():
    assert all(re.fullmatch(r"[a-z_0-9]+", n) and VARIANTS[n].strip() for n in VARIANTS)
    text = "\n".join(p.read_text() for p in TESTS.rglob("*.py") if p.parent.name != "unit")
    unused = [n for n in VARIANTS if not re.search(rf"['\"]{n}['\"]", text)]
    assert unused == [], f"declared bug variants no test switches on: {unused}"


def test_every_variant_consulted_by_the_driver():
    driver = Path(__file__).resolve().parents[2] / "pydriver" / "ringnic"
    text = "\n".join(p.read_text() for p in driver.glob("*.py"))
    assert [n for n in VARIANTS if f"bugs.{n}" not in text] == []
