"""The clinical domain in pure Python: the record, relief metrics, schedules and comparisons."""
