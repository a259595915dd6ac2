"""Content models of the harmful-content clauses: folding, lexicons, linear and embedding stages."""
