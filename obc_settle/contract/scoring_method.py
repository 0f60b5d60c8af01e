"""`scoring.method` in a contract: the name of a registered scoring method (`obc_settle.scoring_methods`).

The names are read from the registry when a contract is validated, not written out here, so a
method registered there is accepted here and nowhere else needs to list it. An unknown name is
the same finding as any other value outside a fixed list (C012, located at the value: "the text
'linaer' is not one of 'linear', 'banded', ... (did you mean 'linear'?)"), and the contract's JSON
Schema (`obc-settle schema`) lists the registered names as an enum.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import GetJsonSchemaHandler, PlainValidator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from obc_settle import scoring_methods


def choices() -> str:
    """The registered names as pydantic words a choice of literals: `'a', 'b' or 'c'`."""
    quoted = [repr(name) for name in scoring_methods.names()]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _registered(value: Any) -> str:
    if isinstance(value, str) and value in scoring_methods.names():
        return value
    # The error pydantic gives for a Literal, so that it reads (and is located) as every other choice.
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": choices()})


class _RegisteredNames:
    """The JSON Schema of the field: the registered names, as they are when the schema is asked for."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"enum": list(scoring_methods.names()), "type": "string"}


ScoringMethodName = Annotated[str, PlainValidator(_registered), _RegisteredNames()]
