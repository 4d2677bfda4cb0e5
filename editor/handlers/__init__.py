"""One handler per action, named `<resource>_<verb>`, grouped by resource like the templates."""
