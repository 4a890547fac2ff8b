/**
 * Canonical SHA-256 of every reference data file, and the check that a file
 * read from disk is one of them.
 *
 * Keys are paths relative to the data directory in the canonical layout
 * (`mnist/…`, `cifar-10/cifar-10-batches-bin/…`). MNIST has two entries per
 * file: the `.gz` as distributed and the decompressed IDX file (for users
 * who keep the files uncompressed). Values are from the published canonical
 * releases (MNIST: LeCun et al.; CIFAR-10: Krizhevsky's binary version).
 */

import type { DataFile } from './types';

/** Expected SHA-256 (lower-case hex) per canonical relative path. */
export type ChecksumTable = Readonly<Record<string, string>>;

/** The canonical release: SHA-256 of every MNIST and CIFAR-10 file octolab reads. */
export const CANONICAL_SHA256: ChecksumTable = Object.freeze({
  'mnist/train-images-idx3-ubyte.gz': '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  'mnist/train-labels-idx1-ubyte.gz': '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
  'mnist/t10k-images-idx3-ubyte.gz': '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
  'mnist/t10k-labels-idx1-ubyte.gz': 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  'mnist/train-images-idx3-ubyte': 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  'mnist/train-labels-idx1-ubyte': '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  'mnist/t10k-images-idx3-ubyte': '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  'mnist/t10k-labels-idx1-ubyte': 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  'cifar-10/cifar-10-batches-bin/data_batch_1.bin': 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
  'cifar-10/cifar-10-batches-bin/data_batch_2.bin': 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
  'cifar-10/cifar-10-batches-bin/data_batch_3.bin': 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
  'cifar-10/cifar-10-batches-bin/data_batch_4.bin': '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
  'cifar-10/cifar-10-batches-bin/data_batch_5.bin': '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
  'cifar-10/cifar-10-batches-bin/test_batch.bin': '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
  'cifar-10/cifar-10-batches-bin/batches.meta.txt': '558e74b5e208382e186da55784b4bac2cd52e558448e1b5800990fdb28ed8033',
});

/** Canonical sizes in bytes, used in messages that tell a user which file to fetch. */
export const CANONICAL_BYTES: Readonly<Record<string, number>> = Object.freeze({
  'mnist/train-images-idx3-ubyte.gz': 9912422,
  'mnist/train-labels-idx1-ubyte.gz': 28881,
  'mnist/t10k-images-idx3-ubyte.gz': 1648877,
  'mnist/t10k-labels-idx1-ubyte.gz': 4542,
  'mnist/train-images-idx3-ubyte': 47040016,
  'mnist/train-labels-idx1-ubyte': 60008,
  'mnist/t10k-images-idx3-ubyte': 7840016,
  'mnist/t10k-labels-idx1-ubyte': 10008,
  'cifar-10/cifar-10-batches-bin/data_batch_1.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/data_batch_2.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/data_batch_3.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/data_batch_4.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/data_batch_5.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/test_batch.bin': 30730000,
  'cifar-10/cifar-10-batches-bin/batches.meta.txt': 61,
});

/** One file to check: what was read, and which table entry it must equal. */
export interface ChecksumCheck {
  /** The file as read (its `sha256` is compared). */
  file: DataFile;
  /** Key into the checksum table, e.g. `mnist/train-images-idx3-ubyte.gz`. */
  key: string;
  /** Absolute path, for the error message (defaults to `file.path`). */
  absolutePath?: string;
}

/**
 * Throws unless `check.file.sha256` equals `table[check.key]`. The message
 * names the file, the expected and the actual hash. A key missing from the
 * table is an error too (a file that cannot be verified is not accepted as
 * verified).
 */
export function verifyChecksum(check: ChecksumCheck, table: ChecksumTable = CANONICAL_SHA256): void {
  const where = check.absolutePath ?? check.file.path;
  const expected = table[check.key];
  if (expected === undefined) {
    throw new Error(`checksum table has no entry for '${check.key}' (file ${where}); cannot verify it`);
  }
  if (expected.toLowerCase() !== check.file.sha256.toLowerCase()) {
    throw new Error(
      `checksum mismatch for ${where} (${check.key}): expected SHA-256 ${expected}, got ${check.file.sha256} ` +
        `(${check.file.bytes} bytes). The file is not the canonical release: delete or replace it ` +
        `(octolab downloads the canonical file unless --no-download); only the library API can load it anyway ` +
        `(loadDataset with verify: false, which records the hash instead of checking it).`,
    );
  }
}

/** Checks several files (see {@link verifyChecksum}); throws on the first mismatch. */
export function verifyChecksums(checks: ChecksumCheck[], table: ChecksumTable = CANONICAL_SHA256): void {
  for (const c of checks) verifyChecksum(c, table);
}
