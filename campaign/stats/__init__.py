"""Where support comes from: tracked links, statistics pages and charts, the public figures."""
