/**
 * Checks that every chart of the given report pages renders in headless
 * Chromium. Usage: node dist/scripts/check-render.js [FILE.html | DIR]...
 * (default: reports/). Exits 1 naming each file whose charts did not all
 * render, 2 when Chromium is missing or an argument is wrong.
 */
import { checkRender, findChromium, htmlFilesOf } from '../src/reports/render-check';

function main(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('Usage: node dist/scripts/check-render.js [FILE.html | DIR]...  (default: reports/)');
    return 0;
  }
  const chromium = findChromium();
  if (chromium === null) {
    console.error('check-render: chromium not found (install Debian chromium or set $CHROMIUM)');
    return 2;
  }
  let files: string[];
  try {
    files = htmlFilesOf(argv.length > 0 ? argv : ['reports']);
  } catch (err) {
    console.error(`check-render: ${(err as Error).message}`);
    return 2;
  }
  if (files.length === 0) {
    console.error('check-render: no HTML files to check');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const r = checkRender(file, { chromium });
    if (r.ok) console.log(`ok   ${file}: ${r.declared} chart(s) rendered`);
    else {
      failed++;
      console.error(`FAIL ${file}: ${r.problem}`);
    }
  }
  if (failed > 0) console.error(`check-render: ${failed} of ${files.length} file(s) failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
