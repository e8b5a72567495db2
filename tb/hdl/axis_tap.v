`default_nettype none
`timescale 1ns/1ps

// axis_tap: records each frame crossing a 64-bit AXI-Stream link so Python can read it once per
// frame (tb/harness/pcap.py) instead of watching every beat. Frames are written into one of two banks of
// `mem`, alternating; at tlast the frame's byte count and first-beat cycle are latched for its
// bank and `frames` counts it, so the reader, woken by `frames` changing, reads the finished bank
// while the next frame fills the other. A frame longer than DEPTH beats keeps its first DEPTH.

module axis_tap #(
    parameter integer DEPTH = 2048   // beats per bank: the longest frame recorded whole (16 KiB)
) (
    input  wire        clk,
    input  wire        rst,            // synchronous, active high
    input  wire [63:0] tdata,
    input  wire [7:0]  tkeep,
    input  wire        tvalid,
    input  wire        tready,
    input  wire        tlast,
    output reg  [31:0] frames,         // frames completed
    output reg         last_bank,      // the bank the last completed frame is in
    output reg  [15:0] last_len,       // its length, bytes (FCS included)
    output reg  [47:0] last_start,     // the cycle its first beat crossed
    output reg  [47:0] cycle           // cycles since reset
);

    localparam integer AW = $clog2(DEPTH);

    /* verilator lint_off UNUSEDSIGNAL */   // read by Python through the simulator, never by HDL
    reg [63:0]   mem [0:2*DEPTH-1];
    /* verilator lint_on UNUSEDSIGNAL */
    reg          bank;
    reg [AW:0]   beats;
    reg [47:0]   start;

    wire [3:0] kept = {3'd0, tkeep[0]} + {3'd0, tkeep[1]} + {3'd0, tkeep[2]} + {3'd0, tkeep[3]}
                    + {3'd0, tkeep[4]} + {3'd0, tkeep[5]} + {3'd0, tkeep[6]} + {3'd0, tkeep[7]};
    wire [15:0] bytes_so_far = {{(15 - AW){1'b0}}, beats} << 3;

    always @(posedge clk) begin
        if (rst) begin
            frames <= 32'd0; last_bank <= 1'b0; last_len <= 16'd0; last_start <= 48'd0; cycle <= 48'd0;
            bank <= 1'b0; beats <= {(AW + 1){1'b0}}; start <= 48'd0;
        end else begin
            cycle <= cycle + 48'd1;
            if (tvalid && tready) begin
                if (beats == {(AW + 1){1'b0}})
                    start <= cycle;
                if (beats < DEPTH[AW:0]) begin
                    mem[{bank, beats[AW-1:0]}] <= tdata;
                    beats <= beats + 1'b1;
                end
                if (tlast) begin
                    frames <= frames + 32'd1;
                    last_bank <= bank;
                    last_len <= bytes_so_far + {12'd0, kept};
                    last_start <= (beats == {(AW + 1){1'b0}}) ? cycle : start;
                    bank <= ~bank;
                    beats <= {(AW + 1){1'b0}};
                end
            end
        end
    end

endmodule

`default_nettype wire
