"""Audit: the manifest that lets an auditor replay a settlement and check every byte."""
