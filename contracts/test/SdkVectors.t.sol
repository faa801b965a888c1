// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ZkPerp} from "../src/ZkPerp.sol";
import {IZkPerp} from "../src/interfaces/IZkPerp.sol";
import {Poseidon} from "../src/libraries/Poseidon.sol";
import {SignedField} from "../src/libraries/SignedField.sol";
import {
    AccountPreimage,
    BatchHeader,
    MarketPreimage,
    PositionPreimage,
    StoredBatchInfo,
    ZkPerpParameters
} from "../src/types/ZkPerpTypes.sol";
import {PoseidonDeployer} from "./helpers/PoseidonDeployer.sol";
import {ZkPerpFixture} from "./helpers/ZkPerpFixture.sol";

/// @dev Reads the sdk's committed test vectors (sdk/protocol/vectors/*.json, written by scripts/generate-vectors.ts).
abstract contract SdkVectorsBase is ZkPerpFixture {
    function readVectors(string memory name) internal view returns (string memory) {
        return vm.readFile(string.concat(vm.projectRoot(), "/sdk/protocol/vectors/", name));
    }

    function key(string memory prefix, uint256 index, string memory suffix) internal pure returns (string memory) {
        return string.concat(prefix, "[", Strings.toString(index), "]", suffix);
    }
}

/// @notice The contract's Poseidon contracts and its exit path hash exactly what the TypeScript sdk hashes.
contract SdkHashVectorsTest is SdkVectorsBase {
    string internal hashes;
    string internal poseidonJson;

    function setUp() public override {
        super.setUp();
        hashes = readVectors("hashes.json");
        poseidonJson = PoseidonDeployer.fixture();
    }

    function u(string memory path) internal view returns (uint256) {
        return vm.parseJsonUint(hashes, path);
    }

    function test_poseidonContracts_MatchSdkVectorsForEveryDeployedArity() public {
        for (uint256 arity = 1; arity <= 8; ++arity) {
            address hasher = PoseidonDeployer.deployArity(poseidonJson, arity);
            for (uint256 large = 0; large < 2; ++large) {
                string memory entry = key(large == 0 ? ".poseidon" : ".poseidonLarge", arity - 1, "");
                uint256[] memory inputs = vm.parseJsonUintArray(hashes, string.concat(entry, ".inputs"));
                assertEq(inputs.length, arity, "arity");
                assertEq(Poseidon.hash(hasher, inputs), u(string.concat(entry, ".output")), "poseidon output");
            }
        }
    }

    function hasher(uint256 arity) internal returns (address) {
        return PoseidonDeployer.deployArity(poseidonJson, arity);
    }

    function test_emptyRootsAndPositionsHash_MatchSdkVectors() public {
        // Empty subtree roots E(k+1) = H(Ek, Ek, Ek, Ek).
        address four = hasher(4);
        uint256[] memory emptyRoots = vm.parseJsonUintArray(hashes, ".emptyRoots");
        for (uint256 k = 0; k + 1 < emptyRoots.length; ++k) {
            assertEq(Poseidon.hash(four, _repeat(emptyRoots[k], 4)), emptyRoots[k + 1], "empty root");
        }
        // Positions: the words (signed size and funding index offset into one field element) and their hash.
        int256[] memory sizes = vm.parseJsonIntArray(hashes, ".positions.sizes");
        int256[] memory settled = vm.parseJsonIntArray(hashes, ".positions.fundingIndicesAtLastSettle");
        uint256[] memory words = vm.parseJsonUintArray(hashes, ".positions.words");
        for (uint256 m = 0; m < MARKETS; ++m) {
            assertEq(SignedField.positionWord(sizes[m], settled[m]), words[m], "position word");
        }
        assertEq(Poseidon.hash(hasher(2), words), u(".positions.hash"), "positionsHash");
    }

    function test_marketLeavesAndMarketsHash_MatchSdkVectors() public {
        address two = hasher(2);
        address six = hasher(6);
        uint256[] memory marketLeaves = new uint256[](MARKETS);
        for (uint256 m = 0; m < MARKETS; ++m) {
            string memory market = key(".markets", m, "");
            assertEq(
                Poseidon.hash2(two, u(string.concat(market, ".oracleKeyX")), u(string.concat(market, ".oracleKeyY"))),
                u(string.concat(market, ".oracleKeyHash")),
                "oracleKeyHash"
            );
            uint256[] memory inputs = new uint256[](6);
            inputs[0] = u(string.concat(market, ".oraclePrice"));
            inputs[1] = u(string.concat(market, ".oracleTime"));
            inputs[2] = SignedField.toField(vm.parseJsonInt(hashes, string.concat(market, ".fundingIndex")));
            inputs[3] = u(string.concat(market, ".lastFundingTime"));
            inputs[4] = u(string.concat(market, ".openInterest"));
            inputs[5] = u(string.concat(market, ".paramsHash"));
            assertEq(inputs[2], u(string.concat(market, ".fundingIndexField")), "signed field encoding");
            marketLeaves[m] = Poseidon.hash(six, inputs);
            assertEq(marketLeaves[m], u(string.concat(market, ".leaf")), "market leaf");
        }
        assertEq(Poseidon.hash(two, marketLeaves), u(".marketsHash"), "marketsHash");
        assertEq(
            Poseidon.hash2(two, u(".stateRoot.accountsRoot"), u(".stateRoot.marketsHash")), u(".stateRoot.root"), "state root"
        );
    }

    function test_accountLeaf_MatchesSdkVectorWithNegativeCollateral() public {
        uint256[] memory account = new uint256[](7);
        account[0] = u(".account.publicKeyX");
        account[1] = u(".account.publicKeyY");
        account[2] = u(".account.owner");
        account[3] = SignedField.toField(vm.parseJsonInt(hashes, ".account.collateral"));
        account[4] = u(".account.mode");
        account[5] = u(".account.positionsHash");
        account[6] = u(".account.ordersRoot");
        assertEq(account[3], u(".account.collateralField"), "collateral field");
        assertEq(Poseidon.hash(hasher(7), account), u(".account.leaf"), "account leaf");
    }

    /// @dev The signed messages whose arity has a deployed contract: domain (2), oracle price (5), withdraw (7),
    /// transfer (8). The order message (9 inputs) has none.
    function test_messageHashes_MatchSdkVectors() public {
        uint256 domain = u(".domain.hash");
        uint256 rollup = uint160(vm.parseJsonAddress(hashes, ".domain.rollupAddress"));
        assertEq(Poseidon.hash2(hasher(2), u(".domain.chainId"), rollup), domain, "domain");
        uint256[] memory oracle = new uint256[](5);
        (oracle[0], oracle[1], oracle[2], oracle[3], oracle[4]) =
            (4, domain, u(".oraclePrice.market"), u(".oraclePrice.price"), u(".oraclePrice.timestamp"));
        assertEq(Poseidon.hash(hasher(5), oracle), u(".oraclePrice.hash"), "oracle price message");
        uint256[] memory withdrawal = new uint256[](7);
        (withdrawal[0], withdrawal[1], withdrawal[2], withdrawal[3]) =
            (2, domain, u(".withdraw.accountIndex"), u(".withdraw.amount"));
        (withdrawal[4], withdrawal[5], withdrawal[6]) =
            (u(".withdraw.to"), u(".withdraw.storageId"), u(".withdraw.validUntil"));
        assertEq(Poseidon.hash(hasher(7), withdrawal), u(".withdraw.hash"), "withdraw message");
        uint256[] memory transfer = new uint256[](8);
        (transfer[0], transfer[1], transfer[2], transfer[3]) =
            (3, domain, u(".transfer.fromIndex"), u(".transfer.toIndex"));
        (transfer[4], transfer[5], transfer[6], transfer[7]) =
            (u(".transfer.amount"), u(".transfer.targetMode"), u(".transfer.storageId"), u(".transfer.validUntil"));
        assertEq(Poseidon.hash(hasher(8), transfer), u(".transfer.hash"), "transfer message");
    }

    /// @dev The contract's own exit path (leaf, positions, markets, quaternary path, state root) reaches the sdk's
    /// test-size state root from the sdk's account preimage, and values the account as the sdk would.
    function test_exit_ReachesTheSdkStateRootAndValuesTheAccount() public {
        bytes32 root = bytes32(u(".stateRoot.root"));
        perp = deployPerp(address(token), root);
        lastBatch = StoredBatchInfo(0, GENESIS_TIME, root, 0);
        depositNew(ALICE, 1); // a priority op nobody processes
        vm.warp(block.timestamp + PRIORITY_DEADLINE + 1);
        perp.activateExodus();

        (AccountPreimage memory account, MarketPreimage[] memory markets, uint256[3][] memory siblings, int256 equity) =
            exitPreimage();
        vm.expectEmit();
        emit IZkPerp.AccountExited(2, account.owner, equity, 0); // the contract holds only the unprocessed deposit
        perp.exit(lastBatch, 2, account, markets, siblings);
        assertTrue(perp.exited(2), "exited");
    }

    function test_RevertWhen_ExitPathDiffersFromTheSdkTree() public {
        bytes32 root = bytes32(u(".stateRoot.root"));
        perp = deployPerp(address(token), root);
        lastBatch = StoredBatchInfo(0, GENESIS_TIME, root, 0);
        depositNew(ALICE, 1);
        vm.warp(block.timestamp + PRIORITY_DEADLINE + 1);
        perp.activateExodus();
        (AccountPreimage memory account, MarketPreimage[] memory markets, uint256[3][] memory siblings,) =
            exitPreimage();
        siblings[1][2] += 1;
        vm.expectRevert();
        perp.exit(lastBatch, 2, account, markets, siblings);
    }

    function exitPreimage()
        internal
        view
        returns (AccountPreimage memory account, MarketPreimage[] memory markets, uint256[3][] memory siblings, int256 equity)
    {
        assertEq(u(".accountsTree.depth"), ACCOUNT_DEPTH, "depth");
        assertEq(u(".accountsTree.index"), 2, "index");
        account.publicKeyX = u(".account.publicKeyX");
        account.publicKeyY = u(".account.publicKeyY");
        account.owner = address(uint160(u(".account.owner")));
        account.collateral = vm.parseJsonInt(hashes, ".account.collateral");
        account.mode = u(".account.mode");
        account.ordersRoot = u(".account.ordersRoot");
        int256[] memory sizes = vm.parseJsonIntArray(hashes, ".positions.sizes");
        int256[] memory settled = vm.parseJsonIntArray(hashes, ".positions.fundingIndicesAtLastSettle");
        account.positions = new PositionPreimage[](MARKETS);
        markets = new MarketPreimage[](MARKETS);
        equity = account.collateral;
        for (uint256 m = 0; m < MARKETS; ++m) {
            account.positions[m] = PositionPreimage(sizes[m], settled[m]);
            string memory market = key(".markets", m, "");
            markets[m] = MarketPreimage({
                oraclePrice: u(string.concat(market, ".oraclePrice")),
                oracleTime: u(string.concat(market, ".oracleTime")),
                fundingIndex: vm.parseJsonInt(hashes, string.concat(market, ".fundingIndex")),
                lastFundingTime: u(string.concat(market, ".lastFundingTime")),
                openInterest: u(string.concat(market, ".openInterest")),
                paramsHash: u(string.concat(market, ".paramsHash"))
            });
            equity += sizes[m] * int256(markets[m].oraclePrice) - sizes[m] * (markets[m].fundingIndex - settled[m]);
        }
        uint256[] memory flat = vm.parseJsonUintArray(hashes, ".accountsTree.siblings");
        siblings = new uint256[3][](ACCOUNT_DEPTH);
        for (uint256 level = 0; level < ACCOUNT_DEPTH; ++level) {
            siblings[level] = [flat[3 * level], flat[3 * level + 1], flat[3 * level + 2]];
        }
    }

    function _repeat(uint256 value, uint256 count) private pure returns (uint256[] memory values) {
        values = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            values[i] = value;
        }
    }
}

/// @notice The contract's commitment and pubdata walker agree with the sdk codec on the committed batches.
contract SdkPubdataVectorsTest is SdkVectorsBase {
    string internal pubdataJson;

    function setUp() public override {
        super.setUp();
        pubdataJson = readVectors("pubdata.json");
    }

    function u(string memory path) internal view returns (uint256) {
        return vm.parseJsonUint(pubdataJson, path);
    }

    /// @dev A ZkPerp on the sizes a vector batch names, with genesis at the batch's old root.
    function deployFor(string memory batch) internal returns (ZkPerp deployed) {
        ZkPerpParameters memory params = parameters(address(token), bytes32(u(string.concat(batch, ".oldStateRoot"))));
        params.batchSlots = uint32(u(string.concat(batch, ".batchSlots")));
        if (vm.keyExistsJson(pubdataJson, string.concat(batch, ".accountDepth"))) {
            params.accountDepth = uint8(u(string.concat(batch, ".accountDepth")));
            params.markets = uint8(u(string.concat(batch, ".markets")));
            params.poseidon = PoseidonDeployer.deployHashers(params.markets);
        }
        deployed = new ZkPerp(params);
        lastBatch = StoredBatchInfo(0, GENESIS_TIME, bytes32(u(string.concat(batch, ".oldStateRoot"))), 0);
    }

    function test_batchCommitment_EqualsTheSdkCommitmentOfTheMixedBatch() public {
        ZkPerp mixed = deployFor(".batch");
        bytes32 oldRoot = bytes32(u(".batch.oldStateRoot"));
        bytes32 newRoot = bytes32(u(".batch.newStateRoot"));
        uint64 timestamp = uint64(u(".batch.batchTimestamp"));
        uint256 expected = u(".batch.commitment");
        bytes memory calldata_ = vm.parseJsonBytes(pubdataJson, ".batch.calldata");
        bytes memory padded = vm.parseJsonBytes(pubdataJson, ".batch.pubdata");
        assertTrue(calldata_.length < padded.length, "trimmed");
        assertEq(mixed.batchCommitment(oldRoot, newRoot, timestamp, calldata_), expected, "trimmed calldata");
        assertEq(mixed.batchCommitment(oldRoot, newRoot, timestamp, padded), expected, "padded pubdata");
        assertTrue(mixed.batchCommitment(oldRoot, newRoot, timestamp + 1, calldata_) != expected, "binds T");
    }

    function test_submitBatch_AcceptsTheSdkL1BatchAgainstARealQueue() public {
        perp = deployFor(".l1Batch");
        uint256 queued = _queueFromVectors();
        assertEq(perp.priorityTail(), queued, "queue built");
        assertEq(perp.totalUnprocessedDeposits(), u(".l1Batch.deposited"), "deposits pending");

        bytes memory calldata_ = vm.parseJsonBytes(pubdataJson, ".l1Batch.calldata");
        assertTrue(calldata_.length < vm.parseJsonBytes(pubdataJson, ".l1Batch.pubdata").length, "trimmed");
        BatchHeader memory batchHeader = BatchHeader(
            1, uint64(u(".l1Batch.batchTimestamp")), bytes32(u(".l1Batch.newStateRoot"))
        );
        // The verifier double accepts only the sdk's commitment: the contract must recompute exactly it.
        verifier.expect(u(".l1Batch.commitment"), proofTag);
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, calldata_, proof());

        assertEq(perp.lastBatchNumber(), 1, "accepted");
        assertEq(perp.priorityHead(), queued, "every priority record consumed");
        assertEq(perp.totalUnprocessedDeposits(), 0, "deposits processed");
        uint256 withdrawn = u(".l1Batch.withdrawn");
        assertEq(perp.provenCollateral(), u(".l1Batch.deposited") - withdrawn, "proven collateral");
        assertEq(perp.totalPendingWithdrawals(), withdrawn, "pending total");
        uint256 credits = _length(".l1Batch.credits");
        assertTrue(credits >= 2, "credits listed");
        for (uint256 i = 0; i < credits; ++i) {
            address to = address(uint160(u(key(".l1Batch.credits", i, ".to"))));
            assertEq(perp.pendingWithdrawals(to), u(key(".l1Batch.credits", i, ".amount")), "credited as the sdk says");
        }
    }

    function test_RevertWhen_TheSdkL1BatchMeetsAQueueWithAnotherRequestedAmount() public {
        // The same history, except that the last forced withdrawal asked for 1 unit more than its record says.
        perp = deployFor(".l1Batch");
        uint256 entries = _queueLength();
        for (uint256 i = 0; i < entries; ++i) {
            _queueEntry(i, i + 1 == entries ? 1 : 0);
        }
        string[] memory types = vm.parseJsonStringArray(pubdataJson, ".l1Batch.types");
        uint256 offset;
        uint256 lastForced;
        for (uint256 i = 0; i < types.length; ++i) {
            if (keccak256(bytes(types[i])) == keccak256("forcedWithdrawal")) lastForced = offset;
            offset += 32 * u(key(".l1Batch.records", i, ".chunks"));
        }
        bytes memory calldata_ = vm.parseJsonBytes(pubdataJson, ".l1Batch.calldata");
        BatchHeader memory batchHeader = BatchHeader(1, uint64(u(".l1Batch.batchTimestamp")), bytes32(u(".l1Batch.newStateRoot")));
        verifier.expect(u(".l1Batch.commitment"), proofTag);
        vm.expectRevert(abi.encodeWithSelector(IZkPerp.PriorityRecordMismatch.selector, entries - 1, lastForced));
        vm.prank(OPERATOR);
        perp.submitBatch(lastBatch, batchHeader, calldata_, proof());
    }

    /// @dev How many entries a JSON array at `path` has (typed parsers take no wildcards).
    function _length(string memory path) internal view returns (uint256 count) {
        while (vm.keyExistsJson(pubdataJson, key(path, count, ""))) ++count;
    }

    function _queueLength() internal view returns (uint256) {
        return _length(".l1Batch.queue");
    }

    function _queueFromVectors() internal returns (uint256 entries) {
        entries = _queueLength();
        for (uint256 i = 0; i < entries; ++i) {
            _queueEntry(i, 0);
        }
    }

    /// @dev Makes the L1 call queue entry `i` describes, as its caller, and checks what the contract queued.
    function _queueEntry(uint256 i, uint256 extraRequested) internal {
        string memory entry = key(".l1Batch.queue", i, "");
        string memory call = vm.parseJsonString(pubdataJson, string.concat(entry, ".call"));
        address caller = address(uint160(u(string.concat(entry, ".caller"))));
        uint32 accountIndex = uint32(u(string.concat(entry, ".accountIndex")));
        uint256 amount = u(string.concat(entry, ".amount"));
        bytes32 call_ = keccak256(bytes(call));
        if (call_ == keccak256("requestForcedWithdrawal")) {
            vm.prank(caller);
            perp.requestForcedWithdrawal(accountIndex, amount + extraRequested);
            return;
        }
        fund(caller, amount);
        vm.prank(caller);
        if (call_ == keccak256("depositNewAccount")) {
            (uint32 assigned,) = perp.depositNewAccount(
                address(uint160(u(string.concat(entry, ".owner")))),
                u(string.concat(entry, ".publicKeyX")),
                u(string.concat(entry, ".publicKeyY")),
                u(string.concat(entry, ".mode")),
                amount
            );
            assertEq(assigned, accountIndex, "index assigned in queue order");
        } else {
            assertEq(call_, keccak256("depositTo"), "known call");
            perp.depositTo(accountIndex, amount);
        }
        (bytes24 recordHash,) = perp.priorityOps(uint64(i));
        bytes memory record = vm.parseJsonBytes(pubdataJson, string.concat(entry, ".record"));
        assertEq(bytes32(recordHash), bytes32(bytes24(keccak256(record))), "queued the sdk record");
    }
}
