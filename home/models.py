"""What the 首页 keeps of its own: the last value of each slow alliance-wide aggregate."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureSnapshot(models.Model):
    """The last computed value of one 首页 aggregate (home.cache) for a year and language.

    Kept only for aggregates that took long to compute (HOME_BACKGROUND_AFTER_SECONDS): when
    the cache has no current value — after a write, a restart, an emptied Redis — the 首页
    shows this one, with its time, while the job worker computes the current one. Written by
    whoever computed the value (a request or the worker), never by hand."""

    name = models.CharField(_("aggregate"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    language = models.CharField(_("language"), max_length=16)
    value = models.JSONField(_("value"))
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"))

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year", "language"], name="home_figuresnapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year} {self.language}"
