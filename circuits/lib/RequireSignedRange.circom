pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";

// Proves that the field element `in` encodes a signed integer x with -2^(BITS-1) <= x < 2^(BITS-1)
// (negative x is p - |x|), by decomposing x + 2^(BITS-1) into BITS bits (docs/protocol.md §1).
// `isNonNegative` is the top bit of that decomposition: 1 exactly when x >= 0.
//
// NOTE: BITS <= 252 keeps the decomposition unique (2^BITS < p).
template RequireSignedRange(BITS) {
    assert(BITS >= 2 && BITS <= 252);
    signal input in;              // the signed value as a field element
    signal output isNonNegative;  // 1 iff in >= 0 (as a signed integer)

    signal bits[BITS] <== Num2Bits(BITS)(in + (1 << (BITS - 1)));
    isNonNegative <== bits[BITS - 1];
}
