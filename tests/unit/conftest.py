"""Fixtures the kernel-model unit tests share."""

import pytest

from pydriver.kernel import boot


class ManualClock:
    """The kernel's clock in a unit test: nanoseconds the test sets by hand (`clock.ns = ...`)."""

    def __init__(self):
        self.ns = 0

    def __call__(self):
        return self.ns


@pytest.fixture
def clock():
    """A fresh kernel booted on a ManualClock; the clock is returned."""
    c = ManualClock()
    boot(clock=c)
    return c
