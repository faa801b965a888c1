pragma circom 2.2.3;

include "circomlib/circuits/comparators.circom";
include "./ComputeAccountLeaf.circom";
include "./ComputeQuaternaryMerkleUpdate.circom";
include "./RequireSignedRange.circom";

// One account-leaf write of a tx (docs/protocol.md §4): open the leaf from its preimage at `accountIndex` under
// `accountsRootIn`, settle funding in every market (collateral −= Σ size_m·(fundingIndex_m −
// fundingIndexAtLastSettle_m), every fundingIndexAtLastSettle_m := fundingIndex_m), then add `deltaCollateral` to
// the collateral and `deltaSize` to the position of the selected market, and write the new leaf (orders root
// `ordersRootAfter`). `positionShift` is added to every market's position on top (a backstop takeover moves whole
// positions). Outputs what the tx rules need: the settled account before the change (its equity and per-market
// notionals, for maintenance and liquidation tests), the selected position before and after, and the
// initial-margin test of the new account (cross-multiplied: equity·10,000 ≥ Σ |size_m|·oraclePrice_m·imfBps_m).
//
// `isOldEmpty` = 1 opens an empty leaf (0) instead: the preimage is then the caller's to constrain (a new account).
// `isOldEmpty` = `isNewEmpty` = 1 proves the leaf is empty and leaves it so (a read: the root is unchanged).
// With `enabled` = 0 no write happens (accountsRootOut = accountsRootIn); the outputs are then meaningless.
//
// Range checks: old sizes (41-bit signed) and funding indices (64-bit signed), so the position words of the old
// leaf have one preimage; new sizes (41-bit signed) and the new collateral (|·| ≤ 2^63 − 1), docs/protocol.md §1.
//
// NOTE: `enabled`, `isOldEmpty` boolean; `marketSelect` one-hot; fundingIndex, oraclePrice (< 2^48), imfBps (< 2^14)
// come from the trusted market state; |deltaCollateral| < 2^90.
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
    signal output oldNotional[M];              // |size_m|·oraclePrice_m before the change
    signal output oldSize;                     // the selected position before
    signal output isOldSizeNonNegative;        // 1 iff oldSize ≥ 0
    signal output newSize;                     // the selected position after
    signal output isNewSizeNonNegative;        // 1 iff newSize ≥ 0
    signal output isNewSizeZero;               // 1 iff newSize = 0
    signal output newCollateral;               // collateral after settlement and the change
    signal output passesInitialMargin;         // 1 iff equity·10,000 ≥ Σ notional·imf
    signal output marginSlack;                 // equity·10,000 − Σ notional·imf (signed, |·| < 2^111)
    signal output isEquityNonNegative;         // 1 iff equity ≥ 0

    // Old leaf.
    signal oldSizeSign[M];
    signal oldIndexSign[M];
    for (var m = 0; m < M; m++) {
        oldSizeSign[m] <== RequireSignedRange(41)(size[m]);
        oldIndexSign[m] <== RequireSignedRange(64)(fundingIndexAtLastSettle[m]);
    }
    component oldLeaf = ComputeAccountLeaf(M);
    oldLeaf.publicKey <== publicKey;
    oldLeaf.owner <== owner;
    oldLeaf.collateral <== collateral;
    oldLeaf.mode <== mode;
    oldLeaf.size <== size;
    oldLeaf.fundingIndexAtLastSettle <== fundingIndexAtLastSettle;
    oldLeaf.ordersRoot <== ordersRootBefore;
    signal openedLeaf <== (1 - isOldEmpty) * oldLeaf.leaf;

    // Funding settlement, then the tx's change.
    signal payments[M];
    signal sizeChanges[M];
    signal sizesAfter[M];
    signal sizeAfterSign[M];
    var payment = 0;
    var selectedOld = 0;
    var selectedOldSign = 0;
    signal selectedOldTerms[M];
    signal selectedOldSignTerms[M];
    for (var m = 0; m < M; m++) {
        payments[m] <== size[m] * (fundingIndex[m] - fundingIndexAtLastSettle[m]);
        payment += payments[m];
        sizeChanges[m] <== marketSelect[m] * deltaSize;
        sizesAfter[m] <== size[m] + sizeChanges[m] + positionShift[m];
        sizeAfterSign[m] <== RequireSignedRange(41)(sizesAfter[m]);
        selectedOldTerms[m] <== marketSelect[m] * size[m];
        selectedOldSignTerms[m] <== marketSelect[m] * oldSizeSign[m];
        selectedOld += selectedOldTerms[m];
        selectedOldSign += selectedOldSignTerms[m];
    }
    oldSize <== selectedOld;
    isOldSizeNonNegative <== selectedOldSign;
    newCollateral <== collateral - payment + deltaCollateral;

    // The settled account before the change.
    signal oldValues[M];
    signal oldAbsoluteSizes[M];
    var oldEquity = collateral - payment;
    for (var m = 0; m < M; m++) {
        oldValues[m] <== size[m] * oraclePrice[m];
        oldAbsoluteSizes[m] <== (2 * oldSizeSign[m] - 1) * size[m];
        oldNotional[m] <== oldAbsoluteSizes[m] * oraclePrice[m];
        oldEquity += oldValues[m];
    }
    settledEquity <== oldEquity;
    signal newCollateralSign <== RequireSignedRange(64)(newCollateral);
    // §1 bounds collateral to ±(2^63 − 1): the signed range alone admits −2^63.
    signal isCollateralBelowFloor <== IsZero()(newCollateral + (1 << 63));
    enabled * isCollateralBelowFloor === 0;

    var selectedNew = 0;
    var selectedNewSign = 0;
    signal selectedNewTerms[M];
    signal selectedNewSignTerms[M];
    for (var m = 0; m < M; m++) {
        selectedNewTerms[m] <== marketSelect[m] * sizesAfter[m];
        selectedNewSignTerms[m] <== marketSelect[m] * sizeAfterSign[m];
        selectedNew += selectedNewTerms[m];
        selectedNewSign += selectedNewSignTerms[m];
    }
    newSize <== selectedNew;
    isNewSizeNonNegative <== selectedNewSign;
    isNewSizeZero <== IsZero()(newSize);

    // Initial margin of the new account, cross-multiplied (no division).
    signal absoluteSizes[M];
    signal notionals[M];
    signal requirements[M];
    signal values[M];
    var equity = newCollateral;
    var requirement = 0;
    for (var m = 0; m < M; m++) {
        absoluteSizes[m] <== (2 * sizeAfterSign[m] - 1) * sizesAfter[m];
        notionals[m] <== absoluteSizes[m] * oraclePrice[m];
        requirements[m] <== notionals[m] * imfBps[m];
        values[m] <== sizesAfter[m] * oraclePrice[m];
        equity += values[m];
        requirement += requirements[m];
    }
    // |equity| < 2^63 + 16·2^88 < 2^93; Σ notional·imf < 16·2^88·2^14 = 2^106.
    isEquityNonNegative <== RequireSignedRange(96)(equity);
    marginSlack <== equity * 10000 - requirement;
    passesInitialMargin <== RequireSignedRange(112)(marginSlack);

    // New leaf: settled at the current funding indices.
    component newLeaf = ComputeAccountLeaf(M);
    newLeaf.publicKey <== publicKey;
    newLeaf.owner <== owner;
    newLeaf.collateral <== newCollateral;
    newLeaf.mode <== mode;
    newLeaf.size <== sizesAfter;
    newLeaf.fundingIndexAtLastSettle <== fundingIndex;
    newLeaf.ordersRoot <== ordersRootAfter;

    isNewEmpty * (1 - isOldEmpty) === 0;
    signal writtenLeaf <== (1 - isNewEmpty) * newLeaf.leaf;
    accountsRootOut <== ComputeQuaternaryMerkleUpdate(ACCOUNT_DEPTH)(
        enabled, accountsRootIn, openedLeaf, writtenLeaf, accountIndex, accountSiblings
    );
}
