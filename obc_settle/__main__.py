"""Allow `python -m obc_settle` (the same entry point as `obc-settle`)."""

from obc_settle.entry import main

main()
