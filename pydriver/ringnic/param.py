"""What `modinfo ringnic` shows: the module's name and version, and its parameters
(e1000_param.c's role): their defaults, the values of the current load and the parse
`modprobe ringnic name=value ...` does. Names are e1000's where e1000 has one:

  debug           netif_msg_init level for msg_enable (-1: the driver's default set)
  ipaddr          the address written to IP4AT0 at open (the seed's PADR0)
  napi            1: NAPI (interrupt, then polling); 0: the pre-NAPI driver, every frame handled in
                  the interrupt handler and queued with netif_rx (what NAPI is measured against)
  napi_weight     the poll's budget (NAPI_POLL_WEIGHT by default)
  RxIntDelay      RDTR, 1.024 us units: RXT0 that long after the last frame written back
  RxAbsIntDelay   RADV, 1.024 us units: RXT0 at most that long after the first one (0 = off)
  TxIntDelay      TIDV, 1.024 us units: TXDW that long after the last descriptor written back; not 0
                  sets CMD.IDE on every frame (e1000_configure_tx), 0 = TXDW at each write-back
  TxAbsIntDelay   TADV, 1.024 us units: TXDW at most that long after the first one (0 = off)
  watchdog_period jiffies (ms) between two runs of the link and statistics watchdog: e1000's
                  2 * HZ; project-specific, so tests need not simulate seconds to see one
"""

from __future__ import annotations

from pydriver.kernel.napi import NAPI_POLL_WEIGHT
from pydriver.kernel.timer import HZ

DRV_NAME = "ringnic"
DRV_VERSION = "0.1.0"

PARAM_DEFAULTS = {"napi": 1, "napi_weight": NAPI_POLL_WEIGHT, "RxIntDelay": 0, "RxAbsIntDelay": 8,
                  "TxIntDelay": 8, "TxAbsIntDelay": 32,
                  "watchdog_period": 2 * HZ}
params = dict(PARAM_DEFAULTS)
debug = -1  # "debug": -1 = DEFAULT_MSG_ENABLE, 0..16 = netif_msg_init levels
ipaddr = 0  # "ipaddr": IP4AT0's value, network byte order in bits 7:0 first


def parse(debug_: int = -1, ipaddr_: str = "", **given) -> list:
    """Take one load's parameters; returns the unknown names (the load then fails)."""
    global debug, ipaddr
    unknown = sorted(set(given) - set(PARAM_DEFAULTS))
    if unknown:
        return unknown
    params.clear()  # a new load starts from the defaults
    params.update(PARAM_DEFAULTS, **{k: int(v) for k, v in given.items()})
    debug = debug_
    ipaddr = int.from_bytes(bytes(int(x) for x in ipaddr_.split(".")), "little") if ipaddr_ else 0
    return []
