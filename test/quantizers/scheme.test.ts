import assert from 'node:assert/strict';
import { PRESETS, PRESET_NAMES, codeBounds, describeScheme, getPreset, makeScheme, validateScheme, withBits } from '../../src/quantizers';
import type { QuantScheme } from '../../src/quantizers';

describe('quantizers: schemes and presets', () => {
  it('fills defaults and freezes', () => {
    const s = makeScheme();
    assert.deepEqual(s, { bits: 8, scale: 'unit', granularity: 'per-tensor', rounding: 'half-even', encoding: 'int' });
    assert.ok(Object.isFrozen(s));
    assert.deepEqual(makeScheme({ scale: 'absmax', granularity: { axis: -1 } }).granularity, { axis: -1 });
  });

  it('rejects unknown fields and values, naming them', () => {
    assert.throws(() => makeScheme({ bits: 1 }), /bits must be an integer from 2 to 16, got 1/);
    assert.throws(() => makeScheme({ bits: 17 }), /got 17/);
    assert.throws(() => makeScheme({ bits: 8.5 }), /got 8.5/);
    assert.throws(() => makeScheme({ bits: '8' as never }), /got '8'/);
    assert.throws(() => makeScheme({ scale: 'log' as never }), /unknown scale 'log'/);
    assert.throws(() => makeScheme({ rounding: 'up' as never }), /unknown rounding 'up'/);
    assert.throws(() => makeScheme({ encoding: 'hex' as never }), /unknown encoding 'hex'/);
    assert.throws(() => makeScheme({ granularity: 'per-row' as never }), /unknown granularity 'per-row'/);
    assert.throws(() => makeScheme({ granularity: { axis: 0.5 } }), /axis must be an integer, got 0.5/);
    assert.throws(() => makeScheme({ granularity: { axis: 1, dim: 2 } as never }), /unknown granularity field 'dim'/);
    assert.throws(() => makeScheme({ bitz: 8 } as never), /unknown field 'bitz'/);
    assert.throws(() => validateScheme({ ...PRESETS.standard, clip: true }), /unknown field 'clip'/);
    const { encoding: _e, ...noEncoding } = PRESETS.standard;
    assert.throws(() => validateScheme(noEncoding), /missing field 'encoding'/);
    assert.throws(() => validateScheme(null), /must be an object/);
  });

  it('changes the bit width with withBits, leaving the original alone', () => {
    const s = withBits(PRESETS.octization, 4);
    assert.equal(s.bits, 4);
    assert.equal(s.rounding, 'toward-zero');
    assert.equal(PRESETS.octization.bits, 8);
    assert.throws(() => withBits(PRESETS.standard, 17), /withBits: bits must be an integer from 2 to 16, got 17/);
  });

  it('has the documented presets', () => {
    const pick = (s: QuantScheme): string => `${s.bits}/${s.scale}/${s.rounding}/${s.encoding}/${JSON.stringify(s.granularity)}`;
    assert.equal(pick(getPreset('standard')), '8/unit/half-even/int/"per-tensor"');
    assert.equal(pick(getPreset('octization')), '8/unit/toward-zero/octal/"per-tensor"');
    assert.equal(pick(getPreset('toward-zero-int')), '8/unit/toward-zero/int/"per-tensor"');
    assert.equal(pick(getPreset('half-even-octal')), '8/unit/half-even/octal/"per-tensor"');
    assert.equal(pick(getPreset('stochastic')), '8/unit/stochastic/int/"per-tensor"');
    assert.equal(pick(getPreset('absmax')), '8/absmax/half-even/int/{"axis":-1}');
    assert.equal(pick(getPreset('minmax')), '8/minmax/half-even/int/"per-tensor"');
    assert.ok(PRESET_NAMES.length >= 7);
    for (const name of PRESET_NAMES) validateScheme(PRESETS[name]);
    assert.ok(Object.isFrozen(PRESETS));
    assert.throws(() => getPreset('octal'), (e: Error) => e.message.includes("'octal'") && e.message.includes('standard, octization'));
    assert.throws(() => getPreset('toString'), /unknown quantizer preset/);
  });

  it('knows the code ranges and describes schemes', () => {
    assert.deepEqual(codeBounds(PRESETS.absmax), { min: -127, max: 127 });
    assert.deepEqual(codeBounds(withBits(PRESETS.minmax, 4)), { min: 0, max: 15 });
    assert.equal(codeBounds(PRESETS.standard), null);
    assert.equal(describeScheme(PRESETS.absmax), '8 bits, scale absmax, rounding half-even, encoding int, per-channel (axis -1)');
  });
});
