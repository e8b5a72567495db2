`default_nettype none
`timescale 1ns/1ps

// ringnic: top of the AXI-attached ring-buffer NIC (Intel 8254x register model).
//
// The register file (u_regs), the TX engine (u_tx) and the RX engine (u_rx), whose DMA masters
// share the one AXI4 port through u_arb. Ports are grouped by prefix so cocotbext-axi attaches
// by name: s_axil_ (registers), m_axi_ (DMA), m_axis_tx_ / s_axis_rx_ (MAC side).

module ringnic #(
    parameter [47:0]  MAC_ADDR        = 48'h02_0A_35_00_00_01, // MAC address at reset, transmission order: first octet in bits 47:40
    parameter integer AXIL_ADDR_WIDTH = 17,  // register window address width, bits (>= 17: 128 KiB like the 8254x BAR0)
    parameter integer AXI_ADDR_WIDTH  = 32,  // DMA master address width, bits
    parameter integer AXI_DATA_WIDTH  = 64,  // DMA master data width, bits
    parameter integer AXI_ID_WIDTH    = 4,   // DMA master ID width, bits
    parameter integer AXIS_DATA_WIDTH = 64,  // MAC-side stream data width, bits
    parameter integer RING_LOG2       = 12,  // log2 of the largest ring, descriptors
    // Longest DMA payload burst, beats (1..256). AXI4 allows 256 (2 KiB at 64 bits; the engines
    // also never cross 4 KiB), so one burst carries a whole 1518-byte frame. Zynq-7000's HP and
    // ACP ports are AXI3 (16 beats): an AXI interconnect in front of them splits longer bursts,
    // or build with 16 to issue only what the port takes.
    parameter integer MAX_BURST_BEATS = 256,
    // Clock period, ps: ringnic_tick divides the clock into the interrupt timers' units (ITR
    // 256 ns, RDTR/RADV/TIDV/TADV 1.024 us) at any period from 1 ps to 256 ns (checked there).
    parameter integer CLK_PERIOD_PS   = 10000
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

    // ------------------------------------------------------------ PHY status
    input  wire                         phy_link_up,      // link status the PHY (the wire side) reports, level

    output wire                         irq               // level, active high
);

    // Both descriptor engines are built: RNCAPS says so.
    localparam integer TX_PRESENT = 1;   // TX engine built, flag
    localparam integer RX_PRESENT = 1;   // RX engine built, flag
    // DMA IDs: the arbiter routes responses by the top ID bit (0 = TX, 1 = RX).
    localparam integer TX_AXI_ID  = 0;
    localparam integer RX_AXI_ID  = 1 << (AXI_ID_WIDTH - 1);

    // ================================================================ register file
    wire        sw_rst;
    wire        link_up;          // STATUS.LU
    wire        mac_tx_tvalid, mac_tx_tready;  // the TX MAC's stream, before the link gate
    wire [47:0] mac_addr;
    wire        mac_valid;
    wire [31:0] ip4_addr;
    wire        ip4_valid;
    wire        mta_hit;
    wire [11:0] mta_bit;
    wire [31:0] tdba, tctl, tipg, rdba, rctl;
    wire [19:0] tdlen, rdlen;
    wire [15:0] tdh, tdt, tidv, tadv, rdh, rdt, rdtr, radv, itr;
    wire        tdt_wr, tring_wr, tctl_wr, rdt_wr, rctl_wr, rdtr_fpd;
    wire [1:0]  rxcsum_en;

`include "ringnic_regmap.vh"

    // The interrupt timers' time base, free-running, one for the NIC (8254x: a 1.024 us clock
    // for RDTR/RADV/TIDV/TADV, 256 ns for ITR).
    wire tick_256ns, tick_1024ns;
    ringnic_tick #(.CLK_PERIOD_PS(CLK_PERIOD_PS)) u_tick (
        .clk(clk), .rst(rst), .tick_256ns(tick_256ns), .tick_1024ns(tick_1024ns));

    // Engine outputs into the register file.
    wire [31:0] tx_intr_set, rx_intr_set, txerr, rxerr;
    wire        tx_txdw_ide, txdw;    // a TXDW pulse's descriptor had CMD.IDE; TXDW after TIDV/TADV
    localparam [31:0] TXDW_BIT = 32'd1 << RN_ICR_TXDW;
    wire        tdh_we, rdh_we;
    wire        tx_dma_busy, rx_dma_busy;
    wire [15:0] tdh_in, rdh_in;
    wire [15:0] stat_gorc_add, stat_gotc_add, stat_tor_add, stat_tot_add;
    wire [15:0] rx_off_add;       // RNRXOFF: frames dropped with the receiver off
    wire [15:0] tx_rst_add;       // RNTXRST: frames CTRL.RST dropped from the TX packet buffer
    wire        tx_gptc, tx_tpt, tx_mptc, tx_bptc, tx_ecol;
    wire        rx_crcerrs, rx_rxerrc, rx_mpc, rx_rnbc, rx_gprc, rx_bprc, rx_mprc, rx_ruc, rx_roc, rx_tpr;
    // stat_inc bit order of ringnic_regs: CRCERRS MPC GPRC BPRC MPRC GPTC RNBC RUC ROC TPR TPT MPTC BPTC RXERRC ECOL
    wire [14:0] stat_inc = {tx_ecol, rx_rxerrc, tx_bptc, tx_mptc, tx_tpt, rx_tpr, rx_roc, rx_ruc, rx_rnbc,
                            tx_gptc, rx_mprc, rx_bprc, rx_gprc, rx_mpc, rx_crcerrs};

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
        .itr_tick       (tick_256ns),

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

        // Hardware side: the engines set causes, move the heads and count.
        .intr_set       ((tx_intr_set & ~TXDW_BIT) | (txdw ? TXDW_BIT : 32'd0) | rx_intr_set),
        .tdh_we         (tdh_we),
        .tdh_in         (tdh_in),
        .rdh_we         (rdh_we),
        .rdh_in         (rdh_in),
        .stat_inc       (stat_inc),
        .txerr          (txerr),
        .rxerr          (rxerr),
        .rxoff_add      (rx_off_add),
        .txrst_add      (tx_rst_add),
        .stat_gorc_add  (stat_gorc_add),
        .stat_gotc_add  (stat_gotc_add),
        .stat_tor_add   (stat_tor_add),
        .stat_tot_add   (stat_tot_add),
        .mta_bit        (mta_bit),
        .mta_hit        (mta_hit),
        .dma_busy       (tx_dma_busy | rx_dma_busy),
        .phy_link       (phy_link_up),

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
        .tring_wr       (tring_wr),
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
        .rxcsum_en      (rxcsum_en),
        .rdtr           (rdtr),
        .rdtr_fpd       (rdtr_fpd),
        .radv           (radv),
        .itr            (itr)
    );

    // ================================================================ TX engine
    wire [AXI_ID_WIDTH-1:0]      tx_axi_awid, tx_axi_bid, tx_axi_arid, tx_axi_rid;
    wire [AXI_ADDR_WIDTH-1:0]    tx_axi_awaddr, tx_axi_araddr;
    wire [7:0]                   tx_axi_awlen, tx_axi_arlen;
    wire [2:0]                   tx_axi_awsize, tx_axi_awprot, tx_axi_arsize, tx_axi_arprot;
    wire [1:0]                   tx_axi_awburst, tx_axi_bresp, tx_axi_arburst, tx_axi_rresp;
    wire                         tx_axi_awlock, tx_axi_awvalid, tx_axi_awready, tx_axi_wlast, tx_axi_wvalid,
                                 tx_axi_wready, tx_axi_bvalid, tx_axi_bready, tx_axi_arlock, tx_axi_arvalid,
                                 tx_axi_arready, tx_axi_rlast, tx_axi_rvalid, tx_axi_rready;
    wire [3:0]                   tx_axi_awcache, tx_axi_arcache;
    wire [AXI_DATA_WIDTH-1:0]    tx_axi_wdata, tx_axi_rdata;
    wire [AXI_DATA_WIDTH/8-1:0]  tx_axi_wstrb;

    ringnic_tx #(
        .AXI_ADDR_WIDTH  (AXI_ADDR_WIDTH),
        .AXI_DATA_WIDTH  (AXI_DATA_WIDTH),
        .AXI_ID_WIDTH    (AXI_ID_WIDTH),
        .AXI_ID          (TX_AXI_ID),
        .AXIS_DATA_WIDTH (AXIS_DATA_WIDTH),
        .RING_LOG2       (RING_LOG2),
        .MAX_BURST_BEATS (MAX_BURST_BEATS)
    ) u_tx (
        .clk            (clk),
        .rst            (rst),
        .sw_rst         (sw_rst),
        .tdba           (tdba),
        .tdlen          (tdlen),
        .tdh            (tdh),
        .tdt            (tdt),
        .tdt_wr         (tdt_wr),
        .tring_wr       (tring_wr),
        .tctl           (tctl),
        .tctl_wr        (tctl_wr),
        .tdh_we         (tdh_we),
        .tdh_in         (tdh_in),
        .intr_set       (tx_intr_set),
        .txdw_ide       (tx_txdw_ide),
        .stat_inc_gptc  (tx_gptc),
        .stat_inc_tpt   (tx_tpt),
        .stat_inc_mptc  (tx_mptc),
        .stat_inc_bptc  (tx_bptc),
        .stat_inc_ecol  (tx_ecol),
        .stat_rst_add   (tx_rst_add),
        .stat_gotc_add  (stat_gotc_add),
        .stat_tot_add   (stat_tot_add),
        .txerr          (txerr),
        .m_axi_awid     (tx_axi_awid),
        .m_axi_awaddr   (tx_axi_awaddr),
        .m_axi_awlen    (tx_axi_awlen),
        .m_axi_awsize   (tx_axi_awsize),
        .m_axi_awburst  (tx_axi_awburst),
        .m_axi_awlock   (tx_axi_awlock),
        .m_axi_awcache  (tx_axi_awcache),
        .m_axi_awprot   (tx_axi_awprot),
        .m_axi_awvalid  (tx_axi_awvalid),
        .m_axi_awready  (tx_axi_awready),
        .m_axi_wdata    (tx_axi_wdata),
        .m_axi_wstrb    (tx_axi_wstrb),
        .m_axi_wlast    (tx_axi_wlast),
        .m_axi_wvalid   (tx_axi_wvalid),
        .m_axi_wready   (tx_axi_wready),
        .m_axi_bid      (tx_axi_bid),
        .m_axi_bresp    (tx_axi_bresp),
        .m_axi_bvalid   (tx_axi_bvalid),
        .m_axi_bready   (tx_axi_bready),
        .m_axi_arid     (tx_axi_arid),
        .m_axi_araddr   (tx_axi_araddr),
        .m_axi_arlen    (tx_axi_arlen),
        .m_axi_arsize   (tx_axi_arsize),
        .m_axi_arburst  (tx_axi_arburst),
        .m_axi_arlock   (tx_axi_arlock),
        .m_axi_arcache  (tx_axi_arcache),
        .m_axi_arprot   (tx_axi_arprot),
        .m_axi_arvalid  (tx_axi_arvalid),
        .m_axi_arready  (tx_axi_arready),
        .m_axi_rid      (tx_axi_rid),
        .m_axi_rdata    (tx_axi_rdata),
        .m_axi_rresp    (tx_axi_rresp),
        .m_axi_rlast    (tx_axi_rlast),
        .m_axi_rvalid   (tx_axi_rvalid),
        .m_axi_rready   (tx_axi_rready),
        .m_axis_tx_tdata  (m_axis_tx_tdata),
        .m_axis_tx_tkeep  (m_axis_tx_tkeep),
        .m_axis_tx_tvalid (mac_tx_tvalid),
        .m_axis_tx_tready (mac_tx_tready),
        .m_axis_tx_tlast  (m_axis_tx_tlast),
        .m_axis_tx_tuser  (m_axis_tx_tuser),
        .dma_busy         (tx_dma_busy)
    );

    // TX interrupt delay (8254x TIDV/TADV): a write-back of an IDE descriptor restarts TIDV and
    // starts TADV; one without IDE raises TXDW at once and covers those pending.
    ringnic_intr_delay u_tx_intr (
        .clk(clk), .rst(rst || sw_rst), .tick(tick_1024ns), .ev(tx_intr_set[RN_ICR_TXDW] && tx_txdw_ide),
        .now(tx_intr_set[RN_ICR_TXDW] && !tx_txdw_ide), .pkt_dly(tidv), .abs_dly(tadv), .flush(1'b0),
        .fire(txdw));

    // ================================================================ RX engine
    wire [AXI_ID_WIDTH-1:0]      rx_axi_awid, rx_axi_bid, rx_axi_arid, rx_axi_rid;
    wire [AXI_ADDR_WIDTH-1:0]    rx_axi_awaddr, rx_axi_araddr;
    wire [7:0]                   rx_axi_awlen, rx_axi_arlen;
    wire [2:0]                   rx_axi_awsize, rx_axi_awprot, rx_axi_arsize, rx_axi_arprot;
    wire [1:0]                   rx_axi_awburst, rx_axi_bresp, rx_axi_arburst, rx_axi_rresp;
    wire                         rx_axi_awlock, rx_axi_awvalid, rx_axi_awready, rx_axi_wlast, rx_axi_wvalid,
                                 rx_axi_wready, rx_axi_bvalid, rx_axi_bready, rx_axi_arlock, rx_axi_arvalid,
                                 rx_axi_arready, rx_axi_rlast, rx_axi_rvalid, rx_axi_rready;
    wire [3:0]                   rx_axi_awcache, rx_axi_arcache;
    wire [AXI_DATA_WIDTH-1:0]    rx_axi_wdata, rx_axi_rdata;
    wire [AXI_DATA_WIDTH/8-1:0]  rx_axi_wstrb;

    ringnic_rx #(
        .AXI_ADDR_WIDTH  (AXI_ADDR_WIDTH),
        .AXI_DATA_WIDTH  (AXI_DATA_WIDTH),
        .AXI_ID_WIDTH    (AXI_ID_WIDTH),
        .AXI_ID          (RX_AXI_ID),
        .AXIS_DATA_WIDTH (AXIS_DATA_WIDTH),
        .RING_LOG2       (RING_LOG2),
        .MAX_BURST_BEATS (MAX_BURST_BEATS)
    ) u_rx (
        .clk              (clk),
        .rst              (rst),
        .intr_tick        (tick_1024ns),
        .sw_rst           (sw_rst),
        .rdba             (rdba),
        .rdlen            (rdlen),
        .rdh              (rdh),
        .rdt              (rdt),
        .rdt_wr           (rdt_wr),
        .rctl             (rctl),
        .rctl_wr          (rctl_wr),
        .rxcsum           (rxcsum_en),
        .rdtr             (rdtr),
        .rdtr_fpd         (rdtr_fpd),
        .radv             (radv),
        .mac_addr         (mac_addr),
        .mac_valid        (mac_valid),
        .mta_bit          (mta_bit),
        .mta_hit          (mta_hit),
        .rdh_we           (rdh_we),
        .rdh_in           (rdh_in),
        .intr_set         (rx_intr_set),
        .stat_inc_crcerrs (rx_crcerrs),
        .stat_inc_rxerrc  (rx_rxerrc),
        .stat_inc_mpc     (rx_mpc),
        .stat_inc_rnbc    (rx_rnbc),
        .stat_inc_gprc    (rx_gprc),
        .stat_inc_bprc    (rx_bprc),
        .stat_inc_mprc    (rx_mprc),
        .stat_inc_ruc     (rx_ruc),
        .stat_inc_roc     (rx_roc),
        .stat_inc_tpr     (rx_tpr),
        .stat_off_add     (rx_off_add),
        .stat_gorc_add    (stat_gorc_add),
        .stat_tor_add     (stat_tor_add),
        .rxerr            (rxerr),
        .m_axi_awid     (rx_axi_awid),
        .m_axi_awaddr   (rx_axi_awaddr),
        .m_axi_awlen    (rx_axi_awlen),
        .m_axi_awsize   (rx_axi_awsize),
        .m_axi_awburst  (rx_axi_awburst),
        .m_axi_awlock   (rx_axi_awlock),
        .m_axi_awcache  (rx_axi_awcache),
        .m_axi_awprot   (rx_axi_awprot),
        .m_axi_awvalid  (rx_axi_awvalid),
        .m_axi_awready  (rx_axi_awready),
        .m_axi_wdata    (rx_axi_wdata),
        .m_axi_wstrb    (rx_axi_wstrb),
        .m_axi_wlast    (rx_axi_wlast),
        .m_axi_wvalid   (rx_axi_wvalid),
        .m_axi_wready   (rx_axi_wready),
        .m_axi_bid      (rx_axi_bid),
        .m_axi_bresp    (rx_axi_bresp),
        .m_axi_bvalid   (rx_axi_bvalid),
        .m_axi_bready   (rx_axi_bready),
        .m_axi_arid     (rx_axi_arid),
        .m_axi_araddr   (rx_axi_araddr),
        .m_axi_arlen    (rx_axi_arlen),
        .m_axi_arsize   (rx_axi_arsize),
        .m_axi_arburst  (rx_axi_arburst),
        .m_axi_arlock   (rx_axi_arlock),
        .m_axi_arcache  (rx_axi_arcache),
        .m_axi_arprot   (rx_axi_arprot),
        .m_axi_arvalid  (rx_axi_arvalid),
        .m_axi_arready  (rx_axi_arready),
        .m_axi_rid      (rx_axi_rid),
        .m_axi_rdata    (rx_axi_rdata),
        .m_axi_rresp    (rx_axi_rresp),
        .m_axi_rlast    (rx_axi_rlast),
        .m_axi_rvalid   (rx_axi_rvalid),
        .m_axi_rready   (rx_axi_rready),
        .s_axis_rx_tdata  (s_axis_rx_tdata),
        .s_axis_rx_tkeep  (s_axis_rx_tkeep),
        .s_axis_rx_tvalid (s_axis_rx_tvalid),
        .s_axis_rx_tready (s_axis_rx_tready),
        .s_axis_rx_tlast  (s_axis_rx_tlast),
        .s_axis_rx_tuser  (s_axis_rx_tuser),
        .dma_busy         (rx_dma_busy)
    );

    // ================================================================ one DMA port for both
    ringnic_axi_arb #(
        .ADDR_WIDTH (AXI_ADDR_WIDTH),
        .DATA_WIDTH (AXI_DATA_WIDTH),
        .ID_WIDTH   (AXI_ID_WIDTH)
    ) u_arb (
        .clk (clk),
        .rst (rst),
        .s0_axi_awid     (tx_axi_awid),
        .s0_axi_awaddr   (tx_axi_awaddr),
        .s0_axi_awlen    (tx_axi_awlen),
        .s0_axi_awsize   (tx_axi_awsize),
        .s0_axi_awburst  (tx_axi_awburst),
        .s0_axi_awlock   (tx_axi_awlock),
        .s0_axi_awcache  (tx_axi_awcache),
        .s0_axi_awprot   (tx_axi_awprot),
        .s0_axi_awvalid  (tx_axi_awvalid),
        .s0_axi_awready  (tx_axi_awready),
        .s0_axi_wdata    (tx_axi_wdata),
        .s0_axi_wstrb    (tx_axi_wstrb),
        .s0_axi_wlast    (tx_axi_wlast),
        .s0_axi_wvalid   (tx_axi_wvalid),
        .s0_axi_wready   (tx_axi_wready),
        .s0_axi_bid      (tx_axi_bid),
        .s0_axi_bresp    (tx_axi_bresp),
        .s0_axi_bvalid   (tx_axi_bvalid),
        .s0_axi_bready   (tx_axi_bready),
        .s0_axi_arid     (tx_axi_arid),
        .s0_axi_araddr   (tx_axi_araddr),
        .s0_axi_arlen    (tx_axi_arlen),
        .s0_axi_arsize   (tx_axi_arsize),
        .s0_axi_arburst  (tx_axi_arburst),
        .s0_axi_arlock   (tx_axi_arlock),
        .s0_axi_arcache  (tx_axi_arcache),
        .s0_axi_arprot   (tx_axi_arprot),
        .s0_axi_arvalid  (tx_axi_arvalid),
        .s0_axi_arready  (tx_axi_arready),
        .s0_axi_rid      (tx_axi_rid),
        .s0_axi_rdata    (tx_axi_rdata),
        .s0_axi_rresp    (tx_axi_rresp),
        .s0_axi_rlast    (tx_axi_rlast),
        .s0_axi_rvalid   (tx_axi_rvalid),
        .s0_axi_rready   (tx_axi_rready),
        .s1_axi_awid     (rx_axi_awid),
        .s1_axi_awaddr   (rx_axi_awaddr),
        .s1_axi_awlen    (rx_axi_awlen),
        .s1_axi_awsize   (rx_axi_awsize),
        .s1_axi_awburst  (rx_axi_awburst),
        .s1_axi_awlock   (rx_axi_awlock),
        .s1_axi_awcache  (rx_axi_awcache),
        .s1_axi_awprot   (rx_axi_awprot),
        .s1_axi_awvalid  (rx_axi_awvalid),
        .s1_axi_awready  (rx_axi_awready),
        .s1_axi_wdata    (rx_axi_wdata),
        .s1_axi_wstrb    (rx_axi_wstrb),
        .s1_axi_wlast    (rx_axi_wlast),
        .s1_axi_wvalid   (rx_axi_wvalid),
        .s1_axi_wready   (rx_axi_wready),
        .s1_axi_bid      (rx_axi_bid),
        .s1_axi_bresp    (rx_axi_bresp),
        .s1_axi_bvalid   (rx_axi_bvalid),
        .s1_axi_bready   (rx_axi_bready),
        .s1_axi_arid     (rx_axi_arid),
        .s1_axi_araddr   (rx_axi_araddr),
        .s1_axi_arlen    (rx_axi_arlen),
        .s1_axi_arsize   (rx_axi_arsize),
        .s1_axi_arburst  (rx_axi_arburst),
        .s1_axi_arlock   (rx_axi_arlock),
        .s1_axi_arcache  (rx_axi_arcache),
        .s1_axi_arprot   (rx_axi_arprot),
        .s1_axi_arvalid  (rx_axi_arvalid),
        .s1_axi_arready  (rx_axi_arready),
        .s1_axi_rid      (rx_axi_rid),
        .s1_axi_rdata    (rx_axi_rdata),
        .s1_axi_rresp    (rx_axi_rresp),
        .s1_axi_rlast    (rx_axi_rlast),
        .s1_axi_rvalid   (rx_axi_rvalid),
        .s1_axi_rready   (rx_axi_rready),
        .m_axi_awid     (m_axi_awid),
        .m_axi_awaddr   (m_axi_awaddr),
        .m_axi_awlen    (m_axi_awlen),
        .m_axi_awsize   (m_axi_awsize),
        .m_axi_awburst  (m_axi_awburst),
        .m_axi_awlock   (m_axi_awlock),
        .m_axi_awcache  (m_axi_awcache),
        .m_axi_awprot   (m_axi_awprot),
        .m_axi_awvalid  (m_axi_awvalid),
        .m_axi_awready  (m_axi_awready),
        .m_axi_wdata    (m_axi_wdata),
        .m_axi_wstrb    (m_axi_wstrb),
        .m_axi_wlast    (m_axi_wlast),
        .m_axi_wvalid   (m_axi_wvalid),
        .m_axi_wready   (m_axi_wready),
        .m_axi_bid      (m_axi_bid),
        .m_axi_bresp    (m_axi_bresp),
        .m_axi_bvalid   (m_axi_bvalid),
        .m_axi_bready   (m_axi_bready),
        .m_axi_arid     (m_axi_arid),
        .m_axi_araddr   (m_axi_araddr),
        .m_axi_arlen    (m_axi_arlen),
        .m_axi_arsize   (m_axi_arsize),
        .m_axi_arburst  (m_axi_arburst),
        .m_axi_arlock   (m_axi_arlock),
        .m_axi_arcache  (m_axi_arcache),
        .m_axi_arprot   (m_axi_arprot),
        .m_axi_arvalid  (m_axi_arvalid),
        .m_axi_arready  (m_axi_arready),
        .m_axi_rid      (m_axi_rid),
        .m_axi_rdata    (m_axi_rdata),
        .m_axi_rresp    (m_axi_rresp),
        .m_axi_rlast    (m_axi_rlast),
        .m_axi_rvalid   (m_axi_rvalid),
        .m_axi_rready   (m_axi_rready)
    );

    // ================================================================ link gate
    // While STATUS.LU is clear the MAC starts no frame: the TX path stalls and keeps what it
    // holds (the 8254x stops transmitting without link; e1000's watchdog sees the ring stop).
    // A frame already started finishes, so the wire never sees a truncated one.
    reg  tx_in_frame;
    wire tx_pass = link_up || tx_in_frame;
    assign m_axis_tx_tvalid = mac_tx_tvalid && tx_pass;
    assign mac_tx_tready    = m_axis_tx_tready && tx_pass;
    always @(posedge clk) begin
        if (rst || sw_rst)                             tx_in_frame <= 1'b0;
        else if (m_axis_tx_tvalid && m_axis_tx_tready) tx_in_frame <= !m_axis_tx_tlast;
    end

    // Register-file exports no engine uses (yet): the IPv4 address, the TX inter-packet gap;
    // ITR acts inside the register file.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, ip4_addr, ip4_valid, tipg, itr};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (AXIL_ADDR_WIDTH < 17) begin
            $display("ringnic: AXIL_ADDR_WIDTH must be >= 17 (the 128 KiB register window)");
            $finish;
        end
        if (AXI_ADDR_WIDTH < 32 || AXI_ADDR_WIDTH > 64) begin
            $display("ringnic: AXI_ADDR_WIDTH must be 32..64");
            $finish;
        end
        if (AXI_DATA_WIDTH != 64 || AXIS_DATA_WIDTH != 64) begin
            $display("ringnic: only 64-bit DMA and stream data paths are supported");
            $finish;
        end
        if (AXI_ID_WIDTH < 1) begin
            $display("ringnic: AXI_ID_WIDTH must be >= 1 (its top bit tells TX from RX)");
            $finish;
        end
        if (RING_LOG2 < 3 || RING_LOG2 > 15) begin
            $display("ringnic: RING_LOG2 must be 3..15");
            $finish;
        end
        if (MAX_BURST_BEATS < 1 || MAX_BURST_BEATS > 256) begin
            $display("ringnic: MAX_BURST_BEATS must be 1..256 (AXI4)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
