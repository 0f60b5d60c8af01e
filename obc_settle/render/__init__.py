"""Renderers: views of the ledger as documents and terminal output. None of them computes money;
the run folder they are written into is obc_settle.run_folder's."""
