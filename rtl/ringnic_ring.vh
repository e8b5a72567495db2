// ringnic_ring.vh: ring index arithmetic (included inside the TX engine's stages).

// The index after i in a ring of size descriptors (i < size).
function [15:0] ring_next;
    input [15:0] i;
    input [16:0] size;
    begin
        ring_next = ({1'b0, i} + 17'd1 == size) ? 16'd0 : i + 16'd1;
    end
endfunction
