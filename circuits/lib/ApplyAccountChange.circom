pragma circom 2.2.3;

include "./ComputeAccountLeaf.circom";
include "./ComputeQuaternaryMerkleUpdate.circom";
include "./RequireSignedRange.circom";
include "./SettleAndChangeAccount.circom";

// One account-leaf write straight against the accounts tree (docs/protocol.md §4), as the end-of-batch credit does:
// open the leaf from its preimage at `accountIndex` under `accountsRootIn`, settle and change it
// (`SettleAndChangeAccount`), and write the new leaf, settled at the current funding indices, with orders root
// `ordersRootAfter`. Slots write through the batch account cache instead (`AccountCache.circom`).
//
// `isOldEmpty` = 1 opens an empty leaf (0) instead: the preimage is then the caller's to constrain (a new account).
// `isOldEmpty` = `isNewEmpty` = 1 proves the leaf is empty and leaves it so (a read: the root is unchanged).
// With `enabled` = 0 no write happens (accountsRootOut = accountsRootIn); the outputs are then meaningless.
//
// Range checks: old funding indices (64-bit signed), so with the old sizes (41-bit signed, in the arithmetic) the
// position words of the old leaf have one preimage.
//
// NOTE: as SettleAndChangeAccount; `isOldEmpty`, `isNewEmpty` boolean.
template ApplyAccountChange(ACCOUNT_DEPTH, M) {
    signal input enabled;                      // boolean: 1 = perform the write
    signal input isOldEmpty;                   // boolean: 1 = the leaf before is empty (0)
    signal input isNewEmpty;                   // boolean: 1 = the leaf written is empty (0); only with isOldEmpty
    signal input accountsRootIn;               // accounts root before the write
    signal input accountIndex;                 // leaf index, < 4^ACCOUNT_DEPTH
    signal input accountSiblings[ACCOUNT_DEPTH][3]; // the leaf's path, bottom level first
    signal input publicKey[2];                 // preimage: L2 key
    signal input owner;                        // preimage: L1 owner
    signal input collateral;                   // preimage: collateral before settlement
    signal input mode;                         // preimage: margin mode
    signal input size[M];                      // preimage: sizes
    signal input fundingIndexAtLastSettle[M];  // preimage: funding indices at the last settlement
    signal input ordersRootBefore;             // preimage: orders root
    signal input ordersRootAfter;              // orders root written (after this tx's slot write, if any)
    signal input marketSelect[M];              // one-hot: the market deltaSize applies to
    signal input deltaCollateral;              // signed change of collateral after settlement
    signal input deltaSize;                    // signed change of the selected position
    signal input positionShift[M];             // signed change of every position (0 but for a backstop)
    signal input fundingIndex[M];              // the markets' current funding indices
    signal input oraclePrice[M];               // the markets' oracle prices
    signal input imfBps[M];                    // the markets' initial margin fractions
    signal output accountsRootOut;             // accounts root after
    signal output settledEquity;               // equity after funding settlement, before the change
    signal output newCollateral;               // collateral after settlement and the change
    signal output passesInitialMargin;         // 1 iff equity·10,000 ≥ Σ notional·imf

    for (var m = 0; m < M; m++) _ <== RequireSignedRange(64)(fundingIndexAtLastSettle[m]);
    signal oldLeaf;
    (_, oldLeaf) <== ComputeAccountLeaf(M)(publicKey, owner, collateral, mode, size, fundingIndexAtLastSettle, ordersRootBefore);
    signal openedLeaf <== (1 - isOldEmpty) * oldLeaf;

    component change = SettleAndChangeAccount(M);
    change.enabled <== enabled;
    change.collateral <== collateral;
    change.size <== size;
    change.fundingIndexAtLastSettle <== fundingIndexAtLastSettle;
    change.marketSelect <== marketSelect;
    change.deltaCollateral <== deltaCollateral;
    change.deltaSize <== deltaSize;
    change.positionShift <== positionShift;
    change.fundingIndex <== fundingIndex;
    change.oraclePrice <== oraclePrice;
    change.imfBps <== imfBps;
    settledEquity <== change.settledEquity;
    newCollateral <== change.newCollateral;
    passesInitialMargin <== change.passesInitialMargin;

    signal newLeaf;
    (_, newLeaf) <== ComputeAccountLeaf(M)(publicKey, owner, change.newCollateral, mode, change.sizesAfter, fundingIndex, ordersRootAfter);
    isNewEmpty * (1 - isOldEmpty) === 0;
    signal writtenLeaf <== (1 - isNewEmpty) * newLeaf;
    accountsRootOut <== ComputeQuaternaryMerkleUpdate(ACCOUNT_DEPTH)(
        enabled, accountsRootIn, openedLeaf, writtenLeaf, accountIndex, accountSiblings
    );
}
