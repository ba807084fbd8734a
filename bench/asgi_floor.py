"""The smallest ASGI app: what uvicorn alone costs per request (the floor under our /sparql)."""

BODY = b'{"head":{"vars":[]},"results":{"bindings":[]}}'


async def app(scope, receive, send) -> None:
    """Answer every HTTP request with an empty SPARQL result, doing nothing else."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json")]})
    await send({"type": "http.response.body", "body": BODY})
