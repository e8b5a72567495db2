`default_nettype none
`timescale 1ns/1ps

// native_bench: the benchmark's limit with no VPI and no Python at all (make bench's native_*
// rows, tb/native.py). ringnic_pair_bench as limit_* runs it, but the clock is generated here,
// the RAMs are loaded from files ($readmemh), the register set-up is a list of AXI-Lite writes
// from a file, and the counters are printed at the end. Built as a plain Verilator binary
// (--binary --timing), so limit / native is what cocotb's clock and VPI cost.
//
// Plusargs: +mem_a=FILE +mem_b=FILE (RAM images, $readmemh with @word addresses), +setup=FILE
// (one write a line: {nic, 15'b0, addr[15:0], data[31:0]} in hex, nic 0 = A), +writes=N,
// +warmup=CYCLES +cycles=CYCLES, +duplex=0|1.

module native_bench;

    localparam integer CLK_HALF_NS = 5;   // 10 ns: sim/settings.toml's clock_period_ns

    reg clk, rst, bench_run, duplex;

    always #CLK_HALF_NS clk = ~clk;

    // One AXI-Lite writer shared by both register ports (address and data lines to both).
    reg  [16:0] awaddr;
    reg  [31:0] wdata;
    reg         aw_v_a, w_v_a, aw_v_b, w_v_b;
    wire        a_awready, a_wready, a_bvalid, b_awready, b_wready, b_bvalid;
    wire        bench_busy, bench_err, a_irq, b_irq;
    wire [1:0]  a_bresp, b_bresp, a_rresp, b_rresp;
    wire [31:0] a_rdata, b_rdata;
    wire        a_arready, a_rvalid, b_arready, b_rvalid;

    ringnic_pair_bench dut (
        .clk(clk), .rst(rst), .bench_run(bench_run),
        .a_tx_en(1'b1), .a_rx_en(duplex), .b_tx_en(duplex), .b_rx_en(1'b1),
        .ring_tx_base(32'h1000), .ring_rx_base(32'h2000),   // tb/apps/bench_tests.py's TX_RING, RX_RING
        .bench_busy(bench_busy), .bench_err(bench_err), .a_irq(a_irq), .b_irq(b_irq),
        .a_s_axil_awaddr(awaddr), .a_s_axil_awprot(3'd0), .a_s_axil_awvalid(aw_v_a), .a_s_axil_awready(a_awready),
        .a_s_axil_wdata(wdata), .a_s_axil_wstrb(4'hF), .a_s_axil_wvalid(w_v_a), .a_s_axil_wready(a_wready),
        .a_s_axil_bresp(a_bresp), .a_s_axil_bvalid(a_bvalid), .a_s_axil_bready(1'b1),
        .a_s_axil_araddr(17'd0), .a_s_axil_arprot(3'd0), .a_s_axil_arvalid(1'b0), .a_s_axil_arready(a_arready),
        .a_s_axil_rdata(a_rdata), .a_s_axil_rresp(a_rresp), .a_s_axil_rvalid(a_rvalid), .a_s_axil_rready(1'b1),
        .b_s_axil_awaddr(awaddr), .b_s_axil_awprot(3'd0), .b_s_axil_awvalid(aw_v_b), .b_s_axil_awready(b_awready),
        .b_s_axil_wdata(wdata), .b_s_axil_wstrb(4'hF), .b_s_axil_wvalid(w_v_b), .b_s_axil_wready(b_wready),
        .b_s_axil_bresp(b_bresp), .b_s_axil_bvalid(b_bvalid), .b_s_axil_bready(1'b1),
        .b_s_axil_araddr(17'd0), .b_s_axil_arprot(3'd0), .b_s_axil_arvalid(1'b0), .b_s_axil_arready(b_arready),
        .b_s_axil_rdata(b_rdata), .b_s_axil_rresp(b_rresp), .b_s_axil_rvalid(b_rvalid), .b_s_axil_rready(1'b1)
    );

    // Drives at the falling edge, samples handshakes at the rising one; done at the B response.
    task axil_write(input nic, input [16:0] addr, input [31:0] data);
        reg aw_done, w_done, b_done;
        begin
            @(negedge clk);
            awaddr = addr; wdata = data; aw_done = 1'b0; w_done = 1'b0; b_done = 1'b0;
            if (nic) begin aw_v_b = 1'b1; w_v_b = 1'b1; end else begin aw_v_a = 1'b1; w_v_a = 1'b1; end
            while (!b_done) begin
                @(posedge clk);
                if (!aw_done && (nic ? b_awready : a_awready)) aw_done = 1'b1;
                if (!w_done && (nic ? b_wready : a_wready)) w_done = 1'b1;
                if (nic ? b_bvalid : a_bvalid) begin
                    b_done = 1'b1;
                    if ((nic ? b_bresp : a_bresp) != 2'b00) begin
                        $display("native_bench: write 0x%05x to NIC %0d answered %0d", addr, nic, nic ? b_bresp : a_bresp);
                        $finish;
                    end
                end
                @(negedge clk);
                if (aw_done) begin aw_v_a = 1'b0; aw_v_b = 1'b0; end
                if (w_done) begin w_v_a = 1'b0; w_v_b = 1'b0; end
            end
        end
    endtask

    reg [8*512-1:0] mem_a, mem_b, setup;
    reg [63:0]      writes [0:255];
    integer         nwrites, warmup, cycles, k, dup;
    reg [63:0]      c0, ab_f0, ab_b0, ba_f0, ba_b0;

    initial begin
        clk = 1'b0; rst = 1'b1; bench_run = 1'b0; duplex = 1'b1;
        awaddr = 17'd0; wdata = 32'd0; aw_v_a = 1'b0; w_v_a = 1'b0; aw_v_b = 1'b0; w_v_b = 1'b0;
        if (!$value$plusargs("mem_a=%s", mem_a) || !$value$plusargs("mem_b=%s", mem_b) ||
            !$value$plusargs("setup=%s", setup) || !$value$plusargs("writes=%d", nwrites) ||
            !$value$plusargs("warmup=%d", warmup) || !$value$plusargs("cycles=%d", cycles) ||
            !$value$plusargs("duplex=%d", dup)) begin
            $display("native_bench: usage: +mem_a= +mem_b= +setup= +writes= +warmup= +cycles= +duplex=");
            $finish;
        end
        if (nwrites > 256) begin $display("native_bench: at most 256 set-up writes"); $finish; end
        duplex = (dup != 0);
        $readmemh(mem_a, dut.u_host_a.u_ram.mem);
        $readmemh(mem_b, dut.u_host_b.u_ram.mem);
        $readmemh(setup, writes, 0, nwrites - 1);
        repeat (4) @(posedge clk);
        @(negedge clk) rst = 1'b0;
        repeat (2) @(posedge clk);
        for (k = 0; k < nwrites; k = k + 1)
            axil_write(writes[k][48], writes[k][48:32] & 17'h0FFFF, writes[k][31:0]);
        @(negedge clk) bench_run = 1'b1;
        // verilator lint_off ZERODLY
        #(warmup * 2 * CLK_HALF_NS);
        c0 = dut.cnt_cycles; ab_f0 = dut.cnt_ab_frames; ab_b0 = dut.cnt_ab_bytes;
        ba_f0 = dut.cnt_ba_frames; ba_b0 = dut.cnt_ba_bytes;
        #(cycles * 2 * CLK_HALF_NS);   // one timed wait: no wake-up per cycle
        // verilator lint_on ZERODLY
        $display("native_bench: cycles=%0d ab_frames=%0d ab_bytes=%0d ba_frames=%0d ba_bytes=%0d err=%0d",
                 dut.cnt_cycles - c0, dut.cnt_ab_frames - ab_f0, dut.cnt_ab_bytes - ab_b0,
                 dut.cnt_ba_frames - ba_f0, dut.cnt_ba_bytes - ba_b0, bench_err);
        $finish;
    end

    wire unused_ok = &{1'b0, bench_busy, a_irq, b_irq, a_rresp, b_rresp, a_rdata, b_rdata, a_arready,
                       a_rvalid, b_arready, b_rvalid};

endmodule

`default_nettype wire
