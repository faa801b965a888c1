pragma circom 2.2.3;

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "./ComputeQuaternaryMerkleUpdate.circom";
include "./RequireNonNegativeIfEnabled.circom";

// Fills `fillSize` of the order (storageId, orderSize) in its order slot (docs/protocol.md §2.3): the slot
// `storageId mod 4^ORDER_DEPTH` holds slotLeaf = slotStorageId·2^40 + filled. The order may fill iff
// storageId ≥ slotStorageId (a higher id starts over at filled = 0, the same id continues) and
// filled + fillSize ≤ orderSize; the slot becomes (storageId, filled + fillSize).
//
// `isConsume` = 1 is a withdrawal's or transfer's use of the slot instead: storageId > slotStorageId strictly, and
// with fillSize = 0 the slot becomes (storageId, 0).
//
// With `enabled` = 0 nothing is proven and ordersRootOut = ordersRootIn.
//
// NOTE: `enabled`, `isConsume` boolean; the caller range-checks orderSize (< 2^40) and fillSize (< 2^40) and binds storageId,
// orderSize to the signed order. The old slot is (0, 0) for a never-used slot.
template UpdateOrderSlot(ORDER_DEPTH) {
    assert(ORDER_DEPTH >= 1 && 2 * ORDER_DEPTH <= 32);
    signal input enabled;                   // boolean: 1 = perform the fill
    signal input isConsume;                 // boolean: 1 = the id must be fresh (withdraw, transfer), fillSize = 0
    signal input ordersRootIn;              // the account's orders root before
    signal input storageId;                 // the order's storage id, < 2^32
    signal input orderSize;                 // the order's size in lots
    signal input fillSize;                  // lots filled now
    signal input oldSlotStorageId;          // the slot's storage id before (0 if empty), < 2^32
    signal input oldSlotFilled;             // the slot's filled amount before, < 2^40
    signal input siblings[ORDER_DEPTH][3];  // the slot's path in the orders tree, bottom level first
    signal output ordersRootOut;            // the orders root after

    signal storageIdBits[32] <== Num2Bits(32)(storageId);
    signal oldStorageIdBits[32] <== Num2Bits(32)(oldSlotStorageId);
    signal oldFilledBits[40] <== Num2Bits(40)(oldSlotFilled);

    // The slot index is the low 2·ORDER_DEPTH bits of the storage id.
    var slotIndex = 0;
    for (var i = 0; i < 2 * ORDER_DEPTH; i++) slotIndex += storageIdBits[i] * (1 << i);

    RequireNonNegativeIfEnabled(32)(enabled, storageId - oldSlotStorageId - isConsume);
    signal isSameOrder <== IsEqual()([storageId, oldSlotStorageId]);
    signal filledBefore <== isSameOrder * oldSlotFilled;
    signal filledAfter <== filledBefore + fillSize;
    RequireNonNegativeIfEnabled(41)(enabled, orderSize - filledAfter);

    signal oldLeaf <== oldSlotStorageId * (1 << 40) + oldSlotFilled;
    signal newLeaf <== storageId * (1 << 40) + filledAfter;
    ordersRootOut <== ComputeQuaternaryMerkleUpdate(ORDER_DEPTH)(enabled, ordersRootIn, oldLeaf, newLeaf, slotIndex, siblings);
}
