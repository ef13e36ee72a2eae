"""The words clinicians and patients read, built from typed parts (records and results) and
returned as text: the window, the PDF and the command line all take them from here.

`text`: records, results, flags and the audit trail in the clinic's words; `people`: a patient
and a block as a person tells them apart. The clinical engine's own sentences (verdicts, the
checklist) are in `paintrack.clinical.wording`, because the analysis carries them.
"""
