"""Ethernet constants, as include/uapi/linux/if_ether.h: the one place the driver model, the
kernel model, the harness and the tests take them from. Imports nothing (a leaf module)."""

ETH_ALEN = 6  # octets in one ethernet address
ETH_TLEN = 2  # octets in the ethertype field
ETH_HLEN = 14  # total octets in the header
ETH_ZLEN = 60  # minimum octets in a frame, FCS excluded
ETH_DATA_LEN = 1500  # maximum octets in the payload
ETH_FRAME_LEN = 1514  # maximum octets in a frame, FCS excluded
ETH_FCS_LEN = 4  # octets in the FCS
ETH_MIN_MTU = 68  # minimum MTU (RFC 791)
ETH_MAX_MTU = 0xFFFF

ETH_P_802_3_MIN = 0x0600  # ethertypes from here on; below, an 802.3 length
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
ETH_P_IPV6 = 0x86DD
