pragma circom 2.2.3;

// Places `node` among the three `siblings` of a quaternary tree level: slot `digit` gets `node`, the other three
// slots get the siblings in child order (the path's own slot removed), as the tree convention defines.
//
//   digit 0 -> [node, s0,   s1,   s2  ]
//   digit 1 -> [s0,   node, s1,   s2  ]
//   digit 2 -> [s0,   s1,   node, s2  ]
//   digit 3 -> [s0,   s1,   s2,   node]
//
// NOTE: the caller must constrain `digitBits` to be boolean (e.g. take them from Num2Bits); then the digit is
// 0..3 by construction. Every output is a quadratic function of the inputs assigned with <==, so the children are
// fully determined by (node, siblings, digitBits): there is no hint to pin.
template ComputeQuaternaryChildren() {
    signal input node;          // the hash on the path at this level (the leaf at level 0)
    signal input siblings[3];   // the three other children of the parent, in child order without the path's slot
    signal input digitBits[2];  // the path digit at this level, little-endian bits (digit = b0 + 2*b1); boolean
    signal output children[4];  // the parent's four children in child order

    // One-hot digit indicators: isDigit[k] = 1 exactly when digit == k (given boolean bits).
    signal isDigit3 <== digitBits[0] * digitBits[1];
    signal isDigit0 <== 1 - digitBits[0] - digitBits[1] + isDigit3;
    signal isDigit1 <== digitBits[0] - isDigit3;
    signal isDigit2 <== digitBits[1] - isDigit3;

    // Slot 0: node when digit == 0, else s0.
    children[0] <== siblings[0] + isDigit0 * (node - siblings[0]);

    // Slot 1: s0 when digit == 0, node when digit == 1, s1 when digit >= 2.
    signal slot1Low <== isDigit0 * (siblings[0] - siblings[1]);
    children[1] <== siblings[1] + slot1Low + isDigit1 * (node - siblings[1]);

    // Slot 2: s1 when digit <= 1 (high bit clear), node when digit == 2, s2 when digit == 3.
    signal slot2Low <== (1 - digitBits[1]) * (siblings[1] - siblings[2]);
    children[2] <== siblings[2] + slot2Low + isDigit2 * (node - siblings[2]);

    // Slot 3: node when digit == 3, else s2.
    children[3] <== siblings[2] + isDigit3 * (node - siblings[2]);
}
