`default_nettype none
`timescale 1ns/1ps

// ringnic_rx_intr: RX interrupt moderation, the 8254x receive timers behind ICR.RXT0.
//
//   * RDTR (packet delay timer): restarted by every frame written back; RXT0 when it expires.
//     RDTR = 0: RXT0 at once for every frame (and RADV has no effect).
//   * RADV (absolute delay timer): started by the first frame written back after the last RXT0
//     and not restarted by later frames, so RXT0 is never later than RADV after that first
//     frame however closely frames follow. RADV = 0: off.
//   * RDTR.FPD written 1 while a frame waits (a timer runs): RXT0 now.
// Whichever fires, both timers stop: the frames written back so far are covered, the next one
// starts a new round. Both registers are read when a frame arrives (a write takes effect for the
// next frame). Units are 1.024 us; each timer counts down in picoseconds, CLK_PERIOD_PS per cycle,
// so RXT0 comes between the exact delay and one clock after it, for any clock period.

module ringnic_rx_intr #(
    parameter integer CLK_PERIOD_PS = 10000  // clock period, ps
) (
    input  wire        clk,
    input  wire        rst,          // synchronous, active high (also CTRL.RST): nothing pending
    input  wire        frame_done,   // pulse: a frame was written back (its RDH update is out)
    input  wire [15:0] rdtr,         // RDTR.DELAY, 1.024 us units
    input  wire [15:0] radv,         // RADV.DELAY, 1.024 us units
    input  wire        fpd,          // pulse: RDTR.FPD written 1
    output reg         rxt0          // pulse: set ICR.RXT0
);

    localparam integer TW      = 38;                     // 65535 * 1024000 ps < 2^37
    localparam [TW-1:0] UNIT   = 38'd1024000;            // 1.024 us in ps
    localparam [TW-1:0] STEP   = {{(TW-32){1'b0}}, CLK_PERIOD_PS[31:0]};  // ps per clock

    reg  [TW-1:0] pkt_ps, abs_ps;   // time left, ps
    reg           pkt_on, abs_on;

    wire [TW-1:0] rdtr_ps = {{(TW-16){1'b0}}, rdtr} * UNIT;
    wire [TW-1:0] radv_ps = {{(TW-16){1'b0}}, radv} * UNIT;

    wire pkt_exp = pkt_on && (pkt_ps <= STEP);
    wire abs_exp = abs_on && (abs_ps <= STEP);
    wire fire    = (frame_done && (rdtr == 16'd0)) || pkt_exp || abs_exp || (fpd && (pkt_on || abs_on));

    always @(posedge clk) begin
        if (rst) begin
            pkt_on <= 1'b0;
            abs_on <= 1'b0;
            pkt_ps <= {TW{1'b0}};
            abs_ps <= {TW{1'b0}};
            rxt0   <= 1'b0;
        end else begin
            rxt0 <= fire;
            if (fire) begin
                pkt_on <= 1'b0;
                abs_on <= 1'b0;
            end else begin
                if (frame_done) begin
                    pkt_on <= 1'b1;
                    pkt_ps <= rdtr_ps;
                end else if (pkt_on) begin
                    pkt_ps <= pkt_ps - STEP;
                end
                if (frame_done && !abs_on && (radv != 16'd0)) begin
                    abs_on <= 1'b1;
                    abs_ps <= radv_ps;
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
            $display("ringnic_rx_intr: CLK_PERIOD_PS must be 1..1024000 (a 1.024 us unit is >= 1 clock)");
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
