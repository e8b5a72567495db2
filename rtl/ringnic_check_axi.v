`default_nettype none
`timescale 1ns/1ps
/* verilator coverage_off */  // a monitor, not the design: left out of make coverage

// ringnic_check_axi: AXI4 protocol rules at a master port (m_axi_*), from the AMBA AXI spec
// (ARM IHI 0022: A3.2 handshakes, A3.4.1 bursts and the 4 KiB boundary, A3.4.4 WLAST, A5
// IDs and ordering). Observes only.
//
// Rules (err_rules bit, name; M = the master's obligation, S = the slave's):
//   0 AXI_AW_HOLD     M  AWVALID stays high with the AW payload stable until AWREADY
//   1 AXI_W_HOLD      M  WVALID stays high with WDATA/WSTRB/WLAST stable until WREADY
//   2 AXI_AR_HOLD     M  ARVALID stays high with the AR payload stable until ARREADY
//   3 AXI_AW_4K       M  an AW INCR burst does not cross a 4 KiB boundary
//   4 AXI_AR_4K       M  an AR INCR burst likewise
//   5 AXI_AW_LEN      M  AWLEN+1 <= MAX_BEATS, AWSIZE <= the bus width, AWBURST not reserved
//   6 AXI_AR_LEN      M  the same for AR
//   7 AXI_W_NO_AW     M  a W beat belongs to an AW already accepted or on the bus (AWVALID)
//   8 AXI_WLAST       M  WLAST on the AWLEN+1-th beat of each burst and on no other
//   9 AXI_WR_MAX_OUT  M  at most MAX_WR_OUT write bursts accepted and not answered by B
//  10 AXI_RD_MAX_OUT  M  at most MAX_RD_OUT read bursts accepted and not ended by RLAST
//  11 AXI_B_HOLD      S  BVALID stays high with BID/BRESP stable until BREADY
//  12 AXI_R_HOLD      S  RVALID stays high with the R payload stable until RREADY
//  13 AXI_B_NO_REQ    S  B only for an ID with a write accepted, all of whose W beats were sent, unanswered
//  14 AXI_R_NO_REQ    S  R only for an ID with a read outstanding
//  15 AXI_RLAST       S  RLAST on the ARLEN+1-th beat of the ID's oldest read and on no other
//  16 AXI_X           M  no X/Z on a VALID or READY line out of reset (simulation only)
// R beats of one ID come in AR order (A5.3); IDs may interleave. W follows AW order (AXI4 has
// no WID); a W beat may precede its AW handshake, not its AWVALID (rule 7, a stricter reading).

module ringnic_check_axi #(
    parameter integer ADDR_WIDTH  = 32,  // AWADDR/ARADDR width, bits (>= 12)
    parameter integer DATA_WIDTH  = 64,  // data width, bits (8..1024, a power of 2)
    parameter integer ID_WIDTH    = 4,   // ID width, bits (1..8)
    parameter integer MAX_BEATS   = 256, // longest burst the master declares, beats (1..256)
    parameter integer MAX_WR_OUT  = 16,  // write bursts the master declares in flight at most (1..64)
    parameter integer MAX_RD_OUT  = 16,  // read bursts in flight at most, over all IDs (1..64)
    parameter integer RD_SLOTS_LOG2 = 4, // log2 of the reads tracked per ID (2**n >= the reads one ID has in flight)
    parameter integer DUT_MASTER  = 1,   // formal: 1 asserts the M rules and assumes the S rules; 0 the reverse
    parameter integer FATAL       = 1    // simulation: 1 ends the simulation on a violation; 0 only sets err_rules
) (
    input  wire                    clk,
    input  wire                    rst,              // synchronous, active high
    input  wire [ID_WIDTH-1:0]     awid,
    input  wire [ADDR_WIDTH-1:0]   awaddr,
    input  wire [7:0]              awlen,
    input  wire [2:0]              awsize,
    input  wire [1:0]              awburst,
    input  wire                    awvalid,
    input  wire                    awready,
    input  wire [DATA_WIDTH-1:0]   wdata,
    input  wire [DATA_WIDTH/8-1:0] wstrb,
    input  wire                    wlast,
    input  wire                    wvalid,
    input  wire                    wready,
    input  wire [ID_WIDTH-1:0]     bid,
    input  wire [1:0]              bresp,
    input  wire                    bvalid,
    input  wire                    bready,
    input  wire [ID_WIDTH-1:0]     arid,
    input  wire [ADDR_WIDTH-1:0]   araddr,
    input  wire [7:0]              arlen,
    input  wire [2:0]              arsize,
    input  wire [1:0]              arburst,
    input  wire                    arvalid,
    input  wire                    arready,
    input  wire [ID_WIDTH-1:0]     rid,
    input  wire [DATA_WIDTH-1:0]   rdata,
    input  wire [1:0]              rresp,
    input  wire                    rlast,
    input  wire                    rvalid,
    input  wire                    rready,
    output wire [16:0]             err_rules         // sticky: bit n = rule n was violated
);

`include "ringnic_check.vh"

    localparam integer M = (DUT_MASTER != 0) ? 1 : 0;
    localparam integer S = (DUT_MASTER != 0) ? 0 : 1;
    localparam integer CW    = 8;                                   // counters, modulo 256
    localparam integer NID   = 1 << ID_WIDTH;
    localparam integer WQ_LOG2 = $clog2(MAX_WR_OUT + 1);            // AWLEN of the bursts whose W is due
    localparam integer WQ    = 1 << WQ_LOG2;
    localparam integer RS    = 1 << RD_SLOTS_LOG2;
    localparam integer BUS_SIZE_I = $clog2(DATA_WIDTH / 8);
    localparam [2:0]   BUS_SIZE = BUS_SIZE_I[2:0];
    localparam [8:0]   MAXB  = MAX_BEATS[8:0];
    localparam [CW-1:0] WR_LIM = MAX_WR_OUT[CW-1:0];
    localparam [CW-1:0] RD_LIM = MAX_RD_OUT[CW-1:0];

    initial begin
        if (ADDR_WIDTH < 12 || ID_WIDTH < 1 || ID_WIDTH > 8 || MAX_BEATS < 1 || MAX_BEATS > 256 ||
            MAX_WR_OUT < 1 || MAX_WR_OUT > 64 || MAX_RD_OUT < 1 || MAX_RD_OUT > 64 || RD_SLOTS_LOG2 < 1) begin
            $display("ringnic_check_axi: parameter out of range");
            $finish;
        end
    end

    reg  [16:0] err_q;
    assign err_rules = err_q;

`ifdef FORMAL
    // Formal: every trace starts in reset.
    reg f_started = 1'b0;
    always @(posedge clk) f_started <= 1'b1;
    always @* if (!f_started) assume(rst);
`endif

    // ---------------------------------------------------------------- previous cycle
    localparam integer AP = ID_WIDTH + ADDR_WIDTH + 8 + 3 + 2;      // address payload
    wire [AP-1:0] aw_pl = {awid, awaddr, awlen, awsize, awburst};
    wire [AP-1:0] ar_pl = {arid, araddr, arlen, arsize, arburst};
    wire [DATA_WIDTH+DATA_WIDTH/8:0] w_pl = {wdata, wstrb, wlast};
    wire [DATA_WIDTH+ID_WIDTH+2:0]   r_pl = {rid, rdata, rresp, rlast};
    reg  [AP-1:0] p_aw_pl, p_ar_pl;
    reg  [DATA_WIDTH+DATA_WIDTH/8:0] p_w_pl;
    reg  [DATA_WIDTH+ID_WIDTH+2:0]   p_r_pl;
    reg  [ID_WIDTH+1:0] p_b_pl;
    reg  p_ok, p_awvalid, p_awready, p_wvalid, p_wready, p_arvalid, p_arready;
    reg  p_bvalid, p_bready, p_rvalid, p_rready;

    always @(posedge clk) begin
        p_ok <= !rst;
        {p_awvalid, p_awready, p_wvalid, p_wready, p_arvalid, p_arready} <=
            {awvalid, awready, wvalid, wready, arvalid, arready};
        {p_bvalid, p_bready, p_rvalid, p_rready} <= {bvalid, bready, rvalid, rready};
        p_aw_pl <= aw_pl;
        p_ar_pl <= ar_pl;
        p_w_pl  <= w_pl;
        p_r_pl  <= r_pl;
        p_b_pl  <= {bid, bresp};
    end
    wire live = !rst && p_ok;

    // ---------------------------------------------------------------- 4 KiB and length
    // An INCR burst covers (len+1) << size bytes from its start address aligned to the size
    // (A3.4.1: an unaligned first beat is short); they must stay in the start's 4 KiB page.
    function crosses_4k;
        input [11:0] addr;
        input [7:0]  len;
        input [2:0]  size;
        input [1:0]  burst;
        reg   [20:0] f_end;
        begin
            f_end = {9'd0, addr & (12'hFFF << size)} + ({12'd0, {1'b0, len} + 9'd1} << size);
            crosses_4k = (burst == 2'b01) && (f_end > 21'd4096);
        end
    endfunction

    function len_ok;
        input [7:0] len;
        input [2:0] size;
        input [1:0] burst;
        begin
            len_ok = ({1'b0, len} < MAXB) && (size <= BUS_SIZE) && (burst != 2'b11);
        end
    endfunction

    // ---------------------------------------------------------------- write accounting
    wire aw_hs = awvalid && awready;
    wire w_hs  = wvalid && wready;
    wire b_hs  = bvalid && bready;
    wire ar_hs = arvalid && arready;
    wire r_hs  = rvalid && rready;

    reg  [CW-1:0] n_aw, n_wl, n_b, n_ar, n_rl;   // handshakes: AW, W bursts ended (WLAST), B, AR, RLAST
    reg  [7:0]    wq_len [0:WQ-1];               // AWLEN by AW sequence number
    reg  [ID_WIDTH-1:0] wq_id [0:WQ-1];          // AWID likewise
    reg  [7:0]    w_beat;                        // beats of the current W burst so far
    reg  [CW-1:0] wr_id  [0:NID-1];              // per ID: AW accepted minus B
    reg  [CW-1:0] wd_id  [0:NID-1];              // per ID: W bursts ended (WLAST) minus B
    wire [CW-1:0] w_ahead  = n_aw - n_wl;        // bursts accepted on AW whose WLAST has not passed
    wire          w_has_aw = (w_ahead != 0) && !w_ahead[CW-1];
    wire [7:0]    w_len    = w_has_aw ? wq_len[n_wl[WQ_LOG2-1:0]] : awlen;
    wire [ID_WIDTH-1:0] w_id = w_has_aw ? wq_id[n_wl[WQ_LOG2-1:0]] : awid;   // the current W burst's ID
    wire [CW-1:0] wr_out   = n_aw - n_b;
    wire          wl_hs    = w_hs && wlast;

    // ---------------------------------------------------------------- read accounting
    reg  [7:0]             rq_len [0:NID*RS-1];  // ARLEN per ID, in AR order
    reg  [RD_SLOTS_LOG2:0] rq_wr [0:NID-1];
    reg  [RD_SLOTS_LOG2:0] rq_rd [0:NID-1];
    reg  [7:0]             r_beat [0:NID-1];     // beats of the ID's oldest read so far
    wire [RD_SLOTS_LOG2:0] r_open = rq_wr[rid] - rq_rd[rid];
    wire [7:0]             r_len  = rq_len[{rid, rq_rd[rid][RD_SLOTS_LOG2-1:0]}];
    wire [CW-1:0]          rd_out = n_ar - n_rl;

    integer i;
    always @(posedge clk) begin
        if (rst) begin
            {n_aw, n_wl, n_b, n_ar, n_rl} <= {(5*CW){1'b0}};
            w_beat <= 8'd0;
            for (i = 0; i < NID; i = i + 1) begin
                wr_id[i]  <= {CW{1'b0}};
                wd_id[i]  <= {CW{1'b0}};
                rq_wr[i]  <= {(RD_SLOTS_LOG2+1){1'b0}};
                rq_rd[i]  <= {(RD_SLOTS_LOG2+1){1'b0}};
                r_beat[i] <= 8'd0;
            end
        end else begin
            if (aw_hs) begin
                wq_len[n_aw[WQ_LOG2-1:0]] <= awlen;
                wq_id[n_aw[WQ_LOG2-1:0]]  <= awid;
                n_aw <= n_aw + 1'b1;
            end
            if (w_hs) begin
                w_beat <= wlast ? 8'd0 : w_beat + 1'b1;
                if (wlast)
                    n_wl <= n_wl + 1'b1;
            end
            if (b_hs)
                n_b <= n_b + 1'b1;
            if (aw_hs && !(b_hs && bid == awid))
                wr_id[awid] <= wr_id[awid] + 1'b1;
            if (b_hs && !(aw_hs && bid == awid))
                wr_id[bid] <= wr_id[bid] - 1'b1;
            if (wl_hs && !(b_hs && bid == w_id))
                wd_id[w_id] <= wd_id[w_id] + 1'b1;
            if (b_hs && !(wl_hs && bid == w_id))
                wd_id[bid] <= wd_id[bid] - 1'b1;
            if (ar_hs) begin
                rq_len[{arid, rq_wr[arid][RD_SLOTS_LOG2-1:0]}] <= arlen;
                rq_wr[arid] <= rq_wr[arid] + 1'b1;
                n_ar <= n_ar + 1'b1;
            end
            if (r_hs) begin
                r_beat[rid] <= rlast ? 8'd0 : r_beat[rid] + 1'b1;
                if (rlast) begin
                    rq_rd[rid] <= rq_rd[rid] + 1'b1;
                    n_rl <= n_rl + 1'b1;
                end
            end
        end
    end

    // ---------------------------------------------------------------- the rules
    always @(posedge clk) begin
        if (rst) begin
            err_q <= 17'd0;
        end else begin
            `RN_RULE(M, !(live && p_awvalid && !p_awready) || (awvalid && aw_pl == p_aw_pl), 0, "AXI_AW_HOLD")
            `RN_RULE(M, !(live && p_wvalid && !p_wready) || (wvalid && w_pl == p_w_pl), 1, "AXI_W_HOLD")
            `RN_RULE(M, !(live && p_arvalid && !p_arready) || (arvalid && ar_pl == p_ar_pl), 2, "AXI_AR_HOLD")
            `RN_RULE(M, !awvalid || !crosses_4k(awaddr[11:0], awlen, awsize, awburst), 3, "AXI_AW_4K")
            `RN_RULE(M, !arvalid || !crosses_4k(araddr[11:0], arlen, arsize, arburst), 4, "AXI_AR_4K")
            `RN_RULE(M, !awvalid || len_ok(awlen, awsize, awburst), 5, "AXI_AW_LEN")
            `RN_RULE(M, !arvalid || len_ok(arlen, arsize, arburst), 6, "AXI_AR_LEN")
            `RN_RULE(M, !wvalid || w_has_aw || (w_ahead == 0 && awvalid), 7, "AXI_W_NO_AW")
            `RN_RULE(M, !wvalid || (wlast == (w_beat == w_len)), 8, "AXI_WLAST")
            `RN_RULE(M, !aw_hs || wr_out < WR_LIM, 9, "AXI_WR_MAX_OUT")
            `RN_RULE(M, !ar_hs || rd_out < RD_LIM, 10, "AXI_RD_MAX_OUT")
            `RN_RULE(S, !(live && p_bvalid && !p_bready) || (bvalid && {bid, bresp} == p_b_pl), 11, "AXI_B_HOLD")
            `RN_RULE(S, !(live && p_rvalid && !p_rready) || (rvalid && r_pl == p_r_pl), 12, "AXI_R_HOLD")
            `RN_RULE(S, !bvalid || (wr_id[bid] != 0 && wd_id[bid] != 0), 13, "AXI_B_NO_REQ")
            `RN_RULE(S, !rvalid || r_open != 0, 14, "AXI_R_NO_REQ")
            `RN_RULE(S, !rvalid || r_open == 0 || (rlast == (r_beat[rid] == r_len)), 15, "AXI_RLAST")
`ifndef FORMAL
            `RN_RULE(M, ^{awvalid, wvalid, arvalid, bready, rready, awready, wready, arready, bvalid, rvalid} !== 1'bx,
                     16, "AXI_X")
`endif
        end
    end

endmodule

`default_nettype wire
