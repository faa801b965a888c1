pragma circom 2.2.3;

include "circomlib/circuits/babyjub.circom";

// Proves that P is on the curve and point = 8·P, i.e. `point` lies in 8·E = the prime-order subgroup G_l
// (BabyJubJub's group is Z_8 × Z_l, so the multiples of 8 are exactly G_l). `eighthRoot` = (8^-1 mod l)·point is
// a hint the witness builder computes; it exists iff point ∈ G_l. Costs a curve check and three doublings.
//
// NOTE: `enabled` must be boolean; when 0 nothing is proven.
template RequirePrimeSubgroupIfEnabled() {
    signal input enabled;        // boolean: 1 = enforce
    signal input point[2];       // the point that must lie in G_l
    signal input eighthRoot[2];  // hint: P with 8·P = point

    // a·x² + y² = 1 + d·x²·y² with a = 168700, d = 168696 (circomlib's BabyCheck, gated).
    signal x2 <== eighthRoot[0] * eighthRoot[0];
    signal y2 <== eighthRoot[1] * eighthRoot[1];
    signal x2y2 <== x2 * y2;
    enabled * (168700 * x2 + y2 - 1 - 168696 * x2y2) === 0;

    component double1 = BabyDbl();
    double1.x <== eighthRoot[0];
    double1.y <== eighthRoot[1];
    component double2 = BabyDbl();
    double2.x <== double1.xout;
    double2.y <== double1.yout;
    component double3 = BabyDbl();
    double3.x <== double2.xout;
    double3.y <== double2.yout;
    enabled * (double3.xout - point[0]) === 0;
    enabled * (double3.yout - point[1]) === 0;
}
