"""Renderers: views of the ledger as files and terminal output. None of them computes money."""
