"""News and briefings: posts in Markdown with their takeaways, quotations and cited source,
linked to the statements and events they are about; `/news`, the Atom feed, `news import`."""
