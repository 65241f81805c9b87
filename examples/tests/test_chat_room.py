import asyncio

import pytest

from siphon_sdk.websocket_testing import WebSocketRejected


def test_members_of_a_room_hear_each_other(script):
    h = script("chat_room")

    async def main():
        async with h.websocket("/rooms/lobby?name=ada") as ada:
            assert await ada.receive() == "* ada joined (1 here)"
            async with h.websocket("/rooms/lobby?name=bob") as bob:
                assert await bob.receive() == "* bob joined (2 here)"
                assert await ada.receive() == "* bob joined (2 here)"
                await bob.send("hi all")
                assert await ada.receive() == "bob: hi all"
                assert await bob.receive() == "bob: hi all"
            assert await ada.receive() == "* bob left"
        assert h.module.rooms == {}  # the last member's leaving removed the room

    asyncio.run(main())


def test_rooms_are_separate(script):
    h = script("chat_room")

    async def main():
        async with h.websocket("/rooms/a?name=ada") as ada, h.websocket("/rooms/b?name=bob") as bob:
            await ada.receive()
            await bob.receive()
            await bob.send("only b")
            assert await bob.receive() == "bob: only b"
            await ada.send("only a")
            assert await ada.receive() == "ada: only a"  # nothing of b's came first

    asyncio.run(main())


def test_a_member_needs_a_name(script):
    h = script("chat_room")

    async def main():
        with pytest.raises(WebSocketRejected) as e:
            async with h.websocket("/rooms/lobby"):
                pass
        assert e.value.status == 400

    asyncio.run(main())
