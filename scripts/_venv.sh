# Sourced by scripts/demo and scripts/test: make .venv with the project installed.
# $1 = pip extras ("" or "dev"). Re-installs only when pyproject.toml changed.
ensure_venv() {
  local extras="$1"
  if ! command -v python3 >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      python3 -m venv .venv
    }
  fi
  local stamp=".venv/.installed-${extras:-base}"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
    local target="."
    [ -n "$extras" ] && target=".[${extras}]"
    .venv/bin/python -m pip install -q -e "$target" 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/python -c "import denialscope" || { echo "installation failed" >&2; exit 1; }
    touch "$stamp"
  fi
}
