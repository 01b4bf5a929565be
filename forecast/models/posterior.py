"""A posterior read from a NetCDF file with xarray alone, for fits loaded from the cache.

A fit fresh from the sampler is an :class:`arviz.InferenceData`. A fit loaded from the
cache is a :class:`Posterior`: the same groups, read without importing ArviZ (which takes
more than a second and which a cached run otherwise never needs). Both offer what the
rest of the code uses: ``groups()``, a group as an attribute (``idata.posterior``),
``in``, and :meth:`to_inference_data` where ArviZ itself is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr


class Posterior:
    """Groups of a posterior (``posterior``, ``sample_stats``, ``log_likelihood`` ...).

    Parameters
    ----------
    groups : dict of str to xarray.Dataset
    """

    def __init__(self, groups: dict[str, xr.Dataset]):
        self._groups = dict(groups)

    def groups(self) -> list[str]:
        """The group names, in file order."""
        return list(self._groups)

    def __getattr__(self, name: str) -> xr.Dataset:
        groups = self.__dict__.get("_groups", {})
        if name in groups:
            return groups[name]
        raise AttributeError(name)

    def __contains__(self, name: object) -> bool:
        return name in self._groups

    def to_inference_data(self):
        """The same groups as an :class:`arviz.InferenceData` (imports ArviZ)."""
        import arviz as az

        return az.InferenceData(**self._groups)

    def to_netcdf(self, path: str | Path) -> None:
        """Write every group to ``path`` (as ArviZ does: one NetCDF group each)."""
        for i, (name, ds) in enumerate(self._groups.items()):
            ds.to_netcdf(path, group=name, mode="w" if i == 0 else "a")

    @classmethod
    def from_netcdf(cls, path: str | Path) -> Posterior:
        """Read every group of ``path`` into memory (the file is not held open).

        Raises
        ------
        OSError, ValueError
            If the file is missing or not a NetCDF file with groups.
        """
        import netCDF4

        with netCDF4.Dataset(str(path)) as nc:
            names = list(nc.groups)
        groups = {}
        for name in names:
            with xr.open_dataset(path, group=name) as ds:
                groups[name] = ds.load()
        return cls(groups)


class FlatDraws:
    """Mixin for fits (a dataclass with ``idata`` and a ``_stacked`` dict field): posterior
    variables flattened over chains and draws, each computed once (every derived quantity
    reads these arrays)."""

    def _stack(self, name: str):
        stacked = self._stacked  # type: ignore[attr-defined]
        if name not in stacked:
            post = self.idata.posterior[name]  # type: ignore[attr-defined]
            stacked[name] = post.stack(sample=("chain", "draw")).transpose("sample", ...).to_numpy()
        return stacked[name]


def as_inference_data(idata):
    """``idata`` as an :class:`arviz.InferenceData` (converting a :class:`Posterior`)."""
    return idata.to_inference_data() if isinstance(idata, Posterior) else idata


@dataclass
class SeriesFit(FlatDraws):
    """A fit of several log-linear series at once (the realised conversion, the clusters):
    the posterior, its reference year, judged diagnostics and the points per series."""

    idata: Any
    t_ref: float
    diagnostics: Any
    counts: dict[str, int]
    cached: bool = False

    _stacked: dict[str, Any] = field(default_factory=dict, repr=False)
