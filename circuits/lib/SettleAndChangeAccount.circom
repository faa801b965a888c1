pragma circom 2.2.3;

include "circomlib/circuits/comparators.circom";
include "./RequireSignedRange.circom";

// The arithmetic of one account write (docs/protocol.md §4), on an account already opened: settle funding in every
// market (collateral −= Σ size_m·(fundingIndex_m − fundingIndexAtLastSettle_m)), then add `deltaCollateral` to the
// collateral and `deltaSize` to the position of the selected market; `positionShift` is added to every market's
// position on top (a backstop takeover moves whole positions). Outputs what the tx rules need: the settled account
// before the change (its equity and per-market notionals, for maintenance and liquidation tests), the selected
// position before and after, the new collateral and sizes, and the initial-margin test of the new account
// (cross-multiplied: equity·10,000 ≥ Σ |size_m|·oraclePrice_m·imfBps_m). The new funding indices are the market's.
//
// Range checks: old sizes (41-bit signed, which also gives their signs), new sizes (41-bit signed) and the new
// collateral (|·| ≤ 2^63 − 1, when enabled), docs/protocol.md §1. Old funding indices are the caller's to bound.
//
// NOTE: `enabled` boolean; `marketSelect` one-hot; fundingIndex, oraclePrice (< 2^48), imfBps (< 2^14) come from the
// trusted market state; |deltaCollateral| < 2^90; |fundingIndexAtLastSettle| < 2^63.
template SettleAndChangeAccount(M) {
    signal input enabled;                      // boolean: 1 = the write happens (the collateral floor binds)
    signal input collateral;                   // collateral before settlement
    signal input size[M];                      // sizes before
    signal input fundingIndexAtLastSettle[M];  // funding indices at the last settlement
    signal input marketSelect[M];              // one-hot: the market deltaSize applies to
    signal input deltaCollateral;              // signed change of collateral after settlement
    signal input deltaSize;                    // signed change of the selected position
    signal input positionShift[M];             // signed change of every position (0 but for a backstop)
    signal input fundingIndex[M];              // the markets' current funding indices
    signal input oraclePrice[M];               // the markets' oracle prices
    signal input imfBps[M];                    // the markets' initial margin fractions
    signal output settledEquity;               // equity after funding settlement, before the change
    signal output oldNotional[M];              // |size_m|·oraclePrice_m before the change
    signal output oldSize;                     // the selected position before
    signal output isOldSizeNonNegative;        // 1 iff oldSize ≥ 0
    signal output newSize;                     // the selected position after
    signal output isNewSizeNonNegative;        // 1 iff newSize ≥ 0
    signal output isNewSizeZero;               // 1 iff newSize = 0
    signal output newCollateral;               // collateral after settlement and the change
    signal output sizesAfter[M];               // every position after the change
    signal output passesInitialMargin;         // 1 iff equity·10,000 ≥ Σ notional·imf
    signal output marginSlack;                 // equity·10,000 − Σ notional·imf (signed, |·| < 2^111)
    signal output isEquityNonNegative;         // 1 iff equity ≥ 0

    signal oldSizeSign[M];
    for (var m = 0; m < M; m++) oldSizeSign[m] <== RequireSignedRange(41)(size[m]);

    // Funding settlement, then the tx's change.
    signal payments[M];
    signal sizeChanges[M];
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

}
