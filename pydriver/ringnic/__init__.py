"""The ringnic driver, written like Linux's e1000, on the kernel model in pydriver/kernel.

Modules, lowest first (``LAYERS``); each imports only pydriver.kernel and the ringnic modules
before it (checked by tests/unit/test_kernel_layers.py): the register map (regmap, the generated
regs and descriptor layouts, desc), the hardware layer (hw), the bug-demo variants (bugdemo), the TX and RX rings (tx, rx),
the module parameters (param), the link and statistics watchdog (watchdog), the netdev ops and
interrupt (netdev), ethtool_ops (ethtool), probe and module init (main).
"""

LAYERS = (
    ("registers", ("regmap", "regs", "desc")),
    ("hardware", ("hw",)),
    ("driver", ("param", "bugdemo", "tx", "rx", "watchdog", "netdev", "ethtool", "main")),
)
