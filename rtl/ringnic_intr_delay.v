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
// Units are 1.024 us; each timer counts down in picoseconds, CLK_PERIOD_PS per cycle, so the
// fire comes between the exact delay and one clock after it, for any clock period.

module ringnic_intr_delay #(
    parameter integer CLK_PERIOD_PS = 10000  // clock period, ps
) (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high (also CTRL.RST): nothing pending
    input  wire        ev,           // pulse: an event to report after the delays
    input  wire        now,          // pulse: an event to report at once (covers those pending)
    input  wire [15:0] pkt_dly,      // packet delay (RDTR/TIDV), 1.024 us units
    input  wire [15:0] abs_dly,      // absolute delay (RADV/TADV), 1.024 us units
    input  wire        flush,        // pulse: fire now if a timer runs (RDTR.FPD)
    output reg         fire          // pulse: set the cause
);

    localparam integer TW      = 38;                     // 65535 * 1024000 ps < 2^37
    localparam [TW-1:0] UNIT   = 38'd1024000;            // 1.024 us in ps
    localparam [TW-1:0] STEP   = {{(TW-32){1'b0}}, CLK_PERIOD_PS[31:0]};  // ps per clock

    reg  [TW-1:0] pkt_ps, abs_ps;   // time left, ps
    reg           pkt_on, abs_on;

    wire [TW-1:0] pkt_dly_ps = {{(TW-16){1'b0}}, pkt_dly} * UNIT;
    wire [TW-1:0] abs_dly_ps = {{(TW-16){1'b0}}, abs_dly} * UNIT;

    wire pkt_exp = pkt_on && (pkt_ps <= STEP);
    wire abs_exp = abs_on && (abs_ps <= STEP);
    wire go      = now || (ev && (pkt_dly == 16'd0)) || pkt_exp || abs_exp || (flush && (pkt_on || abs_on));

    always @(posedge clk) begin
        if (rst) begin
            pkt_on <= 1'b0;
            abs_on <= 1'b0;
            pkt_ps <= {TW{1'b0}};
            abs_ps <= {TW{1'b0}};
            fire   <= 1'b0;
        end else begin
            fire <= go;
            if (go) begin
                pkt_on <= 1'b0;
                abs_on <= 1'b0;
            end else begin
                if (ev) begin
                    pkt_on <= 1'b1;
                    pkt_ps <= pkt_dly_ps;
                end else if (pkt_on) begin
                    pkt_ps <= pkt_ps - STEP;
                end
                if (ev && !abs_on && (abs_dly != 16'd0)) begin
                    abs_on <= 1'b1;
                    abs_ps <= abs_dly_ps;
                end else if (abs_on) begin
                    abs_ps <= abs_ps - STEP;
                end
            end
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (CLK_PERIOD_PS < 1 || CLK_PERIOD_PS > 1024000) begin
            $display("ringnic_intr_delay: CLK_PERIOD_PS must be 1..1024000 (a 1.024 us unit is >= 1 clock)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
