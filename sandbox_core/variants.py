"""Variants: a sandbox behaving as the real API plausibly might where its contract is silent.

Each sandbox implements every assumption of its contract in one definite way. A variant is
one named alternative (a single sort key only, a smaller page cap, another error shape...),
switched on per server with ``<profile>-sandbox serve --variant NAME`` (repeatable) or
``running_sandbox(variants=[...])``. A profile declares its variants once, in a
``VariantRegistry``, each with a one-line description; a route asks the server state
(``ServerState.variant(NAME)``) with the constant ``declare`` returned, so a misspelt name
fails at import, and an unknown name on the command line or in a test is a one-line error
listing the known ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class UnknownVariant(ValueError):
    """A variant name the profile does not declare (one line, listing the known ones)."""


@dataclass(frozen=True)
class Variant:
    """One declared variant: its name (lower-case, dashes) and what it changes, in one line."""

    name: str
    description: str


class VariantRegistry:
    """The variants one sandbox profile declares, in declaration order."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self._variants: dict[str, Variant] = {}

    def declare(self, name: str, description: str) -> str:
        """Declare a variant; returns its name, for the constant routes test against."""
        if name in self._variants:
            msg = f"{self.profile}: variant {name!r} declared twice"
            raise ValueError(msg)
        if not name or name != name.strip().lower() or " " in name or "\n" in description:
            msg = f"{self.profile}: a variant is a lower-case name and a one-line description"
            raise ValueError(msg)
        self._variants[name] = Variant(name, description)
        return name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._variants)

    def __iter__(self) -> Iterator[Variant]:
        return iter(self._variants.values())

    def __contains__(self, name: object) -> bool:
        return name in self._variants

    def check(self, names: Iterable[str]) -> frozenset[str]:
        """The names as a set, or ``UnknownVariant`` naming the first unknown one."""
        chosen = [str(n) for n in names]
        for name in chosen:
            if name not in self._variants:
                raise UnknownVariant(self.unknown_message(name))
        return frozenset(chosen)

    def unknown_message(self, name: str) -> str:
        known = ", ".join(self._variants) or "(none declared)"
        return f"unknown {self.profile} variant {name!r}; known: {known}"

    def parse(self, name: str) -> str:
        """One ``--variant`` value, checked (an argparse ``type``)."""
        self.check([name])
        return name

    def describe(self) -> str:
        """One line per variant: its name and what it changes."""
        if not self._variants:
            return f"{self.profile} declares no variants"
        width = max(len(n) for n in self._variants)
        return "\n".join(f"{v.name:<{width}}  {v.description}" for v in self._variants.values())
