"""What a draft's own words say about it: its language, its canonical URL, and the SimHash
that finds the same story republished elsewhere."""
