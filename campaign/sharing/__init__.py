"""Sharing: link-preview pictures (Open Graph) and the widget partner sites embed."""
