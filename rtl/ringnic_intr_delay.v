`default_nettype none
`timescale 1ns/1ps

// ringnic_intr_delay: the 8254x interrupt delay timers, one instance per direction.
//
//   RX (in ringnic_rx): ev = a frame written back, pkt_dly = RDTR, abs_dly = RADV, flush =
//   RDTR.FPD, fire = ICR.RXT0 (8254x SDM, "Receive Delay Timer" and "Receive Interrupt
//   Absolute Delay Timer").
//   TX (in ringnic): ev = an RS descriptor with CMD.IDE written back, now = one without IDE,
//   pkt_dly = TIDV, abs_dly = TADV, fire = ICR.TXDW (8254x SDM, the legacy descriptor's IDE,
//   "Transmit Interrupt Delay Value" and "Transmit Absolute Interrupt Delay Value").
//
//   * pkt_dly (packet timer): restarted by every ev; fires when it expires. pkt_dly = 0: ev fires
//     at once (and abs_dly has no effect).
//   * abs_dly (absolute timer): started by the first ev after the last fire and not restarted by
//     later ones, so the fire is never later than abs_dly after that first ev however closely
//     evs follow. abs_dly = 0: off.
//   * now: fire at once, whether or not a timer runs (a TX write-back without IDE).
//   * flush written while a timer runs: fire now (nothing when none runs).
// Whichever fires, both timers stop: the events so far are covered, the next one starts a new
// round. Both delays are read at an event (a register write takes effect for the next one).
//
// Units are 1.024 us, counted on the free-running tick from ringnic_tick (shared by both
// instances and ITR): a timer holds the ticks left, 0 when idle, and fires on the tick that
// takes it from 1 to 0, so a delay of n fires between n - 1 and n units after its event (the
// 8254x counts the same free-running 1.024 us clock), never later. `fire` is combinational
// (the cause register latches it).

module ringnic_intr_delay (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high (also CTRL.RST): nothing pending
    input  wire        tick,         // one-clock pulse every 1.024 us (ringnic_tick)
    input  wire        ev,           // pulse: an event to report after the delays
    input  wire        now,          // pulse: an event to report at once (covers those pending)
    input  wire [15:0] pkt_dly,      // packet delay (RDTR/TIDV), 1.024 us units
    input  wire [15:0] abs_dly,      // absolute delay (RADV/TADV), 1.024 us units
    input  wire        flush,        // pulse: fire now if a timer runs (RDTR.FPD)
    output wire        fire          // pulse: set the cause
);

    reg  [15:0] pkt_left, abs_left;  // ticks left, 0 = not running

    wire pkt_on  = (pkt_left != 16'd0);
    wire abs_on  = (abs_left != 16'd0);
    wire pkt_exp = tick && (pkt_left == 16'd1);
    wire abs_exp = tick && (abs_left == 16'd1);
    assign fire  = now || (ev && (pkt_dly == 16'd0)) || pkt_exp || abs_exp || (flush && (pkt_on || abs_on));

    always @(posedge clk) begin
        if (rst || fire) begin
            pkt_left <= 16'd0;
            abs_left <= 16'd0;
        end else begin
            if (ev)
                pkt_left <= pkt_dly;
            else if (tick && pkt_on)
                pkt_left <= pkt_left - 16'd1;
            if (ev && !abs_on)
                abs_left <= abs_dly;
            else if (tick && abs_on)
                abs_left <= abs_left - 16'd1;
        end
    end

endmodule

`default_nettype wire
