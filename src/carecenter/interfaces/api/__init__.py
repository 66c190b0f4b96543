"""The REST and WebSocket API and the web pages of ``carecenter serve`` (FastAPI)."""
