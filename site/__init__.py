"""Public web application: browsing, item pages, search, feeds, submissions."""
