"""Web pieces both applications share: sessions and CSRF, the app frame with its guards
(security headers, trusted hosts, the Origin check), links within each app."""
