`default_nettype none
`timescale 1ns/1ps

// ringnic_count_rc: a read-to-clear event counter (RNRXOFF, RNTXRST). An add in the clearing
// read's cycle counts toward the next read, so no event is lost; it saturates at all ones.

module ringnic_count_rc #(
    parameter integer WIDTH     = 32,  // counter width, bits (1..32)
    parameter integer ADD_WIDTH = 16   // width of one cycle's add, bits (1..WIDTH)
) (
    input  wire                 clk,
    input  wire                 rst,     // synchronous, active high
    input  wire                 clr,     // the read that returns `count` this cycle
    input  wire [ADD_WIDTH-1:0] add,     // events this cycle
    output reg  [WIDTH-1:0]     count
);

    wire [WIDTH:0] sum = {1'b0, clr ? {WIDTH{1'b0}} : count} + {{(WIDTH + 1 - ADD_WIDTH){1'b0}}, add};

    always @(posedge clk) begin
        if (rst) count <= {WIDTH{1'b0}};
        else     count <= sum[WIDTH] ? {WIDTH{1'b1}} : sum[WIDTH-1:0];
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (WIDTH < 1 || WIDTH > 32) begin
            $display("ringnic_count_rc: WIDTH must be 1..32");
            $finish;
        end
        if (ADD_WIDTH < 1 || ADD_WIDTH > WIDTH) begin
            $display("ringnic_count_rc: ADD_WIDTH must be 1..WIDTH");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
