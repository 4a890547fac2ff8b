#!/usr/bin/env bash
# Installs the system packages octolab needs on Debian/Ubuntu, only when missing.
# Needs root (or sudo) and apt; does nothing when everything is present.
#   - jupyter-nbconvert, jupyter-client: run the notebooks headlessly (Debian's Jupyter, /usr/bin/python3)
#   - chromium: check that the HTML reports render their charts offline
set -euo pipefail
need=()
[ -x /usr/bin/jupyter ] && /usr/bin/python3 -c 'import nbclient, nbconvert' 2>/dev/null || need+=(jupyter-nbconvert jupyter-client)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages (${need[*]}) and no apt-get: install them with your package manager, or use environment.yml (conda)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
