"""Block-level benches: one per RTL block the tests drive alone (tests/rtl/test_<block>.py).
Each builds its DUT's clock, bus models and monitors, and is named <Block>Bench."""
