"""Reading coverage data for the lines a change touched.

One module per format (:mod:`.cobertura`, :mod:`.lcov`, :mod:`.coveragepy`),
one for finding the data (:mod:`.sources`), one for mapping the paths a
report names to repository paths (:mod:`.paths`) and one for the line sets
the readers return (:mod:`.model`).  Readers keep only the files the diff
changed, so a huge report costs a scan, not a parse of every line.
"""
