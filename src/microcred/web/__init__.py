"""The web app (server-rendered pages) and the composition of the HTTP application."""
