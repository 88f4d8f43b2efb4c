"""The overlap and eligibility check: rulesets as data, applied to requests with explanations."""
