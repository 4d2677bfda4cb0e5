"""Translation stage: machine-translate items into the site languages."""
