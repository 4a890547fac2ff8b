'use strict';
// Fixes applied to tslab 1.0.22 (package.json pins it) when the project kernel starts:
// 1. kernel_info names the TypeScript it compiles cells with (tslab says 3.7.2 whatever it uses);
// 2. a failing cell's execute_reply carries ename, evalue and traceback (tslab leaves them
//    empty and writes the error to stderr only, so nbconvert reported "<Error>: ");
// 3. an execute_request with stop_on_error: false (nbclient's --allow-errors and
//    `raises-exception` cells) does not make tslab abort the requests of the next 200 ms,
//    which left every later cell empty;
// 4. a danfojs DataFrame or Series as a cell's last expression (tslab console.logs it, which
//    dumps its internals) or given alone to console.log is shown as an HTML table.
const path = require('node:path');

/** ename, evalue and traceback for an execute_reply from the stderr text of a failing cell. */
function errorContent(stderr) {
  const lines = stderr.replace(/\r\n/g, '\n').split('\n');
  const first = lines.find((l) => l.trim() !== '') ?? '';
  const thrown = /^(?:Uncaught )?([A-Za-z_$][\w$]*): (.*)$/.exec(first.trim());
  const diagnostic = /^(?:\S+ )?\d+:\d+ - (.*)$/.exec(first.trim());
  let ename = 'Error';
  let evalue = first.trim();
  if (thrown !== null) [, ename, evalue] = thrown;
  else if (diagnostic !== null) [ename, evalue] = ['TypeScriptError', diagnostic[1]];
  if (evalue === '') evalue = 'the cell failed without a message';
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return { ename, evalue, traceback: lines.length > 0 ? lines : [`${ename}: ${evalue}`] };
}

/** True for a danfojs DataFrame or Series (by shape; danfojs is not loaded here). */
function isFrame(v) {
  const kind = v !== null && typeof v === 'object' ? v.constructor?.name : undefined;
  return (kind === 'DataFrame' || kind === 'Series') && Array.isArray(v.values) && Array.isArray(v.index);
}

/**
 * A console.log that shows a lone DataFrame or Series through `showHtml(toHtml(frame))`
 * and passes everything else (and any failure of the HTML route) to `log`.
 */
function richLog(log, toHtml, showHtml) {
  return function (...args) {
    if (args.length === 1 && isFrame(args[0])) {
      try {
        showHtml(toHtml()(args[0]));
        return;
      } catch {
        // not in a cell, or the library is not built: print it as before
      }
    }
    log.apply(this, args);
  };
}

/** Applies the fixes to the tslab installed in `tslabDir` (its package folder); `root` is the repository. */
function applyPatches(tslabDir, root) {
  const { JupyterHandlerImpl } = require(path.join(tslabDir, 'dist', 'jupyter.js'));
  const { versions } = require(path.join(tslabDir, 'dist', 'public.js'));
  const handleKernel = JupyterHandlerImpl.prototype.handleKernel;
  JupyterHandlerImpl.prototype.handleKernel = function () {
    const reply = handleKernel.call(this);
    if (reply?.language_info?.name === 'typescript') reply.language_info.version = versions.typescript;
    return reply;
  };
  const handleExecute = JupyterHandlerImpl.prototype.handleExecute;
  JupyterHandlerImpl.prototype.handleExecute = async function (req, writeStream, writeDisplayData) {
    let stderr = '';
    const capture = (name, text) => {
      if (name === 'stderr') stderr += text;
      writeStream(name, text);
    };
    const content = await handleExecute.call(this, req, capture, writeDisplayData);
    if (content.status === 'error') {
      Object.assign(content, errorContent(stderr));
      if (req.stop_on_error === false) this.execQueue.reset();
    }
    return content;
  };
  // tslab captures console.log when the kernel starts and logs a cell's last expression with it.
  const toHtml = () => require(path.join(root, 'dist', 'src', 'notebook', 'display.js')).toHtml;
  const { display } = require(path.join(tslabDir, 'dist', 'public.js'));
  console.log = richLog(console.log, toHtml, (html) => display.html(html));
}

module.exports = { errorContent, isFrame, richLog, applyPatches };
