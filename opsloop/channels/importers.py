"""Follower counts from a file (opsloop/core/tables.py does the reading, the mapping and
the preview): a platform's fan report or a sheet kept by hand, one row per account and
day (docs/channels.md#followers).

The target is an account's id (the import from its page: every row is that account's)
or empty (every row names its account, by name or by its ID on the platform). A row
whose account is unknown, or named twice over, is refused with its line; a day recorded
before is replaced, so importing the same file again writes the same counts."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict

from opsloop.channels import queries
from opsloop.channels.actions import check_follower_day, write_follower_counts
from opsloop.channels.models import Account, FollowerSource
from opsloop.core.errors import Invalid
from opsloop.core.models import Membership
from opsloop.core.tables import Column, Count, Day, Importer, RowError, RowsInvalid, Text

KIND = "channels.followers"


class FollowerRow(BaseModel):
    """One row of the file: an account's followers on a day."""

    model_config = ConfigDict(extra="forbid")
    account: Text = ""
    day: Day
    followers: Count


def _target_account(membership: Membership, target: str) -> Account | None:
    if not target.strip():
        return None
    try:
        account_id = int(target)
    except ValueError:
        raise Invalid(_("The target must be an account's id."), field="target") from None
    return queries.get_account(membership, account_id)


def check(membership: Membership, target: str) -> None:
    """Members and above import followers (guests do not); the account must exist."""
    queries.check_edit(membership)
    _target_account(membership, target)


def _matches(account: Account, name: str) -> bool:
    folded = name.strip().casefold()
    return folded in {account.name.strip().casefold(), account.handle.strip().casefold()}


def write(membership: Membership, target: str, rows: list[tuple[int, FollowerRow]]) -> int:
    fixed = _target_account(membership, target)
    known = queries.accounts_by_name(membership.workspace_id) if fixed is None else {}
    errors: list[RowError] = []
    counts: dict[int, dict] = {}
    accounts: dict[int, Account] = {}
    for line, row in rows:
        account = fixed
        if fixed is not None:
            if row.account and not _matches(fixed, row.account):
                errors.append(RowError(line, "account", _("This row is of another account, %(name)s.")
                                       % {"name": row.account}))  # fmt: skip
                continue
        elif not row.account:
            errors.append(
                RowError(line, "account", _("Name the account, or import from its page."))
            )
            continue
        else:
            found = known.get(row.account.strip().casefold(), [])
            if not found:
                errors.append(RowError(line, "account", _("No account is named %(name)s.")
                                       % {"name": row.account}))  # fmt: skip
                continue
            if len(found) > 1:
                errors.append(RowError(line, "account", _("%(count)s accounts are named %(name)s: "
                    "use its ID on the platform.") % {"count": len(found), "name": row.account}))  # fmt: skip
                continue
            account = found[0]
        try:
            check_follower_day(membership.workspace, row.day)
        except Invalid as exc:
            errors.append(RowError(line, "day", exc.message))
            continue
        assert account is not None
        accounts[account.pk] = account
        counts.setdefault(account.pk, {})[row.day] = row.followers  # a later row wins
    if errors:
        raise RowsInvalid(errors)
    return sum(
        write_follower_counts(
            actor=membership,
            account=accounts[pk],
            counts=sorted(by_day.items()),
            source=FollowerSource.IMPORT,
        )
        for pk, by_day in counts.items()
    )


IMPORTER = Importer(
    kind=KIND,
    label=gettext_lazy("Followers of accounts"),
    columns=(
        Column(
            "account",
            gettext_lazy("Account (name or ID)"),
            aliases=(
                "账号",
                "账号名称",
                "账号名",
                "账号ID",
                "公众号",
                "名称",
                "昵称",
                "account",
                "name",
                "handle",
            ),
        ),  # fmt: skip
        Column(
            "day", gettext_lazy("Day"), aliases=("日期", "时间", "统计日期", "date"), required=True
        ),  # fmt: skip
        Column(
            "followers",
            gettext_lazy("Followers"),
            aliases=(
                "粉丝数",
                "粉丝",
                "总粉丝数",
                "粉丝总数",
                "累计粉丝",
                "累计关注人数",
                "关注者",
                "fans",
                "followers",
            ),
            required=True,
        ),  # fmt: skip
    ),
    row=FollowerRow,
    check=check,
    write=write,
    help=gettext_lazy(
        "A platform's fan report or a sheet of your own: a row per account and day with the "
        "followers that day. From an account's page, every row is that account's."
    ),
)
