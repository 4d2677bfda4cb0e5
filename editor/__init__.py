"""Editorial web application: accounts, the queue, decisions."""
