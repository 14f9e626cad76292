"""Community portal (server-rendered). Thin: parse, call a service or selector, render."""
