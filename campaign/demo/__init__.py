"""Demo content modelled on the seed charter: a statement, its signatories and its launch meeting."""
