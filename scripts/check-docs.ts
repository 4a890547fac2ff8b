/**
 * Lists exported declarations without a TSDoc comment.
 * Usage: node dist/scripts/check-docs.js [DIR | FILE.ts]...  (default: src/).
 * Prints `file:line name` for each undocumented export and exits 1 if any,
 * 0 if none, 2 when an argument is wrong.
 *
 * Checked: exported functions, classes with their public methods, properties
 * and accessors, interfaces with their members, type aliases, variables,
 * enums with their members, and namespaces. Re-exports (`export * from`,
 * `export { x } from`) declare nothing and are skipped. A declaration counts
 * as documented when one of its JSDoc comments has summary text; `//`
 * comments and JSDoc holding only tags do not count.
 */
import * as fs from 'fs';
import * as path from 'path';
import ts = require('typescript');

/** One exported declaration that lacks a TSDoc comment. */
export interface MissingDoc {
  /** File name as given to {@link findUndocumented}. */
  file: string;
  /** 1-based line of the declaration's first token. */
  line: number;
  /** Declaration name; members are written `Owner.member`. */
  name: string;
}

/** True when `node` has a JSDoc comment (or, for a parameter property, an `@param` tag) with text. */
export function hasDocText(node: ts.Node): boolean {
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    const text = ts.getTextOfJSDocComment(doc.comment);
    if (text !== undefined && text.trim() !== '') {
      if (ts.isJSDoc(doc) || ts.isJSDocParameterTag(doc)) return true;
    }
  }
  return false;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return mods !== undefined && mods.some((m) => m.kind === kind);
}

function nameOf(name: ts.PropertyName | ts.BindingName | undefined, sf: ts.SourceFile): string {
  if (name === undefined) return 'default';
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText(sf);
}

/** Groups nodes by name, keeping source order; an overload group counts as documented when any of its declarations is. */
function groupByName<T extends ts.Node>(nodes: readonly T[], key: (n: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const n of nodes) {
    const k = key(n);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [n]);
    else g.push(n);
  }
  return groups;
}

/**
 * Lists the undocumented exported declarations of one TypeScript source text.
 * Pure: parses `text` only, reads no files.
 * @param text TypeScript source.
 * @param fileName Name used in the result and to pick the script kind (`.ts`, `.tsx`).
 * @returns Missing docs in source order.
 */
export function findUndocumented(text: string, fileName: string): MissingDoc[] {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, kind);
  const out: MissingDoc[] = [];
  const report = (node: ts.Node, name: string): void => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    out.push({ file: fileName, line, name });
  };
  const checkGroup = (nodes: readonly ts.Node[], name: string): void => {
    if (!nodes.some(hasDocText)) report(nodes[0], name);
  };

  // Names exported by a local `export { a, b as c }` (no module specifier).
  const locallyExported = new Set<string>();
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st) && st.moduleSpecifier === undefined && st.exportClause !== undefined
      && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) locallyExported.add((el.propertyName ?? el.name).text);
    }
    if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) locallyExported.add(st.expression.text);
  }
  const isExported = (node: ts.Node, name: string | undefined): boolean =>
    hasModifier(node, ts.SyntaxKind.ExportKeyword) || (name !== undefined && locallyExported.has(name));

  const isPublic = (m: ts.ClassElement): boolean =>
    !hasModifier(m, ts.SyntaxKind.PrivateKeyword) && !hasModifier(m, ts.SyntaxKind.ProtectedKeyword)
    && !(m.name !== undefined && ts.isPrivateIdentifier(m.name));

  const checkClass = (cls: ts.ClassDeclaration, owner: string): void => {
    const members: ts.Node[] = [];
    const keyOf = new Map<ts.Node, string>();
    for (const m of cls.members) {
      if (ts.isConstructorDeclaration(m)) {
        for (const p of m.parameters) {
          const isProp = hasModifier(p, ts.SyntaxKind.PublicKeyword) || hasModifier(p, ts.SyntaxKind.ReadonlyKeyword);
          const hidden = hasModifier(p, ts.SyntaxKind.PrivateKeyword) || hasModifier(p, ts.SyntaxKind.ProtectedKeyword);
          if (isProp && !hidden) {
            members.push(p);
            keyOf.set(p, nameOf(p.name, sf));
          }
        }
        continue;
      }
      if (!(ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m) || ts.isGetAccessorDeclaration(m)
        || ts.isSetAccessorDeclaration(m))) continue;
      if (!isPublic(m)) continue;
      members.push(m);
      keyOf.set(m, nameOf(m.name, sf));
    }
    for (const [k, group] of groupByName(members, (n) => keyOf.get(n) ?? '')) checkGroup(group, `${owner}.${k}`);
  };

  const checkInterface = (decl: ts.InterfaceDeclaration, owner: string): void => {
    const members = decl.members.filter((m) => (ts.isPropertySignature(m) || ts.isMethodSignature(m)) && m.name !== undefined);
    for (const [k, group] of groupByName(members, (m) => nameOf(m.name, sf))) checkGroup(group, `${owner}.${k}`);
  };

  const functions: ts.FunctionDeclaration[] = [];
  const qualified = new Map<ts.FunctionDeclaration, string>();
  const visitStatements = (statements: readonly ts.Statement[], prefix: string, inExportedNs: boolean): void => {
    for (const st of statements) {
      if (ts.isFunctionDeclaration(st)) {
        const name = st.name?.text ?? 'default';
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name?.text)) {
          qualified.set(st, prefix + name);
          functions.push(st);
        }
      } else if (ts.isClassDeclaration(st)) {
        const name = prefix + (st.name?.text ?? 'default');
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name?.text)) {
          if (!hasDocText(st)) report(st, name);
          checkClass(st, name);
        }
      } else if (ts.isInterfaceDeclaration(st)) {
        const name = prefix + st.name.text;
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name.text)) {
          if (!hasDocText(st)) report(st, name);
          checkInterface(st, name);
        }
      } else if (ts.isTypeAliasDeclaration(st)) {
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name.text)) {
          if (!hasDocText(st)) report(st, prefix + st.name.text);
        }
      } else if (ts.isEnumDeclaration(st)) {
        const name = prefix + st.name.text;
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name.text)) {
          if (!hasDocText(st)) report(st, name);
          for (const m of st.members) if (!hasDocText(m)) report(m, `${name}.${nameOf(m.name, sf)}`);
        }
      } else if (ts.isVariableStatement(st)) {
        const stExported = hasModifier(st, ts.SyntaxKind.ExportKeyword);
        for (const d of st.declarationList.declarations) {
          const local = ts.isIdentifier(d.name) ? d.name.text : undefined;
          if (!(stExported || (!inExportedNs && local !== undefined && locallyExported.has(local)))) continue;
          if (!hasDocText(d)) report(d, prefix + nameOf(d.name, sf));
        }
      } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
        const name = prefix + st.name.text;
        if (inExportedNs ? hasModifier(st, ts.SyntaxKind.ExportKeyword) : isExported(st, st.name.text)) {
          if (!hasDocText(st)) report(st, name);
          let body = st.body;
          while (body !== undefined && ts.isModuleDeclaration(body)) body = body.body;
          if (body !== undefined && ts.isModuleBlock(body)) visitStatements(body.statements, `${name}.`, true);
        }
      }
    }
  };
  visitStatements(sf.statements, '', false);
  for (const [k, group] of groupByName(functions, (f) => qualified.get(f) ?? '')) checkGroup(group, k);

  out.sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
  return out;
}

/**
 * Expands directories into their `.ts` files (recursively, sorted, skipping
 * `.d.ts` and `node_modules`); files are kept as given.
 * @throws Error naming the path when it does not exist.
 */
export function tsFilesOf(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`check-docs: path not found: ${p}`);
    if (fs.statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** Reads each file and lists its undocumented exports; `file` is the path as given. */
export function checkFiles(files: readonly string[]): MissingDoc[] {
  const out: MissingDoc[] = [];
  for (const f of files) out.push(...findUndocumented(fs.readFileSync(f, 'utf8'), f));
  return out;
}

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('Usage: node dist/scripts/check-docs.js [DIR | FILE.ts]...  (default: src/)');
    return 0;
  }
  let files: string[];
  try {
    files = tsFilesOf(argv.length > 0 ? argv : ['src']);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const missing = checkFiles(files);
  for (const m of missing) console.log(`${m.file}:${m.line} ${m.name}`);
  if (missing.length > 0) {
    console.error(`check-docs: ${missing.length} undocumented export(s) in ${files.length} file(s)`);
    return 1;
  }
  console.log(`check-docs: all exports documented in ${files.length} file(s)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
