#!/usr/bin/env bash
# Regenerates the screenshots in this folder from the sample diabetes contract (needs chromium and
# poppler-utils, as the tests do): one provider's HTML statement (desktop and phone) and page 1 of its PDF.
# Then the statements of a subcontractor and of a risk/gain share from the two trial-shaped samples.
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

# The trial-shaped samples of issue 14, settled as `make demo` settles them (the quarters of 2025-26,
# then the year netting them off): a subcontractor's statement (Dorset MSK, DHC) and an alliance
# member's statement with its risk/gain share (Herefordshire, WVT), every PDF page and the HTML page.
settle_year() {  # settle_year CONTRACT_ID
  local paid=()
  for quarter in Q1 Q2 Q3 Q4; do
    .venv/bin/obc-settle run "contracts/$1.yaml" --data "sample_data/$1" --period "2025-26-$quarter" \
        --out "$out/$1/2025-26-$quarter" --format html,pdf --quiet "${paid[@]}"
    paid+=(--paid "$out/$1/2025-26-$quarter")
  done
  .venv/bin/obc-settle run "contracts/$1.yaml" --data "sample_data/$1" --period 2025-26 \
      --out "$out/$1/2025-26" --format html,pdf --quiet "${paid[@]}"
}
settle_year dorset-msk-prime
settle_year herefordshire-alliance-risk-share
rm -f docs/images/statement-subcontractor-*.png docs/images/statement-risk-share-*.png
pdftoppm -r 90 -png "$out/dorset-msk-prime/2025-26/statements/DHC.pdf" docs/images/statement-subcontractor-page
pdftoppm -r 90 -png "$out/herefordshire-alliance-risk-share/2025-26/statements/WVT.pdf" docs/images/statement-risk-share-page
shoot "$out/dorset-msk-prime/2025-26/statements/DHC.html" 1200 2600 docs/images/statement-subcontractor-html.png
shoot "$out/herefordshire-alliance-risk-share/2025-26/statements/WVT.html" 1200 2600 docs/images/statement-risk-share-html.png
