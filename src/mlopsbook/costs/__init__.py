"""What it costs to serve: traffic shapes (:mod:`.traffic`), dated price tables (:mod:`.pricing`), the monthly bill
per platform (:mod:`.model`), break-evens and cheapest-platform maps (:mod:`.curves`), their figures (:mod:`.plots`)
and AWS's published pricing examples recomputed (:mod:`.examples`). Importing this package loads nothing."""
