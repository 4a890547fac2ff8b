import assert from 'node:assert/strict';
import { UsageError, main } from '../../src/cli/main';
import { formatFloat32, quantizeCommand } from '../../src/cli/quantize';
import { capture } from '../helpers/capture';


const run = (args: string[]) => capture(() => quantizeCommand.run(args));

describe('cli: octolab quantize', () => {
  it("prints the study's 0.75 → 0o277 and 191", async () => {
    const oct = await run(['--scheme', 'octization', '--bits', '8', '0.75']);
    assert.equal(oct.code, 0);
    assert.match(oct.out, /^\s*0\.75\s+0o277\s+0\.7490196$/m);
    const std = await run(['--scheme', 'standard', '0.75']);
    assert.match(std.out, /^\s*0\.75\s+191\s+0\.7490196$/m);
  });

  it('prints an aligned table with one row per value, negatives included', async () => {
    const r = await run(['--scheme', 'octization', '0.03279644', '-0.3', '--bits', '8', '0.37683514']);
    const lines = r.out.split('\n');
    assert.match(lines[0], /^octization: 8 bits, scale unit, rounding toward-zero, encoding octal, per-tensor$/);
    const table = lines.slice(1);
    assert.equal(table.length, 4);
    assert.deepEqual(table.map((l) => l.trim().split(/\s+/)), [
      ['value', 'code', 'dequantized'],
      ['0.03279644', '0o10', '0.03137255'],
      ['-0.3', '-0o114', '-0.29803923'], // int(−76.5) = −76
      ['0.37683514', '0o140', '0.3764706'],
    ]);
    assert.equal(new Set(table.map((l) => l.length)).size, 1, 'columns are aligned');
    const dashed = await run(['--scheme', 'standard', '--', '-0.3', '-1e-2']);
    assert.deepEqual(dashed.out.split('\n').slice(2).map((l) => l.trim().split(/\s+/)[1]), ['-76', '-3']); // −76.5 → −76 (even), −2.55 → −3
  });

  it('prints JSON with --json', async () => {
    const r = await run(['--json', '--scheme', 'octization', '--bits', '4', '0.75', '-0.5']);
    const j = JSON.parse(r.out);
    assert.equal(j.preset, 'octization');
    assert.equal(j.scheme.bits, 4);
    assert.deepEqual(j.values.map((v: { code: string }) => v.code), ['0o13', '-0o7']); // int(11.25), int(−7.5)
    assert.deepEqual(j.values.map((v: { input: number }) => v.input), [0.75, -0.5]);
    assert.equal(j.values[0].dequantized, Math.fround(11 / 15));
    const s = JSON.parse((await run(['--json', '0.75'])).out);
    assert.equal(s.values[0].code, 191);
  });

  it('calibrates absmax and minmax on the values given; stochastic uses --seed', async () => {
    const a = JSON.parse((await run(['--json', '--scheme', 'absmax', '-1', '0.5'])).out);
    assert.deepEqual(a.values.map((v: { code: number }) => v.code), [-127, 64]); // 63.5 → 64 (even)
    const m = JSON.parse((await run(['--json', '--scheme', 'minmax', '-0.3', '1', '0.5', '0'])).out);
    assert.deepEqual(m.values.map((v: { code: number }) => v.code), [0, 255, 157, 59]);
    assert.deepEqual(m.zeroPoints, [59]);
    assert.equal(m.values[3].dequantized, 0);
    const s1 = (await run(['--scheme', 'stochastic', '--seed', '3', '0.3', '0.3', '0.3', '0.3'])).out;
    const s2 = (await run(['--scheme', 'stochastic', '--seed', '3', '0.3', '0.3', '0.3', '0.3'])).out;
    assert.equal(s1, s2);
  });

  it('lists options and presets with --help', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    for (const word of ['--scheme', '--bits', '--json', '--seed', 'standard', 'octization', 'toward-zero-int', 'absmax', 'minmax']) {
      assert.ok(r.out.includes(word), word);
    }
  });

  it('rejects bad arguments with a UsageError naming the problem', async () => {
    const bad: [string[], RegExp][] = [
      [['--scheme', 'octal', '0.5'], /unknown quantizer preset 'octal'/],
      [['--bits', '1', '0.5'], /--bits must be an integer from 2 to 16, got '1'/],
      [['--bits', '17', '0.5'], /got '17'/],
      [['--bits', '-3', '0.5'], /got '-3'/],
      [['--bits', '8.5', '0.5'], /got '8.5'/],
      [['abc'], /value 'abc' is not a finite number/],
      [['0.5', 'NaN'], /value 'NaN'/],
      [['1e999'], /value '1e999'/],
      [[], /no values given/],
      [['--json'], /no values given/],
      [['--frobnicate', '1'], /frobnicate/],
      [['--seed', 'x', '0.5'], /--seed must be an integer/],
      [['--bits', '16', '1e10'], /outside int32/],
    ];
    for (const [args, msg] of bad) {
      await assert.rejects(quantizeCommand.run(args), (e: Error) => e instanceof UsageError && msg.test(e.message), args.join(' '));
    }
  });

  it('is wired into the octolab command table (exit 0, and 2 for usage errors)', async () => {
    const ok = await capture(() => main(['quantize', '--scheme', 'octization', '--bits', '8', '0.75']));
    assert.equal(ok.code, 0);
    assert.match(ok.out, /0o277/);
    const bad = await capture(() => main(['quantize', '--bits', '17', '0.5']));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--bits must be an integer from 2 to 16, got '17'/);
  });

  it('formats float32 values with the fewest digits that read back', () => {
    assert.equal(formatFloat32(Math.fround(191 / 255)), '0.7490196');
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(0), '0');
    assert.equal(formatFloat32(-0), '0');
    assert.equal(formatFloat32(Math.fround(-1 / 3)), '-0.33333334');
  });
});
