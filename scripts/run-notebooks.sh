#!/usr/bin/env bash
# Runs the notebooks headlessly and exports them to reports/notebooks/*.html
# (see scripts/run-notebooks.py for the options, e.g. --jobs 2, --timeout 1800, --out DIR,
# -p NAME=VALUE, --allow-errors, export names such as 03-mnist).
# Needs Debian's Jupyter (nbclient, nbconvert) on /usr/bin/python3 (scripts/setup-system.sh
# installs it), tslab from npm (a devDependency; the kernelspec in jupyter/ starts it) and a build (npm run build).
# Settings reach the notebooks as environment variables:
#   OCTOLAB_PROFILE=smoke|full (default full), OCTOLAB_RESULTS (default reports/results),
#   OCTOLAB_DATA_DIR (default data/), OCTOLAB_NOTEBOOK_TIMEOUT (seconds per notebook),
#   OCTOLAB_EXPORT (default 1: leave out live-run timings, so a rebuild gives the same HTML).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${OCTOLAB_JUPYTER_PYTHON:-/usr/bin/python3}"
if ! "$PYTHON" -c 'import nbclient, nbconvert' 2>/dev/null; then
  echo "run-notebooks: $PYTHON cannot import nbclient and nbconvert; install Debian's Jupyter with scripts/setup-system.sh (or set OCTOLAB_JUPYTER_PYTHON to a Python that has them)" >&2
  exit 1
fi
exec "$PYTHON" scripts/run-notebooks.py "$@"
