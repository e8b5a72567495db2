`default_nettype none
`timescale 1ns/1ps

// bench_axil_mux: one AXI4-Lite slave port shared by two masters, picked by `sel` (0: s0, 1: s1).
// No arbitration: the bench switches only while both masters are idle (the harness before it
// starts the doorbell, the doorbell's `busy` low after it stops). The master not selected sees
// no ready and no valid.

module bench_axil_mux #(
    parameter integer ADDR_WIDTH = 17  // AXI4-Lite address width, bits
) (
    input  wire                  sel,

    input  wire [ADDR_WIDTH-1:0] s0_axil_awaddr,
    input  wire [2:0]            s0_axil_awprot,
    input  wire                  s0_axil_awvalid,
    output wire                  s0_axil_awready,
    input  wire [31:0]           s0_axil_wdata,
    input  wire [3:0]            s0_axil_wstrb,
    input  wire                  s0_axil_wvalid,
    output wire                  s0_axil_wready,
    output wire [1:0]            s0_axil_bresp,
    output wire                  s0_axil_bvalid,
    input  wire                  s0_axil_bready,
    input  wire [ADDR_WIDTH-1:0] s0_axil_araddr,
    input  wire [2:0]            s0_axil_arprot,
    input  wire                  s0_axil_arvalid,
    output wire                  s0_axil_arready,
    output wire [31:0]           s0_axil_rdata,
    output wire [1:0]            s0_axil_rresp,
    output wire                  s0_axil_rvalid,
    input  wire                  s0_axil_rready,

    input  wire [ADDR_WIDTH-1:0] s1_axil_awaddr,
    input  wire [2:0]            s1_axil_awprot,
    input  wire                  s1_axil_awvalid,
    output wire                  s1_axil_awready,
    input  wire [31:0]           s1_axil_wdata,
    input  wire [3:0]            s1_axil_wstrb,
    input  wire                  s1_axil_wvalid,
    output wire                  s1_axil_wready,
    output wire [1:0]            s1_axil_bresp,
    output wire                  s1_axil_bvalid,
    input  wire                  s1_axil_bready,
    input  wire [ADDR_WIDTH-1:0] s1_axil_araddr,
    input  wire [2:0]            s1_axil_arprot,
    input  wire                  s1_axil_arvalid,
    output wire                  s1_axil_arready,
    output wire [31:0]           s1_axil_rdata,
    output wire [1:0]            s1_axil_rresp,
    output wire                  s1_axil_rvalid,
    input  wire                  s1_axil_rready,

    output wire [ADDR_WIDTH-1:0] m_axil_awaddr,
    output wire [2:0]            m_axil_awprot,
    output wire                  m_axil_awvalid,
    input  wire                  m_axil_awready,
    output wire [31:0]           m_axil_wdata,
    output wire [3:0]            m_axil_wstrb,
    output wire                  m_axil_wvalid,
    input  wire                  m_axil_wready,
    input  wire [1:0]            m_axil_bresp,
    input  wire                  m_axil_bvalid,
    output wire                  m_axil_bready,
    output wire [ADDR_WIDTH-1:0] m_axil_araddr,
    output wire [2:0]            m_axil_arprot,
    output wire                  m_axil_arvalid,
    input  wire                  m_axil_arready,
    input  wire [31:0]           m_axil_rdata,
    input  wire [1:0]            m_axil_rresp,
    input  wire                  m_axil_rvalid,
    output wire                  m_axil_rready
);

    assign m_axil_awaddr  = sel ? s1_axil_awaddr  : s0_axil_awaddr;
    assign m_axil_awprot  = sel ? s1_axil_awprot  : s0_axil_awprot;
    assign m_axil_awvalid = sel ? s1_axil_awvalid : s0_axil_awvalid;
    assign m_axil_wdata   = sel ? s1_axil_wdata   : s0_axil_wdata;
    assign m_axil_wstrb   = sel ? s1_axil_wstrb   : s0_axil_wstrb;
    assign m_axil_wvalid  = sel ? s1_axil_wvalid  : s0_axil_wvalid;
    assign m_axil_bready  = sel ? s1_axil_bready  : s0_axil_bready;
    assign m_axil_araddr  = sel ? s1_axil_araddr  : s0_axil_araddr;
    assign m_axil_arprot  = sel ? s1_axil_arprot  : s0_axil_arprot;
    assign m_axil_arvalid = sel ? s1_axil_arvalid : s0_axil_arvalid;
    assign m_axil_rready  = sel ? s1_axil_rready  : s0_axil_rready;

    assign s0_axil_awready = !sel && m_axil_awready;
    assign s0_axil_wready  = !sel && m_axil_wready;
    assign s0_axil_bvalid  = !sel && m_axil_bvalid;
    assign s0_axil_arready = !sel && m_axil_arready;
    assign s0_axil_rvalid  = !sel && m_axil_rvalid;
    assign s1_axil_awready = sel && m_axil_awready;
    assign s1_axil_wready  = sel && m_axil_wready;
    assign s1_axil_bvalid  = sel && m_axil_bvalid;
    assign s1_axil_arready = sel && m_axil_arready;
    assign s1_axil_rvalid  = sel && m_axil_rvalid;
    assign s0_axil_bresp = m_axil_bresp;
    assign s1_axil_bresp = m_axil_bresp;
    assign s0_axil_rdata = m_axil_rdata;
    assign s1_axil_rdata = m_axil_rdata;
    assign s0_axil_rresp = m_axil_rresp;
    assign s1_axil_rresp = m_axil_rresp;

endmodule

`default_nettype wire
