"""One handler per action, named `<resource>_<verb>` like its route."""
