pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "./RequireSignedRange.circom";

// quotient = floor(dividend / divisor) (toward −∞, as the state machine's floorDiv) for a signed dividend with
// |dividend| < 2^(DIVIDEND_BITS − 1) and a divisor in [1, 2^DIVISOR_BITS): the quotient and remainder are hints,
// pinned by dividend = quotient · divisor + remainder, 0 ≤ remainder < divisor, and a signed range on the quotient
// (so the product cannot wrap past p).
//
// NOTE: the caller range-checks the divisor (> 0, < 2^DIVISOR_BITS); DIVIDEND_BITS + DIVISOR_BITS ≤ 250.
template ComputeSignedFloorDivision(DIVIDEND_BITS, DIVISOR_BITS) {
    assert(DIVIDEND_BITS >= 2 && DIVISOR_BITS >= 1 && DIVIDEND_BITS + DIVISOR_BITS <= 250);
    signal input dividend;   // signed, |dividend| < 2^(DIVIDEND_BITS − 1)
    signal input divisor;    // in [1, 2^DIVISOR_BITS)
    signal output quotient;  // floor(dividend / divisor)

    // Witness only: circom's `\` and `%` work on the representative in [0, p); comparisons are signed.
    var magnitude = dividend < 0 ? -dividend : dividend;
    var q = magnitude \ divisor;
    var r = magnitude % divisor;
    if (dividend < 0) {
        if (r == 0) {
            q = -q;
        } else {
            q = -q - 1;
            r = divisor - r;
        }
    }
    quotient <-- q;
    signal remainder <-- r;
    dividend === quotient * divisor + remainder;
    _ <== RequireSignedRange(DIVIDEND_BITS)(quotient);
    _ <== Num2Bits(DIVISOR_BITS)(remainder);
    _ <== Num2Bits(DIVISOR_BITS)(divisor - remainder - 1);  // remainder < divisor
}
