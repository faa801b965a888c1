pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// quotient = floor(dividend / DIVISOR) for a dividend in [0, 2^DIVIDEND_BITS) and a constant DIVISOR > 0:
// the quotient and remainder are hints, pinned by dividend = quotient * DIVISOR + remainder, 0 <= remainder <
// DIVISOR and quotient < 2^DIVIDEND_BITS (so the product cannot wrap past p).
//
// NOTE: the caller must know the dividend is in [0, 2^DIVIDEND_BITS); DIVIDEND_BITS + bits(DIVISOR) <= 252.
template ComputeFloorDivision(DIVIDEND_BITS, DIVISOR) {
    assert(DIVISOR > 0);
    assert(DIVIDEND_BITS >= 1 && DIVIDEND_BITS <= 200);
    signal input dividend;   // in [0, 2^DIVIDEND_BITS)
    signal output quotient;  // floor(dividend / DIVISOR)

    var DIVISOR_BITS = 1;
    while ((1 << DIVISOR_BITS) <= DIVISOR) DIVISOR_BITS++;

    quotient <-- dividend \ DIVISOR;
    signal remainder <-- dividend % DIVISOR;
    dividend === quotient * DIVISOR + remainder;
    signal quotientBits[DIVIDEND_BITS] <== Num2Bits(DIVIDEND_BITS)(quotient);
    signal remainderBits[DIVISOR_BITS] <== Num2Bits(DIVISOR_BITS)(remainder);
    signal isRemainderBelowDivisor <== LessThan(DIVISOR_BITS)([remainder, DIVISOR]);
    isRemainderBelowDivisor === 1;
}
