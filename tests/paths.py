"""Where the repository's sample contracts and extracts are, for tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
