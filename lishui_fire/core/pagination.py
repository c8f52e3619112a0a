"""Pagination whose cost is the page's, not the table's (ADR 0030).

An exact ``COUNT(*)`` reads every row the list could show: at 200,000 applications the count of a
detachment's list costs hundreds of times its page. ``CappedCountPaginator`` counts at most
``LIST_EXACT_COUNT_LIMIT`` rows (``SELECT COUNT(*) FROM (SELECT id … LIMIT n + 1)``): up to the
limit the count is exact, as before; beyond it the count says "at least the limit"
(``count_exact`` is False) and the pages still go on, each one telling whether another follows
by reading one row more than it shows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

# The largest OFFSET a page may ask for: past it every list is past its end (and 2**63 is an
# integer SQLite and PostgreSQL refuse in a LIMIT/OFFSET, a 500 rather than the last page).
MAX_OFFSET = 2**31 - 1


class CappedPage(Page):
    """A page that knows whether another follows, also when the count is only a lower bound."""

    more: bool = False

    def has_next(self) -> bool:
        if getattr(self.paginator, "count_exact", True):
            return super().has_next()
        return self.more


class CappedCountPaginator(Paginator):
    """Django's paginator with the count capped at ``LIST_EXACT_COUNT_LIMIT``."""

    def __init__(
        self,
        *args: Any,
        count_limit: int | None = None,
        count_with_page: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_limit = settings.LIST_EXACT_COUNT_LIMIT if count_limit is None else count_limit
        self.count_with_page = count_with_page

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        rows = self.object_list
        if hasattr(rows, "values") and hasattr(rows, "order_by"):
            # Only the key, no order and no annotation: the cheapest rows to count.
            counted = rows.order_by().values("pk")[: self.count_limit + 1].count()
        else:
            counted = len(rows)
        self._count_exact = counted <= self.count_limit
        return min(counted, self.count_limit)

    @property
    def count_exact(self) -> bool:
        """Whether ``count`` is the number of rows (else: at least that many)."""
        self.count  # noqa: B018  (counting sets the flag)
        return self._count_exact

    def validate_number(self, number: Any) -> int:
        if self.count_exact:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if self.count_exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if bottom > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def get_page(self, number: Any) -> Page:
        """With ``count_with_page``: the page's rows and the capped count in one query (the count
        as a scalar subquery the database runs once), one round trip fewer for every page that has
        rows (ADR 0033). A page without rows (an empty list, a number past the end) takes the
        usual way: the count, then the page Django's ``get_page`` falls back to."""
        rows_qs = self.object_list
        if not (self.count_with_page and hasattr(rows_qs, "query") and self.per_page > 0):
            return self._get_page_or_last(number)
        try:
            wanted = int(number) if number is not None else 1
        except (TypeError, ValueError):
            wanted = 1  # as Django's get_page: not a number, the first page
        if wanted < 1 or (wanted - 1) * self.per_page > MAX_OFFSET:
            # As Django's get_page: the last page. An offset no database takes (?page=2**63)
            # is past the end of any list, not an overflow in the SQL.
            return self._get_page_or_last(number)
        inner = rows_qs.order_by().values("pk")[: self.count_limit + 1]
        sql, params = inner.query.sql_with_params()
        # Django's own SQL of the list, its values as parameters: nothing of the request's text.
        capped = f"SELECT COUNT(*) FROM ({sql}) capped"  # noqa: S608
        counted = RawSQL(capped, params, IntegerField())  # noqa: S611
        bottom = (wanted - 1) * self.per_page
        rows = list(rows_qs.annotate(capped_count=counted)[bottom : bottom + self.per_page + 1])
        if not rows:
            return self._get_page_or_last(number)
        total = rows[0].capped_count
        self._count_exact = total <= self.count_limit
        self.__dict__["count"] = min(total, self.count_limit)  # the cached_property, filled
        page = self._get_page(rows[: self.per_page], wanted, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page_or_last(self, number: Any) -> Page:
        """Django's ``get_page``; past the rows of a list counted only to its cap (where
        ``validate_number`` cannot tell), the last counted page, as past the end of a counted
        one, not an ``EmptyPage`` (a 500 on ``?page=9999``)."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def _get_page(self, *args: Any, **kwargs: Any) -> CappedPage:
        return CappedPage(*args, **kwargs)
