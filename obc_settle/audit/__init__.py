"""Audit: the manifest, the archive of inputs in every run folder, and verify, explain and diff."""
