"""Web pieces both applications share: server-side sessions, CSRF, templates."""
