"""Apps: publishers, listings, versions, installs, reviews, QA and certification of apps."""
