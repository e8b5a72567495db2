`default_nettype none
`timescale 1ns/1ps

// desc_fetch_top: ringnic_desc_fetch alone, for tests/rtl/test_desc_fetch.py. The bench plays the
// engine: `take` says whether it would take a burst this cycle, and grant is req && take, the
// way the engines answer in the cycle they take a request (a bench cannot read req and answer
// within one clock without racing the edge).

module desc_fetch_top #(
    parameter integer RING_LOG2  = 6,   // ringnic_desc_fetch's (3..15)
    parameter integer DESC_BURST = 4,   // ringnic_desc_fetch's (1..128)
    parameter integer KEEP_HI    = 1,   // ringnic_desc_fetch's: 1 as TX, 0 as RX
    parameter integer DROP_BAD   = 0    // ringnic_desc_fetch's: 0 as TX, 1 as RX
) (
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 clr,
    input  wire [31:0]          ring_base,
    input  wire [RING_LOG2:0]   ring_size,
    input  wire                 start,
    input  wire [RING_LOG2-1:0] start_idx,
    input  wire [RING_LOG2:0]   avail,
    output wire [RING_LOG2-1:0] fetch_idx,
    output wire                 busy,
    output wire                 idle,
    input  wire                 allow,
    input  wire                 take,
    output wire                 req,
    output wire [31:0]          req_addr,
    output wire [7:0]           req_len,
    output wire                 grant,
    input  wire                 beat_valid,
    input  wire [63:0]          beat_data,
    input  wire                 beat_err,
    input  wire                 keep,
    output wire                 err,
    output wire [RING_LOG2-1:0] err_idx,
    output wire                 q_valid,
    output wire [96:0]          q_data,
    input  wire                 q_pop
);

    assign grant = req && take;

    ringnic_desc_fetch #(.RING_LOG2(RING_LOG2), .DESC_BURST(DESC_BURST), .KEEP_HI(KEEP_HI),
                         .DROP_BAD(DROP_BAD)) u_fetch (
        .clk(clk), .rst(rst), .clr(clr), .ring_base(ring_base), .ring_size(ring_size),
        .start(start), .start_idx(start_idx), .avail(avail), .fetch_idx(fetch_idx), .busy(busy),
        .idle(idle), .allow(allow), .req(req), .req_addr(req_addr), .req_len(req_len),
        .grant(grant), .beat_valid(beat_valid), .beat_data(beat_data), .beat_err(beat_err),
        .keep(keep), .err(err), .err_idx(err_idx), .q_valid(q_valid), .q_data(q_data),
        .q_pop(q_pop));

endmodule

`default_nettype wire
