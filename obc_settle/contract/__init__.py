"""The contract language: pydantic models, the YAML reader that keeps line numbers, whole-file rules."""

from obc_settle.contract.loader import LoadedContract, load_contract
from obc_settle.contract.models import Contract, Domain, Indicator, Provider

__all__ = ["Contract", "Domain", "Indicator", "LoadedContract", "Provider", "load_contract"]
