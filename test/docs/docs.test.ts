import { strict as assert } from 'assert';
import * as path from 'path';
import { checkFiles, findUndocumented, tsFilesOf } from '../../scripts/check-docs';

describe('check-docs', () => {
  it('reports exactly the undocumented export of a tiny source', () => {
    const text = [
      '/** Adds one. */',
      'export function documented(x: number): number { return x + 1; }',
      '',
      '// a line comment is not TSDoc',
      'export function undocumented(x: number): number { return x - 1; }',
      '',
    ].join('\n');
    assert.deepEqual(findUndocumented(text, 'tiny.ts'), [{ file: 'tiny.ts', line: 5, name: 'undocumented' }]);
  });

  it('checks members, local exports and empty comments, and skips re-exports and private members', () => {
    const text = [
      '/** A box. */',
      'export class Box {',
      '  /** Width. */',
      '  w = 1;',
      '  h = 2;',
      '  private secret = 3;',
      '  #hidden = 4;',
      '  /** Area. */',
      '  area(): number { return this.w * this.h; }',
      '}',
      '/** Shape. */',
      'export interface Shape { /* plain */',
      '  /** Sides. */',
      '  sides: number;',
      '  name: string;',
      '}',
      '/** */',
      'export type Empty = never;',
      'const local = 1;',
      'export { local };',
      "export * from './elsewhere';",
      "export { other } from './elsewhere';",
      '/** Overloaded. */',
      'export function f(x: number): number;',
      'export function f(x: string): string;',
      'export function f(x: unknown): unknown { return x; }',
    ].join('\n');
    assert.deepEqual(
      findUndocumented(text, 'm.ts').map((m) => `${m.line} ${m.name}`),
      ['5 Box.h', '15 Shape.name', '18 Empty', '19 local'],
    );
  });

  it('finds no undocumented export in src/', () => {
    const src = path.resolve(__dirname, '../../../src');
    const files = tsFilesOf([src]);
    assert.ok(files.length > 10, `expected the src/ tree at ${src}, found ${files.length} file(s)`);
    const missing = checkFiles(files).map((m) => `${path.relative(src, m.file)}:${m.line} ${m.name}`);
    assert.deepEqual(missing, []);
  });
});
