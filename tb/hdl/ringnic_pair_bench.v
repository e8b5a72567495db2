`default_nettype none
`timescale 1ns/1ps

// ringnic_pair_bench: the benchmark's no-Python limit. The two cross-connected NICs of
// ringnic_pair, each with an HDL RAM on its DMA port and a doorbell that keeps its rings full
// (bench_host), so that once the harness has preloaded the rings and frames (through the RAMs'
// `mem` handles), programmed both NICs over a_s_axil_/b_s_axil_ and raised `bench_run`, the
// simulator runs alone: no Python until the harness wakes up to read the counters.
//
// Counters (plain regs, read through handles after `bench_run` falls; they count only while it
// is high, from reset): cnt_cycles here, and for each link (ab: A to B, ba: B to A)
//   cnt_<link>_frames  beats with TLAST taken
//   cnt_<link>_bytes   bytes taken (TKEEP bits of every beat taken; the FCS is on the stream)
//   cnt_<link>_stall   cycles with TVALID high and TREADY low: the receiver held the sender
// and, per NIC, those of bench_host (u_host_a, u_host_b): descriptor fetches and write-backs,
// frames and bytes handed to the host.
//
// Its copies of ringnic's ports sit between `// BEGIN tb/tools/tops.py` and `// END tb/tools/tops.py` lines:
// generated from rtl/ringnic.v by `make regs`; edit tb/tools/tops.py, not them.

module ringnic_pair_bench #(
    parameter [47:0]  MAC_A      = 48'h02_0A_35_00_00_01, // NIC A's MAC address at reset (first octet in 47:40)
    parameter [47:0]  MAC_B      = 48'h02_0A_35_00_00_02, // NIC B's
    parameter integer RING_N     = 256,                   // descriptors per ring; the harness programs TDLEN = RDLEN = 16 * RING_N
    parameter integer DEPTH_LOG2 = 17                     // each NIC's RAM: 2**DEPTH_LOG2 64-bit words (17: 1 MiB)
) (
    input  wire          clk,
    input  wire          rst,            // synchronous, active high
    input  wire          bench_run,      // the doorbells own the register ports; counters count
    input  wire          a_tx_en,        // NIC A's doorbell recycles its TX ring
    input  wire          a_rx_en,        // ... its RX ring
    input  wire          b_tx_en,        // NIC B's, likewise
    input  wire          b_rx_en,
    input  wire [31:0]   ring_tx_base,   // TDBAL both NICs are programmed with (each in its own RAM)
    input  wire [31:0]   ring_rx_base,   // RDBAL, likewise
    output wire          bench_busy,     // a doorbell still owns a register port
    output wire          bench_err,      // sticky: a doorbell access failed, or a RAM got a burst it cannot serve
    output wire          a_irq,
    output wire          b_irq,

    // ------------------------------------------------------------ the harness's register ports
    // BEGIN tb/tools/tops.py: harness ports
    input  wire [16:0]               a_s_axil_awaddr,
    input  wire [2:0]                a_s_axil_awprot,
    input  wire                      a_s_axil_awvalid,
    output wire                      a_s_axil_awready,
    input  wire [31:0]               a_s_axil_wdata,
    input  wire [3:0]                a_s_axil_wstrb,
    input  wire                      a_s_axil_wvalid,
    output wire                      a_s_axil_wready,
    output wire [1:0]                a_s_axil_bresp,
    output wire                      a_s_axil_bvalid,
    input  wire                      a_s_axil_bready,
    input  wire [16:0]               a_s_axil_araddr,
    input  wire [2:0]                a_s_axil_arprot,
    input  wire                      a_s_axil_arvalid,
    output wire                      a_s_axil_arready,
    output wire [31:0]               a_s_axil_rdata,
    output wire [1:0]                a_s_axil_rresp,
    output wire                      a_s_axil_rvalid,
    input  wire                      a_s_axil_rready,
    input  wire [16:0]               b_s_axil_awaddr,
    input  wire [2:0]                b_s_axil_awprot,
    input  wire                      b_s_axil_awvalid,
    output wire                      b_s_axil_awready,
    input  wire [31:0]               b_s_axil_wdata,
    input  wire [3:0]                b_s_axil_wstrb,
    input  wire                      b_s_axil_wvalid,
    output wire                      b_s_axil_wready,
    output wire [1:0]                b_s_axil_bresp,
    output wire                      b_s_axil_bvalid,
    input  wire                      b_s_axil_bready,
    input  wire [16:0]               b_s_axil_araddr,
    input  wire [2:0]                b_s_axil_arprot,
    input  wire                      b_s_axil_arvalid,
    output wire                      b_s_axil_arready,
    output wire [31:0]               b_s_axil_rdata,
    output wire [1:0]                b_s_axil_rresp,
    output wire                      b_s_axil_rvalid,
    input  wire                      b_s_axil_rready
    // END tb/tools/tops.py: harness ports
);

`include "ringnic_regmap.vh"

    // BEGIN tb/tools/tops.py: wires
    // NIC A: register port after the mux, DMA port
    wire [16:0]         a_nic_axil_awaddr;
    wire [2:0]          a_nic_axil_awprot;
    wire                a_nic_axil_awvalid;
    wire                a_nic_axil_awready;
    wire [31:0]         a_nic_axil_wdata;
    wire [3:0]          a_nic_axil_wstrb;
    wire                a_nic_axil_wvalid;
    wire                a_nic_axil_wready;
    wire [1:0]          a_nic_axil_bresp;
    wire                a_nic_axil_bvalid;
    wire                a_nic_axil_bready;
    wire [16:0]         a_nic_axil_araddr;
    wire [2:0]          a_nic_axil_arprot;
    wire                a_nic_axil_arvalid;
    wire                a_nic_axil_arready;
    wire [31:0]         a_nic_axil_rdata;
    wire [1:0]          a_nic_axil_rresp;
    wire                a_nic_axil_rvalid;
    wire                a_nic_axil_rready;
    wire [3:0]          a_m_axi_awid;
    wire [31:0]         a_m_axi_awaddr;
    wire [7:0]          a_m_axi_awlen;
    wire [2:0]          a_m_axi_awsize;
    wire [1:0]          a_m_axi_awburst;
    wire                a_m_axi_awlock;
    wire [3:0]          a_m_axi_awcache;
    wire [2:0]          a_m_axi_awprot;
    wire                a_m_axi_awvalid;
    wire                a_m_axi_awready;
    wire [63:0]         a_m_axi_wdata;
    wire [7:0]          a_m_axi_wstrb;
    wire                a_m_axi_wlast;
    wire                a_m_axi_wvalid;
    wire                a_m_axi_wready;
    wire [3:0]          a_m_axi_bid;
    wire [1:0]          a_m_axi_bresp;
    wire                a_m_axi_bvalid;
    wire                a_m_axi_bready;
    wire [3:0]          a_m_axi_arid;
    wire [31:0]         a_m_axi_araddr;
    wire [7:0]          a_m_axi_arlen;
    wire [2:0]          a_m_axi_arsize;
    wire [1:0]          a_m_axi_arburst;
    wire                a_m_axi_arlock;
    wire [3:0]          a_m_axi_arcache;
    wire [2:0]          a_m_axi_arprot;
    wire                a_m_axi_arvalid;
    wire                a_m_axi_arready;
    wire [3:0]          a_m_axi_rid;
    wire [63:0]         a_m_axi_rdata;
    wire [1:0]          a_m_axi_rresp;
    wire                a_m_axi_rlast;
    wire                a_m_axi_rvalid;
    wire                a_m_axi_rready;
    // NIC B: register port after the mux, DMA port
    wire [16:0]         b_nic_axil_awaddr;
    wire [2:0]          b_nic_axil_awprot;
    wire                b_nic_axil_awvalid;
    wire                b_nic_axil_awready;
    wire [31:0]         b_nic_axil_wdata;
    wire [3:0]          b_nic_axil_wstrb;
    wire                b_nic_axil_wvalid;
    wire                b_nic_axil_wready;
    wire [1:0]          b_nic_axil_bresp;
    wire                b_nic_axil_bvalid;
    wire                b_nic_axil_bready;
    wire [16:0]         b_nic_axil_araddr;
    wire [2:0]          b_nic_axil_arprot;
    wire                b_nic_axil_arvalid;
    wire                b_nic_axil_arready;
    wire [31:0]         b_nic_axil_rdata;
    wire [1:0]          b_nic_axil_rresp;
    wire                b_nic_axil_rvalid;
    wire                b_nic_axil_rready;
    wire [3:0]          b_m_axi_awid;
    wire [31:0]         b_m_axi_awaddr;
    wire [7:0]          b_m_axi_awlen;
    wire [2:0]          b_m_axi_awsize;
    wire [1:0]          b_m_axi_awburst;
    wire                b_m_axi_awlock;
    wire [3:0]          b_m_axi_awcache;
    wire [2:0]          b_m_axi_awprot;
    wire                b_m_axi_awvalid;
    wire                b_m_axi_awready;
    wire [63:0]         b_m_axi_wdata;
    wire [7:0]          b_m_axi_wstrb;
    wire                b_m_axi_wlast;
    wire                b_m_axi_wvalid;
    wire                b_m_axi_wready;
    wire [3:0]          b_m_axi_bid;
    wire [1:0]          b_m_axi_bresp;
    wire                b_m_axi_bvalid;
    wire                b_m_axi_bready;
    wire [3:0]          b_m_axi_arid;
    wire [31:0]         b_m_axi_araddr;
    wire [7:0]          b_m_axi_arlen;
    wire [2:0]          b_m_axi_arsize;
    wire [1:0]          b_m_axi_arburst;
    wire                b_m_axi_arlock;
    wire [3:0]          b_m_axi_arcache;
    wire [2:0]          b_m_axi_arprot;
    wire                b_m_axi_arvalid;
    wire                b_m_axi_arready;
    wire [3:0]          b_m_axi_rid;
    wire [63:0]         b_m_axi_rdata;
    wire [1:0]          b_m_axi_rresp;
    wire                b_m_axi_rlast;
    wire                b_m_axi_rvalid;
    wire                b_m_axi_rready;
    // END tb/tools/tops.py: wires
    wire a_busy, b_busy, a_err, b_err;
    wire a_phy_link_up = 1'b1, b_phy_link_up = 1'b1;  // the cable is always in

    assign bench_busy = a_busy || b_busy;
    assign bench_err  = a_err || b_err;

    ringnic_pair #(.MAC_A(MAC_A), .MAC_B(MAC_B)) u_pair (
        // BEGIN tb/tools/tops.py: pair
        .clk(clk),
        .rst(rst),
        .a_s_axil_awaddr(a_nic_axil_awaddr),
        .a_s_axil_awprot(a_nic_axil_awprot),
        .a_s_axil_awvalid(a_nic_axil_awvalid),
        .a_s_axil_awready(a_nic_axil_awready),
        .a_s_axil_wdata(a_nic_axil_wdata),
        .a_s_axil_wstrb(a_nic_axil_wstrb),
        .a_s_axil_wvalid(a_nic_axil_wvalid),
        .a_s_axil_wready(a_nic_axil_wready),
        .a_s_axil_bresp(a_nic_axil_bresp),
        .a_s_axil_bvalid(a_nic_axil_bvalid),
        .a_s_axil_bready(a_nic_axil_bready),
        .a_s_axil_araddr(a_nic_axil_araddr),
        .a_s_axil_arprot(a_nic_axil_arprot),
        .a_s_axil_arvalid(a_nic_axil_arvalid),
        .a_s_axil_arready(a_nic_axil_arready),
        .a_s_axil_rdata(a_nic_axil_rdata),
        .a_s_axil_rresp(a_nic_axil_rresp),
        .a_s_axil_rvalid(a_nic_axil_rvalid),
        .a_s_axil_rready(a_nic_axil_rready),
        .a_m_axi_awid(a_m_axi_awid),
        .a_m_axi_awaddr(a_m_axi_awaddr),
        .a_m_axi_awlen(a_m_axi_awlen),
        .a_m_axi_awsize(a_m_axi_awsize),
        .a_m_axi_awburst(a_m_axi_awburst),
        .a_m_axi_awlock(a_m_axi_awlock),
        .a_m_axi_awcache(a_m_axi_awcache),
        .a_m_axi_awprot(a_m_axi_awprot),
        .a_m_axi_awvalid(a_m_axi_awvalid),
        .a_m_axi_awready(a_m_axi_awready),
        .a_m_axi_wdata(a_m_axi_wdata),
        .a_m_axi_wstrb(a_m_axi_wstrb),
        .a_m_axi_wlast(a_m_axi_wlast),
        .a_m_axi_wvalid(a_m_axi_wvalid),
        .a_m_axi_wready(a_m_axi_wready),
        .a_m_axi_bid(a_m_axi_bid),
        .a_m_axi_bresp(a_m_axi_bresp),
        .a_m_axi_bvalid(a_m_axi_bvalid),
        .a_m_axi_bready(a_m_axi_bready),
        .a_m_axi_arid(a_m_axi_arid),
        .a_m_axi_araddr(a_m_axi_araddr),
        .a_m_axi_arlen(a_m_axi_arlen),
        .a_m_axi_arsize(a_m_axi_arsize),
        .a_m_axi_arburst(a_m_axi_arburst),
        .a_m_axi_arlock(a_m_axi_arlock),
        .a_m_axi_arcache(a_m_axi_arcache),
        .a_m_axi_arprot(a_m_axi_arprot),
        .a_m_axi_arvalid(a_m_axi_arvalid),
        .a_m_axi_arready(a_m_axi_arready),
        .a_m_axi_rid(a_m_axi_rid),
        .a_m_axi_rdata(a_m_axi_rdata),
        .a_m_axi_rresp(a_m_axi_rresp),
        .a_m_axi_rlast(a_m_axi_rlast),
        .a_m_axi_rvalid(a_m_axi_rvalid),
        .a_m_axi_rready(a_m_axi_rready),
        .a_phy_link_up(a_phy_link_up),
        .a_irq(a_irq),
        .b_s_axil_awaddr(b_nic_axil_awaddr),
        .b_s_axil_awprot(b_nic_axil_awprot),
        .b_s_axil_awvalid(b_nic_axil_awvalid),
        .b_s_axil_awready(b_nic_axil_awready),
        .b_s_axil_wdata(b_nic_axil_wdata),
        .b_s_axil_wstrb(b_nic_axil_wstrb),
        .b_s_axil_wvalid(b_nic_axil_wvalid),
        .b_s_axil_wready(b_nic_axil_wready),
        .b_s_axil_bresp(b_nic_axil_bresp),
        .b_s_axil_bvalid(b_nic_axil_bvalid),
        .b_s_axil_bready(b_nic_axil_bready),
        .b_s_axil_araddr(b_nic_axil_araddr),
        .b_s_axil_arprot(b_nic_axil_arprot),
        .b_s_axil_arvalid(b_nic_axil_arvalid),
        .b_s_axil_arready(b_nic_axil_arready),
        .b_s_axil_rdata(b_nic_axil_rdata),
        .b_s_axil_rresp(b_nic_axil_rresp),
        .b_s_axil_rvalid(b_nic_axil_rvalid),
        .b_s_axil_rready(b_nic_axil_rready),
        .b_m_axi_awid(b_m_axi_awid),
        .b_m_axi_awaddr(b_m_axi_awaddr),
        .b_m_axi_awlen(b_m_axi_awlen),
        .b_m_axi_awsize(b_m_axi_awsize),
        .b_m_axi_awburst(b_m_axi_awburst),
        .b_m_axi_awlock(b_m_axi_awlock),
        .b_m_axi_awcache(b_m_axi_awcache),
        .b_m_axi_awprot(b_m_axi_awprot),
        .b_m_axi_awvalid(b_m_axi_awvalid),
        .b_m_axi_awready(b_m_axi_awready),
        .b_m_axi_wdata(b_m_axi_wdata),
        .b_m_axi_wstrb(b_m_axi_wstrb),
        .b_m_axi_wlast(b_m_axi_wlast),
        .b_m_axi_wvalid(b_m_axi_wvalid),
        .b_m_axi_wready(b_m_axi_wready),
        .b_m_axi_bid(b_m_axi_bid),
        .b_m_axi_bresp(b_m_axi_bresp),
        .b_m_axi_bvalid(b_m_axi_bvalid),
        .b_m_axi_bready(b_m_axi_bready),
        .b_m_axi_arid(b_m_axi_arid),
        .b_m_axi_araddr(b_m_axi_araddr),
        .b_m_axi_arlen(b_m_axi_arlen),
        .b_m_axi_arsize(b_m_axi_arsize),
        .b_m_axi_arburst(b_m_axi_arburst),
        .b_m_axi_arlock(b_m_axi_arlock),
        .b_m_axi_arcache(b_m_axi_arcache),
        .b_m_axi_arprot(b_m_axi_arprot),
        .b_m_axi_arvalid(b_m_axi_arvalid),
        .b_m_axi_arready(b_m_axi_arready),
        .b_m_axi_rid(b_m_axi_rid),
        .b_m_axi_rdata(b_m_axi_rdata),
        .b_m_axi_rresp(b_m_axi_rresp),
        .b_m_axi_rlast(b_m_axi_rlast),
        .b_m_axi_rvalid(b_m_axi_rvalid),
        .b_m_axi_rready(b_m_axi_rready),
        .b_phy_link_up(b_phy_link_up),
        .b_irq(b_irq)
        // END tb/tools/tops.py: pair
    );

    bench_host #(
        .RING_N(RING_N), .DEPTH_LOG2(DEPTH_LOG2),
        .TDH_OFF(RN_TDH), .TDT_OFF(RN_TDT), .RDH_OFF(RN_RDH), .RDT_OFF(RN_RDT)
    ) u_host_a (
        .clk(clk), .rst(rst), .run(bench_run), .tx_en(a_tx_en), .rx_en(a_rx_en),
        .ring_tx_base(ring_tx_base), .ring_rx_base(ring_rx_base), .busy(a_busy), .err(a_err),
        // BEGIN tb/tools/tops.py: host a
        .s_axil_awaddr(a_s_axil_awaddr),
        .s_axil_awprot(a_s_axil_awprot),
        .s_axil_awvalid(a_s_axil_awvalid),
        .s_axil_awready(a_s_axil_awready),
        .s_axil_wdata(a_s_axil_wdata),
        .s_axil_wstrb(a_s_axil_wstrb),
        .s_axil_wvalid(a_s_axil_wvalid),
        .s_axil_wready(a_s_axil_wready),
        .s_axil_bresp(a_s_axil_bresp),
        .s_axil_bvalid(a_s_axil_bvalid),
        .s_axil_bready(a_s_axil_bready),
        .s_axil_araddr(a_s_axil_araddr),
        .s_axil_arprot(a_s_axil_arprot),
        .s_axil_arvalid(a_s_axil_arvalid),
        .s_axil_arready(a_s_axil_arready),
        .s_axil_rdata(a_s_axil_rdata),
        .s_axil_rresp(a_s_axil_rresp),
        .s_axil_rvalid(a_s_axil_rvalid),
        .s_axil_rready(a_s_axil_rready),
        .m_axil_awaddr(a_nic_axil_awaddr),
        .m_axil_awprot(a_nic_axil_awprot),
        .m_axil_awvalid(a_nic_axil_awvalid),
        .m_axil_awready(a_nic_axil_awready),
        .m_axil_wdata(a_nic_axil_wdata),
        .m_axil_wstrb(a_nic_axil_wstrb),
        .m_axil_wvalid(a_nic_axil_wvalid),
        .m_axil_wready(a_nic_axil_wready),
        .m_axil_bresp(a_nic_axil_bresp),
        .m_axil_bvalid(a_nic_axil_bvalid),
        .m_axil_bready(a_nic_axil_bready),
        .m_axil_araddr(a_nic_axil_araddr),
        .m_axil_arprot(a_nic_axil_arprot),
        .m_axil_arvalid(a_nic_axil_arvalid),
        .m_axil_arready(a_nic_axil_arready),
        .m_axil_rdata(a_nic_axil_rdata),
        .m_axil_rresp(a_nic_axil_rresp),
        .m_axil_rvalid(a_nic_axil_rvalid),
        .m_axil_rready(a_nic_axil_rready),
        .s_axi_awid(a_m_axi_awid),
        .s_axi_awaddr(a_m_axi_awaddr),
        .s_axi_awlen(a_m_axi_awlen),
        .s_axi_awsize(a_m_axi_awsize),
        .s_axi_awburst(a_m_axi_awburst),
        .s_axi_awlock(a_m_axi_awlock),
        .s_axi_awcache(a_m_axi_awcache),
        .s_axi_awprot(a_m_axi_awprot),
        .s_axi_awvalid(a_m_axi_awvalid),
        .s_axi_awready(a_m_axi_awready),
        .s_axi_wdata(a_m_axi_wdata),
        .s_axi_wstrb(a_m_axi_wstrb),
        .s_axi_wlast(a_m_axi_wlast),
        .s_axi_wvalid(a_m_axi_wvalid),
        .s_axi_wready(a_m_axi_wready),
        .s_axi_bid(a_m_axi_bid),
        .s_axi_bresp(a_m_axi_bresp),
        .s_axi_bvalid(a_m_axi_bvalid),
        .s_axi_bready(a_m_axi_bready),
        .s_axi_arid(a_m_axi_arid),
        .s_axi_araddr(a_m_axi_araddr),
        .s_axi_arlen(a_m_axi_arlen),
        .s_axi_arsize(a_m_axi_arsize),
        .s_axi_arburst(a_m_axi_arburst),
        .s_axi_arlock(a_m_axi_arlock),
        .s_axi_arcache(a_m_axi_arcache),
        .s_axi_arprot(a_m_axi_arprot),
        .s_axi_arvalid(a_m_axi_arvalid),
        .s_axi_arready(a_m_axi_arready),
        .s_axi_rid(a_m_axi_rid),
        .s_axi_rdata(a_m_axi_rdata),
        .s_axi_rresp(a_m_axi_rresp),
        .s_axi_rlast(a_m_axi_rlast),
        .s_axi_rvalid(a_m_axi_rvalid),
        .s_axi_rready(a_m_axi_rready)
        // END tb/tools/tops.py: host a
    );

    bench_host #(
        .RING_N(RING_N), .DEPTH_LOG2(DEPTH_LOG2),
        .TDH_OFF(RN_TDH), .TDT_OFF(RN_TDT), .RDH_OFF(RN_RDH), .RDT_OFF(RN_RDT)
    ) u_host_b (
        .clk(clk), .rst(rst), .run(bench_run), .tx_en(b_tx_en), .rx_en(b_rx_en),
        .ring_tx_base(ring_tx_base), .ring_rx_base(ring_rx_base), .busy(b_busy), .err(b_err),
        // BEGIN tb/tools/tops.py: host b
        .s_axil_awaddr(b_s_axil_awaddr),
        .s_axil_awprot(b_s_axil_awprot),
        .s_axil_awvalid(b_s_axil_awvalid),
        .s_axil_awready(b_s_axil_awready),
        .s_axil_wdata(b_s_axil_wdata),
        .s_axil_wstrb(b_s_axil_wstrb),
        .s_axil_wvalid(b_s_axil_wvalid),
        .s_axil_wready(b_s_axil_wready),
        .s_axil_bresp(b_s_axil_bresp),
        .s_axil_bvalid(b_s_axil_bvalid),
        .s_axil_bready(b_s_axil_bready),
        .s_axil_araddr(b_s_axil_araddr),
        .s_axil_arprot(b_s_axil_arprot),
        .s_axil_arvalid(b_s_axil_arvalid),
        .s_axil_arready(b_s_axil_arready),
        .s_axil_rdata(b_s_axil_rdata),
        .s_axil_rresp(b_s_axil_rresp),
        .s_axil_rvalid(b_s_axil_rvalid),
        .s_axil_rready(b_s_axil_rready),
        .m_axil_awaddr(b_nic_axil_awaddr),
        .m_axil_awprot(b_nic_axil_awprot),
        .m_axil_awvalid(b_nic_axil_awvalid),
        .m_axil_awready(b_nic_axil_awready),
        .m_axil_wdata(b_nic_axil_wdata),
        .m_axil_wstrb(b_nic_axil_wstrb),
        .m_axil_wvalid(b_nic_axil_wvalid),
        .m_axil_wready(b_nic_axil_wready),
        .m_axil_bresp(b_nic_axil_bresp),
        .m_axil_bvalid(b_nic_axil_bvalid),
        .m_axil_bready(b_nic_axil_bready),
        .m_axil_araddr(b_nic_axil_araddr),
        .m_axil_arprot(b_nic_axil_arprot),
        .m_axil_arvalid(b_nic_axil_arvalid),
        .m_axil_arready(b_nic_axil_arready),
        .m_axil_rdata(b_nic_axil_rdata),
        .m_axil_rresp(b_nic_axil_rresp),
        .m_axil_rvalid(b_nic_axil_rvalid),
        .m_axil_rready(b_nic_axil_rready),
        .s_axi_awid(b_m_axi_awid),
        .s_axi_awaddr(b_m_axi_awaddr),
        .s_axi_awlen(b_m_axi_awlen),
        .s_axi_awsize(b_m_axi_awsize),
        .s_axi_awburst(b_m_axi_awburst),
        .s_axi_awlock(b_m_axi_awlock),
        .s_axi_awcache(b_m_axi_awcache),
        .s_axi_awprot(b_m_axi_awprot),
        .s_axi_awvalid(b_m_axi_awvalid),
        .s_axi_awready(b_m_axi_awready),
        .s_axi_wdata(b_m_axi_wdata),
        .s_axi_wstrb(b_m_axi_wstrb),
        .s_axi_wlast(b_m_axi_wlast),
        .s_axi_wvalid(b_m_axi_wvalid),
        .s_axi_wready(b_m_axi_wready),
        .s_axi_bid(b_m_axi_bid),
        .s_axi_bresp(b_m_axi_bresp),
        .s_axi_bvalid(b_m_axi_bvalid),
        .s_axi_bready(b_m_axi_bready),
        .s_axi_arid(b_m_axi_arid),
        .s_axi_araddr(b_m_axi_araddr),
        .s_axi_arlen(b_m_axi_arlen),
        .s_axi_arsize(b_m_axi_arsize),
        .s_axi_arburst(b_m_axi_arburst),
        .s_axi_arlock(b_m_axi_arlock),
        .s_axi_arcache(b_m_axi_arcache),
        .s_axi_arprot(b_m_axi_arprot),
        .s_axi_arvalid(b_m_axi_arvalid),
        .s_axi_arready(b_m_axi_arready),
        .s_axi_rid(b_m_axi_rid),
        .s_axi_rdata(b_m_axi_rdata),
        .s_axi_rresp(b_m_axi_rresp),
        .s_axi_rlast(b_m_axi_rlast),
        .s_axi_rvalid(b_m_axi_rvalid),
        .s_axi_rready(b_m_axi_rready)
        // END tb/tools/tops.py: host b
    );

    // ------------------------------------------------------------ link counters
    function automatic [63:0] keep_bytes(input [7:0] keep);
        integer i;
        begin
            keep_bytes = 64'd0;
            for (i = 0; i < 8; i = i + 1)
                keep_bytes = keep_bytes + {63'd0, keep[i]};
        end
    endfunction

    wire ab_fire = u_pair.ab_tvalid && u_pair.ab_tready;
    wire ba_fire = u_pair.ba_tvalid && u_pair.ba_tready;

    reg [63:0] cnt_cycles;
    reg [63:0] cnt_ab_frames, cnt_ab_bytes, cnt_ab_stall;
    reg [63:0] cnt_ba_frames, cnt_ba_bytes, cnt_ba_stall;

    always @(posedge clk) begin
        if (rst) begin
            cnt_cycles    <= 64'd0;
            cnt_ab_frames <= 64'd0;
            cnt_ab_bytes  <= 64'd0;
            cnt_ab_stall  <= 64'd0;
            cnt_ba_frames <= 64'd0;
            cnt_ba_bytes  <= 64'd0;
            cnt_ba_stall  <= 64'd0;
        end else if (bench_run) begin
            cnt_cycles <= cnt_cycles + 64'd1;
            if (ab_fire) begin
                cnt_ab_bytes <= cnt_ab_bytes + keep_bytes(u_pair.ab_tkeep);
                if (u_pair.ab_tlast)
                    cnt_ab_frames <= cnt_ab_frames + 64'd1;
            end
            if (u_pair.ab_tvalid && !u_pair.ab_tready)
                cnt_ab_stall <= cnt_ab_stall + 64'd1;
            if (ba_fire) begin
                cnt_ba_bytes <= cnt_ba_bytes + keep_bytes(u_pair.ba_tkeep);
                if (u_pair.ba_tlast)
                    cnt_ba_frames <= cnt_ba_frames + 64'd1;
            end
            if (u_pair.ba_tvalid && !u_pair.ba_tready)
                cnt_ba_stall <= cnt_ba_stall + 64'd1;
        end
    end

endmodule

`default_nettype wire
