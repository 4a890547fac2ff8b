#!/usr/bin/env bash
# Installs the system packages octolab needs on Debian/Ubuntu, only when missing.
# Needs root (or sudo) and apt; does nothing when everything is present.
#   - jupyter-nbconvert, jupyter-client: run the notebooks headlessly (Debian's Jupyter, /usr/bin/python3)
#   - jupyter-notebook: the classic notebook server for interactive use (Debian has no JupyterLab)
#   - chromium: check that the HTML reports render their charts offline
#   - mesa-vulkan-drivers (Mesa >= 25), libvulkan1: a software WebGPU adapter (lavapipe), so
#     that the webgpu engine is tested without a GPU. Debian 12's own Mesa 22.3 lacks
#     Vulkan features Dawn requires, so on bookworm it comes from bookworm-backports.
#   - slurmctld, slurmd, slurm-client, munge: a throwaway single-node Slurm for the array-job
#     test, which starts its own daemons (scripts/slurm/local-cluster.sh)
#   - libtorch-dev, libopenblas0-pthread: the native `torch` engine (PyTorch's C++ core, CPU;
#     without OpenBLAS libtorch falls back to the reference BLAS, about 6x slower)
#   - with --bench, also python3-torch: the PyTorch reference that `npm run bench` runs side by side
set -euo pipefail
bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    *) echo "setup-system.sh: unknown option '$arg' (valid: --bench)" >&2; exit 2 ;;
  esac
done
need=()
[ -x /usr/bin/jupyter ] && /usr/bin/python3 -c 'import nbclient, nbconvert' 2>/dev/null || need+=(jupyter-nbconvert jupyter-client)
/usr/bin/python3 -c 'import notebook' 2>/dev/null || need+=(jupyter-notebook)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
for b in slurmctld slurmd sbatch munged; do command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || { need+=(slurmctld slurmd slurm-client munge); break; }; done
torch=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in libtorch-dev libopenblas0-pthread; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || torch+=("$pkg")
  done
fi
[ "$bench" -eq 0 ] || /usr/bin/python3 -c 'import torch' 2>/dev/null || torch+=(python3-torch)
mesa_ok() {
  local v
  v="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null)" || return 1
  dpkg-query -W libvulkan1 >/dev/null 2>&1 && dpkg --compare-versions "$v" ge 25
}
mesa=0
command -v dpkg-query >/dev/null 2>&1 && ! mesa_ok && mesa=1
if [ ${#need[@]} -eq 0 ] && [ "$mesa" -eq 0 ] && [ ${#torch[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages (${need[*]}) and no apt-get: install them with your package manager, or use environment.yml (conda)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
mesa_target=()
if [ "$mesa" -eq 1 ] && [ "$codename" = "bookworm" ]; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  mesa_target=(-t bookworm-backports)
fi
echo "installing system packages: ${need[*]}${need[*]:+ }${torch[*]}${torch[*]:+ }$([ "$mesa" -eq 1 ] && echo "mesa-vulkan-drivers libvulkan1 ${mesa_target[*]}")"
$SUDO apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
[ ${#need[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
if [ "$mesa" -eq 1 ]; then
  # Optional: without it the webgpu tests skip and say why; nothing else depends on it.
  $SUDO apt-get install -y -qq --no-install-recommends "${mesa_target[@]}" mesa-vulkan-drivers libvulkan1 ||
    echo "could not install a recent mesa-vulkan-drivers: the webgpu tests will skip" >&2
fi
if [ ${#torch[@]} -gt 0 ]; then
  # Optional: without libtorch the addon is not built, the torch tests skip and say why.
  $SUDO apt-get install -y -qq --no-install-recommends "${torch[@]}" ||
    echo "could not install ${torch[*]}: the torch engine will be unavailable" >&2
fi
