"""A channel with accounts or content pieces cannot be deleted alone (it is archived),
but a workspace goes with all its channels, accounts and pieces at once."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError

from opsloop.channels.models import Account, Channel
from opsloop.content.models import ContentPiece
from opsloop.core.models import Workspace


def test_a_workspace_goes_with_its_channels_accounts_and_pieces(owner, workspace):
    channel = Channel.objects.create(workspace=workspace, name="小红书", platform="xiaohongshu")
    account = Account.objects.create(workspace=workspace, channel=channel, name="鲸选 小红书")
    ContentPiece.objects.create(
        workspace=workspace, title="双十一种草", channel=channel, account=account, format="article"
    )
    with pytest.raises(RestrictedError):
        channel.delete()
    workspace.delete()
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
    assert not Channel.objects.exists() and not Account.objects.exists()
    assert not ContentPiece.objects.exists()
