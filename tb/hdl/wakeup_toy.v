`default_nettype none
`timescale 1ns/1ps

// wakeup_toy: the smallest design with a clock and a slower signal, for tests/test_wakeups.py,
// which pins tb/harness/wakeups.py's counts of simulator->Python callbacks on it.

module wakeup_toy #(
    parameter integer PERIOD = 8   // cycles between pulses (2..256)
) (
    input  wire clk,
    input  wire rst,      // synchronous, active high
    output reg  pulse     // high for one cycle every PERIOD cycles
);

    initial begin
        if (PERIOD < 2 || PERIOD > 256) begin $display("wakeup_toy: PERIOD %0d not in 2..256", PERIOD); $finish; end
    end

    reg [7:0] count;

    always @(posedge clk) begin
        if (rst) begin
            count <= 8'd0;
            pulse <= 1'b0;
        end else begin
            count <= (count == PERIOD[7:0] - 8'd1) ? 8'd0 : count + 8'd1;
            pulse <= (count == PERIOD[7:0] - 8'd1);
        end
    end

endmodule

`default_nettype wire
