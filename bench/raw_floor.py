"""A floor below uvicorn: an asyncio protocol on uvloop that parses HTTP/1.1 with httptools
(as uvicorn does) and answers every request with an empty SPARQL result, with no ASGI cycle,
task or message objects. It measures what answering /sparql inside the HTTP protocol could
save. `python bench/raw_floor.py PORT`."""

from __future__ import annotations

import asyncio
import sys

import httptools
import uvloop
from asgi_floor import BODY

RESPONSE = (b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\n"
            b"content-length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


class RawFloor(asyncio.Protocol):
    def connection_made(self, transport) -> None:
        self.transport = transport
        self.parser = httptools.HttpRequestParser(self)

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.transport.close()

    def on_message_complete(self) -> None:
        self.transport.write(RESPONSE)


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(RawFloor, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))
