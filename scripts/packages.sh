# Sourced by scripts/venv.sh and scripts/test: Debian packages the build and the tests need.
# Cheap when present (dpkg check); installs with apt-get as root otherwise.
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "warning: Debian packages ${missing[*]} are missing and cannot be installed here" >&2
    return 0
  fi
  echo "installing Debian packages: ${missing[*]}"
  # "No configuration": Postfix installs without a main.cf and starts no system daemon;
  # tests run private instances with their own config directory (tests/gateways/postfix.py).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string localhost" | debconf-set-selections
  (apt-get update -qq || true) >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >/tmp/aupguard-apt.log 2>&1 \
    || echo "warning: apt-get install ${missing[*]} failed (see /tmp/aupguard-apt.log)" >&2
}
