"""Audit: verify, explain and diff, each working from a run folder read by obc_settle.run_folder.reader."""
