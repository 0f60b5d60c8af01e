"""The run folder: what a settlement leaves behind, and the one way it is written and read back.

    layout.py        the name of every file and folder in a run folder (no other module spells them)
    ledger_files.py  the ledger as Parquet and CSV, with fixed writer settings; reading it back
    manifest.py      manifest.json: SHA-256 of every input and output, versions, parameters, run id
    archive.py       the copies of the inputs under inputs/, checked against the bytes the run read
    atomic.py        the output folder reserved (checked and locked) before anything is read, then
                     written all at once and swapped into place
    writer.py        the one writer of a run folder, used by `run`, `estimate` and `simulate`
    reader.py        the one reader: ledger, manifest and archived inputs of a folder written earlier
    workers.py       the worker processes that render documents beside the main process

It sits below `render` and `audit` and above the engine: it knows the ledger as files,
never how a settlement is computed, and receives rendered documents (bytes, or a callback that
writes them) rather than importing the renderers. This `__init__` imports nothing, and only
`ledger_files` and `writer` import Polars, so `obc-settle --help` stays light.
"""
