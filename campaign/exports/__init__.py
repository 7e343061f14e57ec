"""CSV streams for organizers: constant memory, RFC 4180, safe to open in a spreadsheet."""
