"""A pipelined WebSocket bridge client: sends everything, collects one answer per message."""

import asyncio
import json

import websockets


from conftest import BRIDGE_HEADERS


async def stream(url, messages, timeout=180, headers=BRIDGE_HEADERS):
    """Sends `messages` on one connection without waiting between them; returns
    {id: answer frame} once every message has its ack or nack."""
    answers = {}
    async with websockets.connect(url, max_size=2**22, extra_headers=headers) as ws:
        async def read_answers():
            while len(answers) < len(messages):
                frame = json.loads(await ws.recv())
                assert frame["id"] not in answers, f"two answers for {frame['id']}"
                answers[frame["id"]] = frame

        reader = asyncio.create_task(read_answers())
        for m in messages:
            await ws.send(json.dumps(m, ensure_ascii=False))
        await asyncio.wait_for(reader, timeout)
    return answers


def stream_all(url, batches, timeout=180):
    async def run():
        return await asyncio.gather(*(stream(url, b, timeout) for b in batches))
    return asyncio.run(run())
