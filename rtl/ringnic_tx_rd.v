`default_nettype none
`timescale 1ns/1ps

// ringnic_tx_rd: the TX engine's read port. The fetcher's descriptor bursts and the
// processor's payload bursts share one AR channel (one ID, so R comes back in issue order):
// grants alternate when both ask. A queue of the bursts in flight tells each R beat where it
// goes: descriptor beats to the fetcher (always taken), payload beats to the packer, with the
// byte lane and count of each beat worked out from the burst's first lane and byte count.

module ringnic_tx_rd #(
    parameter integer NB_W     = 8,  // width of a payload burst's byte count
    parameter integer TRK_LOG2 = 3   // log2 of the read bursts in flight (>= 1)
) (
    input  wire                 clk,
    input  wire                 rst,        // synchronous, active high
    input  wire                 clr,        // the engine stopped (R quiet): next beat is a burst's first

    // ------------------------------------------------------------ requests
    input  wire                 f_req,      // fetcher: a descriptor burst
    input  wire [31:0]          f_addr,
    input  wire [7:0]           f_len,
    input  wire [15:0]          f_idx,
    output wire                 f_grant,
    input  wire                 p_req,      // processor: a payload burst
    input  wire [31:0]          p_addr,
    input  wire [7:0]           p_len,
    input  wire [38+NB_W-1:0]   p_tag,      // {frame end, descriptor, first lane, bytes, IC, IFCS, CSO, CSS}
    output wire                 p_grant,
    output wire                 full,       // no room to track another burst
    output wire                 busy,       // a burst asked for or not wholly read

    // ------------------------------------------------------------ AXI4 read channels
    output wire [31:0]          m_axi_araddr,
    output wire [7:0]           m_axi_arlen,
    output wire                 m_axi_arvalid,
    input  wire                 m_axi_arready,
    input  wire                 m_axi_rlast,
    input  wire                 m_axi_rvalid,
    output wire                 m_axi_rready,

    // ------------------------------------------------------------ where the beats go
    output wire                 desc_beat,  // this R beat is the fetcher's (taken)
    output wire                 pk_valid,   // this R beat is the packer's
    input  wire                 pk_ready,
    output wire [2:0]           pk_lane,    // first payload byte's lane
    output wire [3:0]           pk_cnt,     // payload bytes in the beat, 1..8
    output wire                 pk_eof,     // the frame's last beat
    output wire [15:0]          pk_idx,     // the burst's descriptor
    output wire                 pk_ic,      // the burst's EOP-descriptor fields (with pk_eof)
    output wire                 pk_ifcs,
    output wire [7:0]           pk_cso,
    output wire [7:0]           pk_css
);

    // Bursts in flight, in issue order: {payload?, tag}.
    localparam integer TRK_W = 1 + 38 + NB_W;
    wire [TRK_W-1:0] trk_rdata;
    wire             trk_empty;
    wire [TRK_LOG2:0] trk_count;
    wire             trk_push;
    wire [TRK_W-1:0] trk_wdata;
    wire             trk_pop;

    ringnic_fifo #(.WIDTH(TRK_W), .DEPTH_LOG2(TRK_LOG2)) u_trk (
        .clk(clk), .rst(rst), .clr(1'b0), .wr_en(trk_push), .wr_data(trk_wdata),
        .rd_en(trk_pop), .rd_data(trk_rdata), .count(trk_count), .full(full), .empty(trk_empty));

    wire             h_kind, h_eof;
    wire [2:0]       h_lane;
    wire [NB_W-1:0]  h_nb;
    assign {h_kind, h_eof, pk_idx, h_lane, h_nb, pk_ic, pk_ifcs, pk_cso, pk_css} = trk_rdata;

    // ================================================================ AR channel
    reg         ar_valid_q;
    reg  [31:0] ar_addr_q;
    reg  [7:0]  ar_len_q;
    reg         rr_fetch;      // the fetcher had the last grant

    wire        ar_free = !ar_valid_q || m_axi_arready;
    assign      f_grant = ar_free && f_req && (!p_req || !rr_fetch);
    assign      p_grant = ar_free && p_req && !f_grant;

    assign trk_push  = f_grant || p_grant;
    assign trk_wdata = f_grant
        ? {1'b0, 1'b0, f_idx, 3'd0, {NB_W{1'b0}}, 1'b0, 1'b0, 8'd0, 8'd0}
        : {1'b1, p_tag};

    always @(posedge clk) begin
        if (rst) begin
            ar_valid_q <= 1'b0;
            ar_addr_q  <= 32'd0;
            ar_len_q   <= 8'd0;
            rr_fetch   <= 1'b0;
        end else begin
            if (f_grant) begin
                ar_valid_q <= 1'b1;
                ar_addr_q  <= f_addr;
                ar_len_q   <= f_len;
                rr_fetch   <= 1'b1;
            end else if (p_grant) begin
                ar_valid_q <= 1'b1;
                ar_addr_q  <= p_addr;
                ar_len_q   <= p_len;
                rr_fetch   <= 1'b0;
            end else if (m_axi_arready) begin
                ar_valid_q <= 1'b0;
            end
        end
    end

    assign m_axi_araddr  = ar_addr_q;
    assign m_axi_arlen   = ar_len_q;
    assign m_axi_arvalid = ar_valid_q;
    assign busy          = !trk_empty || ar_valid_q;

    // ================================================================ R demux
    reg         r_first;       // payload bursts: the next beat is a burst's first
    reg  [NB_W-1:0] r_rem;     // payload bytes left in the burst

    wire        r_desc = !trk_empty && !h_kind;
    wire        r_data = !trk_empty && h_kind;
    assign m_axi_rready = r_desc || (r_data && pk_ready);
    wire        r_fire = m_axi_rvalid && m_axi_rready;
    assign trk_pop   = r_fire && m_axi_rlast;
    assign desc_beat = r_fire && r_desc;

    wire [NB_W-1:0] c_rem  = r_first ? h_nb : r_rem;
    wire [2:0]      c_lane = r_first ? h_lane : 3'd0;
    wire [NB_W-1:0] c_room = {{(NB_W-4){1'b0}}, 4'd8 - {1'b0, c_lane}};
    wire [NB_W-1:0] c_cnt  = (c_rem < c_room) ? c_rem : c_room;

    assign pk_valid = m_axi_rvalid && r_data;
    assign pk_lane  = c_lane;
    assign pk_cnt   = c_cnt[3:0];
    assign pk_eof   = h_eof && m_axi_rlast;

    always @(posedge clk) begin
        if (rst || clr) begin
            r_first   <= 1'b1;
            r_rem     <= {NB_W{1'b0}};
        end else begin
            if (r_fire && r_data) begin
                r_first <= m_axi_rlast;
                r_rem   <= c_rem - c_cnt;
            end
        end
    end

    /* verilator lint_off UNUSEDSIGNAL */
    wire unused_ok = &{1'b0, trk_count};
    /* verilator lint_on UNUSEDSIGNAL */

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (NB_W < 5 || TRK_LOG2 < 1) begin
            $display("ringnic_tx_rd: NB_W must be >= 5 and TRK_LOG2 >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
