"""Notification channels: where a message goes besides the in-app inbox.

The interface (a port, in the Cosmic Python sense)::

    class Channel(Protocol):
        name: str                              # short and stable: "inapp", "log", "sms", "wechat"
        def send(self, message: Message) -> None: ...

``send`` is called after the notifying transaction has committed, once per message, with a
:class:`Message` that carries ids and the text — never a phone number or an OpenID: an adapter that needs
one looks it up itself from ``message.user_id`` (so personal data stays where it is kept and is fetched only
by the adapter that must have it). ``send`` raises to report a failure; the failure is logged (ids and kind
only) and kept in ``Notification.channel_results``, and the other channels still run. An adapter that talks
to a slow service (SMS gateway, WeChat template messages) should enqueue and return quickly; SMS and WeChat
adapters are later work.

Channels are configured by dotted paths in ``settings.GRIDGOV["NOTIFY_CHANNELS"]`` (default: in-app only).
Each path is instantiated once per configuration and reused (``configured()``), so a test can configure
``FakeChannel`` and read what it sent from ``get("fake").sent``.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("gridgov.notify")

DEFAULT_CHANNELS = ("gridgov.notify.channels.InAppChannel",)


@dataclass(frozen=True, slots=True)
class Message:
    notification_id: int
    user_id: int
    kind: str
    title: str
    body: str
    object_type: str = ""
    object_id: str = ""


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


class InAppChannel:
    """The inbox itself: the ``Notification`` row is the delivery, so there is nothing more to send."""

    name = "inapp"
    external = False

    def send(self, message: Message) -> None:
        return None


class FakeChannel:
    """Records what it was asked to send, in memory (tests)."""

    name = "fake"
    external = True

    def __init__(self):
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)

    def reset(self) -> None:
        self.sent.clear()


class LogChannel:
    """Writes one log line per message — ids and kind only, never names, titles or bodies."""

    name = "log"
    external = True

    def send(self, message: Message) -> None:
        log.info("notification %s kind=%s user=%s object=%s:%s", message.notification_id, message.kind,
                 message.user_id, message.object_type, message.object_id)


def _paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "GRIDGOV", {}).get("NOTIFY_CHANNELS") or DEFAULT_CHANNELS)


@lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    out = []
    for path in paths:
        channel = import_string(path)()
        if not isinstance(channel, Channel):
            raise TypeError(f"{path} 不是通知渠道（需要 name 属性和 send(message) 方法）")
        out.append(channel)
    return tuple(out)


def configured() -> tuple[Channel, ...]:
    """The configured channels (instances are reused while the configuration stays the same)."""
    return _load(_paths())


def external() -> tuple[Channel, ...]:
    """The channels to call after the commit (all but the in-app inbox)."""
    return tuple(c for c in configured() if getattr(c, "external", True))


def get(name: str) -> Channel:
    for channel in configured():
        if channel.name == name:
            return channel
    raise LookupError(f"没有配置名为 {name} 的通知渠道")
