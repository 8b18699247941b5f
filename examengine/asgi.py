"""The ASGI entry point for uvicorn (`examengine.asgi:app`), configured from the environment."""

from examengine.app import create_app

app = create_app()
