`default_nettype none
`timescale 1ns/1ps

// ringnic_fifo: small synchronous FIFO for the engines' queues (descriptors, bursts in flight,
// write-back work, frames, stream beats).
//
// First-word fall-through: rd_data is the head while !empty. The storage is a register array
// read combinationally (LUT RAM on an FPGA). A push when full or a pop when empty is ignored;
// callers check full/empty (every queue in the engine reserves its space before it pushes).

module ringnic_fifo #(
    parameter integer WIDTH      = 8,  // entry width, bits
    parameter integer DEPTH_LOG2 = 3   // log2 of the number of entries (>= 1)
) (
    input  wire                  clk,
    input  wire                  rst,      // synchronous, active high
    input  wire                  clr,      // synchronous flush: drops every entry
    input  wire                  wr_en,    // push wr_data
    input  wire [WIDTH-1:0]      wr_data,
    input  wire                  rd_en,    // pop the head
    output wire [WIDTH-1:0]      rd_data,  // the head; meaningful only while !empty
    output wire [DEPTH_LOG2:0]   count,    // entries held, 0..2^DEPTH_LOG2
    output wire                  full,
    output wire                  empty
);

    localparam integer DEPTH = 1 << DEPTH_LOG2;

    reg  [WIDTH-1:0]      mem [0:DEPTH-1];
    reg  [DEPTH_LOG2:0]   wp;      // one wrap bit above the index tells full from empty
    reg  [DEPTH_LOG2:0]   rp;

    wire do_wr = wr_en && !full;
    wire do_rd = rd_en && !empty;

    assign count   = wp - rp;
    assign full    = count[DEPTH_LOG2];          // count == DEPTH (it never exceeds it)
    assign empty   = (wp == rp);
    assign rd_data = mem[rp[DEPTH_LOG2-1:0]];

    always @(posedge clk) begin
        if (rst || clr) begin
            wp <= {(DEPTH_LOG2+1){1'b0}};
            rp <= {(DEPTH_LOG2+1){1'b0}};
        end else begin
            if (do_wr) wp <= wp + 1'b1;
            if (do_rd) rp <= rp + 1'b1;
        end
    end

    // No reset: entries are only read after they were written.
    always @(posedge clk) begin
        if (do_wr)
            mem[wp[DEPTH_LOG2-1:0]] <= wr_data;
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (WIDTH < 1 || DEPTH_LOG2 < 1) begin
            $display("ringnic_fifo: WIDTH and DEPTH_LOG2 must be >= 1");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
