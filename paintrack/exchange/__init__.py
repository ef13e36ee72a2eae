"""Diary files in and out: the paintrack-diary JSON format and CSV."""
