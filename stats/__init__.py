"""Readership statistics: page views captured off the request path or imported from web
server logs, robots and heavy hitters left out, a month's report; no reader's address is
ever stored (visitor keys are hashed with a salt of the month, destroyed at its close)."""
