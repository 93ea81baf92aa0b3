"""Domain operations: plain functions taking the acting user explicitly.

Services flush and write the audit trail; the request layer (or CLI command)
commits once. They never touch `request`, `session` or `flash`.
"""
