/**
 * `octolab quantize`: quantizes numbers given on the command line with a quantizer
 * preset and prints, per value, the input, the code and the dequantized value.
 */
import { parseArgs } from 'node:util';
import { intToOctal } from '../quantizers/octal';
import { PRESET_DESCRIPTIONS, PRESET_NAMES, getPreset } from '../quantizers/presets';
import { dequantize, quantize } from '../quantizers/quantize';
import { MAX_BITS, MIN_BITS, describeScheme, withBits } from '../quantizers/scheme';
import { Rng } from '../random/rng';
import type { Command } from './main';
import { UsageError } from './main';

const HELP = `Usage: octolab quantize [options] <value>...

Quantizes each value with a quantizer preset and prints the value, its code
(an octal string for octal encodings, an integer otherwise) and the dequantized
value (float32). Values are multiplied as float64, like the study's Python
float_to_quantized/float_to_octal; calibrated presets (absmax, minmax) take
their scale from all values given, as one tensor.

Options:
  --scheme NAME   quantizer preset (default standard)
  --bits N        bit width, ${MIN_BITS} to ${MAX_BITS} (default 8)
  --seed N        seed for stochastic rounding (default 0)
  --json          print JSON instead of a table
  -h, --help      print this help

Negative values work as they are (-0.3); '--' also ends the options.

Presets:
${PRESET_NAMES.map((n) => `  ${n.padEnd(18)} ${PRESET_DESCRIPTIONS[n]}`).join('\n')}

Example: octolab quantize --scheme octization --bits 8 0.75   # prints 0o277
`;

const OPTIONS = {
  scheme: { type: 'string' },
  bits: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const VALUE_OPTIONS = new Set(['--scheme', '--bits', '--seed']);
/** Largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Splits arguments into what `util.parseArgs` should see and the numeric positionals that
 * start with '-' (which parseArgs would take for options), keeping their original order.
 */
function splitNegatives(args: string[]): { forParser: string[]; values: { index: number; text: string }[]; origin: number[] } {
  const forParser: string[] = [];
  const origin: number[] = [];
  const values: { index: number; text: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      for (let j = i + 1; j < args.length; j++) values.push({ index: j, text: args[j] });
      break;
    }
    if (VALUE_OPTIONS.has(a) && i + 1 < args.length && args[i + 1].startsWith('-') && NUMBER.test(args[i + 1])) {
      // `--bits -3`: a negative number as an option's value; parseArgs wants `--bits=-3`.
      forParser.push(`${a}=${args[i + 1]}`);
      origin.push(i);
      i++;
    } else if (a.startsWith('-') && NUMBER.test(a)) {
      values.push({ index: i, text: a });
    } else {
      forParser.push(a);
      origin.push(i);
    }
  }
  return { forParser, values, origin };
}

/** Shortest decimal that reads back as the same float32 (as numpy prints float32 values). */
export function formatFloat32(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v + 0);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function parseIntOption(name: string, text: string | undefined, fallback: number, lo: number, hi: number): number {
  if (text === undefined) return fallback;
  if (!/^[+-]?\d+$/.test(text) || Number(text) < lo || Number(text) > hi) {
    throw new UsageError(`--${name} must be an integer from ${lo} to ${hi}, got '${text}'`);
  }
  return Number(text);
}

/** The `quantize` command. */
export const quantizeCommand: Command = {
  summary: 'quantize numbers with a quantizer preset (e.g. --scheme octization 0.75 → 0o277)',
  async run(args: string[]): Promise<number> {
    const { forParser, values: negatives, origin } = splitNegatives(args);
    let parsed;
    try {
      parsed = parseArgs({ args: forParser, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const opts = parsed.values;
    if (opts.help === true) {
      console.log(HELP);
      return 0;
    }
    const presetName = opts.scheme ?? 'standard';
    let scheme;
    try {
      scheme = getPreset(presetName);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const bits = parseIntOption('bits', opts.bits, scheme.bits, MIN_BITS, MAX_BITS);
    const seed = parseIntOption('seed', opts.seed, 0, -(2 ** 31), 2 ** 32 - 1);
    scheme = withBits(scheme, bits);

    const texts = parsed.tokens
      .filter((t) => t.kind === 'positional')
      .map((t) => ({ index: origin[t.index], text: (t as { value: string }).value }))
      .concat(negatives)
      .sort((a, b) => a.index - b.index)
      .map((t) => t.text);
    if (texts.length === 0) throw new UsageError('no values given: pass numbers such as 0.75 -0.3 (see --help)');
    const inputs = texts.map((t) => {
      const v = Number(t);
      if (!NUMBER.test(t) || !Number.isFinite(v)) throw new UsageError(`value '${t}' is not a finite number`);
      if (Math.abs(v) > FLOAT32_MAX) throw new UsageError(`value '${t}' is outside the float32 range (magnitude at most ${FLOAT32_MAX})`);
      return v;
    });

    let q;
    try {
      q = quantize(inputs, scheme, { shape: [inputs.length], rng: scheme.rounding === 'stochastic' ? Rng.stream(seed, 'stochastic-rounding') : undefined });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const deq = dequantize(q);
    const bad = deq.findIndex((d) => !Number.isFinite(d));
    if (bad !== -1) throw new UsageError(`value '${texts[bad]}' dequantizes to ${deq[bad]} in float32 with this scheme; use smaller values`);
    const codes = Array.from(q.codes, (c) => (scheme.encoding === 'octal' ? intToOctal(c) : c));

    if (opts.json === true) {
      const out = {
        preset: presetName,
        scheme,
        arithmetic: q.arithmetic,
        scales: Array.from(q.scales),
        zeroPoints: Array.from(q.zeroPoints),
        values: inputs.map((input, i) => ({ input, code: codes[i], dequantized: deq[i] })),
      };
      console.log(JSON.stringify(out, null, 2));
      return 0;
    }
    const rows = [['value', 'code', 'dequantized'], ...inputs.map((v, i) => [String(v), String(codes[i]), formatFloat32(deq[i])])];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
    console.log(`${presetName}: ${describeScheme(scheme)}`);
    if (scheme.scale !== 'unit') console.log(`step ${q.scales[0]}${scheme.scale === 'minmax' ? `, zero point ${q.zeroPoints[0]}` : ''}`);
    for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c])).join('  '));
    return 0;
  },
};
