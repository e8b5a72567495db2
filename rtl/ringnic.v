`default_nettype none
`timescale 1ns/1ps

// ringnic: top of the AXI-attached ring-buffer NIC (Intel 8254x register model).
//
// This build has the register file only: the DMA master and both streams are idle (valids 0,
// the receive stream is accepted and dropped) and every hardware input of the register file is
// tied to 0 until the TX/RX descriptor engines exist. Ports are grouped by prefix so cocotbext-axi
// attaches by name: s_axil_ (registers), m_axi_ (DMA), m_axis_tx_ / s_axis_rx_ (MAC side).

module ringnic #(
    parameter [47:0]  MAC_ADDR        = 48'h02_0A_35_00_00_01, // MAC address at reset, transmission order: first octet in bits 47:40
    parameter integer AXIL_ADDR_WIDTH = 17,  // register window address width, bits (>= 17: 128 KiB like the 8254x BAR0)
    parameter integer AXI_ADDR_WIDTH  = 32,  // DMA master address width, bits
    parameter integer AXI_DATA_WIDTH  = 64,  // DMA master data width, bits
    parameter integer AXI_ID_WIDTH    = 4,   // DMA master ID width, bits
    parameter integer AXIS_DATA_WIDTH = 64,  // MAC-side stream data width, bits
    parameter integer RING_LOG2       = 12   // log2 of the largest ring, descriptors
) (
    input  wire                         clk,
    input  wire                         rst,              // synchronous, active high

    // ------------------------------------------------------------ AXI4-Lite slave: registers
    input  wire [AXIL_ADDR_WIDTH-1:0]   s_axil_awaddr,
    input  wire [2:0]                   s_axil_awprot,
    input  wire                         s_axil_awvalid,
    output wire                         s_axil_awready,
    input  wire [31:0]                  s_axil_wdata,
    input  wire [3:0]                   s_axil_wstrb,
    input  wire                         s_axil_wvalid,
    output wire                         s_axil_wready,
    output wire [1:0]                   s_axil_bresp,
    output wire                         s_axil_bvalid,
    input  wire                         s_axil_bready,
    input  wire [AXIL_ADDR_WIDTH-1:0]   s_axil_araddr,
    input  wire [2:0]                   s_axil_arprot,
    input  wire                         s_axil_arvalid,
    output wire                         s_axil_arready,
    output wire [31:0]                  s_axil_rdata,
    output wire [1:0]                   s_axil_rresp,
    output wire                         s_axil_rvalid,
    input  wire                         s_axil_rready,

    // ------------------------------------------------------------ AXI4 master: descriptor/buffer DMA
    output wire [AXI_ID_WIDTH-1:0]      m_axi_awid,
    output wire [AXI_ADDR_WIDTH-1:0]    m_axi_awaddr,
    output wire [7:0]                   m_axi_awlen,
    output wire [2:0]                   m_axi_awsize,
    output wire [1:0]                   m_axi_awburst,
    output wire                         m_axi_awlock,
    output wire [3:0]                   m_axi_awcache,
    output wire [2:0]                   m_axi_awprot,
    output wire                         m_axi_awvalid,
    input  wire                         m_axi_awready,
    output wire [AXI_DATA_WIDTH-1:0]    m_axi_wdata,
    output wire [AXI_DATA_WIDTH/8-1:0]  m_axi_wstrb,
    output wire                         m_axi_wlast,
    output wire                         m_axi_wvalid,
    input  wire                         m_axi_wready,
    input  wire [AXI_ID_WIDTH-1:0]      m_axi_bid,
    input  wire [1:0]                   m_axi_bresp,
    input  wire                         m_axi_bvalid,
    output wire                         m_axi_bready,
    output wire [AXI_ID_WIDTH-1:0]      m_axi_arid,
    output wire [AXI_ADDR_WIDTH-1:0]    m_axi_araddr,
    output wire [7:0]                   m_axi_arlen,
    output wire [2:0]                   m_axi_arsize,
    output wire [1:0]                   m_axi_arburst,
    output wire                         m_axi_arlock,
    output wire [3:0]                   m_axi_arcache,
    output wire [2:0]                   m_axi_arprot,
    output wire                         m_axi_arvalid,
    input  wire                         m_axi_arready,
    input  wire [AXI_ID_WIDTH-1:0]      m_axi_rid,
    input  wire [AXI_DATA_WIDTH-1:0]    m_axi_rdata,
    input  wire [1:0]                   m_axi_rresp,
    input  wire                         m_axi_rlast,
    input  wire                         m_axi_rvalid,
    output wire                         m_axi_rready,

    // ------------------------------------------------------------ AXI4-Stream: frames to the MAC
    output wire [AXIS_DATA_WIDTH-1:0]   m_axis_tx_tdata,
    output wire [AXIS_DATA_WIDTH/8-1:0] m_axis_tx_tkeep,
    output wire                         m_axis_tx_tvalid,
    input  wire                         m_axis_tx_tready,
    output wire                         m_axis_tx_tlast,
    output wire [0:0]                   m_axis_tx_tuser,

    // ------------------------------------------------------------ AXI4-Stream: frames from the MAC
    input  wire [AXIS_DATA_WIDTH-1:0]   s_axis_rx_tdata,
    input  wire [AXIS_DATA_WIDTH/8-1:0] s_axis_rx_tkeep,
    input  wire                         s_axis_rx_tvalid,
    output wire                         s_axis_rx_tready,
    input  wire                         s_axis_rx_tlast,
    input  wire [0:0]                   s_axis_rx_tuser,

    output wire                         irq               // level, active high
);

    // No descriptor engines in this build: RNCAPS must say so.
    localparam integer TX_PRESENT = 0;   // TX engine built, flag
    localparam integer RX_PRESENT = 0;   // RX engine built, flag

    // ================================================================ register file
    // Values for the future engines; unused until those exist.
    wire        sw_rst;
    wire        link_up;
    wire [47:0] mac_addr;
    wire        mac_valid;
    wire [31:0] ip4_addr;
    wire        ip4_valid;
    wire        mta_hit;
    wire [31:0] tdba, tctl, tipg, rdba, rctl;
    wire [19:0] tdlen, rdlen;
    wire [15:0] tdh, tdt, tidv, tadv, rdh, rdt, rdtr, radv, itr;
    wire        tdt_wr, tctl_wr, rdt_wr, rctl_wr, rdtr_fpd;

    ringnic_regs #(
        .MAC_ADDR        (MAC_ADDR),
        .AXIL_ADDR_WIDTH (AXIL_ADDR_WIDTH),
        .AXI_ADDR_WIDTH  (AXI_ADDR_WIDTH),
        .AXI_DATA_WIDTH  (AXI_DATA_WIDTH),
        .AXIS_DATA_WIDTH (AXIS_DATA_WIDTH),
        .RING_LOG2       (RING_LOG2),
        .TX_PRESENT      (TX_PRESENT),
        .RX_PRESENT      (RX_PRESENT)
    ) u_regs (
        .clk            (clk),
        .rst            (rst),

        .s_axil_awaddr  (s_axil_awaddr),
        .s_axil_awprot  (s_axil_awprot),
        .s_axil_awvalid (s_axil_awvalid),
        .s_axil_awready (s_axil_awready),
        .s_axil_wdata   (s_axil_wdata),
        .s_axil_wstrb   (s_axil_wstrb),
        .s_axil_wvalid  (s_axil_wvalid),
        .s_axil_wready  (s_axil_wready),
        .s_axil_bresp   (s_axil_bresp),
        .s_axil_bvalid  (s_axil_bvalid),
        .s_axil_bready  (s_axil_bready),
        .s_axil_araddr  (s_axil_araddr),
        .s_axil_arprot  (s_axil_arprot),
        .s_axil_arvalid (s_axil_arvalid),
        .s_axil_arready (s_axil_arready),
        .s_axil_rdata   (s_axil_rdata),
        .s_axil_rresp   (s_axil_rresp),
        .s_axil_rvalid  (s_axil_rvalid),
        .s_axil_rready  (s_axil_rready),

        // Hardware side: no engines yet, so nothing sets causes, moves heads or counts.
        .intr_set       (32'd0),
        .tdh_we         (1'b0),
        .tdh_in         (16'd0),
        .rdh_we         (1'b0),
        .rdh_in         (16'd0),
        .stat_inc       (14'd0),
        .txerr          (32'd0),
        .rxerr          (32'd0),
        .stat_gorc_add  (16'd0),
        .stat_gotc_add  (16'd0),
        .stat_tor_add   (16'd0),
        .stat_tot_add   (16'd0),
        .mta_bit        (12'd0),
        .mta_hit        (mta_hit),

        .sw_rst         (sw_rst),
        .irq            (irq),
        .link_up        (link_up),
        .mac_addr       (mac_addr),
        .mac_valid      (mac_valid),
        .ip4_addr       (ip4_addr),
        .ip4_valid      (ip4_valid),

        .tdba           (tdba),
        .tdlen          (tdlen),
        .tdh            (tdh),
        .tdt            (tdt),
        .tdt_wr         (tdt_wr),
        .tctl           (tctl),
        .tctl_wr        (tctl_wr),
        .tipg           (tipg),
        .tidv           (tidv),
        .tadv           (tadv),

        .rdba           (rdba),
        .rdlen          (rdlen),
        .rdh            (rdh),
        .rdt            (rdt),
        .rdt_wr         (rdt_wr),
        .rctl           (rctl),
        .rctl_wr        (rctl_wr),
        .rdtr           (rdtr),
        .rdtr_fpd       (rdtr_fpd),
        .radv           (radv),
        .itr            (itr)
    );

    // ================================================================ DMA master: idle
    assign m_axi_awid    = {AXI_ID_WIDTH{1'b0}};
    assign m_axi_awaddr  = {AXI_ADDR_WIDTH{1'b0}};
    assign m_axi_awlen   = 8'd0;
    assign m_axi_awsize  = 3'd0;
    assign m_axi_awburst = 2'b01;                     // INCR, the only burst the engines will use
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;                   // normal non-cacheable bufferable
    assign m_axi_awprot  = 3'b000;
    assign m_axi_awvalid = 1'b0;
    assign m_axi_wdata   = {AXI_DATA_WIDTH{1'b0}};
    assign m_axi_wstrb   = {(AXI_DATA_WIDTH/8){1'b0}};
    assign m_axi_wlast   = 1'b0;
    assign m_axi_wvalid  = 1'b0;
    assign m_axi_bready  = 1'b1;                      // never stall a stray response
    assign m_axi_arid    = {AXI_ID_WIDTH{1'b0}};
    assign m_axi_araddr  = {AXI_ADDR_WIDTH{1'b0}};
    assign m_axi_arlen   = 8'd0;
    assign m_axi_arsize  = 3'd0;
    assign m_axi_arburst = 2'b01;
    assign m_axi_arlock  = 1'b0;
    assign m_axi_arcache = 4'b0011;
    assign m_axi_arprot  = 3'b000;
    assign m_axi_arvalid = 1'b0;
    assign m_axi_rready  = 1'b1;

    // ================================================================ streams: idle
    assign m_axis_tx_tdata  = {AXIS_DATA_WIDTH{1'b0}};
    assign m_axis_tx_tkeep  = {(AXIS_DATA_WIDTH/8){1'b0}};
    assign m_axis_tx_tvalid = 1'b0;
    assign m_axis_tx_tlast  = 1'b0;
    assign m_axis_tx_tuser  = 1'b0;
    assign s_axis_rx_tready = 1'b1;                   // accept and drop: never back-pressure the MAC

    // Inputs and register-file exports without a consumer until the engines exist.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0,
        m_axi_awready, m_axi_wready, m_axi_bid, m_axi_bresp, m_axi_bvalid,
        m_axi_arready, m_axi_rid, m_axi_rdata, m_axi_rresp, m_axi_rlast, m_axi_rvalid,
        m_axis_tx_tready,
        s_axis_rx_tdata, s_axis_rx_tkeep, s_axis_rx_tvalid, s_axis_rx_tlast, s_axis_rx_tuser,
        sw_rst, link_up, mac_addr, mac_valid, ip4_addr, ip4_valid, mta_hit,
        tdba, tdlen, tdh, tdt, tdt_wr, tctl, tctl_wr, tipg, tidv, tadv,
        rdba, rdlen, rdh, rdt, rdt_wr, rctl, rctl_wr, rdtr, rdtr_fpd, radv, itr};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
