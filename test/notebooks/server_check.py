#!/usr/bin/python3
"""End-to-end check of the interactive route: start the classic notebook server the way the
README says (JUPYTER_PATH=<repo>/jupyter, PATH without node_modules/.bin), list the kernelspecs,
start the project kernel through the server's REST API (a session for a notebook in the scratch
folder), then drive it with a real Jupyter client (jupyter_client): run a cell that imports the
package, run a long training cell, interrupt it through the REST API (Kernel -> Interrupt), and
run cells again. Prints one JSON object with what it saw and how long each step took.

Usage: /usr/bin/python3 test/notebooks/server_check.py REPO_ROOT NOTEBOOK_PATH_RELATIVE_TO_ROOT
"""
import json, os, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

from jupyter_client import BlockingKernelClient

ROOT, NB_PATH = sys.argv[1], sys.argv[2]
DEADLINE = time.time() + 120
report = {'steps': {}}
t_start = time.time()


def mark(name):
    report['steps'][name] = round(time.time() - t_start, 3)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


port, token, tmp = free_port(), secrets.token_hex(16), tempfile.mkdtemp(prefix='octolab-server-')
path_dirs = [d for d in os.environ.get('PATH', '').split(os.pathsep) if d and not d.rstrip('/').endswith('node_modules/.bin')]
env = dict(os.environ, JUPYTER_PATH=os.path.join(ROOT, 'jupyter'), JUPYTER_RUNTIME_DIR=tmp, JUPYTER_CONFIG_DIR=tmp,
           JUPYTER_DATA_DIR=tmp, PATH=os.pathsep.join(path_dirs), OCTOLAB_PROFILE='smoke')
cmd = ['jupyter', 'notebook', '--no-browser', '--ip=127.0.0.1', f'--port={port}', f'--NotebookApp.token={token}']
if os.geteuid() == 0:
    cmd.append('--allow-root')
log = open(os.path.join(tmp, 'server.log'), 'w')
server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def api(method, path, body=None):
    req = urllib.request.Request(f'http://127.0.0.1:{port}{path}', method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={'Authorization': f'token {token}', 'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=20) as r:
        text = r.read()
        return json.loads(text) if text else None


def left():
    return max(1.0, DEADLINE - time.time())


def wait_server():
    while time.time() < DEADLINE:
        if server.poll() is not None:
            raise RuntimeError(f'notebook server exited with {server.returncode}')
        try:
            return api('GET', '/api/status')
        except OSError:
            time.sleep(0.2)
    raise RuntimeError('notebook server did not answer')


def wait_kernel_info(client):
    while time.time() < DEADLINE:
        msg_id = client.kernel_info()
        try:
            while True:
                reply = client.get_shell_msg(timeout=1)
                if reply['parent_header'].get('msg_id') == msg_id:
                    return reply['content']
        except Exception:  # queue.Empty: the kernel is not listening yet
            pass
    raise RuntimeError('no kernel_info reply')


def execute(client, code, on_display=None):
    """Runs one cell; returns status, stdout+stderr text, number of display messages, seconds."""
    t0 = time.time()
    msg_id = client.execute(code)
    text, displays, updates = [], 0, 0
    while True:
        msg = client.get_iopub_msg(timeout=left())
        if msg['parent_header'].get('msg_id') != msg_id:
            continue
        kind = msg['msg_type']
        if kind == 'stream':
            text.append(msg['content']['text'])
        elif kind in ('display_data', 'update_display_data', 'execute_result'):
            displays += 1
            updates += kind == 'update_display_data'
            if on_display is not None:
                on_display(displays, msg)
        elif kind == 'error':
            text.append(f"{msg['content'].get('ename')}: {msg['content'].get('evalue')}")
        elif kind == 'status' and msg['content']['execution_state'] == 'idle':
            break
    while True:
        reply = client.get_shell_msg(timeout=left())
        if reply['parent_header'].get('msg_id') == msg_id:
            break
    return {'status': reply['content']['status'], 'text': ''.join(text), 'displays': displays, 'updates': updates, 'seconds': round(time.time() - t0, 3)}


try:
    wait_server()
    mark('server')
    specs = api('GET', '/api/kernelspecs')['kernelspecs']
    report['kernelspecs'] = sorted(specs)
    report['tslab_argv'] = specs.get('tslab', {}).get('spec', {}).get('argv')
    session = api('POST', '/api/sessions', {'path': NB_PATH, 'type': 'notebook', 'name': os.path.basename(NB_PATH), 'kernel': {'name': 'tslab'}})
    kernel_id = session['kernel']['id']
    mark('kernel_started')
    client = BlockingKernelClient(connection_file=os.path.join(tmp, f'kernel-{kernel_id}.json'))
    client.load_connection_file()
    client.start_channels()
    report['language_info'] = wait_kernel_info(client)['language_info']
    mark('kernel_ready')
    report['import'] = execute(client, "import * as octolab from 'octolab';\n"
                                       "const before = octolab.statistics.mean([1, 2, 3, 4]);\n"
                                       "console.log(`cwd=${require('path').relative(process.cwd(), '.') === '' ? process.cwd() : ''}`);\n"
                                       "console.log(`names=${Object.keys(octolab).length} mean=${before} runLive=${typeof octolab.notebook.runLive} tf=${typeof octolab.tf.tensor}`);\n"
                                       "console.log(`typescript=${require('tslab').versions.typescript}`);")
    mark('import')
    frame = {}
    report['frame'] = execute(client, "const df = octolab.reports.toDataFrame({ columns: ['method', 'acc'], rows: [['standard', 0.9712], ['octization', 0.9698]] });\ndf",
                              lambda n, msg: frame.setdefault('html', msg['content']['data'].get('text/html', '')))
    report['frame_html'] = frame.get('html')
    interrupt_at = {}

    def interrupt_after_progress(count, msg):
        if count == 3 and 't' not in interrupt_at:  # the bar has been drawn and updated in place
            interrupt_at['t'] = time.time()
            interrupt_at['bar'] = msg['content']['data'].get('text/html', '')
            api('POST', f'/api/kernels/{kernel_id}/interrupt')

    long_cell = ("let stepsSeen = 0;\n"
                 "await octolab.prepareEngine();\n"
                 "const tensorsBefore = octolab.tf.memory().numTensors;\n"
                 "const configs = [octolab.makeRunConfig({ experiment: 'regression', method: 'float', seed: 0, epochs: 5000 })];\n"
                 "const live = await octolab.notebook.runLive(configs, { dataDir: 'data', onStep: () => { stepsSeen++; } });\n"
                 "console.log(`stopped=${live.interrupted !== null} steps=${live.interrupted?.steps} total=${live.interrupted?.totalSteps} kept=${live.records.length}`);")
    report['long'] = execute(client, long_cell, interrupt_after_progress)
    report['interrupt_to_idle_seconds'] = round(time.time() - interrupt_at['t'], 3) if 't' in interrupt_at else None
    report['bar_html'] = interrupt_at.get('bar')
    mark('interrupted')
    report['steps_seen_1'] = execute(client, 'console.log(stepsSeen)')
    time.sleep(0.5)
    report['steps_seen_2'] = execute(client, 'console.log(stepsSeen)')
    report['after'] = execute(client, 'console.log(`mean=${before} tensors=${octolab.tf.memory().numTensors - tensorsBefore}`)')
    mark('after')
    client.stop_channels()
    api('DELETE', f"/api/sessions/{session['id']}")
    report['ok'] = True
except Exception as err:  # reported, the test fails on it
    report['ok'] = False
    report['error'] = f'{type(err).__name__}: {err}'
finally:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except Exception:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()
    with open(os.path.join(tmp, 'server.log')) as f:
        report['server_log_tail'] = f.read()[-2000:]
    shutil.rmtree(tmp, ignore_errors=True)
    mark('stopped')
print(json.dumps(report))
