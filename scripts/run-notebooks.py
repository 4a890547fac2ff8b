#!/usr/bin/python3
"""Execute the TypeScript (tslab) notebooks headlessly and export each to offline HTML.

Run with Debian's Python, which has nbclient and nbconvert:
    /usr/bin/python3 scripts/run-notebooks.py [--out DIR] [--timeout SEC] [--jobs N] [--allow-errors]
                                              [-p NAME=VALUE ...] [TARGET ...]
A TARGET is a notebook file, a notebook name (01-quantizers) or an export name (03-mnist).
Default: every export of notebooks/*.ipynb (a notebook lists its exports and their parameters in
its metadata, "octolab": {"exports": {...}}; otherwise its own name), HTML to
reports/notebooks/<export>.html, 1800 s per notebook (or $OCTOLAB_NOTEBOOK_TIMEOUT).
Uses the kernelspec in jupyter/ (the project's own tslab).
Parameters (papermill-style): -p NAME=VALUE overrides a variable of the notebook's parameters cell
(its first code cell tagged `parameters`; NAME must be declared there with `let`); the values go
into a cell tagged `injected-parameters` after it. VALUE is a number, true, false or null, or else a
string. Parameters not fixed by the export write <export>.<name>=<value>....html instead.
Settings also reach the notebooks as environment variables (OCTOLAB_PROFILE, OCTOLAB_RESULTS,
OCTOLAB_DATA_DIR); OCTOLAB_EXPORT defaults to 1 here, so the exports leave out live-run timings and
rebuild identically. A failing cell stops its notebook: its source and error are printed, the HTML
still shows it, exit code 1. With --allow-errors (or on a cell tagged `raises-exception`) the error
is printed and the notebook goes on; the summary line counts the allowed errors.
Exit codes: 0 all ok, 1 a notebook failed, 2 bad arguments.
"""
import argparse, concurrent.futures, glob, json, os, re, sys, time
import jinja2, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Exports sit in reports/notebooks/, beside the reports index.
REPORTS_INDEX_LINK = '../index.html'
# The lab template without its two CDN scripts (require.js, MathJax): the export works offline.
OFFLINE_TEMPLATE = ("{%- extends 'index.html.j2' -%}"
                    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}"
                    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}")
DECLARED = re.compile(r'^\s*let\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(.*?);?\s*(?://.*)?$', re.M)


class UsageError(Exception):
    pass


def error_text(cell, err=None):
    # tslab reports a failing cell on stderr; timeouts and dead kernels only raise.
    parts = [o.get('text', '') for o in cell.get('outputs', []) if o.get('name') == 'stderr']
    parts += ['\n'.join(o.get('traceback', [])) or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get('outputs', []) if o.get('output_type') == 'error']
    if err is not None and (not parts or not isinstance(err, CellExecutionError)):
        parts.append(f'\n{type(err).__name__}: {err}')
    return ''.join(parts).strip() or '(the cell failed without any output)'


def typed_value(text, default):
    """The -p text as a value: a string where the parameter's default is a string literal,
    else a JSON number, true, false or null if it reads as one, else a string."""
    if not default.startswith(("'", '"', '`')) and re.fullmatch(r'-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null', text):
        return json.loads(text)
    return text


def parse_params(items):
    params = {}
    for item in items:
        name, sep, value = item.partition('=')
        if not sep or not re.fullmatch(r'[A-Za-z_$][\w$]*', name):
            raise UsageError(f"-p {item!r}: expected NAME=VALUE with NAME a variable name")
        params[name] = value
    return params


def parameters_cell(nb):
    """Index of the first code cell tagged `parameters` and its variables with their default's
    source text, or (None, {})."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == 'code' and 'parameters' in cell.metadata.get('tags', []):
            return i, dict(DECLARED.findall(cell.source))
    return None, {}


def label_value(value):
    return re.sub(r'[^A-Za-z0-9._-]', '_', value)


def export_name(base, params, fixed):
    extra = [(k, v) for k, v in params.items() if k not in fixed]
    return base + ''.join(f'.{k}={label_value(v)}' for k, v in extra)


def catalog(path):
    """The exports of one notebook: [(name, fixed parameters)]."""
    nb = nbformat.read(path, as_version=4)
    stem = os.path.splitext(os.path.basename(path))[0]
    exports = nb.metadata.get('octolab', {}).get('exports')
    return [(name, {k: str(v) for k, v in p.items()}) for name, p in exports.items()] if exports else [(stem, {})]


def plan(targets, params):
    """Runs as (notebook path, export name, parameters), checked before any kernel starts."""
    files = sorted(glob.glob(os.path.join(ROOT, 'notebooks', '*.ipynb')))
    by_export = {name: (f, fixed) for f in files for name, fixed in catalog(f)}
    by_stem = {os.path.splitext(os.path.basename(f))[0]: f for f in files}
    runs, problems = [], []
    for target in targets or [None]:
        if target is None:
            chosen = [(f, name, fixed) for f in files for name, fixed in catalog(f)]
        elif target in by_export and not os.path.isfile(target):
            f, fixed = by_export[target]
            chosen = [(f, target, fixed)]
        else:
            f = os.path.abspath(target) if os.path.isfile(target) else by_stem.get(target)
            if f is None:
                problems.append(f'{target}: no such notebook (give a file, or one of: {", ".join(sorted(set(by_export) | set(by_stem)))})')
                continue
            entries = catalog(f)
            chosen = [(f, n, fx) for n, fx in entries if all(params.get(k, v) == v for k, v in fx.items())]
            if not chosen:
                chosen = [(f, os.path.splitext(os.path.basename(f))[0], {})]
        for f, name, fixed in chosen:
            merged = {**fixed, **params}
            if any(fixed.get(k, v) != v for k, v in params.items()):
                fixed = {}
            runs.append((f, export_name(name, merged, fixed), merged))
    for f in sorted({r[0] for r in runs}):
        wanted = sorted({k for r in runs if r[0] == f for k in r[2]})
        if not wanted:
            continue
        _, declared = parameters_cell(nbformat.read(f, as_version=4))
        unknown = [k for k in wanted if k not in declared]
        if unknown:
            where = f'its parameters cell declares {", ".join(declared)}' if declared else 'it has no code cell tagged "parameters"'
            problems.append(f'{os.path.relpath(f, ROOT)}: unknown parameter(s) {", ".join(unknown)} ({where})')
    names = [r[1] for r in runs]
    problems += [f'export {n} would be written twice' for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise UsageError('\n'.join(problems))
    return runs


def inject(nb, params):
    index, declared = parameters_cell(nb)
    if not params or index is None:
        return
    lines = ['// Parameters given to scripts/run-notebooks.py'] + [f'{k} = {json.dumps(typed_value(v, declared[k]))};' for k, v in params.items()]
    cell = nbformat.v4.new_code_cell('\n'.join(lines))
    cell.metadata['tags'] = ['injected-parameters']
    nb.cells.insert(index + 1, cell)


def run_one(path, name, params, out_dir, timeout, allow_errors):
    nb = nbformat.read(path, as_version=4)
    inject(nb, params)
    client = NotebookClient(nb, kernel_name='tslab', timeout=timeout, allow_errors=allow_errors, resources={'metadata': {'path': os.path.dirname(path)}})
    replies = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply['content'].get('status'))
    start, failure, allowed = time.time(), None, []
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.timeout = max(1, int(timeout - (time.time() - start)))
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                    status = replies.get(index)
                    if status == 'error':
                        allowed.append(f'--- {name}: cell {index} failed (error allowed) ---\n{cell.source}\n--- error ---\n{error_text(cell)}')
                    elif status not in (None, 'ok'):
                        raise RuntimeError(f'the kernel answered {status!r}: the cell was not run')
                except Exception as err:  # CellExecutionError, CellTimeoutError, DeadKernelError, aborted
                    failure = (f"--- {name}: cell {index} failed after {time.time() - start:.0f} s (limit {timeout} s per notebook) ---\n"
                               f"{cell.source}\n--- error ---\n{error_text(cell, err)}")
                    note = f'**Execution stopped here: the cell above failed** ({type(err).__name__}); {len(nb.cells) - index - 1} later cells were not run.'
                    nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(note))
                    break
    except Exception as err:  # the kernel did not start
        failure = f'--- {name}: kernel failed ---\n{type(err).__name__}: {err}'
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f'[← octolab reports]({REPORTS_INDEX_LINK})'))
    exporter = HTMLExporter(template_name='lab', extra_loaders=[jinja2.DictLoader({'octolab.html.j2': OFFLINE_TEMPLATE})], template_file='octolab.html.j2')
    html, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': name}})
    target = os.path.join(out_dir, name + '.html')
    partial = target + '.partial'
    with open(partial, 'w', encoding='utf-8') as f:
        f.write(html)
    os.replace(partial, target)
    return name, target, time.time() - start, failure, allowed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('targets', nargs='*', metavar='TARGET', help='notebook files, notebook names or export names (default: every export)')
    ap.add_argument('--out', default=os.path.join(ROOT, 'reports', 'notebooks'), help='folder for the HTML exports')
    ap.add_argument('--timeout', type=int, default=int(os.environ.get('OCTOLAB_NOTEBOOK_TIMEOUT', '1800')), help='seconds per notebook')
    ap.add_argument('--jobs', type=int, default=1, help='notebooks run at the same time')
    ap.add_argument('--allow-errors', action='store_true', help='print a failing cell and go on with the next one')
    ap.add_argument('-p', '--parameter', action='append', default=[], metavar='NAME=VALUE', help='override a variable of the parameters cell')
    args = ap.parse_args()
    tslab = os.path.join(ROOT, 'node_modules', 'tslab', 'dist', 'main.js')
    problems = [] if os.path.exists(tslab) else [f'{tslab} is missing: run npm install (tslab is a devDependency)']
    problems += [] if os.path.isdir(os.path.join(ROOT, 'dist', 'src')) else ['dist/src is missing: run npm run build first']
    if args.timeout < 1 or args.jobs < 1:
        problems.append(f'--timeout and --jobs must be >= 1, got {args.timeout} and {args.jobs}')
    try:
        runs = plan(args.targets, parse_params(args.parameter))
    except UsageError as err:
        problems.append(str(err))
        runs = []
    if problems:
        print('run-notebooks: ' + '\n'.join(problems), file=sys.stderr)
        sys.exit(2)
    os.environ.setdefault('OCTOLAB_EXPORT', '1')
    os.environ['JUPYTER_PATH'] = os.pathsep.join(filter(None, [os.path.join(ROOT, 'jupyter'), os.environ.get('JUPYTER_PATH')]))
    os.makedirs(args.out, exist_ok=True)
    failed = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        jobs = [pool.submit(run_one, f, name, params, os.path.abspath(args.out), args.timeout, args.allow_errors) for f, name, params in runs]
        for job in jobs:
            name, target, seconds, failure, allowed = job.result()
            shown = os.path.relpath(target, ROOT) if os.path.abspath(target).startswith(ROOT + os.sep) else target
            state = 'FAILED' if failure else 'ok' + (f' with {len(allowed)} allowed error(s)' if allowed else '')
            print(f"{name}: {state} in {seconds:.1f} s -> {shown}", flush=True)
            for text in allowed:
                print(text, file=sys.stderr, flush=True)
            if failure:
                print(failure, file=sys.stderr, flush=True)
                failed.append(name)
    if failed:
        sys.exit(f"run-notebooks: {len(failed)} of {len(runs)} notebooks failed: {', '.join(failed)}")


if __name__ == '__main__':
    main()
