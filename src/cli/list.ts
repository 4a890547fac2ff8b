/** `octolab list`: the experiments, methods, quantizer presets and protocols octolab knows. */
import { EXPERIMENTS } from '../experiments/config';
import { MODEL_DESCRIPTIONS } from '../models/models';
import { PRESETS } from '../quantizers';
import { PROTOCOL_DEFINITIONS } from '../training/protocols';
import type { Command } from './main';

/** The `list` command. */
export const listCommand: Command = {
  summary: 'list experiments, methods (quantizer presets) and training protocols',
  async run(args) {
    if (args.includes('--json')) {
      console.log(JSON.stringify({ experiments: EXPERIMENTS, presets: PRESETS, protocols: PROTOCOL_DEFINITIONS, models: MODEL_DESCRIPTIONS }, null, 2));
      return 0;
    }
    console.log('Experiments:');
    for (const e of Object.values(EXPERIMENTS)) {
      console.log(`  ${e.name.padEnd(12)} ${e.model}, ${e.epochs} epochs; default methods ${e.methods.join(', ')}`);
      console.log(`  ${''.padEnd(12)} ${e.description}`);
    }
    console.log('\nMethods: float (no quantization) or one of the quantizer presets:');
    for (const [name, s] of Object.entries(PRESETS)) {
      const g = typeof s.granularity === 'string' ? s.granularity : `per-channel(axis ${s.granularity.axis})`;
      console.log(`  ${name.padEnd(18)} bits ${s.bits}, scale ${s.scale}, rounding ${s.rounding}, encoding ${s.encoding}, ${g}`);
    }
    console.log('\nProtocols:');
    for (const [name, d] of Object.entries(PROTOCOL_DEFINITIONS)) console.log(`  ${name.padEnd(18)} ${d}`);
    return 0;
  },
};
