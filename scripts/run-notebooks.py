#!/usr/bin/python3
"""Execute the TypeScript (tslab) notebooks headlessly and export each to offline HTML.

Run with Debian's Python, which has nbclient and nbconvert:
    /usr/bin/python3 scripts/run-notebooks.py [--out DIR] [--timeout SEC] [--jobs N] [NOTEBOOK ...]
Default: every notebooks/*.ipynb, HTML to reports/notebooks/<name>.html, 1800 s per notebook
(or $OCTOLAB_NOTEBOOK_TIMEOUT). Uses the tslab kernelspec in jupyter/ and node_modules/.bin/tslab.
Settings reach the notebooks as environment variables (OCTOLAB_PROFILE, OCTOLAB_RESULTS, OCTOLAB_DATA_DIR);
OCTOLAB_EXPORT defaults to 1 here, so the exports leave out live-run timings and rebuild identically.
A failing cell stops its notebook: its source and error are printed, the HTML still shows it, exit code 1.
"""
import argparse, concurrent.futures, glob, os, sys, time
import jinja2, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The lab template without its two CDN scripts (require.js, MathJax): the export works offline.
OFFLINE_TEMPLATE = ("{%- extends 'index.html.j2' -%}"
                    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}"
                    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}")


def error_text(cell, err):
    # tslab reports a failing cell on stderr (its error reply is empty); timeouts and dead kernels only raise.
    parts = [o.get('text', '') for o in cell.get('outputs', []) if o.get('name') == 'stderr']
    parts += ['\n'.join(o.get('traceback', [])) or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get('outputs', []) if o.get('output_type') == 'error']
    if not parts or not isinstance(err, CellExecutionError):
        parts.append(f'\n{type(err).__name__}: {err}')
    return ''.join(parts).strip()


def run_one(path, out_dir, timeout):
    name = os.path.splitext(os.path.basename(path))[0]
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name='tslab', timeout=timeout, resources={'metadata': {'path': os.path.dirname(path)}})
    start, failure = time.time(), None
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.timeout = max(1, int(timeout - (time.time() - start)))
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except Exception as err:  # CellExecutionError, CellTimeoutError, DeadKernelError
                    failure = (f"--- {name}: cell {index} failed after {time.time() - start:.0f} s (limit {timeout} s per notebook) ---\n"
                               f"{cell.source}\n--- error ---\n{error_text(cell, err)}")
                    note = f'**Execution stopped here: the cell above failed** ({type(err).__name__}); {len(nb.cells) - index - 1} later cells were not run.'
                    nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(note))
                    break
    except Exception as err:  # the kernel did not start
        failure = f'--- {name}: kernel failed ---\n{type(err).__name__}: {err}'
    exporter = HTMLExporter(template_name='lab', extra_loaders=[jinja2.DictLoader({'octolab.html.j2': OFFLINE_TEMPLATE})], template_file='octolab.html.j2')
    html, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': name}})
    target = os.path.join(out_dir, name + '.html')
    with open(target, 'w', encoding='utf-8') as f:
        f.write(html)
    return name, target, time.time() - start, failure


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebook files (default: notebooks/*.ipynb)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'reports', 'notebooks'), help='folder for the HTML exports')
    ap.add_argument('--timeout', type=int, default=int(os.environ.get('OCTOLAB_NOTEBOOK_TIMEOUT', '1800')), help='seconds per notebook')
    ap.add_argument('--jobs', type=int, default=1, help='notebooks run at the same time')
    args = ap.parse_args()
    paths = [os.path.abspath(p) for p in args.notebooks] or sorted(glob.glob(os.path.join(ROOT, 'notebooks', '*.ipynb')))
    tslab = os.path.join(ROOT, 'node_modules', '.bin', 'tslab')
    problems = [f'{p}: no such notebook' for p in paths if not os.path.isfile(p)]
    problems += [] if os.path.exists(tslab) else [f'{tslab} is missing: run npm install (tslab is a devDependency)']
    problems += [] if os.path.isdir(os.path.join(ROOT, 'dist', 'src')) else ['dist/src is missing: run npm run build first']
    problems += [] if paths else ['no notebooks found']
    if args.timeout < 1 or args.jobs < 1:
        problems.append(f'--timeout and --jobs must be >= 1, got {args.timeout} and {args.jobs}')
    if problems:
        sys.exit('run-notebooks: ' + '\n'.join(problems))
    os.environ['PATH'] = os.path.dirname(tslab) + os.pathsep + os.environ.get('PATH', '')
    os.environ.setdefault('OCTOLAB_EXPORT', '1')
    os.environ['JUPYTER_PATH'] = os.pathsep.join(filter(None, [os.path.join(ROOT, 'jupyter'), os.environ.get('JUPYTER_PATH')]))
    os.makedirs(args.out, exist_ok=True)
    failed = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name, target, seconds, failure in pool.map(run_one, paths, [args.out] * len(paths), [args.timeout] * len(paths)):
            shown = os.path.relpath(target, ROOT) if os.path.abspath(target).startswith(ROOT + os.sep) else target
            print(f"{name}: {'FAILED' if failure else 'ok'} in {seconds:.1f} s -> {shown}", flush=True)
            if failure:
                print(failure, file=sys.stderr, flush=True)
                failed.append(name)
    if failed:
        sys.exit(f"run-notebooks: {len(failed)} of {len(paths)} notebooks failed: {', '.join(failed)}")


if __name__ == '__main__':
    main()
