# Sourced by scripts/demo and scripts/test: Debian packages the Python packages need.
# WeasyPrint (appeal letters as PDF) renders with Pango and HarfBuzz; DejaVu gives it fonts.
# CairoSVG (PNG charts) renders with Cairo. LightGBM (denial-risk model) needs OpenMP (libgomp1).
SYSTEM_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libcairo2 libgomp1"

ensure_system_packages() {
  local missing=()
  for pkg in $SYSTEM_PACKAGES "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "installing ${missing[*]} ..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}
