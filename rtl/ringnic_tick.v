`default_nettype none
`timescale 1ns/1ps

// ringnic_tick: the interrupt timers' time base, one for the whole NIC: a free-running 256 ns
// tick (ITR's unit) and, every fourth of it, a 1.024 us tick (RDTR/RADV/TIDV/TADV's unit). The
// 8254x runs its delay timers on such a free-running 1.024 us clock and ITR on 256 ns (8254x
// SDM, "Interrupt Delay Timers" and "Interrupt Throttling Register"), so a timer of n units
// started between two ticks expires on its n-th tick: between n - 1 and n units after it.
//
// 256 ns need not be a whole number of clocks (25.6 at 100 MHz). The prescaler counts in
// units of G = gcd(CLK_PERIOD_PS, 256,000 ps), computed at elaboration: it adds CLK_PERIOD_PS / G
// per clock modulo 256,000 / G and ticks when it wraps, so the ticks come on average every 256 ns
// exactly, each within one clock of its ideal time (100 MHz: G = 2,000 ps, a
// 7-bit count adding 5 modulo 128; 125 MHz: G = 8,000 ps, a 5-bit counter, a tick every 32
// clocks). No multiplier: one small adder and a 2-bit divide-by-4.

module ringnic_tick #(
    parameter integer CLK_PERIOD_PS = 10000  // clock period, ps: 1..256000 (a 256 ns tick is >= 1 clock)
) (
    input  wire clk,
    input  wire rst,          // synchronous, active high: the count restarts (not CTRL.RST: free-running)
    output wire tick_256ns,   // one-clock pulse, on average every 256 ns
    output wire tick_1024ns   // one-clock pulse on every fourth tick_256ns: on average every 1.024 us
);

    localparam integer TICK_PS = 256000;

    // Elaboration-time only (they size the count): no runtime coverage points.
    /* verilator coverage_off */
    // Euclid's algorithm; 20 steps suffice below 2^18 (Lame: a step per Fibonacci number).
    function integer gcd;
        input integer a;
        input integer b;
        integer x, y, t, i;
        begin
            x = a;
            y = b;
            for (i = 0; i < 32; i = i + 1) begin
                if (y != 0) begin
                    t = x % y;
                    x = y;
                    y = t;
                end
            end
            gcd = x;
        end
    endfunction

    function integer clog2;
        input integer v;
        integer i;
        begin
            clog2 = 0;
            for (i = 0; i < 30; i = i + 1)          // 1 << 31 would be negative
                if ((1 << i) < v) clog2 = i + 1;
        end
    endfunction
    /* verilator coverage_on */

    localparam integer G    = gcd(TICK_PS, (CLK_PERIOD_PS < 1) ? 1 : CLK_PERIOD_PS);
    localparam integer MOD  = TICK_PS / G;                                   // the count's modulus
    localparam integer STEP = ((CLK_PERIOD_PS < 1) ? 1 : CLK_PERIOD_PS) / G; // added per clock
    localparam integer AW   = (MOD > 1) ? clog2(MOD) : 1;                    // count width

    reg  [AW-1:0] acc;        // time since the last tick, G units (< MOD)
    reg  [1:0]    quarter;    // 256 ns ticks since the last 1.024 us tick
    wire [AW:0]   sum  = {1'b0, acc} + STEP[AW:0];
    wire          wrap = (sum >= MOD[AW:0]);

    assign tick_256ns  = wrap;
    assign tick_1024ns = wrap && (quarter == 2'd3);

    always @(posedge clk) begin
        if (rst) begin
            acc     <= {AW{1'b0}};
            quarter <= 2'd0;
        end else begin
            acc <= wrap ? sum[AW-1:0] - MOD[AW-1:0] : sum[AW-1:0];
            if (wrap) quarter <= quarter + 2'd1;
        end
    end

    // Parameter checks (simulation and lint; synthesis ignores initial blocks).
    /* verilator coverage_off */
    initial begin
        if (CLK_PERIOD_PS < 1 || CLK_PERIOD_PS > TICK_PS) begin
            $display("ringnic_tick: CLK_PERIOD_PS must be 1..256000 (a 256 ns tick is >= 1 clock)");
            $finish;
        end
        if (G * MOD != TICK_PS || G * STEP != CLK_PERIOD_PS || STEP > MOD) begin
            $display("ringnic_tick: internal: gcd(%0d, %0d) = %0d does not divide both", TICK_PS, CLK_PERIOD_PS, G);
            $finish;
        end
    end
    /* verilator coverage_on */

endmodule

`default_nettype wire
