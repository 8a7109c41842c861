"""Keeping secrets out of everything shown: the secret formats, masking, the redactor of
notification text and the sanitizing of a check's result before it leaves the gate."""
