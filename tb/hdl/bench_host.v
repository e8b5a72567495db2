`default_nettype none
`timescale 1ns/1ps

// bench_host: what the benchmark puts around one NIC instead of a CPU and a Python DRAM model:
// an HDL RAM on its DMA port (bench_axi_ram), a doorbell that keeps its rings full
// (bench_doorbell), the register port shared between the harness and the doorbell
// (bench_axil_mux: the doorbell has it while `run` is high or it is busy), and counters.
//
// Counters (plain regs the harness reads through handles at the end; they count only while
// `run` is high, from reset):
//   cnt_txd_fetch   AR bursts that start inside the TX ring: descriptor fetches
//   cnt_rxd_fetch   AR bursts that start inside the RX ring
//   cnt_tx_wb       TX descriptor write-backs (W beats into a TX descriptor's upper half)
//   cnt_rx_wb       RX descriptor write-backs with DD
//   cnt_rx_frames   ... of them with EOP: frames handed to the host
//   cnt_rx_bytes    sum of their length fields: bytes handed to the host (FCS included unless SECRC)
//   cnt_rx_errors   EOP write-backs with a nonzero errors byte
// The rings are [ring_*_base, ring_*_base + 16 * RING_N); the harness sets the bases.
//
// Its copies of ringnic's ports sit between `// BEGIN tb/tools/tops.py` and `// END tb/tools/tops.py` lines:
// generated from rtl/ringnic.v by `make regs`; edit tb/tools/tops.py, not them.

module bench_host #(
    parameter integer RING_N     = 256,       // descriptors per ring (the harness programs TDLEN = RDLEN = 16 * RING_N)
    parameter integer DEPTH_LOG2 = 17,        // RAM size: 2**DEPTH_LOG2 64-bit words
    parameter [16:0]  TDH_OFF    = 17'h03810, // TDH's offset (the top passes RN_TDH of rtl/ringnic_regmap.vh)
    parameter [16:0]  TDT_OFF    = 17'h03818, // TDT's (RN_TDT)
    parameter [16:0]  RDH_OFF    = 17'h02810, // RDH's (RN_RDH)
    parameter [16:0]  RDT_OFF    = 17'h02818  // RDT's (RN_RDT)
) (
    input  wire        clk,
    input  wire        rst,              // synchronous, active high
    input  wire        run,              // doorbell loop on, counters counting
    input  wire        tx_en,            // the doorbell recycles the TX ring
    input  wire        rx_en,            // ... and the RX ring
    input  wire [31:0] ring_tx_base,     // TDBAL as the harness programmed it
    input  wire [31:0] ring_rx_base,     // RDBAL
    output wire        busy,             // the doorbell still owns the register port
    output wire        err,              // sticky: a doorbell access failed, or a burst the RAM cannot serve

    // ------------------------------------------------------------ the harness's register port
    // BEGIN tb/tools/tops.py: harness port
    input  wire [16:0]               s_axil_awaddr,
    input  wire [2:0]                s_axil_awprot,
    input  wire                      s_axil_awvalid,
    output wire                      s_axil_awready,
    input  wire [31:0]               s_axil_wdata,
    input  wire [3:0]                s_axil_wstrb,
    input  wire                      s_axil_wvalid,
    output wire                      s_axil_wready,
    output wire [1:0]                s_axil_bresp,
    output wire                      s_axil_bvalid,
    input  wire                      s_axil_bready,
    input  wire [16:0]               s_axil_araddr,
    input  wire [2:0]                s_axil_arprot,
    input  wire                      s_axil_arvalid,
    output wire                      s_axil_arready,
    output wire [31:0]               s_axil_rdata,
    output wire [1:0]                s_axil_rresp,
    output wire                      s_axil_rvalid,
    input  wire                      s_axil_rready,
    // END tb/tools/tops.py: harness port

    // ------------------------------------------------------------ to the NIC's register port
    // BEGIN tb/tools/tops.py: nic port
    output wire [16:0]               m_axil_awaddr,
    output wire [2:0]                m_axil_awprot,
    output wire                      m_axil_awvalid,
    input  wire                      m_axil_awready,
    output wire [31:0]               m_axil_wdata,
    output wire [3:0]                m_axil_wstrb,
    output wire                      m_axil_wvalid,
    input  wire                      m_axil_wready,
    input  wire [1:0]                m_axil_bresp,
    input  wire                      m_axil_bvalid,
    output wire                      m_axil_bready,
    output wire [16:0]               m_axil_araddr,
    output wire [2:0]                m_axil_arprot,
    output wire                      m_axil_arvalid,
    input  wire                      m_axil_arready,
    input  wire [31:0]               m_axil_rdata,
    input  wire [1:0]                m_axil_rresp,
    input  wire                      m_axil_rvalid,
    output wire                      m_axil_rready,
    // END tb/tools/tops.py: nic port

    // ------------------------------------------------------------ from the NIC's DMA port
    // BEGIN tb/tools/tops.py: dma port
    input  wire [3:0]                s_axi_awid,
    input  wire [31:0]               s_axi_awaddr,
    input  wire [7:0]                s_axi_awlen,
    input  wire [2:0]                s_axi_awsize,
    input  wire [1:0]                s_axi_awburst,
    input  wire                      s_axi_awlock,
    input  wire [3:0]                s_axi_awcache,
    input  wire [2:0]                s_axi_awprot,
    input  wire                      s_axi_awvalid,
    output wire                      s_axi_awready,
    input  wire [63:0]               s_axi_wdata,
    input  wire [7:0]                s_axi_wstrb,
    input  wire                      s_axi_wlast,
    input  wire                      s_axi_wvalid,
    output wire                      s_axi_wready,
    output wire [3:0]                s_axi_bid,
    output wire [1:0]                s_axi_bresp,
    output wire                      s_axi_bvalid,
    input  wire                      s_axi_bready,
    input  wire [3:0]                s_axi_arid,
    input  wire [31:0]               s_axi_araddr,
    input  wire [7:0]                s_axi_arlen,
    input  wire [2:0]                s_axi_arsize,
    input  wire [1:0]                s_axi_arburst,
    input  wire                      s_axi_arlock,
    input  wire [3:0]                s_axi_arcache,
    input  wire [2:0]                s_axi_arprot,
    input  wire                      s_axi_arvalid,
    output wire                      s_axi_arready,
    output wire [3:0]                s_axi_rid,
    output wire [63:0]               s_axi_rdata,
    output wire [1:0]                s_axi_rresp,
    output wire                      s_axi_rlast,
    output wire                      s_axi_rvalid,
    input  wire                      s_axi_rready
    // END tb/tools/tops.py: dma port
);

`include "ringnic_desc.vh"

    localparam [31:0] RING_BYTES = 16 * RING_N;

    // ------------------------------------------------------------ RAM on the DMA port
    wire        wr_mon_valid;
    wire [31:0] wr_mon_addr;
    wire [63:0] wr_mon_data;
    wire [7:0]  wr_mon_strb;
    wire        ram_err;

    bench_axi_ram #(.ADDR_WIDTH(32), .ID_WIDTH(4), .DEPTH_LOG2(DEPTH_LOG2)) u_ram (
        .clk(clk), .rst(rst),
        .s_axi_awid(s_axi_awid), .s_axi_awaddr(s_axi_awaddr), .s_axi_awlen(s_axi_awlen),
        .s_axi_awsize(s_axi_awsize), .s_axi_awburst(s_axi_awburst),
        .s_axi_awvalid(s_axi_awvalid), .s_axi_awready(s_axi_awready),
        .s_axi_wdata(s_axi_wdata), .s_axi_wstrb(s_axi_wstrb), .s_axi_wlast(s_axi_wlast),
        .s_axi_wvalid(s_axi_wvalid), .s_axi_wready(s_axi_wready),
        .s_axi_bid(s_axi_bid), .s_axi_bresp(s_axi_bresp), .s_axi_bvalid(s_axi_bvalid), .s_axi_bready(s_axi_bready),
        .s_axi_arid(s_axi_arid), .s_axi_araddr(s_axi_araddr), .s_axi_arlen(s_axi_arlen),
        .s_axi_arsize(s_axi_arsize), .s_axi_arburst(s_axi_arburst),
        .s_axi_arvalid(s_axi_arvalid), .s_axi_arready(s_axi_arready),
        .s_axi_rid(s_axi_rid), .s_axi_rdata(s_axi_rdata), .s_axi_rresp(s_axi_rresp),
        .s_axi_rlast(s_axi_rlast), .s_axi_rvalid(s_axi_rvalid), .s_axi_rready(s_axi_rready),
        .wr_mon_valid(wr_mon_valid), .wr_mon_addr(wr_mon_addr), .wr_mon_data(wr_mon_data),
        .wr_mon_strb(wr_mon_strb), .proto_err(ram_err)
    );

    // ------------------------------------------------------------ doorbell and register port
    wire [16:0] db_awaddr, db_araddr;
    wire [2:0]  db_awprot, db_arprot;
    wire [31:0] db_wdata, db_rdata;
    wire [3:0]  db_wstrb;
    wire [1:0]  db_bresp, db_rresp;
    wire        db_awvalid, db_awready, db_wvalid, db_wready, db_bvalid, db_bready;
    wire        db_arvalid, db_arready, db_rvalid, db_rready;
    wire        db_busy, db_err;

    bench_doorbell #(
        .RING_N(RING_N), .TDH_OFF(TDH_OFF), .TDT_OFF(TDT_OFF), .RDH_OFF(RDH_OFF), .RDT_OFF(RDT_OFF)
    ) u_doorbell (
        .clk(clk), .rst(rst), .start(run), .tx_en(tx_en), .rx_en(rx_en), .busy(db_busy), .err(db_err),
        .m_axil_awaddr(db_awaddr), .m_axil_awprot(db_awprot), .m_axil_awvalid(db_awvalid), .m_axil_awready(db_awready),
        .m_axil_wdata(db_wdata), .m_axil_wstrb(db_wstrb), .m_axil_wvalid(db_wvalid), .m_axil_wready(db_wready),
        .m_axil_bresp(db_bresp), .m_axil_bvalid(db_bvalid), .m_axil_bready(db_bready),
        .m_axil_araddr(db_araddr), .m_axil_arprot(db_arprot), .m_axil_arvalid(db_arvalid), .m_axil_arready(db_arready),
        .m_axil_rdata(db_rdata), .m_axil_rresp(db_rresp), .m_axil_rvalid(db_rvalid), .m_axil_rready(db_rready)
    );

    assign busy = run || db_busy;
    assign err  = db_err || ram_err;

    bench_axil_mux #(.ADDR_WIDTH(17)) u_mux (
        .sel(busy),
        .s0_axil_awaddr(s_axil_awaddr), .s0_axil_awprot(s_axil_awprot), .s0_axil_awvalid(s_axil_awvalid),
        .s0_axil_awready(s_axil_awready), .s0_axil_wdata(s_axil_wdata), .s0_axil_wstrb(s_axil_wstrb),
        .s0_axil_wvalid(s_axil_wvalid), .s0_axil_wready(s_axil_wready), .s0_axil_bresp(s_axil_bresp),
        .s0_axil_bvalid(s_axil_bvalid), .s0_axil_bready(s_axil_bready), .s0_axil_araddr(s_axil_araddr),
        .s0_axil_arprot(s_axil_arprot), .s0_axil_arvalid(s_axil_arvalid), .s0_axil_arready(s_axil_arready),
        .s0_axil_rdata(s_axil_rdata), .s0_axil_rresp(s_axil_rresp), .s0_axil_rvalid(s_axil_rvalid),
        .s0_axil_rready(s_axil_rready),
        .s1_axil_awaddr(db_awaddr), .s1_axil_awprot(db_awprot), .s1_axil_awvalid(db_awvalid),
        .s1_axil_awready(db_awready), .s1_axil_wdata(db_wdata), .s1_axil_wstrb(db_wstrb),
        .s1_axil_wvalid(db_wvalid), .s1_axil_wready(db_wready), .s1_axil_bresp(db_bresp),
        .s1_axil_bvalid(db_bvalid), .s1_axil_bready(db_bready), .s1_axil_araddr(db_araddr),
        .s1_axil_arprot(db_arprot), .s1_axil_arvalid(db_arvalid), .s1_axil_arready(db_arready),
        .s1_axil_rdata(db_rdata), .s1_axil_rresp(db_rresp), .s1_axil_rvalid(db_rvalid),
        .s1_axil_rready(db_rready),
        .m_axil_awaddr(m_axil_awaddr), .m_axil_awprot(m_axil_awprot), .m_axil_awvalid(m_axil_awvalid),
        .m_axil_awready(m_axil_awready), .m_axil_wdata(m_axil_wdata), .m_axil_wstrb(m_axil_wstrb),
        .m_axil_wvalid(m_axil_wvalid), .m_axil_wready(m_axil_wready), .m_axil_bresp(m_axil_bresp),
        .m_axil_bvalid(m_axil_bvalid), .m_axil_bready(m_axil_bready), .m_axil_araddr(m_axil_araddr),
        .m_axil_arprot(m_axil_arprot), .m_axil_arvalid(m_axil_arvalid), .m_axil_arready(m_axil_arready),
        .m_axil_rdata(m_axil_rdata), .m_axil_rresp(m_axil_rresp), .m_axil_rvalid(m_axil_rvalid),
        .m_axil_rready(m_axil_rready)
    );

    // ------------------------------------------------------------ counters
    wire [31:0] ar_off_tx = s_axi_araddr - ring_tx_base;  // unsigned: below the base wraps high
    wire [31:0] ar_off_rx = s_axi_araddr - ring_rx_base;
    wire [31:0] w_off_tx  = wr_mon_addr - ring_tx_base;
    wire [31:0] w_off_rx  = wr_mon_addr - ring_rx_base;
    wire        ar_fire   = s_axi_arvalid && s_axi_arready;
    // A write-back is the descriptor's upper 8 bytes: offset 8 in the 16-byte descriptor, bit WB_LO
    // of rtl/ringnic_desc.vh's layout.
    localparam integer WB_LO = 64;
    wire        tx_wb     = wr_mon_valid && w_off_tx < RING_BYTES && w_off_tx[3];
    wire        rx_wb     = wr_mon_valid && w_off_rx < RING_BYTES && w_off_rx[3] && wr_mon_data[RN_RXD_STAT_DD-WB_LO];
    wire        rx_eop    = wr_mon_data[RN_RXD_STAT_EOP-WB_LO];
    wire [7:0]  rx_errors = wr_mon_data[RN_RXD_ERRORS-WB_LO +: RN_RXD_ERRORS_W];

    reg [63:0] cnt_txd_fetch, cnt_rxd_fetch, cnt_tx_wb, cnt_rx_wb, cnt_rx_frames, cnt_rx_bytes, cnt_rx_errors;

    always @(posedge clk) begin
        if (rst) begin
            cnt_txd_fetch <= 64'd0;
            cnt_rxd_fetch <= 64'd0;
            cnt_tx_wb     <= 64'd0;
            cnt_rx_wb     <= 64'd0;
            cnt_rx_frames <= 64'd0;
            cnt_rx_bytes  <= 64'd0;
            cnt_rx_errors <= 64'd0;
        end else if (run) begin
            if (ar_fire && ar_off_tx < RING_BYTES)
                cnt_txd_fetch <= cnt_txd_fetch + 64'd1;
            if (ar_fire && ar_off_rx < RING_BYTES)
                cnt_rxd_fetch <= cnt_rxd_fetch + 64'd1;
            if (tx_wb)
                cnt_tx_wb <= cnt_tx_wb + 64'd1;
            if (rx_wb) begin
                cnt_rx_wb    <= cnt_rx_wb + 64'd1;
                cnt_rx_bytes <= cnt_rx_bytes + {48'd0, wr_mon_data[RN_RXD_LENGTH-WB_LO +: RN_RXD_LENGTH_W]};
            end
            if (rx_wb && rx_eop)
                cnt_rx_frames <= cnt_rx_frames + 64'd1;
            if (rx_wb && rx_eop && rx_errors != 8'd0)
                cnt_rx_errors <= cnt_rx_errors + 64'd1;
        end
    end

    // The RAM ignores these AXI attributes; the strobes of a write-back are not checked.
    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, s_axi_awlock, s_axi_awcache, s_axi_awprot, s_axi_arlock, s_axi_arcache,
                       s_axi_arprot, wr_mon_strb, wr_mon_data, w_off_tx, w_off_rx};
    /* verilator lint_on UNUSEDSIGNAL */

endmodule

`default_nettype wire
