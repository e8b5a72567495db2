`default_nettype none
`timescale 1ns/1ps

// ringnic_itr: interrupt throttling in front of the interrupt line (8254x SDM, "Interrupt
// Throttling Register"; QEMU e1000's mitigation timer in set_interrupt_cause).
//
// The line is a level: high while a cause is pending and unmasked (pend = |(ICR & IMS)). ITR
// sets the least time between two assertions, in 256 ns units (Linux e1000 writes
// 10^9 / (InterruptThrottleRate * 256)). An assertion starts a window of ITR; while it runs the
// line stays low when it would rise (the causes keep accumulating in ICR) and rises as the
// window ends if pend still holds, which starts the next window. A line already high stays high
// for as long as pend holds, and a rise after the window has passed is at once. ITR = 0 (also
// written during a window): no throttling, irq is pend one clock later as without this block.
// The window counts down in picoseconds, CLK_PERIOD_PS per cycle, so two assertions are between
// ITR x 256 ns and one clock more apart, for any clock period. ITR is read at each assertion.

module ringnic_itr #(
    parameter integer CLK_PERIOD_PS = 10000  // clock period, ps
) (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high (also CTRL.RST): no window
    input  wire        pend,         // a cause is pending and unmasked: |(ICR & IMS)
    input  wire [15:0] itr,          // ITR.INTERVAL, 256 ns units
    output reg         irq           // the interrupt line, level, active high, registered
);

    localparam integer  TW   = 36;                       // 65535 * 256000 ps < 2^35
    localparam [TW-1:0] UNIT = 36'd256000;               // 256 ns in ps
    localparam [TW-1:0] STEP = {{(TW-32){1'b0}}, CLK_PERIOD_PS[31:0]};  // ps per clock

    reg  [TW-1:0] win_ps;           // time left in the window, ps
    reg           win_on;

    wire [TW-1:0] itr_ps = {{(TW-16){1'b0}}, itr} * UNIT;
    // The window has passed by the coming edge, or there is none.
    wire open = !win_on || (win_ps <= STEP) || (itr == 16'd0);
    wire rise = pend && !irq && open;

    always @(posedge clk) begin
        if (rst) begin
            irq    <= 1'b0;
            win_on <= 1'b0;
            win_ps <= {TW{1'b0}};
        end else begin
            irq <= pend && (irq || open);
            if (rise) begin
                win_on <= (itr != 16'd0);
                win_ps <= itr_ps;
            end else if (win_on) begin
                if (open) win_on <= 1'b0;
                else      win_ps <= win_ps - STEP;
            end
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (CLK_PERIOD_PS < 1 || CLK_PERIOD_PS > 256000) begin
            $display("ringnic_itr: CLK_PERIOD_PS must be 1..256000 (a 256 ns unit is >= 1 clock)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
