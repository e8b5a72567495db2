`default_nettype none
`timescale 1ns/1ps

// ringnic_host: the ringnic top with host memory behind host_mem_bridge instead of a Python AXI
// RAM on m_axi_: the fast path (tb/hostmem_bridge.py), Python work once per DMA burst. Every
// other port is ringnic's; hm_* is the bridge's Python side.
//
// Generated once from ringnic.v's port list: edit both together.

module ringnic_host #(
    parameter [47:0]  MAC_ADDR  = 48'h02_0A_35_00_00_01,  // MAC address at reset (first octet in 47:40)
    parameter integer MAX_BEATS = 256                     // longest DMA burst the bridge serves, beats
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire [16:0]              s_axil_awaddr,
    input  wire [2:0]               s_axil_awprot,
    input  wire                     s_axil_awvalid,
    output wire                     s_axil_awready,
    input  wire [31:0]              s_axil_wdata,
    input  wire [3:0]               s_axil_wstrb,
    input  wire                     s_axil_wvalid,
    output wire                     s_axil_wready,
    output wire [1:0]               s_axil_bresp,
    output wire                     s_axil_bvalid,
    input  wire                     s_axil_bready,
    input  wire [16:0]              s_axil_araddr,
    input  wire [2:0]               s_axil_arprot,
    input  wire                     s_axil_arvalid,
    output wire                     s_axil_arready,
    output wire [31:0]              s_axil_rdata,
    output wire [1:0]               s_axil_rresp,
    output wire                     s_axil_rvalid,
    input  wire                     s_axil_rready,
    output wire [63:0]              m_axis_tx_tdata,
    output wire [7:0]               m_axis_tx_tkeep,
    output wire                     m_axis_tx_tvalid,
    input  wire                     m_axis_tx_tready,
    output wire                     m_axis_tx_tlast,
    output wire [0:0]               m_axis_tx_tuser,
    input  wire [63:0]              s_axis_rx_tdata,
    input  wire [7:0]               s_axis_rx_tkeep,
    input  wire                     s_axis_rx_tvalid,
    output wire                     s_axis_rx_tready,
    input  wire                     s_axis_rx_tlast,
    input  wire [0:0]               s_axis_rx_tuser,
    output wire                     irq,
    output wire                     hm_rd_req,
    output wire [48:0]              hm_rd_cmd,
    input  wire [64*MAX_BEATS+1:0]  hm_rd_resp,
    output wire                     hm_wr_req,
    output wire [49+72*MAX_BEATS-1:0] hm_wr_cmd,
    output wire [49+72*16-1:0]      hm_wr_head,
    input  wire [1:0]               hm_wr_resp
);

    wire [3:0]    m_axi_awid;
    wire [31:0]   m_axi_awaddr;
    wire [7:0]    m_axi_awlen;
    wire [2:0]    m_axi_awsize;
    wire [1:0]    m_axi_awburst;
    wire          m_axi_awlock;
    wire [3:0]    m_axi_awcache;
    wire [2:0]    m_axi_awprot;
    wire          m_axi_awvalid;
    wire          m_axi_awready;
    wire [63:0]   m_axi_wdata;
    wire [7:0]    m_axi_wstrb;
    wire          m_axi_wlast;
    wire          m_axi_wvalid;
    wire          m_axi_wready;
    wire [3:0]    m_axi_bid;
    wire [1:0]    m_axi_bresp;
    wire          m_axi_bvalid;
    wire          m_axi_bready;
    wire [3:0]    m_axi_arid;
    wire [31:0]   m_axi_araddr;
    wire [7:0]    m_axi_arlen;
    wire [2:0]    m_axi_arsize;
    wire [1:0]    m_axi_arburst;
    wire          m_axi_arlock;
    wire [3:0]    m_axi_arcache;
    wire [2:0]    m_axi_arprot;
    wire          m_axi_arvalid;
    wire          m_axi_arready;
    wire [3:0]    m_axi_rid;
    wire [63:0]   m_axi_rdata;
    wire [1:0]    m_axi_rresp;
    wire          m_axi_rlast;
    wire          m_axi_rvalid;
    wire          m_axi_rready;

    ringnic #(.MAC_ADDR(MAC_ADDR)) u_nic (
        .clk(clk),
        .rst(rst),
        .s_axil_awaddr(s_axil_awaddr),
        .s_axil_awprot(s_axil_awprot),
        .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr),
        .s_axil_arprot(s_axil_arprot),
        .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .m_axi_awid(m_axi_awid),
        .m_axi_awaddr(m_axi_awaddr),
        .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst),
        .m_axi_awlock(m_axi_awlock),
        .m_axi_awcache(m_axi_awcache),
        .m_axi_awprot(m_axi_awprot),
        .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready),
        .m_axi_wdata(m_axi_wdata),
        .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast),
        .m_axi_wvalid(m_axi_wvalid),
        .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid),
        .m_axi_bresp(m_axi_bresp),
        .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready),
        .m_axi_arid(m_axi_arid),
        .m_axi_araddr(m_axi_araddr),
        .m_axi_arlen(m_axi_arlen),
        .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst),
        .m_axi_arlock(m_axi_arlock),
        .m_axi_arcache(m_axi_arcache),
        .m_axi_arprot(m_axi_arprot),
        .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready),
        .m_axi_rid(m_axi_rid),
        .m_axi_rdata(m_axi_rdata),
        .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast),
        .m_axi_rvalid(m_axi_rvalid),
        .m_axi_rready(m_axi_rready),
        .m_axis_tx_tdata(m_axis_tx_tdata),
        .m_axis_tx_tkeep(m_axis_tx_tkeep),
        .m_axis_tx_tvalid(m_axis_tx_tvalid),
        .m_axis_tx_tready(m_axis_tx_tready),
        .m_axis_tx_tlast(m_axis_tx_tlast),
        .m_axis_tx_tuser(m_axis_tx_tuser),
        .s_axis_rx_tdata(s_axis_rx_tdata),
        .s_axis_rx_tkeep(s_axis_rx_tkeep),
        .s_axis_rx_tvalid(s_axis_rx_tvalid),
        .s_axis_rx_tready(s_axis_rx_tready),
        .s_axis_rx_tlast(s_axis_rx_tlast),
        .s_axis_rx_tuser(s_axis_rx_tuser),
        .irq(irq)
    );

    host_mem_bridge #(.ID_WIDTH(4), .MAX_BEATS(MAX_BEATS)) u_hm (
        .clk(clk), .rst(rst),
        .s_axi_awid(m_axi_awid),
        .s_axi_awaddr(m_axi_awaddr),
        .s_axi_awlen(m_axi_awlen),
        .s_axi_awsize(m_axi_awsize),
        .s_axi_awburst(m_axi_awburst),
        .s_axi_awvalid(m_axi_awvalid),
        .s_axi_awready(m_axi_awready),
        .s_axi_wdata(m_axi_wdata),
        .s_axi_wstrb(m_axi_wstrb),
        .s_axi_wlast(m_axi_wlast),
        .s_axi_wvalid(m_axi_wvalid),
        .s_axi_wready(m_axi_wready),
        .s_axi_bid(m_axi_bid),
        .s_axi_bresp(m_axi_bresp),
        .s_axi_bvalid(m_axi_bvalid),
        .s_axi_bready(m_axi_bready),
        .s_axi_arid(m_axi_arid),
        .s_axi_araddr(m_axi_araddr),
        .s_axi_arlen(m_axi_arlen),
        .s_axi_arsize(m_axi_arsize),
        .s_axi_arburst(m_axi_arburst),
        .s_axi_arvalid(m_axi_arvalid),
        .s_axi_arready(m_axi_arready),
        .s_axi_rid(m_axi_rid),
        .s_axi_rdata(m_axi_rdata),
        .s_axi_rresp(m_axi_rresp),
        .s_axi_rlast(m_axi_rlast),
        .s_axi_rvalid(m_axi_rvalid),
        .s_axi_rready(m_axi_rready),
        .rd_req(hm_rd_req),
        .rd_cmd(hm_rd_cmd),
        .rd_resp(hm_rd_resp),
        .wr_req(hm_wr_req),
        .wr_cmd(hm_wr_cmd),
        .wr_head(hm_wr_head),
        .wr_resp(hm_wr_resp)
    );

    wire unused_ok = &{1'b0, m_axi_awlock, m_axi_awcache, m_axi_awprot, m_axi_arlock, m_axi_arcache, m_axi_arprot};

endmodule

`default_nettype wire
