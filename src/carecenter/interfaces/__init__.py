"""Entry points: command line, HTTP API and web UI. They parse input, call a service, render."""
