pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";

// quotient = ceilDiv(dividend, divisor) for a dividend ≥ 0 and a divisor in [1, 2^DIVISOR_BITS): the quotient and
// remainder are hints, pinned by dividend = quotient·divisor − remainder, 0 ≤ remainder < divisor and
// quotient < 2^QUOTIENT_BITS (so quotient·divisor < 2^(QUOTIENT_BITS + DIVISOR_BITS) cannot wrap past p).
//
// NOTE: the caller proves dividend ≥ 0 and that the true quotient is below 2^QUOTIENT_BITS (else no witness exists),
// and range-checks the divisor (≥ 1, < 2^DIVISOR_BITS).
template ComputeCeilDivision(QUOTIENT_BITS, DIVISOR_BITS) {
    assert(QUOTIENT_BITS >= 1 && DIVISOR_BITS >= 1 && QUOTIENT_BITS + DIVISOR_BITS <= 250);
    signal input dividend;   // ≥ 0
    signal input divisor;    // in [1, 2^DIVISOR_BITS)
    signal output quotient;  // ceil(dividend / divisor)
    quotient <-- (dividend + divisor - 1) \ divisor;
    signal remainder <-- quotient * divisor - dividend;
    dividend === quotient * divisor - remainder;
    _ <== Num2Bits(QUOTIENT_BITS)(quotient);
    _ <== Num2Bits(DIVISOR_BITS)(remainder);
    _ <== Num2Bits(DIVISOR_BITS)(divisor - remainder - 1);  // remainder < divisor
}
