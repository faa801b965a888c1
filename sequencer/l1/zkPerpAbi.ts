/**
 * The part of ZkPerp's ABI the sequencer's L1 side calls, as a typed constant (viem infers argument and event types
 * from it), plus every custom error of the contract so any revert decodes to its name and values. Written here
 * rather than read from contracts/out at run time so the sequencer runs without a forge build; `zkPerpAbi.test.ts`
 * checks every entry against the compiled artifact, so the two cannot drift apart silently.
 */
import { parseAbi } from 'viem'

export const zkPerpAbi = parseAbi([
  'struct StoredBatchInfo { uint64 batchNumber; uint64 timestamp; bytes32 stateRoot; uint256 commitment; }',
  'struct BatchHeader { uint64 batchNumber; uint64 timestamp; bytes32 newStateRoot; }',
  'struct Proof { uint256[2] a; uint256[2][2] b; uint256[2] c; }',

  // ---------------------------------------------------------------- functions
  'function submitBatch(StoredBatchInfo lastBatch, BatchHeader header, bytes pubdata, Proof proof)',
  'function batchCommitment(bytes32 oldStateRoot, bytes32 newStateRoot, uint64 batchTimestamp, bytes pubdata) view returns (uint256)',
  'function depositNewAccount(address owner, uint256 publicKeyX, uint256 publicKeyY, uint256 mode, uint256 amount) returns (uint32 accountIndex, uint64 priorityIndex)',
  'function depositTo(uint32 accountIndex, uint256 amount) returns (uint64 priorityIndex)',
  'function requestForcedWithdrawal(uint32 accountIndex, uint256 amount) returns (uint64 priorityIndex)',
  'function withdraw(address to) returns (uint256 amount)',
  'function activateExodus()',
  'function refundDeposit(uint64 priorityIndex, bytes record) returns (uint256 amount)',
  'function lastBatchHash() view returns (bytes32)',
  'function lastBatchNumber() view returns (uint64)',
  'function priorityHead() view returns (uint64)',
  'function priorityTail() view returns (uint64)',
  'function priorityOps(uint64 priorityIndex) view returns (bytes24 recordHash, uint64 deadline)',
  'function PRIORITY_DEADLINE() view returns (uint256)',
  'function nextAccountIndex() view returns (uint32)',
  'function exodusActive() view returns (bool)',
  'function pendingWithdrawals(address owner) view returns (uint256)',
  'function BATCH_SLOTS() view returns (uint256)',
  'function OPERATOR() view returns (address)',
  'function TOKEN() view returns (address)',

  // ---------------------------------------------------------------- events
  'event GenesisInitialized(bytes32 stateRoot, uint64 timestamp, bytes32 storedBatchHash)',
  'event DepositQueued(uint64 indexed priorityIndex, uint32 indexed accountIndex, address indexed depositor, uint256 amount, uint64 deadline, bytes record)',
  'event AccountRegistered(uint32 indexed accountIndex, address indexed owner, uint256 publicKeyX, uint256 publicKeyY, uint256 mode)',
  'event ForcedWithdrawalRequested(uint64 indexed priorityIndex, uint32 indexed accountIndex, address indexed requester, uint256 amount, uint64 deadline)',
  'event BatchVerified(uint64 indexed batchNumber, bytes32 newStateRoot, uint64 timestamp, uint256 commitment, uint64 priorityOpsProcessed)',
  'event WithdrawalCredited(address indexed to, uint256 amount)',
  'event Withdrawn(address indexed owner, address indexed to, uint256 amount)',

  // ---------------------------------------------------------------- errors (all of ZkPerp's)
  'error AccountAlreadyExited(uint32 accountIndex)',
  'error AccountIndexOutOfRange(uint32 accountIndex, uint256 capacity)',
  'error BatchNumberMismatch(uint64 expected, uint64 supplied)',
  'error DepositRecordMismatch(uint64 priorityIndex)',
  'error ExitProofInvalid(bytes32 computedRoot, bytes32 provenRoot)',
  'error ExodusActive()',
  'error ExodusNotActive()',
  'error ForcedWithdrawalAboveRequest(uint256 offset, uint256 withdrawn, uint256 requestedAmount)',
  'error InvalidConfiguration(uint256 which)',
  'error InvalidDepositAmount(uint256 received)',
  'error InvalidForcedWithdrawalAmount(uint256 requestedAmount, uint256 maxAmount)',
  'error InvalidMarginMode(uint256 mode, uint256 markets)',
  'error InvalidOwner(address owner)',
  'error InvalidProof()',
  'error InvalidPubdataLength(uint256 length, uint256 maxLength)',
  'error L1AccountRangeFull(uint256 firstL2AccountIndex)',
  'error NoExpiredPriorityOp(uint64 priorityIndex, uint64 deadline, uint256 blockTimestamp)',
  'error NotADeposit(uint64 priorityIndex)',
  'error NotOperator(address caller)',
  'error NothingToWithdraw(address owner)',
  'error PoseidonHashFailed(address hasher, uint256 arity)',
  'error PreimageLengthMismatch(uint256 what, uint256 supplied, uint256 expected)',
  'error PreimageValueOutOfRange(uint256 what, uint256 index)',
  'error PriorityOpNotPending(uint64 priorityIndex)',
  'error PriorityQueueExhausted(uint256 offset)',
  'error PriorityRecordMismatch(uint64 priorityIndex, uint256 offset)',
  'error PubdataTruncated(uint256 offset)',
  'error PublicKeyNotOnCurve(uint256 x, uint256 y)',
  'error ReentrancyGuardReentrantCall()',
  'error SafeERC20FailedOperation(address token)',
  'error StoredBatchMismatch(bytes32 storedHash, bytes32 suppliedHash)',
  'error SystemAccountCannotExit(uint32 accountIndex)',
  'error TimestampBeforeLastBatch(uint64 timestamp, uint64 lastTimestamp)',
  'error TimestampTooFarAhead(uint64 timestamp, uint256 latestAllowed)',
  'error UnknownAccount(uint32 accountIndex, uint32 nextAccountIndex)',
  'error UnknownTxType(uint256 offset, uint256 txType)',
  'error WithdrawalsExceedCollateral(uint256 withdrawn, uint256 provenCollateral)',
])

export type ZkPerpAbi = typeof zkPerpAbi
