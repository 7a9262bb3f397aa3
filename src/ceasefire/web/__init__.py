"""The web face: the /api/v1 JSON API and the server-rendered pages."""
