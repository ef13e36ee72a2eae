"""The clinician PDF summary, generated headless."""
