"""Applications of the harness, each a cocotb test and its command-line front end: `make demo`
(demo), `make tap` (tap_session, tap), `make bench` (bench, bench_tests, native_bench)."""
