pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// out = 1 iff a < b, for a and b proven to be in [0, 2^BITS) first (circomlib's LessThan alone is only sound on
// inputs already below 2^BITS: on larger values it returns garbage that a prover can choose).
template SafeLessThan(BITS) {
    assert(BITS >= 1 && BITS <= 252);
    signal input in[2];  // [a, b], each in [0, 2^BITS)
    signal output out;   // 1 iff a < b

    signal aBits[BITS] <== Num2Bits(BITS)(in[0]);
    signal bBits[BITS] <== Num2Bits(BITS)(in[1]);
    out <== LessThan(BITS)(in);
}
