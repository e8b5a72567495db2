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
// The window counts 256 ns ticks of the free-running ringnic_tick (the 8254x's ITR unit): it
// holds the ticks left, 0 when none runs, and passes on the tick that takes it from 1 to 0, so
// two assertions are between (ITR - 1) x 256 ns and ITR x 256 ns apart (plus a clock: the line
// is registered). ITR is read at each assertion.

module ringnic_itr (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high (also CTRL.RST): no window
    input  wire        tick,         // one-clock pulse every 256 ns (ringnic_tick)
    input  wire        pend,         // a cause is pending and unmasked: |(ICR & IMS)
    input  wire [15:0] itr,          // ITR.INTERVAL, 256 ns units
    output reg         irq           // the interrupt line, level, active high, registered
);

    reg  [15:0] win_left;            // ticks left in the window, 0 = none
    wire off  = (itr == 16'd0);
    // The window has passed by the coming edge, or there is none.
    wire open = (win_left == 16'd0) || (tick && (win_left == 16'd1)) || off;
    wire rise = pend && !irq && open;

    always @(posedge clk) begin
        if (rst) irq <= 1'b0;
        else     irq <= pend && (irq || open);
    end

    // ITR = 0 ends a window (a rise then loads 0 too); the tick that passes it counts it to 0.
    always @(posedge clk) begin
        if (rst || off)
            win_left <= 16'd0;
        else if (rise)
            win_left <= itr;
        else if (tick && (win_left != 16'd0))
            win_left <= win_left - 16'd1;
    end

endmodule

`default_nettype wire
