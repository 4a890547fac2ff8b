/**
 * Notebook 07's view of the mechanism evidence and the sweeps: the same tables, charts and
 * sentences as reports/mechanism.html, from the same analysis.
 */
import * as path from 'node:path';
import type { RunRecord } from '../experiments/record';
import { OPERATING_POINT, TORCH_FOLDER, mechanismInputs } from '../reports/build';
import type { EvidencePoint } from '../reports/build';
import type { ChartSpec } from '../reports/charts';
import { boundarySentences, causalSentence, mechanismCharts, repeatSentences, whySentences } from '../reports/mechanism';
import type { MechanismPageArgs } from '../reports/mechanism';
import { causalClaimsView, escapeView, evidenceView, layerView, repeatsView, sweepCellsView } from '../views/mechanism';
import type { ViewTable } from '../views/table';
import { loadStoredResults } from './results';

/** The mechanism views of stored results, or the reason there are none. */
export type MechanismViews =
  | {
      status: 'found';
      inputs: MechanismPageArgs;
      why: string[];
      causal: string | null;
      boundary: string[];
      repeats: string[];
      tables: Record<'evidence' | 'claims' | 'layers' | 'escape' | 'cells' | 'repeats', ViewTable>;
      charts: { why: ChartSpec[]; escape: ChartSpec[]; boundary: ChartSpec[] };
    }
  | { status: 'missing'; message: string };

/**
 * Reads `<resultsPath>` (wasm) and `<resultsPath>/torch` and builds every view of the mechanism
 * page, with the evidence read at `at` (default the study's operating point).
 */
export function mechanismViews(resultsPath: string, at: Partial<EvidencePoint> = {}, wasmRecords?: readonly RunRecord[]): MechanismViews {
  const wasm = wasmRecords ?? loadStoredResults(resultsPath).records;
  const torchDir = path.join(resultsPath, TORCH_FOLDER);
  const torch = loadStoredResults(torchDir, undefined, { label: torchDir });
  const inputs = mechanismInputs(resultsPath, wasm, torch.records, { ...OPERATING_POINT, ...at });
  if (inputs === null) return { status: 'missing', message: `no run of the sweep plan in ${torchDir} (${torch.message}); run them with OCTOLAB_BACKEND=torch octolab study --plan sweeps` };
  return {
    status: 'found',
    inputs,
    why: whySentences(inputs.point, inputs.evidence),
    causal: causalSentence(inputs.causal),
    boundary: boundarySentences(inputs.cells, inputs.point.epochs),
    repeats: repeatSentences(inputs.repeats),
    tables: {
      evidence: evidenceView(inputs.evidence),
      claims: causalClaimsView(inputs.causal),
      layers: layerView(inputs.layers),
      escape: escapeView(inputs.escape.map((g) => ({ experiment: `${g.experiment} ${g.epochs} ep (${g.engine})`, evidence: g.evidence }))),
      cells: sweepCellsView(inputs.cells),
      repeats: repeatsView(inputs.repeats),
    },
    charts: mechanismCharts(inputs),
  };
}
