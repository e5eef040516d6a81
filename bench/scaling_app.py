"""A replica whose throughput is bound by CPU: every GET burns a fixed amount of work (WORK iterations) before it
answers, so under a CPU limit its requests per second follow the limit. One thread and an event loop: requests are
served one after another whatever the number of connections, so the cost of a request does not grow with them (as it
would with a thread per connection contending for the interpreter lock). Used by bench/scaling.sh."""
import asyncio, json, os

PORT = int(os.environ["PORT"])
WORK = int(os.environ.get("WORK", "20000"))
BODY = json.dumps({"container": os.environ.get("SHOAL_INSTANCE_ID", "replica")}).encode()
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY


def burn(n):
    # Pure arithmetic in the interpreter: no allocation, no I/O, the same cost every request.
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFFFFFF
    return x


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if not head.startswith(b"GET /health"):
                burn(WORK)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT)
    async with server:
        await server.serve_forever()


asyncio.run(main())
