"""WSGI entry point for an external server: `gateway.cli.serve_entry:app`, configured from the environment."""

from gateway.app import create_app

app = create_app()
