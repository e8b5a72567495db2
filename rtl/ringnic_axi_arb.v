`default_nettype none
`timescale 1ns/1ps

// ringnic_axi_arb: two AXI4 masters (port 0 = TX engine, port 1 = RX engine) onto the NIC's one
// AXI4 DMA master port to host memory.
//
// Address channels (AR and AW, arbitrated independently):
//  * One output register per channel (m_axi_ar*, m_axi_aw* are flops). It loads whenever it is
//    empty or being emptied, so one address per cycle passes.
//  * Arbitration: FAIR = 1 is round-robin (after a grant the other port wins the next tie), so a
//    master holding valid is granted within one grant of the other port; FAIR = 0 gives port 0
//    the tie every time (port 1 only gets the bus when port 0 is idle).
//  * A port's ready never depends on its own valid: s<p>_axi_a*ready = "register free" and "p
//    has the tie or the other port is not requesting". A master that (legally) raises valid
//    without looking at ready therefore sees no combinational loop through the arbiter.
//  * A master's requests keep their order (one register, granted in arrival order per port).
//
// Write data: every AW granted pushes its port into an order queue (2**W_QUEUE_LOG2 entries);
// the W channel is connected to the port at the head of that queue until the beat with WLAST,
// so W beats of two bursts never interleave and follow AW order, as AXI4 (no WID) requires. The
// W of a granted burst flows from the cycle after the grant, also while its AW still waits for
// m_axi_awready (AXI allows W before AW; a slave that waits for WVALID before AWREADY cannot
// deadlock it); the next burst's W follows WLAST without a gap. When the queue is full no
// further AW is granted.
//
// Response routing, by ID (no order tracking, so it holds when the slave reorders responses of
// different IDs or interleaves their R beats, as AXI4 allows):
//  * The bits of ID_PORT_MASK name the port: port p owns the IDs whose masked bits equal
//    S<p>_ID's. Defaults (ID_WIDTH = 4): the ID's top bit; port 0 owns IDs 0-7, port 1 IDs 8-15.
//  * On the way out, the arbiter forces the masked bits of ARID/AWID to the port's value. An
//    engine that uses IDs of its own range (the contract) sees them unchanged; one that does not
//    gets its response with the forced ID, never the other engine's response.
//  * An R beat or B response goes to port 1 when (ID & ID_PORT_MASK) == (S1_ID & ID_PORT_MASK),
//    otherwise to port 0 (an ID of neither range was never issued: a slave error, sent to
//    port 0 so that the bus does not hang). Every R beat is routed on its own, RLAST included.
//  * No limit on outstanding bursts: each master may have as many reads and writes in flight as
//    the slave accepts.
//
// W, R and B are combinational (mux and demux, no register): one beat per cycle, no bubble, in
// both directions. Combinational paths: s<p>_axi_wvalid/wdata -> m_axi_w*, m_axi_wready ->
// s<p>_axi_wready, m_axi_r*/b* -> s<p>_axi_r*/b*, s<p>_axi_rready/bready -> m_axi_rready/bready,
// m_axi_awready/arready -> s<p>_axi_awready/arready, and the other port's a*valid ->
// s<p>_axi_a*ready. None goes from a valid to the ready of the same handshake.

module ringnic_axi_arb #(
    parameter integer          ADDR_WIDTH   = 32,  // AXI address width, bits, on all three ports
    parameter integer          DATA_WIDTH   = 64,  // AXI data width, bits (a multiple of 8), on all three ports
    parameter integer          ID_WIDTH     = 4,   // AXI ID width, bits, on all three ports (>= 1)
    parameter integer          FAIR         = 1,   // 1: round-robin arbitration; 0: port 0 wins every tie
    parameter [ID_WIDTH-1:0]   ID_PORT_MASK = {1'b1, {(ID_WIDTH-1){1'b0}}}, // ID bits that name the port (default: the top bit); nonzero
    parameter [ID_WIDTH-1:0]   S0_ID        = {ID_WIDTH{1'b0}},             // port 0's value of the ID_PORT_MASK bits (its ID range)
    parameter [ID_WIDTH-1:0]   S1_ID        = {1'b1, {(ID_WIDTH-1){1'b0}}}, // port 1's value of the ID_PORT_MASK bits; must differ from S0_ID there
    parameter integer          W_QUEUE_LOG2 = 2,   // log2 of the granted AW bursts whose W data may be pending (>= 1)
    parameter integer          MON_MAX_OUT  = 64   // protocol monitor only (never built): bursts in flight per direction it allows on m_axi (1..64)
) (
    input  wire                      clk,
    input  wire                      rst,              // synchronous, active high

    // ------------------------------------------------------------ AXI4 slave port 0: TX engine
    input  wire [ID_WIDTH-1:0]       s0_axi_awid,
    input  wire [ADDR_WIDTH-1:0]     s0_axi_awaddr,
    input  wire [7:0]                s0_axi_awlen,
    input  wire [2:0]                s0_axi_awsize,
    input  wire [1:0]                s0_axi_awburst,
    input  wire                      s0_axi_awlock,
    input  wire [3:0]                s0_axi_awcache,
    input  wire [2:0]                s0_axi_awprot,
    input  wire                      s0_axi_awvalid,
    output wire                      s0_axi_awready,
    input  wire [DATA_WIDTH-1:0]     s0_axi_wdata,
    input  wire [DATA_WIDTH/8-1:0]   s0_axi_wstrb,
    input  wire                      s0_axi_wlast,
    input  wire                      s0_axi_wvalid,
    output wire                      s0_axi_wready,
    output wire [ID_WIDTH-1:0]       s0_axi_bid,
    output wire [1:0]                s0_axi_bresp,
    output wire                      s0_axi_bvalid,
    input  wire                      s0_axi_bready,
    input  wire [ID_WIDTH-1:0]       s0_axi_arid,
    input  wire [ADDR_WIDTH-1:0]     s0_axi_araddr,
    input  wire [7:0]                s0_axi_arlen,
    input  wire [2:0]                s0_axi_arsize,
    input  wire [1:0]                s0_axi_arburst,
    input  wire                      s0_axi_arlock,
    input  wire [3:0]                s0_axi_arcache,
    input  wire [2:0]                s0_axi_arprot,
    input  wire                      s0_axi_arvalid,
    output wire                      s0_axi_arready,
    output wire [ID_WIDTH-1:0]       s0_axi_rid,
    output wire [DATA_WIDTH-1:0]     s0_axi_rdata,
    output wire [1:0]                s0_axi_rresp,
    output wire                      s0_axi_rlast,
    output wire                      s0_axi_rvalid,
    input  wire                      s0_axi_rready,

    // ------------------------------------------------------------ AXI4 slave port 1: RX engine
    input  wire [ID_WIDTH-1:0]       s1_axi_awid,
    input  wire [ADDR_WIDTH-1:0]     s1_axi_awaddr,
    input  wire [7:0]                s1_axi_awlen,
    input  wire [2:0]                s1_axi_awsize,
    input  wire [1:0]                s1_axi_awburst,
    input  wire                      s1_axi_awlock,
    input  wire [3:0]                s1_axi_awcache,
    input  wire [2:0]                s1_axi_awprot,
    input  wire                      s1_axi_awvalid,
    output wire                      s1_axi_awready,
    input  wire [DATA_WIDTH-1:0]     s1_axi_wdata,
    input  wire [DATA_WIDTH/8-1:0]   s1_axi_wstrb,
    input  wire                      s1_axi_wlast,
    input  wire                      s1_axi_wvalid,
    output wire                      s1_axi_wready,
    output wire [ID_WIDTH-1:0]       s1_axi_bid,
    output wire [1:0]                s1_axi_bresp,
    output wire                      s1_axi_bvalid,
    input  wire                      s1_axi_bready,
    input  wire [ID_WIDTH-1:0]       s1_axi_arid,
    input  wire [ADDR_WIDTH-1:0]     s1_axi_araddr,
    input  wire [7:0]                s1_axi_arlen,
    input  wire [2:0]                s1_axi_arsize,
    input  wire [1:0]                s1_axi_arburst,
    input  wire                      s1_axi_arlock,
    input  wire [3:0]                s1_axi_arcache,
    input  wire [2:0]                s1_axi_arprot,
    input  wire                      s1_axi_arvalid,
    output wire                      s1_axi_arready,
    output wire [ID_WIDTH-1:0]       s1_axi_rid,
    output wire [DATA_WIDTH-1:0]     s1_axi_rdata,
    output wire [1:0]                s1_axi_rresp,
    output wire                      s1_axi_rlast,
    output wire                      s1_axi_rvalid,
    input  wire                      s1_axi_rready,

    // ------------------------------------------------------------ AXI4 master: host memory
    output wire [ID_WIDTH-1:0]       m_axi_awid,
    output wire [ADDR_WIDTH-1:0]     m_axi_awaddr,
    output wire [7:0]                m_axi_awlen,
    output wire [2:0]                m_axi_awsize,
    output wire [1:0]                m_axi_awburst,
    output wire                      m_axi_awlock,
    output wire [3:0]                m_axi_awcache,
    output wire [2:0]                m_axi_awprot,
    output wire                      m_axi_awvalid,
    input  wire                      m_axi_awready,
    output wire [DATA_WIDTH-1:0]     m_axi_wdata,
    output wire [DATA_WIDTH/8-1:0]   m_axi_wstrb,
    output wire                      m_axi_wlast,
    output wire                      m_axi_wvalid,
    input  wire                      m_axi_wready,
    input  wire [ID_WIDTH-1:0]       m_axi_bid,
    input  wire [1:0]                m_axi_bresp,
    input  wire                      m_axi_bvalid,
    output wire                      m_axi_bready,
    output wire [ID_WIDTH-1:0]       m_axi_arid,
    output wire [ADDR_WIDTH-1:0]     m_axi_araddr,
    output wire [7:0]                m_axi_arlen,
    output wire [2:0]                m_axi_arsize,
    output wire [1:0]                m_axi_arburst,
    output wire                      m_axi_arlock,
    output wire [3:0]                m_axi_arcache,
    output wire [2:0]                m_axi_arprot,
    output wire                      m_axi_arvalid,
    input  wire                      m_axi_arready,
    input  wire [ID_WIDTH-1:0]       m_axi_rid,
    input  wire [DATA_WIDTH-1:0]     m_axi_rdata,
    input  wire [1:0]                m_axi_rresp,
    input  wire                      m_axi_rlast,
    input  wire                      m_axi_rvalid,
    output wire                      m_axi_rready
);

    // Address beat: {id, addr, len, size, burst, lock, cache, prot}.
    localparam integer A_WIDTH  = ID_WIDTH + ADDR_WIDTH + 8 + 3 + 2 + 1 + 4 + 3;
    localparam integer WQ_DEPTH = 1 << W_QUEUE_LOG2;      // W order queue entries

    // Parameter check (simulation and lint; synthesis ignores it).
    /* verilator coverage_off */
    initial begin
        if (ID_PORT_MASK == {ID_WIDTH{1'b0}} || ((S0_ID ^ S1_ID) & ID_PORT_MASK) == {ID_WIDTH{1'b0}}) begin
            $display("ringnic_axi_arb: S0_ID and S1_ID must differ in the ID_PORT_MASK bits");
            $finish;
        end
        if (W_QUEUE_LOG2 < 1) begin
            $display("ringnic_axi_arb: W_QUEUE_LOG2 must be >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

    // An engine's ID with the port bits forced to its range.
    function [ID_WIDTH-1:0] port_id;
        input [ID_WIDTH-1:0] id;
        input [ID_WIDTH-1:0] port_bits;
        begin
            port_id = (id & ~ID_PORT_MASK) | (port_bits & ID_PORT_MASK);
        end
    endfunction

    // ================================================================ read address
    wire [A_WIDTH-1:0] s0_ar = {port_id(s0_axi_arid, S0_ID), s0_axi_araddr, s0_axi_arlen, s0_axi_arsize,
                                s0_axi_arburst, s0_axi_arlock, s0_axi_arcache, s0_axi_arprot};
    wire [A_WIDTH-1:0] s1_ar = {port_id(s1_axi_arid, S1_ID), s1_axi_araddr, s1_axi_arlen, s1_axi_arsize,
                                s1_axi_arburst, s1_axi_arlock, s1_axi_arcache, s1_axi_arprot};

    reg  [A_WIDTH-1:0] ar_q;
    reg                ar_valid_q;
    reg                ar_tie1_q;           // port 1 wins the next tie

    wire ar_free = !ar_valid_q || m_axi_arready;
    assign s0_axi_arready = ar_free && (!ar_tie1_q || !s1_axi_arvalid);
    assign s1_axi_arready = ar_free && ( ar_tie1_q || !s0_axi_arvalid);
    wire ar_take0 = s0_axi_arvalid && s0_axi_arready;
    wire ar_take1 = s1_axi_arvalid && s1_axi_arready;

    always @(posedge clk) begin
        if (ar_take0)
            ar_q <= s0_ar;
        else if (ar_take1)
            ar_q <= s1_ar;
        if (rst) begin
            ar_valid_q <= 1'b0;
            ar_tie1_q  <= 1'b0;
        end else begin
            if (ar_take0 || ar_take1)
                ar_valid_q <= 1'b1;
            else if (m_axi_arready)
                ar_valid_q <= 1'b0;
            if (FAIR != 0 && (ar_take0 || ar_take1))
                ar_tie1_q <= ar_take0;
        end
    end

    assign {m_axi_arid, m_axi_araddr, m_axi_arlen, m_axi_arsize,
            m_axi_arburst, m_axi_arlock, m_axi_arcache, m_axi_arprot} = ar_q;
    assign m_axi_arvalid = ar_valid_q;

    // ================================================================ write address
    wire [A_WIDTH-1:0] s0_aw = {port_id(s0_axi_awid, S0_ID), s0_axi_awaddr, s0_axi_awlen, s0_axi_awsize,
                                s0_axi_awburst, s0_axi_awlock, s0_axi_awcache, s0_axi_awprot};
    wire [A_WIDTH-1:0] s1_aw = {port_id(s1_axi_awid, S1_ID), s1_axi_awaddr, s1_axi_awlen, s1_axi_awsize,
                                s1_axi_awburst, s1_axi_awlock, s1_axi_awcache, s1_axi_awprot};

    reg  [A_WIDTH-1:0] aw_q;
    reg                aw_valid_q;
    reg                aw_tie1_q;           // port 1 wins the next tie

    // W order queue: the port of every granted AW whose WLAST has not passed yet.
    reg  [WQ_DEPTH-1:0]     wq_port;
    reg  [W_QUEUE_LOG2:0]   wq_wr, wq_rd;
    wire [W_QUEUE_LOG2:0]   wq_count = wq_wr - wq_rd;
    wire                    wq_full  = wq_count[W_QUEUE_LOG2];
    wire                    wq_empty = (wq_count == {(W_QUEUE_LOG2+1){1'b0}});

    wire aw_free = (!aw_valid_q || m_axi_awready) && !wq_full;
    assign s0_axi_awready = aw_free && (!aw_tie1_q || !s1_axi_awvalid);
    assign s1_axi_awready = aw_free && ( aw_tie1_q || !s0_axi_awvalid);
    wire aw_take0 = s0_axi_awvalid && s0_axi_awready;
    wire aw_take1 = s1_axi_awvalid && s1_axi_awready;

    always @(posedge clk) begin
        if (aw_take0)
            aw_q <= s0_aw;
        else if (aw_take1)
            aw_q <= s1_aw;
        if (rst) begin
            aw_valid_q <= 1'b0;
            aw_tie1_q  <= 1'b0;
        end else begin
            if (aw_take0 || aw_take1)
                aw_valid_q <= 1'b1;
            else if (m_axi_awready)
                aw_valid_q <= 1'b0;
            if (FAIR != 0 && (aw_take0 || aw_take1))
                aw_tie1_q <= aw_take0;
        end
    end

    assign {m_axi_awid, m_axi_awaddr, m_axi_awlen, m_axi_awsize,
            m_axi_awburst, m_axi_awlock, m_axi_awcache, m_axi_awprot} = aw_q;
    assign m_axi_awvalid = aw_valid_q;

    // ================================================================ write data
    wire w_sel1 = wq_port[wq_rd[W_QUEUE_LOG2-1:0]];   // port of the burst at the head
    wire w_open = !wq_empty;

    assign m_axi_wvalid   = w_open && (w_sel1 ? s1_axi_wvalid : s0_axi_wvalid);
    assign m_axi_wdata    = w_sel1 ? s1_axi_wdata : s0_axi_wdata;
    assign m_axi_wstrb    = w_sel1 ? s1_axi_wstrb : s0_axi_wstrb;
    assign m_axi_wlast    = w_sel1 ? s1_axi_wlast : s0_axi_wlast;
    assign s0_axi_wready  = w_open && !w_sel1 && m_axi_wready;
    assign s1_axi_wready  = w_open &&  w_sel1 && m_axi_wready;

    wire wq_push = aw_take0 || aw_take1;
    wire wq_pop  = m_axi_wvalid && m_axi_wready && m_axi_wlast;

    always @(posedge clk) begin
        if (rst) begin
            wq_port <= {WQ_DEPTH{1'b0}};
            wq_wr <= {(W_QUEUE_LOG2+1){1'b0}};
            wq_rd <= {(W_QUEUE_LOG2+1){1'b0}};
        end else begin
            if (wq_push) begin
                wq_port[wq_wr[W_QUEUE_LOG2-1:0]] <= aw_take1;
                wq_wr <= wq_wr + 1'b1;
            end
            if (wq_pop)
                wq_rd <= wq_rd + 1'b1;
        end
    end

    // ================================================================ responses, routed by ID
    wire b_to1 = ((m_axi_bid ^ S1_ID) & ID_PORT_MASK) == {ID_WIDTH{1'b0}};
    wire r_to1 = ((m_axi_rid ^ S1_ID) & ID_PORT_MASK) == {ID_WIDTH{1'b0}};

    assign s0_axi_bid    = m_axi_bid;
    assign s0_axi_bresp  = m_axi_bresp;
    assign s0_axi_bvalid = m_axi_bvalid && !b_to1;
    assign s1_axi_bid    = m_axi_bid;
    assign s1_axi_bresp  = m_axi_bresp;
    assign s1_axi_bvalid = m_axi_bvalid &&  b_to1;

    // READY to m_axi follows the master the ID names. Written as if/else, not ?:, so that an
    // undriven (X) ID while no beat is offered gives port 0's READY instead of X in a 4-state
    // simulator (memory models drive X on idle payload); the hardware is the same 2:1 mux.
    reg b_ready, r_ready;
    always @* begin
        if (b_to1)
            b_ready = s1_axi_bready;
        else
            b_ready = s0_axi_bready;
        if (r_to1)
            r_ready = s1_axi_rready;
        else
            r_ready = s0_axi_rready;
    end
    assign m_axi_bready  = b_ready;

    assign s0_axi_rid    = m_axi_rid;
    assign s0_axi_rdata  = m_axi_rdata;
    assign s0_axi_rresp  = m_axi_rresp;
    assign s0_axi_rlast  = m_axi_rlast;
    assign s0_axi_rvalid = m_axi_rvalid && !r_to1;
    assign s1_axi_rid    = m_axi_rid;
    assign s1_axi_rdata  = m_axi_rdata;
    assign s1_axi_rresp  = m_axi_rresp;
    assign s1_axi_rlast  = m_axi_rlast;
    assign s1_axi_rvalid = m_axi_rvalid &&  r_to1;
    assign m_axi_rready  = r_ready;

`ifndef SYNTHESIS
    // AXI4 protocol monitor on the DMA master port (simulation only; formal: tb/formal/). The
    // arbiter adds no limit of its own to bursts in flight (its masters' sum): MON_MAX_OUT.
    /* verilator lint_off PINCONNECTEMPTY */
    ringnic_check_axi #(.ADDR_WIDTH(ADDR_WIDTH), .DATA_WIDTH(DATA_WIDTH), .ID_WIDTH(ID_WIDTH),
        .MAX_WR_OUT(MON_MAX_OUT), .MAX_RD_OUT(MON_MAX_OUT), .RD_SLOTS_LOG2((MON_MAX_OUT < 2) ? 1 : $clog2(MON_MAX_OUT))) u_check_axi (
        .clk(clk), .rst(rst),
        .awid(m_axi_awid), .awaddr(m_axi_awaddr), .awlen(m_axi_awlen), .awsize(m_axi_awsize), .awburst(m_axi_awburst),
        .awvalid(m_axi_awvalid), .awready(m_axi_awready),
        .wdata(m_axi_wdata), .wstrb(m_axi_wstrb), .wlast(m_axi_wlast), .wvalid(m_axi_wvalid), .wready(m_axi_wready),
        .bid(m_axi_bid), .bresp(m_axi_bresp), .bvalid(m_axi_bvalid), .bready(m_axi_bready),
        .arid(m_axi_arid), .araddr(m_axi_araddr), .arlen(m_axi_arlen), .arsize(m_axi_arsize), .arburst(m_axi_arburst),
        .arvalid(m_axi_arvalid), .arready(m_axi_arready),
        .rid(m_axi_rid), .rdata(m_axi_rdata), .rresp(m_axi_rresp), .rlast(m_axi_rlast), .rvalid(m_axi_rvalid), .rready(m_axi_rready),
        .err_rules());
    /* verilator lint_on PINCONNECTEMPTY */
`endif

endmodule

`default_nettype wire
