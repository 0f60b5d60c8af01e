#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the sample diabetes contract (needs chromium and
# poppler-utils, as the tests do): one provider's HTML statement (desktop and phone) and page 1 of its PDF.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
.venv/bin/obc-settle run contracts/diabetes-alliance.yaml --data sample_data/diabetes-alliance \
    --period 2025-26-Q3 --out "$out/run" --quiet
shoot() {  # shoot PAGE WIDTH HEIGHT PNG
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
      --hide-scrollbars --user-data-dir="$out/profile" --window-size="$2,$3" --screenshot="$4" "file://$1" 2>/dev/null
}
shoot "$out/run/statements/WHIT.html" 1200 1900 docs/images/statement-html.png
shoot "$out/run/statements/WHIT.html" 390 1500 docs/images/statement-phone.png
pdftoppm -r 90 -f 1 -l 1 -png -singlefile "$out/run/statements/WHIT.pdf" docs/images/statement-pdf-page1
