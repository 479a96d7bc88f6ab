"""The store opens, migrates and is empty, on SQLite and PostgreSQL."""

from bot.store import Store


async def test_new_store_has_no_community(store: Store) -> None:
    assert await store.communities() == []
    assert len(store.secret) == 32
