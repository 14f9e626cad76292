"""User groups, events, the Summit, open source hub and content."""
