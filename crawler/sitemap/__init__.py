"""Sites without feeds: their sitemaps list the articles, the source's URL rules pick them."""
