/**
 * One entry point for the experiment runner: load any dataset by name from a
 * plain options object.
 */

import type { ChecksumTable } from './checksums';
import { type Cifar10Split, loadCifar10 } from './cifar10';
import type { DownloadArgs } from './download';
import { loadMnist } from './mnist';
import { makeRegression, type RegressionArgs } from './regression';
import type { Dataset, DatasetName } from './types';

/** Every dataset name, for validating user input. */
export const DATASET_NAMES: readonly DatasetName[] = Object.freeze(['regression', 'mnist', 'cifar10'] as DatasetName[]);

/**
 * Options of {@link loadDataset}: the name plus whatever the chosen loader
 * needs. File options are ignored by `regression`; `regression` options are
 * ignored by the file datasets.
 */
export interface DatasetArgs extends DownloadArgs {
  /** Which dataset. */
  name: DatasetName;
  /** Data directory for MNIST / CIFAR-10 (see `resolveDataDir`). */
  dataDir?: string;
  /** Keep only the first N training examples. */
  limitTrain?: number | null;
  /** Keep only the first N test examples. */
  limitTest?: number | null;
  /** Train/test split: `standard` (default) for every dataset; `train1-4/test5` for CIFAR-10 only. */
  split?: Cifar10Split;
  /** Example shape: `flat` or `image`. Default `flat` for MNIST, `image` for CIFAR-10; regression is always flat. */
  layout?: 'flat' | 'image';
  /** Check files against the checksum table. Default `true`. */
  verify?: boolean;
  /** Download missing files. Default `false` (the command line passes `true`). */
  download?: boolean;
  /** Checksum table override (default: the canonical release). */
  checksums?: ChecksumTable;
  /** CIFAR-10: accept batch files with other than 10,000 records (fixtures). Default `false`. */
  allowPartialBatches?: boolean;
  /** Generator parameters for `regression` (its own `limitTrain`/`limitTest` must agree with the ones above if both are set). */
  regression?: RegressionArgs;
}

function mergedLimit(name: string, top: number | null | undefined, inner: number | null | undefined): number | null | undefined {
  if (top === undefined || top === null) return inner;
  if (inner !== undefined && inner !== null && inner !== top) {
    throw new Error(`${name} given twice with different values: ${top} and regression.${name} ${inner}`);
  }
  return top;
}

/** Loads a dataset from `args` (whose `name` picks the loader). */
export function loadDataset(args: DatasetArgs): Promise<Dataset>;
/** Loads the dataset `name` with the options `args`. */
export function loadDataset(name: DatasetName, args?: Omit<DatasetArgs, 'name'>): Promise<Dataset>;
export async function loadDataset(nameOrArgs: DatasetName | DatasetArgs, maybeArgs?: Omit<DatasetArgs, 'name'>): Promise<Dataset> {
  const args: DatasetArgs = typeof nameOrArgs === 'string' ? { ...(maybeArgs ?? {}), name: nameOrArgs } : nameOrArgs;
  const { name } = args;
  if (!DATASET_NAMES.includes(name)) {
    throw new Error(`unknown dataset '${String(name)}'; expected one of ${DATASET_NAMES.join(', ')}`);
  }
  if (args.split !== undefined && args.split !== 'standard' && name !== 'cifar10') {
    throw new Error(`split '${args.split}' applies only to cifar10; ${name} has only the 'standard' split`);
  }
  switch (name) {
    case 'regression': {
      if (args.layout === 'image') throw new Error(`layout 'image' does not apply to the regression dataset`);
      const r = args.regression ?? {};
      return makeRegression({
        ...r,
        limitTrain: mergedLimit('limitTrain', args.limitTrain, r.limitTrain),
        limitTest: mergedLimit('limitTest', args.limitTest, r.limitTest),
      });
    }
    case 'mnist':
      return loadMnist({ ...args, layout: args.layout ?? 'flat' });
    case 'cifar10':
      return loadCifar10({ ...args, layout: args.layout ?? 'image' });
  }
}
