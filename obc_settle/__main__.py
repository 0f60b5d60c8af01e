"""Allow `python -m obc_settle`."""

from obc_settle.cli import main

main()
