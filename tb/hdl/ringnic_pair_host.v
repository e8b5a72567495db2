`default_nettype none
`timescale 1ns/1ps

// ringnic_pair_host: ringnic_pair with each NIC's host memory behind a host_mem_bridge (the fast
// path, tb/hostmem_bridge.py); a_hm_* and b_hm_* are the bridges' Python sides, the rest is
// ringnic_pair's. Generated once from ringnic_pair.v's port list: edit both together.

module ringnic_pair_host #(
    parameter [47:0]  MAC_A     = 48'h02_0A_35_00_00_01,  // NIC A's MAC address at reset
    parameter [47:0]  MAC_B     = 48'h02_0A_35_00_00_02,  // NIC B's
    parameter integer MAX_BEATS = 256                     // longest DMA burst a bridge serves, beats
) (
    input  wire                     clk,
    input  wire                     rst,
    input  wire [16:0]              a_s_axil_awaddr,
    input  wire [2:0]               a_s_axil_awprot,
    input  wire                     a_s_axil_awvalid,
    output wire                     a_s_axil_awready,
    input  wire [31:0]              a_s_axil_wdata,
    input  wire [3:0]               a_s_axil_wstrb,
    input  wire                     a_s_axil_wvalid,
    output wire                     a_s_axil_wready,
    output wire [1:0]               a_s_axil_bresp,
    output wire                     a_s_axil_bvalid,
    input  wire                     a_s_axil_bready,
    input  wire [16:0]              a_s_axil_araddr,
    input  wire [2:0]               a_s_axil_arprot,
    input  wire                     a_s_axil_arvalid,
    output wire                     a_s_axil_arready,
    output wire [31:0]              a_s_axil_rdata,
    output wire [1:0]               a_s_axil_rresp,
    output wire                     a_s_axil_rvalid,
    input  wire                     a_s_axil_rready,
    output wire                     a_irq,
    input  wire [16:0]              b_s_axil_awaddr,
    input  wire [2:0]               b_s_axil_awprot,
    input  wire                     b_s_axil_awvalid,
    output wire                     b_s_axil_awready,
    input  wire [31:0]              b_s_axil_wdata,
    input  wire [3:0]               b_s_axil_wstrb,
    input  wire                     b_s_axil_wvalid,
    output wire                     b_s_axil_wready,
    output wire [1:0]               b_s_axil_bresp,
    output wire                     b_s_axil_bvalid,
    input  wire                     b_s_axil_bready,
    input  wire [16:0]              b_s_axil_araddr,
    input  wire [2:0]               b_s_axil_arprot,
    input  wire                     b_s_axil_arvalid,
    output wire                     b_s_axil_arready,
    output wire [31:0]              b_s_axil_rdata,
    output wire [1:0]               b_s_axil_rresp,
    output wire                     b_s_axil_rvalid,
    input  wire                     b_s_axil_rready,
    output wire                     b_irq,
    output wire                     a_hm_rd_req,
    output wire [48:0]              a_hm_rd_cmd,
    input  wire [64*MAX_BEATS+1:0]  a_hm_rd_resp,
    output wire                     a_hm_wr_req,
    output wire [49+72*MAX_BEATS-1:0] a_hm_wr_cmd,
    output wire [49+72*16-1:0]      a_hm_wr_head,
    input  wire [1:0]               a_hm_wr_resp,
    output wire                     b_hm_rd_req,
    output wire [48:0]              b_hm_rd_cmd,
    input  wire [64*MAX_BEATS+1:0]  b_hm_rd_resp,
    output wire                     b_hm_wr_req,
    output wire [49+72*MAX_BEATS-1:0] b_hm_wr_cmd,
    output wire [49+72*16-1:0]      b_hm_wr_head,
    input  wire [1:0]               b_hm_wr_resp
);

    wire [3:0]    a_m_axi_awid;
    wire [31:0]   a_m_axi_awaddr;
    wire [7:0]    a_m_axi_awlen;
    wire [2:0]    a_m_axi_awsize;
    wire [1:0]    a_m_axi_awburst;
    wire          a_m_axi_awlock;
    wire [3:0]    a_m_axi_awcache;
    wire [2:0]    a_m_axi_awprot;
    wire          a_m_axi_awvalid;
    wire          a_m_axi_awready;
    wire [63:0]   a_m_axi_wdata;
    wire [7:0]    a_m_axi_wstrb;
    wire          a_m_axi_wlast;
    wire          a_m_axi_wvalid;
    wire          a_m_axi_wready;
    wire [3:0]    a_m_axi_bid;
    wire [1:0]    a_m_axi_bresp;
    wire          a_m_axi_bvalid;
    wire          a_m_axi_bready;
    wire [3:0]    a_m_axi_arid;
    wire [31:0]   a_m_axi_araddr;
    wire [7:0]    a_m_axi_arlen;
    wire [2:0]    a_m_axi_arsize;
    wire [1:0]    a_m_axi_arburst;
    wire          a_m_axi_arlock;
    wire [3:0]    a_m_axi_arcache;
    wire [2:0]    a_m_axi_arprot;
    wire          a_m_axi_arvalid;
    wire          a_m_axi_arready;
    wire [3:0]    a_m_axi_rid;
    wire [63:0]   a_m_axi_rdata;
    wire [1:0]    a_m_axi_rresp;
    wire          a_m_axi_rlast;
    wire          a_m_axi_rvalid;
    wire          a_m_axi_rready;
    wire [3:0]    b_m_axi_awid;
    wire [31:0]   b_m_axi_awaddr;
    wire [7:0]    b_m_axi_awlen;
    wire [2:0]    b_m_axi_awsize;
    wire [1:0]    b_m_axi_awburst;
    wire          b_m_axi_awlock;
    wire [3:0]    b_m_axi_awcache;
    wire [2:0]    b_m_axi_awprot;
    wire          b_m_axi_awvalid;
    wire          b_m_axi_awready;
    wire [63:0]   b_m_axi_wdata;
    wire [7:0]    b_m_axi_wstrb;
    wire          b_m_axi_wlast;
    wire          b_m_axi_wvalid;
    wire          b_m_axi_wready;
    wire [3:0]    b_m_axi_bid;
    wire [1:0]    b_m_axi_bresp;
    wire          b_m_axi_bvalid;
    wire          b_m_axi_bready;
    wire [3:0]    b_m_axi_arid;
    wire [31:0]   b_m_axi_araddr;
    wire [7:0]    b_m_axi_arlen;
    wire [2:0]    b_m_axi_arsize;
    wire [1:0]    b_m_axi_arburst;
    wire          b_m_axi_arlock;
    wire [3:0]    b_m_axi_arcache;
    wire [2:0]    b_m_axi_arprot;
    wire          b_m_axi_arvalid;
    wire          b_m_axi_arready;
    wire [3:0]    b_m_axi_rid;
    wire [63:0]   b_m_axi_rdata;
    wire [1:0]    b_m_axi_rresp;
    wire          b_m_axi_rlast;
    wire          b_m_axi_rvalid;
    wire          b_m_axi_rready;

    ringnic_pair #(.MAC_A(MAC_A), .MAC_B(MAC_B)) u_pair (
        .clk(clk),
        .rst(rst),
        .a_s_axil_awaddr(a_s_axil_awaddr),
        .a_s_axil_awprot(a_s_axil_awprot),
        .a_s_axil_awvalid(a_s_axil_awvalid),
        .a_s_axil_awready(a_s_axil_awready),
        .a_s_axil_wdata(a_s_axil_wdata),
        .a_s_axil_wstrb(a_s_axil_wstrb),
        .a_s_axil_wvalid(a_s_axil_wvalid),
        .a_s_axil_wready(a_s_axil_wready),
        .a_s_axil_bresp(a_s_axil_bresp),
        .a_s_axil_bvalid(a_s_axil_bvalid),
        .a_s_axil_bready(a_s_axil_bready),
        .a_s_axil_araddr(a_s_axil_araddr),
        .a_s_axil_arprot(a_s_axil_arprot),
        .a_s_axil_arvalid(a_s_axil_arvalid),
        .a_s_axil_arready(a_s_axil_arready),
        .a_s_axil_rdata(a_s_axil_rdata),
        .a_s_axil_rresp(a_s_axil_rresp),
        .a_s_axil_rvalid(a_s_axil_rvalid),
        .a_s_axil_rready(a_s_axil_rready),
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
        .a_irq(a_irq),
        .b_s_axil_awaddr(b_s_axil_awaddr),
        .b_s_axil_awprot(b_s_axil_awprot),
        .b_s_axil_awvalid(b_s_axil_awvalid),
        .b_s_axil_awready(b_s_axil_awready),
        .b_s_axil_wdata(b_s_axil_wdata),
        .b_s_axil_wstrb(b_s_axil_wstrb),
        .b_s_axil_wvalid(b_s_axil_wvalid),
        .b_s_axil_wready(b_s_axil_wready),
        .b_s_axil_bresp(b_s_axil_bresp),
        .b_s_axil_bvalid(b_s_axil_bvalid),
        .b_s_axil_bready(b_s_axil_bready),
        .b_s_axil_araddr(b_s_axil_araddr),
        .b_s_axil_arprot(b_s_axil_arprot),
        .b_s_axil_arvalid(b_s_axil_arvalid),
        .b_s_axil_arready(b_s_axil_arready),
        .b_s_axil_rdata(b_s_axil_rdata),
        .b_s_axil_rresp(b_s_axil_rresp),
        .b_s_axil_rvalid(b_s_axil_rvalid),
        .b_s_axil_rready(b_s_axil_rready),
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
        .b_irq(b_irq)
    );

    host_mem_bridge #(.ID_WIDTH(4), .MAX_BEATS(MAX_BEATS)) u_hm_a (
        .clk(clk), .rst(rst),
        .s_axi_awid(a_m_axi_awid),
        .s_axi_awaddr(a_m_axi_awaddr),
        .s_axi_awlen(a_m_axi_awlen),
        .s_axi_awsize(a_m_axi_awsize),
        .s_axi_awburst(a_m_axi_awburst),
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
        .s_axi_arvalid(a_m_axi_arvalid),
        .s_axi_arready(a_m_axi_arready),
        .s_axi_rid(a_m_axi_rid),
        .s_axi_rdata(a_m_axi_rdata),
        .s_axi_rresp(a_m_axi_rresp),
        .s_axi_rlast(a_m_axi_rlast),
        .s_axi_rvalid(a_m_axi_rvalid),
        .s_axi_rready(a_m_axi_rready),
        .rd_req(a_hm_rd_req),
        .rd_cmd(a_hm_rd_cmd),
        .rd_resp(a_hm_rd_resp),
        .wr_req(a_hm_wr_req),
        .wr_cmd(a_hm_wr_cmd),
        .wr_head(a_hm_wr_head),
        .wr_resp(a_hm_wr_resp)
    );

    host_mem_bridge #(.ID_WIDTH(4), .MAX_BEATS(MAX_BEATS)) u_hm_b (
        .clk(clk), .rst(rst),
        .s_axi_awid(b_m_axi_awid),
        .s_axi_awaddr(b_m_axi_awaddr),
        .s_axi_awlen(b_m_axi_awlen),
        .s_axi_awsize(b_m_axi_awsize),
        .s_axi_awburst(b_m_axi_awburst),
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
        .s_axi_arvalid(b_m_axi_arvalid),
        .s_axi_arready(b_m_axi_arready),
        .s_axi_rid(b_m_axi_rid),
        .s_axi_rdata(b_m_axi_rdata),
        .s_axi_rresp(b_m_axi_rresp),
        .s_axi_rlast(b_m_axi_rlast),
        .s_axi_rvalid(b_m_axi_rvalid),
        .s_axi_rready(b_m_axi_rready),
        .rd_req(b_hm_rd_req),
        .rd_cmd(b_hm_rd_cmd),
        .rd_resp(b_hm_rd_resp),
        .wr_req(b_hm_wr_req),
        .wr_cmd(b_hm_wr_cmd),
        .wr_head(b_hm_wr_head),
        .wr_resp(b_hm_wr_resp)
    );

    wire unused_ok = &{1'b0, a_m_axi_awlock, a_m_axi_awcache, a_m_axi_awprot, a_m_axi_arlock, a_m_axi_arcache, a_m_axi_arprot, b_m_axi_awlock, b_m_axi_awcache, b_m_axi_awprot, b_m_axi_arlock, b_m_axi_arcache, b_m_axi_arprot};

endmodule

`default_nettype wire
