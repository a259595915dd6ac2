"""Abuse reports: parsers, authentication, dedup keys and intake (see docs/reports.md)."""
