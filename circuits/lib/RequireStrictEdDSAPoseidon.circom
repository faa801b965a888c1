pragma circom 2.2.3;

include "./RequirePrimeSubgroupIfEnabled.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";

// Strict EdDSA-Poseidon (docs/protocol.md §3): circomlib's EdDSAPoseidonVerifier (S·B8 = R8 + 8·H(R8, A, M)·A and
// S < l) plus what it misses: A and R8 on the curve and in the prime-order subgroup (circomlib accepts A plus
// torsion, since it only uses 8·A), and neither of low order (in G_l the only low-order point is the identity,
// whose x is 0).
//
// With `enabled` = 0 nothing is proven: the inputs to the inner verifier are replaced by the identity and S = 0,
// so a disabled slot may carry any values (circomlib's Num2Bits(253) on S would otherwise constrain them).
//
// NOTE: `enabled` must be boolean. The caller binds `message` to the signed fields and `publicKey` to the key the
// rules name (account leaf or market oracle key).
template RequireStrictEdDSAPoseidon() {
    signal input enabled;          // boolean: 1 = the signature must verify
    signal input publicKey[2];     // A = (Ax, Ay)
    signal input R8[2];            // the signature's R8 point
    signal input S;                // the signature's scalar, must be < l
    signal input message;          // the signed message hash (a field element)
    signal input publicKeyRoot[2]; // hint: (8^-1 mod l)·A
    signal input R8Root[2];        // hint: (8^-1 mod l)·R8

    RequirePrimeSubgroupIfEnabled()(enabled, publicKey, publicKeyRoot);
    RequirePrimeSubgroupIfEnabled()(enabled, R8, R8Root);

    // Not the identity: in G_l, x = 0 only at (0, 1).
    signal isPublicKeyXZero <== IsZero()(publicKey[0]);
    enabled * isPublicKeyXZero === 0;
    signal isR8XZero <== IsZero()(R8[0]);
    enabled * isR8XZero === 0;

    component verifier = EdDSAPoseidonVerifier();
    verifier.enabled <== enabled;
    verifier.Ax <== enabled * publicKey[0];
    verifier.Ay <== enabled * (publicKey[1] - 1) + 1;
    verifier.R8x <== enabled * R8[0];
    verifier.R8y <== enabled * (R8[1] - 1) + 1;
    verifier.S <== enabled * S;
    verifier.M <== message;
}
