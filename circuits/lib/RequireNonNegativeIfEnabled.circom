pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";

// When `enabled` = 1, proves 0 <= in < 2^BITS; when `enabled` = 0, proves nothing. The usual way a universal
// slot states "a >= b" for the tx type that selects it: `in = a - b`, where a - b is known to be far from p/2 in
// absolute value (the operands are range-checked elsewhere), so a negative difference (p - |d|) cannot pass.
//
// NOTE: `enabled` must be boolean (the caller's one-hot tx type); BITS <= 252.
template RequireNonNegativeIfEnabled(BITS) {
    assert(BITS >= 1 && BITS <= 252);
    signal input enabled;  // boolean: 1 = enforce
    signal input in;       // the difference that must be in [0, 2^BITS)

    signal gated <== enabled * in;
    signal bits[BITS] <== Num2Bits(BITS)(gated);
}
