/**
 * Epoch checkpoints of the training loop: everything {@link train} needs to continue
 * a run after a completed epoch so that the resumed run is bit-identical to one that
 * never stopped (weights, optimizer slots, random streams, code-tracking state and
 * the epoch records so far), and a compact binary file layout for them.
 */
import { createHash } from 'node:crypto';
import type { RngState } from '../random/rng';
import type { InitialState } from './initial-state';
import type { EpochRecord } from './train';

/** Optimizer state at an epoch boundary. */
export interface OptimizerState {
  /** Steps the optimizer has taken. */
  iterations: number;
  /** Adam's running powers beta1^t and beta2^t as float32 values (null for SGD). */
  accBeta: [number, number] | null;
  /** Slot variables in the optimizer's own order (Adam: first moments, then second moments). */
  slots: Float32Array[];
  /** Shape of each slot. */
  slotShapes: number[][];
}

/** Code-tracking state of the weight projector at an epoch boundary. */
export interface ProjectorState {
  /** The stochastic-rounding stream. */
  rng: RngState;
  /** Codes after the last tracked step, per trainable tensor. */
  prevStepCodes: (Int32Array | null)[];
  /** Codes at the end of the previous epoch, per trainable tensor. */
  prevEpochCodes: (Int32Array | null)[];
  /** The most recent codes computed (null before any projection). */
  lastCodes: Int32Array[] | null;
}

/** Everything needed to continue training after `epoch` completed epochs. */
export interface TrainCheckpoint {
  /** Completed epochs (1-based count). */
  epoch: number;
  /** Optimizer steps taken so far. */
  steps: number;
  /** Training seconds summed over the completed epochs. */
  trainSeconds: number;
  /** Evaluation seconds summed over the completed epochs. */
  evalSeconds: number;
  /** Records of the completed epochs. */
  records: EpochRecord[];
  /** Values of every model weight (`model.weights` order) as training continues from them. */
  weights: Float32Array[];
  /** Optimizer state. */
  optimizer: OptimizerState;
  /** The data-order stream. */
  dataOrderRng: RngState;
  /** Projector state, or null when the protocol does not quantize. */
  projector: ProjectorState | null;
  /** The run's epoch-0 state (absent in checkpoints written before it was kept). */
  initial?: InitialState | null;
}

const MAGIC = 'OCTOLAB-CKPT\n';
/** Format 2 ends with a SHA-256 of everything before it; format 1 (no checksum) is not read any more. */
const FORMAT = 2;
const CHECKSUM_BYTES = 32;

type TypedRef = { $typed: 'f32' | 'i32'; index: number; length: number };

/**
 * Encodes a checkpoint and a JSON-serialisable `meta` object as one buffer:
 * a magic line, a 4-byte header length, a JSON header, the raw typed arrays, and
 * the SHA-256 of all of that (so any damaged bit is found on reading).
 */
export function encodeCheckpoint(checkpoint: TrainCheckpoint, meta: Record<string, unknown>): Buffer {
  const arrays: (Float32Array | Int32Array)[] = [];
  const header = JSON.stringify({ format: FORMAT, meta, checkpoint }, (_key, value: unknown) => {
    if (value instanceof Float32Array || value instanceof Int32Array) {
      arrays.push(value);
      const ref: TypedRef = { $typed: value instanceof Float32Array ? 'f32' : 'i32', index: arrays.length - 1, length: value.length };
      return ref;
    }
    return value;
  });
  const head = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length, 0);
  const blobs = arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const body = Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, head, ...blobs]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Decodes {@link encodeCheckpoint}'s buffer; `source` names the file in errors. */
export function decodeCheckpoint(file: Buffer, source: string): { checkpoint: TrainCheckpoint; meta: Record<string, unknown> } {
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${source}: ${why}`);
  };
  let buf = file;
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) fail('not an octolab checkpoint (bad magic)');
  if (buf.length < MAGIC.length + 4 + CHECKSUM_BYTES) fail(`${buf.length} bytes is too short for a checkpoint; the file is truncated`);
  const end = buf.length - CHECKSUM_BYTES;
  const digest = createHash('sha256').update(buf.subarray(0, end)).digest();
  if (!digest.equals(buf.subarray(end))) fail('SHA-256 checksum mismatch: the file is damaged or truncated (or of an older format)');
  buf = buf.subarray(0, end);
  const headLen = buf.readUInt32LE(MAGIC.length);
  const headStart = MAGIC.length + 4;
  if (headStart + headLen > buf.length) fail(`header length ${headLen} runs past the end of the file (${buf.length} bytes)`);
  let offset = headStart + headLen;
  const refs: TypedRef[] = [];
  let parsed: { format?: unknown; meta?: unknown; checkpoint?: unknown };
  try {
    parsed = JSON.parse(buf.toString('utf8', headStart, headStart + headLen), (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && '$typed' in value) {
        const ref = value as TypedRef;
        refs.push(ref);
        return ref;
      }
      return value;
    }) as typeof parsed;
  } catch (err) {
    return fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (parsed.format !== FORMAT) fail(`format ${String(parsed.format)} (expected ${FORMAT})`);
  // Arrays were written in index order; rebuild them from the blob in that order.
  const arrays: (Float32Array | Int32Array)[] = [];
  for (const ref of [...refs].sort((a, b) => a.index - b.index)) {
    const bytes = ref.length * 4;
    if (ref.index !== arrays.length) fail(`array ${ref.index} is out of order`);
    if (offset + bytes > buf.length) fail(`array ${ref.index} (${ref.length} values) runs past the end of the file; the file is truncated`);
    const copy = new Uint8Array(bytes);
    buf.copy(copy, 0, offset, offset + bytes);
    arrays.push(ref.$typed === 'f32' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer));
    offset += bytes;
  }
  if (offset !== buf.length) fail(`${buf.length - offset} unexpected trailing bytes`);
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (value !== null && typeof value === 'object') {
      if ('$typed' in value) return arrays[(value as TypedRef).index];
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v)]));
    }
    return value;
  };
  const checkpoint = restore(parsed.checkpoint) as TrainCheckpoint;
  if (checkpoint === null || typeof checkpoint !== 'object' || !Number.isInteger(checkpoint.epoch) || !Array.isArray(checkpoint.weights)) {
    fail('missing checkpoint fields (epoch, weights)');
  }
  const meta = parsed.meta;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) fail('missing meta object');
  return { checkpoint, meta: meta as Record<string, unknown> };
}
