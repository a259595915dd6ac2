# Sourced by the other scripts: make .venv (once) and install aupguard with its dev extras.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "creating virtual environment in $VENV"
  python3 -m venv "$VENV"
fi
source "$ROOT/scripts/packages.sh"
ensure_debs libmilter-dev  # pymilter (dev extra) compiles against libmilter
# pdqhash (hash banks) has no wheel for every platform: pip builds it with a C++ compiler.
if ! command -v g++ >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq g++ >/dev/null
fi
stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  "$VENV/bin/pip" install -q --disable-pip-version-check -U pip setuptools wheel
  "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev]"
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
