"""Import a module on a background thread while the main thread waits on Polars.

The document renderers (reportlab, xlsxwriter, the jinja2 templates) take about a third of a
second to import and are needed only once the extracts are read and settled. Polars' scan runs on
its own threads and releases the interpreter, so importing the renderers meanwhile takes that
time off the run (benchmarks/results.md). Importing is thread-safe in Python: if the main thread
needs the module before the background import has finished, it waits for it.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from types import ModuleType


class ImportAhead:
    """`ImportAhead("package.module")` starts importing; `.module()` returns it when it is needed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread = threading.Thread(target=self._import, name=f"import {name}", daemon=True)
        self._thread.start()

    def _import(self) -> None:
        with contextlib.suppress(
            Exception
        ):  # an import error is raised by `module()`, in the caller's thread
            importlib.import_module(self.name)

    def module(self) -> ModuleType:
        self._thread.join()
        return importlib.import_module(self.name)
