#!/usr/bin/env bash
# Create .venv and install the suite (editable, with dev tools); a no-op when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
STAMP=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
if [[ ! -f $STAMP ]]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$STAMP"
fi
