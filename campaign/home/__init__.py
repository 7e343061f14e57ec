"""The home page (the featured statement, upcoming events, the other statements) and the
site's identity every page wears: name, tagline, logo and accent colour."""
