"""Tests for gridgov.notify.channels: the fake records, the log channel keeps personal data out of logs."""

import logging

from gridgov.notify.channels import Channel, FakeChannel, InAppChannel, LogChannel, Message

MSG = Message(notification_id=7, user_id=42, kind="case.dispatched", title="案件派遣：王伟家门口暴露垃圾",
              body="请 13800138000 王伟 尽快处置", object_type="case", object_id="C1")


def test_channels_follow_the_protocol():
    for channel in (InAppChannel(), FakeChannel(), LogChannel()):
        assert isinstance(channel, Channel) and channel.name


def test_fake_channel_records_and_resets():
    fake = FakeChannel()
    fake.send(MSG)
    fake.send(MSG)
    assert fake.sent == [MSG, MSG]
    fake.reset()
    assert fake.sent == []


def test_log_channel_logs_ids_and_kind_only(caplog):
    with caplog.at_level(logging.INFO, logger="gridgov.notify"):
        LogChannel().send(MSG)
    text = caplog.text
    assert "7" in text and "case.dispatched" in text and "42" in text
    for personal in ("王伟", "13800138000", "暴露垃圾", "尽快处置"):
        assert personal not in text
