#!/usr/bin/env bash
# Installs what sohoa needs on a Debian machine: system packages, then a virtualenv in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd poppler-utils
              fonts-liberation2 fonts-dejavu-core qpdf openssl python3-venv python3-pip
              chromium softhsm2
              redis-server postgresql)  # the distributed tests start their own when none runs

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip runs again only when pyproject.toml changed since the last install (the stamp holds its hash)
stamp=.venv/.sohoa-installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$wanted" > "$stamp"
fi
echo "sohoa installed in $(pwd)/.venv"
